"""严重失信主体名单 status per 《安全生产严重失信主体名单管理办法》(应急管理部令第11号,
shared/domain.md §3): the management period is 3 years, after which the entry is removed
(移出) and publicity stops; the listed party may apply for early removal (信用修复) after 12
months; an early removal obtained by 隐瞒真实情况、弄虚作假 is revoked and the listing restored.
"""
from __future__ import annotations

from datetime import date

from etl.normalize.dates import parse_date
from etl.rules.rectification import add_months

TERM_YEARS = 3  # 管理期限为3年
EARLY_REMOVAL_MONTHS = 12  # 列入满12个月可申请提前移出
STATUS_LABELS = {"active": "管理期内", "expired": "期满移出", "removed": "提前移出（信用修复）",
                 "revoked": "已撤销", "unknown": "未知"}
REMOVAL_REASONS = ("期满", "信用修复", "撤销")
_REASON_WORDS = [
    ("撤销", ("撤销", "撤回", "错误列入", "依法纠正", "复议", "诉讼", "不应列入")),
    ("信用修复", ("信用修复", "提前移出", "修复", "提前", "申请移出")),
    ("期满", ("期满", "到期", "届满", "期限", "三年", "3年", "自动移出")),
]


def _as_date(value: date | str | None) -> date | None:
    return value if isinstance(value, date) or value is None else parse_date(value)


def term_end_for(listed_on: date | str | None) -> date | str | None:
    """listed_on + 3 years: the day the management period is complete. ISO strings in, ISO
    string out (the loader stores dates as text)."""
    listed = _as_date(listed_on)
    if listed is None:
        return None
    end = add_months(listed, 12 * TERM_YEARS)
    return end.isoformat() if isinstance(listed_on, str) else end


def normalize_removal_reason(s: str | None) -> str | None:
    """Free-text 移出原因 → 期满 | 信用修复 | 撤销; None when it says none of these."""
    if not s:
        return None
    for reason, words in _REASON_WORDS:
        if any(w in s for w in words):
            return reason
    return None


def blacklist_status(listed_on: date | None, term_end: date | None, removed_on: date | None,
                     removal_reason: str | None, as_of: date) -> dict:
    """Status as of a date. term_end defaults to listed_on + 3 years; from that day the entry
    is expired. A removal on or before as_of decides: 撤销 → revoked, 期满 → expired, otherwise
    (信用修复 or unstated, before term_end) → removed."""
    listed_on, term_end, removed_on = map(_as_date, (listed_on, term_end, removed_on))
    if listed_on is None:
        return _status("unknown", None, term_end)
    term_end = term_end or term_end_for(listed_on)
    early = add_months(listed_on, EARLY_REMOVAL_MONTHS)
    reason = normalize_removal_reason(removal_reason) if removal_reason else None
    if removed_on is not None and removed_on <= as_of:
        if reason == "撤销":
            status = "revoked"
        elif reason == "期满" or (reason is None and removed_on >= term_end):
            status = "expired"
        else:
            status = "removed"
    elif as_of >= term_end:
        status = "expired"
    else:
        status = "active" if as_of >= listed_on else "unknown"
    return _status(status, early, term_end)


def _status(status: str, early: date | None, term_end: date | None) -> dict:
    return {"status": status, "label_zh": STATUS_LABELS[status], "in_force": status == "active",
            "early_removal_from": early, "term_end": term_end}


def publicity_active(start: date | str | None, end: date | str | None, as_of: date) -> bool | None:
    """Whether a credit record's publicity period (公示期) covers as_of, both ends inclusive.
    None when neither end is known."""
    start, end = _as_date(start), _as_date(end)
    if start is None and end is None:
        return None
    return (start is None or start <= as_of) and (end is None or as_of <= end)
