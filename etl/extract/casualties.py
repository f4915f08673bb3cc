"""Casualty counts from report text: deaths, missing, serious injuries, injuries (alive).

How a text is read (《生产安全事故报告和调查处理条例》第三条: 重伤 includes 急性工业中毒):

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
  死亡) or follows a 共 total (共造成62人遇难，…现场死亡61人); 又/另有 opening a sentence adds to the
  previous sentence's count of that kind (发现遇难人员2名。又…发现遇难人员1名 = 3).
- A figure stated as final (死亡人数升至20人, 最终核实为) holds against the backstory told after it
  (据当时通报…, 在事发当天的统计中…, 又找到…). A death toll only grows: a lower figure later in the
  text that is not a correction (核实为…) is backstory, and a disagreement.
- Changes: a death whose subject is an injured person (伤者, 1名重伤员, 10名伤员中有2人, 其中…
  after a count of injured) moves persons from injuries to deaths; a missing person found dead
  (6名失联人员…均已遇难, 下落不明的1人遗体已被找到) from missing to deaths. The death must be tied
  to the injured person in its own clause: a sentence that merely mentions 受伤人员 elsewhere
  changes nothing, and with no injured counted the dying 伤者 is one of the dead already.
- 其中 after a count breaks it down: injured persons (22人受伤，其中2人经抢救无效死亡: 2 deaths, 20
  injured), casualties (38人伤亡，其中31人死亡: 7 injured), persons found or rescued (17名涉险人员
  全部找到，其中10人死亡、7人受伤: stated counts), the dead (no new persons). A parenthesis after a
  count is its breakdown too (2人受伤（均为轻伤）: no serious injury).
- Counts of a false report or a claim (报告称2人死亡, 只报告, 谎称“无人员伤亡”, 网传, 隐瞒了2名
  遇难人员) are not counts of this accident; nor are counts of other accidents (曾发生, 3起).
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
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from etl.normalize.numbers import cn_to_int

NUM = r"(?:\d{1,6}|[零〇一二两三四五六七八九十百]{1,8})"  # bounded: see numbers.CN_NUM
_COUNT = rf"(?P<num>{NUM})\s*(?P<approx>余|多)?(?:人|名|位|具)(?![民次士字])"
# What a count or a verb can refer back to, nearest first.
_TOKEN = re.compile(
    rf"(?P<count>{_COUNT})"
    rf"|(?<=家)(?P<family>{NUM})口"  # 一家三口
    r"|(?P<injref>伤者|伤员|伤病员|(?:重伤|受伤|烧伤|烫伤|灼伤)(?:的|人员|员|者|矿工|工人|员工|乘客|住客))"
    r"|(?P<missref>(?:失联|失踪|下落不明|失去联系)(?:的|人员|矿工|工人|者))"
    r"|(?P<name>[\u4e00-\u9fff](?:某某?|××?|XX|\*\*))"
    r"|(?P<one>一名|一位|一人|其(?![中余他它间实次])|该名?(?:男子|女子|工人|员工|司机|驾驶员|职工"
    r"|矿工|老人|学生|人)|一(?:男子|女子|工人|村民|老人|男孩|女孩|儿童|学生|员工|矿工|司机|骑手|女工"
    r"|民工|农民工|行人|乘客|男童|女童))"
    r"|(?P<plural>等人|人们|多名|数名|几名|多人|多位|若干|人员|群众|众人|部分|一些|不少|众多|大量)")
_VERBS = [  # (kind, pattern), tried in this order at each position
    ("death", r"不治身亡|死亡|遇难|身亡|罹难|丧生|殒命|溺亡|遇害|致死|不治|死去|去世|未能生还"
              r"|(?:均已|已经|已|均)无生命体征"
              r"|(?:抢救|医治)无效(?![^。；;]{0,16}?(?:死亡|身亡|不治|去世|无生命体征))"),
    ("missing", r"失踪|失联|下落不明|失去联系"),
    ("serious", r"受重伤|重伤"),
    ("light", r"受轻伤|轻伤|轻微伤"),
    ("poison", r"中毒"),
    ("casualty", r"伤亡"),
    ("injury", r"受伤|负伤|(?<![损悲哀忧创])伤"),
]
# A verb followed by these is part of a noun (重伤人员, 伤者, 遇难矿工, 中毒和窒息), not a statement.
_NOT_VERB = (r"(?!人员|者|员|势|情|残|口|病|痕|处|率|的|事故|原因|名单|家属|矿工|工人|乘客|群众"
             r"|村民|职工|员工|害|心|后死亡|死亡|身亡|和窒息|窒息|症状|亡)")
_VERB = re.compile("(?:" + "|".join(f"(?P<{k}>{p})" for k, p in _VERBS) + ")" + _NOT_VERB)
# The count after a verb: 受伤5人, 死亡人数：1, 遇难人数由2人核实为8人, 死亡人数升至20人.
_AFTER = re.compile(rf"(?P<noun>人数)?\s*(?:由\s*{NUM}\s*(?:人|名)\s*)?"
                    r"[为达共计上升增加至到最终核实确定已经累合是]{0,8}\s*(?P<colon>[:：])?\s*"
                    rf"(?P<num>{NUM})\s*(?P<approx>余|多)?(?P<unit>人|名)?")
# 3死2伤, 一死二伤, 3死7失联, 2死12人失联 (news headlines).
_COMPACT = re.compile(rf"(?P<d>{NUM})死(?:(?P<n>{NUM})(?:余|多)?人?(?P<k>重伤|轻伤|伤|失联|失踪))?")
# Persons counted as nouns: 三名遇难人员, 遇难人员2名, 2具遗体, 3名伤者, 受伤的六人, 2名失踪人员.
_N = rf"\s*(?P<num>{NUM})\s*(?:名|人)"
_NOUNS = [(kind, re.compile(p)) for kind, p in (
    ("death", rf"{_COUNT}(?:遇难|死亡|罹难)(?:人员|者|矿工|工人|乘客|群众|村民|职工|员工)"),
    ("death", rf"{_COUNT}(?:死者|遇难者遗体|遗体|尸体)"),
    ("death", rf"(?:遇难|死亡)(?:人员|者){_N}"),
    ("death", rf"(?:遇难|死亡)的{_N}"),
    ("death", rf"(?:遗体|尸体)\s*(?P<num>{NUM})\s*具"),
    ("found", rf"{_COUNT}(?:失联|失踪|下落不明)(?:人员|者|矿工|工人)?的?(?:遗体|尸体)"),
    ("serious", rf"{_COUNT}(?:重伤员|重伤者|重伤人员)"),
    ("injury", rf"{_COUNT}(?:伤者|伤员|伤病员|受伤人员|受伤者|轻伤员|轻伤者|轻伤人员|烧伤人员|烫伤人员)"),
    ("injury", rf"(?:受伤人员|受伤者|伤者|伤员){_N}"),
    ("injury", rf"受伤的{_N}"),
    ("missing", rf"{_COUNT}(?:失联|失踪)(?:人员|矿工|工人|者)"),
    ("missing", rf"(?:失联|失踪)(?:人员|者){_N}"),
)]
_NONE = re.compile(r"(?:无|未造成|没有造成|未发生|未发现|没有|未有|无一)(?:任何|其他|其余)?人员?"
                   r"(?P<k>伤亡|死亡|受伤)"
                   r"|人员无(?P<k2>伤亡)")
_NONE_WEAK = re.compile(r"未(?:受伤害|受伤|受到伤害)|无人受伤")
_NEGATED = re.compile(r"(?:无(?!效|生命)|未(?!能生还)|没有|没|防止|避免|是否|可能|易|以免|杜绝|严防|预防"
                      r"|不会|不致|不曾)[^，。；,;]{0,4}$")
# Figures someone reported or claimed falsely, or the part of the toll that was concealed.
_CLAIM = re.compile(r"谎报|谎称|虚报|(?:只|仅)(?:向[^，。；]{0,20})?报告?|对外宣?称|声称|通稿称|网传|传言"
                    r"|谣传|不实")
# 报告称 is a false figure only where the text says something was concealed or false.
_WEAK_CLAIM = re.compile(r"报告称|报称|上报称|报告为|报告")
_FALSITY = re.compile(r"隐瞒|瞒报|谎报|虚假|不实|少报|降低事故等级|逃避")
_CONCEALED = re.compile(r"(?:瞒报|隐瞒)了?(?:另外|其中)?\s*$")
_HIDDEN = re.compile(r"遗体[^，。；,;]{0,20}(?:转移|藏匿|转运|隐藏|私自)")
_QUOTED_CLAIM = re.compile(r"(?:报告|报称|谎称|声称|宣称|表示|称)[^“]{0,6}“[^”]{0,80}$")
_MAY_CLAIM = re.compile(r"谎|虚报|只|仅|对外|声称|通稿|网传|传言|谣传|不实|报|瞒|“|遗体")
_TRUTH = re.compile(r"实际|核实|核查|核定|经查|查明|证实|确认|最终")
_TOTAL = re.compile(r"造成|致使|导致|共|计|至此|截至|最终|核实|核查|核定|实际|升至|增至|上升|增加|已致|证实"
                    r"|查明")
# A death told with these explains a change of the toll (no conflict with an earlier figure).
_CHANGED = re.compile(r"最终|核实|核查|核定|实际|升至|增至|上升|增加|至此|截至|已致|已造成|证实|查明|此后"
                      r"|随后|又|另有|抢救无效|医治无效|不治|途中|后经|后死亡")
# 另有/又 at the start of a sentence adds to the previous sentence's count of the same kind
# (另外2人, 另一人 are the rest of a group, not more persons).
_ADD = re.compile(r"^\s*(?:[^，,；;]{0,6}?又|另有|还有|此外)")
_ALL = re.compile(r"[均都]|全部")
# Between two names of one list: 牛某、温某某; 车间主任吴某某和操作工钱某; 吴某某随驾驶室坠落，与钢筋工孙某某
_LIST_JOIN = re.compile(r"[\u4e00-\u9fff]{0,3}[、和及与][\u4e00-\u9fff]{0,4}"
                        r"|[^，。；,;]{0,12}[，,]与[^，。；,;]{0,10}")
_SEPARATOR = re.compile(r"[，,；;、：:（）()“”\"\s。]")
_TOTAL_CUE = re.compile(r"造成|致使|导致|致|共|计|死亡人数|遇难人数")
_GRAND = re.compile(r"共|合计|累计|至此")
# A figure stated as final holds against later backstory (a figure 据当时通报, a death told again);
# a figure stated as provisional does not replace it.
_FINAL = re.compile(r"升至|增至|上升|增加到|增加至|最终|核实为|核定|至此|实际")
_PROVISIONAL = re.compile(r"当时|初步|最初|起初|一度|事发当天|事发当日|当天的统计|此前|初报|原报")
_MISSING_BEFORE = re.compile(r"(?:失联|失踪|下落不明|失去联系)的?$")
# 10名伤员中有2人…, 4名伤者中，后又有3名…: persons counted among those before
_AMONG = re.compile(r"(?:当)?中[，,]?(?:[^，,。；;]{0,4}?有)?|里有")
_LATER = re.compile(r"后经|此后|随后|后又|之后|次日|后于")
_MORE = re.compile(r"\s*(?:另有|还有|又有)")
# 其中, or 当中 after persons (40名死亡人员当中，有旅客37人…): a breakdown of the count before
_BREAKDOWN = re.compile(r"其中|(?<=人员)当中|(?<=[者员])中[，,:：]")
_REST = re.compile(r"\s*(?:另外|另一|其余|其他|余下|剩余)")
_SURVIVED = re.compile(r"治疗|救治|住院|出院|脱离(?:生命)?危险|生命体征平稳|无生命危险|病情稳定")
_HOSPITAL = re.compile(r"送往|送医|送至|送到|入院|住院|就医")
_TREATED = re.compile(r"治疗|救治|医院|住院|病情|伤势|生命体征|重伤|轻伤|伤员|伤者|抢救|观察")
_ABOUT = re.compile(r"(?:数|约|近|逾|超过|大约)$")
_PLURAL_SUBJECT = re.compile(r"人员|们|等|多名|数名|均|都|全部|部分|一些|不少|众多|不同程度")
_OTHER_ACCIDENTS = re.compile(r"(?:\d+|[两二三四五六七八九十]+)起|曾发生|此前发生|以往|历史上|同比")
_KEYWORDS = re.compile(r"死|伤|亡|遇难|失踪|失联|下落不明|失去联系|中毒|生命体征|罹难|丧生|殒命|遇害"
                       r"|不治|遗体|尸体|去世|无效|生还")
WINDOW = 200  # characters looked at around a mention
LOOKBACK = 60  # characters before a verb searched for its subject
INJURED_KINDS = ("injury", "poison", "serious", "light")
COUNT_FIELDS = ("deaths", "missing", "serious_injuries", "injuries")


@dataclass
class Token:
    kind: str  # count | injref | missref | name | one | plural | event
    start: int
    end: int
    n: int | None = None
    approx: bool = False
    names: tuple[str, ...] = ()
    event: "Event | None" = None  # the event this count or noun belongs to


@dataclass
class Event:
    kind: str  # death | missing | injury | serious | light | poison | casualty
    n: int | None
    start: int
    end: int
    explicit: bool = True  # the number is stated (not read from names or a singular word)
    approx: bool = False
    op: str = "stated"  # stated | convert | found | detail | remainder | ignore | dead | claim
    names: tuple[str, ...] = ()
    serious_ref: bool = False  # a conversion of a seriously injured person
    noun: bool = False  # 2名伤者, 三名遇难人员: a count of persons named by a noun
    guessed: bool = False  # no subject found: one person assumed


@dataclass
class Reading:
    events: list[Event] = field(default_factory=list)
    last_base: "Base | None" = None  # what a 其中 opening the next sentence refers to
    zero: set[str] = field(default_factory=set)  # fields stated as zero
    zero_weak: bool = False  # 其他人员未受伤


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


def _clause(sentence: str, start: int, end: int) -> str:
    # Bounded windows: clauses are short, and unbounded searches are quadratic on long text.
    floor = max(0, start - WINDOW)
    left = max(max(sentence.rfind(c, floor, start) for c in "，,；; ") + 1, floor)
    rights = [i for i in (sentence.find(c, end, end + WINDOW) for c in "，,；; ") if i >= 0]
    return sentence[left:min(rights) if rights else min(len(sentence), end + WINDOW)]


def _segment_start(sentence: str, pos: int, limit: int = LOOKBACK) -> int:
    """Where the ；-part of the sentence holding pos begins, at most limit characters back."""
    floor = max(0, pos - limit)
    return max(max(sentence.rfind(c, floor, pos) for c in "；;。") + 1, floor)


def _tokens(sentence: str) -> list[Token]:
    """Counts, references to injured or missing persons, names, singular and plural words."""
    out: list[Token] = []
    for m in _TOKEN.finditer(sentence):
        if m.group("count") or m.group("family"):
            number = m.group("num") or m.group("family")
            # 30余人, 数十人, 约20人, 近百人: not an exact figure
            about = _ABOUT.search(sentence, max(0, m.start() - 2), m.start())
            approx = bool(m.group("approx") or about)
            out.append(Token("count", m.start(), m.end(), cn_to_int(number), approx))
        elif m.group("name"):
            out.append(Token("name", m.start(), m.end(), 1, names=(m.group(),)))
        elif m.group("plural"):
            # 3名作业人员: the count says how many
            if not (out and out[-1].kind == "count" and m.start() - out[-1].end <= 6
                    and not _SEPARATOR.search(sentence[out[-1].end:m.start()])):
                out.append(Token("plural", m.start(), m.end()))
        else:
            kind = next(k for k in ("injref", "missref", "one") if m.group(k))
            out.append(Token(kind, m.start(), m.end(), 1 if kind == "one" else None))
    return _lists(sentence, out)


def _lists(sentence: str, tokens: list[Token]) -> list[Token]:
    """Persons listed together are one subject: 牛某、温某某、谷某 (3); 其本人及一名顾客 (2)."""
    out: list[Token] = []
    for t in tokens:
        previous = out[-1] if out else None
        gap = sentence[previous.end:t.start] if previous else ""
        listed = previous is not None and previous.kind in ("name", "one") and t.kind in (
            "name", "one", "count")
        if listed and _LIST_JOIN.fullmatch(gap) and not _KEYWORDS.search(gap):
            previous.kind = "count" if t.kind == "count" else previous.kind
            # 祁某及其妻子、孙子三人: a count after the list without a 、/和 says how many in all
            appositive = t.kind == "count" and not re.search(r"[、和及与]$", gap)
            previous.end, previous.n = t.end, t.n if appositive else previous.n + t.n
            previous.names, previous.approx = (*previous.names, *t.names), t.approx
            if previous.kind == "one" and t.kind == "name":
                previous.kind = "name"
        else:
            out.append(t)
    return out


class _Spans:
    """Non-overlapping character spans, looked up by bisection (long texts stay linear)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)

    def covers(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and pos < self.ends[i]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1
        return i >= 0 and self.ends[i] > start


def _noun_events(sentence: str, tokens: list[Token],
                 spans: "_Spans") -> tuple[list[Event], list[Token]]:
    """三名遇难人员, 2名伤者, 下落不明的1人遗体 …; their tokens become one token each."""
    events = []
    for kind, pattern in _NOUNS:
        for m in pattern.finditer(sentence):
            if spans.overlaps(m.start(), m.end()):
                continue
            if (n := cn_to_int(m.group("num"))) is None:
                continue
            ev = Event(kind, n, m.start(), m.end(), approx=bool(m.groupdict().get("approx")),
                       noun=True)
            before = sentence[max(0, m.start() - 6):m.start()]
            if kind == "found" or (kind == "death" and _MISSING_BEFORE.search(before)):
                ev.kind, ev.op = "death", "found"
            events.append(ev)
            spans.add(m.start(), m.end())
    kept = [t for t in tokens if not spans.covers(t.start)]
    kept += [Token("event", e.start, e.end, e.n, e.approx, event=e) for e in events]
    return events, sorted(kept, key=lambda t: t.start)


def _compact_events(sentence: str) -> list[Event]:
    """3死2伤, 1死1重伤, 3死7失联 (news headlines)."""
    events = []
    for m in _COMPACT.finditer(sentence):
        if (d := cn_to_int(m.group("d"))) is None:
            continue
        events.append(Event("death", d, m.start(), m.end()))
        if m.group("n") and (n := cn_to_int(m.group("n"))) is not None:
            kind = {"重伤": "serious", "轻伤": "light", "失联": "missing", "失踪": "missing"}.get(
                m.group("k"), "injury")
            events.append(Event(kind, n, m.start(), m.end()))
    return events


def _nearest(tokens: list[Token], starts: list[int], pos: int, floor: int) -> Token | None:
    """The last token that ends at or before pos and starts at or after floor."""
    i = bisect_right(starts, pos) - 1
    while i >= 0 and tokens[i].end > pos:
        i -= 1
    return tokens[i] if i >= 0 and tokens[i].start >= floor else None


def _verb_events(sentence: str, tokens: list[Token], taken: "_Spans") -> list[Event]:
    """One event per casualty word that is a statement (not a noun, not negated)."""
    events: list[Event] = []
    starts = [t.start for t in tokens]
    floor = 0
    for m in _VERB.finditer(sentence):
        if taken.covers(m.start()):
            continue
        kind = m.lastgroup
        if _NEGATED.search(sentence[max(0, m.start() - 8):m.start()]):
            floor = m.end()
            continue
        ev = _attached(sentence, kind, m, tokens, starts, floor)
        if ev is None:
            ev = _reverse(sentence, kind, m, tokens, starts)
        if ev is None and not sentence.startswith("人数", m.end()):
            ev = _subject(sentence, kind, m, tokens, starts)
        if ev is not None:
            events.append(ev)
            floor = max(m.end(), ev.end)
        else:
            floor = m.end()
    return events


def _attached(sentence: str, kind: str, m: re.Match, tokens: list[Token], starts: list[int],
              floor: int) -> Event | None:
    """3人死亡, 2名清理浮煤的工人被撞伤: a count in the same clause just before the word."""
    t = _nearest(tokens, starts, m.start(), floor)
    if t is None or t.kind not in ("count", "event") or m.start() - t.end > 20:
        return None
    if _SEPARATOR.search(sentence[t.end:m.start()]):
        return None
    if t.event is not None:
        return _shared(kind, t.event, m)
    ev = Event(kind, t.n, t.start, m.end(), approx=t.approx)
    t.event = ev
    _mark_conversion(sentence, ev, tokens, starts, t)
    return ev


def _reverse(sentence: str, kind: str, m: re.Match, tokens: list[Token],
             starts: list[int]) -> Event | None:
    """受伤5人, 死亡人数：1, 死亡人数升至20人."""
    after = _AFTER.match(sentence, m.end(), min(len(sentence), m.end() + 24))
    if not after or not (after.group("unit") or after.group("colon") or after.group("noun")):
        return None
    if (n := cn_to_int(after.group("num"))) is None:
        return None
    ev = Event(kind, n, m.start(), after.end(), approx=bool(after.group("approx")))
    for t in tokens[bisect_left(starts, m.end()):bisect_left(starts, after.end())]:
        if t.kind == "count":  # the count now belongs to this event
            t.event = ev
    return ev


def _shared(kind: str, owner: Event, m: re.Match) -> Event | None:
    """A word about persons another event already counts: 1名伤者经抢救无效死亡 (the injured
    person died), 找到1名失联人员，已无生命体征 (found dead), 1人受伤（轻伤） (a detail)."""
    n, serious = owner.n, owner.kind == "serious"
    if kind == "death" and owner.kind in INJURED_KINDS:
        if owner.noun:  # 1名伤者 only names who died
            owner.op = "ignore"
            return Event("death", n, m.start(), m.end(), op="convert", serious_ref=serious)
        # 2名人员先后中毒倒地，经救援送医后均死亡 / 李某某受伤，送医后经抢救无效死亡: the
        # course of events of the dead, not persons injured and alive
        owner.op = "dead"
        return Event("death", n, m.start(), m.end(), explicit=owner.explicit, names=owner.names)
    if kind == "death" and owner.kind == "missing":
        owner.op = "ignore"
        return Event("death", n, m.start(), m.end(), explicit=owner.explicit, op="found")
    if kind in ("serious", "light", "poison") and owner.kind == "injury":
        return Event(kind, n, m.start(), m.end(), explicit=owner.explicit, op="detail")
    return None


def _mark_conversion(sentence: str, ev: Event, tokens: list[Token], starts: list[int],
                     count: Token) -> None:
    """10名伤员中有2人经抢救无效死亡: a death counted among injured persons is a conversion."""
    if ev.kind != "death":
        return
    t = _nearest(tokens, starts, count.start - 1, _segment_start(sentence, count.start, 16))
    if t is None or not _AMONG.fullmatch(sentence[t.end:count.start]):
        return
    if t.kind == "injref" or (t.event is not None and t.event.kind in INJURED_KINDS):
        ev.op, ev.serious_ref = "convert", sentence[t.start] == "重" or (
            t.event is not None and t.event.kind == "serious")
    elif t.kind == "missref" or (t.event is not None and t.event.kind == "missing"):
        ev.op = "found"


def _subject(sentence: str, kind: str, m: re.Match, tokens: list[Token],
             starts: list[int]) -> Event | None:
    """The persons a word without its own count is about, found before it in the sentence."""
    if kind == "casualty":
        return None
    lo = _segment_start(sentence, m.start())
    t = _nearest(tokens, starts, m.start(), lo)
    if t is not None and t.event is not None:
        shared = _shared(kind, t.event, m)
        if shared is not None or not _SEPARATOR.search(sentence[t.end:m.start()]):
            return shared
        t = None  # 造成5人死亡，货车驾驶员受伤: a new subject in this clause
    if t is None:
        clause = sentence[max(lo, *(sentence.rfind(c, lo, m.start()) + 1 for c in "，,")):m.start()]
        if _PLURAL_SUBJECT.search(clause):
            return None
        return Event(kind, 1, m.start(), m.end(), explicit=False, guessed=True)
    if t.kind == "count":
        gap = sentence[t.end:m.start()]
        # 另有1名乘客被送往…后，于当日…死亡: a death's subject carries over a clause or two
        near = kind == "death" and len(re.findall(r"[，,]", gap)) <= 2
        ev = Event(kind, t.n, t.start, m.end(), explicit=near or bool(_ALL.search(gap)),
                   approx=t.approx)
        t.event = ev
        _mark_conversion(sentence, ev, tokens, starts, t)
        return ev
    if t.kind in ("injref", "missref"):
        return _referred(sentence, kind, m, t, _nearest(tokens, starts, t.start, t.start - 8))
    if t.kind == "name":
        ref = _nearest(tokens, starts, t.start, t.start - 4)
        if kind == "death" and ref is not None and ref.kind == "injref":  # 重伤的许某某
            return Event("death", t.n, m.start(), m.end(), explicit=False, op="convert",
                         names=t.names, serious_ref=sentence[ref.start] == "重")
        t.event = Event(kind, t.n, m.start(), m.end(), explicit=False, names=t.names)
        return t.event
    if t.kind == "one":
        t.event = Event(kind, 1, m.start(), m.end(), explicit=False)
        return t.event
    return None  # plural: how many is not said


def _referred(sentence: str, kind: str, m: re.Match, ref: Token,
              count: Token | None) -> Event | None:
    """伤者…经抢救无效死亡 (one injured person died), 一名在兰州救治的重伤乘客…死亡, 失联人员…
    已无生命体征 (found dead)."""
    if kind != "death":
        if kind in ("serious", "light", "poison") and ref.kind == "injref":
            return Event(kind, 1, m.start(), m.end(), explicit=False, op="detail")
        return None
    if re.match(r"[均都们等]", sentence[ref.end:ref.end + 1]):
        return None
    serious = sentence[ref.start] == "重" or sentence[max(0, ref.start - 2):ref.start] == "重度"
    op = "convert" if ref.kind == "injref" else "found"
    if (count is not None and count.kind == "count" and count.event is None
            and not _SEPARATOR.search(sentence[count.end:ref.start])):
        count.event = Event("death", count.n, count.start, m.end(), op=op, serious_ref=serious)
        return count.event
    return Event("death", 1, m.start(), m.end(), explicit=False, op=op, serious_ref=serious)


def read_sentence(sentence: str, prev_base: "Base | None" = None) -> Reading:
    """The casualty events of one sentence. prev_base: what a 其中 opening it refers to."""
    reading = Reading()
    tokens = _tokens(sentence)
    if _KEYWORDS.search(sentence) and not _OTHER_ACCIDENTS.search(sentence):
        compact = _compact_events(sentence)
        spans = _Spans()
        for e in compact:
            spans.add(e.start, e.end)
        tokens = [t for t in tokens if not spans.covers(t.start)]
        nouns, tokens = _noun_events(sentence, tokens, spans)
        verbs = _verb_events(sentence, tokens, spans)
        reading.events = sorted(compact + nouns + verbs, key=lambda e: e.start)
        _remainders(sentence, reading.events, tokens)
        _breakdowns(sentence, reading.events, tokens, prev_base)
        if _MAY_CLAIM.search(sentence):
            for e in reading.events:
                if _claimed(sentence, e.start, e.end):
                    e.op = "claim"
        _zeros(sentence, reading)
    reading.last_base = _last_base(sentence, reading.events, tokens)
    return reading


def _remainders(sentence: str, events: list[Event], tokens: list[Token]) -> None:
    """其余7人仍在医院治疗, 其余5名伤员…: the injured persons left after the deaths."""
    by_start = {t.start: t for t in tokens}
    for m in re.finditer(r"其余\s*", sentence):
        t = by_start.get(m.end())
        if t is None or t.kind not in ("count", "event"):
            continue
        tail = re.split(r"[；;。]", sentence[t.end:t.end + 20], maxsplit=1)[0]
        if not _TREATED.search(tail) or _NONE_WEAK.search(tail):
            continue
        if t.event is None:
            t.event = Event("injury", t.n, t.start, t.end, approx=t.approx, op="remainder")
            events.append(t.event)
        elif t.event.kind in ("injury", "serious") and t.event.noun:
            t.event.op = "remainder"
    events.sort(key=lambda e: e.start)


@dataclass
class Base:
    """What a breakdown breaks down: injured, serious, casualty, death, missing, hospital (persons
    taken to hospital), group (persons found, rescued …) or none."""
    kind: str
    n: int | None = None
    approx: bool = False


def _base(sentence: str, item) -> Base:
    if isinstance(item, Event):
        injured = "injured" if item.kind in INJURED_KINDS else "none"
        kind = {"casualty": "casualty", "death": "death", "missing": "missing",
                "serious": "serious"}.get(item.kind, injured)
        return Base(kind, item.n, item.approx)
    if item.kind == "injref":
        return Base("serious" if sentence[item.start] == "重" else "injured")
    if item.kind == "missref":
        return Base("missing")
    clause_end = re.search(r"[，,；;。]|$", sentence[item.end:item.end + 20]).start()
    hospital = _HOSPITAL.search(sentence, item.end, item.end + clause_end)
    return Base("hospital" if hospital else "group", item.n, item.approx)


_BASE_OPS = ("stated", "remainder", "convert")


def _items(events: list[Event], tokens: list[Token]) -> list:
    """What a 其中 can refer back to, by end position."""
    items = [e for e in events if e.op in _BASE_OPS]
    items += [t for t in tokens if t.event is None and t.kind in ("count", "injref", "missref")]
    return sorted(items, key=lambda x: x.end)


def _breakdowns(sentence: str, events: list[Event], tokens: list[Token], prev_base) -> None:
    """其中… after a count, and a parenthesis after one, break that count down."""
    items = _items(events, tokens)
    ends = [x.end for x in items]
    starts = [e.start for e in events]
    for m in _BREAKDOWN.finditer(sentence):
        paren = sentence[m.start() - 1:m.start()] in ("（", "(")
        stop = _scope_end(sentence, m.end(), paren)
        i = bisect_right(ends, m.start()) - 1
        while i >= 0 and isinstance(items[i], Event) and items[i].op not in _BASE_OPS:
            i -= 1  # a count an earlier breakdown took apart
        base = _base(sentence, items[i]) if i >= 0 and items[i].end >= m.start() - WINDOW else None
        if base is None and not sentence[:m.start()].strip(" ，,：:、"):
            base = prev_base
        inside = events[bisect_left(starts, m.end()):bisect_left(starts, stop)]
        _assign(base or Base("none"), inside, events, m.end())
    for m in re.finditer(r"[（(](?!其中)", sentence):
        i = bisect_right(ends, m.start()) - 1
        if i < 0 or items[i].end < m.start() - 1 or not isinstance(items[i], Event):
            continue
        stop = _scope_end(sentence, m.end(), True)
        inside = events[bisect_left(starts, m.end()):bisect_left(starts, stop)]
        for e in inside:
            if not e.explicit and items[i].n is not None:
                e.n, e.explicit = items[i].n, items[i].explicit
        _assign(_base(sentence, items[i]), inside, events, m.end())
    events.sort(key=lambda e: e.start)


def _scope_end(sentence: str, start: int, paren: bool) -> int:
    """A breakdown ends with its parenthesis, or with its ；-part unless the next part goes on
    with the rest of the same persons (其中1人重伤；另外2人轻度烫伤)."""
    stops = "）)" if paren else "；;。"
    limit = min(len(sentence), start + WINDOW)
    while True:
        found = [i for i in (sentence.find(c, start, limit) for c in stops) if i >= 0]
        end = min(found) if found else limit
        depth = sum(sentence.count(c, start, end) for c in "（(") - sum(
            sentence.count(c, start, end) for c in "）)")
        if not paren and depth > 0 and end < limit:  # a ； inside a parenthesis
            start = end + 1
            continue
        if paren or end >= limit or not _REST.match(sentence, end + 1):
            return end
        start = end + 1


def _assign(base: Base, inside: list[Event], events: list[Event], at: int) -> None:
    """The role of each count in a breakdown, from what is broken down."""
    kind = base.kind
    for e in inside:
        if e.op != "stated":
            continue
        if kind in ("injured", "serious"):
            if e.kind == "death":
                e.op, e.serious_ref = "convert", kind == "serious"
            elif e.kind in INJURED_KINDS:
                e.op = "detail"
        elif kind == "death":
            e.op = "ignore"
        elif kind == "missing" and e.kind == "death":
            e.op = "found"
    if kind in ("casualty", "hospital") and base.n is not None:
        _rest_injured(base, inside, events, at)


def _rest_injured(base: Base, inside: list[Event], events: list[Event], at: int) -> None:
    """38人伤亡，其中31人死亡 / 3人被救出并送往医院，其中1人抢救无效死亡: the rest are injured."""
    stated = [e for e in inside if e.op == "stated" and e.explicit and e.n is not None]
    gone = sum(e.n for e in stated if e.kind in ("death", "missing"))
    if not any(e.kind == "death" for e in stated) or any(e.kind in INJURED_KINDS for e in stated):
        return
    if base.n - gone >= 0:
        events.append(Event("injury", base.n - gone, at, at, approx=base.approx))


def _claimed(sentence: str, start: int, end: int) -> bool:
    """A count someone reported or claimed falsely, or the concealed part of the toll."""
    clause = _clause(sentence, start, end)
    if _CONCEALED.search(sentence[max(0, start - 10):start]) or _HIDDEN.search(clause):
        return True
    before = sentence[max(0, start - 90):start]
    if "“" in before and _QUOTED_CLAIM.search(before):
        return True
    # a sentence about a false report: its counts are the false ones unless marked as the truth
    window = sentence[max(0, start - WINDOW):end + WINDOW]
    false_report = _CLAIM.search(window) or (_WEAK_CLAIM.search(window) and _FALSITY.search(window))
    return bool(false_report) and not _TRUTH.search(clause)


def _zeros(sentence: str, reading: Reading) -> None:
    claims = _MAY_CLAIM.search(sentence)
    for m in _NONE.finditer(sentence):
        if not (claims and _claimed(sentence, m.start(), m.end())):
            k = m.group("k") or m.group("k2")
            reading.zero |= {"伤亡": {"deaths", "injuries"}, "死亡": {"deaths"},
                             "受伤": {"injuries"}}[k]
    reading.zero_weak = any(not (claims and _claimed(sentence, m.start(), m.end()))
                            for m in _NONE_WEAK.finditer(sentence))


def _last_base(sentence: str, events: list[Event], tokens: list[Token]) -> Base | None:
    items = _items(events, tokens)
    return _base(sentence, items[-1]) if items else None


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
    one is a total itself (…，事故共造成3人死亡) or follows one (共造成62人遇难，…现场死亡61人)."""
    value, approx, after, grand, decided = None, False, 0, False, None
    for e in events:
        if value is None or _TOTAL.search(sentence, after, e.end):
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
        self.lower: list[tuple[int, int]] = []  # death counts lower than the one before them
        self.shadow: dict[str, int] = {}  # the count such a lower figure started
        self.totals: list[tuple[int, int]] = []  # death counts stated as totals (造成3人死亡)
        self.pool: list[tuple[int, Event]] = []  # counts read from indirect wording
        self.zero_from: dict[str, int] = {}
        self.zero_weak: int | None = None
        self.previous: set[str] = set()  # fields the previous statement stated

    def read(self, reading: Reading, index: int, sentence: str) -> None:
        events = [e for e in reading.events if e.op not in ("claim", "ignore", "dead")]
        if any(e.kind == "death" and _CHANGED.search(sentence, max(0, e.start - 16), e.end)
               for e in events):  # 后经核实，死亡人数为4人
            self.updates.append(index)
        if not re.search(r"免予追究|免于追究|不再追究", sentence):
            self.pool += [(index, e) for e in events if e.op == "stated" and not e.explicit
                          and e.n is not None and _survived(sentence, e)]
        stated = [e for e in events if e.op in ("stated", "detail") and e.explicit
                  and e.n is not None and e.kind != "casualty"]
        fields = self._statements(sentence, stated, index, events[0] if events else None)
        grand = _grand_total(sentence, [e for e in stated
                                        if e.kind == "death" and e.op == "stated"])
        for e in events:
            if e.op not in ("convert", "found") or e.n is None:
                continue
            clause = _clause(sentence, e.start, e.end)
            if e.op == "convert" and grand and e.start > grand and not _LATER.search(clause):
                continue  # one of the deaths the 共… total counts
            self._change(e, stated, index, clause)
        for e in events:
            if e.op == "remainder" and e.n is not None:
                self._set("injuries", e.n, index, e.approx)
        self._zeros(reading, index)
        if fields:
            self.previous = fields

    def _statements(self, sentence: str, stated: list[Event], index: int,
                    opening: Event | None) -> set[str]:
        main = [e for e in stated if e.op == "stated"]
        injured = [e for e in main if e.kind in ("injury", "poison")] or [
            e for e in main if e.kind in ("serious", "light")]
        sums = {"deaths": _accumulate(sentence, [e for e in main if e.kind == "death"]),
                "missing": _accumulate(sentence, [e for e in main if e.kind == "missing"]),
                "injuries": _accumulate(sentence, injured)}
        for name, found in sums.items():
            if found is None:
                continue
            value, first, decided, approx = found
            clause = _clause(sentence, first.start, first.end)
            add = (first is opening and _ADD.match(clause) and name in self.previous
                   and self.values[name] is not None)
            if add:  # onto the count the narrative has reached (打捞出遗体8具。又找到2名…)
                value += self.shadow.pop(name, self.values[name])
            before = self.values[name]
            self.stated[name].append((value, index))
            if name in self.held and (add or _PROVISIONAL.search(sentence)):
                continue  # 据当时通报…, 又找到… after 死亡人数最终核实为12人: the backstory
            final = _clause(sentence, decided.start, decided.end)
            lower = before is not None and value < before and not _TRUTH.search(final)
            if name == "deaths" and lower:
                # A death toll only grows; a lower figure later in the text, not stated as a
                # correction (核实为…), is backstory (事故当场导致1人遇难) or a disagreement.
                if not add:  # a narrative adding finds one by one is partial by nature
                    self.lower.append((value, index))
                self.shadow[name] = value
                continue
            self.shadow.pop(name, None)
            self._set(name, value, index, approx)
            if _FINAL.search(final) and not _PROVISIONAL.search(final):
                self.held.add(name)
            else:
                self.held.discard(name)
            if name == "deaths" and _TOTAL_CUE.search(clause) and not _PROVISIONAL.search(sentence):
                self.totals.append((value, index))
            if name == "injuries" and value != before:
                self.values["serious_injuries"] = self.light = None
        self._severity(stated, index)
        return {name for name, found in sums.items() if found is not None}

    def _severity(self, stated: list[Event], index: int) -> None:
        main = [e for e in stated if e.op == "stated"]
        details = [e for e in stated if e.op == "detail"]
        # 11人中毒（其中2人重度中毒）: the detail is part of the stated count
        serious = [e.n for e in main if e.kind in ("serious", "poison")] or [
            e.n for e in details if e.kind in ("serious", "poison")]
        light = [e.n for e in main if e.kind == "light"] or [
            e.n for e in details if e.kind == "light"]
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

    def _change(self, e: Event, stated: list[Event], index: int, clause: str) -> None:
        """Injured persons who died, missing persons found dead; a total stated later in the same
        sentence already counts them."""
        later = {_FIELD_OF.get(s.kind) for s in stated if s.start > e.start}
        later |= {"serious_injuries" for s in stated
                  if s.start > e.start and s.kind in ("serious", "poison")}
        deaths, injuries = self.values["deaths"], self.values["injuries"]
        if e.op == "convert" and not injuries and deaths is not None and not _MORE.match(clause):
            return  # no injured person is counted: the one who died is among the dead already
        if "deaths" not in later and "deaths" not in self.held:
            self._set("deaths", (deaths or 0) + e.n, index, inferred=not e.explicit)
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

    def _set(self, name: str, value: int, index: int, approx: bool = False,
             inferred: bool = False) -> None:
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


_FIELD_OF = {"death": "deaths", "missing": "missing", "injury": "injuries", "poison": "injuries",
             "serious": "injuries", "light": "injuries"}


def _is_title(sentences: list[str]) -> bool:
    """A headline: the first line of several, short, without a comma, not opening like a
    sentence of the body (事故造成…, 经核查…, a date)."""
    first = sentences[0] if len(sentences) > 1 else ""
    return (0 < len(first) <= 60 and not re.search(r"[，,；;]", first)
            and not _BODY_OPENING.match(first))


_BODY_OPENING = re.compile(r"\s*(?:事故|经|据|截至|截止|该|此次|本次|次日|当日|当天|现场|其中|另有|\d)")


def _pooled(pool: list[tuple[int, Event]], name: str) -> tuple[int, int] | None:
    """The count read from indirect wording: the most persons any sentence names, and for
    deaths every distinct named victim (吴某某、钱某 in one sentence, 杜某某 in another)."""
    found = [(i, e) for i, e in pool if _FIELD_OF.get(e.kind) == name]
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
