"""The bundled sample sources: reproducible, marked 示例数据, big enough, and read by their specs.

These tests check the sample files and specs themselves; the ETL tests compare the loaded
database with data/samples/_truth.json.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import openpyxl
import pytest
import yaml

from etl.readers.pdf import pdf_text
from samplegen import SOURCES, generate
from samplegen.codes import id_check_char, uscc_valid

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SPECS = ROOT / "etl" / "sources"
FORMATS = {"html_list", "html_table", "csv", "xlsx", "json_api"}
REQUIRED_TARGETS = {
    "accidents": {"title"},
    "rectification_assessments": {"title"},
    "credit_ratings": {"enterprise_name", "rating"},
    "credit_records": {"enterprise_name", "record_type"},
    "blacklist": {"subject_name", "listed_on"},
    "blacklist_removals": {"subject_name", "removed_on"},
    "bans": {"subject_name", "ban_type"},
    "annual_statistics": {"year", "region"},
    "hazards": {"enterprise_name", "hazard", "listed_on"},
    "hazard_events": {"enterprise_name"},
    "penalties": {"decision_no"},  # gs-yjt-penalties reads the party out of the decision text
    "inspections": {"object_name", "inspected_on", "result"},
    "agencies": {"name", "agency_type"},
    "agency_actions": {"agency_name", "action", "decided_on"},
    "agency_reports": {"agency_name", "project"},
    "projects": {"project_name", "builder"},
}
# The vocabularies structured fields use: GB 6441-86 事故类别, and the 行业领域 the
# emergency-management statistics count by.
ACCIDENT_TYPES = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
)
SECTORS = ("煤矿", "金属非金属矿山", "危险化学品", "烟花爆竹", "工贸", "建筑施工", "道路运输", "火灾", "其他")
# Columns/keys planted on purpose for the unmapped-field audit (see _truth.json "planted").
DELIBERATELY_UNMAPPED = {"gs-yjt-blacklist": {"备注"}, "gs-credit-records": {"sjly"}}


@pytest.fixture(scope="module")
def truth() -> dict:
    return json.loads((SAMPLES / "_truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def specs() -> dict[str, dict]:
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SPECS.glob("*.yaml"))}


def _digests(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or, failing that, GBK: the encodings the samples use."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gbk")


def _local(url: str) -> Path:
    return SAMPLES / url.removeprefix("{samples}/")


# --- reproducibility and marking ----------------------------------------------------


def test_generator_reproduces_the_tracked_samples(tmp_path):
    generate(tmp_path, seed=20261129)
    assert _digests(tmp_path) == _digests(SAMPLES)


def test_samples_fit_in_a_commit():
    assert sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file()) < 5 * 1024 * 1024


def test_every_document_says_sample_data():
    for path in SAMPLES.rglob("*"):
        if path.suffix in {".html", ".htm", ".csv", ".json", ".md"}:
            assert "示例数据" in _decode(path.read_bytes()), path
        elif path.suffix == ".xlsx":
            ws = openpyxl.load_workbook(path, read_only=True).active
            assert "示例数据" in str(next(ws.iter_rows(values_only=True))[0]), path


def test_every_enterprise_name_contains_shili(truth):
    names = [e["name"] for e in truth["enterprises"]]
    names += [a["enterprise"] for a in truth["accidents"]]
    names += [r["enterprise"] for r in truth["credit_ratings"] + truth["credit_records"]]
    names += [e["subject_name"] for e in truth["blacklist"] if e["subject_type"] != "person"]
    assert names and all("示例" in n for n in names)
    # and in the documents: every 有限公司-like name printed anywhere carries 示例
    company = re.compile(r"[\u4e00-\u9fffA-Z\uff21-\uff3a]{2,20}(?:有限责任公司|有限公司)")
    for path in SAMPLES.rglob("*"):
        if path.suffix in {".html", ".htm", ".csv", ".json"}:
            for name in company.findall(_decode(path.read_bytes())):
                assert "示例" in name or "企业类型为" in name, (path, name)


def test_persons_are_masked(truth):
    masked = re.compile(r"^[\u4e00-\u9fff]某[\u4e00-\u9fff]$")
    people = [e["subject_name"] for e in truth["blacklist"] if e["subject_type"] == "person"]
    people += [b["subject_name"] for b in truth["bans"] if b["subject_type"] == "person"]
    people += [
        m["subject"]
        for a in truth["accidents"]
        for m in a["accountability"]
        if m["measure_type"] in ("移送司法机关", "党纪政务处分")
    ]
    assert people and all(masked.match(p) for p in people)


# --- specs ---------------------------------------------------------------------------


def test_one_spec_per_source(specs):
    assert set(specs) == set(SOURCES)
    assert {p.name for p in SAMPLES.iterdir() if p.is_dir()} == set(SOURCES)


def test_specs_have_the_required_keys(specs):
    for stem, spec in specs.items():
        assert spec["id"] == stem
        for key in ("title", "kind", "publisher", "licence", "format", "fields", "assertions"):
            assert spec.get(key), (stem, key)
        assert spec["format"] in FORMATS
        assert spec["sample"] is True
        assert (spec["kind"], spec["format"]) == SOURCES[stem]
        urls = spec.get("urls") or [spec["url"]]
        assert all(u.startswith(f"{{samples}}/{stem}/") for u in urls), stem
        assert REQUIRED_TARGETS[spec["kind"]] <= set(spec["fields"]), stem
        assert spec["assertions"]["min_records"] < spec["assertions"]["max_records"]
        if spec["format"] == "html_list":
            assert spec["list"]["item_links"] and spec["detail"]["body"], stem
        if spec["format"] == "html_table":
            assert spec["table"], stem


def _source_fields(spec: dict) -> set[str]:
    out: set[str] = set()
    for value in spec["fields"].values():
        out.update([value] if isinstance(value, str) else value)
    return out


def _html(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(_decode(path.read_bytes()))


def _walk_list(spec: dict, first: Path) -> list[Path]:
    """Follow the spec's item links and next-page links; return the detail pages in order."""
    pages, details, page = 0, [], first
    while page is not None and pages < spec["list"].get("max_pages", 200):
        doc = _html(page)
        base = page.as_uri()
        details += [
            Path(urljoin(base, a.get("href")).removeprefix("file://"))
            for a in doc.cssselect(spec["list"]["item_links"])
        ]
        nxt = [
            a
            for a in doc.xpath("//a[@href]")
            if a.text_content().strip() == spec["list"].get("next_text", "下一页")
        ]
        page = Path(urljoin(base, nxt[0].get("href")).removeprefix("file://")) if nxt else None
        pages += 1
    return details


def _meta_labels(block: lxml.html.HtmlElement) -> set[str]:
    text = "\n".join(block.itertext())
    return {m.strip() for m in re.findall(r"([\u4e00-\u9fff]{2,12})：", text)}


def test_html_list_specs_reach_every_detail_page(specs, truth):
    expected = Counter(a["source_id"] for a in truth["accidents"])
    expected["gs-yjt-assessments"] = len(truth["assessments"])
    found = truth["disclosures"]
    for kind in ("hazard_events", "projects", "agency_actions", "penalties"):
        expected.update(r["source_id"] for r in found[kind] if r.get("source_id"))
    expected["gs-yjt-penalties"] += 1  # the list also links a notice that is no decision (rejected)
    for stem, spec in specs.items():
        if spec["format"] != "html_list":
            continue
        details = _walk_list(spec, _local(spec["url"]))
        assert len(details) == len(set(details)) == expected[stem], stem
        known = _source_fields(spec) | set(spec.get("ignore", []))
        for path in details:
            doc = _html(path)
            assert doc.cssselect(spec["detail"]["title"])[0].text_content().strip(), path
            assert "示例数据" in doc.cssselect(spec["detail"]["body"])[0].text_content(), path
            labels = _meta_labels(doc.cssselect(spec["detail"]["meta"])[0])
            assert labels <= known, (path, labels - known)
            for link in doc.cssselect(spec["detail"].get("attachments", "x-none")):
                assert Path(urljoin(path.as_uri(), link.get("href")).removeprefix("file://")).is_file()


def _table_headers(spec: dict) -> list[tuple[Path, list[str], int]]:
    if "list" in spec:
        pages = _walk_list(spec, _local(spec["url"]))
    else:
        pages = [_local(u) for u in spec.get("urls") or [spec["url"]]]
    out = []
    for page in pages:
        table = _html(page).cssselect(spec["table"])
        assert len(table) == 1, page
        rows = table[0].xpath(".//tr")
        out.append((page, [c.text_content().strip() for c in rows[0]], len(rows) - 1))
    return out


def _columns(spec: dict) -> list[tuple[str, list[str], int]]:
    """(document, header, row count) of each table-shaped document of a source."""
    if spec["format"] == "html_table":
        return [(str(p), h, n) for p, h, n in _table_headers(spec)]
    path = _local(spec["url"])
    if spec["format"] == "csv":
        text = path.read_bytes().decode(spec.get("encoding", "utf-8-sig"))
        rows = list(csv.reader(io.StringIO(text)))
    elif spec["format"] == "xlsx":
        wb = openpyxl.load_workbook(path, read_only=True)
        rows = [
            [("" if c is None else str(c)) for c in r] for r in wb[spec["sheet"]].iter_rows(values_only=True)
        ]
    else:
        docs = sorted(path.parent.glob("page-*.json"), key=lambda p: int(p.stem.split("-")[1]))
        out = []
        for doc in docs:
            records = json.loads(doc.read_text(encoding="utf-8"))["data"]["records"]
            out.append((str(doc), sorted({k for r in records for k in r}), len(records)))
        return out
    header = rows[spec["header_row"]]
    return [(str(path), header, len(rows) - spec["header_row"] - 1)]


def test_table_columns_are_mapped_or_ignored(specs):
    for stem, spec in specs.items():
        if spec["format"] == "html_list":
            continue
        known = _source_fields(spec) | set(spec.get("ignore", []))
        unmapped: set[str] = set()
        total = 0
        for _, header, rows in _columns(spec):
            unmapped |= set(header) - known
            total += rows
        assert unmapped == DELIBERATELY_UNMAPPED.get(stem, set()), (stem, unmapped)
        assert spec["assertions"]["min_records"] <= total <= spec["assertions"]["max_records"], stem
        assert not DELIBERATELY_UNMAPPED.get(stem, set()) & set(spec.get("ignore", [])), stem


def test_rating_lookups_cover_every_spelling(specs, truth):
    for stem in ("lz-credit-ratings", "jq-credit-ratings", "gs-yjt-credit-ratings"):
        spec = specs[stem]
        ((_, header, _),) = _columns(spec)
        column = header.index(spec["fields"]["rating"])
        path = _local(spec["url"])
        if spec["format"] == "csv":
            rows = list(csv.reader(io.StringIO(path.read_bytes().decode(spec.get("encoding", "utf-8-sig")))))
        else:
            rows = [
                [str(c) for c in r] for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)
            ]
        values = {r[column] for r in rows[spec["header_row"] + 1 :]}
        normalized = {spec["lookups"]["rating"].get(v, v) for v in values}
        assert normalized <= {"A", "B", "C", "D"}, (stem, normalized)


# --- volume and variety (the minimums the tests below hold the samples to) ------------------


def test_accident_reports_cover_years_regions_grades_and_industries(truth):
    accidents = truth["accidents"]
    assert len(accidents) >= 66
    assert {a["occurred_on"][:4] for a in accidents} >= {str(y) for y in range(2019, 2026)}
    assert len({a["city_code"] for a in accidents}) == 14
    grades = Counter(a["grade_stated"] for a in accidents)
    assert set(grades) == {"特别重大", "重大", "较大", "一般"}
    assert 1 <= grades["特别重大"] <= 2 and grades["重大"] <= 5
    assert {a["industry"] for a in accidents} <= set(SECTORS)
    assert len({a["industry"] for a in accidents}) >= 7
    assert {a["accident_type"] for a in accidents} <= set(ACCIDENT_TYPES)
    assert len({a["accident_type"] for a in accidents}) >= 10
    assert 0.25 <= sum(a["pdf_only"] for a in accidents) / len(accidents) <= 0.4
    assert {a["concealment"] for a in accidents} >= {"瞒报", "谎报", "迟报"}
    assert sum(a["grade_stated"] != a["grade_computed"] for a in accidents) == 2  # both planted


def test_assessments(truth):
    results = Counter(a["result"] for a in truth["assessments"])
    assert set(results) == {"到位", "基本到位", "不到位"} and results["不到位"] >= 3
    assert truth["assessments_overdue"]
    assert sum(a["late"] for a in truth["assessments"]) == 1
    on_time = [a["months_after_approval"] for a in truth["assessments"] if not a["late"]]
    assert all(9.5 <= m <= 12.1 for m in on_time)
    as_of = dt.date.fromisoformat(truth["as_of"])
    due = [
        a
        for a in truth["accidents"]
        if dt.date.fromisoformat(a["approved_on"]) <= as_of - dt.timedelta(days=366)
    ]
    assessed = {a["accident_key"] for a in truth["assessments"]}
    assert sum(a["key"] in assessed for a in due) / len(due) > 0.8


def test_blacklist_removals_bans(truth):
    entries = truth["blacklist"]
    assert len(entries) >= 45
    assert {e["subject_type"] for e in entries} == {"unit", "agency", "person"}
    assert len({e["batch"] for e in entries}) >= 6
    assert {e["listed_on"][:4] for e in entries} >= {"2021", "2022", "2023", "2024", "2025", "2026"}
    status = Counter((e["status"], e["removal_reason"]) for e in entries)
    assert status[("expired", None)] and status[("active", None)]
    assert status[("removed", "信用修复")] and status[("removed", "期满")]
    assert sum(1 for e in entries if e["removal_reason"]) >= 12
    for e in entries:
        if e["removal_reason"] == "信用修复":
            listed, removed = (dt.date.fromisoformat(e[k]) for k in ("listed_on", "removed_on"))
            assert removed >= listed + dt.timedelta(days=365)
    assert sum(e["id_printed_unmasked"] for e in entries) == 1
    assert len(truth["bans"]) >= 15 and any(b["lifetime"] for b in truth["bans"])


def test_credit_and_statistics(truth):
    assert truth["counts"]["rated_enterprises"] >= 300
    assert len(truth["credit_records"]) >= 80
    stats = {(s["year"], s["region_code"]): s for s in truth["annual_statistics"]}
    assert len(stats) == 7 * 15
    province = [stats[(y, "620000")] for y in range(2019, 2026)]
    falling = sum(
        b["accidents"] < a["accidents"] and b["deaths"] < a["deaths"] for a, b in zip(province, province[1:])
    )
    assert 3 <= falling < 6  # 双下降 most years, not all


def test_enterprises_link_across_sources(truth):
    rated = {r["uscc"] for r in truth["credit_ratings"]}
    recorded = {r["uscc"] for r in truth["credit_records"]}
    listed = {e["uscc"] for e in truth["blacklist"] if e["uscc"]}
    accident = {a["enterprise_uscc_registry"] for a in truth["accidents"]}
    assert accident & rated and accident & recorded and accident & listed and listed & rated
    assert all(uscc_valid(e["uscc"]) for e in truth["enterprises"])


# --- planted cases -------------------------------------------------------------------


def test_planted_pdf_text_is_extractable_chinese(truth):
    acc = next(a for a in truth["accidents"] if a["pdf_only"])
    page = SAMPLES / acc["source_id"] / acc["path"]
    spec = yaml.safe_load((SPECS / f"{acc['source_id']}.yaml").read_text(encoding="utf-8"))
    link = _html(page).cssselect(spec["detail"]["attachments"])[0]
    pdf = Path(urljoin(page.as_uri(), link.get("href")).removeprefix("file://"))
    text = pdf_text(pdf.read_bytes())
    assert "示例数据" in text and acc["enterprise"] in text.replace("\n", "")
    assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 1000
    assert "详见附件" in _html(page).cssselect(spec["detail"]["body"])[0].text_content()


def test_planted_unmasked_numbers_are_present_and_valid(truth):
    cases = {p["case"] for p in truth["planted"]}
    assert {
        "unmasked_id",
        "phone",
        "unmasked_id_number",
        "charset_lies",
        "gb2312_page",
        "traditional",
        "extra_column",
        "extra_json_field",
        "duplicate_row",
        "bad_uscc_check",
        "fullwidth_uscc",
    } <= cases
    acc = next(a for a in truth["accidents"] if "unmasked_id" in a["planted"])
    text = (SAMPLES / acc["source_id"] / acc["path"]).read_text(encoding="utf-8")
    ids = re.findall(r"(?<!\d)\d{17}[\dX](?!\d)", text)
    assert len(ids) == 1 and id_check_char(ids[0][:17]) == ids[0][17]
    assert re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text)


def test_planted_charsets(truth):
    lies = next(p for p in truth["planted"] if p["case"] == "charset_lies")
    data = (SAMPLES / lies["source_id"] / lies["where"]).read_bytes()
    assert b'charset="utf-8"' in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    data.decode("gbk")
    for plant in (p for p in truth["planted"] if p["case"] == "gb2312_page"):
        data = (SAMPLES / plant["source_id"] / plant["where"]).read_bytes()
        assert b"gb2312" in data[:600]
        data.decode("gb2312")


def test_enterprise_names_never_run_out():
    """National size needs more names per prefix and industry than two-character brands give
    (甘肃…工贸: ~26,000 of 5,655); the pool then draws three-character brands instead of
    looping for ever. 3,000 有色 enterprises of one city exhaust its 2,262 two-character names."""
    from samplegen.enterprises import EnterprisePool
    from samplegen.profile import PROFILES
    from samplegen.world import World

    pool = EnterprisePool(World(seed=1, profile=PROFILES["sample"]))
    made = [pool.create("620100", "有色") for _ in range(3000)]
    assert len({e.name for e in made}) == 3000
    suffixes = ("有色金属有限公司", "铝业有限公司")
    brands = [
        next(rest[: -len(s)] for s in suffixes if rest.endswith(s))
        for rest in (e.name.split("示例", 1)[1] for e in made)
    ]
    assert {len(b) for b in brands} == {2, 3}


# --- the stories users look for ------------------------------------------------------


def test_enterprises_with_repeated_accidents(truth):
    per = Counter(a["enterprise_uscc_registry"] for a in truth["accidents"])
    repeated = [code for code, n in per.items() if n >= 2]
    assert len(repeated) >= 2 and max(per.values()) >= 3
    # two 较大 accidents of one enterprise within twelve months
    major: dict[str, list[dt.date]] = {}
    for a in truth["accidents"]:
        if a["grade_computed"] == "较大":
            day = dt.date.fromisoformat(a["occurred_on"])
            major.setdefault(a["enterprise_uscc_registry"], []).append(day)
    assert any(len(days) >= 2 and (max(days) - min(days)).days <= 365 for days in major.values())


def test_an_accident_while_on_the_blacklist(truth):
    """An accident while its enterprise was listed (in the term, never removed), published before
    as_of: the canned query blacklisted_with_accidents shows it."""
    listed = [
        (a, e)
        for a in truth["accidents"]
        for e in truth["blacklist"]
        if e["uscc"] == a["enterprise_uscc_registry"]
        and e["status"] == "active"
        and e["listed_on"] <= a["occurred_on"] <= e["term_end"]
    ]
    assert listed and all(a["published_on"] <= truth["as_of"] for a, _ in listed)
    assert any("accident_while_listed" in a["planted"] for a, _ in listed)


def _body(acc: dict) -> str:
    page = SAMPLES / acc["source_id"] / acc["path"]
    return lxml.html.fromstring(_decode(page.read_bytes())).text_content()


def test_reports_whose_figures_disagree(truth):
    titled = next(a for a in truth["accidents"] if "deaths_title_differs" in a["planted"])
    stated = int(re.search(r"（(\d+)人死亡）", titled["title"]).group(1))
    assert titled["deaths"] == stated + 1
    assert f"事故死亡人数增至{titled['deaths']}人" in _body(titled)
    understated = [
        a for a in truth["accidents"] if set(a["planted"]) & {"grade_mismatch", "grade_mismatch_loss"}
    ]
    assert {(a["grade_stated"], a["grade_computed"]) for a in understated} == {("一般", "较大")}
    assert any(a["deaths"] < 3 and a["direct_loss_yuan"] >= 1e7 for a in understated)  # the loss alone


def test_an_enterprise_only_a_person_can_link(truth):
    """The report writes a short form that two registered companies of its 市州 share
    (示例X化工公司 for 兰州示例X化工有限公司 and 示例X化工有限公司): etl/enterprise_links.py sends
    it to review with both, never links it."""
    acc = next(a for a in truth["accidents"] if "enterprise_needs_review" in a["planted"])
    assert acc["enterprise_uscc"] is None and acc["enterprise"] in _body(acc)
    registered = {r["enterprise"] for r in truth["credit_ratings"]}
    assert acc["enterprise"] not in registered
    stem = acc["enterprise"].removesuffix("公司")
    sharing = [name for name in registered if name.startswith((stem, "兰州" + stem))]
    assert len(sharing) == 2
    cities = {e["name"]: e["city_code"] for e in truth["enterprises"]}
    assert {cities[name] for name in sharing} == {acc["city_code"]}


def test_registers_print_the_sector_vocabulary(specs):
    for stem in ("lz-credit-ratings", "jq-credit-ratings", "gs-yjt-credit-ratings"):
        spec = specs[stem]
        path = _local(spec["url"])
        if spec["format"] == "csv":
            rows = list(csv.reader(io.StringIO(path.read_bytes().decode(spec.get("encoding", "utf-8-sig")))))
        else:
            rows = [
                ["" if c is None else str(c) for c in r]
                for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)
            ]
        header = rows[spec["header_row"]]
        column = header.index(spec["fields"]["industry"])
        assert {r[column] for r in rows[spec["header_row"] + 1 :]} <= set(SECTORS), stem
