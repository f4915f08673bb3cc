"""Which pages the site has and what each one shows: one function per page type, each yielding
``Page(path, template, context)``. No HTML here (that is the theme's job) and no I/O (that is
``generator.py``'s): a page's context is plain data, so it can be fingerprinted and rendered
anywhere.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Callable

from . import charts, choropleth, pages_more
from .data import PublicData

RECT_ORDER = ["overdue", "due", "not_due", "assessed", "unknown"]
GRADES = ["特别重大", "重大", "较大", "一般"]


@dataclass
class Page:
    """One output page. A record page's context is built on demand (``make``): the render workers
    (render.py) walk every page of the site and build only the contexts of their own share."""

    path: str  # URL path below the site root, "" for home, folders end with "/"
    template: str
    ctx: dict = field(default_factory=dict)
    make: Callable[[], dict] | None = None

    @property
    def context(self) -> dict:
        if self.make is not None:
            self.ctx, self.make = self.make(), None
        return self.ctx


def _n(v):
    return v or 0


# ---------------------------------------------------------------- pagination


def paginate(base: str, rows: list, per_page: int):
    """Yield (path, rows_of_page, pager) for /base/, /base/page/2/, …"""
    total = len(rows)
    count = max(1, -(-total // per_page))

    def url(n):
        return base if n == 1 else f"{base}page/{n}/"

    for n in range(1, count + 1):
        lo = (n - 1) * per_page
        pager = None
        if count > 1:
            window = [k for k in range(1, count + 1) if k in (1, count) or abs(k - n) <= 2]
            pager = {
                "number": n,
                "count": count,
                "total": total,
                "first": lo + 1,
                "last": min(lo + per_page, total),
                "prev": url(n - 1) if n > 1 else None,
                "next": url(n + 1) if n < count else None,
                "links": [(k, url(k)) for k in window],
            }
        yield url(n), rows[lo : lo + per_page], pager


# ---------------------------------------------------------------- record pages


def accident_pages(d: PublicData, search_limit: int | None = None):
    """Every accident report; the newest ``search_limit`` of them are in the full-text index
    (search.py: Pagefind's memory grows with every page it indexes)."""
    for i, acc in enumerate(d.accidents):
        searchable = search_limit is None or i < search_limit
        yield Page(acc["path"], "accident", make=partial(accident_context, d, acc, searchable))


def accident_context(d: PublicData, acc: dict, searchable: bool = True) -> dict:
    doc = d.documents.get(acc.get("document_id"))
    assessment = d.assessment_by_id.get(acc.get("assessment_id"))
    if assessment is None and d.assessments_by_accident.get(acc["id"]):
        assessment = d.assessments_by_accident[acc["id"]][0]
    return {
        "title": acc["title"],
        "acc": acc,
        "body_text": d.body_text_of(acc["id"]),
        "doc": doc,
        "assessment": assessment,
        "accountability": d.accountability_of(acc["id"]),
        **_evidence(d.evidence_of(acc["id"])),
        "enterprise_path": d.enterprise_path(acc.get("enterprise_id")),
        "city_path": f"regions/{acc['city_code']}/" if acc.get("city_code") else None,
        "changes": d.changes_of([("accidents", acc["id"])], 50),
        "description": f"{acc.get('occurred_on') or ''} {acc.get('city_name') or ''} {acc.get('grade') or ''}事故，"
        f"死亡 {_n(acc.get('deaths'))} 人。整改评估：{acc.get('rect_status_zh') or '—'}",
        "og_type": "article",
        "searchable": searchable,
    }


# How a fact was obtained and why it is uncertain, as the accident page says it (etl/extract/evidence.py)
METHOD_ZH = {
    "stated": "报告原文",
    "source_field": "来源结构化字段",
    "computed": "按规则计算",
    "inferred": "推断",
    "reviewed": "人工核对",
}
REASON_ZH = {
    "ambiguous": "报告中有多个可能的值",
    "disagreement": "报告中前后说法不一",
    "weak": "仅由间接表述推断",
}


def _evidence(rows: list[dict]) -> dict:
    """The evidence shown beside each fact (by accidents column) and each accountability entry
    (by its id), with the method and reason in Chinese and the candidates parsed."""
    facts, entries = {}, {}
    for row in rows:
        shown = dict(
            row,
            method_zh=METHOD_ZH.get(row["method"], row["method"]),
            reason_zh=REASON_ZH.get(row.get("reason"), ""),
            candidates=_json_items(row.get("candidates")),
        )
        if row.get("accountability_id"):
            entries[row["accountability_id"]] = shown
        else:
            facts[row["field"]] = shown
    return {"evidence": facts, "accountability_evidence": entries}


def _json_items(value) -> list[dict]:
    try:
        found = json.loads(value) if value else []
    except ValueError:
        return []
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []


def _timeline(d: PublicData, ent):
    ev = []
    for a in d.accidents_by_ent.get(ent["id"], []):
        ev.append((a.get("occurred_on"), "事故", a["title"], a["path"]))
        if a.get("assessment_result"):
            asm = d.assessment_by_id.get(a.get("assessment_id")) or {}
            ev.append(
                (
                    asm.get("assessed_on") or asm.get("published_on"),
                    "整改评估",
                    f"{a['title']}：{a['assessment_result']}",
                    a["path"],
                )
            )
    for r in d.ratings_by_ent.get(ent["id"], []):
        ev.append(
            (
                r.get("rated_on") or (f"{r['rating_year']}" if r.get("rating_year") else None),
                "信用评级",
                f"{r.get('rating_year') or ''}年度 {r['rating']}",
                None,
            )
        )
    for r in d.records_by_ent.get(ent["id"], []):
        ev.append((r.get("decided_on"), "信用记录", f"{r['record_type']} {r.get('decision_no') or ''}", None))
    for b in d.blacklist_by_ent.get(ent["id"], []):
        ev.append((b.get("listed_on"), "列入严重失信主体名单", b.get("decision_no") or "", "blacklist/"))
    for b in d.bans_by_ent.get(ent["id"], []):
        ev.append(
            (b.get("start_on"), "禁入", f"{b.get('ban_type') or ''} {b.get('subject_name') or ''}", "bans/")
        )
    ev += pages_more.timeline_events(d, ent)
    ev = [e for e in ev if e[0]]
    ev.sort(key=lambda e: (str(e[0]), e[1]), reverse=True)
    return [{"date": e[0], "kind": e[1], "text": e[2], "path": e[3]} for e in ev]


def enterprise_pages(d: PublicData):
    for ent in d.enterprise_pages:
        yield Page(ent["path"], "enterprise", make=partial(enterprise_context, d, ent))


def enterprise_context(d: PublicData, ent: dict) -> dict:
    eid = ent["id"]
    accidents = d.accidents_by_ent.get(eid, [])
    related = (
        [("enterprises", eid)]
        + [("accidents", a["id"]) for a in accidents]
        + [("credit_ratings", r["id"]) for r in d.ratings_by_ent.get(eid, [])]
        + [("credit_records", r["id"]) for r in d.records_by_ent.get(eid, [])]
        + [("blacklist", b["id"]) for b in d.blacklist_by_ent.get(eid, [])]
        + [("bans", b["id"]) for b in d.bans_by_ent.get(eid, [])]
        + pages_more.enterprise_related(d, eid)
    )
    changes = d.changes_of(related, 100)
    blacklist = d.blacklist_by_ent.get(eid, [])
    return {
        "title": ent["name"],
        "ent": ent,
        "accidents": accidents,
        "blacklist": blacklist,
        "ratings": d.ratings_by_ent.get(eid, []),
        "records": d.records_by_ent.get(eid, []),
        "bans": d.bans_by_ent.get(eid, []),
        **pages_more.enterprise_sections(d, ent),
        "timeline": _timeline(d, ent),
        "changes": changes,
        "feed": ent["path"] + "feed.xml",
        "description": f"{ent['name']}（{ent.get('uscc') or '无统一社会信用代码'}）：事故 {len(accidents)} 起；"
        + ("严重失信主体名单在列" if blacklist else "不在严重失信主体名单")
        + (f"；最新信用评级 {d.ratings_by_ent[eid][0]['rating']}" if d.ratings_by_ent.get(eid) else ""),
        "og_type": "profile",
    }


def region_pages(d: PublicData):
    by_city = defaultdict(list)
    for a in d.accidents:
        if a.get("city_code"):
            by_city[a["city_code"]].append(a)
    for code, name in d.cities():
        rows = by_city[code]
        yield Page(
            f"regions/{code}/",
            "region",
            {
                "title": f"{name}：事故调查报告与整改评估",
                "city_code": code,
                "city_name": name,
                "accidents": rows,
                "deaths": sum(_n(a.get("deaths")) for a in rows),
                "rect_counts": Counter(a.get("rect_status") or "unknown" for a in rows),
                "county_map": choropleth.county_reports(code, rows),
                "more": pages_more.region_summary(d, code),
                "feed": f"regions/{code}/feed.xml",
                "description": f"{name}已公开事故调查报告 {len(rows)} 起及整改措施落实情况评估状态。",
            },
        )


# ---------------------------------------------------------------- lists


def accident_list_pages(d: PublicData, per_page: int):
    facets = {
        "year": sorted({a["year"] for a in d.accidents if a.get("year")}, reverse=True),
        "grade": [g for g in GRADES if any(a.get("grade") == g for a in d.accidents)],
        "city": d.cities(),
        "industry": sorted({a["industry"] for a in d.accidents if a.get("industry")}),
        "type": sorted({a["accident_type"] for a in d.accidents if a.get("accident_type")}),
    }
    for path, rows, pager in paginate("accidents/", d.accidents, per_page):
        yield Page(
            path,
            "accidents",
            {
                "title": "事故调查报告"
                + (f"（第 {pager['number']} 页）" if pager and pager["number"] > 1 else ""),
                "rows": rows,
                "pager": pager,
                "facets": facets,
                "total": len(d.accidents),
                "description": f"已公开的生产安全事故调查报告 {len(d.accidents)} 起：事实、责任追究与整改评估。",
            },
        )


def accident_index_json(d: PublicData) -> list:
    """Compact rows for the list page's client-side filter and sort (/accidents/index.json)."""
    return [
        [
            a["path"],
            a["title"],
            a.get("occurred_on"),
            a.get("year"),
            a.get("grade"),
            a.get("city_code"),
            a.get("city_name"),
            a.get("industry"),
            a.get("accident_type"),
            a.get("deaths"),
            a.get("rect_status"),
            a.get("rect_status_zh"),
            a.get("published_on"),
            1 if a.get("withdrawn") else 0,
        ]
        for a in d.accidents
    ]


def enterprise_list_pages(d: PublicData, per_page: int):
    for path, rows, pager in paginate("enterprises/", d.enterprise_pages, per_page):
        rows = [
            {
                "ent": e,
                "accidents": len(d.accidents_by_ent.get(e["id"], [])),
                "blacklisted": bool(d.blacklist_by_ent.get(e["id"])),
                "rating": (d.ratings_by_ent.get(e["id"]) or [{}])[0].get("rating"),
            }
            for e in rows
        ]
        yield Page(
            path,
            "enterprises",
            {
                "title": "企业" + (f"（第 {pager['number']} 页）" if pager and pager["number"] > 1 else ""),
                "rows": rows,
                "pager": pager,
                "total": len(d.enterprise_pages),
                "description": f"有公开记录的企业 {len(d.enterprise_pages)} 家：事故、严重失信名单、信用评级与记录。",
            },
        )


def blacklist_pages(d: PublicData, per_page: int):
    not_in_force = Counter(
        b.get("status_zh") or b.get("status") or "不在列" for b in d.blacklist if not b.get("in_force")
    )
    for path, rows, pager in paginate("blacklist/", d.blacklist_in_force, per_page):
        yield Page(
            path,
            "blacklist",
            {
                "title": "安全生产严重失信主体名单",
                "rows": rows,
                "pager": pager,
                "in_force": len(d.blacklist_in_force),
                "not_in_force": sorted(not_in_force.items()),
                "removals": d.removals[:200] if (not pager or pager["number"] == 1) else [],
                "feed": "feeds/blacklist.xml",
                "description": f"截至数据日期在列的安全生产严重失信主体 {len(d.blacklist_in_force)} 个，及移出公告。",
            },
        )


def rect_labels(d: PublicData) -> dict:
    """{status: the words the public filter writes into rect_status_zh} for every status, also
    one no accident has (the data dictionary's ``values``); a status it lacks as its code."""
    words = dict(pages_more.labels_of(d).values("accidents", "rect_status_zh") or {})
    return {**words, **{s: s for s in RECT_ORDER if s not in words}}


def rectification_pages(d: PublicData, per_page: int):
    rect_zh = rect_labels(d)
    groups = defaultdict(list)
    for a in d.accidents:
        groups[a.get("rect_status") or "unknown"].append(a)
    counts = [(s, rect_zh[s], len(groups.get(s, []))) for s in RECT_ORDER]
    unlinked = [a for a in d.assessments if not a.get("accident")]
    # the actionable states (overdue, due) are listed in full on the first page
    for path, rows, pager in paginate(
        "rectification/", groups.get("overdue", []) + groups.get("due", []), per_page
    ):
        yield Page(
            path,
            "rectification",
            {
                "title": "事故整改措施落实情况评估",
                "status": None,
                "heading": f"{rect_zh['overdue']}和{rect_zh['due']}的事故",
                "labels": rect_zh,
                "rows": rows,
                "pager": pager,
                "counts": counts,
                "unlinked": unlinked if path == "rectification/" else [],
                "feed": "feeds/rectification.xml",
                "description": "每起事故的整改评估时限与结果：未到期、评估期内、逾期未评估、已评估。",
            },
        )
    for status, slug in (("assessed", "assessed"), ("not_due", "not-due"), ("unknown", "unknown")):
        for path, rows, pager in paginate(f"rectification/{slug}/", groups.get(status, []), per_page):
            yield Page(
                path,
                "rectification",
                {
                    "title": f"事故整改评估：{rect_zh[status]}",
                    "status": status,
                    "heading": f"{rect_zh[status]}的事故",
                    "labels": rect_zh,
                    "rows": rows,
                    "pager": pager,
                    "counts": counts,
                    "unlinked": [],
                    "feed": "feeds/rectification.xml",
                    "description": f"整改评估状态为“{rect_zh[status]}”的事故。",
                },
            )


def credit_pages(d: PublicData, per_page: int):
    dist = d.rating_dist  # every rating, also under with_records (which keeps fewer rows)
    grades = sorted({grade for counts in dist.values() for grade in counts})
    years = sorted(dist, key=str, reverse=True)
    # with_records (national size): the ratings are Datasette's, not a list of static pages that
    # grows with the register (docs/scaling.md)
    ratings_listed = d.enterprise_policy != "with_records"
    yield Page(
        "credit/",
        "credit",
        {
            "title": "安全生产信用评级与信用记录",
            "years": years,
            "grades": grades,
            "dist": {y: dict(c) for y, c in dist.items()},
            "latest_records": d.records_public[:20],
            "ratings_total": d.ratings_total,
            "records_total": len(d.records_public),
            "ratings_listed": ratings_listed,
            "description": f"企业安全生产信用评级 {d.ratings_total} 条，公示期内信用记录 {len(d.records_public)} 条。",
        },
    )
    if ratings_listed:
        for path, rows, pager in paginate("credit/ratings/", d.ratings, per_page):
            yield Page(
                path,
                "credit_list",
                {
                    "title": "信用评级",
                    "kind": "ratings",
                    "rows": rows,
                    "pager": pager,
                    "description": "企业安全生产信用评级（按年度）。",
                },
            )
    for path, rows, pager in paginate("credit/records/", d.records_public, per_page):
        yield Page(
            path,
            "credit_list",
            {
                "title": "公示期内的信用记录",
                "kind": "records",
                "rows": rows,
                "pager": pager,
                "description": "公示期内的安全生产不良信用记录（行政处罚等）。",
            },
        )


def bans_pages(d: PublicData, per_page: int):
    for path, rows, pager in paginate("bans/", d.bans_active, per_page):
        yield Page(
            path,
            "bans",
            {
                "title": "行业禁入",
                "rows": rows,
                "pager": pager,
                "description": f"正在执行的安全生产行业禁入 {len(d.bans_active)} 项。",
            },
        )


# ---------------------------------------------------------------- statistics


def _yoy(rows, key):
    out, prev = [], None
    for r in rows:
        v = r.get(key)
        change = None
        if prev not in (None, 0) and v is not None:
            change = (v - prev) / prev * 100
        out.append(change)
        prev = v
    return out


def statistics_page(
    d: PublicData, province_code: str, base_year: int, target_year: int, target_change: float
):
    prov = [r for r in d.statistics if r.get("region_code") == province_code]
    prov.sort(key=lambda r: r["year"])
    acc_yoy, death_yoy = _yoy(prov, "accidents"), _yoy(prov, "deaths")
    years = []
    for r, ca, cd in zip(prov, acc_yoy, death_yoy):
        rate = r.get("deaths_per_yi_gdp")
        if rate is None and r.get("gdp_yi") and r.get("deaths") is not None:
            rate = r["deaths"] / r["gdp_yi"]
        years.append(
            {
                "year": r["year"],
                "accidents": r.get("accidents"),
                "deaths": r.get("deaths"),
                "gdp_yi": r.get("gdp_yi"),
                "rate": rate,
                "acc_change": ca,
                "death_change": cd,
                "double_down": ca is not None and cd is not None and ca < 0 and cd < 0,
            }
        )
    base = next((y for y in years if y["year"] == base_year and y["rate"] is not None), None)
    target = base["rate"] * (1 + target_change) if base else None
    rate_rows = [(str(y["year"]), y["rate"]) for y in years if y["rate"] is not None]

    reports = d.accidents
    by_year = Counter(a.get("year") for a in reports if a.get("year"))
    deaths_year = Counter()
    by_grade, by_industry, by_city = Counter(), Counter(), Counter()
    deaths_grade, deaths_industry, deaths_city = Counter(), Counter(), Counter()
    for a in reports:
        deaths_year[a.get("year")] += _n(a.get("deaths"))
        g = a.get("grade") or "未注明"
        by_grade[g] += 1
        deaths_grade[g] += _n(a.get("deaths"))
        ind = a.get("industry") or "未注明"
        by_industry[ind] += 1
        deaths_industry[ind] += _n(a.get("deaths"))
        c = a.get("city_name") or "未注明"
        by_city[c] += 1
        deaths_city[c] += _n(a.get("deaths"))
    grade_rows = [(g, by_grade[g], deaths_grade[g]) for g in GRADES + ["未注明"] if by_grade.get(g)]
    ind_rows = [(k, v, deaths_industry[k]) for k, v in by_industry.most_common()]
    city_rows = [(k, v, deaths_city[k]) for k, v in sorted(by_city.items(), key=lambda kv: (-kv[1], kv[0]))]
    report_years = [(y, by_year[y], deaths_year[y]) for y in sorted(by_year)]
    prov_name = prov[0].get("region_name") if prov else ""
    return Page(
        "statistics/",
        "statistics",
        {
            "title": "安全生产统计",
            "years": years,
            "prov_name": prov_name,
            "base_year": base_year,
            "target_year": target_year,
            "target_change": target_change,
            "target": target,
            "base": base,
            "chart_acc": charts.columns(
                "chart-acc", "历年生产安全事故起数", [(str(y["year"]), y["accidents"]) for y in years], "起"
            ),
            "chart_deaths": charts.columns(
                "chart-deaths",
                "历年生产安全事故死亡人数",
                [(str(y["year"]), y["deaths"]) for y in years],
                "人",
                color=charts.BAR2,
            ),
            "chart_rate": charts.line_with_target(
                "chart-rate",
                "亿元生产总值生产安全事故死亡率",
                rate_rows,
                target,
                f"目标（较{base_year}年下降{abs(target_change) * 100:.0f}%）",
                "人/亿元",
            )
            if rate_rows
            else None,
            "report_years": report_years,
            "grade_rows": grade_rows,
            "ind_rows": ind_rows,
            "city_rows": city_rows,
            "city_map": choropleth.city_statistics(
                d.statistics, province_code, {code: f"regions/{code}/" for code, _ in d.cities()}
            ),
            "chart_grade": charts.hbar(
                "chart-grade", "已公开事故调查报告：按等级", [(k, v) for k, v, _ in grade_rows], "起"
            ),
            "chart_industry": charts.hbar(
                "chart-industry", "已公开事故调查报告：按行业", [(k, v) for k, v, _ in ind_rows], "起"
            ),
            "chart_city": charts.hbar(
                "chart-city", "已公开事故调查报告：按市州", [(k, v) for k, v, _ in city_rows], "起"
            ),
            "description": "历年生产安全事故起数、死亡人数、“双下降”目标与亿元GDP死亡率，按等级、行业、市州统计。",
        },
    )


# ---------------------------------------------------------------- home


def home_page(d: PublicData):
    as_of = d.as_of
    year = int(as_of[:4]) if as_of[:4].isdigit() else date.today().year
    this_year = [a for a in d.accidents if a.get("year") == year]
    changes = [
        {
            "date": b.get("listed_on"),
            "kind": "列入",
            "name": b.get("subject_name"),
            "path": d.enterprise_path(b.get("enterprise_id")) or "blacklist/",
        }
        for b in d.blacklist_in_force[:8]
    ]
    changes += [
        {"date": r.get("removed_on"), "kind": "移出", "name": r.get("subject_name"), "path": "blacklist/"}
        for r in d.removals[:8]
    ]
    changes.sort(key=lambda c: c["date"] or "", reverse=True)
    return Page(
        "",
        "index",
        {
            "title": "首页",
            "latest": d.accidents[:8],
            "assessments": [a for a in d.assessments if a.get("result")][:6],
            "blacklist_changes": changes[:8],
            "numbers": {
                "year": year,
                "accidents_year": len(this_year),
                "deaths_year": sum(_n(a.get("deaths")) for a in this_year),
                "reports": len(d.accidents),
                "enterprises": len(d.enterprise_pages),
                "blacklist": len(d.blacklist_in_force),
                "overdue": sum(1 for a in d.accidents if a.get("rect_status") == "overdue"),
                "bans": len(d.bans_active),
            },
            "more": pages_more.home_numbers(d),
            "description": "查询企业事故、严重失信名单和信用评级；阅读事故调查报告、责任追究和整改评估结果；了解如何拨打12350举报。",
        },
    )
