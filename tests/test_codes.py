"""etl/normalize/codes.py: USCC (GB 32100), 组织机构代码 (GB 11714), 注册号 (GS 15), 身份证 (GB 11643).
GB 32100-2015 / GB 11643-1999 test vectors."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize.codes import (
    USCC_CHARS,
    check_id_number,
    check_org_code,
    check_reg_no,
    check_uscc,
    classify_18,
    describe_code,
    id_check_char,
    normalize_code,
    org_code_check_char,
    reg_no_check_digit,
    uscc_check_char,
)

# Published codes of real companies: every one passes the USCC check and the GB 11714 check.
REAL_USCC = [
    "914403001922038216",
    "9144030071526726XG",
    "91110000802100433B",
    "91110000710925462X",
    "91350802581142663K",
    "91110000710926094P",
]
# Fabricated sample codes that fail.
FABRICATED = {"91110108717809965C": "J", "91110000722601458H": "R"}
# Lawful early pilot-area codes (Fujian) whose check character does not match.
PILOT = ["91350100M0001TGQXM", "91350211M0000XUF46", "91350203M0001FUE2P"]


def _gansu_id(body17: str) -> str:
    return body17 + id_check_char(body17)


@pytest.mark.parametrize("code", REAL_USCC)
def test_real_uscc_pass_both_checks(code):
    result = check_uscc(code)
    assert result.valid, result.problems
    assert result.details["org_code_valid"] is True
    assert uscc_check_char(code[:17]) == code[17]


@pytest.mark.parametrize("code, expected", FABRICATED.items())
def test_fabricated_uscc_fail_with_reason(code, expected):
    result = check_uscc(code)
    assert not result.valid
    assert any(f"应为{expected}" in p for p in result.problems)


@pytest.mark.parametrize("code", PILOT)
def test_pilot_codes_are_flagged_not_rejected(code):
    result = check_uscc(code)
    assert result.kind == "uscc" and not result.valid
    assert [p for p in result.problems if "校验码不符" in p] == result.problems
    assert result.details["org_code"]  # still fully described


@pytest.mark.parametrize(
    "raw, expected",
    [
        (" 9135 0802 5811 4266 3k ", "91350802581142663K"),
        ("９１３５０８０２５８１１４２６６３Ｋ", "91350802581142663K"),
        ("D2143569-X", "D2143569X"),
        ("12345678－9", "123456789"),
        ("", ""),
        (None, ""),
    ],
)
def test_normalize_code(raw, expected):
    assert normalize_code(raw) == expected


def test_uscc_structure_details_for_gansu_code():
    first17 = "91620200MA7100000"  # 嘉峪关 registry (GB/T 2260: 620200)
    result = check_uscc(first17 + uscc_check_char(first17))
    assert result.valid
    assert result.details["registry_dept"] == "工商"
    assert result.details["org_category"] == "企业"
    assert result.details["region_code"] == "620200"
    assert result.details["region_name"] == "嘉峪关市"


@pytest.mark.parametrize(
    "code, words",
    [
        ("9135080258114266", ["长度应为18位"]),
        ("91350802581142663I", ["不允许的字符", "I"]),
        ("O1350802581142663K", ["不允许的字符"]),
        ("94350802581142663K", ["机构类别代码4"]),
        ("91AB0802581142663K", ["行政区划码应为数字"]),
        ("91990802581142663K", ["省级前缀"]),
        ("91623****", ["遮蔽"]),
    ],
)
def test_uscc_problems_are_explained(code, words):
    result = check_uscc(code)
    assert not result.valid
    text = "；".join(result.problems)
    assert all(w in text for w in words), text


def test_uscc_check_char_rejects_bad_input():
    with pytest.raises(ValueError):
        uscc_check_char("91350802")
    with pytest.raises(ValueError):
        uscc_check_char("9135080258114266I")


@pytest.mark.parametrize(
    "code, valid",
    [
        ("D2143569-X", True),  # GB 11714-1997 example
        ("D2143569-1", False),
        ("71526726-X", True),  # embedded in 9144030071526726XG
        ("19220382-1", True),  # embedded in 914403001922038216
        ("1922038", False),
    ],
)
def test_org_code(code, valid):
    assert check_org_code(code).valid is valid


def test_org_code_check_char_mapping():
    # 10 → X and 11 → 0 (GB 11714)
    assert org_code_check_char("71526726") == "X"
    assert org_code_check_char("abc") is None


@pytest.mark.parametrize(
    "code, valid",
    [
        ("110108000000016", True),  # GS 15-2006 example
        ("110108000000017", False),
        ("11010800000001", False),
        ("11010800000001A", False),
    ],
)
def test_reg_no(code, valid):
    assert check_reg_no(code).valid is valid


def test_reg_no_mod_11_10_against_iso_vector():
    # ISO 7064 MOD 11,10 as used by German VAT numbers: DE123456788 is valid.
    product = 10
    for ch in "12345678":
        product = ((int(ch) + product) % 10 or 10) * 2 % 11
    assert (11 - product) % 10 == 8
    assert reg_no_check_digit("1101080000000") is None  # 13 digits


@pytest.mark.parametrize(
    "code, valid, problem",
    [
        ("34052419800101001X", True, None),  # GB 11643-1999 test vector
        ("34052419800101001x", True, None),
        ("340524198001010013", False, "应为X"),  # same number, wrong check character
        ("11010519491231002X", True, None),  # GB 11643 example
        ("340524198002300019", False, "出生日期"),
        ("990524198001010010", False, "省级前缀"),
        ("3405241980010100", False, "18位"),
    ],
)
def test_id_number(code, valid, problem):
    result = check_id_number(code)
    assert result.valid is valid
    if problem:
        assert any(problem in p for p in result.problems)


def test_id_number_details_never_expose_birth_date():
    code = _gansu_id("62010219900101123")
    result = check_id_number(code)
    assert result.valid
    assert result.details == {"region_code": "620102", "region_name": "城关区"}
    assert "19900101" not in repr(result.details)


@pytest.mark.parametrize(
    "code, kind",
    [
        ("914403001922038216", "uscc"),  # all digits, 9x: no province starts with 9
        ("91110000710925462X", "uscc"),
        ("91350100M0001TGQXM", "uscc"),
        ("34052419800101001X", "id_number"),
        ("11010519491231002X", "id_number"),
        ("340524198001010013", "id_number"),  # wrong check digit: still an ID shape, still masked
        ("003456789012345678", None),
        ("91350802", None),
    ],
)
def test_classify_18(code, kind):
    assert classify_18(code) == kind


def test_classify_18_ambiguous_shape_decided_by_checks_then_label_then_privacy():
    # 12 = 机构编制/事业单位 and 12 = 天津: both shapes. Build one whose USCC check passes
    # and ID check fails, and the reverse.
    body = "12620119800101123"  # ID: 天津 126201, born 19800101; USCC: 12 + region 620119
    uscc = body + uscc_check_char(body)
    ident = body + id_check_char(body)
    if uscc != ident:
        assert classify_18(uscc) == "uscc"
        assert classify_18(ident) == "id_number"
    neither = body + next(c for c in "0123456789" if c not in (uscc[-1], ident[-1]))
    assert classify_18(neither) == "id_number"  # privacy first
    assert classify_18(neither, hint="uscc") == "uscc"


@pytest.mark.parametrize(
    "code, kind, valid",
    [
        ("91350802581142663K", "uscc", True),
        ("34052419800101001X", "id_number", True),
        ("110108000000016", "reg_no", True),
        ("D2143569-X", "org_code", True),
        ("91623****", "uscc", False),
        ("412***********7714", "id_number", False),
        ("12345", "unknown", False),
        ("", "unknown", False),
    ],
)
def test_describe_code(code, kind, valid):
    result = describe_code(code)
    assert (result.kind, result.valid) == (kind, valid)
    assert result.valid or result.problems


_USCC_BODY = st.tuples(
    st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "N1", "Y1"]),
    st.from_regex(r"(62|11|44|10)[0-9]{4}", fullmatch=True),
    st.text(alphabet=USCC_CHARS, min_size=9, max_size=9),
).map("".join)


@settings(max_examples=200, deadline=500)
@given(_USCC_BODY)
def test_any_generated_uscc_validates(first17):
    code = first17 + uscc_check_char(first17)
    assert check_uscc(code).valid
    assert describe_code(code).kind in ("uscc", "id_number")


@settings(max_examples=200, deadline=500)
@given(
    st.from_regex(
        r"62[0-9]{4}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True
    )
)
def test_any_generated_id_validates_and_classifies(first17):
    code = first17 + id_check_char(first17)
    assert check_id_number(code).valid
    assert describe_code(code).kind == "id_number"


@settings(max_examples=300, deadline=500)
@given(st.text())
def test_never_crash(s):
    for check in (check_uscc, check_org_code, check_reg_no, check_id_number, describe_code):
        result = check(s)
        assert result.valid or result.problems
    classify_18(s)
