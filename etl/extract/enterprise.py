"""The responsible 生产经营单位 named in a report.

Candidates are name-like runs ending in a legal-person suffix (…有限公司, …合作社, …集团) or a
facility suffix (…煤矿, …厂, …站, …店). The legal person wins over a facility named after it
("X有限公司Y煤矿" → X有限公司): the company is the party that is penalised and linked by
统一社会信用代码. Authorities (政府, 应急管理局 …) are never candidates. The best candidate is
the one the text marks: a label (事故单位：), a finding (对事故发生负有主要责任), a title
(X“6·12”较大爆炸事故), or the subject of 发生; ties go to the earlier mention.

Known limit: a real name containing a cut word (的, 在, 为, 与, 及, 由, 因) is shortened, and a
facility type missing from _FACILITY (…风电场 is there, …冷库 is not) is not found.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from etl.normalize.names import normalize_enterprise_name

_LEGAL = re.compile(r"集团股份有限公司|集团有限责任公司|集团有限公司|股份有限公司|有限责任公司|有限公司|"
                    r"集团公司|分公司|公司|专业合作社|合作社|集团|商行|经营部|门市部")
_FACILITY = re.compile(r"煤矿|铁矿|金矿|铜矿|铅锌矿|锌矿|钼矿|镍矿|石膏矿|矿井|采石场|砂石料场|料场|养殖场|"
                       r"农场|林场|牧场|屠宰场|风电场|采砂场|砂场|加工厂|砖厂|工厂|厂|水电站|电站|加油站|加气站|"
                       r"搅拌站|站|零售店|店|商贸城|商场|超市|酒店|宾馆|饭店")
MAX_NAME = 40  # characters before a suffix that can belong to one name
_RUN = re.compile(r"[\u4e00-\u9fff（）()·]+")
# Words that end what comes before an enterprise name; cut there (longest first).
_CUT_WORDS = sorted("""位于 地处 坐落于 隶属于 隶属 所属的 所属 承建的 承建 分包的 分包 管理的 经营的
    发生在 发生于 施工单位为 建设单位为 事故单位为 事故发生单位为 单位为 事故单位 事故发生单位
    发生事故单位 企业名称 单位名称 涉事企业 涉事单位 一辆 一台 一家 一处 一座 境内的 境内 以下简称
    属于 归属于 挂靠 挂靠于 其中
    经查 经调查 据悉 据了解 据统计 关于 发生 对 由 的 是 为 在 与 及 由于 因""".split(),
                    key=len, reverse=True)
_BAD_START = ("该", "本", "此", "其", "各", "上述", "涉事", "某")
_NOT_A_NAME = re.compile(r"一名|一人|被|等人|工人|作业人员")
_AUTHORITY = re.compile(r"政府|应急管理|安全生产监督|安监|公安|交警|检察|法院|纪委|监委|监察|消防救援|"
                        r"医院|卫生院|调查组|委员会|安委会|住建|交通运输局|市场监管|人民")
_LABEL = re.compile(r"(事故单位|事故发生单位|发生事故单位|涉事企业|涉事单位|单位名称|企业名称|施工单位|"
                    r"事故责任单位)[:：为是\s]*$")
_RESPONSIBLE = re.compile(r"^[^，。；]{0,6}(负有主要责任|负主要责任|负有直接责任|负有责任|应负主要责任)")
_TITLE = re.compile(r"^\s*[“\"]\s*\d{1,2}\s*[·.．•]\s*\d{1,2}\s*[”\"]")


@dataclass
class Candidate:
    name: str
    start: int
    end: int
    legal: bool
    score: int = 0


def _cut_left(run: str) -> int:
    """Offset in run after the last cut word (where the name begins)."""
    cut = 0
    for word in _CUT_WORDS:
        i = run.rfind(word)
        if i >= 0 and i + len(word) > cut:
            cut = i + len(word)
    return cut


def _acceptable(name: str, legal: bool) -> bool:
    if name.startswith(_BAD_START) or _AUTHORITY.search(name) or _NOT_A_NAME.search(name):
        return False
    suffix = (_LEGAL if legal else _FACILITY).search(name)
    core = name[:suffix.start()] if suffix else name
    # "一加油站", "该矿": an indefinite or pointing word before the suffix is not a name
    if core[-1:] in ("一", "该", "某", "此"):
        return False
    if not legal and re.search(r"(?<![第统唯])一[\u4e00-\u9fff]{0,3}$", core):
        return False  # "崆峒区一砂石厂": a place and "a quarry", no name
    return len(core) >= 2 and (legal or len(name) >= 4)


def _candidates_in_run(run: str, offset: int) -> list[Candidate]:
    found = []
    # Only 公司 / 合作社 end a legal name: 集团 can sit inside one (示例建工集团第三工程有限公司).
    legal_ends = [m.end() for m in _LEGAL.finditer(run) if m.group().endswith(("公司", "合作社"))]
    for pattern, legal in ((_LEGAL, True), (_FACILITY, False)):
        for m in pattern.finditer(run):
            head_start = max(0, m.start() - MAX_NAME)  # names are short; keeps this linear
            start = head_start + _cut_left(run[head_start:m.end()])
            earlier = legal_ends[bisect_right(legal_ends, start):bisect_right(legal_ends, m.start())]
            if earlier and not legal:
                continue  # "X有限公司Y煤矿": the company is the candidate, not its facility
            if earlier and m.group() != "分公司":
                start = earlier[-1]  # a name never spans an earlier company (X公司和Y公司)
            name = run[start:m.end()]
            if _acceptable(name, legal):
                found.append(Candidate(name, offset + start, offset + m.end(), legal))
    return _longest_per_start(found)


def _longest_per_start(found: list[Candidate]) -> list[Candidate]:
    """'示例建设集团' and '示例建设集团有限公司' start together: keep the full legal name; a
    legal name also hides facility names starting at the same place."""
    best: dict[int, Candidate] = {}
    for c in found:
        old = best.get(c.start)
        if old is None or (c.legal, c.end) > (old.legal, old.end):
            best[c.start] = c
    return sorted(best.values(), key=lambda c: c.start)


def candidates(text: str) -> list[Candidate]:
    found = []
    for m in _RUN.finditer(text):
        found += _candidates_in_run(m.group(), m.start())
    return found


def _score(c: Candidate, text: str) -> int:
    before, after = text[max(0, c.start - 12):c.start], text[c.end:c.end + 40]
    clause = re.split(r"[，。；\n]", after, maxsplit=1)[0]
    score = 1 if c.legal else 0
    if _LABEL.search(before):
        score += 10
    if _RESPONSIBLE.search(after):
        score += 8
    if _TITLE.search(after) or before.endswith("关于"):
        score += 6
    if "发生" in clause:
        score += 4
    if re.search(r"位于[^，。]{0,12}的$", before):
        score += 3
    if re.search(r"(隶属于|隶属|属于|归属于|所属单位为|所属企业为|挂靠于|挂靠)$", before):
        score += 5  # the legal person a facility belongs to
    return score


def ranked(text: str) -> list[Candidate]:
    """One candidate per distinct name (its best-scored mention), best first."""
    best: dict[str, Candidate] = {}
    for c in candidates(text):
        c.score = _score(c, text)
        key = normalize_enterprise_name(c.name)
        if key not in best or c.score > best[key].score:
            best[key] = c
    return sorted(best.values(), key=lambda c: (-c.score, c.start))


def find_enterprise(text: str) -> str | None:
    """The responsible enterprise's name as written (brackets unified), or None."""
    found = ranked(text)
    return normalize_enterprise_name(found[0].name) if found else None
