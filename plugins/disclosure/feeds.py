"""Atom feeds: new accident reports, blacklist additions and removals, rectification results,
重大事故隐患 listings and removals, new 建设项目 announcements, one per enterprise and one per 市州. Entry dates come from the records (never the build clock),
so an unchanged database gives byte-identical feeds.
"""

from __future__ import annotations

from functools import partial

from .data import PublicData

MAX_ENTRIES = 50


def _stamp(day):
    day = str(day or "")[:10]
    return f"{day}T00:00:00+08:00" if len(day) == 10 else None


def _feed(path, title, alternate, entries, fallback_day):
    entries = [e for e in entries if e["updated"]]
    entries.sort(key=lambda e: (e["updated"], e["id"]), reverse=True)
    entries = entries[:MAX_ENTRIES]
    return {
        "path": path,
        "title": title,
        "alternate": alternate,
        "entries": entries,
        "updated": entries[0]["updated"] if entries else _stamp(fallback_day),
    }


def _accident_entry(a, kind="accident"):
    summary = (
        f"{a.get('occurred_on') or ''} {a.get('city_name') or ''} {a.get('grade') or ''}事故，死亡 {a.get('deaths') or 0} 人。"
        f"整改评估：{a.get('rect_status_zh') or '—'}。"
    )
    return {
        "id": f"accidents/{a['id']}",
        "title": a["title"],
        "path": a["path"],
        "updated": _stamp(a.get("published_on") or a.get("occurred_on")),
        "summary": summary,
        "category": "事故调查报告",
    }


def all_feeds(d: PublicData):
    """(path, build) for every feed, in a fixed order; ``build()`` returns the feed. Built on
    demand: each render worker builds only the feeds it renders (render.py)."""
    yield "feeds/accidents.xml", partial(_accidents_feed, d)
    yield "feeds/blacklist.xml", partial(_blacklist_feed, d)
    yield "feeds/rectification.xml", partial(_rectification_feed, d)
    yield "feeds/hazards.xml", partial(_hazards_feed, d)
    yield "feeds/projects.xml", partial(_projects_feed, d)
    for ent in d.enterprise_pages:
        yield ent["path"] + "feed.xml", partial(enterprise_feed, d, ent)
    for code, name in d.cities():
        yield f"regions/{code}/feed.xml", partial(region_feed, d, code, name)


def _accidents_feed(d: PublicData):
    return _feed(
        "feeds/accidents.xml",
        "新公开的事故调查报告",
        "accidents/",
        [_accident_entry(a) for a in d.accidents],
        d.as_of,
    )


def _blacklist_feed(d: PublicData):
    bl = []
    for b in d.blacklist_in_force:
        bl.append(
            {
                "id": f"blacklist/{b['id']}",
                "title": f"列入：{b['subject_name']}",
                "path": d.enterprise_path(b.get("enterprise_id")) or "blacklist/",
                "updated": _stamp(b.get("listed_on")),
                "category": "列入",
                "summary": f"{b.get('authority') or ''} {b.get('decision_no') or ''}；管理期限至 {b.get('term_end') or '—'}；"
                f"{b.get('reason') or ''}",
            }
        )
    for r in d.removals:
        bl.append(
            {
                "id": f"blacklist_removals/{r['id']}",
                "title": f"移出：{r['subject_name']}",
                "path": "blacklist/",
                "updated": _stamp(r.get("removed_on")),
                "category": "移出",
                "summary": f"{r.get('authority') or ''} {r.get('decision_no') or ''}；移出原因：{r.get('removal_reason') or ''}",
            }
        )
    return _feed("feeds/blacklist.xml", "严重失信主体名单：列入与移出", "blacklist/", bl, d.as_of)


def _rectification_feed(d: PublicData):
    rect = []
    for a in d.assessments:
        if not a.get("result"):
            continue
        acc = a.get("accident")
        rect.append(
            {
                "id": f"rectification_assessments/{a['id']}",
                "title": f"{a['title']}：{a['result']}",
                "path": acc["path"] if acc else "rectification/",
                "updated": _stamp(a.get("published_on") or a.get("assessed_on")),
                "category": "整改评估",
                "summary": f"评估结果：{a['result']}。{a.get('assessor') or ''}",
            }
        )
    return _feed("feeds/rectification.xml", "事故整改措施落实情况评估结果", "rectification/", rect, d.as_of)


def _hazard_entries(hazards) -> list[dict]:
    """A listing entry per hazard and a removal entry per removed one."""
    out = []
    for h in hazards:
        where = h.get("city_name") or ""
        out.append(
            {
                "id": f"hazards/{h['id']}",
                "title": f"挂牌督办：{h['enterprise_name']}",
                "path": h["path"],
                "updated": _stamp(h.get("listed_on")),
                "category": "挂牌督办",
                "summary": f"{where} {h.get('notice_no') or ''} {h.get('hazard') or ''}；"
                f"整改期限 {h.get('deadline') or '—'}。",
            }
        )
        if h.get("removed_on"):
            out.append(
                {
                    "id": f"hazards/{h['id']}/removed",
                    "title": f"销号：{h['enterprise_name']}",
                    "path": h["path"],
                    "updated": _stamp(h.get("removed_on")),
                    "category": "销号",
                    "summary": f"{h.get('notice_no') or ''} {h.get('hazard') or ''}；{h.get('removal_doc') or ''}",
                }
            )
    return out


def _hazards_feed(d: PublicData):
    return _feed(
        "feeds/hazards.xml", "重大事故隐患：挂牌督办与销号", "hazards/", _hazard_entries(d.hazards), d.as_of
    )


def _project_entry(p) -> dict:
    return {
        "id": f"projects/{p['id']}",
        "title": f"项目公示：{p['project_name']}",
        "path": p["path"],
        "updated": _stamp(p.get("announced_on") or p.get("comment_start")),
        "category": "建设项目公示",
        "summary": f"建设单位：{p.get('builder') or ''}；征求意见 {p.get('comment_start') or '—'} 至 "
        f"{p.get('comment_end') or '—'}。{p.get('comment_channel') or ''}",
    }


def _projects_feed(d: PublicData):
    return _feed(
        "feeds/projects.xml",
        "重大建设项目立项前公示",
        "projects/",
        [_project_entry(p) for p in d.projects],
        d.as_of,
    )


def enterprise_feed(d: PublicData, ent: dict):
    eid = ent["id"]
    entries = [_accident_entry(a) for a in d.accidents_by_ent.get(eid, [])]
    entries += [
        {
            "id": f"blacklist/{b['id']}",
            "title": "列入严重失信主体名单",
            "path": ent["path"],
            "updated": _stamp(b.get("listed_on")),
            "category": "严重失信",
            "summary": f"{b.get('decision_no') or ''} 管理期限至 {b.get('term_end') or '—'}",
        }
        for b in d.blacklist_by_ent.get(eid, [])
    ]
    entries += [
        {
            "id": f"credit_ratings/{r['id']}",
            "title": f"{r.get('rating_year') or ''}年度信用评级：{r['rating']}",
            "path": ent["path"],
            "updated": _stamp(r.get("rated_on")),
            "category": "信用评级",
            "summary": r.get("rater") or "",
        }
        for r in d.ratings_by_ent.get(eid, [])
    ]
    entries += [
        {
            "id": f"credit_records/{r['id']}",
            "title": f"信用记录：{r['record_type']}",
            "path": ent["path"],
            "updated": _stamp(r.get("decided_on")),
            "category": "信用记录",
            "summary": f"{r.get('authority') or ''} {r.get('decision_no') or ''}",
        }
        for r in d.records_by_ent.get(eid, [])
    ]
    entries += [
        {
            "id": f"bans/{b['id']}",
            "title": f"行业禁入：{b.get('subject_name') or ''}",
            "path": ent["path"],
            "updated": _stamp(b.get("start_on")),
            "category": "行业禁入",
            "summary": b.get("scope") or "",
        }
        for b in d.bans_by_ent.get(eid, [])
    ]
    entries += _hazard_entries(d.hazards_by_ent.get(eid, []))
    entries += [
        {
            "id": f"penalties/{p['id']}",
            "title": f"行政处罚：{p.get('penalty') or p.get('decision_no') or ''}",
            "path": ent["path"],
            "updated": _stamp(p.get("decided_on")),
            "category": "行政处罚",
            "summary": f"{p.get('authority') or ''} {p.get('decision_no') or ''}",
        }
        for p in d.penalties_by_ent.get(eid, [])
    ]
    entries += [
        {
            "id": f"inspections/{i['id']}",
            "title": f"双随机抽查：{i.get('result_text') or i.get('result') or ''}",
            "path": ent["path"],
            "updated": _stamp(i.get("inspected_on")),
            "category": "双随机抽查",
            "summary": f"{i.get('authority') or ''} {i.get('problems') or ''}",
        }
        for i in d.inspections_by_ent.get(eid, [])
    ]
    entries += [_project_entry(p) for p in d.projects_by_ent.get(eid, [])]
    return _feed(ent["path"] + "feed.xml", f"{ent['name']}：公开记录", ent["path"], entries, d.as_of)


def region_feed(d: PublicData, code: str, name: str):
    rows = [a for a in d.accidents if a.get("city_code") == code]
    return _feed(
        f"regions/{code}/feed.xml",
        f"{name}：事故调查报告",
        f"regions/{code}/",
        [_accident_entry(a) for a in rows],
        d.as_of,
    )
