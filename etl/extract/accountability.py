"""Accountability (责任追究) from report text: who is held responsible and how.

Measure types, in order of precedence when an item names several: 移送司法机关 (criminal
process), 党纪政务处分, 行政处罚 (fines, licence measures), 其他 (约谈, 通报批评, 诫勉, 书面检查).
Subjects come from enumerated items ("1.张某某，示例公司总经理，…建议移送司法机关"), from role
words in a sentence with a measure ("矿长马某某…已被移送司法机关"), and for units from "对X处以…",
from a unit opening its item by name or by the short name the text declared ("恒岳公司：建议…
罚款", "瑞源燃气被…处以罚款") and from the unit that reports ("X局向区人民政府作出书面检查": X,
never the body it reports to).
Person names are masked as in Gansu's published reports (张某昌); unit names stay as published.
"""

from __future__ import annotations

import re

from etl.extract.enterprise import CODE, candidates
from etl.normalize.mask import ITEM_IN_LINE, is_list_item_name, role_names
from etl.normalize.money import parse_money
from etl.normalize.names import is_masked_name, mask_person_name, normalize_enterprise_name

MEASURES = [
    (
        "移送司法机关",
        r"移送司法机关|追究刑事责任|刑事责任|刑事拘留|刑拘|逮捕|取保候审|立案侦查|"
        r"提起公诉|判处|有期徒刑|拘役|监视居住|移送公安|网上追逃",  # 线索移送公安机关, 网上追逃
    ),
    ("党纪政务处分", r"处分|党内警告|严重警告|记大过|记过|降级|撤职|开除|留党察看|撤销党内职务"),
    (
        "行政处罚",
        r"罚款|吊销|暂扣|责令停产停业|停产整顿|停业整顿|行政处罚|撤销[^，。]{0,6}资格|职业禁入|"
        r"不得担任|暂停[^，。；]{0,6}(?:执业|资格|资质)|停止执业|(?<!免予)处罚",
    ),
    (
        "其他",
        r"约谈|通报批评|诫勉|批评教育|书面检查|深刻检查|作出检查|检讨|组织处理|调离|免职|问责|"
        r"辞退|解聘|解除劳动合同|记入不良|不良行为记录|警示教育|提醒谈话|谈话",
    ),
]
_ENUM = r"(?:\d{1,2}[.、．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
_ITEM_PERSON = re.compile(
    rf"^\s*{_ENUM}?\s*([\u4e00-\u9fff]{{1,2}}某[\u4e00-\u9fff某]?|" rf"[\u4e00-\u9fff]{{2,4}})[，,（(]"
)
_POSITION = re.compile(r"经理|长|员|主任|书记|负责人|代表人|控制人|股东|工程师|监理|承包|干部|司机|驾驶")
_NOT_POSITION = re.compile(r"(中共)?(预备)?党员|群众|男|女|[\u4e00-\u9fff]{1,3}族|\d+岁|无党派人士")
_UNIT_TARGET = re.compile(
    r"(?:对|责令|责成|建议)([^，。；]{2,40}?)"
    r"(?:处以|(?<!办事)处|给予|予以|依法|罚款|作出|进行|向|分别|停产|停业|限期|[，,]\s*由)"  # 对X，由…给予
)
# "对监理单位X公司…": the unit's role in the project is not part of its name
_UNIT_ROLE = re.compile(
    r"^(?:施工|建设|监理|总承包|分包|劳务分包|劳务|设计|勘察|运营|使用|产权|维保|承包)?单位"
)
_SAME_UNIT = re.compile(r"^(该公司|该企业|该单位|该矿|事故单位|事故发生单位|涉事企业)")
_UNIT_SUFFIX = re.compile(r"(人民政府|政府|局|委员会|管委会|办公室|办事处|中心|站|所|队)$")
_CLAUSE_END = "，,；;。"


def _clause_around(text: str, start: int, end: int) -> str:
    floor = max(0, start - 200)  # bounded: clauses are short
    left = max(max(text.rfind(c, floor, start) for c in _CLAUSE_END) + 1, floor)
    rights = [i for i in (text.find(c, end, end + 200) for c in _CLAUSE_END) if i >= 0]
    return text[left : min(rights) if rights else min(len(text), end + 200)].strip()


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
        after = re.split(r"[；;。]", text[m.end() : m.end() + 40], maxsplit=1)[0]  # "…的罚款，计204000元"
        before = re.split(r"[，,；;。]", text[max(0, m.start() - 40) : m.start()])[-1]
        for part in (after, before):
            money = parse_money(part)
            if money.yuan is not None:
                return money.yuan
    return None


def _entry(
    subject_type: str, subject: str, position: str | None, measure: tuple[str, str], item: str
) -> dict:
    fine = fine_of(item) if measure[0] == "行政处罚" else None
    return {
        "subject_type": subject_type,
        "subject": subject,
        "position": position,
        "measure_type": measure[0],
        "measure": measure[1],
        "fine_yuan": fine,
        "item": item,
    }


def _is_person_name(name: str) -> bool:
    return is_masked_name(name) or is_list_item_name(name)


def _listed_person(item: str) -> tuple[str, str | None] | None:
    m = _ITEM_PERSON.match(item)
    if not m or not _is_person_name(m.group(1)):
        return None
    if re.match(r"[^（）()]{0,20}[）)]、", item[m.end() :]):
        return None  # 骆某某（矿长）、安某（总工程师）…: a list, read by _role_persons
    segments = re.split(r"[，,（()）]", item[m.end() :])
    position = next((s for s in segments[:4] if _POSITION.search(s) and not _NOT_POSITION.fullmatch(s)), None)
    return m.group(1), position


def _role_persons(item: str) -> list[tuple[str, str | None]]:
    """(name, role) for names after role words ('矿长马某某…' → ('马某某', '矿长')) and for
    masked names that are the subject of a measure ("刘某某涉嫌重大责任事故罪，已移送司法机关",
    "王某某等3名企业人员被移送司法机关")."""
    found = [(_trim_masked(name), role) for role, name in role_names(item)]
    seen = {name for name, _ in found}
    for m in _MASKED_SUBJECT.finditer(item):
        if m.group(1) not in seen and not any(m.group(1) in name for name in seen):
            found.append((m.group(1), None))
            seen.add(m.group(1))
    return found


_COMPOUND_SURNAME = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|长孙|令狐|宇文|夏侯|司徒|端木|独孤"
# A masked name (张某, 张某某, 欧阳某) followed by what happens to its person or by a list mark.
_MASKED_SUBJECT = re.compile(
    rf"((?:{_COMPOUND_SURNAME})?[\u4e00-\u9fff]某某?)"
    r"(?=等|被|涉嫌|已|因|均|分别|依法|移送|受到|对事故|[，,、]|[（(][^（）()]{1,20}[)）]"  # 骆某某（矿长）、
    r"|政务|党内|党纪|行政|记过|记大过|警告|严重警告|撤职|降级|开除|诫勉)"  # 给予张某某政务记过处分
)
# Words a name-length guess can swallow after a masked name: "刘某某等", "李某某已".
_AFTER_NAME = "等已被均因涉于在为系将由对"


def _trim_masked(name: str) -> str:
    if "某" not in name:
        return name
    name = name.rstrip(_AFTER_NAME)
    m = re.match(rf"(?:{_COMPOUND_SURNAME})?[\u4e00-\u9fff]某某", name)
    return m.group() if m else name


def _units(
    item: str, enterprise: str | None, persons: tuple[str, ...] = (), short: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """(unit, the text of its measure): from "对X公司处以罚款" to the next such phrase, so that
    "4名责任人被移送司法机关，对X公司处以罚款" gives X the fine, not the criminal process."""
    units, short = [], short or {}
    matches = list(_UNIT_TARGET.finditer(item))
    for i, m in enumerate(matches):
        segment = item[m.start() : matches[i + 1].start() if i + 1 < len(matches) else len(item)]
        target = m.group(1).strip().rpartition("：")[2]  # "处理建议：X局向…": after the label
        target = re.sub(r"^(?:对|责成|责令)", "", target)  # "建议对X局进行约谈", "建议责成X…"
        if target.startswith("由"):  # "建议由…局对X公司处以罚款": the authority acts on X
            target = target.rpartition("对")[2] if "对" in target else ""
        if not target or target.startswith(("其", "他", "她", "向")):
            continue  # a pronoun: the item's own subject; 向区人民政府: whom a report goes to
        target = _UNIT_ROLE.sub("", target)
        if target in short:  # "对金峪矿业处以罚款": the short name the text declared
            units.append((short[target], segment))
            continue
        if any(person in target for person in persons):
            continue  # "建议：X公司现场负责人陈某某等7人被…": the person's description
        if _SAME_UNIT.match(target) and enterprise:
            units.append((enterprise, segment))
            continue
        for part in _UNIT_LIST.split(target):  # "对X市人民政府、Y区人民政府和Z公司进行约谈"
            names = [c.name for c in candidates(part)]
            if names:
                units.append((normalize_enterprise_name(names[0]), segment))
            elif _UNIT_SUFFIX.search(part) and not re.search(r"某", part) and len(part) >= 4:
                units.append((part, segment))
    units += _clause_units(item) + _reporting_units(item) + _passive_units(item)
    return units


_PASSIVE = re.compile(r"被[^，。；]{0,20}?(?:处以|处|给予|罚款|约谈|通报批评|责令|吊销|暂扣)")


def _passive_units(item: str) -> list[tuple[str, str]]:
    """A unit opening a clause as the one a measure is taken against: "经调查，X公司被县应急管理局
    处以罚款"."""
    found = []
    for m in _PASSIVE.finditer(item):
        start = max(item.rfind(c, 0, m.start()) for c in "，,：:；;") + 1
        clause = item[start : m.start()].strip()
        names = [c for c in candidates(clause) if c.start == 0 and c.end == len(clause) and c.lead == 0]
        if names:
            end = re.search(r"[；;。]|$", item[m.start() :]).start() + m.start()
            found.append((normalize_enterprise_name(names[0].name), item[start:end]))
    return found


# 和/及 join units only after a unit's last character (not 住房和城乡建设局, 工业和信息化局)
_UNIT_LIST = re.compile(r"[、]|(?<=[司局厂矿府会处所站队部社])[和及](?=[\u4e00-\u9fff]{4})")
# "X局向区人民政府作出书面检查": the unit that reports is the subject, not the one it reports to
_REPORTS_TO = re.compile(
    rf"(?:^|[，,；;：:])\s*{_ENUM}?\s*(?:由)?([\u4e00-\u9fff（）()]{{2,30}}?)应?向[^，。；]{{2,24}}?"
    r"(?:作出|做出|提交|写出)[^，。；]{0,8}检查"
)


def _reporting_units(item: str) -> list[tuple[str, str]]:
    found = []
    for m in _REPORTS_TO.finditer(item):
        target = m.group(1)
        if target.startswith(("其", "他", "她", "责成", "责令", "建议", "对")):
            continue  # a pronoun, or a target _UNIT_TARGET reads
        names = [c.name for c in candidates(target)]
        if names:
            found.append((normalize_enterprise_name(names[0]), m.group()))
        elif _UNIT_SUFFIX.search(target) and "某" not in target and len(target) >= 4:
            found.append((target, m.group()))
    return found


# "责任追究：矿长曹某某，处…罚款；X有限责任公司，处罚款；": a unit opening a clause, its measure
# right after the comma
_CLAUSE_UNIT = re.compile(
    r"(?:^|[：:；;])\s*(?![对由向])([\u4e00-\u9fff（）()]{2,40}?(?:公司|厂|矿|场|局|政府|中心|站|所|"
    r"队|委员会|管委会|办事处|项目部|合作社|集团))[，,]"
    r"(?=处|给予|罚款|责令|吊销|暂扣|约谈|通报|予以|建议|由)"  # X公司，由…处以罚款 / 建议…
)


def _clause_units(item: str) -> list[tuple[str, str]]:
    found = []
    for m in _CLAUSE_UNIT.finditer(item):
        end = re.search(r"[；;。]", item[m.end() :])
        segment = item[m.start(1) : m.end() + end.start()] if end else item[m.start(1) :]
        found.append((normalize_enterprise_name(m.group(1)), segment))
    return found


_LISTED_UNIT = re.compile(
    rf"^\s*{_ENUM}\s*([\u4e00-\u9fff（）()]{{2,40}}?(?:公司|厂|矿|场|局|政府|中心|站|所|队|"
    rf"委员会|管委会|办公室|办事处|服务部|经营部|项目部|合作社))[，,。：:；;\s]"
)


def _listed_unit(item: str) -> list[tuple[str, str]]:
    """An enumerated item naming a unit first: "1．某示例公司，未依法履行…，对其处以罚款…"."""
    m = _LISTED_UNIT.match(item)
    return [(normalize_enterprise_name(m.group(1)), item)] if m else []


# A new enumerated item inside a line ("…建议移送司法机关2.李某，…"), as masking finds it.
_NEXT_ITEM = re.compile(f"(?={ITEM_IN_LINE})")


# An enumerated heading run into its paragraph: "四、处理建议。", "（三）责任追究："
_HEADING = re.compile(rf"\s*{_ENUM}\s*[\u4e00-\u9fff]{{0,12}}(?:建议|意见|情况|处理|追究|结果)[。：:]")


def _items(text: str) -> list[str]:
    """An enumerated line ("1．钟某明，…矿长，…。涉嫌…，建议…") is one item, whatever its
    sentences, up to the next enumerator, even on the same line; other text is read sentence by
    sentence, and a sentence also ends where an enumerated item starts (so no measure clause
    runs on into the next item's name)."""
    items = []
    for line in text.split("\n"):
        for part in _NEXT_ITEM.split(line.strip()):
            part = part.strip()
            heading = _HEADING.match(part)
            if heading:  # "四、处理建议。骆某某…；卢某某…": a heading, then sentences
                items.append(heading.group())
                part = part[heading.end() :]
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


# "X有限责任公司（以下简称X公司）": the short name the accountability section will use
# also after the unit's registration code: X公司（统一社会信用代码：…）（以下简称Y）
_ALIAS = re.compile(
    rf"(?:[（(]{CODE}[）)])?[（(](?:{CODE}[，,；;]\s*)?(?:以下简称|以下称|下称|简称)[:：]?[“\"']?"
    r"([\u4e00-\u9fffA-Za-z0-9]{2,12}?)[”\"']?(?:[，,、；;][^（）()]{0,16})?[）)]"
)


def aliases(text: str) -> dict[str, str]:
    """Short name → full name for every unit the text introduces with （以下简称…）."""
    found = {}
    for m in _ALIAS.finditer(text):
        before = [
            c for c in candidates(text[max(0, m.start() - 60) : m.start()]) if c.end == min(60, m.start())
        ]
        if before:
            found[m.group(1)] = normalize_enterprise_name(before[-1].name)
    return found


# What opens an item before its subject: an enumerator, a label (处理建议：, 责任追究情况：)
_ENUM_OPENING = re.compile(rf"\s*{_ENUM}?\s*")
_OPENING = re.compile(rf"\s*{_ENUM}?\s*(?:[\u4e00-\u9fff]{{2,8}}[：:])?\s*")
# What follows a unit that is the subject of its item: a stop, or what the unit did or suffers
_UNIT_THEN = re.compile(
    r"[，,：:；;。]|对|被|在|未|作为|存在|违反|负有|因|没有|不|安全|主体|严重|长期|擅自|违规|违法|向|应|由"
)


def _opening_unit(item: str, short: dict[str, str]) -> list[tuple[str, str]]:
    """A unit opening an item as its subject, by the short name the text declared or by its
    name (with its （以下简称…）): "3.河州建工，…处以罚款", "恒岳公司：建议…罚款", "瑞源燃气被…
    处以罚款", "X有限公司（以下简称X公司），对事故发生负有责任，建议…"."""
    for at in dict.fromkeys((_ENUM_OPENING.match(item).end(), _OPENING.match(item).end())):
        for name in sorted(short, key=len, reverse=True):
            if item.startswith(name, at) and _UNIT_THEN.match(item, at + len(name)):
                return [(short[name], item)]
        found = [c for c in candidates(item[at : at + 60]) if c.start == 0 and c.lead == 0]
        if found:
            end = at + found[0].end
            alias = _ALIAS.match(item, end)
            if _UNIT_THEN.match(item, alias.end() if alias else end):
                return [(normalize_enterprise_name(found[0].name), item)]
    return []


def find_accountability(text: str, enterprise: str | None = None) -> list[dict]:
    """One entry per subject and measure, in text order, without duplicates. "item" is the
    text the entry was read from (the evidence; it may hold the unmasked name)."""
    entries, seen = [], set()
    short = aliases(text)
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
        # "6.X有限公司。建议…对其处以罚款": the item's opening unit is its subject
        units = [] if subjects else (_opening_unit(item, short) or _listed_unit(item))
        units = units or _units(item, enterprise, tuple(name for name, _ in people), short)
        subjects = [(*subject, measure) for subject in subjects]
        subjects += [("unit", u, None, measure_of(segment) or measure) for u, segment in units]
        for subject_type, subject, position, its_measure in subjects:
            key = (subject, its_measure[0])
            if key not in seen:
                seen.add(key)
                entries.append(_entry(subject_type, subject, position, its_measure, item))
    return entries
