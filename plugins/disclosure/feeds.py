"""Atom feeds: new accident reports, blacklist additions and removals, rectification results,
one per enterprise and one per 市州. Entry dates come from the records (never the build clock),
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
