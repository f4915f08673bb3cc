"""Accountability (责任追究) from report text: who is held responsible and how.

Measure types, in order of precedence when an item names several: 移送司法机关 (criminal
process), 党纪政务处分, 行政处罚 (fines, licence measures), 其他 (约谈, 通报批评, 诫勉, 书面检查).
Subjects come from enumerated items ("1.张某某，示例公司总经理，…建议移送司法机关"), from role
words in a sentence with a measure ("矿长马某某…已被移送司法机关") and from "对X处以…" for units.
Person names are masked as in Gansu's published reports (张某昌); unit names stay as published.
"""
from __future__ import annotations

import re

from etl.extract.enterprise import candidates
from etl.normalize.mask import ITEM_IN_LINE, is_list_item_name, role_names
from etl.normalize.money import parse_money
from etl.normalize.names import is_masked_name, mask_person_name, normalize_enterprise_name

MEASURES = [
    ("移送司法机关", r"移送司法机关|追究刑事责任|刑事责任|刑事拘留|刑拘|逮捕|取保候审|立案侦查|"
                 r"提起公诉|判处|有期徒刑|拘役|监视居住"),
    ("党纪政务处分", r"处分|党内警告|严重警告|记大过|记过|降级|撤职|开除|留党察看|撤销党内职务"),
    ("行政处罚", r"罚款|吊销|暂扣|责令停产停业|行政处罚|撤销[^，。]{0,6}资格|职业禁入|不得担任"),
    ("其他", r"约谈|通报批评|诫勉|批评教育|书面检查|检讨|组织处理|调离|免职|问责"),
]
_ENUM = r"(?:\d{1,2}[.、．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
_ITEM_PERSON = re.compile(rf"^\s*{_ENUM}?\s*([\u4e00-\u9fff]{{1,2}}某[\u4e00-\u9fff某]?|"
                          rf"[\u4e00-\u9fff]{{2,4}})[，,（(]")
_POSITION = re.compile(r"经理|长|员|主任|书记|负责人|代表人|控制人|股东|工程师|监理|承包|干部|司机|驾驶")
_NOT_POSITION = re.compile(r"(中共)?(预备)?党员|群众|男|女|[\u4e00-\u9fff]{1,3}族|\d+岁|无党派人士")
_UNIT_TARGET = re.compile(r"(?:对|责令|责成|建议)([^，。；]{2,40}?)(?:处以|处|给予|依法|罚款|作出|进行|向|分别)")
_SAME_UNIT = re.compile(r"^(该公司|该企业|该单位|该矿|事故单位|事故发生单位|涉事企业)")
_UNIT_SUFFIX = re.compile(r"(人民政府|政府|局|委员会|办公室|中心|站|所|队)$")
_CLAUSE_END = "，,；;。"


def _clause_around(text: str, start: int, end: int) -> str:
    floor = max(0, start - 200)  # bounded: clauses are short
    left = max(max(text.rfind(c, floor, start) for c in _CLAUSE_END) + 1, floor)
    rights = [i for i in (text.find(c, end, end + 200) for c in _CLAUSE_END) if i >= 0]
    return text[left:min(rights) if rights else min(len(text), end + 200)].strip()


def measure_of(text: str) -> tuple[str, str] | None:
    """(measure_type, the clause stating it) for the first measure in text by precedence."""
    for measure_type, pattern in MEASURES:
        m = re.search(pattern, text)
        if m:
            return measure_type, _clause_around(text, m.start(), m.end())
    return None


def fine_of(text: str) -> float | None:
    """The amount of a fine: '处以罚款人民币52万元', '处52万元罚款', '罚款30万元'."""
    for m in re.finditer("罚款", text):
        after = re.split(r"[；;。]", text[m.end():m.end() + 40], maxsplit=1)[0]  # "…的罚款，计204000元"
        before = re.split(r"[，,；;。]", text[max(0, m.start() - 40):m.start()])[-1]
        for part in (after, before):
            money = parse_money(part)
            if money.yuan is not None:
                return money.yuan
    return None


def _entry(subject_type: str, subject: str, position: str | None, measure: tuple[str, str],
           item: str) -> dict:
    fine = fine_of(item) if measure[0] == "行政处罚" else None
    return {"subject_type": subject_type, "subject": subject, "position": position,
            "measure_type": measure[0], "measure": measure[1], "fine_yuan": fine, "item": item}


def _is_person_name(name: str) -> bool:
    return is_masked_name(name) or is_list_item_name(name)


def _listed_person(item: str) -> tuple[str, str | None] | None:
    m = _ITEM_PERSON.match(item)
    if not m or not _is_person_name(m.group(1)):
        return None
    segments = re.split(r"[，,（()）]", item[m.end():])
    position = next((s for s in segments[:4]
                     if _POSITION.search(s) and not _NOT_POSITION.fullmatch(s)), None)
    return m.group(1), position


def _role_persons(item: str) -> list[tuple[str, str]]:
    """(name, role) for names after role words: '矿长马某某…' → ('马某某', '矿长')."""
    return [(name, role) for role, name in role_names(item)]


def _units(item: str, enterprise: str | None) -> list[str]:
    units = []
    for m in _UNIT_TARGET.finditer(item):
        target = m.group(1).strip()
        if _SAME_UNIT.match(target) and enterprise:
            units.append(enterprise)
            continue
        names = [c.name for c in candidates(target)]
        if names:
            units.append(normalize_enterprise_name(names[0]))
        elif _UNIT_SUFFIX.search(target) and not re.search(r"某", target):
            units.append(target)
    return units


_LISTED_UNIT = re.compile(rf"^\s*{_ENUM}\s*([\u4e00-\u9fff（）()]{{4,40}}?(?:公司|厂|矿|场|局|政府|中心|站|所|队|委员会|办公室))[，,]")


def _listed_unit(item: str) -> list[str]:
    """An enumerated item naming a unit first: "1．某示例公司，未依法履行…，对其处以罚款…"."""
    m = _LISTED_UNIT.match(item)
    return [normalize_enterprise_name(m.group(1))] if m else []


# A new enumerated item inside a line ("…建议移送司法机关2.李某，…"), as masking finds it.
_NEXT_ITEM = re.compile(f"(?={ITEM_IN_LINE})")


def _items(text: str) -> list[str]:
    """An enumerated line ("1．钟某明，…矿长，…。涉嫌…，建议…") is one item, whatever its
    sentences, up to the next enumerator, even on the same line; other text is read sentence by
    sentence, and a sentence also ends where an enumerated item starts (so no measure clause
    runs on into the next item's name)."""
    items = []
    for line in text.split("\n"):
        for part in _NEXT_ITEM.split(line.strip()):
            part = part.strip()
            if re.match(rf"{_ENUM}", part):
                items.append(part)
            else:
                items += [s.strip() for s in re.split(r"[。；;]", part) if s.strip()]
    return items


def _masked_in(measure: tuple[str, str], names: list[tuple[str, str]]) -> tuple[str, str]:
    """The measure clause with each subject's name as it is masked in `subject`: a clause that
    names its subject again ("…建议移送司法机关，张某明…") must not publish the full name."""
    clause = measure[1]
    for raw, masked in names:
        if raw != masked:
            clause = clause.replace(raw, masked)
    return measure[0], clause


def find_accountability(text: str, enterprise: str | None = None) -> list[dict]:
    """One entry per subject and measure, in text order, without duplicates. "item" is the
    text the entry was read from (the evidence; it may hold the unmasked name)."""
    entries, seen = [], set()
    for item in _items(text):
        measure = measure_of(item)
        if measure is None:
            continue
        subjects = []
        listed = _listed_person(item)
        people = [(listed[0], listed[1])] if listed else _role_persons(item)
        names = [(name, mask_person_name(name)) for name, _ in people]
        subjects += [("person", masked, role) for (_, masked), (_, role) in zip(names, people)]
        measure = _masked_in(measure, names)
        units = _units(item, enterprise)
        if not subjects and not units:
            units = _listed_unit(item)
        subjects += [("unit", u, None) for u in units]
        for subject_type, subject, position in subjects:
            key = (subject, measure[0])
            if key not in seen:
                seen.add(key)
                entries.append(_entry(subject_type, subject, position, measure, item))
    return entries
