"""Casualty counts from report text: deaths, missing, serious injuries, injuries (alive).

How the text is read (《生产安全事故报告和调查处理条例》第三条: 重伤 includes 急性工业中毒):
- The primary statement is the first sentence that states a count ("造成3人死亡、2人受伤").
  Counts in it add up (3人当场死亡，1人经抢救无效死亡 = 4); counts in a "其中…" clause after a
  total are a breakdown, not extra people (2人受伤（其中1人重伤）: 2 injured, 1 of them serious).
- Later sentences only correct it: an injured person who later died moves from injuries to
  deaths (伤者…抢救无效死亡); a stated final figure (死亡人数上升至3人, 实际造成3人死亡) wins.
- Counts the text attributes to a false report (谎报为1人死亡) are ignored.
- Without any count statement, a narrative death (一名工人…经抢救无效死亡, 致其死亡) counts the
  person it names.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

from etl.normalize.numbers import cn_to_int

NUM = r"(\d{1,6}|[零〇一二两三四五六七八九十百]{1,8})"  # bounded: see numbers.CN_NUM
_UNIT = r"(?P<approx>余|多)?(?:人|名|位)"
_VERBS = [  # (kind, pattern), tried in this order at each position
    ("death", r"死亡|遇难|身亡|罹难|丧生|殒命|溺亡|遇害|致死|死去"),
    ("missing", r"失踪|失联|下落不明"),
    ("serious", r"受重伤|重伤"),
    ("light", r"受轻伤|轻伤|轻微伤"),
    ("poison", r"中毒"),
    ("injury", r"受伤|负伤|伤"),
]
_VERB = "|".join(f"(?P<{k}>{p})" for k, p in _VERBS)
# A verb followed by these is part of a noun (重伤人员, 伤者, 伤亡, 机械伤害), not a statement.
_NOT_VERB = r"(?!人员|者|员|势|亡|害|情|残|口|病|痕|处|人数|率|的|致死|后死亡|重不治)"
_FORWARD = re.compile(rf"{NUM}\s*{_UNIT}(?P<filler>[\u4e00-\u9fff\d]{{0,16}}?)(?:{_VERB}){_NOT_VERB}")
_REVERSE = re.compile(
    rf"(?:{_VERB})(?:人数)?(?:为|达|共|计|上升至|上升到|增至|增加到|增加至)?\s*{NUM}\s*{_UNIT}")
_COMPACT = re.compile(rf"{NUM}死(?:{NUM}(重伤|伤))?")
# Victims counted as nouns: "已找到两名遇难者遗体", "3名死者均为…", "2具遗体".
_VICTIMS = re.compile(rf"{NUM}\s*(?:名|具|位)(?:遇难者|遇难人员|死者|遇难矿工)?(?:遗体|尸体)|"
                      rf"{NUM}\s*(?:名|位)(?:遇难者|遇难人员|死者)")
_NONE = re.compile(r"(?:无|未造成|没有造成|未发生|没有|未有|无一)(?:任何)?人员?(伤亡|死亡|受伤)")
_LATE_DEATH = re.compile(r"(?:抢救无效|不治|伤重|伤势过重|后)[^，。；]{0,6}?(?:死亡|身亡)")
_SERIOUS_WORD = re.compile(r"(?:受重伤|重伤)(?!人员|者|员)")
_INJURY_WORD = re.compile(r"(?:受伤|烧伤|烫伤|砸伤|摔伤|灼伤|挤伤|绞伤)(?!人员|者|员)")
_DEATH_WORD = re.compile(r"死亡|身亡|遇难|溺亡|罹难|丧生|致死")
_PERSON_COUNT = re.compile(rf"{NUM}\s*(?:余|多)?(?:人|名|位)")
_CONVERSION_CUE = re.compile(r"伤者|伤员|受伤人员|重伤人员|受伤的|伤势|其中|后经|送医后|此后|后因")
_FINAL_CUE = re.compile(r"上升至|上升到|增至|增加到|增加至|实际造成|核实|最终|共造成|共计造成|累计造成")
_FALSE_REPORT = re.compile(r"谎报|瞒报|报告为|谎称|虚报")
# One person: an article, a pronoun, or a (masked) name such as 检修工李某某.
_SINGULAR = re.compile(r"一名|1名|一人|1人|一位|其|该名|该男子|该女子|一男子|一女子|一村民|该工人|"
                       r"[\u4e00-\u9fff]某某?(?![\u4e00-\u9fff]*(?:等|和|及|、))")
_ADD_CUE = re.compile(r"造成|致使|导致|另有|另外|致")
_CLAUSE_END = "，,；;"
WINDOW = 200  # characters looked at around a mention
_BREAKDOWN_END = re.compile(r"[，,；;。）)]")
INJURED_KINDS = ("injury", "poison", "serious", "light")


@dataclass
class Mention:
    kind: str  # death | missing | serious | light | poison | injury
    n: int
    start: int
    end: int
    approx: bool = False
    breakdown: bool = False  # inside a 其中… clause after a total


@dataclass
class Casualties:
    deaths: int | None = None
    missing: int | None = None
    serious_injuries: int | None = None
    injuries: int | None = None
    approximate: list[str] = field(default_factory=list)  # fields stated as 30余人 etc.
    # Evidence: field -> index of the sentence that decided it; fields read from narrative
    # wording only; explicit counts elsewhere that contradict the result (field -> [(n, index)]).
    where: dict[str, int] = field(default_factory=dict)
    inferred: set[str] = field(default_factory=set)
    conflicts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def _kind(m: re.Match) -> str:
    return next(k for k, _ in _VERBS if m.group(k))


def _covered(found: list[Mention], pos: int) -> bool:
    return any(x.start <= pos < x.end for x in found)


def _clause(sentence: str, start: int, end: int) -> str:
    # Bounded windows: clauses are short, and unbounded searches are quadratic on long text.
    floor = max(0, start - WINDOW)
    left = max(max(sentence.rfind(c, floor, start) for c in _CLAUSE_END) + 1, floor)
    rights = [i for i in (sentence.find(c, end, end + WINDOW) for c in _CLAUSE_END) if i >= 0]
    return sentence[left:min(rights) if rights else min(len(sentence), end + WINDOW)]


def mentions(sentence: str) -> list[Mention]:
    """Every explicit count statement in one sentence, in order, without false-report ones."""
    found: list[Mention] = []
    for m in _FORWARD.finditer(sentence):
        if (n := cn_to_int(m.group(1))) is not None:
            found.append(Mention(_kind(m), n, m.start(), m.end(), bool(m.group("approx"))))
    for m in _REVERSE.finditer(sentence):
        n = cn_to_int(m.group(len(_VERBS) + 1))
        if n is not None and not _covered(found, m.start()) and not _covered(found, m.end() - 1):
            found.append(Mention(_kind(m), n, m.start(), m.end(), bool(m.group("approx"))))
    found += _compact(sentence, found)
    for m in _VICTIMS.finditer(sentence):
        number = m.group(1) or m.group(2)
        if not _covered(found, m.start()) and (n := cn_to_int(number)) is not None:
            found.append(Mention("death", n, m.start(), m.end()))
    found.sort(key=lambda x: x.start)
    _mark_breakdowns(sentence, found)
    return [x for x in found if not _FALSE_REPORT.search(_clause(sentence, x.start, x.end))]


def _compact(sentence: str, found: list[Mention]) -> list[Mention]:
    """3死2伤, 1死1重伤 (news style)."""
    extra = []
    for m in _COMPACT.finditer(sentence):
        if _covered(found, m.start()):
            continue
        extra.append(Mention("death", cn_to_int(m.group(1)) or 0, m.start(), m.end()))
        if m.group(2):
            kind = "serious" if m.group(3) == "重伤" else "injury"
            extra.append(Mention(kind, cn_to_int(m.group(2)) or 0, m.start(), m.end()))
    return extra


def _mark_breakdowns(sentence: str, found: list[Mention]) -> None:
    """A mention inside "其中…" (up to the next ，；。）) is a breakdown of the total before it.
    found is sorted by start."""
    starts = [x.start for x in found]
    for m in re.finditer(r"其中", sentence):
        end = _BREAKDOWN_END.search(sentence, m.end(), m.end() + WINDOW)
        stop = end.start() if end else min(len(sentence), m.end() + WINDOW)
        for x in found[bisect_left(starts, m.end()):bisect_left(starts, stop)]:
            x.breakdown = True


def _uncounted_late_deaths(sentence: str, found: list[Mention]) -> list[Mention]:
    """"…绞伤，经抢救无效死亡" with no number: the person of the count before it died."""
    extra = []
    for m in _LATE_DEATH.finditer(sentence):
        if _covered(found, m.start()):
            continue
        before = [x for x in found if x.end <= m.start()]
        # the nearest person count before it in the sentence ("其中1人伤势较重，…抢救无效死亡")
        floor = max(0, m.start() - WINDOW)
        counts = [c for c in _PERSON_COUNT.finditer(sentence, floor, m.start())
                  if not any(x.start <= c.start() < x.end and x.kind == "death" for x in found)]
        n = cn_to_int(counts[-1].group(1)) if counts else None
        if n is None and before:
            n = before[-1].n
        if n is not None:
            extra.append(Mention("death", n, m.start(), m.end(), breakdown=True))
    return extra


def _sum(ms: list[Mention], kinds: tuple[str, ...]) -> int | None:
    chosen = [x.n for x in ms if x.kind in kinds]
    return sum(chosen) if chosen else None


def _apply_none(sentence: str, result: Casualties) -> None:
    """无人员伤亡 / 未造成人员死亡 / 无人员受伤 state zero counts."""
    for m in _NONE.finditer(sentence):
        if m.group(1) in ("伤亡", "死亡"):
            result.deaths = 0
        if m.group(1) in ("伤亡", "受伤"):
            result.injuries = result.serious_injuries = 0


def _conversions(found: list[Mention]) -> list[Mention]:
    """Deaths in a breakdown after an injured total: injured persons who died."""
    converted, last_total = [], None
    for x in sorted(found, key=lambda m: m.start):
        if not x.breakdown:
            last_total = x
        elif x.kind == "death" and last_total is not None and last_total.kind in INJURED_KINDS:
            converted.append(x)
    return converted


def _primary(sentence: str, result: Casualties) -> None:
    found = mentions(sentence)
    found += _uncounted_late_deaths(sentence, found)
    _apply_none(sentence, result)
    main = [x for x in found if not x.breakdown]
    parts = [x for x in found if x.breakdown]
    deaths = _sum(main, ("death",))
    result.deaths = deaths if deaths is not None else result.deaths
    result.missing = _sum(main, ("missing",))
    injured = _sum(main, ("injury", "poison"))
    if injured is None:
        injured = _sum(main, ("serious", "light"))
    serious = _sum(main, ("serious",))
    if serious is None:
        serious = _sum(parts, ("serious",))
    poison = _sum(main, ("poison",))
    if poison:  # 急性工业中毒 counts with 重伤 (《生产安全事故报告和调查处理条例》第三条)
        serious = (serious or 0) + poison
    if injured is not None:
        result.injuries, result.serious_injuries = injured, serious
    result.approximate = sorted({_field(x.kind) for x in found if x.approx})
    for x in _conversions(found):
        _convert(result, x.n)


def _field(kind: str) -> str:
    return {"death": "deaths", "missing": "missing", "serious": "serious_injuries"}.get(
        kind, "injuries")


def _convert(result: Casualties, n: int) -> None:
    """n injured persons died later: deaths up, injured-and-alive down. An injury count that
    only existed for the person who died says nothing of others: it becomes unknown."""
    result.deaths = (result.deaths or 0) + n
    if result.injuries is not None:
        left = result.injuries - n
        result.injuries = left if left > 0 else None
    if result.serious_injuries:
        left = result.serious_injuries - n
        result.serious_injuries = left if left > 0 or result.injuries == 0 else None
    if result.injuries is None:
        result.serious_injuries = None


def _later(sentence: str, result: Casualties, primary_kinds: set[str]) -> None:
    found = mentions(sentence)
    found += _uncounted_late_deaths(sentence, found)
    cue = _CONVERSION_CUE.search(sentence)
    for x in sorted(found, key=lambda m: m.start):
        if _FINAL_CUE.search(sentence[max(0, x.start - 8):x.end]):
            _override(result, x)
        elif x.kind == "death" and cue and result.injuries:
            _convert(result, x.n)
        elif _field(x.kind) not in primary_kinds and _ADD_CUE.search(
                _clause(sentence, x.start, x.end)):
            _override(result, x)


def _override(result: Casualties, x: Mention) -> None:
    if x.kind == "death":
        result.deaths = x.n
    elif x.kind == "missing":
        result.missing = x.n
    elif x.kind == "serious":
        result.serious_injuries = x.n
        result.injuries = max(result.injuries or 0, x.n)
    else:
        result.injuries = x.n


def _narrative(sentences: list[str], word: re.Pattern) -> tuple[int | None, int | None]:
    """No count statement anywhere: '一名工人…，经抢救无效死亡', '致其当场死亡', '一名女工…
    导致头部受重伤' → the person the sentence names (nearest count before, or one), and the
    index of that sentence."""
    for index, sentence in enumerate(sentences):
        for m in word.finditer(sentence):
            before = sentence[max(0, m.start() - WINDOW):m.start()]
            if re.search(r"(无(?!效)|未|没有|防止|避免)[^，。]{0,4}$", before[-8:]):
                continue
            counts = list(_PERSON_COUNT.finditer(before))
            if counts:
                return cn_to_int(counts[-1].group(1)), index
            if _SINGULAR.search(before):
                return 1, index
    return None, None


def _has_statement(sentence: str) -> bool:
    return bool(mentions(sentence) or _NONE.search(sentence))


def count_casualties(sentences: list[str]) -> Casualties:
    """Casualties stated in a report, read as described in the module docstring."""
    result = Casualties()
    index = next((i for i, s in enumerate(sentences) if _has_statement(s)), None)
    if index is None:
        result.deaths, at = _narrative(sentences, _DEATH_WORD)
        if at is not None:
            result.where["deaths"] = at
        serious, at_serious = _narrative(sentences, _SERIOUS_WORD)
        injured, at_injured = (serious, at_serious) if serious is not None else _narrative(
            sentences, _INJURY_WORD)
        if injured is not None and result.deaths is None:
            result.serious_injuries, result.injuries = serious, injured
            result.where.update({"injuries": at_injured, **({"serious_injuries": at_serious}
                                                            if serious is not None else {})})
        result.inferred = set(result.where)
        return result
    _primary(sentences[index], result)
    stated = {f for f in COUNT_FIELDS if getattr(result, f) is not None}
    result.where = {f: index for f in stated}
    changed = {index}
    for later, sentence in enumerate(sentences[index + 1:], start=index + 1):
        before = _values(result)
        _later(sentence, result, stated)
        moved = {f: later for f, v in _values(result).items() if v != before[f]}
        result.where.update(moved)
        changed |= set(moved.values())
    result.conflicts = _conflicts(sentences, result, index, changed)
    return result


COUNT_FIELDS = ("deaths", "missing", "serious_injuries", "injuries")
_TOTAL_CUE = re.compile(r"造成|致使|导致|共有|共|计|已致|遇难人数|死亡人数")


def _values(result: Casualties) -> dict[str, int | None]:
    return {f: getattr(result, f) for f in COUNT_FIELDS}


def _conflicts(sentences: list[str], result: Casualties, primary: int,
               changed: set[int]) -> dict[str, list[tuple[int, int]]]:
    """Death totals stated after the primary statement that differ from the result and that
    the reading above did not take in (title 3 deaths, body 4): the text disagrees with itself."""
    if result.deaths is None:
        return {}
    found = []
    for index, sentence in enumerate(sentences[primary + 1:], start=primary + 1):
        if index in changed or _FALSE_REPORT.search(sentence):
            continue
        totals = [x for x in mentions(sentence) if x.kind == "death" and not x.breakdown]
        if len(totals) == 1 and totals[0].n != result.deaths and _TOTAL_CUE.search(
                _clause(sentence, totals[0].start, totals[0].end)) and not _FINAL_CUE.search(sentence):
            found.append((totals[0].n, index))
    return {"deaths": found} if found else {}
