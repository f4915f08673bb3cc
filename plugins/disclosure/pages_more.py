"""The pages of the other disclosures: 重大事故隐患挂牌督办 (/hazards/), 行政处罚 and 双随机抽查
(/enforcement/), 安全评价/检测检验机构 (/agencies/) and 重大建设项目立项前公示 (/projects/), and what
the enterprise and home pages show of them. Like pages.py: plain data contexts, no HTML, no I/O.

Statuses are the public database's (etl/public_disclosures.py computes them as of its date, with
their Chinese labels in the *_zh columns); a code without such a column (an event, an action, an
inspection result) is labelled from the data dictionary (etl/schema.yaml ``codes``). Places are
named from the region table (regions.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta
from functools import partial

from . import choropleth, pages
from .data import HAZARD_OPEN, PublicData, segment
from .filters import word_order
from .regions import Regions

# Order of the hazards list: the ones still open first, the most urgent on top.
HAZARD_ORDER = ("overdue", "supervised", "removed")
# a period without a stated end day (a length in 工作日) may well be running: after the open ones
PROJECT_ORDER = ("open", "unstated", "upcoming", "closed", "decided")
QUALIFICATION_ORDER = ("revoked", "suspended", "cancelled", "expired", "valid")
# Status → the badge colour classes of theme/static/css/site.css (red, amber, grey, green).
BADGE = {
    ("hazards", "overdue"): "overdue",
    ("hazards", "supervised"): "due",
    ("hazards", "removed"): "assessed",
    ("projects", "open"): "due",
    ("projects", "upcoming"): "not_due",
    ("projects", "unstated"): "not_due",
    ("projects", "closed"): "unknown",
    ("projects", "decided"): "assessed",
    ("agencies", "valid"): "assessed",
    ("agencies", "expired"): "unknown",
    ("agencies", "cancelled"): "unknown",
    ("agencies", "suspended"): "due",
    ("agencies", "revoked"): "overdue",
}
# ASCII path segments for the sectors of the data dictionary (accidents.industry; others: a hash).
SECTOR_SLUGS = {
    "煤矿": "coal",
    "金属非金属矿山": "mines",
    "危险化学品": "chemicals",
    "烟花爆竹": "fireworks",
    "工贸": "industry-trade",
    "建筑施工": "construction",
    "道路运输": "road",
    "火灾": "fire",
    "其他": "other",
}
FLAG_ZH = "出具时资质已失效/已撤销"


class Labels:
    """Chinese labels of codes: the data dictionary's ``codes`` (etl/schema.yaml); a code it does
    not know is shown as it is. Also the dictionary's vocabularies (``values``)."""

    def __init__(self, schema: dict | None = None):
        self.tables = (schema or {}).get("tables") or {}

    def _column(self, table: str, column: str) -> dict:
        return ((self.tables.get(table) or {}).get("columns") or {}).get(column) or {}

    def of(self, table: str, column: str) -> dict:
        return {str(k): v for k, v in (self._column(table, column).get("codes") or {}).items()}

    def values(self, table: str, column: str):
        """The column's vocabulary: a list of words, or {code: words} for a *_zh column."""
        return self._column(table, column).get("values") or ()

    def label(self, table: str, column: str, row: dict) -> str | None:
        """A row's code shown in Chinese: its *_zh column, else the dictionary's label."""
        code = row.get(column)
        if row.get(column + "_zh"):
            return row[column + "_zh"]
        if code in (None, ""):
            return None
        return self.of(table, column).get(str(code), str(code))


def use_reference(d: PublicData, schema: dict | None, regions: Regions) -> None:
    """Label codes with this data dictionary and name places from this region table on every
    page made from ``d`` (call before the pages are made: the enterprise pages come first)."""
    d.code_labels = Labels(schema)
    d.regions = regions


def labels_of(d: PublicData) -> Labels:
    return getattr(d, "code_labels", None) or Labels()


def _regions(d: PublicData) -> Regions:
    return getattr(d, "regions", None) or Regions()


def sector_order(d: PublicData):
    """Sort key of sectors: the dictionary's order (煤矿 … 其他), others after it."""
    return partial(word_order, tuple(labels_of(d).values("accidents", "industry")))


def _status_labels(d: PublicData, rows, table: str, column: str = "status") -> dict:
    """{code: label} as the rows' *_zh column gives it (one wording everywhere); a status no row
    has (a count of 0) labelled from the data dictionary. Worked out once per build: every
    enterprise page asks."""
    cache = d.__dict__.setdefault("_status_labels", {})
    if (table, column) not in cache:
        out = labels_of(d).of(table, column)
        for r in rows:
            if r.get(column) and r.get(column + "_zh"):
                out[r[column]] = r[column + "_zh"]
        cache[table, column] = out
    return cache[table, column]


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _as_of(d: PublicData) -> date | None:
    return _day(d.as_of)


def _city(row: dict, regions: Regions) -> tuple[str | None, str | None]:
    """(code, name) of a row's 市州: the public database's city_code/city_name, else from region_code."""
    if row.get("city_code"):
        return row["city_code"], row.get("city_name") or row["city_code"]
    return regions.city(row.get("region_code")) or (None, None)


def _region(row: dict, regions: Regions) -> str | None:
    """A row's place as 市州 and 县区 (兰州市城关区), or the 市州 alone."""
    if not row.get("region_code"):
        return None
    name = regions.name(row["region_code"])
    _, city = _city(row, regions)
    if city and name and not name.startswith(city):
        return city + name
    return name or city


def _county(row: dict, regions: Regions) -> str | None:
    """The 县区 of a row whose region_code is one (西固区), else None."""
    if not row.get("region_code"):
        return None
    code, _ = _city(row, regions)
    return None if code == row["region_code"] else regions.name(row["region_code"])


def sector_slug(value: str) -> str:
    return SECTOR_SLUGS.get(value) or segment(value)


def _numbered(title: str, pager) -> str:
    return title + (f"（第 {pager['number']} 页）" if pager and pager["number"] > 1 else "")


# ---------------------------------------------------------------- hazards


def hazard_status_since(h: dict) -> str | None:
    """The day a hazard's status applies from: listing, the day after its deadline (the deadline
    itself is still within it: ranges include both days, etl/rules/periods.py), its removal."""
    if h.get("status_since"):
        return h["status_since"]
    status = h.get("status")
    if status == "removed":
        return h.get("removed_on")
    if status == "overdue" and _day(h.get("deadline")):
        return (_day(h["deadline"]) + timedelta(days=1)).isoformat()
    if status == "supervised":
        return h.get("listed_on")
    return None


def hazard_sort_key(h: dict):
    """Overdue (longest overdue first), under supervision (nearest deadline first), removed
    (newest removal first), anything else last."""
    status = h.get("status")
    rank = HAZARD_ORDER.index(status) if status in HAZARD_ORDER else len(HAZARD_ORDER)
    if status == "removed":
        removed = _day(h.get("removed_on"))
        return (rank, -(removed.toordinal() if removed else 0), h["id"])
    deadline = _day(h.get("deadline"))
    return (rank, deadline.toordinal() if deadline else 10**7, h["id"])


def hazard_events(h: dict, labels: Labels, as_of: str | None = None) -> list[dict]:
    """A hazard's events (约谈, 曝光, 销号) oldest first: the linked announcements, else the events
    the ETL derived into hazards.events."""
    out = []
    as_of = as_of or "9999"
    for e in h.get("event_rows") or []:
        if str(e.get("event_on") or "") > as_of:
            continue  # announced after the date the statuses are computed for
        out.append(
            {
                "on": e.get("event_on"),
                "kind": e.get("event"),
                "kind_zh": labels.label("hazard_events", "event", e),
                "title": e.get("title"),
                "detail": e.get("detail"),
                "authority": e.get("authority"),
            }
        )
    if not out:
        try:
            derived = json.loads(h.get("events") or "[]")
        except ValueError:
            derived = []
        for e in derived if isinstance(derived, list) else []:
            if isinstance(e, dict):
                out.append(
                    {
                        "on": e.get("on"),
                        "kind": e.get("kind"),
                        "kind_zh": labels.of("hazard_events", "event").get(str(e.get("kind")), e.get("kind")),
                        "title": e.get("title"),
                        "detail": e.get("detail"),
                        "authority": None,
                    }
                )
    out.sort(key=lambda e: str(e["on"] or ""))
    return out


def _hazard_row(d: PublicData, h: dict, labels: dict) -> dict:
    code, name = _city(h, _regions(d))
    as_of = _as_of(d)
    deadline = _day(h.get("deadline"))
    overdue_days = (as_of - deadline).days if h.get("status") == "overdue" and as_of and deadline else None
    return {
        "h": h,
        "status": h.get("status"),
        "status_zh": h.get("status_zh") or labels.get(h.get("status")),
        "badge": BADGE.get(("hazards", h.get("status")), "unknown"),
        "since": hazard_status_since(h),
        "overdue_days": overdue_days,
        "city_code": code,
        "city_name": name,
    }


def hazard_summary(d: PublicData) -> dict:
    """Per 市州: hazards under supervision, overdue and removed (every 市州 of the province, those
    without a hazard with 0), plus the totals."""
    counts: dict[tuple, Counter] = defaultdict(Counter)
    names = {}
    regions = _regions(d)
    for h in d.hazards:
        code, name = _city(h, regions)
        key = code or ""
        names[key] = name or "未注明市州"
        counts[key][h.get("status") or "unknown"] += 1
    for code, name in regions.cities():  # none without a region table: the 市州 that have hazards
        names.setdefault(code, name)
    rows = []
    for key in sorted(names, key=lambda k: (k == "", k)):
        c = counts.get(key, Counter())
        rows.append(
            {
                "code": key or None,
                "name": names[key],
                "supervised": c.get("supervised", 0),
                "overdue": c.get("overdue", 0),
                "removed": c.get("removed", 0),
                "open": c.get("supervised", 0) + c.get("overdue", 0),
                "total": sum(c.values()),
            }
        )
    total = Counter(h.get("status") or "unknown" for h in d.hazards)
    return {
        "rows": rows,
        "total": {
            "supervised": total.get("supervised", 0),
            "overdue": total.get("overdue", 0),
            "removed": total.get("removed", 0),
            "open": total.get("supervised", 0) + total.get("overdue", 0),
            "total": len(d.hazards),
        },
    }


def hazard_map(d: PublicData, summary: dict | None = None) -> dict | None:
    """The map of hazards under supervision (overdue included) per 市州 (choropleth.py): every
    市州 of the province, 0 where none; those with hazards link to their list. None without any
    市州 to draw."""
    summary = summary or hazard_summary(d)
    codes = [r["code"] for r in summary["rows"] if r["code"]]
    if not codes:
        return None
    province = choropleth.province_of(codes[0])
    return {
        "parent": province,
        "values": {r["code"] or "": r["open"] for r in summary["rows"]},
        "names": {r["code"] or "": r["name"] for r in summary["rows"]},
        "links": {
            r["code"]: f"hazards/city/{r['code']}/" for r in summary["rows"] if r["code"] and r["total"]
        },
        "key": choropleth.boundaries_key(province),
    }


def hazard_pages(d: PublicData, per_page: int, labels: Labels):
    """/hazards/ (every hazard, open ones first), one static list per status, 市州 and 行业 (no
    script needed to filter), and a page per hazard."""
    status_zh = _status_labels(d, d.hazards, "hazards")
    ordered = sorted(d.hazards, key=hazard_sort_key)
    rows = [_hazard_row(d, h, status_zh) for h in ordered]
    summary = hazard_summary(d)
    by_status, by_city, by_industry = defaultdict(list), defaultdict(list), defaultdict(list)
    for r in rows:
        by_status[r["status"] or "unknown"].append(r)
        if r["city_code"]:
            by_city[r["city_code"]].append(r)
        if r["h"].get("industry"):
            by_industry[r["h"]["industry"]].append(r)
    city_names = {r["city_code"]: r["city_name"] for r in rows if r["city_code"]}
    facets = {
        "status": [
            (s, status_zh.get(s, s), f"hazards/status/{s}/", len(by_status.get(s, []))) for s in HAZARD_ORDER
        ],
        "city": [(c, city_names[c], f"hazards/city/{c}/", len(by_city[c])) for c in sorted(by_city)],
        "industry": [
            (i, i, f"hazards/industry/{sector_slug(i)}/", len(by_industry[i]))
            for i in sorted(by_industry, key=sector_order(d))
        ],
    }
    base = {
        "facets": facets,
        "labels": status_zh,
        "summary": summary,
        "feed": "feeds/hazards.xml",
    }
    the_map = hazard_map(d, summary)
    lists = [("hazards/", None, None, rows)]
    lists += [(f"hazards/status/{s}/", "status", s, by_status.get(s, [])) for s in HAZARD_ORDER]
    lists += [(f"hazards/city/{c}/", "city", c, by_city[c]) for c in sorted(by_city)]
    lists += [
        (f"hazards/industry/{sector_slug(i)}/", "industry", i, by_industry[i])
        for i in sorted(by_industry, key=sector_order(d))
    ]
    for path0, dim, value, chosen in lists:
        if dim is None:
            heading, what = "重大事故隐患挂牌督办", "全部"
        elif dim == "status":
            heading = what = status_zh.get(value, value)
        elif dim == "city":
            heading = what = city_names[value]
        else:
            heading = what = value
        for path, page_rows, pager in pages.paginate(path0, chosen, per_page):
            title = heading if dim is None else f"重大事故隐患：{heading}"
            yield pages.Page(
                path,
                "hazards",
                {
                    **base,
                    "title": _numbered(title, pager),
                    "filter": {"dim": dim, "value": value, "label": what} if dim else None,
                    "rows": page_rows,
                    "pager": pager,
                    "count": len(chosen),
                    "show_summary": dim is None and path == path0,
                    "hazard_map": the_map if dim is None and path == path0 else None,
                    "description": f"重大事故隐患挂牌督办（{what}）{len(chosen)} 项：逾期未见销号公告的排在最前，"
                    f"其次挂牌督办中，最后已销号。",
                },
            )
    for r in rows:
        yield pages.Page(r["h"]["path"], "hazard", make=partial(hazard_context, d, r, labels))


def hazard_timeline(h: dict, row: dict, events: list[dict]) -> list[dict]:
    """The listing, each event and (for an overdue hazard) the deadline, in date order."""
    steps = [
        {"on": h.get("listed_on"), "kind_zh": "挂牌督办", "authority": h.get("supervising_authority"), "n": 0}
    ]
    steps += [dict(e, n=1) for e in events]
    if row["status"] == "overdue" and h.get("deadline"):
        steps.append({"on": h["deadline"], "kind_zh": "整改期限最后一日", "deadline": True, "n": 2})
    steps.sort(key=lambda e: (str(e.get("on") or ""), e["n"]))
    return steps


def hazard_context(d: PublicData, row: dict, labels: Labels) -> dict:
    h = row["h"]
    events = hazard_events(h, labels, d.as_of)
    return {
        "title": f"重大事故隐患：{h['enterprise_name']}",
        **row,
        "events": events,
        "timeline": hazard_timeline(h, row, events),
        "county_name": _county(h, _regions(d)),
        "changes": d.changes_of(
            [("hazards", h["id"])] + [("hazard_events", e["id"]) for e in h.get("event_rows") or []], 50
        ),
        "feed": "feeds/hazards.xml",
        "description": f"{h['enterprise_name']}的重大事故隐患（{h.get('notice_no') or '挂牌督办'}）："
        f"{row['status_zh'] or ''}；挂牌日期 {h.get('listed_on') or '—'}，整改期限 {h.get('deadline') or '—'}。",
        "og_type": "article",
    }


# ---------------------------------------------------------------- enforcement


def _penalty_row(p: dict, labels: Labels) -> dict:
    return {**p, "party_type_zh": labels.label("penalties", "party_type", p)}


def _inspection_row(i: dict, labels: Labels) -> dict:
    return {**i, "result_zh": labels.label("inspections", "result", i)}


def enforcement_pages(d: PublicData, per_page: int, labels: Labels):
    """/enforcement/: 行政处罚决定 in their publicity period; /enforcement/inspections/: 双随机抽查结果."""
    penalties = [_penalty_row(p, labels) for p in d.penalties_public]
    fines = sum(p.get("fine_yuan") or 0 for p in penalties)
    results = Counter(i.get("result") for i in d.inspections)
    result_counts = [
        (code, labels.of("inspections", "result").get(code, code), n)
        for code, n in sorted(results.items(), key=lambda kv: (-kv[1], str(kv[0])))
        if code
    ]
    for path, rows, pager in pages.paginate("enforcement/", penalties, per_page):
        yield pages.Page(
            path,
            "enforcement",
            {
                "title": _numbered("行政处罚与监督检查", pager),
                "rows": rows,
                "pager": pager,
                "total": len(penalties),
                "fines": fines,
                "inspections_total": len(d.inspections),
                "result_counts": result_counts,
                "description": f"公示期内的安全生产行政处罚决定 {len(penalties)} 件；"
                f"双随机抽查结果 {len(d.inspections)} 条。",
            },
        )
    inspections = [_inspection_row(i, labels) for i in d.inspections]
    for path, rows, pager in pages.paginate("enforcement/inspections/", inspections, per_page):
        yield pages.Page(
            path,
            "inspections",
            {
                "title": _numbered("双随机抽查结果", pager),
                "rows": rows,
                "pager": pager,
                "total": len(inspections),
                "result_counts": result_counts,
                "description": f"“双随机、一公开”监督检查抽查结果 {len(inspections)} 条：发现的问题和整改情况。",
            },
        )


# ---------------------------------------------------------------- agencies


def _agency_sort_key(a: dict):
    status = a.get("qualification_status")
    rank = QUALIFICATION_ORDER.index(status) if status in QUALIFICATION_ORDER else len(QUALIFICATION_ORDER)
    return (rank, a.get("name") or "", a["id"])


def agency_status_labels(d: PublicData) -> dict:
    """{qualification status code: label}, as the agencies' *_zh column gives it."""
    return _status_labels(d, d.agencies, "agencies", "qualification_status")


def report_row(r: dict, status_zh: dict) -> dict:
    """An agency report with its flag: issued after the agency's qualification had ended."""
    at_issue = r.get("agency_status_at_issue")
    return {
        **r,
        "flagged": bool(r.get("issued_after_qualification_end")),
        "status_at_issue_zh": r.get("agency_status_at_issue_zh") or status_zh.get(at_issue, at_issue),
    }


def agency_pages(d: PublicData, per_page: int, labels: Labels):
    status_zh = agency_status_labels(d)
    agencies = sorted(d.agencies, key=_agency_sort_key)
    rows = []
    for a in agencies:
        reports = d.reports_by_agency.get(a["id"], [])
        rows.append(
            {
                "a": a,
                "type_zh": labels.label("agencies", "agency_type", a),
                "badge": BADGE.get(("agencies", a.get("qualification_status")), "unknown"),
                "actions": len(d.actions_by_agency.get(a["id"], [])),
                "reports": len(reports),
                "flagged": sum(1 for r in reports if r.get("issued_after_qualification_end")),
            }
        )
    flagged = sum(r["flagged"] for r in rows)
    counts = Counter(a.get("qualification_status") for a in agencies)
    status_counts = [
        (s, status_zh.get(s, s), BADGE.get(("agencies", s), "unknown"), counts[s])
        for s in QUALIFICATION_ORDER
        if counts.get(s)
    ]
    for path, page_rows, pager in pages.paginate("agencies/", rows, per_page):
        yield pages.Page(
            path,
            "agencies",
            {
                "title": _numbered("安全评价与检测检验机构", pager),
                "rows": page_rows,
                "pager": pager,
                "total": len(rows),
                "flagged_total": flagged,
                "status_counts": status_counts,
                "flag_zh": FLAG_ZH,
                "description": f"安全评价、检测检验机构 {len(rows)} 家：资质状态、受到的处理和出具的报告；"
                f"{flagged} 份报告出具时机构资质已失效或已撤销。",
            },
        )
    for r in rows:
        yield pages.Page(r["a"]["path"], "agency", make=partial(agency_context, d, r, labels, status_zh))


def agency_context(d: PublicData, row: dict, labels: Labels, status_zh: dict) -> dict:
    a = row["a"]
    actions = [
        {
            **x,
            "action_zh": labels.label("agency_actions", "action", x),
            "violation_zh": labels.label("agency_actions", "violation", x),
        }
        for x in d.actions_by_agency.get(a["id"], [])
    ]
    reports = [report_row(r, status_zh) for r in d.reports_by_agency.get(a["id"], [])]
    status = a.get("qualification_status")
    if status == "expired":  # qualification_end is then the last valid day
        ended = f"有效期至 {a['valid_until']}" if a.get("valid_until") else None
    else:
        ended = f"{a['qualification_end']} 起" if a.get("qualification_end") else None
    return {
        "title": a["name"],
        **row,
        "status_zh": a.get("qualification_status_zh") or status_zh.get(status),
        "ended": ended,
        "region_name": _region(a, _regions(d)),
        "action_rows": actions,
        "report_rows": reports,
        "flag_zh": FLAG_ZH,
        "enterprise_path": d.enterprise_path(a.get("enterprise_id")),
        "changes": d.changes_of(
            [("agencies", a["id"])]
            + [("agency_actions", x["id"]) for x in actions]
            + [("agency_reports", r["id"]) for r in reports],
            50,
        ),
        "description": f"{a['name']}（{row['type_zh'] or '技术服务机构'}）：资质"
        f"{a.get('qualification_status_zh') or '状态未知'}；受到处理 {len(actions)} 次，"
        f"公开报告 {len(reports)} 份。",
        "og_type": "profile",
    }


# ---------------------------------------------------------------- projects


def project_sort_key(p: dict):
    """Open for comment (nearest deadline first), upcoming (soonest start), then closed and
    decided (newest announcement first)."""
    status = p.get("comment_status")
    rank = PROJECT_ORDER.index(status) if status in PROJECT_ORDER else len(PROJECT_ORDER)
    if status == "open":
        key = _day(p.get("comment_end"))
        return (rank, key.toordinal() if key else 10**7, p["id"])
    if status in ("upcoming", "unstated"):
        key = _day(p.get("comment_start"))
        return (rank, key.toordinal() if key else 10**7, p["id"])
    key = _day(p.get("announced_on") or p.get("comment_start"))
    # closed and decided together, newest announcement first
    return (min(rank, PROJECT_ORDER.index("closed")), -(key.toordinal() if key else 0), p["id"])


def _project_row(p: dict, status_zh: dict) -> dict:
    status = p.get("comment_status")
    return {
        "p": p,
        "status": status,
        "status_zh": p.get("comment_status_zh") or status_zh.get(status, status),
        "badge": BADGE.get(("projects", status), "unknown"),
        "open": status == "open",
        # the announcement still asks for comments (or will): show how to send one
        "asks": status in ("open", "upcoming", "unstated"),
        "days_left": p.get("days_left"),
    }


def project_pages(d: PublicData, per_page: int):
    status_zh = _status_labels(d, d.projects, "projects", "comment_status")
    rows = [_project_row(p, status_zh) for p in sorted(d.projects, key=project_sort_key)]
    open_rows = [r for r in rows if r["open"]]
    for path, page_rows, pager in pages.paginate("projects/", rows, per_page):
        yield pages.Page(
            path,
            "projects",
            {
                "title": _numbered("重大建设项目立项前公示", pager),
                "rows": page_rows,
                "pager": pager,
                "total": len(rows),
                "open_total": len(open_rows),
                "labels": status_zh,
                "feed": "feeds/projects.xml",
                "description": f"重大建设项目立项前安全风险公示 {len(rows)} 项，其中 {len(open_rows)} 项正在征求意见。",
            },
        )
    for r in rows:
        yield pages.Page(r["p"]["path"], "project", make=partial(project_context, d, r))


def project_context(d: PublicData, row: dict) -> dict:
    p = row["p"]
    return {
        "title": p["project_name"],
        **row,
        "region_name": _region(p, _regions(d)),
        "changes": d.changes_of([("projects", p["id"])], 50),
        "feed": "feeds/projects.xml",
        "description": f"{p['project_name']}（建设单位：{p['builder']}）：{row['status_zh'] or ''}"
        + (f"，意见截止 {p['comment_end']}" if p.get("comment_end") else "")
        + "。",
        "og_type": "article",
    }


# ---------------------------------------------------------------- the site's other pages


def all_pages(d: PublicData, per_page: int):
    """Every page of these kinds, in a fixed order (generator.py renders them)."""
    labels = labels_of(d)
    yield from hazard_pages(d, per_page, labels)
    yield from enforcement_pages(d, per_page, labels)
    yield from agency_pages(d, per_page, labels)
    yield from project_pages(d, per_page)


def enterprise_related(d: PublicData, eid) -> list[tuple]:
    """(table, id) of an enterprise's records of these kinds, for its change history."""
    return (
        [("hazards", h["id"]) for h in d.hazards_by_ent.get(eid, [])]
        + [("penalties", p["id"]) for p in d.penalties_by_ent.get(eid, [])]
        + [("inspections", i["id"]) for i in d.inspections_by_ent.get(eid, [])]
        + [("agency_reports", r["id"]) for r in d.reports_by_ent.get(eid, [])]
        + [("projects", p["id"]) for p in d.projects_by_ent.get(eid, [])]
    )


def enterprise_sections(d: PublicData, ent: dict) -> dict:
    """What the enterprise page shows of these kinds: its hazards (open first), penalties in
    their publicity period, inspections, the reports it commissioned, its projects, and its
    agency page when it is an agency."""
    eid = ent["id"]
    labels = labels_of(d)
    hazard_zh = _status_labels(d, d.hazards, "hazards")
    agency_zh = agency_status_labels(d)
    project_zh = _status_labels(d, d.projects, "projects", "comment_status")
    hazards = [
        _hazard_row(d, h, hazard_zh) for h in sorted(d.hazards_by_ent.get(eid, []), key=hazard_sort_key)
    ]
    return {
        "hazards": hazards,
        "hazards_open": sum(1 for r in hazards if r["status"] in HAZARD_OPEN),
        "penalties": [_penalty_row(p, labels) for p in d.penalties_by_ent.get(eid, [])],
        "inspections": [_inspection_row(i, labels) for i in d.inspections_by_ent.get(eid, [])],
        "reports": [report_row(r, agency_zh) for r in d.reports_by_ent.get(eid, [])],
        "agency_pages": [
            {
                "a": a,
                "status_zh": a.get("qualification_status_zh") or agency_zh.get(a.get("qualification_status")),
            }
            for a in d.agencies_by_ent.get(eid, [])
        ],
        "projects": [
            _project_row(p, project_zh) for p in sorted(d.projects_by_ent.get(eid, []), key=project_sort_key)
        ],
        "flag_zh": FLAG_ZH,
    }


def timeline_events(d: PublicData, ent: dict) -> list[tuple]:
    """(date, kind, text, path) of an enterprise's records of these kinds, for its timeline."""
    eid = ent["id"]
    ev = []
    for h in d.hazards_by_ent.get(eid, []):
        ev.append(
            (
                h.get("listed_on"),
                "重大事故隐患挂牌督办",
                h.get("notice_no") or h.get("hazard") or "",
                h["path"],
            )
        )
        if h.get("removed_on"):
            ev.append((h["removed_on"], "重大事故隐患销号", h.get("notice_no") or "", h["path"]))
    for p in d.penalties_by_ent.get(eid, []):
        ev.append((p.get("decided_on"), "行政处罚", p.get("decision_no") or "", None))
    for i in d.inspections_by_ent.get(eid, []):
        ev.append((i.get("inspected_on"), "双随机抽查", i.get("result_text") or i.get("task") or "", None))
    for p in d.projects_by_ent.get(eid, []):
        ev.append((p.get("announced_on"), "建设项目公示", p.get("project_name") or "", p["path"]))
    return ev


def home_numbers(d: PublicData) -> dict:
    """Counts for the home page: hazards under supervision and overdue, penalties in their
    publicity period, agencies whose reports need a second look, projects open for comment."""
    status = Counter(h.get("status") for h in d.hazards)
    hazard_zh = _status_labels(d, d.hazards, "hazards")
    project_zh = _status_labels(d, d.projects, "projects", "comment_status")
    open_projects = sorted((p for p in d.projects if p.get("comment_status") == "open"), key=project_sort_key)
    return {
        "hazards_supervised": status.get("supervised", 0),
        "hazards_overdue": status.get("overdue", 0),
        "hazard_labels": hazard_zh,
        "penalties": len(d.penalties_public),
        "agencies": len(d.agencies),
        "flagged_reports": sum(1 for r in d.agency_reports if r.get("issued_after_qualification_end")),
        "projects_open": len(open_projects),
        "project_labels": project_zh,
        "open_projects": [_project_row(p, project_zh) for p in open_projects[:5]],
        "overdue_hazards": [
            _hazard_row(d, h, hazard_zh)
            for h in sorted((h for h in d.hazards if h.get("status") == "overdue"), key=hazard_sort_key)[:5]
        ],
        "hazard_map": hazard_map(d) if d.hazards else None,
    }


def region_summary(d: PublicData, city_code: str) -> dict:
    """What a 市州 page shows of these kinds: its hazards under supervision (overdue apart), with
    the link to its hazards list, its projects open for comment, and its penalties in publicity."""
    hazards = [h for h in d.hazards if h.get("city_code") == city_code]
    status = Counter(h.get("status") for h in hazards)
    projects = sorted(
        (p for p in d.projects if p.get("city_code") == city_code and p.get("comment_status") == "open"),
        key=project_sort_key,
    )
    return {
        "hazards": len(hazards),
        "hazards_open": status.get("supervised", 0) + status.get("overdue", 0),
        "hazards_overdue": status.get("overdue", 0),
        "overdue_zh": _status_labels(d, d.hazards, "hazards").get("overdue"),
        "hazards_path": f"hazards/city/{city_code}/" if hazards else None,
        "projects_open": projects,
        "penalties": sum(1 for p in d.penalties_public if p.get("city_code") == city_code),
    }
