"""Casualty counts from report text: deaths, missing, serious injuries, injuries (alive).

How a text is read (《生产安全事故报告和调查处理条例》第三条: 重伤 includes 急性工业中毒); the
first point, 其中, claims and zeros are etl/extract/casualty_sentences.py, the rest is the tally here:

- Each sentence is read into events: a kind (death, missing, injury, serious, light, poison,
  casualty = 伤亡) and the number of persons it is about. The number is attached to the word
  (3人死亡, 受伤5人, 死亡人数：1, 3死2伤, 三名遇难人员, 2名伤者), or it is the subject found
  before the word in the sentence (两人先后被救出，均已无生命体征 = 2; 张某某、李某某经抢救
  无效死亡 = 2 names; 伤者…经抢救无效死亡 = the one injured person). An attached number, or a
  count the clause takes up (均, or a death's subject a clause or two back), is stated; a count
  read from names, a singular word or no subject at all is inferred, and used only where nothing
  states the field.
- Body sentences are read in order and a later statement of a field replaces an earlier one (the
  人员伤亡 section of a report restates the summary). In one sentence counts of a kind add up
  (8名乘客当场死亡，另有2人在送医途中不治 = 10) unless the later one is a total (…，事故共造成3人
  死亡) or follows a 共 total (共造成62人遇难，…现场死亡61人), and 还造成 adds; 又/另有 opening a
  sentence adds to the previous sentence's count of that kind (发现遇难人员2名。又…发现遇难人员1名
  = 3), so do 其余/最后1名 … 遇难 right after a sentence that found some dead, 另1人 … 死亡 right
  after a sentence counting deaths without 共 (1人当场死亡。另1人经抢救无效死亡 = 2), and 另外N名
  injured of a severity none of those counted has (3人急性中毒。另外2人…轻伤 = 5; also one
  severity label a line: 重伤：2人 / 轻伤：1人 = 3). A later count of one severity grades those
  counted (5人受伤。经诊断，3人为轻伤: 5 injured, 2 serious).
- A figure stated as final (死亡人数升至20人, 最终核实为) holds against the backstory told after it
  (据当时通报…, 在事发当天的统计中…, 又找到…). A death toll only grows: a lower figure later in the
  text that is not a correction (核实为…, or a cue opening its part: 作出更正：经核实，事故造成…)
  is backstory, and a disagreement. A figure confirmed after a provisional one (初报) is quoted
  from the confirmation.
- Changes: a death whose subject is an injured person (伤者, 1名重伤员, 10名伤员中有2人, 其中…
  after a count of injured) moves persons from injuries to deaths; a missing person found dead
  (6名失联人员…均已遇难, 下落不明的1人遗体已被找到) from missing to deaths. The death must be tied
  to the injured person in its own clause: a sentence that merely mentions 受伤人员 elsewhere
  changes nothing, and with no injured counted the dying 伤者 is one of the dead already (unless
  另1名受伤工人: another person). After a total with 共/合计 in an earlier sentence, a dying
  injured person is one of that total unless the death is dated after it (次日, 7月5日); a
  section retelling the toll from a lower count (事故当场造成2人死亡 after the summary's 3) catches
  up with the toll through its later deaths, no further. A named person hurt who later died is
  not counted injured.
- 其中 after a count breaks it down: injured persons (22人受伤，其中2人经抢救无效死亡: 2 deaths, 20
  injured), casualties (38人伤亡，其中31人死亡: 7 injured), persons found or rescued (17名涉险人员
  全部找到，其中10人死亡、7人受伤: stated counts), the dead (no new persons). A parenthesis after a
  count is its breakdown too (2人受伤（均为轻伤）: no serious injury).
- Counts of a false report or a claim (报告称2人死亡, 只报告, 谎称“无人员伤亡”, 网传, 隐瞒了2名
  遇难人员) are not counts of this accident; nor are counts of other accidents (曾发生, 3起).
- A table with casualty columns and one row of figures is read as labels (死亡人数：3人); with
  several rows, which is this accident is not said. Cells may go without an outer frame (a｜b｜c).
- A headline (the first line: short, no comma) fills only fields the body does not state; a
  headline figure the body neither states nor explains is a conflict.
- 无人员伤亡 / 未造成人员死亡 state zero; 其他作业人员未受伤 means no injured where nobody else is
  said to be.

Evidence: Casualties.where gives the sentence that decided each field, inferred the fields read
from indirect wording only, conflicts the death figures the reading could not take in (the
extractor turns these into low-confidence evidence for staff review).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from etl.extract.casualty_sentences import (
    GRADED,
    NUM,
    TRUTH,
    Event,
    Reading,
    clause_around,
    read_sentence,
    segment_start,
    table_rows,
)

_TOTAL = re.compile(
    r"造成|致使|导致|共|计|至此|截至|最终|核实|核查|核定|实际|升至|增至|上升|增加|已致|证实" r"|查明"
)
# A death told with these explains a change of the toll (no conflict with an earlier figure).
_CHANGED = re.compile(
    r"最终|核实|核查|核定|实际|更正|纠正|修正|调整|复核|升至|增至|上升|增加|至此|截至|已致|已造成|证实|查明|此后"
    r"|随后|又|另有|抢救无效|医治无效|不治|途中|后经|后死亡"
)
# 另有/又 at the start of a sentence adds to the previous sentence's count of the same kind
# (另外2人, 另一人 are the rest of a group, not more persons).
_ADD = re.compile(r"^\s*(?:[^，,；;]{0,6}?又|另有|还有|此外)")
# 其余 N opening the sentence right after one that found some dead: the rest of the group, found
# dead later (找到2名被困矿工，均已无生命体征。其余3名被困人员也被找到，均已遇难).
_REST_DEAD = re.compile(r"^\s*(?:其余|余下|剩余|剩下的?|最后(?:一|1)名)")
# 另1人 … 死亡 opening the sentence right after one that counted deaths without a total: more dead
# (1人当场死亡。另1人经抢救无效死亡 = 2)
_OTHER_DEAD = re.compile(rf"^\s*另外?\s*{NUM}\s*[名人位]")
# 另外两名员工…, 另2人…: other persons, added where their severity sets them apart (_apart)
_OTHERS = re.compile(rf"^\s*[^，,；;]{{0,12}}?另外?\s*{NUM}")
# 重伤：2人 / 轻伤：1人, one label a line: each severity counts other persons
_SEVERITY_LABEL = re.compile(r"^\s*(?:重伤|轻伤|轻微伤)(?:人数)?\s*(?:[（(][^（）()]{1,12}[)）])?\s*[:：]")
_ALSO = re.compile(r"(?:还|也|另外?|又|同时)(?:造成|致使|导致|致)")
_TOTAL_CUE = re.compile(r"造成|致使|导致|致|共|计|死亡人数|遇难人数")
_GRAND = re.compile(r"共|合计|累计|至此")
# A figure stated as final holds against later backstory (a figure 据当时通报, a death told again);
# a figure stated as provisional does not replace it.
_FINAL = re.compile(r"升至|增至|上升|增加到|增加至|最终|核实为|核定|至此|实际")
_PROVISIONAL = re.compile(r"当时|初步|最初|起初|一度|事发当天|事发当日|当天的统计|此前|初报|原报")
_LATER = re.compile(r"后经|此后|随后|后又|之后|次日|后于")
# A death dated after the total it follows (次日, 7月5日): not among the dead the total counts
_AFTERWARDS = re.compile(r"此后|随后|后又|之后|次日|后于|后来|\d{1,2}月\d{1,2}日|\d{1,2}日")
# 另有/另1名 opening the clause of an injured person's death: a person not among the dead yet
_MORE = re.compile(rf"\s*(?:另有|还有|又有|另外?\s*{NUM}\s*[名人位])")
_SURVIVED = re.compile(r"治疗|救治|住院|出院|脱离(?:生命)?危险|生命体征平稳|无生命危险|病情稳定")
COUNT_FIELDS = ("deaths", "missing", "serious_injuries", "injuries")


@dataclass
class Casualties:
    deaths: int | None = None
    missing: int | None = None
    serious_injuries: int | None = None
    injuries: int | None = None
    approximate: list[str] = field(default_factory=list)  # fields stated as 30余人 etc.
    # Evidence: field -> index of the sentence that decided it; fields read from indirect
    # wording only; explicit death counts elsewhere that contradict the result
    # (field -> [(n, index)]).
    where: dict[str, int] = field(default_factory=dict)
    inferred: set[str] = field(default_factory=set)
    conflicts: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def _survived(sentence: str, e: Event) -> bool:
    """A poisoning, or a serious injury of no named person, read from the narrative counts only
    where the person is said to be treated or out of danger: 3人先后中毒倒地 may be the dead."""
    if e.kind == "poison" or (e.kind == "serious" and e.guessed):
        return bool(_SURVIVED.search(sentence, e.end, e.end + 40))
    return True


def _grand_total(sentence: str, deaths: list[Event]) -> int | None:
    """Where a death total with 共 ends (共造成62人遇难…，有1名伤员在送往医院途中死亡: the
    death told after it is one of the 62)."""
    after = 0
    for e in deaths:
        if _GRAND.search(sentence, after, e.end):
            return e.end
        after = e.end
    return None


def _accumulate(sentence: str, events: list[Event]) -> tuple[int, Event, Event, bool] | None:
    """Counts of one kind in one sentence add up (3人当场死亡，1人经抢救无效死亡), unless a later
    one is a total itself (…，事故共造成3人死亡) or follows one (共造成62人遇难，…现场死亡61人);
    还造成/也造成 adds (…；飞溅的玻璃还造成2名行人受伤)."""
    value, approx, after, grand, decided = None, False, 0, False, None
    for e in events:
        total = _TOTAL.search(sentence, after, e.end) and not _ALSO.search(sentence, after, e.end)
        if value is None or total:
            value, approx, decided = e.n, e.approx, e
            grand = bool(_GRAND.search(sentence, after, e.end))
        elif not grand or e.kind != decided.kind:  # after 共造成62人遇难, 现场死亡61人 is one of them
            value, approx = value + e.n, approx or e.approx
        after = e.end
    return (value, events[0], decided, approx) if value is not None else None


class _Tally:
    """Counts read so far, sentence by sentence, with where each was decided."""

    def __init__(self) -> None:
        self.values: dict[str, int | None] = dict.fromkeys(COUNT_FIELDS)
        self.light: int | None = None
        self.where: dict[str, int] = {}
        self.approx: set[str] = set()
        self.inferred: set[str] = set()
        self.stated: dict[str, list[tuple[int, int]]] = {f: [] for f in COUNT_FIELDS}
        self.updates: list[int] = []  # sentences that change the toll (升至, 核实, a later death)
        self.held: set[str] = set()  # fields stated as final (死亡人数升至20人)
        self.provisional: set[str] = set()  # fields last stated by a provisional figure (初报)
        self.lower: list[tuple[int, int]] = []  # death counts lower than the one before them
        self.shadow: dict[str, int] = {}  # the count such a lower figure started
        self.totals: list[tuple[int, int]] = []  # death counts stated as totals (造成3人死亡)
        self.pool: list[tuple[int, Event]] = []  # counts read from indirect wording
        self.zero_from: dict[str, int] = {}
        self.zero_weak: int | None = None
        self.previous: set[str] = set()  # fields the previous statement stated
        self.previous_at = -1  # the sentence it is
        self.grand_at = -1  # the last sentence stating a death total with 共/合计

    def read(self, reading: Reading, index: int, sentence: str) -> None:
        events = [e for e in reading.events if e.op not in ("claim", "ignore", "dead")]
        if any(
            e.kind == "death" and _CHANGED.search(sentence, max(0, e.start - 16), e.end) for e in events
        ):  # 后经核实，死亡人数为4人
            self.updates.append(index)
        if not re.search(r"免予追究|免于追究|不再追究", sentence):
            # a detail (其老伴被划伤，受轻伤) tells the severity of the injured it belongs to
            self.pool += [
                (index, e)
                for e in events
                if e.op in ("stated", "detail")
                and not e.explicit
                and e.n is not None
                and _survived(sentence, e)
            ]
        stated = [
            e
            for e in events
            if e.op in ("stated", "detail") and e.explicit and e.n is not None and e.kind != "casualty"
        ]
        fields = self._statements(sentence, stated, index, events[0] if events else None)
        grand = _grand_total(sentence, [e for e in stated if e.kind == "death" and e.op == "stated"])
        for e in events:
            if e.op not in ("convert", "found") or e.n is None:
                continue
            clause = clause_around(sentence, e.start, e.end)
            if e.op == "convert" and grand and e.start > grand and not _LATER.search(clause):
                continue  # one of the deaths the 共… total counts
            self._change(e, stated, index, clause, sentence[segment_start(sentence, e.start) : e.end])
        for e in events:
            if e.op == "remainder" and e.n is not None:
                self._set("injuries", e.n, index, e.approx)
        self._zeros(reading, index)
        if fields:
            self.previous, self.previous_at = fields, index

    def _statements(self, sentence: str, stated: list[Event], index: int, opening: Event | None) -> set[str]:
        # 3名重伤员中的1人…死亡: the 3 restate a count unless it is the first
        main = [
            e
            for e in stated
            if e.op == "stated"
            and not (
                e.ref
                and self.values["serious_injuries" if e.kind == "serious" else _FIELD_OF.get(e.kind, "")]
                is not None
            )
        ]
        injured = [e for e in main if e.kind in ("injury", "poison")] or [e for e in main if e.kind in GRADED]
        sums = {
            "deaths": _accumulate(sentence, [e for e in main if e.kind == "death"]),
            "missing": _accumulate(sentence, [e for e in main if e.kind == "missing"]),
            "injuries": _accumulate(sentence, injured),
        }
        for name, found in sums.items():
            if found is None:
                continue
            value, first, decided, approx = found
            clause = clause_around(sentence, first.start, first.end)
            add = (
                first is opening
                and name in self.previous
                and self.values[name] is not None
                and (
                    _ADD.match(clause)
                    or (name == "deaths" and self.previous_at == index - 1 and _REST_DEAD.match(clause))
                    or (
                        name == "deaths"
                        and decided is first
                        and self.previous_at == index - 1
                        and self.grand_at != index - 1
                        and _OTHER_DEAD.match(clause)
                    )
                    or (
                        name == "injuries"
                        and (_OTHERS.match(clause) or _SEVERITY_LABEL.match(sentence))
                        and self._apart(injured)
                    )
                )
            )
            if add:  # onto the count the narrative has reached (打捞出遗体8具。又找到2名…)
                value += self.shadow.pop(name, self.values[name])
            before = self.values[name]
            self.stated[name].append((value, index))
            if name in self.held and (add or _PROVISIONAL.search(sentence)):
                continue  # 据当时通报…, 又找到… after 死亡人数最终核实为12人: the backstory
            final = clause_around(sentence, decided.start, decided.end)
            # a correction cue may open the sentence (经最终核实，事故共造成3人死亡)
            corrected = TRUTH.search(final) or TRUTH.search(
                sentence, segment_start(sentence, decided.start), decided.start
            )
            lower = before is not None and value < before and not corrected
            if (
                name == "injuries"
                and not add
                and before is not None
                and value <= before
                and not corrected
                and len({e.kind for e in injured} - {"injury", "poison"}) == 1
                and all(e.kind in GRADED for e in injured)
            ):
                continue  # 5人受伤。经诊断，3人为轻伤: the grade of some of those counted
            if name == "deaths" and lower:
                # A death toll only grows; a lower figure later in the text, not stated as a
                # correction (核实为…), is backstory (事故当场导致1人遇难) or a disagreement.
                if not add:  # a narrative adding finds one by one is partial by nature
                    self.lower.append((value, index))
                self.shadow[name] = value
                continue
            self.shadow.pop(name, None)
            if name in self.provisional and value == before:
                self.where.pop(name, None)  # the figure confirmed: quote the confirmation
            self._set(name, value, index, approx)
            (self.provisional.add if _PROVISIONAL.search(sentence) else self.provisional.discard)(name)
            if _FINAL.search(final) and not _PROVISIONAL.search(final):
                self.held.add(name)
            else:
                self.held.discard(name)
            if name == "deaths" and _TOTAL_CUE.search(clause) and not _PROVISIONAL.search(sentence):
                self.totals.append((value, index))
            if name == "deaths" and _GRAND.search(final):
                self.grand_at = index
            if name == "injuries" and value != before:
                self.values["serious_injuries"] = self.light = None
        self._severity(stated, index)
        return {name for name, found in sums.items() if found is not None}

    def _apart(self, injured: list[Event]) -> bool:
        """Injured persons of a severity none of those counted so far has: 3人急性中毒 (all serious),
        then 另外两名员工…轻伤 are other persons."""
        count, serious = self.values["injuries"], self.values["serious_injuries"]
        if all(e.kind == "light" for e in injured):
            return serious is not None and serious == count
        if all(e.kind in ("serious", "poison") for e in injured):
            return self.light is not None and self.light == count
        return False

    def _severity(self, stated: list[Event], index: int) -> None:
        main = [e for e in stated if e.op == "stated"]
        details = [e for e in stated if e.op == "detail"]
        # 11人中毒（其中2人重度中毒）: the detail is part of the stated count
        serious = [e.n for e in main if e.kind in ("serious", "poison")] or [
            e.n for e in details if e.kind in ("serious", "poison")
        ]
        light = [e.n for e in main if e.kind == "light"] or [e.n for e in details if e.kind == "light"]
        injuries = self.values["injuries"]
        if serious:
            self._set("serious_injuries", sum(serious), index)
            self.stated["serious_injuries"].append((sum(serious), index))
        elif light:
            self.light = sum(light)
            if injuries is not None and injuries >= self.light:
                self._set("serious_injuries", injuries - self.light, index)
        serious_now = self.values["serious_injuries"]
        if serious_now is not None and injuries is not None and serious_now > injuries:
            self.values["serious_injuries"] = None

    def _covered(self, told: str) -> bool:
        """Whether the toll stands as a total with 共/合计 from an earlier sentence and the text
        telling the death (its sentence up to it) does not date it after that (次日, 此后 …):
        the total counts every death."""
        at = self.where.get("deaths")
        return at is not None and at == self.grand_at and not _AFTERWARDS.search(told)

    def _change(self, e: Event, stated: list[Event], index: int, clause: str, told: str) -> None:
        """Injured persons who died, missing persons found dead; a total stated later in the same
        sentence already counts them."""
        later = {_FIELD_OF.get(s.kind) for s in stated if s.start > e.start}
        later |= {"serious_injuries" for s in stated if s.start > e.start and s.kind in ("serious", "poison")}
        deaths, injuries = self.values["deaths"], self.values["injuries"]
        if e.op == "convert" and not injuries and deaths is not None and not _MORE.match(clause):
            return  # no injured person is counted: the one who died is among the dead already
        if e.op == "convert" and self._covered(told):
            return  # 事故共造成4人死亡、2人受伤。其中1名伤者…死亡: the total covers it
        if "deaths" not in later and "deaths" not in self.held:
            shadow = self.shadow.get("deaths")
            if shadow is None:
                self._set("deaths", (deaths or 0) + e.n, index, inferred=not e.explicit)
            else:  # the narrative retold from a lower count catches up with the toll, no more
                self.shadow["deaths"] = shadow + e.n
                if shadow + e.n > (deaths or 0):
                    self._set("deaths", shadow + e.n, index, inferred=not e.explicit)
        if e.op == "found":
            if self.values["missing"] is not None:
                self._set("missing", max(0, self.values["missing"] - e.n), index)
        else:
            if injuries is not None and "injuries" not in later:
                self._set("injuries", max(0, injuries - e.n), index)
            serious, left = self.values["serious_injuries"], self.values["injuries"]
            if serious is not None and "serious_injuries" not in later:
                serious = max(0, serious - e.n) if e.serious_ref else serious
                kept = min(serious, left) if left is not None else serious
                self._set("serious_injuries", kept, index)
        self.updates.append(index)

    def _zeros(self, reading: Reading, index: int) -> None:
        for name in sorted(reading.zero):
            if not self.values[name]:
                self._set(name, 0, index)
                self.stated[name].append((0, index))
                self.zero_from[name] = index
        if reading.zero_weak and self.zero_weak is None:
            self.zero_weak = index

    def _set(self, name: str, value: int, index: int, approx: bool = False, inferred: bool = False) -> None:
        if self.values[name] != value or name not in self.where:
            self.where[name] = index
        self.values[name] = value
        (self.approx.add if approx else self.approx.discard)(name)
        (self.inferred.add if inferred else self.inferred.discard)(name)
        if name == "deaths" and value and "deaths" in self.zero_from:
            # 无人员伤亡 said first, deaths found later: the zero injured came from the same claim
            at = self.zero_from.pop("deaths")
            if self.zero_from.get("injuries") == at and self.values["injuries"] == 0:
                self.values["injuries"] = self.values["serious_injuries"] = None
                self.where.pop("injuries", None)


_FIELD_OF = {
    "death": "deaths",
    "missing": "missing",
    "injury": "injuries",
    "poison": "injuries",
    "serious": "injuries",
    "light": "injuries",
    "grave": "injuries",
}


def _is_title(sentences: list[str]) -> bool:
    """A headline: the first line of several, short, without a comma, not opening like a
    sentence of the body (事故造成…, 经核查…, a date)."""
    first = sentences[0] if len(sentences) > 1 else ""
    return 0 < len(first) <= 60 and not re.search(r"[，,；;]", first) and not _BODY_OPENING.match(first)


_BODY_OPENING = re.compile(r"\s*(?:事故|经|据|截至|截止|该|此次|本次|次日|当日|当天|现场|其中|另有|\d)")


def _pooled(pool: list[tuple[int, Event]], name: str) -> tuple[int, int] | None:
    """The count read from indirect wording: the most persons any sentence names, and for
    deaths every distinct named victim (吴某某、钱某 in one sentence, 杜某某 in another)."""
    found = [(i, e) for i, e in pool if _FIELD_OF.get(e.kind) == name and e.op == "stated"]
    if name == "injuries":  # 王某某被砸伤…王某某经抢救无效死亡: a named person hurt who died later
        dead = {n for _, e in pool if e.kind == "death" for n in e.names}
        found = [(i, e) for i, e in found if not (e.names and set(e.names) <= dead)]
    if name == "serious_injuries":
        found = [(i, e) for i, e in pool if e.kind in ("serious", "poison")]
    if name == "light":
        found = [(i, e) for i, e in pool if e.kind == "light"]
    if not found:
        return None
    index, best = max(found, key=lambda x: x[1].n)
    named = {n for _, e in found for n in e.names}
    if name == "deaths" and len(named) > best.n:
        return len(named), max(i for i, e in found if e.names)
    return best.n, index


def _choose(name: str, body: _Tally, head: _Tally, title: int | None):
    """(value, sentence index, inferred, approximate): the body, then the headline, then
    indirect wording."""
    if body.values[name] is not None:
        return body.values[name], body.where[name], name in body.inferred, name in body.approx
    if head.values[name] is not None:
        return head.values[name], title, name in head.inferred, name in head.approx
    for pool in (body.pool, head.pool):
        if (found := _pooled(pool, name)) is not None:
            return found[0], found[1], True, False
    if name == "injuries" and body.zero_weak is not None:
        return 0, body.zero_weak, True, False
    return None, None, False, False


def _serious(body: _Tally, head: _Tally, injuries: tuple, title: int | None):
    """Serious injuries, at most the injured: as stated; else what the light ones leave
    (1人受伤（轻伤）); a poisoning or 重伤 read from the narrative; the headline's; none of none."""
    value, at, inferred, _ = injuries
    if value is None:
        return None, None, False, False
    stated = body.values["serious_injuries"]
    if stated is not None and stated <= value:
        return stated, body.where["serious_injuries"], "serious_injuries" in body.inferred, False
    if body.light is not None and body.light <= value:
        return value - body.light, at, inferred, False
    light = _pooled(body.pool, "light")
    if light is not None and light[0] <= value:
        return value - light[0], light[1], True, False
    serious = _pooled(body.pool, "serious_injuries")
    if serious is not None and serious[0] <= value:
        return serious[0], serious[1], True, False
    if head.values["serious_injuries"] is not None and head.values["serious_injuries"] <= value:
        return head.values["serious_injuries"], title, "serious_injuries" in head.inferred, False
    if value == 0:
        return 0, at, inferred, False
    return None, None, False, False


def count_casualties(sentences: list[str]) -> Casualties:
    """Casualties stated in a report, read as described in the module docstring."""
    sentences = table_rows(sentences)
    title = 0 if _is_title(sentences) else None
    body, head, base = _Tally(), _Tally(), None
    for index, sentence in enumerate(sentences):
        reading = read_sentence(sentence, base)
        (head if index == title else body).read(reading, index, sentence)
        base = reading.last_base
    result = Casualties()
    chosen = {name: _choose(name, body, head, title) for name in ("deaths", "missing", "injuries")}
    chosen["serious_injuries"] = _serious(body, head, chosen["injuries"], title)
    for name, (value, at, inferred, approx) in chosen.items():
        setattr(result, name, value)
        if value is None:
            continue
        result.where[name] = at
        explicit = [v for v, _ in body.stated[name] + head.stated[name]]
        if inferred and value not in explicit:
            result.inferred.add(name)
        if approx:
            result.approximate.append(name)
    result.approximate.sort()
    result.conflicts = _conflicts(body, head, result.deaths)
    return result


def _conflicts(body: _Tally, head: _Tally, deaths: int | None) -> dict[str, list[tuple[int, int]]]:
    """Death counts stated in the text that differ from the result, with nothing after them
    that explains the change (a later death, 升至, 最终核实 …): the text disagrees with itself."""
    if deaths is None:
        return {}
    found = [(v, i) for v, i in body.totals if v != deaths and not any(u > i for u in body.updates)]
    found += [(v, i) for v, i in body.lower if v != deaths and not any(u > i for u in body.updates)]
    # a headline disagrees unless the body told its figure and then how it changed
    told = {v for v, i in body.stated["deaths"] if any(u > i for u in body.updates)}
    found += [(v, i) for v, i in head.stated["deaths"] if v != deaths and v not in told]
    found = sorted(set(found), key=lambda x: x[1])
    return {"deaths": found} if found else {}
