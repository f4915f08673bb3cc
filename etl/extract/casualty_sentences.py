"""Casualty events of one sentence: what each casualty word says and about whom.

A sentence is read into events: a kind (death, missing, injury, serious, light, grave, poison,
casualty = 伤亡) and the number of persons it is about. The number is attached to the word (3人死亡,
受伤5人, 死亡人数：1, 3死2伤, 三名遇难人员, 2名伤者), or it is the subject found before the word
in the sentence (两人先后被救出，均已无生命体征 = 2; 张某某、李某某经抢救无效死亡 = 2 names;
驾驶人和押运员当场死亡 = 2 role words; 伤者…经抢救无效死亡 = the one injured person); the
persons in 经…确认/抢救 (经120急救人员现场确认死亡) are not the subject. An attached number, or a
count the clause takes up (均, or a death's subject a clause or two back), is stated; a count
read from names, role words, a singular word or no subject at all is inferred. Counts listed before one word add up (4名顾客和
3名员工受伤 = 7; 双双 = 2); the persons between 被 and a rescue verb are the rescuers, not the
subject (张某被赶到的消防人员救出后…死亡 = 1). 伤势较重 is injured, not a 重伤 as the law grades
it; symptoms with treatment (出现头晕症状，被送往医院) are an injury, inferred only.

Each event carries its role (Event.op): a statement, a change (an injured person who died, a
missing person found dead), a detail of a count before it (其中…, a parenthesis), the rest of
a group (其余7人仍在医院治疗, 3人身亡，另外2人伤情稳定), or a count that is not this accident's
(a false report or a claim, 报告称2人死亡, 谎称“无人员伤亡”, 隐瞒了2名遇难人员; an earlier
report's figure, 此前通报的3名遇难者; other accidents, 曾发生, 3起).
无人员伤亡 / 未造成人员死亡 state zero; 其他作业人员未受伤 is a weak zero of the injured.
The tally across sentences is etl/extract/casualties.py.
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
    r"|(?P<pair>双双)"  # 父子双双身亡: two persons
    r"|(?P<injref>伤者|伤员|伤病员|(?:重伤|受伤|烧伤|烫伤|灼伤)(?:的|人员|员|者|矿工|工人|员工|乘客|住客))"
    r"|(?P<missref>(?:失联|失踪|下落不明|失去联系)(?:的|人员|矿工|工人|者))"
    r"|(?P<name>[\u4e00-\u9fff](?:某某?|××?|XX|\*\*))"
    r"|(?P<one>一名|一位|一人|其(?![中余他它间实次])|该名?(?:男子|女子|工人|员工|司机|驾驶员|职工"
    r"|矿工|老人|学生|人)|一(?:男子|女子|工人|村民|老人|男孩|女孩|儿童|学生|员工|矿工|司机|骑手|女工"
    r"|民工|农民工|行人|乘客|男童|女童))"
    r"|(?P<role>(?:驾驶人|驾驶员|司机|押运员|乘务员|安全员|电焊工|焊工|电工|架子工|钢筋工|木工|瓦工"
    r"|油漆工|司索工|信号工|装卸工|搬运工|清理工|清洁工|保洁员|操作工|操作员|修理工|维修工|检修工"
    r"|采煤工|掘进工|爆破员|瓦检员|店主|户主|业主|乘车人|乘客|行人|路人|骑车人)(?![们等]|人员|[\u4e00-\u9fff](?:某|××?|XX|\*\*)))"
    r"|(?P<plural>等人|人们|多名|数名|几名|多人|多位|若干|人员|群众|众人|部分|一些|不少|众多|大量)"
)
_VERBS = [  # (kind, pattern), tried in this order at each position
    (
        "death",
        r"不治身亡|死亡|遇难|身亡|罹难|丧生|殒命|溺亡|遇害|致死|不治|死去|去世|未能生还"
        r"|(?:均已|已经|已|均)无生命体征"
        r"|(?:抢救|医治)无效(?![^。；;]{0,16}?(?:死亡|身亡|不治|去世|无生命体征))",
    ),
    ("missing", r"失踪|失联|下落不明|失去联系"),
    ("serious", r"受重伤|重伤"),
    ("light", r"受轻伤|轻伤|轻微伤"),
    # injured, not lightly, but not a 重伤 in the law's sense: counts as injured, states no
    # serious injury (not 伤势过重, a cause of death)
    ("grave", r"(?:伤势|伤情)(?:较为|较|十分|非常)?(?:严重|危重|重)"),
    ("poison", r"中毒"),
    ("casualty", r"伤亡"),
    ("injury", r"受伤|负伤|(?<![损悲哀忧创])伤|骨折"),  # 另1人腿部骨折: injured
]
# A verb followed by these is part of a noun (重伤人员, 伤者, 遇难矿工, 中毒和窒息), not a statement.
_NOT_VERB = (
    r"(?!人员|者|员|势|情|残|口|病|痕|处|率|的|事故|原因|名单|家属|矿工|工人|乘客|群众"
    r"|村民|职工|员工|害|心|后死亡|死亡|身亡|和窒息|窒息|症状|亡)"
)
_VERB = re.compile("(?:" + "|".join(f"(?P<{k}>{p})" for k, p in _VERBS) + ")" + _NOT_VERB)
# The count after a verb: 受伤5人, 死亡人数：1, 遇难人数由2人核实为8人, 死亡人数升至20人.
_AFTER = re.compile(  # a label may explain its word first: 重伤（含急性工业中毒）：3人
    rf"(?P<noun>人数)?\s*(?:[（(][^（）()，。]{{1,12}}[)）])?\s*(?:由\s*{NUM}\s*(?:人|名)\s*)?"
    r"[为达共计上升增加至到最终核实确定已经累合是更正修调整减复]{0,8}\s*(?P<colon>[:：])?\s*"
    rf"(?P<num>{NUM})\s*(?P<approx>余|多)?(?P<unit>人|名)?"
)
# 3死2伤, 一死二伤, 3死7失联, 2死12人失联 (news headlines).
_COMPACT = re.compile(rf"(?P<d>{NUM})死(?:(?P<n>{NUM})(?:余|多)?人?(?P<k>重伤|轻伤|伤|失联|失踪))?")
# Persons counted as nouns: 三名遇难人员, 遇难人员2名, 2具遗体, 3名伤者, 受伤的六人, 2名失踪人员.
_N = rf"\s*(?P<num>{NUM})\s*(?:名|人)"
_NOUNS = [
    (kind, re.compile(p))
    for kind, p in (
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
    )
]
_NONE = re.compile(
    r"(?:无|未造成|没有造成|未发生|未发现|没有|未有|无一)(?:任何|其他|其余)?人员?"
    r"(?P<k>伤亡|死亡|受伤)"
    r"|人员无(?P<k2>伤亡)"
)
_NONE_WEAK = re.compile(r"未(?:受伤害|受伤|受到伤害)|无人受伤")
_NEGATED = re.compile(
    r"(?:无(?!效|生命)|未(?!能生还)|没有|没|防止|避免|是否|可能|易|以免|杜绝|严防|预防"
    r"|不会|不致|不曾)[^，。；,;]{0,4}$"
)
# Figures someone reported or claimed falsely, or the part of the toll that was concealed.
_CLAIM = re.compile(
    r"谎报|谎称|虚报|(?:只|仅)(?:向[^，。；]{0,20})?报告?|对外宣?称|声称|通稿称|网传|传言" r"|谣传|不实"
)
# 报告称 is a false figure only where the text says something was concealed or false.
_WEAK_CLAIM = re.compile(r"报告称|报称|上报称|报告为|报告")
_FALSITY = re.compile(r"隐瞒|瞒报|谎报|虚假|不实|少报|降低事故等级|逃避")
_CONCEALED = re.compile(r"(?:瞒报|隐瞒)了?(?:另外|其中)?\s*$")
_HIDDEN = re.compile(r"遗体[^，。；,;]{0,20}(?:转移|藏匿|转运|隐藏|私自)")
_QUOTED_CLAIM = re.compile(r"(?:报告|报称|谎称|声称|宣称|表示|称)[^“]{0,6}“[^”]{0,80}$")
_MAY_CLAIM = re.compile(r"谎|虚报|只|仅|对外|声称|通稿|网传|传言|谣传|不实|报|瞒|“|遗体")
# A figure named as an earlier report's (此前通报的3名遇难者, 初报的4名死者, 此前所报8人): what
# was reported then, not a statement of the toll.
_EARLIER = re.compile(
    r"(?:(?:此前|之前|先前|早前|原先|最初|起初|初步|原|初)(?:通报|报告|上报|公布|发布|统计|报道|报)的"
    r"|(?:此前|之前|先前|早前|原先|最初|原|初)所报)\s*[“\"「]?\s*$"  # 最初所报“1人死亡”: quoted too
)
_CORRECTED = re.compile(r"实际|核实为|更正为|纠正为|修正为|核定为|调整为")
TRUTH = re.compile(r"实际|核实|核查|核定|经查|查明|证实|确认|最终|更正|纠正|修正|复核|调整")
_ALL = re.compile(r"[均都]|全部")
_AGENT_VERB = re.compile(
    r"[^，,；;。被]{0,6}?(?:救起|救出|抬出|背出|拉出|拖出|挖出|救上|送往|送至|送到|送医" r"|发现|找到)"
)
# 经120急救人员现场确认死亡, 经医护人员抢救无效死亡: the persons who confirm a death or try to
# save a life are not its subject
_CONFIRMED = re.compile(
    r"经[^，,；;。]{0,16}?(?:(?:确认|宣布|诊断|判定|证实)(?:为|其)?(?:已经?)?(?:当场|现场)?"
    r"|(?:抢救|救治|医治)(?:无效)?)$"
)
_DIAGNOSED = re.compile(r"(?:诊断|鉴定|认定|评定|确诊)为?\s*$")
# Between two names of one list: 牛某、温某某; 车间主任吴某某和操作工钱某; 吴某某随驾驶室坠落，与钢筋工孙某某
_LIST_JOIN = re.compile(
    r"[\u4e00-\u9fff]{0,3}[、和及与][\u4e00-\u9fff]{0,4}" r"|[^，。；,;]{0,12}[，,]与[^，。；,;]{0,10}"
)
_COUNT_JOIN = re.compile(r"[\u4e00-\u9fff]{0,6}[、和及与][\u4e00-\u9fff]{0,6}")
_SEPARATOR = re.compile(r"[，,；;、：:（）()“”\"\s。]")
_MISSING_BEFORE = re.compile(r"(?:失联|失踪|下落不明|失去联系)的?$")
# 10名伤员中有2人…, 4名伤者中，后又有3名…: persons counted among those before
_AMONG = re.compile(r"(?:当)?中的?[，,]?(?:[^，,。；;]{0,4}?有)?|里有")
# 其中, or 当中 after persons (40名死亡人员当中，有旅客37人…): a breakdown of the count before
_BREAKDOWN = re.compile(r"其中|(?<=人员)当中|(?<=[者员])中[，,:：]")
_REST = re.compile(r"\s*(?:另外|另一|其余|其他|余下|剩余)")
_HOSPITAL = re.compile(r"送往|送医|送至|送到|入院|住院|就医")
_TREATED = re.compile(r"治疗|救治|医院|住院|病情|伤势|伤情|生命体征|重伤|轻伤|伤员|伤者|抢救|观察|生命危险")
_SYMPTOM = re.compile(r"(?:出现|感到)[^，。；,;]{0,12}?(?:症状|不适)")
_ABOUT = re.compile(r"(?:数|约|近|逾|超过|大约)$")
_PLURAL_SUBJECT = re.compile(r"人员|们|等|多名|数名|均|都|全部|部分|一些|不少|众多|不同程度")
_OTHER_ACCIDENTS = re.compile(r"(?:\d+|[两二三四五六七八九十]+)起|曾发生|此前发生|以往|历史上|同比")
_KEYWORDS = re.compile(
    r"死|伤|亡|遇难|失踪|失联|下落不明|失去联系|中毒|生命体征|罹难|丧生|殒命|遇害"
    r"|不治|遗体|尸体|去世|无效|生还|症状|不适"
)
WINDOW = 200  # characters looked at around a mention
LOOKBACK = 60  # characters before a verb searched for its subject
INJURED_KINDS = ("injury", "poison", "serious", "light", "grave")
GRADED = ("serious", "light", "grave")  # a severity of injured persons


@dataclass
class Token:
    kind: str  # count | injref | missref | name | one | plural | event
    start: int
    end: int
    n: int | None = None
    approx: bool = False
    names: tuple[str, ...] = ()
    event: "Event | None" = None  # the event this count or noun belongs to
    role: bool = False  # read from role words only (驾驶人和押运员), no count or name


@dataclass
class Event:
    kind: str  # death | missing | injury | serious | light | grave | poison | casualty
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
    ref: bool = False  # 3名重伤员中的1人: persons named to say whom a count is among


@dataclass
class Reading:
    events: list[Event] = field(default_factory=list)
    last_base: "Base | None" = None  # what a 其中 opening the next sentence refers to
    zero: set[str] = field(default_factory=set)  # fields stated as zero
    zero_weak: bool = False  # 其他人员未受伤


def clause_around(sentence: str, start: int, end: int) -> str:
    # Bounded windows: clauses are short, and unbounded searches are quadratic on long text.
    floor = max(0, start - WINDOW)
    left = max(max(sentence.rfind(c, floor, start) for c in "，,；; ") + 1, floor)
    rights = [i for i in (sentence.find(c, end, end + WINDOW) for c in "，,；; ") if i >= 0]
    return sentence[left : min(rights) if rights else min(len(sentence), end + WINDOW)]


def segment_start(sentence: str, pos: int, limit: int = LOOKBACK) -> int:
    """Where the ；-part of the sentence holding pos begins, at most limit characters back."""
    floor = max(0, pos - limit)
    return max(max(sentence.rfind(c, floor, pos) for c in "；;。") + 1, floor)


def _tokens(sentence: str) -> list[Token]:
    """Counts, references to injured or missing persons, names, singular and plural words."""
    out: list[Token] = []
    for m in _TOKEN.finditer(sentence):
        if m.group("pair"):
            out.append(Token("count", m.start(), m.end(), 2))
        elif m.group("count") or m.group("family"):
            number = m.group("num") or m.group("family")
            # 30余人, 数十人, 约20人, 近百人: not an exact figure
            about = _ABOUT.search(sentence, max(0, m.start() - 2), m.start())
            approx = bool(m.group("approx") or about)
            out.append(Token("count", m.start(), m.end(), cn_to_int(number), approx))
        elif m.group("name"):
            out.append(Token("name", m.start(), m.end(), 1, names=(m.group(),)))
        elif m.group("plural") or m.group("role"):
            # 3名作业人员, 1名清理工: the count says how many
            if not (
                out
                and out[-1].kind == "count"
                and m.start() - out[-1].end <= 6
                and not _SEPARATOR.search(sentence[out[-1].end : m.start()])
            ):
                # a role word without a count or a name is one person (驾驶人和押运员: two)
                role = bool(m.group("role"))
                out.append(
                    Token("one" if role else "plural", m.start(), m.end(), 1 if role else None, role=role)
                )
        else:
            kind = next(k for k in ("injref", "missref", "one") if m.group(k))
            out.append(Token(kind, m.start(), m.end(), 1 if kind == "one" else None))
    return _lists(sentence, out)


def _lists(sentence: str, tokens: list[Token]) -> list[Token]:
    """Persons listed together are one subject: 牛某、温某某、谷某 (3); 其本人及一名顾客 (2)."""
    out: list[Token] = []
    for t in tokens:
        previous = out[-1] if out else None
        gap = sentence[previous.end : t.start] if previous else ""
        listed = (
            previous is not None and previous.kind in ("name", "one") and t.kind in ("name", "one", "count")
        )
        if (
            previous is not None
            and previous.kind == "count"
            and t.kind == "count"
            and _COUNT_JOIN.fullmatch(gap)
            and not _KEYWORDS.search(gap)
        ):
            # 4名顾客和另外3名员工受伤: counts listed before one word add up
            previous.end, previous.n = t.end, previous.n + t.n
            previous.approx = previous.approx or t.approx
        elif listed and _LIST_JOIN.fullmatch(gap) and not _KEYWORDS.search(gap):
            previous.kind = "count" if t.kind == "count" else previous.kind
            # 祁某及其妻子、孙子三人: a count after the list without a 、/和 says how many in all
            appositive = t.kind == "count" and not re.search(r"[、和及与]$", gap)
            previous.end, previous.n = t.end, t.n if appositive else previous.n + t.n
            previous.names, previous.approx = (*previous.names, *t.names), t.approx
            previous.role = previous.role and t.role
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


def _noun_events(sentence: str, tokens: list[Token], spans: "_Spans") -> tuple[list[Event], list[Token]]:
    """三名遇难人员, 2名伤者, 下落不明的1人遗体 …; their tokens become one token each."""
    events = []
    for kind, pattern in _NOUNS:
        for m in pattern.finditer(sentence):
            if spans.overlaps(m.start(), m.end()):
                continue
            if (n := cn_to_int(m.group("num"))) is None:
                continue
            ev = Event(kind, n, m.start(), m.end(), approx=bool(m.groupdict().get("approx")), noun=True)
            before = sentence[max(0, m.start() - 6) : m.start()]
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
                m.group("k"), "injury"
            )
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
        if taken.covers(m.start()) or (events and m.start() < events[-1].end):
            continue  # inside a noun or an event read already (重伤（含急性工业中毒）：3人)
        kind = m.lastgroup
        if _NEGATED.search(sentence[max(0, m.start() - 8) : m.start()]):
            floor = m.end()
            continue
        confirmed = _CONFIRMED.search(sentence, segment_start(sentence, m.start()), m.start())
        if confirmed and _nearest(tokens, starts, m.start(), confirmed.start()) is None:
            confirmed = None  # nobody named in between: read as usual
        if confirmed:  # the subject is before 经…确认 (1名清理工…，经医护人员确认死亡)
            ev = _subject(sentence, kind, m, tokens, starts, confirmed.start())
        else:
            ev = _attached(sentence, kind, m, tokens, starts, floor)
        if ev is None:
            ev = _reverse(sentence, kind, m, tokens, starts)
        if ev is None and not confirmed and not sentence.startswith("人数", m.end()):
            ev = _subject(sentence, kind, m, tokens, starts)
        if ev is not None:
            events.append(ev)
            floor = max(m.end(), ev.end)
        else:
            floor = m.end()
    return events


def _attached(
    sentence: str, kind: str, m: re.Match, tokens: list[Token], starts: list[int], floor: int
) -> Event | None:
    """3人死亡, 2名清理浮煤的工人被撞伤: a count in the same clause just before the word."""
    t = _nearest(tokens, starts, m.start(), floor)
    if t is None or t.kind not in ("count", "event") or m.start() - t.end > 20:
        return None
    if _SEPARATOR.search(sentence[t.end : m.start()]):
        return None
    if t.event is not None:
        return _shared(kind, t.event, m)
    ev = Event(kind, t.n, t.start, m.end(), approx=t.approx)
    t.event = ev
    _mark_conversion(sentence, ev, tokens, starts, t)
    return ev


def _reverse(sentence: str, kind: str, m: re.Match, tokens: list[Token], starts: list[int]) -> Event | None:
    """受伤5人, 死亡人数：1, 死亡人数升至20人."""
    after = _AFTER.match(sentence, m.end(), min(len(sentence), m.end() + 24))
    if not after or not (after.group("unit") or after.group("colon") or after.group("noun")):
        return None
    if (n := cn_to_int(after.group("num"))) is None:
        return None
    ev = Event(kind, n, m.start(), after.end(), approx=bool(after.group("approx")))
    for t in tokens[bisect_left(starts, m.end()) : bisect_left(starts, after.end())]:
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
    if kind in (*GRADED, "poison") and owner.kind == "injury":
        return Event(kind, n, m.start(), m.end(), explicit=owner.explicit, op="detail")
    return None


def _mark_conversion(sentence: str, ev: Event, tokens: list[Token], starts: list[int], count: Token) -> None:
    """10名伤员中有2人经抢救无效死亡: a death counted among injured persons is a conversion."""
    if ev.kind != "death":
        return
    t = _nearest(tokens, starts, count.start - 1, segment_start(sentence, count.start, 16))
    if t is None or not _AMONG.fullmatch(sentence[t.end : count.start]):
        return
    if t.kind == "injref" or (t.event is not None and t.event.kind in INJURED_KINDS):
        ev.op, ev.serious_ref = (
            "convert",
            sentence[t.start] == "重" or (t.event is not None and t.event.kind == "serious"),
        )
        if t.event is not None and t.event.noun:
            t.event.ref = True
    elif t.kind == "missref" or (t.event is not None and t.event.kind == "missing"):
        ev.op = "found"


def _subject(
    sentence: str, kind: str, m: re.Match, tokens: list[Token], starts: list[int], before: int | None = None
) -> Event | None:
    """The persons a word without its own count is about, found before it (or before `before`)
    in the sentence."""
    if kind == "casualty":
        return None
    lo = segment_start(sentence, m.start())
    end = m.start() if before is None else before
    t = _nearest(tokens, starts, end, lo)
    # 张某被赶到的消防救援人员救出后…死亡: the persons between 被 and its verb are the rescuers
    # (not 被埋压的两人先后被救出, the persons a 被…的 phrase describes)
    agent = sentence.rfind("被", lo, t.start) if t is not None and t.event is None else -1
    if (
        agent >= 0
        and not _SEPARATOR.search(sentence, agent, t.start)
        and _AGENT_VERB.match(sentence, t.end, end)
    ):
        t = _nearest(tokens, starts, agent, lo)
    if t is not None and t.event is not None:
        shared = _shared(kind, t.event, m)
        if shared is not None or not _SEPARATOR.search(sentence[t.end : m.start()]):
            return shared
        t = None  # 造成5人死亡，货车驾驶员受伤: a new subject in this clause
    if t is None:
        clause = sentence[max(lo, *(sentence.rfind(c, lo, end) + 1 for c in "，,")) : end]
        if _PLURAL_SUBJECT.search(clause):
            return None
        return Event(kind, 1, m.start(), m.end(), explicit=False, guessed=True)
    if t.kind == "count":
        gap = sentence[t.end : m.start()]
        # 另有1名乘客被送往…后，于当日…死亡: a death's subject carries over a clause or two
        near = kind == "death" and len(re.findall(r"[，,]", gap)) <= 2
        # 两名员工出现头晕症状，经门诊治疗后诊断为轻伤: a diagnosis is of the clause's subject
        near = near or (
            kind in INJURED_KINDS and len(re.findall(r"[，,]", gap)) <= 2 and bool(_DIAGNOSED.search(gap))
        )
        ev = Event(kind, t.n, t.start, m.end(), explicit=near or bool(_ALL.search(gap)), approx=t.approx)
        t.event = ev
        _mark_conversion(sentence, ev, tokens, starts, t)
        return ev
    if t.kind in ("injref", "missref"):
        return _referred(sentence, kind, m, t, _nearest(tokens, starts, t.start, t.start - 8))
    if t.kind == "name":
        ref = _nearest(tokens, starts, t.start, t.start - 4)
        if kind == "death" and ref is not None and ref.kind == "injref":  # 重伤的许某某
            return Event(
                "death",
                t.n,
                m.start(),
                m.end(),
                explicit=False,
                op="convert",
                names=t.names,
                serious_ref=sentence[ref.start] == "重",
            )
        t.event = Event(kind, t.n, m.start(), m.end(), explicit=False, names=t.names)
        return t.event
    if t.kind == "one":
        # a role word alone says no more than a missing subject (whether the 驾驶人 who was
        # hurt survived is told elsewhere)
        t.event = Event(kind, t.n or 1, m.start(), m.end(), explicit=False, guessed=t.role)
        return t.event
    return None  # plural: how many is not said


def _referred(sentence: str, kind: str, m: re.Match, ref: Token, count: Token | None) -> Event | None:
    """伤者…经抢救无效死亡 (one injured person died), 一名在兰州救治的重伤乘客…死亡, 失联人员…
    已无生命体征 (found dead)."""
    if kind != "death":
        if kind in (*GRADED, "poison") and ref.kind == "injref":
            return Event(kind, 1, m.start(), m.end(), explicit=False, op="detail")
        return None
    if re.match(r"[均都们等]", sentence[ref.end : ref.end + 1]):
        return None
    serious = sentence[ref.start] == "重" or sentence[max(0, ref.start - 2) : ref.start] == "重度"
    op = "convert" if ref.kind == "injref" else "found"
    if (
        count is not None
        and count.kind == "count"
        and count.event is None
        and not _SEPARATOR.search(sentence[count.end : ref.start])
    ):
        count.event = Event("death", count.n, count.start, m.end(), op=op, serious_ref=serious)
        return count.event
    return Event("death", 1, m.start(), m.end(), explicit=False, op=op, serious_ref=serious)


_CELL_HEAD = re.compile(
    r"(?P<word>死亡|遇难|受伤|重伤|轻伤|失踪|失联)(?:人数)?\s*(?:[（(](?P<unit>[^）)]{0,4})[）)])?"
)
_RULE_CELL = re.compile(r":?-{3,}:?")


def _cells(line: str) -> list[str] | None:
    line = line.strip()
    if line.startswith("|") and line.endswith("|") and line.count("|") >= 3:
        return [c.strip() for c in line[1:-1].split("|")]
    if line.count("|") >= 3:  # 序号｜事故发生单位｜死亡（人）｜…: cells without an outer frame
        return [c.strip() for c in line.split("|")]
    return None


def table_rows(sentences: list[str]) -> list[str]:
    """A table (| 死亡（人） | 受伤（人） | … then one row of figures) read as labels: the row
    becomes 死亡人数：3人；受伤人数：9人（其中重伤3人）. A header row states nothing; under a header
    with several rows, which row is this accident is not said, and the rows stay as they are."""
    out, i = list(sentences), 0
    while i < len(sentences):
        head = _cells(sentences[i])
        if head is None:
            i += 1
            continue
        rows, j = [], i + 1  # the block of rows under the first one, read once
        while j < len(sentences) and (cells := _cells(sentences[j])) is not None:
            if not all(_RULE_CELL.fullmatch(c) for c in cells):
                rows.append((j, cells))
            j += 1
        columns = [(k, m) for k, c in enumerate(head) if (m := _CELL_HEAD.fullmatch(c))]
        if columns:
            out[i] = ""
        if columns and len(rows) == 1 and len(rows[0][1]) == len(head):
            labels = []
            for k, m in columns:
                value = rows[0][1][k]
                if m.group("unit") in (None, "人", "名"):  # figures counted in persons: 9（其中重伤3）
                    value = re.sub(rf"({NUM})(?![\d零〇一二两三四五六七八九十百人名.])", r"\1人", value)
                labels.append(f"{m.group('word')}人数：{value}")
            out[rows[0][0]] = "；".join(labels)
        i = j
    return out


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
        verbs += _symptom_events(sentence, tokens)
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


def _symptom_events(sentence: str, tokens: list[Token]) -> list[Event]:
    """一名邻居出现头晕、恶心症状，被送往医院检查: persons harmed without a word of injury, where
    they are treated or examined. Inferred only: whether symptoms make an injury is a judgement."""
    events = []
    starts = [t.start for t in tokens]
    for m in _SYMPTOM.finditer(sentence):
        t = _nearest(tokens, starts, m.start(), segment_start(sentence, m.start()))
        if (
            t is None
            or t.event is not None
            or t.kind not in ("count", "one", "name")
            or _SEPARATOR.search(sentence, t.end, m.start())
            or sentence[max(0, m.start() - 1) : m.start()] in ("未", "没", "无")
            or not _TREATED.search(sentence, m.end(), m.end() + 40)
        ):
            continue
        t.event = Event("injury", t.n, t.start, m.end(), explicit=False, names=t.names)
        events.append(t.event)
    return events


def _remainders(sentence: str, events: list[Event], tokens: list[Token]) -> None:
    """其余7人仍在医院治疗, 其余5名伤员…, 3人不幸身亡，另外2人伤情稳定: the injured persons left
    after the deaths (5人受伤，其中1人重伤，其余4人… are the rest by severity, not a new count)."""
    by_start = {t.start: t for t in tokens}
    starts = [e.start for e in events]  # sorted
    for m in re.finditer(r"(其余|另外|余下|剩余|剩下的?)\s*", sentence):
        t = by_start.get(m.end())
        if t is None or t.kind not in ("count", "event"):
            continue
        i = bisect_left(starts, m.start()) - 1
        last = events[i].kind if i >= 0 and events[i].end <= m.start() else None
        if last in GRADED or (m.group(1) != "其余" and last != "death"):
            continue
        tail = re.split(r"[；;。]", sentence[t.end : t.end + 20], maxsplit=1)[0]
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
        kind = {"casualty": "casualty", "death": "death", "missing": "missing", "serious": "serious"}.get(
            item.kind, injured
        )
        return Base(kind, item.n, item.approx)
    if item.kind == "injref":
        return Base("serious" if sentence[item.start] == "重" else "injured")
    if item.kind == "missref":
        return Base("missing")
    clause_end = re.search(r"[，,；;。]|$", sentence[item.end : item.end + 20]).start()
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
        paren = sentence[m.start() - 1 : m.start()] in ("（", "(")
        stop = _scope_end(sentence, m.end(), paren)
        i = bisect_right(ends, m.start()) - 1
        while i >= 0 and isinstance(items[i], Event) and items[i].op not in _BASE_OPS:
            i -= 1  # a count an earlier breakdown took apart
        base = _base(sentence, items[i]) if i >= 0 and items[i].end >= m.start() - WINDOW else None
        if base is None and not sentence[: m.start()].strip(" ，,：:、"):
            base = prev_base
        inside = events[bisect_left(starts, m.end()) : bisect_left(starts, stop)]
        # 其中1人系重复统计，实际受伤3人: a corrected figure restates the count, it is no part of it
        inside = [e for e in inside if not _CORRECTED.search(clause_around(sentence, e.start, e.end))]
        _assign(base or Base("none"), inside, events, m.end())
    for m in re.finditer(r"[（(](?!其中)", sentence):
        i = bisect_right(ends, m.start()) - 1
        if i < 0 or items[i].end < m.start() - 1 or not isinstance(items[i], Event):
            continue
        stop = _scope_end(sentence, m.end(), True)
        inside = events[bisect_left(starts, m.end()) : bisect_left(starts, stop)]
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
            sentence.count(c, start, end) for c in "）)"
        )
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
    clause = clause_around(sentence, start, end)
    if _CONCEALED.search(sentence[max(0, start - 10) : start]) or _HIDDEN.search(clause):
        return True
    if _EARLIER.search(sentence, max(0, start - 10), start):
        return True
    before = sentence[max(0, start - 90) : start]
    if "“" in before and _QUOTED_CLAIM.search(before):
        return True
    # a sentence about a false report: its counts are the false ones unless marked as the truth
    window = sentence[max(0, start - WINDOW) : end + WINDOW]
    false_report = _CLAIM.search(window) or (_WEAK_CLAIM.search(window) and _FALSITY.search(window))
    return bool(false_report) and not TRUTH.search(clause)


def _zeros(sentence: str, reading: Reading) -> None:
    claims = _MAY_CLAIM.search(sentence)
    for m in _NONE.finditer(sentence):
        if not (claims and _claimed(sentence, m.start(), m.end())):
            k = m.group("k") or m.group("k2")
            reading.zero |= {"伤亡": {"deaths", "injuries"}, "死亡": {"deaths"}, "受伤": {"injuries"}}[k]
    reading.zero_weak = any(
        not (claims and _claimed(sentence, m.start(), m.end())) for m in _NONE_WEAK.finditer(sentence)
    )


def _last_base(sentence: str, events: list[Event], tokens: list[Token]) -> Base | None:
    items = _items(events, tokens)
    return _base(sentence, items[-1]) if items else None
