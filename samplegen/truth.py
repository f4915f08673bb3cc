"""_truth.json: the facts every sample document was written from, for the ETL tests.

Values are normalized (dates ISO, codes half-width, 〔〕 brackets); where a document prints
something else on purpose, the entry says so under "planted" or in a *_shown field.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from . import codes, names
from .sites import _to_traditional
from .world import World, blacklist_status

NOTES = {
    "injuries": "everyone injured, serious injuries included; serious_injuries is the 重伤 count",
    "concealed": "true for 瞒报 or 谎报 findings; concealment also names 迟报",
    "enterprise_uscc": "the code as the report states it (normalized); null when not stated or printed masked",
    "enterprise_uscc_registry": "the enterprise's real (fictional) code, for checking links across sources",
    "status": "blacklist status as of `as_of`: active, expired (term over, no removal announced) or removed",
    "meta": "the 政府信息公开 labels and values exactly as the detail page prints them",
    "zero_counts": "deaths/missing/injuries/serious_injuries are 0 when the report states none; "
    "the text may simply not mention them",
    "doc_no": "the 批复文号, normalized; doc_no_meta is what the metadata block prints (null: not there)",
    "accident_type": "the GB 6441-1986 class; type_word is what the title calls it",
    "industry": "the 行业领域 (煤矿, 金属非金属矿山, 危险化学品, 烟花爆竹, 工贸, 建筑施工, 道路运输, 火灾, 其他); "
    "the rating lists print the same words",
    "enterprise": "the enterprise as the report names it; enterprise_registered is its registered name",
    "enterprises": "every enterprise or agency that appears in at least one document, with the sources",
}


ACCIDENT_PLANTS = {
    "unmasked_id": "body prints an 18-digit ID-format 考核合格证编号 unmasked (valid check digit); mask on load",
    "phone": "body prints a mobile phone number; mask on load",
    "grade_mismatch": "report states 一般 but 3 deaths make it 较大 (条例 第三条)",
    "瞒报": "investigation found the accident was concealed (瞒报)",
    "谎报": "investigation found false reporting (谎报); the text first quotes the false death toll",
    "迟报": "late reporting (迟报) only; not concealment",
    "traditional": "title and body in traditional characters (a repost)",
    "fullwidth_doc_no": "发文字号 in the metadata block printed with full-width digits",
    "fullwidth_uscc": "统一社会信用代码 in the body printed in full-width characters",
    "fine_in_words": "the unit's fine is written in 大写 (人民币…元整) with the figure in brackets",
    "repeated_accident": "another report on an enterprise that already had an accident",
    "two_major_in_12_months": "the enterprise's second 较大 accident within twelve months",
    "accident_while_listed": "the enterprise was on the 严重失信主体名单 (listed, in its term) when it happened",
    "deaths_title_differs": "the title states the toll first reported; the body counts one more death (deaths is the body's)",
    "grade_mismatch_loss": "report states 一般 but the direct loss (over 1000万元) makes it 较大 (条例 第三条)",
    "enterprise_needs_review": "the report names the enterprise with a place prefix; without it the name matches "
    "two registered enterprises of the same 市州, so only a person can link it",
}


def _accident_plants(world: World) -> list[dict]:
    return [
        {"case": case, "source_id": a.source_id, "where": a.path, "detail": ACCIDENT_PLANTS[case]}
        for a in world.accidents
        for case in a.planted
    ]


def _appearances(world: World) -> dict[str, set[str]]:
    """Enterprise key → the sources whose documents name it."""
    seen: dict[str, set[str]] = {}
    pairs = [(a.enterprise, a.source_id) for a in world.accidents]
    pairs += [(r.enterprise, r.source_id) for r in world.ratings]
    pairs += [(r.enterprise, "gs-credit-records") for r in world.records]
    pairs += [(e.enterprise, "gs-yjt-blacklist") for e in world.blacklist if e.enterprise]
    pairs += [
        (e.enterprise, "gs-yjt-blacklist-removals")
        for e in world.blacklist
        if e.enterprise and e.removal_page is not None
    ]
    pairs += [(b.enterprise, "gs-yjt-bans") for b in world.bans if b.enterprise]
    pairs += world.extra.get("appearances", [])  # the disclosure modules' (enterprise, source id)
    for ent, source_id in pairs:
        seen.setdefault(ent.key, set()).add(source_id)
    return seen


def _d(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _normal_doc(doc: str) -> str:
    return codes_halfwidth(doc).replace("[", "〔").replace("]", "〕")


def codes_halfwidth(text: str) -> str:
    return "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)


def accident_truth(acc) -> dict:
    traditional = "traditional" in acc.planted
    return {
        "key": acc.key,
        "source_id": acc.source_id,
        "path": acc.path,
        "title": _to_traditional(acc.title) if traditional else acc.title,
        "title_simplified": acc.title,
        "short_name": acc.short,
        "occurred_on": acc.occurred.date().isoformat(),
        "occurred_time": f"{acc.occurred:%H:%M}",
        "enterprise": acc.enterprise_name,
        "enterprise_registered": acc.enterprise.name,
        "enterprise_uscc": codes_halfwidth(acc.uscc_in_text) if acc.uscc_in_text else None,
        "enterprise_uscc_registry": acc.enterprise.uscc,
        "city_code": acc.city,
        "region_code": acc.county,
        "region_name": names.county_name(acc.county),
        "industry": acc.sector,
        "accident_type": acc.accident_type,
        "type_word": acc.type_word,
        "deaths": acc.deaths,
        "missing": acc.missing,
        "injuries": acc.injuries,
        "serious_injuries": acc.serious,
        "direct_loss_yuan": acc.loss_yuan,
        "grade_stated": acc.grade_stated,
        "grade_computed": acc.grade,
        "concealed": acc.concealment in ("瞒报", "谎报"),
        "concealment": acc.concealment,
        "approved_on": acc.approved_on.isoformat(),
        "approver": acc.approver,
        "doc_no": acc.doc_no,
        "doc_no_meta": next((v for k, v in acc.meta_items if k in ("发文字号", "文号") and v), None),
        "published_on": acc.published_on.isoformat(),
        "pdf_only": acc.pdf_only,
        "encoding": acc.page_charset,
        "declared_charset": acc.meta_charset,
        "meta": dict(acc.meta_items),
        "accountability": [
            {
                "subject": m.subject,
                "position": m.position,
                "measure_type": m.measure_type,
                "measure": m.measure,
                "fine_yuan": m.fine_yuan,
            }
            for m in acc.measures
        ],
        "prevention_measures": len(acc.prevention),
        "planted": acc.planted,
    }


def build(world: World, extra: dict) -> dict:
    as_of = world.profile.as_of
    assessed = {a.accident.key for a in world.assessments}
    overdue = [
        a for a in world.accidents if a.key not in assessed and codes.add_years(a.approved_on, 1) <= as_of
    ]
    rated = {(r.source_id, r.enterprise.key) for r in world.ratings}
    seen = _appearances(world)
    truth = {
        "note": "（示例数据，非真实信息）the facts the sample documents were generated from",
        "generator": "samplegen",
        "seed": world.seed,
        "profile": world.profile.name,
        "as_of": as_of.isoformat(),
        "notes": NOTES,
        "counts": {
            "accidents": len(world.accidents),
            "assessments": len(world.assessments),
            "assessments_overdue": len(overdue),
            "blacklist": len(world.blacklist),
            "blacklist_removals": sum(1 for e in world.blacklist if e.removal_page is not None),
            "bans": len(world.bans),
            "credit_records": len(world.records),
            "credit_ratings": len(world.ratings),
            "rated_enterprises": len({key for _, key in rated}),
            "enterprises": len(seen),
            "annual_statistics": len(world.stats),
            **extra.get("counts", {}),
        },
        "sources": extra["sources"],
        "disclosures": extra.get("disclosures", {}),
        "accidents": [accident_truth(a) for a in world.accidents],
        "assessments": [
            {
                "key": a.key,
                "title": a.title,
                "path": extra["assessment_paths"][a.key],
                "accident_key": a.accident.key,
                "accident_title": a.accident.title,
                "accident_doc_no": a.accident.doc_no,
                "referenced_by": a.ref_by,
                "result": a.result,
                "result_shown": a.result_shown,
                "assessor": a.assessor,
                "assessed_on": _d(a.assessed_on),
                "published_on": _d(a.published_on),
                "doc_no": a.doc_no,
                "months_after_approval": round((a.published_on - a.accident.approved_on).days / 30.44, 1),
                "late": a.late,
            }
            for a in world.assessments
        ],
        "assessments_overdue": [
            {
                "accident_key": a.key,
                "accident_title": a.title,
                "approved_on": _d(a.approved_on),
                "due_by": _d(codes.add_years(a.approved_on, 1)),
            }
            for a in overdue
        ],
        "blacklist": [
            {
                "key": e.key,
                "batch": extra["batch_titles"][e.batch],
                "subject_type": e.subject_type,
                "subject_name": e.name,
                "uscc": e.uscc,
                "id_number_masked": codes.mask_id(e.id_number) if e.id_number else None,
                "id_printed_unmasked": e.id_unmasked,
                "responsible_person": e.responsible_person,
                "decision_no": e.decision_no,
                "authority": e.authority,
                "reason": e.reason,
                "listed_on": _d(e.listed_on),
                "term_end": _d(e.term_end),
                "status": blacklist_status(e, as_of),
                "removed_on": _d(e.removed_on),
                "removal_reason": e.removal_reason,
                "removal_announcement": extra["removal_titles"][e.removal_page]
                if e.removal_page is not None
                else None,
            }
            for e in world.blacklist
        ],
        "blacklist_removals": extra["removal_rows"],
        "bans": [
            {
                "key": b.key,
                "subject_type": b.subject_type,
                "subject_name": b.name,
                "uscc": b.enterprise.uscc if b.enterprise else None,
                "id_number_masked": codes.mask_id(b.id_number) if b.id_number else None,
                "ban_type": b.ban_type,
                "scope": b.scope,
                "lifetime": b.end_on is None,
                "decision_no": b.decision_no,
                "authority": b.authority,
                "start_on": _d(b.start_on),
                "end_on": _d(b.end_on),
            }
            for b in world.bans
        ],
        "credit_records": [
            {
                "key": r.key,
                "enterprise": r.enterprise.name,
                "uscc": r.enterprise.uscc,
                "record_type": r.record_type,
                "decision_no": r.decision_no,
                "fine_yuan": r.fine_yuan,
                "authority": r.authority,
                "decided_on": _d(r.decided_on),
                "publicity_start": _d(r.publicity_start),
                "publicity_end": _d(r.publicity_end),
            }
            for r in world.records
        ],
        "credit_ratings": [
            {
                "source_id": r.source_id,
                "enterprise": r.enterprise.name,
                "uscc": r.enterprise.uscc,
                "rating": r.rating,
                "rating_year": r.year,
                "rated_on": _d(r.rated_on),
            }
            for r in world.ratings
        ],
        "annual_statistics": world.stats,
        "enterprises": [
            {
                "key": e.key,
                "name": e.name,
                "uscc": e.uscc,
                "region_code": e.county,
                "city_code": e.city,
                "industry": e.sector,
                "legal_rep": e.legal_rep,
                "agency": e.agency,
                "sources": sorted(seen[e.key]),
            }
            for e in world.enterprises + world.agencies
            if e.key in seen
        ],
        "planted": _accident_plants(world) + world.planted,
    }
    return truth


def write(world: World, out: Path, extra: dict) -> dict:
    """Write _truth.json and return what it holds. Streamed: at national size the text is
    gigabytes, and a whole string plus its encoded bytes would double the generator's peak."""
    facts = build(world, extra)
    with (out / "_truth.json").open("w", encoding="utf-8") as f:
        json.dump(facts, f, ensure_ascii=False, indent=1)
        f.write("\n")
    return facts
