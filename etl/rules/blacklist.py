"""严重失信主体名单: which rule applies to an entry, its term, and its status as of a date.

The rule in force on the listing date decides (REGIMES):
- listed on or after 2023-10-01: 《安全生产严重失信主体名单管理办法》(应急管理部令第11号);
- listed before: the joint-punishment rules of the time (安监总办〔2017〕49号 and, before it,
  the 2015 "黑名单" provisions), not Order No. 11's 3-year period.

An entry's history is a sequence of events (EVENT_LABELS): listed, removed early (信用修复),
early removal revoked and the listing restored (撤销提前移出、恢复列入: Order No. 11 restores a
listing whose early removal was obtained by 隐瞒真实情况、弄虚作假), expired, and the listing
itself revoked (错误列入, or set aside by 复议/诉讼: the entry should never have been shown).

Dates follow etl/rules/periods.py: a stated 管理期限 end is the last day in force.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterable

from etl.normalize.dates import parse_date
from etl.rules.periods import completed_from, covers, last_day

STATUS_LABELS = {
    "active": "管理期内",
    "restored": "恢复列入（管理期内）",
    "expired": "期满移出",
    "removed": "提前移出（信用修复）",
    "revoked": "已撤销列入",
    "unknown": "未知",
}
IN_FORCE = ("active", "restored")
EVENT_LABELS = {
    "listed": "列入",
    "removed_early": "提前移出（信用修复）",
    "removal_revoked": "撤销提前移出、恢复列入",
    "expired": "期满移出",
    "listing_revoked": "撤销列入",
}
# The reason a removal announcement gives (blacklist_removals.removal_reason) → event kind.
REASON_EVENTS = {
    "期满": "expired",
    "信用修复": "removed_early",
    "撤销列入": "listing_revoked",
    "恢复列入": "removal_revoked",
}
REMOVAL_REASONS = tuple(REASON_EVENTS)


@dataclass(frozen=True)
class Regime:
    """A listing rule: what applies to entries listed from `since` until the next one."""

    key: str
    since: date
    name: str  # the rule as cited to readers
    term_months: int | None  # the period the rule sets; None: no fixed period
    term_zh: str  # the rule's provision on the term and removal, in brief
    early_removal_months: int | None
    article: str = ""  # the article as read in a full text of the rule; empty: cited by name only

    @property
    def citation(self) -> str:
        """The rule as the `legal_basis` table cites it (etl/rules/catalogue.py)."""
        return self.name + self.article

    def explain(self, term_stated: bool) -> str:
        """The rule that applies to an entry, in Chinese."""
        parts = [f"列入日期适用{self.name}", self.term_zh]
        parts.append(
            "管理期限截止日以公告载明的日期为准"
            if term_stated
            else "公告未载明截止日，按上述期限从列入日期推算（期间计算依《中华人民共和国民法典》"
            "第二百零一条、第二百零二条），截止日当日仍在列"
        )
        return "；".join(parts) + "。"


# The terms as the rules set them. The articles that set them could not be read in a full text
# here (only each rule's opening articles), so the rules are cited by name and `article` is
# empty; docs/rules.md says what was read and where the terms come from.
REGIMES = (
    Regime(
        key="anweiban-2015",
        since=date.min,
        name="《生产经营单位安全生产不良记录“黑名单”管理暂行规定》（安委办〔2015〕14号）",
        term_months=12,
        term_zh="“黑名单”期限1年，自公布之日起计算",
        early_removal_months=None,
    ),
    Regime(
        # 国家安全监管总局 issued it on 2017-05-09, in force the same day
        key="ajzb-2017-49",
        since=date(2017, 5, 9),
        name="《对安全生产领域失信行为开展联合惩戒的实施办法》（安监总办〔2017〕49号）",
        term_months=12,
        term_zh="联合惩戒期限1年，自公布之日起计算；期满前30日内由本单位申请，经审定后移出并公告",
        early_removal_months=None,
    ),
    Regime(
        key="mem-order-11",
        since=date(2023, 10, 1),
        name="《安全生产严重失信主体名单管理办法》（应急管理部令第11号，2023年10月1日起施行）",
        term_months=36,
        term_zh="管理期限3年，期满由决定机关移出、停止公示；列入满12个月后可按规定申请提前移出；"
        "以隐瞒真实情况、弄虚作假取得提前移出的，撤销提前移出决定、恢复列入",
        early_removal_months=12,
    ),
)


def regime_for(listed_on: date | str | None) -> Regime | None:
    """The rule in force on the listing date; None when the date is unknown."""
    listed = _as_date(listed_on)
    if listed is None:
        return None
    return [r for r in REGIMES if r.since <= listed][-1]


def _as_date(value: date | str | None) -> date | None:
    return value if isinstance(value, date) or value is None else parse_date(value)


def term_end_for(listed_on: date | str | None) -> date | str | None:
    """The last day of the management period the rule of the listing date sets, or None when
    that rule sets none. ISO strings in, ISO string out (the loader stores dates as text)."""
    listed = _as_date(listed_on)
    regime = regime_for(listed)
    if listed is None or regime is None or not regime.term_months:
        return None
    end = last_day(listed, regime.term_months)
    return end.isoformat() if isinstance(listed_on, str) else end


# Order matters: "撤销提前移出决定" is a restoration, not a revoked listing.
_REASON_PATTERNS = (
    (
        "恢复列入",
        re.compile(
            r"撤销(?:(?!列入)[^，。；,;]){0,10}移出|恢复[^，。；,;]{0,6}(?:列入|名单|失信)" r"|重新列入"
        ),
    ),
    ("撤销列入", re.compile(r"撤销|撤回|错误列入|依法纠正|复议|诉讼|不应列入")),
    ("信用修复", re.compile(r"信用修复|提前移出|修复|提前|申请移出")),
    ("期满", re.compile(r"期满|到期|届满|期限|三年|3年|一年|1年|自动移出")),
)


def normalize_removal_reason(s: str | None) -> str | None:
    """Free-text reason of an announcement → 期满 | 信用修复 | 撤销列入 | 恢复列入; None when it
    says none of these."""
    if not s:
        return None
    for reason, pattern in _REASON_PATTERNS:
        if pattern.search(s):
            return reason
    return None


def event_kind(reason: str | None, on: date | None, term_end: date | None) -> str:
    """The event a removal announcement records. An announcement that states no reason removes
    early when it comes before the term's last day, and records the expiry otherwise."""
    kind = REASON_EVENTS.get(normalize_removal_reason(reason) or "")
    if kind:
        return kind
    return "expired" if term_end is not None and on is not None and on > term_end else "removed_early"


def blacklist_status(
    listed_on: date | str | None,
    term_end: date | str | None,
    events: Iterable[tuple[date | str | None, str]],
    as_of: date,
) -> dict:
    """Status as of a date from the listing, the term's last day (stated, else the rule's) and
    the entry's events (date, kind) from removal announcements; events after as_of do not
    count. In force from the listing day through the term's last day, both inclusive."""
    listed = _as_date(listed_on)
    regime = regime_for(listed)
    stated_end = _as_date(term_end)
    end = stated_end or (term_end_for(listed) if listed else None)
    if listed is None or as_of < listed:
        return _status("unknown", None, end, regime, bool(stated_end))
    status = "active"
    for on, kind in sorted(((_as_date(on), kind) for on, kind in events), key=lambda e: (e[0] or date.min)):
        if on is None or on > as_of:
            continue
        if kind == "listing_revoked":
            status = "revoked"
            break
        if kind == "removed_early" and status in IN_FORCE:
            status = "removed"
        elif kind == "expired" and status in IN_FORCE:
            status = "expired"
        elif kind == "removal_revoked" and status == "removed":
            status = "restored"
    if status in IN_FORCE and end is not None and as_of > end:
        status = "expired"
    early = None
    if regime and regime.early_removal_months:
        early = completed_from(listed, regime.early_removal_months)
    return _status(status, early, end, regime, bool(stated_end))


def _status(
    status: str, early: date | None, term_end: date | None, regime: Regime | None, term_stated: bool
) -> dict:
    return {
        "status": status,
        "label_zh": STATUS_LABELS[status],
        "in_force": status in IN_FORCE,
        "early_removal_from": early,
        "term_end": term_end,
        "regime": regime.key if regime else None,
        "rule_zh": regime.explain(term_stated) if regime else None,
    }


def publicity_active(start: date | str | None, end: date | str | None, as_of: date) -> bool | None:
    """Whether a publicity period (公示期) covers as_of, both ends inclusive; None when neither
    end is known."""
    start, end = _as_date(start), _as_date(end)
    if start is None and end is None:
        return None
    return covers(start, end, as_of)
