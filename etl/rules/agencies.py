"""Whether a safety technical-service agency (安全评价机构、安全生产检测检验机构) held its
qualification (资质) on a date.

《中华人民共和国安全生产法》第七十二条 requires the qualification and forbids 租借资质、挂靠、出具虚假
报告; 第九十二条 sets the penalties; 《安全评价检测检验机构管理办法》(应急管理部令第1号) governs the
certificate, its validity and its suspension and revocation (article numbers not confirmed here).

On a day the qualification is
- revoked from the date of a revocation decision (撤销) on, or when the register prints 撤销 without
  a decision we know (then from an unknown date: every day counts as revoked);
- cancelled (注销) when the register says so;
- expired after the last day of validity (有效期至, inclusive), a suspension then running or not;
- suspended on the days of a suspension (暂停资质/停业整顿), start and end inclusive, an unstated end open;
- unstated when the register gives neither a validity nor a status;
- valid otherwise.
A report is flagged when it was issued on a day the qualification was expired or revoked by a
dated decision (issued_after_qualification_end); a report issued while suspended shows that
status. When the end has no date (the register prints 撤销 or 注销 without a decision we know),
the status on an earlier day cannot be known: the report is neither flagged nor cleared.
"""

from __future__ import annotations

from datetime import date

from etl.rules.periods import covers

LABELS = {
    "valid": "资质有效",
    "expired": "资质已过有效期",
    "suspended": "资质暂停中",
    "revoked": "资质已撤销",
    "cancelled": "资质已注销",
    "unstated": "资质有效期未载明",
}
ENDED = ("expired", "revoked", "cancelled")


def qualification_status(
    valid_until: date | None,
    status_stated: str | None,
    actions: list[tuple[str, date | None, date | None, date | None]],
    day: date,
) -> tuple[str, date | None]:
    """(status, the day the qualification ended or None) on `day`. `actions` are
    (action code, decided_on, start_on, end_on) of the actions against the agency."""
    stated = status_stated or ""
    revocations = sorted(d for kind, d, _, _ in actions if kind == "revoked" and d is not None)
    if revocations and revocations[0] <= day:
        return "revoked", revocations[0]
    if "撤销" in stated and not revocations:
        return "revoked", None
    if "注销" in stated:
        return "cancelled", None
    if valid_until is not None and valid_until < day:  # a suspension ends with the certificate
        return "expired", valid_until
    for kind, decided, start, end in actions:
        if kind == "suspended" and (start or decided) is not None and covers(start or decided, end, day):
            return "suspended", None
    if valid_until is None and not stated.strip():
        return "unstated", None
    return "valid", None


def status_at_issue(
    valid_until: date | None,
    status_stated: str | None,
    actions: list[tuple[str, date | None, date | None, date | None]],
    issued_on: date,
) -> str | None:
    """The qualification's status on the day a report was issued, None where it cannot be known
    (an end without a date, a register that states nothing)."""
    status, ended = qualification_status(valid_until, status_stated, actions, issued_on)
    if status in ("revoked", "cancelled") and ended is None or status == "unstated":
        return None
    return status
