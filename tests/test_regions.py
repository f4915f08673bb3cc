"""etl/normalize/regions.py and data/reference/regions_620000.csv (GB/T 2260, 国家统计局 统计用区划代码)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl import settings as etl_settings
from etl.normalize import regions
from etl.normalize.regions import (
    Region,
    cities,
    city_of,
    counties,
    find_regions,
    load_regions,
    region_name,
    resolve_region,
)

# GB/T 2260: the 14 市州 and, per 市州, the number of county-level divisions.
CITIES = {
    "620100": "兰州市",
    "620200": "嘉峪关市",
    "620300": "金昌市",
    "620400": "白银市",
    "620500": "天水市",
    "620600": "武威市",
    "620700": "张掖市",
    "620800": "平凉市",
    "620900": "酒泉市",
    "621000": "庆阳市",
    "621100": "定西市",
    "621200": "陇南市",
    "622900": "临夏回族自治州",
    "623000": "甘南藏族自治州",
}
COUNTIES_PER_CITY = {
    "620100": 8,
    "620200": 0,
    "620300": 2,
    "620400": 5,
    "620500": 7,
    "620600": 4,
    "620700": 6,
    "620800": 7,
    "620900": 7,
    "621000": 8,
    "621100": 7,
    "621200": 9,
    "622900": 8,
    "623000": 8,
}


def test_reference_table_matches_gb_t_2260():
    table = load_regions("620000")
    assert {r.code: r.name for r in cities()} == CITIES
    assert len(counties()) == 86 == sum(COUNTIES_PER_CITY.values())
    for code, n in COUNTIES_PER_CITY.items():
        assert len([r for r in counties() if r.parent_code == code]) == n, code
    assert table["620171"] == Region("620171", "兰州新区", "functional", "620100")
    assert table["620000"].level == "province"


def test_codes_nest():
    for region in load_regions().values():
        if region.level in ("county", "functional"):
            assert region.code[:4] + "00" == region.parent_code
        elif region.level == "city":
            assert region.parent_code == "620000"


@pytest.mark.parametrize(
    "text, code",
    [
        ("临夏市", "622901"),
        ("临夏县", "622921"),
        ("临夏州", "622900"),
        ("临夏回族自治州", "622900"),
        ("甘肃省平凉市静宁县", "620826"),
        ("庆阳市正宁县", "621025"),
        ("庆阳市宁县", "621026"),
        ("事故发生在宁县境内", "621026"),
        ("环县", "621022"),
        ("兰州市城关区", "620102"),
        ("兰州市", "620100"),
        ("兰州", "620100"),
        ("兰州新区", "620171"),
        ("华亭县", "620881"),
        ("华亭市", "620881"),
        ("张家川县", "620525"),
        ("张家川回族自治县", "620525"),
        ("东乡县", "622926"),
        ("积石山县", "622927"),
        ("甘南州合作市", "623001"),
        ("甘南州", "623000"),
        ("嘉峪关市", "620200"),
        ("白银市白银区", "620402"),
        ("白银", "620400"),
        ("肃北县", "620923"),
        ("阿克塞县", "620924"),
        ("天祝县", "620623"),
        ("甘肃", "620000"),
        ("G75兰海高速公路临洮段", "621124"),  # road segments use the county stem
        ("兰州示例公司在景泰县施工", "620423"),  # a county beats a city
        ("兰州市…城关区…榆中县", "620102"),
        ("一辆由兰州开往合作市的客车在临夏县境内侧翻", "622921"),  # 境内 names the place
    ],
)
def test_resolve_region(text, code):
    assert resolve_region(text).code == code


@pytest.mark.parametrize(
    "text",
    [
        "宁夏永宁县",
        "内蒙古集宁区",
        "",
        None,
        "玉门市场",
        "农民专业合作市场",
        "城关镇",
        "安宁",
        "一个县",
        "静宁",
        "北京市朝阳区",
    ],
)
def test_no_false_matches(text):
    assert resolve_region(text) is None


def test_every_name_alias_and_stem_is_found_inside_long_text():
    """find_regions jumps between the characters a name can start with: none may be missed,
    wherever the name sits in a long report."""
    index = regions._name_index(None)[0]
    filler = "事故调查组经现场勘验认定，" * 300
    for name, region in index.items():
        found = find_regions(f"{filler}，{name}，{filler}")
        assert [(r.code, e - s) for r, s, e in found] == [(region.code, len(name))], name
    for stem, region in regions._stem_index(None).items():
        found = find_regions(f"{filler}G30线{stem}段{filler}")
        expected = index.get(stem, region)  # a full name (白银) is matched before a stem
        assert [(r.code, e - s) for r, s, e in found] == [(expected.code, len(stem))], stem


def test_substring_names_never_match_inside_longer_names():
    names = [(r.name, s, e) for r, s, e in find_regions("静宁县、正宁县和宁县")]
    assert names == [("静宁县", 0, 3), ("正宁县", 4, 7), ("宁县", 8, 10)]


@pytest.mark.parametrize(
    "code, city",
    [
        ("620102", "620100"),
        ("620171", "620100"),
        ("620100", "620100"),
        ("622927", "622900"),
        ("620824", "620800"),  # old 华亭县 code: falls back to its city
        ("620201", "620200"),  # statistics placeholder for 嘉峪关
        ("620102001000", "620100"),  # 12-digit 统计用区划代码
    ],
)
def test_city_of(code, city):
    assert city_of(code).code == city


@pytest.mark.parametrize("code", ["620000", "110101", "", None, "abc", "6201"])
def test_city_of_none(code):
    assert city_of(code) is None


def test_region_name():
    assert region_name("620525") == "张家川回族自治县"
    assert region_name("110000") is None
    assert region_name(None) is None


def test_province_is_configurable(tmp_path, monkeypatch):
    (tmp_path / "regions_990000.csv").write_text(
        "code,name,level,parent_code,aliases\n990000,示例省,province,,\n"
        "990100,示例市,city,990000,示例\n990102,示例区,county,990100,\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(etl_settings, "REFERENCE", tmp_path)
    monkeypatch.setattr(etl_settings, "PROVINCE_CODE", "990000")
    for cached in (regions.load_regions, regions._name_index, regions._stem_index, regions._code_index):
        cached.cache_clear()
    try:
        assert resolve_region("示例市示例区").code == "990102"
        assert city_of("990102").name == "示例市"
        assert resolve_region("兰州市") is None
    finally:
        for cached in (regions.load_regions, regions._name_index, regions._stem_index, regions._code_index):
            cached.cache_clear()


def test_missing_province_file_is_loud(tmp_path, monkeypatch):
    monkeypatch.setattr(etl_settings, "REFERENCE", tmp_path)
    regions.load_regions.cache_clear()
    try:
        with pytest.raises(FileNotFoundError):
            load_regions("980000")
    finally:
        regions.load_regions.cache_clear()


@settings(max_examples=300, deadline=500)
@given(st.text())
def test_never_crash(s):
    region = resolve_region(s)
    assert region is None or region.code in load_regions()
    city_of(s)


# --- Codes outside GB/T 2260 that registrations carry -----------------------------------------
# 620201: a 统计用区划代码 (国家统计局) that some registrations carry for 嘉峪关市; GB/T 2260 has
# only 620200 (a prefecture-level city without districts). 620171: 兰州新区, a 国家级新区 with a
# statistics code only, so a functional area (功能区) of 兰州市, not a county.
# Check characters below follow GB 32100-2015: weights 3^(i-1) mod 31, check = 31 - (S mod 31).
USCC_JIAYUGUAN = "91620201MA72C3D4EC"  # positions 3-8: 620201
USCC_LANZHOU_NEW_AREA = "91620171MA72C3D4FN"  # positions 3-8: 620171
_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _gb32100_check(first17: str) -> str:
    s = sum(_CHARSET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return _CHARSET[(31 - s % 31) % 31]


@pytest.mark.parametrize("code", [USCC_JIAYUGUAN, USCC_LANZHOU_NEW_AREA])
def test_sample_codes_are_valid(code):
    from etl.normalize.codes import check_uscc

    assert _gb32100_check(code[:17]) == code[17]
    assert check_uscc(code).valid


@pytest.mark.parametrize("code", ["620201", "620201000000", "620201001"])
def test_jiayuguan_statistics_code_is_jiayuguan(code):
    assert regions.get_region(code) == load_regions()["620200"]
    assert region_name(code) == "嘉峪关市"
    assert city_of(code).code == "620200"
    assert resolve_region(code).code == "620200"


def test_statistics_code_is_not_a_region_of_its_own():
    assert "620201" not in load_regions()
    assert [r.code for r in cities() if r.name == "嘉峪关市"] == ["620200"]
    assert not [r for r in counties() if r.parent_code == "620200"]


def test_lanzhou_new_area_is_a_functional_area_of_lanzhou():
    new_area = regions.get_region("620171")
    assert (new_area.name, new_area.level, new_area.parent_code) == ("兰州新区", "functional", "620100")
    assert regions.LEVEL_LABELS[new_area.level] == "功能区"
    assert regions.level_label("620171") == "功能区"
    assert regions.level_label("620102") == "县区"
    assert regions.level_label("620200") == "市州"
    assert new_area not in counties()
    assert city_of("620171").name == "兰州市"
    assert resolve_region("620171") == new_area
    assert resolve_region("兰州新区") == new_area


@pytest.mark.parametrize(
    "code, name",
    [
        ("620102", "城关区"),
        ("620200", "嘉峪关市"),
        ("620000", "甘肃省"),
        ("６２０１７１", "兰州新区"),
        ("620824", "平凉市"),
    ],
)  # old 华亭县 code: its city
def test_resolve_region_reads_a_code(code, name):
    """A source's region field may be a code (gs-credit-records maps region to dqdm, 地区代码)."""
    assert resolve_region(code).name == name


@pytest.mark.parametrize("code", ["110101", "629999", "62010", "6201021"])
def test_resolve_region_unknown_code(code):
    assert resolve_region(code) is None


def test_uscc_positions_3_to_8():
    from etl.normalize.codes import check_uscc

    details = check_uscc(USCC_JIAYUGUAN).details
    assert (details["region_code"], details["region_name"]) == ("620201", "嘉峪关市")
    assert city_of(details["region_code"]).code == "620200"
    details = check_uscc(USCC_LANZHOU_NEW_AREA).details
    assert (details["region_code"], details["region_name"]) == ("620171", "兰州新区")
    assert city_of(details["region_code"]).code == "620100"


def _spec(source_id):
    from etl.spec import load_specs

    return load_specs(only=[source_id])[0]


def _hub(table_row: dict, name_key: str, code_key: str) -> dict:
    """The enterprise hub etl/derive.py builds from a normalized record (link_enterprises reads
    region_code from the record's table)."""
    from etl.derive import _merge, _new_hub

    row = {
        "name": table_row[name_key],
        "code": table_row[code_key],
        "region_code": table_row["region_code"],
        "industry": table_row.get("industry"),
        "source_id": "test",
    }
    hub = _new_hub(row)
    _merge(hub, row, None)
    return hub


@pytest.mark.parametrize(
    "uscc, region, expected",
    [
        # gs-credit-records maps region to dqdm, the registration's 地区代码.
        (USCC_JIAYUGUAN, USCC_JIAYUGUAN[2:8], ("620200", "620200", "嘉峪关市")),
        (USCC_LANZHOU_NEW_AREA, USCC_LANZHOU_NEW_AREA[2:8], ("620171", "620100", "兰州新区")),
    ],
)
def test_registration_region_through_the_etl(uscc, region, expected):
    from etl.datasets import credit_records
    from etl.datasets.common import Context

    fields = {
        "enterprise_name": "示例嘉峪关钢铁有限公司",
        "uscc": uscc,
        "record_type": "行政处罚",
        "decided_on": "2025-03-01",
        "region": region,
    }
    record = credit_records.normalize(fields, Context(_spec("gs-credit-records"), "file://x", 1))
    hub = _hub(record["credit_records"][0], "enterprise_name", "uscc")
    assert (hub["uscc"], hub["uscc_valid"]) == (uscc, 1)
    assert (hub["region_code"], hub["city_code"], hub["region_name"]) == expected


@pytest.mark.parametrize(
    "source_id, region, expected",
    [
        ("lz-credit-ratings", "兰州新区", ("620171", "620100", "兰州新区")),
        ("gs-yjt-credit-ratings", "嘉峪关市", ("620200", "620200", "嘉峪关市")),
        ("gs-yjt-credit-ratings", "嘉峪关", ("620200", "620200", "嘉峪关市")),
    ],
)
def test_source_region_text_through_the_etl(source_id, region, expected):
    from etl.datasets import credit_ratings
    from etl.datasets.common import Context

    fields = {
        "enterprise_name": "示例新区化工有限公司",
        "uscc": USCC_LANZHOU_NEW_AREA,
        "rating": "A",
        "rating_year": "2024",
        "region": region,
    }
    record = credit_ratings.normalize(fields, Context(_spec(source_id), "file://x", 1))
    hub = _hub(record["credit_ratings"][0], "enterprise_name", "uscc")
    assert (hub["region_code"], hub["city_code"], hub["region_name"]) == expected
