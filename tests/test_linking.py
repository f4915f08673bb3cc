"""etl/linking.py and normalize_enterprise_name: which records are the same enterprise."""
from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given, settings, strategies as st

from etl.linking import EnterpriseIndex, name_id
from etl.normalize.codes import uscc_check_char
from etl.normalize.names import normalize_enterprise_name


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


CODE_A = uscc("91620100MA7100001")
CODE_B = uscc("91620100MA7100002")


@pytest.mark.parametrize("raw, expected", [
    ("示例化工(甘肃)有限公司", "示例化工（甘肃）有限公司"),
    (" 示例化工 （甘肃） 有限公司 ", "示例化工（甘肃）有限公司"),
    ("ＡＢＣ示例有限公司", "ABC示例有限公司"),
    ("示例化工\u3000有限公司", "示例化工有限公司"),
    ("示例化工有限责任公司", "示例化工有限责任公司"),  # a different legal name stays different
    (None, None),
])
def test_normalize_enterprise_name(raw, expected):
    assert normalize_enterprise_name(raw) == expected


def test_joins_by_code_whatever_the_name():
    index = EnterpriseIndex()
    assert index.add("示例化工有限公司", CODE_A, "620102") == (CODE_A, None)
    assert index.add("示例化工股份有限公司（更名后）", CODE_A.lower(), "620402") == (CODE_A, None)
    [ent] = index.enterprises()
    assert ent["id"] == ent["uscc"] == CODE_A
    assert ent["record_count"] == 2 and len(ent["names"]) == 2


def test_name_joins_only_within_the_same_city():
    index = EnterpriseIndex()
    index.add("示例化工(甘肃)有限公司", CODE_A, "620102")     # 兰州 城关区
    assert index.add("示例化工（甘肃）有限公司", None, "620123") == (CODE_A, None)  # 兰州 榆中县
    assert index.add("示例化工（甘肃）有限公司", None, "620171") == (CODE_A, None)  # 兰州新区
    other = index.add("示例化工（甘肃）有限公司", None, "620402")   # 白银: not merged
    assert other == (name_id("示例化工（甘肃）有限公司", "620400"), None)
    no_region = index.add("示例化工（甘肃）有限公司", None, None)
    assert no_region[0] == name_id("示例化工（甘肃）有限公司", None)


def test_a_name_with_two_codes_is_ambiguous_and_not_merged():
    index = EnterpriseIndex()
    index.add("示例建材有限公司", CODE_A, "620102")
    index.add("示例建材有限公司", CODE_B, "620103")
    eid, flag = index.add("示例建材有限公司", None, "620104")
    assert flag == "ambiguous" and eid.startswith("n-")
    assert eid not in (CODE_A, CODE_B)


def test_failed_check_is_flagged_not_rejected():
    bad = CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")
    assert EnterpriseIndex().add("示例公司", bad, "620102") == (bad, "check_failed")


def test_masked_or_malformed_code_links_by_name():
    index = EnterpriseIndex()
    eid, flag = index.add("示例公司", "91623****", "620102")
    assert flag == "bad_code" and eid == name_id("示例公司", "620100")


def test_nothing_to_link():
    assert EnterpriseIndex().add("", None, "620102") == (None, None)


def test_name_id_formula():
    expected = "n-" + hashlib.sha1("示例公司|620100".encode("utf-8")).hexdigest()[:12]
    assert name_id("示例公司", "620100") == expected
    assert name_id("示例公司", None) == "n-" + hashlib.sha1("示例公司|".encode()).hexdigest()[:12]


RECORDS = [("示例化工（甘肃）有限公司", None, "620102"), ("示例化工(甘肃)有限公司", CODE_A, "620103"),
           ("示例建材有限公司", None, "620402"), ("示例建材有限公司", CODE_B, "620403"),
           ("另一示例公司", None, None)]


@pytest.mark.parametrize("order", list(itertools.permutations(range(len(RECORDS))))[::17])
def test_final_links_do_not_depend_on_order(order):
    index = EnterpriseIndex()
    for i in order:
        index.add(*RECORDS[i])
    final = dict(zip(order, index.links()))
    assert final[0][0] == final[1][0] == CODE_A
    assert final[2][0] == final[3][0] == CODE_B
    assert final[4][0] == name_id("另一示例公司", None)
    assert sorted(e["id"] for e in index.enterprises()) == sorted(
        {CODE_A, CODE_B, name_id("另一示例公司", None)})


@settings(max_examples=200, deadline=500)
@given(st.text(max_size=30), st.none() | st.text(max_size=20), st.none() | st.text(max_size=12))
def test_never_crash(name, code, region):
    index = EnterpriseIndex()
    eid, flag = index.add(name, code, region)
    assert flag in (None, "check_failed", "ambiguous", "bad_code")
    assert index.links() == ([(eid, flag)] if eid else [])
