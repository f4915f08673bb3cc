"""Helpers the dataset kinds share: explicit conversion of source strings to typed values.

Every conversion goes through the domain normalizers in etl/normalize; a value that cannot be
read is None (never guessed), and a row missing what its kind requires is rejected.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from etl.normalize.codes import check_uscc, normalize_code
from etl.normalize.dates import find_dates, parse_date
from etl.normalize.mask import mask_text
from etl.normalize.money import parse_money
from etl.normalize.names import mask_person_name, normalize_enterprise_name
from etl.normalize.numbers import parse_count
from etl.normalize.regions import resolve_region
from etl.normalize.text import clean_text, to_halfwidth, to_simplified


class Reject(ValueError):
    """This row cannot be used; the message is the reason shown to staff (Chinese)."""


@dataclass
class Context:
    spec: object  # SourceSpec
    url: str
    document_id: int
    extra: dict = field(default_factory=dict)


def stable_id(prefix: str, *parts) -> str:
    """A short id that never changes for the same natural key (URL-safe, used in page URLs)."""
    key = "|".join("" if p is None else str(p) for p in parts)
    return f"{prefix}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"


def document_key(publisher: str | None, title: str, dated: str | None) -> str:
    """The natural key of a published document that has no 文号 or 索引号: who published it, its
    title and its date. Unlike the address it was read from, it survives a site moving its pages
    (a new CMS, a new path, http → https, the bundled samples read from another folder). The
    title is compared without spacing and with full-width ASCII and traditional characters folded,
    so republishing it with other spacing or character forms keeps the id. Two documents with the
    same key are the same record to the loader (the second is rejected as a duplicate)."""
    folded = re.sub(r"\s+", "", to_simplified(to_halfwidth(title)) or "")
    return "|".join(("title", publisher or "", folded, dated or ""))


def text(fields: dict, key: str) -> str | None:
    value = clean_text(fields.get(key) or "")
    return value or None


def paragraphs(fields: dict, key: str) -> str | None:
    """Narrative text with its line breaks kept (the report extractor reads sections by line)."""
    value = clean_text(fields.get(key) or "", keep_newlines=True)
    return value or None


def required(fields: dict, key: str, label: str) -> str:
    value = text(fields, key)
    if not value:
        raise Reject(f"缺少必填字段：{label}（{key}）")
    return value


def free_text(fields: dict, key: str) -> str | None:
    """Narrative text: personal data masked (the only unmasked copy is the archived source)."""
    value = text(fields, key)
    return mask_text(value) if value else None


def iso_date(fields: dict, key: str, anchor: date | None = None) -> str | None:
    value = text(fields, key)
    if not value:
        return None
    parsed = parse_date(value, anchor=anchor)
    return parsed.isoformat() if parsed else None


def checked_date(fields: dict, key: str, label: str, last: bool = False) -> str | None:
    """A date column that, when present, must be readable (else the row is rejected). For a
    range such as 2023年10月1日至2026年9月30日, `last` picks the end."""
    value = text(fields, key)
    if not value:
        return None
    if last:
        found = find_dates(value)
        parsed = found[-1].value if found else None
    else:
        parsed = parse_date(value)
    if parsed is None:
        raise Reject(f"无法识别的日期：{label}「{value}」")
    return parsed.isoformat()


def yuan(fields: dict, key: str, unit_hint: str = "元") -> float | None:
    value = text(fields, key)
    if not value:
        return None
    if unit_hint != "元" and not any(u in value for u in ("元", "万", "亿")):
        value = value + unit_hint
    money = parse_money(value)
    return money.yuan


def count(fields: dict, key: str) -> int | None:
    value = text(fields, key)
    if not value:
        return None
    result = parse_count(value)
    return result.value if result.exact else result.value


def integer(fields: dict, key: str) -> int | None:
    value = text(fields, key)
    if not value:
        return None
    value = to_halfwidth(value).replace(",", "").strip()
    try:
        return int(float(value))
    except ValueError:
        result = parse_count(value)
        return result.value


def number(fields: dict, key: str) -> float | None:
    value = text(fields, key)
    if not value:
        return None
    try:
        return float(to_halfwidth(value).replace(",", ""))
    except ValueError:
        return None


def uscc(fields: dict, key: str) -> str | None:
    value = text(fields, key)
    return normalize_code(value) if value else None


# What a source prints in a cell that has nothing to say.
BLANKS = frozenset({"无", "/", "／", "—", "——", "-", "－", "暂无", "null", "None"})
_CODE_SHAPE = re.compile(r"[0-9A-Z]{8,20}")


def optional_uscc(fields: dict, key: str = "uscc") -> str | None:
    """A code column that may say it has none (无, —, /): the normalized code, else None."""
    code = uscc(fields, key)
    return code if code and _CODE_SHAPE.fullmatch(code) else None


def uscc_check(code: str | None):
    return check_uscc(code) if code else None


def enterprise_name(fields: dict, key: str, label: str = "单位名称") -> str:
    return normalize_enterprise_name(required(fields, key, label))


def region_code(fields: dict, key: str, ctx: Context) -> str | None:
    value = text(fields, key)
    if value:
        region = resolve_region(value)
        if region:
            return region.code
    return getattr(ctx.spec, "region_code", None)


def person(value: str | None) -> str | None:
    """A person's name as published: masked 姓某X (as Gansu's published reports do)."""
    if not value:
        return None
    return mask_person_name(clean_text(value))


# "作为示例化工有限公司主要负责人，……": the unit a listed person acted for, as the reason states it.
_UNIT_SUFFIXES = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "集团",
    "分公司",
    "厂",
    "矿",
    "煤矿",
    "场",
    "站",
    "店",
    "中心",
    "合作社",
    "研究院",
    "设计院",
    "院",
    "所",
    "队",
    "部",
    "社",
    "局",
    "处",
    "会",
    "行",
    "馆",
    "校",
    "园",
    "商行",
    "工作室",
    "事务所",
)
_UNIT_ROLES = (
    "主要负责人",
    "法定代表人",
    "实际控制人",
    "实际经营人",
    "负责人",
    "董事长",
    "总经理",
    "副总经理",
    "经理",
    "项目经理",
    "矿长",
    "副矿长",
    "厂长",
    "站长",
    "总工程师",
    "安全总监",
    "安全管理人员",
    "直接责任人员",
    "有关责任人员",
    "责任人员",
    "股东",
    "员工",
    "从业人员",
    "安全评价师",
    "技术负责人",
)
_UNIT_IN_REASON = re.compile(
    r"作为([^，,。；;、：:（）()\s]{2,60}?(?:"
    + "|".join(sorted(map(re.escape, _UNIT_SUFFIXES), key=len, reverse=True))
    + r"))(?:的)?(?:"
    + "|".join(sorted(map(re.escape, _UNIT_ROLES), key=len, reverse=True))
    + ")"
)


def person_unit(fields: dict, kind: str, reason_key: str = "reason") -> str | None:
    """The unit of a listed person (None for units and agencies, which are their own subject):
    the source's column (所在单位, 工作单位 … mapped to `unit`) when it has one, else the unit
    named in the reason ("作为XXX公司主要负责人，……")."""
    if kind != "person":
        return None
    stated = text(fields, "unit")
    if stated and stated not in ("—", "-", "/", "无"):
        return normalize_enterprise_name(stated)
    m = _UNIT_IN_REASON.search(clean_text(fields.get(reason_key) or ""))
    return normalize_enterprise_name(m.group(1)) if m else None


SUBJECT_TYPES = {
    "unit": "unit",
    "单位": "unit",
    "生产经营单位": "unit",
    "企业": "unit",
    "agency": "agency",
    "机构": "agency",
    "技术服务机构": "agency",
    "安全评价机构": "agency",
    "检测检验机构": "agency",
    "中介机构": "agency",
    "person": "person",
    "个人": "person",
    "人员": "person",
    "自然人": "person",
    "主要负责人": "person",
    "有关责任人员": "person",
    "从业人员": "person",
}


def subject_type(fields: dict, key: str, name: str | None, has_code: bool) -> str:
    """unit / agency / person: as stated, else inferred (a masked name 张某X is a person)."""
    value = text(fields, key)
    if value:
        for word, kind in SUBJECT_TYPES.items():
            if word in value:
                return kind
    if name and any(w in name for w in ("评价", "检测", "检验", "认证", "咨询")) and has_code:
        return "agency"
    if name and len(name) <= 4 and "某" in name:
        return "person"
    return "unit"


# 文号: the issuer's abbreviation, the year in brackets of any form, the serial and 号.
_DOC_YEAR = re.compile(r"[〔\[［﹝【(（]\s*(\d{4})\s*[〕\]］﹞】)）]")
_DOC_NUMBER = re.compile(
    r"([\u4e00-\u9fff]{1,12})\s*[〔\[［﹝【(（]\s*(\d{4})\s*[〕\]］﹞】)）]\s*第?\s*(\d{1,5})\s*号"
)


def doc_number(value: str | None) -> str | None:
    """A 文号 in one spelling: half-width digits, no spaces, the year in 〔〕
    (甘应急罚[２０２５] 3号, （2025） → 甘应急罚〔2025〕3号). None for an empty value."""
    if not value:
        return None
    value = re.sub(r"\s+", "", to_halfwidth(clean_text(value) or ""))
    return _DOC_YEAR.sub(lambda m: f"〔{m.group(1)}〕", value) or None


def find_doc_number(value: str | None) -> str | None:
    """The first 文号 written in a text (a title, a sentence), in doc_number's spelling."""
    found = _DOC_NUMBER.search(to_halfwidth(clean_text(value or "") or ""))
    if not found:
        return None
    issuer, year, serial = found.groups()
    return f"{issuer}〔{year}〕{serial}号"


def region_of(fields: dict, ctx: Context, *keys: str) -> str | None:
    """GB/T 2260 code of the first of `keys` that names a place, else the source's default."""
    for key in keys:
        value = text(fields, key)
        region = resolve_region(value) if value else None
        if region:
            return region.code
    return getattr(ctx.spec, "region_code", None)
