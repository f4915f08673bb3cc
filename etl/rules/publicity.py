"""Publicity periods of credit records (行政处罚 and other 失信 information) and the validity of
credit ratings.

A record whose source states no end of its publicity is public only for the maximum period the
national credit-repair rule in force on its decision date sets, counted from the decision date;
publicity then stops by itself. The rules (PERIOD_RULES):
- decided before 2023-05-01: 《关于进一步完善“信用中国”网站及地方信用门户网站行政处罚信息信用
  修复机制的通知》(发改办财金〔2019〕527号): 一般 at most 1 year, 严重 at most 3 years;
- from 2023-05-01: 《失信行为纠正后的信用信息修复管理办法（试行）》(国家发展和改革委员会令2023年
  第58号): at most 3 years (at least 1 year for 安全生产 penalties);
- from 2026-04-01: 《信用修复管理办法》(国家发展和改革委员会令第36号): 轻微 at most 3 months,
  一般 at most 1 year, 严重 at most 3 years.
A stated end is the source authority's own decision and is kept as stated.

Classes follow the orders' examples: 吊销/暂扣许可证、责令停产停业、关闭、限制从业 are 严重;
a penalty of only 警告 or 通报批评 is 轻微; anything else is 一般. Periods count as
etl/rules/periods.py counts them (the end day is included).

Ratings: no national rule sets a validity period for 安全生产信用等级 (the 应急管理部 describes
a grading system as still being explored, 应急建函〔2025〕5号), so a rating is current until
the `valid_until` its source states; without one it is current only while it is the newest
rating of the enterprise, and shown as "有效期未载明".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etl.rules.periods import covers, last_day

CLASS_SERIOUS, CLASS_ORDINARY, CLASS_MINOR = "严重", "一般", "轻微"
_SERIOUS_WORDS = (
    "吊销",
    "暂扣",
    "责令停产停业",
    "停产停业",
    "停产整顿",
    "关闭",
    "限制从业",
    "撤销许可",
    "撤销资质",
    "撤销资格",
    "严重失信",
)
_MINOR_WORDS = ("警告", "通报批评")


@dataclass(frozen=True)
class PeriodRule:
    key: str
    since: date
    name: str
    max_months: dict  # class -> the longest publicity, in months
    article: str = ""  # the article as read in a full text of the rule; empty: cited by name only

    @property
    def citation(self) -> str:
        """The rule as the `legal_basis` table cites it (etl/rules/catalogue.py)."""
        return self.name + self.article


PERIOD_RULES = (
    PeriodRule(
        "ndrc-2019-527",
        date.min,
        "《关于进一步完善“信用中国”网站及地方信用门户网站行政处罚信息信用修复机制的通知》"
        "（发改办财金〔2019〕527号）",
        {CLASS_MINOR: 12, CLASS_ORDINARY: 12, CLASS_SERIOUS: 36},
    ),
    PeriodRule(
        "ndrc-order-58",
        date(2023, 5, 1),
        "《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展和改革委员会令2023年第58号）",
        {CLASS_MINOR: 36, CLASS_ORDINARY: 36, CLASS_SERIOUS: 36},
    ),
    PeriodRule(
        "ndrc-order-36",
        date(2026, 4, 1),
        "《信用修复管理办法》（国家发展和改革委员会令第36号，2026年4月1日起施行）",
        {CLASS_MINOR: 3, CLASS_ORDINARY: 12, CLASS_SERIOUS: 36},
    ),
)


def penalty_class(record_type: str | None, penalty: str | None) -> str:
    """严重 / 一般 / 轻微 from what the record says it imposed."""
    text = f"{record_type or ''} {penalty or ''}"
    if any(w in text for w in _SERIOUS_WORDS):
        return CLASS_SERIOUS
    said = penalty or ""
    if (
        said
        and any(w in said for w in _MINOR_WORDS)
        and not any(w in said for w in ("罚款", "没收", "罚金", "元"))
    ):
        return CLASS_MINOR
    return CLASS_ORDINARY


def period_rule_for(decided_on: date) -> PeriodRule:
    return [r for r in PERIOD_RULES if r.since <= decided_on][-1]


def months_zh(months: int) -> str:
    return f"{months // 12}年" if months % 12 == 0 else f"{months}个月"


def publicity(
    decided_on: date | None,
    start: date | None,
    stated_end: date | None,
    record_type: str | None,
    penalty: str | None,
    as_of: date,
) -> dict:
    """The publicity period that applies to a record and whether it covers as_of.

    Returns start, end (inclusive), end_stated, class, rule (key), basis_zh and active (None
    when neither the start nor an end can be known)."""
    start = start or decided_on
    klass = penalty_class(record_type, penalty)
    if stated_end is not None:
        return {
            "start": start,
            "end": stated_end,
            "end_stated": True,
            "class": klass,
            "rule": None,
            "basis_zh": "公示截止日期以来源载明的日期为准。",
            "active": covers(start, stated_end, as_of),
        }
    if decided_on is None:
        return {
            "start": start,
            "end": None,
            "end_stated": False,
            "class": klass,
            "rule": None,
            "basis_zh": "来源未载明公示期限和决定日期，无法确定公示期，不予公示。",
            "active": None,
        }
    rule = period_rule_for(decided_on)
    months = rule.max_months[klass]
    end = last_day(decided_on, months)
    basis = (
        f"来源未载明公示期限。按决定日期适用{rule.name}，{klass}失信信息最长公示"
        f"{months_zh(months)}，自决定日期起算，期满停止公示（期间计算依《中华人民共和国民法典》"
        "第二百零一条、第二百零二条）。"
    )
    return {
        "start": start,
        "end": end,
        "end_stated": False,
        "class": klass,
        "rule": rule.key,
        "basis_zh": basis,
        "active": covers(start, end, as_of),
    }


RATING_LABELS = {
    "current": "有效",
    "expired": "已过有效期（历史记录）",
    "superseded": "已被新评级取代（历史记录）",
    "unstated": "最新评级（来源未载明有效期）",
    "future": "尚未生效",
}


def rating_status(rated_on: date | None, valid_until: date | None, newest: bool, as_of: date) -> str:
    """current / expired / superseded / unstated / future for one rating as of a date; `newest`
    says whether it is the latest rating of its enterprise."""
    if rated_on is not None and rated_on > as_of:
        return "future"
    if valid_until is not None:
        return "current" if as_of <= valid_until else "expired"
    return "unstated" if newest else "superseded"
