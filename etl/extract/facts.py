"""Stated facts read from report text: the grade the text names and whether the text finds
瞒报/谎报 (the accident type is etl/extract/accident_type.py)."""

from __future__ import annotations

import re

from etl.rules.grades import normalize_grade

# --- grade as stated (《生产安全事故报告和调查处理条例》第三条 names: 一般/较大/重大/特别重大) ------
_GRADE_LABEL = re.compile(r"事故(?:等级|级别)\s*(?:[:：]|为|是|属|属于|认定为)\s*(特别重大|重大|较大|一般)")
_GRADE_PHRASE = re.compile(
    r"(特别重大|重大|较大|一般)(?P<filler>[\u4e00-\u9fff]{0,10}?)事故(?!隐患|罪|调查处理)"
)
# Words in between that show a general reference, not this accident's grade.
_GRADE_NOT = re.compile(r"的|发生|造成|情况|来说|而言|以上|以下|及|等|类|性|防范|遏制|隐患|防止|杜绝")
_GRADE_NEGATED = re.compile(r"(不属于|不构成|未达到|不是|防范|遏制|防止|杜绝|避免|坚决)[^，。]{0,6}$")


def stated_grade(text: str) -> str | None:
    found = stated_grade_at(text)
    return found[0] if found else None


def stated_grade_at(text: str) -> tuple[str, int, int] | None:
    """(grade, start, end) of the grade the text states for this accident."""
    m = _GRADE_LABEL.search(text)
    if m:
        return m.group(1), m.start(), m.end()
    for m in _GRADE_PHRASE.finditer(text):
        if _GRADE_NOT.search(m.group("filler")) or _GRADE_NEGATED.search(
            text[max(0, m.start() - 12) : m.start()]
        ):
            continue
        if text[max(0, m.start() - 1) : m.start()] == "重":  # 重特大事故: general term
            continue
        return normalize_grade(m.group(1)), m.start(), m.end()
    return None


# --- concealment (条例第三十六条: 谎报/瞒报; 迟报 and 漏报 are not concealment) -------------
_CONCEAL = re.compile(r"瞒报|谎报|隐瞒不报|隐瞒事故|隐瞒真相|隐瞒事故真相")
_STRONG_NEGATION = re.compile(
    r"不存在|未发现|没有|排除|否认|严禁|不得|杜绝|防止|严防|打击|禁止|是否|"
    r"不属于|不构成|坚决|避免|对于|凡是|凡|如有|一律"
)
_WEAK_NEGATION = re.compile(r"(无|未|不|非)[^，。]{0,2}$")


def _clause_before(text: str, pos: int) -> str:
    floor = max(0, pos - 200)  # bounded: clauses are short
    start = max(max(text.rfind(c, floor, pos) for c in "，。；;\n") + 1, floor)
    return text[start:pos]


def concealment(text: str) -> str | None:
    """'瞒报' or '谎报' when the text states it as a finding; None otherwise (negations,
    prohibitions and conditional rules such as '瞒报、谎报的，依法…' are not findings)."""
    found = concealment_at(text)
    return found[0] if found else None


def concealment_at(text: str) -> tuple[str, int, int] | None:
    """(kind, start, end) of the first concealment finding."""
    for m in _CONCEAL.finditer(text):
        before = _clause_before(text, m.start())
        if _STRONG_NEGATION.search(before) or _WEAK_NEGATION.search(before):
            continue
        after = text[m.end() : m.end() + 8]
        if re.match(r"[、，]?[^，。]{0,6}的[，,]", after) or re.match(r"(?:、[^，。]{1,4})*的[，,]", after):
            continue  # "瞒报、谎报的，" states a rule, not a fact
        return ("谎报" if m.group() == "谎报" else "瞒报"), m.start(), m.end()
    return None
