"""etl/enterprise_links.py and normalize_enterprise_name: which records are the same enterprise."""

from __future__ import annotations

import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.enterprise_links import METHODS, EnterpriseIndex, name_id
from etl.normalize.codes import uscc_check_char
from etl.normalize.names import (
    enterprise_match_key,
    is_subordinate_unit,
    normalize_enterprise_name,
    place_prefixes,
)


def uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


CODE_A = uscc("91620100MA7100001")
CODE_B = uscc("91620100MA7100002")


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("示例化工(甘肃)有限公司", "示例化工（甘肃）有限公司"),
        (" 示例化工 （甘肃） 有限公司 ", "示例化工（甘肃）有限公司"),
        ("ＡＢＣ示例有限公司", "ABC示例有限公司"),
        ("示例化工\u3000有限公司", "示例化工有限公司"),
        ("示例化工有限责任公司", "示例化工有限责任公司"),  # a different legal name stays different
        (None, None),
    ],
)
def test_normalize_enterprise_name(raw, expected):
    assert normalize_enterprise_name(raw) == expected


def test_match_key_ignores_script_width_and_brackets():
    assert (
        enterprise_match_key("甘肅省蘭州新區示例化工(集團) 有限公司")
        == "甘肃省兰州新区示例化工（集团）有限公司"
    )
    assert enterprise_match_key("ＡＢＣ示例有限公司") == "ABC示例有限公司"
    assert enterprise_match_key(None) is None


def test_place_prefixes_are_read_off_the_start_only():
    cuts = [
        (rest, [r.name for r in places]) for rest, places in place_prefixes("甘肃省兰州新区示例化工有限公司")
    ]
    assert cuts == [("兰州新区示例化工有限公司", ["甘肃省"]), ("示例化工有限公司", ["甘肃省", "兰州新区"])]
    assert place_prefixes("示例兰州化工有限公司") == []


@pytest.mark.parametrize(
    "tail, unit",
    [
        ("示例煤矿", True),
        ("第三分公司", True),
        ("兰州新区项目部", True),
        ("选矿厂", True),
        ("二矿", True),
        ("示例煤业有限公司", False),
        ("示例集团煤矿", False),
        ("煤矿有限公司", False),
        ("矿", False),
    ],
)
def test_subordinate_units(tail, unit):
    assert is_subordinate_unit(tail) is unit


def test_joins_by_code_whatever_the_name():
    index = EnterpriseIndex()
    assert index.add("示例化工有限公司", CODE_A, "620102") == (CODE_A, None)
    assert index.add("示例化工股份有限公司（更名后）", CODE_A.lower(), "620402") == (CODE_A, None)
    [ent] = index.enterprises()
    assert ent["id"] == ent["uscc"] == CODE_A
    assert ent["record_count"] == 2 and len(ent["names"]) == 2


def test_name_joins_only_within_the_same_city():
    index = EnterpriseIndex()
    index.add("示例化工(甘肃)有限公司", CODE_A, "620102")  # 兰州 城关区
    assert index.add("示例化工（甘肃）有限公司", None, "620123") == (CODE_A, None)  # 兰州 榆中县
    assert index.add("示例化工（甘肃）有限公司", None, "620171") == (CODE_A, None)  # 兰州新区
    other = index.add("示例化工（甘肃）有限公司", None, "620402")  # 白银: not merged
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


RECORDS = [
    ("示例化工（甘肃）有限公司", None, "620102"),
    ("示例化工(甘肃)有限公司", CODE_A, "620103"),
    ("示例建材有限公司", None, "620402"),
    ("示例建材有限公司", CODE_B, "620403"),
    ("另一示例公司", None, None),
]


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
        {CODE_A, CODE_B, name_id("另一示例公司", None)}
    )


@settings(max_examples=200, deadline=500)
@given(
    st.text(max_size=30), st.none() | st.text(max_size=20), st.none() | st.text(max_size=12), st.booleans()
)
def test_never_crash(name, code, region, extracted):
    index = EnterpriseIndex()
    eid, flag = index.add(name, code, region, extracted=extracted)
    assert flag in (None, "check_failed", "ambiguous", "bad_code")
    assert index.links() == ([(eid, flag)] if eid else [])
    index.add("甘肃省" + name + "煤矿", None, region, extracted=True)
    assert all(link.method in METHODS for link in index.evidence())


# --- linking with evidence (etl/enterprise_links.py rules 2 and 3) ---------------------------------

CODE_C = uscc("91620100MA7100003")
CODE_D = uscc("91620400MA7100004")
LANZHOU, LANZHOU_NEW_AREA, BAIYIN, PINGCHUAN = "620102", "620171", "620402", "620403"


def linked(register: list[tuple], name: str, region: str | None, extracted: bool = True):
    """The Link of one record after the register's records (name, code, region) are in."""
    index = EnterpriseIndex()
    for entry in register:
        index.add(*entry)
    index.add(name, None, region, extracted=extracted)
    return index.evidence()[-1]


# (register, record name, record region, expected enterprise (None: not linked), method)
CASES = [
    pytest.param(
        [("兰州示例鑫达化工有限公司", CODE_A, LANZHOU)],
        "兰州示例鑫达化工有限公司",
        LANZHOU,
        CODE_A,
        "exact_name",
        id="exact name",
    ),
    pytest.param(
        [("兰州示例鑫达化工有限公司", CODE_A, LANZHOU)],
        "蘭州示例鑫達化工有限公司",
        LANZHOU,
        CODE_A,
        "exact_name",
        id="traditional script",
    ),
    pytest.param(
        [("示例化工（甘肃）有限公司", CODE_A, LANZHOU)],
        "示例化工(甘肃) 有限公司",
        LANZHOU,
        CODE_A,
        "exact_name",
        id="half-width brackets and a space",
    ),
    pytest.param(
        [("示例化工(甘肃)有限公司", CODE_A, LANZHOU)],
        "示例化工（甘肅）有限公司",
        LANZHOU,
        CODE_A,
        "exact_name",
        id="full-width brackets, traditional",
    ),
    pytest.param(
        [("兰州新区示例化工有限公司", CODE_A, LANZHOU_NEW_AREA)],
        "甘肃省兰州新区示例化工有限公司",
        LANZHOU_NEW_AREA,
        CODE_A,
        "name_without_prefix",
        id="province prefix",
    ),
    pytest.param(
        [("示例化工有限公司", CODE_A, LANZHOU)],
        "兰州市城关区示例化工有限公司",
        LANZHOU,
        CODE_A,
        "name_without_prefix",
        id="city and county prefix",
    ),
    pytest.param(
        [("示例能源集团有限公司", CODE_D, BAIYIN)],
        "示例能源集团有限公司示例煤矿",
        PINGCHUAN,
        CODE_D,
        "parent",
        id="a mine of its company",
    ),
    pytest.param(
        [("示例建设集团有限公司", CODE_A, LANZHOU)],
        "示例建设集团有限公司兰州新区项目部",
        LANZHOU_NEW_AREA,
        CODE_A,
        "parent",
        id="a project team of its company",
    ),
    pytest.param(
        [("示例建设集团有限公司", CODE_A, LANZHOU)],
        "甘肃示例建设集团有限公司第三分公司",
        LANZHOU,
        CODE_A,
        "parent",
        id="a branch with a prefix",
    ),
    # the traps: each resembles a registered name, none may be linked
    pytest.param(
        [("兰州示例化工有限公司", CODE_A, LANZHOU), ("示例化工有限公司", CODE_B, LANZHOU)],
        "兰州示例化工有限公司",
        LANZHOU,
        CODE_A,
        "exact_name",
        id="place that is part of the name",
    ),
    pytest.param(
        [("兰州示例化工有限公司", CODE_A, LANZHOU), ("示例化工有限公司", CODE_B, LANZHOU)],
        "甘肃省兰州示例化工有限公司",
        LANZHOU,
        None,
        "review",
        id="prefix with two candidates",
    ),
    pytest.param(
        [("示例鑫达化工有限公司", CODE_A, LANZHOU), ("示例鑫达化工机械有限公司", CODE_B, LANZHOU)],
        "示例鑫达化工设备有限公司",
        LANZHOU,
        None,
        "review",
        id="two companies sharing a prefix",
    ),
    pytest.param(
        [("示例鑫达化工有限公司", CODE_A, LANZHOU)],
        "示例鑫达化工有限责任公司",
        LANZHOU,
        None,
        "review",
        id="another legal form",
    ),
    pytest.param(
        [("示例建材有限公司", CODE_A, LANZHOU)],
        "示例建材有限公司",
        BAIYIN,
        None,
        "review",
        id="same name in another city",
    ),
    pytest.param(
        [("示例化工有限公司", CODE_A, LANZHOU)],
        "白银示例化工有限公司",
        LANZHOU,
        None,
        "review",
        id="prefix naming another city",
    ),
    pytest.param(
        [("示例化工有限公司", CODE_A, LANZHOU)],
        "甘肃省示例化工有限公司",
        BAIYIN,
        None,
        "review",
        id="prefix, register in another city",
    ),
    pytest.param(
        [("示例化工有限公司", CODE_A, LANZHOU), ("兰州示例化工有限公司", CODE_B, BAIYIN)],
        "兰州示例化工有限公司",
        LANZHOU,
        None,
        "review",
        id="cut form registered, full name elsewhere",
    ),
    pytest.param(
        [("示例能源集团有限公司", CODE_A, BAIYIN)],
        "示例能源集团示例煤矿",
        BAIYIN,
        None,
        "review",
        id="group written without its legal form",
    ),
    pytest.param(
        [("示例能源集团有限公司", CODE_A, BAIYIN)],
        "示例能源集团有限公司示例煤业有限公司",
        BAIYIN,
        None,
        "review",
        id="a subsidiary is a legal person of its own",
    ),
    pytest.param(
        [("示例能源集团有限公司", CODE_A, LANZHOU)],
        "示例能源集团有限公司示例煤矿",
        BAIYIN,
        None,
        "review",
        id="a mine in another city than its company",
    ),
    pytest.param(
        [("示例能源集团有限公司", CODE_A, BAIYIN), ("示例能源集团有限公司示例煤矿", CODE_D, PINGCHUAN)],
        "示例能源集团有限公司示例煤矿",
        BAIYIN,
        CODE_D,
        "exact_name",
        id="a mine registered itself",
    ),
    pytest.param(
        [("示例能源集团有限公司示例煤矿", CODE_D, BAIYIN)],
        "示例能源集团有限公司",
        BAIYIN,
        None,
        "review",
        id="the group, when only its mine is registered",
    ),
    pytest.param(
        [("示例建材有限公司", CODE_A, LANZHOU), ("示例建材有限公司", CODE_B, LANZHOU)],
        "示例建材有限公司",
        LANZHOU,
        None,
        "review",
        id="two codes for one name",
    ),
    pytest.param(
        [("示例建材有限公司", CODE_A, LANZHOU)],
        "另一示例运输有限公司",
        LANZHOU,
        None,
        "none",
        id="nothing alike",
    ),
]


@pytest.mark.parametrize("register, name, region, expected, method", CASES)
def test_links_only_with_evidence(register, name, region, expected, method):
    link = linked(register, name, region)
    assert link.method == method
    if expected is None:
        assert link.enterprise_id.startswith("n-")  # the name as written, linked to no one
        assert bool(link.candidates) == (method == "review")
    else:
        assert link.enterprise_id == expected and not link.candidates


def test_zero_wrong_links_on_the_traps():
    """A link to any enterprise but the right one is wrong; a record left unlinked is not."""
    wrong = []
    for case in CASES:
        register, name, region, expected, _ = case.values
        got = linked(register, name, region).enterprise_id
        if not got.startswith("n-") and got != expected:
            wrong.append(case.id)
    assert wrong == []


def test_review_names_the_candidates_and_why():
    register = [
        ("兰州示例化工有限公司", CODE_A, LANZHOU),
        ("示例化工有限公司", CODE_B, LANZHOU),
        ("示例化工有限公司", CODE_D, BAIYIN),
    ]
    link = linked(register, "甘肃省兰州示例化工有限公司", LANZHOU)
    assert link.flag == "ambiguous"
    assert [(c["id"], c["reason"]) for c in link.candidates] == [
        (CODE_A, "without_prefix"),
        (CODE_B, "without_prefix"),
    ]
    assert link.candidates[0] == {
        "id": CODE_A,
        "name": "兰州示例化工有限公司",
        "city_code": "620100",
        "reason": "without_prefix",
    }
    other = linked(register, "示例化工有限公司", "620902")  # 酒泉: registered in 兰州 and 白银
    assert [(c["id"], c["reason"]) for c in other.candidates] == [
        (CODE_B, "other_city"),
        (CODE_D, "other_city"),
        (CODE_A, "shared_prefix"),
    ]


def test_place_and_parent_rules_are_only_for_names_read_from_reports():
    register = [("兰州新区示例化工有限公司", CODE_A, LANZHOU_NEW_AREA)]
    listed = linked(register, "甘肃省兰州新区示例化工有限公司", LANZHOU_NEW_AREA, extracted=False)
    assert listed.method == "none" and listed.enterprise_id.startswith("n-")


def test_code_links_and_a_failed_check_alone_goes_to_review():
    index = EnterpriseIndex()
    index.add("示例化工有限公司", CODE_A, LANZHOU)
    index.add("示例化工股份有限公司", CODE_A, BAIYIN, extracted=True)
    bad = CODE_B[:-1] + ("0" if CODE_B[-1] != "0" else "1")
    index.add("示例化工有限公司", bad, LANZHOU, extracted=True)
    uscc_link, alone = index.evidence()[1:]
    assert (uscc_link.enterprise_id, uscc_link.method) == (CODE_A, "uscc")
    assert (alone.enterprise_id, alone.flag, alone.method) == (bad, "check_failed", "review")
    assert [c["id"] for c in alone.candidates] == [CODE_A]
    index.add("示例化工有限公司", bad, LANZHOU)  # a second source prints the same code
    assert index.evidence()[2].method == "uscc"


@pytest.mark.parametrize("order", list(itertools.permutations(range(4))))
def test_evidence_does_not_depend_on_order(order):
    records = [
        ("甘肃省兰州新区示例化工有限公司", None, LANZHOU_NEW_AREA, True),
        ("兰州新区示例化工有限公司", CODE_A, "620171", False),
        ("示例能源集团有限公司示例煤矿", None, PINGCHUAN, True),
        ("示例能源集团有限公司", CODE_D, BAIYIN, False),
    ]
    index = EnterpriseIndex()
    for i in order:
        index.add(*records[i][:3], extracted=records[i][3])
    found = dict(zip(order, index.evidence()))
    assert (found[0].enterprise_id, found[0].method) == (CODE_A, "name_without_prefix")
    assert (found[2].enterprise_id, found[2].method) == (CODE_D, "parent")


# --- etl/derive.py: the evidence on the accident row, 行业 from the register ----------------


def _derived(tmp_path, monkeypatch, sector=None):
    import json

    from etl import db, derive

    if sector is not None:  # a classifier that records what it was asked
        monkeypatch.setattr(derive, "sector_from_register", sector)
    conn = db.connect(tmp_path / "d.db")
    common = {"source_id": "s", "record_hash": "h"}

    def insert(table, **row):
        row = {**common, **row}
        conn.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", list(row.values())
        )

    insert(
        "credit_ratings",
        id="r1",
        enterprise_name="兰州示例化工有限公司",
        uscc=CODE_A,
        rating="A",
        region_code=LANZHOU,
        industry="危险化学品生产",
    )
    insert(
        "credit_ratings",
        id="r2",
        enterprise_name="示例化工有限公司",
        uscc=CODE_B,
        rating="B",
        region_code=LANZHOU,
        industry="危险化学品经营",
    )
    insert(
        "credit_ratings",
        id="r3",
        enterprise_name="示例能源集团有限公司",
        uscc=CODE_D,
        rating="B",
        region_code=BAIYIN,
        industry="煤炭开采",
    )
    insert(
        "accidents", id="a1", title="t1", enterprise_name="甘肃省兰州示例化工有限公司", region_code=LANZHOU
    )
    insert(
        "accidents",
        id="a2",
        title="t2",
        enterprise_name="示例能源集团有限公司示例煤矿",
        region_code=PINGCHUAN,
    )
    insert("accidents", id="a3", title="t3", enterprise_name=None, region_code=LANZHOU)
    insert(
        "accidents",
        id="a4",
        title="t4",
        enterprise_name="兰州示例化工有限公司",
        region_code=LANZHOU,
        industry="建筑施工",
    )
    derive.refresh(conn, 1, "2026-06-30T00:00:00Z")
    rows = {
        r["id"]: dict(r)
        for r in conn.execute(
            "SELECT id, enterprise_id, enterprise_link_method AS method, enterprise_link_candidates AS"
            " candidates, industry FROM accidents"
        )
    }
    for row in rows.values():
        row["candidates"] = json.loads(row["candidates"]) if row["candidates"] else None
    return conn, rows


def test_derive_records_how_each_accident_is_linked(tmp_path, monkeypatch):
    conn, rows = _derived(tmp_path, monkeypatch)
    assert rows["a1"]["method"] == "review" and rows["a1"]["enterprise_id"].startswith("n-")
    assert [c["id"] for c in rows["a1"]["candidates"]] == [CODE_A, CODE_B]
    assert (rows["a2"]["enterprise_id"], rows["a2"]["method"]) == (CODE_D, "parent")
    assert rows["a2"]["candidates"] is None
    assert (rows["a3"]["enterprise_id"], rows["a3"]["method"]) == (None, "none")
    assert (rows["a4"]["enterprise_id"], rows["a4"]["method"]) == (CODE_A, "exact_name")
    assert rows["a2"]["industry"] == "煤矿"  # the register's 煤炭开采, through the parent link
    before = conn.execute("SELECT * FROM accidents ORDER BY id").fetchall()
    from etl import derive

    derive.refresh(conn, 2, "2026-06-30T00:00:00Z")
    after = conn.execute("SELECT * FROM accidents ORDER BY id").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in before]  # a second run changes nothing


def test_derive_takes_industry_from_the_register_only_for_evidence_links(tmp_path, monkeypatch):
    seen = []

    def sector(text):
        seen.append(text)
        return {"煤炭开采": "煤矿"}.get(text, "危险化学品")

    _, rows = _derived(tmp_path, monkeypatch, sector)
    assert rows["a2"]["industry"] == "煤矿"  # parent link: the company's register entry
    assert rows["a1"]["industry"] is None  # under review: no register entry is its own
    assert rows["a4"]["industry"] == "建筑施工"  # the report's own value stays
    assert seen == ["煤炭开采"]
