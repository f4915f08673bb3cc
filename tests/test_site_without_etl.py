"""The site (plugins/) imports nothing from the ETL package: it reads the public database, the data
dictionary (etl/schema.yaml) as YAML and the region table as CSV. What it reads says what the
ETL's own modules say."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl import schema
from etl.normalize import regions as etl_regions
from etl.rules import rectification, vocabulary
from plugins.disclosure import dictionary, filters, pages, pages_more
from plugins.disclosure.regions import Regions

ROOT = Path(__file__).resolve().parent.parent


def _imported(path: Path) -> set[str]:
    """The top-level names of every module a file imports (relative imports left out)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_no_site_module_imports_the_etl_package():
    files = sorted((ROOT / "plugins").rglob("*.py"))
    assert files
    importing = [str(p.relative_to(ROOT)) for p in files if "etl" in _imported(p)]
    assert not importing, f"these import the ETL package: {importing}"


def test_the_import_check_sees_every_form(tmp_path):
    source = tmp_path / "m.py"
    source.write_text(
        "import etl\nimport etl.schema as s\nfrom etl.rules import x\n"
        "def f():\n    from etl import y\nfrom . import etl_like\nfrom .etl import z\n",
        encoding="utf-8",
    )
    assert _imported(source) == {"etl"}


def test_the_site_reads_the_dictionary_as_the_etl_gives_it_to_the_public_database():
    site = dictionary.load(schema.SCHEMA_PATH)
    etl = schema.for_database("public")
    assert site["database"] == schema.load()["database"]
    assert site["tables"] == {n: t for n, t in etl.items() if not n.endswith(schema.FTS_SUFFIX)}


def test_a_missing_dictionary_is_empty(tmp_path):
    assert dictionary.load(tmp_path / "none.yaml") == {"database": {}, "tables": {}}
    assert dictionary.load(None) == {"database": {}, "tables": {}}


def test_the_dictionary_holds_the_words_the_etl_writes():
    labels = pages_more.Labels(dictionary.load(schema.SCHEMA_PATH))
    assert labels.values("accidents", "rect_status_zh") == rectification.STATUS_LABELS
    assert tuple(labels.values("accidents", "accident_type")) == vocabulary.ACCIDENT_TYPES
    assert tuple(labels.values("accidents", "industry")) == vocabulary.SECTORS


def test_rectification_labels_cover_every_status():
    class D:
        code_labels = pages_more.Labels(dictionary.load(schema.SCHEMA_PATH))

    assert pages.rect_labels(D()) == rectification.STATUS_LABELS
    assert set(pages.rect_labels(object())) == set(pages.RECT_ORDER)  # no dictionary: the codes


_TYPES = [
    *vocabulary.ACCIDENT_TYPES,
    "爆炸",
    "其它",
    "车辆伤害（道路运输）",
    "坍塌/基坑坍塌",
    "未知（x）",
    "",
    None,
]


@given(st.lists(st.sampled_from(_TYPES) | st.text(max_size=8)))
def test_type_and_sector_order_are_the_vocabulary_modules(values):
    types, sectors = vocabulary.ACCIDENT_TYPES, vocabulary.SECTORS
    keys = [v or "" for v in values]
    assert sorted(keys, key=lambda v: filters.type_order(types, v)) == sorted(keys, key=vocabulary.type_order)
    words = [*keys, *sectors]
    assert sorted(words, key=lambda v: filters.word_order(sectors, v)) == sorted(
        words, key=vocabulary.sector_order
    )
    for v in values:
        assert filters.type_order(types, v) == vocabulary.type_order(v)


def _codes() -> list[str]:
    table = etl_regions.load_regions("620000")
    codes = set(table)
    for region in table.values():
        codes |= set(region.stat_codes)
    extra = ["620824", "620899", "621299", "620100123", "620102001001", "620201", "620000", "610102", ""]
    return sorted(codes) + [c + "001" for c in sorted(codes)[:5]] + extra + ["62010", "abc", " 620102 "]


@pytest.mark.parametrize("code", _codes())
def test_the_site_names_places_as_the_etl(code):
    site = Regions.load("620000")
    assert site.name(code) == etl_regions.region_name(code, "620000")
    city = etl_regions.city_of(code, "620000")
    assert site.city(code) == ((city.code, city.name) if city else None)


def test_every_city_of_the_province():
    expected = [(r.code, r.name) for r in etl_regions.cities("620000")]
    assert Regions.load("620000").cities() == expected and len(expected) == 14


def test_a_province_without_a_region_table_names_nothing(tmp_path):
    empty = Regions.load("990000", tmp_path)
    assert empty.cities() == [] and empty.name("990101") is None and empty.city("990101") is None
