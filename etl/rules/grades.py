"""Accident grades per 《生产安全事故报告和调查处理条例》（国务院令第493号）第三条.

"以上" includes the number itself and "以下" does not; any one criterion is enough and the
highest grade reached applies. Losses are compared in 万元 with 1000 / 5000 / 10000.
"""

from __future__ import annotations

import re

from etl.normalize.text import to_halfwidth, to_simplified

GRADES = ["一般", "较大", "重大", "特别重大"]

# (minimum, grade), highest first; inclusive lower bounds (条例第三条: 以上含本数).
_DEATHS = [(30, "特别重大"), (10, "重大"), (3, "较大"), (0, "一般")]
_SERIOUS = [(100, "特别重大"), (50, "重大"), (10, "较大"), (0, "一般")]
_LOSS_WAN = [(10000, "特别重大"), (5000, "重大"), (1000, "较大"), (0, "一般")]


def _grade_by(value: float | int | None, table: list[tuple[float, str]]) -> str | None:
    if value is None:
        return None
    for minimum, grade in table:
        if value >= minimum:
            return grade
    return None  # negative input: not a count


def compute_grade(
    deaths: int | None, serious_injuries: int | None, direct_loss_yuan: float | None
) -> str | None:
    """The grade the figures reach; None when all three are unknown. With some figures
    unknown the result is a lower bound (the missing figure could raise it)."""
    loss_wan = None if direct_loss_yuan is None else round(direct_loss_yuan / 10_000, 6)
    found = [
        g
        for g in (
            _grade_by(deaths, _DEATHS),
            _grade_by(serious_injuries, _SERIOUS),
            _grade_by(loss_wan, _LOSS_WAN),
        )
        if g
    ]
    return max(found, key=GRADES.index) if found else None


_GRADE_WORD = re.compile(r"特别重大|重大|较大|一般")


def normalize_grade(s: str | None) -> str | None:
    """'一般事故', '较大生产安全事故', '重大', '特別重大' → the canonical grade; None otherwise
    (the pre-2007 term 特大 does not map onto the 条例's grades)."""
    if not s:
        return None
    m = _GRADE_WORD.search(to_simplified(to_halfwidth(str(s))))
    return m.group() if m else None


def grade_mismatch(stated: str | None, computed: str | None, inputs_complete: bool = True) -> bool | None:
    """True when the stated grade differs from the computed one; None when either is unknown.
    With inputs_complete=False (a figure was missing) a stated grade above the computed one
    cannot be judged and gives None."""
    stated, computed = normalize_grade(stated), normalize_grade(computed)
    if stated is None or computed is None:
        return None
    if not inputs_complete and GRADES.index(stated) > GRADES.index(computed):
        return None
    return stated != computed
