"""Identifier codes: 统一社会信用代码 (GB 32100-2015), 组织机构代码 (GB 11714), 15-digit 工商注册号
(GS 15-2006) and 居民身份证号码 (GB 11643-1999). Test vectors: tests/test_codes.py.

A failed check is reported (valid=False, problems=[...]) and never raises: some lawful early
codes fail their check character, so callers flag the record instead of rejecting it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from operator import mul

from etl.normalize.text import to_halfwidth

# --- GB 32100-2015 (check character MOD 31) -------------------------------------------------
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, ... (3^(i-1) mod 31)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}
REGISTRY_DEPTS = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}
# 机构类别代码 per registry department, as confirmed in GB 32100-2015. For the other departments
# the category table was not confirmed, so any digit is accepted there and no name is shown.
ORG_CATEGORIES = {
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直管机构编制的群众团体", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
}
# First two digits of GB/T 2260 codes (provinces; 71/81/82 Taiwan, Hong Kong, Macao), plus 10
# for registrations by national authorities (100000).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82".split()
)
_USCC_SHAPE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}")

# --- GB 11714 (embedded organisation code) --------------------------------------------------
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
# --- GB 11643-1999 (check ISO 7064 MOD 11-2) ------------------------------------------------
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]  # 2^(18-i) mod 11
ID_CHECK = "10X98765432"
# Plausible birth years for a living person named in a document; used only to tell an ID number
# from other 18-character strings, never shown.
ID_BIRTH_YEARS = range(1900, 2100)

KINDS = ("uscc", "org_code", "reg_no", "id_number", "unknown")
KIND_LABELS = {
    "uscc": "统一社会信用代码",
    "org_code": "组织机构代码",
    "reg_no": "工商注册号",
    "id_number": "居民身份证号码",
    "unknown": "无法识别的代码",
}


@dataclass
class CodeCheck:
    kind: str
    normalized: str
    valid: bool
    problems: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)


def normalize_code(s: str | None) -> str:
    """Half-width, upper-case, without spaces or hyphens (组织机构代码 is often printed
    12345678-9)."""
    if not s:
        return ""
    s = to_halfwidth(str(s), parens=True, punctuation=True)
    return re.sub(r"[\s\-‐‑–—_·.]", "", s).upper()


def uscc_check_char(first17: str) -> str:
    """The 18th character of a 统一社会信用代码 (GB 32100-2015, MOD 31).
    Raises ValueError if first17 is not 17 characters of the code's character set."""
    first17 = normalize_code(first17)
    if len(first17) != 17 or any(c not in USCC_CHARS for c in first17):
        raise ValueError(f"not 17 USCC characters: {first17!r}")
    return _uscc_check_char(first17)


def _uscc_check_char(first17: str) -> str:
    """uscc_check_char of 17 characters already normalized and checked (derive.py checks every
    enterprise's code on every run)."""
    s = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), USCC_WEIGHTS))
    return USCC_CHARS[(31 - s % 31) % 31]


def org_code_check_char(first8: str) -> str | None:
    """The 9th character of a 组织机构代码 (GB 11714): 11 - (Σ mod 11); 10 → X, 11 → 0.
    None when first8 is not 8 characters of [0-9A-Z]."""
    if len(first8) != 8 or not re.fullmatch(r"[0-9A-Z]{8}", first8):
        return None
    s = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS))
    c9 = 11 - s % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def reg_no_check_digit(first14: str) -> str | None:
    """The 15th digit of a 工商注册号 (GS 15-2006): ISO 7064 MOD 11,10. The check digit makes
    the hybrid sum over all 15 digits fold to 1. None when first14 is not 14 digits."""
    if not re.fullmatch(r"[0-9]{14}", first14 or ""):
        return None
    product = 10
    for ch in first14:
        total = (int(ch) + product) % 10 or 10
        product = total * 2 % 11
    return str((11 - product) % 10)


def id_check_char(first17: str) -> str | None:
    """The 18th character of a 身份证号码 (GB 11643-1999, ISO 7064 MOD 11-2)."""
    if not re.fullmatch(r"[0-9]{17}", first17 or ""):
        return None
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS)) % 11]


def _region_name(code: str) -> str | None:
    # Local import: regions reads a reference file; codes must stay importable without it.
    from etl.normalize.regions import region_name

    return region_name(code)


def check_uscc(s: str | None) -> CodeCheck:
    code = normalize_code(s)
    problems: list[str] = []
    details: dict = {}
    if "*" in code:
        return CodeCheck("uscc", code, False, ["代码已被遮蔽（含*），无法校验"], details)
    if len(code) != 18:
        problems.append(f"长度应为18位，实际{len(code)}位")
    bad = sorted({c for c in code if c not in USCC_CHARS})
    if bad:
        problems.append(f"含不允许的字符：{''.join(bad)}（不使用I、O、Z、S、V）")
    if len(code) == 18 and not bad:
        problems += _uscc_structure(code, details)
        expected = _uscc_check_char(code[:17])
        details["check_char_expected"] = expected
        if code[17] != expected:
            problems.append(f"校验码不符：应为{expected}，实为{code[17]}")
    return CodeCheck("uscc", code, not problems, problems, details)


def _uscc_structure(code: str, details: dict) -> list[str]:
    """Positions 1-8 and the embedded 组织机构代码 (GB 32100-2015 structure table)."""
    problems = []
    dept, category, region = code[0], code[1], code[2:8]
    details["registry_dept"] = REGISTRY_DEPTS.get(dept)
    if dept not in REGISTRY_DEPTS:
        problems.append(f"第1位登记管理部门代码{dept}不存在")
    categories = ORG_CATEGORIES.get(dept)
    details["org_category"] = categories.get(category) if categories else None
    if categories is not None and category not in categories:
        problems.append(f"第2位机构类别代码{category}不适用于登记管理部门{dept}")
    if not region.isdigit():
        problems.append("第3-8位登记管理机关行政区划码应为数字")
    elif region[:2] not in PROVINCE_PREFIXES and region[:2] != "10":
        problems.append(f"第3-8位行政区划码{region}不是有效的省级前缀")
    details["region_code"] = region
    details["region_name"] = _region_name(region) if region.isdigit() else None
    org = code[8:17]
    details["org_code"] = f"{org[:8]}-{org[8]}"
    # A failed embedded check is information, not a problem: pilot-area codes fail it lawfully.
    details["org_code_valid"] = org_code_check_char(org[:8]) == org[8]
    return problems


def check_org_code(s: str | None) -> CodeCheck:
    code = normalize_code(s)
    problems = []
    if len(code) != 9:
        problems.append(f"长度应为9位（8位本体代码+1位校验码），实际{len(code)}位")
    elif not re.fullmatch(r"[0-9A-Z]{8}[0-9X]", code):
        problems.append("本体代码应为数字或大写字母，校验码应为数字或X")
    else:
        expected = org_code_check_char(code[:8])
        if code[8] != expected:
            problems.append(f"校验码不符：应为{expected}，实为{code[8]}")
    shown = f"{code[:8]}-{code[8]}" if len(code) == 9 else code
    return CodeCheck("org_code", code, not problems, problems, {"formatted": shown})


def check_reg_no(s: str | None) -> CodeCheck:
    code = normalize_code(s)
    problems = []
    details: dict = {}
    if not re.fullmatch(r"[0-9]{15}", code):
        problems.append(f"应为15位数字，实际{len(code)}位" if code.isdigit() else "应为15位数字")
    else:
        details["region_code"] = code[:6]
        details["region_name"] = _region_name(code[:6])
        expected = reg_no_check_digit(code[:14])
        if code[14] != expected:
            problems.append(f"校验码不符：应为{expected}，实为{code[14]}")
    return CodeCheck("reg_no", code, not problems, problems, details)


def plausible_birth_date(yyyymmdd: str) -> bool:
    """True if the 8 digits are a calendar date in ID_BIRTH_YEARS."""
    if not re.fullmatch(r"[0-9]{8}", yyyymmdd):
        return False
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:]))
    except ValueError:
        return False
    return born.year in ID_BIRTH_YEARS


def check_id_number(s: str | None) -> CodeCheck:
    """GB 11643 check. details keep only the region code: the birth date is personal data and
    is never exposed (个人信息保护法 第二十八条; 政府信息公开条例 第十五条)."""
    code = normalize_code(s)
    problems = []
    details: dict = {}
    if not re.fullmatch(r"[0-9]{17}[0-9X]", code):
        problems.append("应为18位：17位数字加1位数字或X")
        return CodeCheck("id_number", code, False, problems, details)
    details["region_code"] = code[:6]
    details["region_name"] = _region_name(code[:6])
    if code[:2] not in PROVINCE_PREFIXES:
        problems.append(f"前6位地址码{code[:6]}不是有效的省级前缀")
    if not plausible_birth_date(code[6:14]):
        problems.append("第7-14位不是有效的出生日期")
    expected = id_check_char(code[:17])
    if code[17] != expected:
        problems.append(f"校验码不符：应为{expected}，实为{code[17]}")
    return CodeCheck("id_number", code, not problems, problems, details)


def id_shaped(code: str) -> bool:
    """17 digits + digit/X, a province prefix and a plausible birth date at positions 7-14."""
    return (
        bool(re.fullmatch(r"[0-9]{17}[0-9X]", code))
        and code[:2] in PROVINCE_PREFIXES
        and plausible_birth_date(code[6:14])
    )


def uscc_shaped(code: str) -> bool:
    """USCC character set and positions: a registry department + category pair (categories
    strict where confirmed in GB 32100-2015) and a 3-8 region code starting with a province prefix."""
    if not _USCC_SHAPE.fullmatch(code) or code[0] not in REGISTRY_DEPTS:
        return False
    categories = ORG_CATEGORIES.get(code[0])
    if categories is not None and code[1] not in categories:
        return False
    return code[2:4] in PROVINCE_PREFIXES or code[2:4] == "10"


def classify_18(code: str, hint: str | None = None) -> str | None:
    """Tell an 18-character 统一社会信用代码 from a 身份证号码. Returns 'uscc', 'id_number' or
    None (neither shape).

    Rule, in order (documented for the masking gate; GB 32100-2015, GB 11643-1999):
    1. A letter anywhere except a final X → only a USCC can have it: 'uscc'.
    2. Shapes: an ID has a province prefix at 1-2 and a birth date YYYYMMDD at 7-14; a USCC has
       a registry department + category pair at 1-2 (91, 92, 93, 11, 12, 51, 52, ...) and a
       province prefix at 3-4. Exactly one shape → that kind. (All-digit 9x codes such as
       914403001922038216 can never be IDs: no province code starts with 9.)
    3. Both shapes: the one whose check character passes; the label before the number in the
       text (hint 'uscc' or 'id_number') if the check characters do not decide.
    4. Still undecided → 'id_number': masking a code by mistake is recoverable, publishing a
       person's ID number is not.
    """
    code = normalize_code(code)
    if len(code) != 18:
        return None
    if re.search(r"[A-Z]", code[:17]) or code[17] not in "0123456789X":
        return "uscc" if _USCC_SHAPE.fullmatch(code) else None
    is_id, is_uscc = id_shaped(code), uscc_shaped(code)
    if is_id != is_uscc:
        return "id_number" if is_id else "uscc"
    if not is_id:
        return None
    id_ok = id_check_char(code[:17]) == code[17]
    uscc_ok = uscc_check_char(code[:17]) == code[17]
    if id_ok != uscc_ok:
        return "id_number" if id_ok else "uscc"
    return hint if hint in ("uscc", "id_number") else "id_number"


def describe_code(s: str | None) -> CodeCheck:
    """Detect the kind by length and shape, then check it."""
    code = normalize_code(s)
    if "*" in code:
        return _describe_masked(code)
    if len(code) == 18:
        kind = classify_18(code)
        if kind == "id_number":
            return check_id_number(code)
        return check_uscc(code)
    if len(code) == 15 and code.isdigit():
        return check_reg_no(code)
    if len(code) == 9:
        return check_org_code(code)
    return CodeCheck(
        "unknown",
        code,
        False,
        [f"无法识别：统一社会信用代码为18位，组织机构代码9位，注册号15位，实际{len(code)}位"],
        {},
    )


def _describe_masked(code: str) -> CodeCheck:
    """Published codes are sometimes masked themselves (合作市 report: 91623****;
    嘉峪关 report: 412***********7714). Say what it probably is; it cannot be checked."""
    kind = "unknown"
    if len(code) == 18 and re.fullmatch(r"[0-9X*]+", code) and code[:2] in PROVINCE_PREFIXES:
        kind = "id_number"
    elif code[:1] in REGISTRY_DEPTS and code[1:2].isdigit():
        kind = "uscc"
    return CodeCheck(kind, code, False, ["代码已被遮蔽（含*），无法校验"], {})
