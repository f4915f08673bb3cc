"""Tabular sources: credit ratings (GBK CSV, UTF-8-BOM CSV, XLSX), credit records (a paged
JSON API) and annual statistics (XLSX), each with the quirks real exports have.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from . import codes, files, names
from .reports import SAMPLE_NOTE
from .world import World, rng_for

RATING_FORMS = {  # how each list spells a grade; the specs' lookups map them back
    "lz-credit-ratings": {
        "A": ("A", "A", "A级", "Ａ"),
        "B": ("B", "B", "B级"),
        "C": ("C", "C级", "Ｃ"),
        "D": ("D", "D级"),
    },
    "jq-credit-ratings": {
        "A": ("A级", "A级", "Ａ级"),
        "B": ("B级", "B级", "b"),
        "C": ("C级", "c"),
        "D": ("D级",),
    },
    "gs-yjt-credit-ratings": {
        "A": ("诚信", "诚信", "诚信（A级）"),
        "B": ("基本诚信",),
        "C": ("失信",),
        "D": ("严重失信",),
    },
}
DATE_FORMS = ("iso", "slash", "cn", "compact", "dot")


def _ratings(world: World, source_id: str):
    return [r for r in world.ratings if r.source_id == source_id]


def write_lz_ratings(world: World, out: Path) -> None:
    """GBK CSV with a title line above the header (header_row 1)."""
    rng = rng_for(world.seed, "csv", "lz")
    rows = [
        [f"兰州市2024年度安全生产诚信等级评定结果{SAMPLE_NOTE}"],
        ["序号", "企业名称", "统一社会信用代码", "所属行业", "所在区县", "信用等级", "评定年度", "评定日期"],
    ]
    ratings = _ratings(world, "lz-credit-ratings")
    fullwidth = {r.enterprise.key for r in ratings[5:8]}
    seq = 0
    for i, r in enumerate(ratings, 1):
        ent = r.enterprise
        seq += 1
        uscc = codes.fullwidth(ent.uscc) if ent.key in fullwidth else ent.uscc
        name = f" {ent.name} " if i == 11 else ent.name.replace("LNG", "ＬＮＧ")
        rows.append(
            [
                str(seq),
                name,
                uscc,
                ent.sector,
                names.county_name(ent.county),
                rng.choice(RATING_FORMS["lz-credit-ratings"][r.rating]),
                rng.choice((str(r.year), f"{r.year}年度")),
                codes.date_text(r.rated_on, rng.choice(DATE_FORMS)),
            ]
        )
        if i == 20:  # an exact duplicate row, as exports from merged sheets have
            rows.append(list(rows[-1]))
        if i == 40:  # the same enterprise again, code in full-width, its own 序号
            seq += 1
            rows.append([str(seq), rows[-1][1], codes.fullwidth(ent.uscc)] + rows[-1][3:])
    world.plant("fullwidth_uscc", "lz-credit-ratings", "rows with 序号 6–8", "USCC in full-width characters")
    world.plant("duplicate_row", "lz-credit-ratings", "after 序号 20", "exact duplicate of the previous row")
    world.plant(
        "duplicate_row",
        "lz-credit-ratings",
        "序号 40 and 41",
        "same enterprise as the previous row, USCC full-width, new 序号",
    )
    world.plant(
        "whitespace_name", "lz-credit-ratings", "row 序号 11", "enterprise name with surrounding spaces"
    )
    if any("ＬＮＧ" in row[1] for row in rows[2:]):
        world.plant(
            "fullwidth_name",
            "lz-credit-ratings",
            "row of 兰州示例ＬＮＧ…",
            "Latin letters of a name in full-width",
        )
    world.plant(
        "dates_several_forms",
        "lz-credit-ratings",
        "评定日期",
        "2025-01-05 / 2025/1/5 / 2025年1月5日 / 20250105 / 2025.01.05",
    )
    files.write_text(out / "lz-credit-ratings" / "lz-credit-ratings-2024.csv", files.csv_text(rows), "gbk")


def write_jq_ratings(world: World, out: Path) -> None:
    """UTF-8 CSV with a byte-order mark, other headers, one wrong check character."""
    rng = rng_for(world.seed, "csv", "jq")
    rows = [
        [
            "单位名称",
            "信用代码",
            "行业类别",
            "所属区域",
            "安全生产信用等级",
            "评价年份",
            "发布日期",
            "有效期至",
            "数据说明",
        ]
    ]
    for i, r in enumerate(_ratings(world, "jq-credit-ratings")):
        ent = r.enterprise
        uscc = ent.uscc
        if i == 11:
            uscc = codes.break_uscc(uscc)
            world.plant(
                "bad_uscc_check",
                "jq-credit-ratings",
                f"row of {ent.name}",
                f"USCC printed as {uscc}; the valid code is {ent.uscc}",
            )
        rows.append(
            [
                ent.name,
                uscc,
                ent.sector,
                names.county_name(ent.county),
                rng.choice(RATING_FORMS["jq-credit-ratings"][r.rating]),
                str(r.year),
                codes.date_text(r.rated_on, rng.choice(("slash", "cn", "iso"))),
                codes.date_text(r.valid_until, "cn"),
                "示例数据（非真实信息）",
            ]
        )
    files.write_text(
        out / "jq-credit-ratings" / "jq-credit-ratings-2025.csv", files.csv_text(rows), "utf-8-sig"
    )


def write_gs_ratings(world: World, out: Path) -> None:
    """XLSX with a merged title row (header_row 1), date cells mixed with date strings."""
    rng = rng_for(world.seed, "xlsx", "ratings")
    wb = Workbook()
    ws = wb.active
    ws.title = "评定结果"
    header = [
        "序号",
        "企业（单位）名称",
        "社会信用代码",
        "行业领域",
        "所属市州",
        "诚信等级",
        "评定年份",
        "评定时间",
        "评定机关",
    ]
    ws.append([f"2024年度全省安全生产诚信等级评定结果{SAMPLE_NOTE}"] + [None] * (len(header) - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(header)
    row = 2  # the sheet's last row; openpyxl's max_row scans every cell (quadratic at national size)
    for i, r in enumerate(_ratings(world, "gs-yjt-credit-ratings"), 1):
        ent = r.enterprise
        uscc = codes.fullwidth(ent.uscc) if i in (9, 10) else ent.uscc
        draw = rng.random()
        rated = (
            dt.datetime.combine(r.rated_on, dt.time())
            if draw < 0.7
            else codes.date_text(r.rated_on, "cn")
            if draw < 0.85
            else codes.date_text(r.rated_on, "dot")
        )
        ws.append(
            [
                i,
                ent.name,
                uscc,
                ent.sector,
                names.city_name(ent.city),
                rng.choice(RATING_FORMS["gs-yjt-credit-ratings"][r.rating]),
                r.year,
                rated,
                r.rater,
            ]
        )
        row += 1
        if isinstance(rated, dt.datetime):
            ws.cell(row=row, column=8).number_format = "yyyy-mm-dd"
        if i == 30:
            ws.append([i] + [c.value for c in ws[row]][1:])
            row += 1
    world.plant(
        "merged_title_row",
        "gs-yjt-credit-ratings",
        "sheet 评定结果 row 1",
        "merged title row above the header",
    )
    world.plant("fullwidth_uscc", "gs-yjt-credit-ratings", "序号 9 and 10", "USCC in full-width characters")
    world.plant("duplicate_row", "gs-yjt-credit-ratings", "序号 30", "row repeated with the same 序号")
    world.plant(
        "dates_several_forms",
        "gs-yjt-credit-ratings",
        "评定时间",
        "date cells and strings 2025年2月3日 / 2025.02.03",
    )
    for column, width in zip("ABCDEFGHI", (6, 40, 24, 12, 18, 10, 10, 14, 20)):
        ws.column_dimensions[column].width = width
    files.write_bytes(out / "gs-yjt-credit-ratings" / "gs-yjt-credit-ratings-2024.xlsx", files.xlsx_bytes(wb))


def write_records(world: World, out: Path) -> int:
    """A paged JSON API: page-1.json, page-2.json … with a {code, data:{total, page, size, records}} envelope."""
    rng = rng_for(world.seed, "json")
    size = world.profile.records_page_size
    records = world.records
    pages = max(1, -(-len(records) // size))
    for page in range(1, pages + 1):
        items = []
        for r in records[(page - 1) * size : page * size]:
            ent = r.enterprise
            fine: object = None
            if r.fine_yuan is not None:
                fine = rng.choice((r.fine_yuan, int(r.fine_yuan), f"{r.fine_yuan:.2f}"))
            decided = rng.choice(
                (
                    r.decided_on.isoformat(),
                    r.decided_on.isoformat(),
                    f"{r.decided_on.isoformat()} 00:00:00",
                    codes.date_text(r.decided_on, "slash"),
                )
            )
            item = {
                "id": f"{abs(hash_key(r.key)):016x}",
                "qymc": ent.name,
                "tyshxydm": ent.uscc,
                "fddbr": ent.legal_rep,
                "jllx": r.record_type,
                "cfjdsh": r.decision_no,
                "wfxw": r.facts,
                "cfyj": r.basis,
                "cflb": r.category,
                "cfnr": r.penalty,
                "fkje": fine,
                "cfjg": r.authority,
                "cfrq": decided,
                "gsqsrq": r.publicity_start.isoformat(),
                "gsqx": r.publicity_end.isoformat(),
                "dqdm": ent.county,
            }
            items.append(item)
        if page == 2 and items:
            items[3]["sjly"] = "信用甘肃"
            world.plant(
                "extra_json_field",
                "gs-credit-records",
                "page-2.json, 4th record",
                "field sjly that no mapping uses",
            )
        doc = {
            "code": 0,
            "msg": f"success{SAMPLE_NOTE}",
            "data": {"total": len(records), "page": page, "size": size, "records": items},
        }
        files.write_text(
            out / "gs-credit-records" / f"page-{page}.json",
            json.dumps(doc, ensure_ascii=False, indent=1) + "\n",
        )
    world.plant(
        "dates_several_forms", "gs-credit-records", "cfrq", "2024-05-12 / 2024-05-12 00:00:00 / 2024/5/12"
    )
    world.plant(
        "mixed_number_types", "gs-credit-records", "fkje", "number, integer or string with two decimals; null"
    )
    return pages


def hash_key(key: str) -> int:
    """A stable 64-bit id from a key (Python's hash() is salted per process)."""
    import hashlib

    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")


def write_stats(world: World, out: Path) -> None:
    """统计公报-style XLSX: title row, unit row, header on row 2; short names for two 州."""
    wb = Workbook()
    ws = wb.active
    ws.title = "分市州"
    years = world.profile.years
    ws.append(
        [
            f"甘肃省{years[0]}—{years[-1]}年分市州生产安全事故和地区生产总值{SAMPLE_NOTE}",
            None,
            None,
            None,
            None,
        ]
    )
    ws.merge_cells("A1:E1")
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["单位：起、人、亿元", None, None, None, None])
    ws.append(["年份", "地区", "生产安全事故起数", "死亡人数", "地区生产总值"])
    for row in world.stats:
        name = (
            "全省"
            if row["region_code"] == "620000"
            else names.CITY_SHORT_FORMS.get(row["region_code"], row["region_name"])
        )
        year: object = row["year"] if row["year"] != 2021 else f"{row['year']}年"
        ws.append([year, name, row["accidents"], row["deaths"], row["gdp_yi"]])
    world.plant(
        "region_short_names", "gs-tjj-annual-statistics", "地区", "全省, 临夏州, 甘南州 instead of full names"
    )
    world.plant(
        "year_as_text",
        "gs-tjj-annual-statistics",
        "年份",
        "2021 rows say '2021年' (text), others are numbers",
    )
    files.write_bytes(
        out / "gs-tjj-annual-statistics" / "gs-annual-statistics-2019-2025.xlsx", files.xlsx_bytes(wb)
    )
