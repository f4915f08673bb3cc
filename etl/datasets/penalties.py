"""行政处罚决定 of the emergency-management departments (执法信息公开).

A decision comes as a table row (the 双公示 columns: 行政相对人名称, 处罚决定书文号, 处罚内容 …)
or as the text of a 行政处罚决定书 page (`body`), read by the labels and phrases of the
安全生产执法文书 layout: the 当事人/被处罚人 block, 违法事实及证据, 依据《…》…的规定, 决定给予…的
行政处罚, and the signature (authority, date). A mapped column wins over what the text says.

Never kept: the 法定代表人 of a party (no column holds it), any ID number, address or phone of a
person (the 当事人 block's labels for them are read and dropped).
"""

from __future__ import annotations

import re

from etl.datasets.common import (
    Context,
    Reject,
    checked_date,
    clean_text,
    doc_number,
    free_text,
    optional_uscc,
    paragraphs,
    person,
    person_unit,
    region_of,
    required,
    stable_id,
    text,
    yuan,
)
from etl.normalize.dates import parse_date
from etl.normalize.mask import mask_text
from etl.normalize.money import parse_money
from etl.normalize.names import is_masked_name, normalize_enterprise_name
from etl.normalize.text import to_simplified

TABLE = "penalties"
PERSON_WORDS = ("自然人", "个人", "person")

# The 当事人 block: label → target field (None: read and dropped, never kept).
PARTY_LABELS = {
    "被处罚单位": "party_name",
    "被处罚人": "party_name",
    "当事人": "party_name",
    "统一社会信用代码": "uscc",
    "社会信用代码": "uscc",
    "地址": "address",
    "住所": "address",
    "经营地址": "address",
    "工作单位": "unit",
    "所在单位": "unit",
    # a person's particulars: they say the party is a person, and are never kept
    "性别": "_person",
    "住址": "_person",
    "身份证号码": "_person",
    "身份证号": "_person",
    "证件号码": "_person",
    "法定代表人（负责人）": None,
    "法定代表人": None,
    "主要负责人": None,
    "负责人": None,
    "职务": None,
    "联系电话": None,
    "邮政编码": None,
    "年龄": "_person",
    "出生年月": "_person",
}
_LABEL = re.compile(
    "(" + "|".join(sorted(map(re.escape, PARTY_LABELS), key=len, reverse=True)) + r")\s*[:：]\s*"
)
_FACTS_START = re.compile(r"^(?:违法事实(?:及|和)?(?:证据)?\s*[:：]\s*|(?=经查))")
_FACTS_END = re.compile(r"(?:以上|上述)(?:违法)?事实有")
_BASIS = re.compile(r"依据(《[^》]+》[^，。；]*?)(?:之|的)?规定")
_PENALTY = (
    re.compile(r"决定(?:对(?:你单位|你|其))?(?:作出|给予)?(?:如下|以下)的?行政处罚[:：]\s*([^。]+)"),
    re.compile(r"决定给予(?:你单位|你|其|该单位)?([^。]+?)的行政处罚"),
)
_DOC_NO = re.compile(r"^\S{1,16}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号$")
_AUTHORITY_END = ("局", "厅", "委员会", "政府", "中心", "大队", "支队")
# The accident a decision follows: the 批复 of its report (文号), else its name in quotes.
_APPROVAL = re.compile(
    r"批复(?:》|文号)?\s*[（(:：为]?\s*([^\s（）()《》，。；：]{1,16}[〔\[［]\d{4}[〕\]］]\d+号)"
)
_ACCIDENT = re.compile(r"“[^”]{3,16}”[^，。；、“”（）《》\s]{0,16}?事故")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    stated = {k: v for k, v in fields.items() if isinstance(v, str) and v.strip()}
    fields = {**decision_text(paragraphs(fields, "body")), **stated}
    decision_no = doc_number(required(fields, "decision_no", "决定书文号"))
    raw_name = clean_text(required(fields, "party_name", "当事人"))
    kind = party_type(fields, raw_name)
    name = person(raw_name) if kind == "person" else normalize_enterprise_name(raw_name)
    decided_on = checked_date(fields, "decided_on", "处罚决定日期")
    if decided_on is None:
        raise Reject("缺少必填字段：处罚决定日期（decided_on）")
    penalty = text(fields, "penalty")
    row = {
        "id": stable_id("pen", ctx.spec.id, decision_no, name),
        "decision_no": decision_no,
        "party_type": kind,
        "party_name": name,
        "uscc": optional_uscc(fields) if kind == "enterprise" else None,
        "unit": person_unit(fields, kind, reason_key="facts"),  # a person's unit, as stated
        "facts": free_text(fields, "facts"),
        "basis": free_text(fields, "basis"),
        "penalty": mask_text(penalty) if penalty else None,
        "fine_yuan": fine_yuan(fields, penalty),
        "decided_on": decided_on,
        "authority": text(fields, "authority") or ctx.spec.publisher,
        # a stated region, else the party's address, else the deciding authority's area
        "region_code": region_of(fields, ctx, "region", "address", "authority"),
        "accident_ref": text(fields, "accident_ref") or accident_ref(fields.get("facts") or ""),
    }
    return {TABLE: [row]}


# What ends the name of an organisation (a party named otherwise in two to four characters is a
# person: 被处罚人：王建军).
_ORGANISATION = re.compile(r"(?:公司|厂|矿|场|店|站|所|社|部|院|队|中心|合作社|协会|集团|工地|项目部|局|处)$")


def party_type(fields: dict, name: str) -> str:
    """enterprise | person: as the source states it (自然人); else a person's particulars in the
    当事人 block (性别, 身份证号码, 住址 …), a masked name, or a short name that is no
    organisation's make the party a person."""
    stated = text(fields, "party_type")
    if stated:
        return "person" if any(w in stated for w in PERSON_WORDS) else "enterprise"
    if fields.get("_person") or is_masked_name(name) or (len(name) <= 4 and "某" in name):
        return "person"
    if 2 <= len(name) <= 4 and not _ORGANISATION.search(name):
        return "person"
    return "enterprise"


def fine_yuan(fields: dict, penalty: str | None) -> float | None:
    """The fine in yuan: a 万元 column, a yuan column, else the amount the penalty text names.
    None when nothing is fined (a warning prints 0)."""
    amount = yuan(fields, "fine_wan", unit_hint="万元") or yuan(fields, "fine", unit_hint="元")
    if not amount and penalty and "罚" in penalty:
        amount = parse_money(penalty).yuan
    return amount or None


def accident_ref(facts: str) -> str | None:
    """The accident the decision follows, as written: the 批复文号 of its report, else its name
    (a name with the year, “2024·3·15”…事故, before a bare “3·15”…事故)."""
    facts = to_simplified(facts)
    approval = _APPROVAL.search(facts)
    if approval:
        return doc_number(approval.group(1))
    names = _ACCIDENT.findall(facts)
    dated = [n for n in names if re.match(r"“\d{4}[·.．]", n)]
    return (dated or names or [None])[0]


def decision_text(body: str | None) -> dict[str, str]:
    """The parts of a 行政处罚决定书's text, as source strings (empty when there is no text)."""
    if not body:
        return {}
    lines = [line.strip() for line in body.split("\n") if line.strip()]
    found: dict[str, str] = {}
    start = next((i for i, line in enumerate(lines) if _FACTS_START.match(line)), len(lines))
    for line in lines[:start]:
        if _DOC_NO.match(line) and "decision_no" not in found:
            found["decision_no"] = line
        found.update({k: v for k, v in _labelled(line).items() if k not in found})
    rest = "\n".join(lines[start:])
    if start < len(lines):
        found["facts"] = _FACTS_END.split(_FACTS_START.sub("", lines[start]), 1)[0].strip()
    basis = _BASIS.search(rest)
    if basis:
        found["basis"] = basis.group(1)
    penalty = next((m for m in (p.search(rest) for p in _PENALTY) if m), None)
    if penalty:
        found["penalty"] = penalty.group(1).strip()
    found.update(_signature(lines))
    return found


def _labelled(line: str) -> dict[str, str]:
    """label：value pairs of one line of the 当事人 block (several may share a line)."""
    matches = list(_LABEL.finditer(line))
    pairs = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        target = PARTY_LABELS[m.group(1)]
        value = line[m.end() : end].strip(" ，,;；")
        if target and value and target not in pairs:
            pairs[target] = value.split("，")[0] if target == "party_name" else value
    return pairs


def _signature(lines: list[str]) -> dict[str, str]:
    """The deciding authority and the decision date from the signature (落款) at the end: the
    last line that is only a date, and the line above it when that names an office."""
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if len(line) <= 20 and "年" in line and parse_date(line):
            found = {"decided_on": line}
            if i > 0 and lines[i - 1].endswith(_AUTHORITY_END):
                found["authority"] = lines[i - 1]
            elif lines[0].endswith(_AUTHORITY_END):
                found["authority"] = lines[0]
            return found
    return {"authority": lines[0]} if lines and lines[0].endswith(_AUTHORITY_END) else {}
