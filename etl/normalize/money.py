"""Amounts of money in yuan: 约456.7万元, 4190.45万元, 1.2亿元, 62251.89元, 123,456元, ￥5000,
超过5100万元, 1000余万元, 近千万元.

A bound or an approximation is kept apart from the value (Money.bound), so '超过5100万元' is never
shown as exactly 51,000,000. 条例 第三条 reads '以上' as including the number and
'以下' as excluding it (条例: 《生产安全事故报告和调查处理条例》); the same reading is used here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from etl.normalize.numbers import CN_NUM, cn_to_int
from etl.normalize.text import to_halfwidth

BOUNDS = (None, "approx", ">", ">=", "<", "<=")
_UNITS = {"亿": Decimal(100_000_000), "万": Decimal(10_000), "千": Decimal(1_000), "": Decimal(1)}
# Qualifier words before the amount, longest first, and the bound each one means.
_BEFORE = [
    ("不超过", "<="),
    ("不高于", "<="),
    ("不足", "<"),
    ("不到", "<"),
    ("少于", "<"),
    ("低于", "<"),
    ("将近", "<"),
    ("接近", "<"),
    ("超过", ">"),
    ("多于", ">"),
    ("高于", ">"),
    ("大约", "approx"),
    ("约合", "approx"),
    ("约计", "approx"),
    ("逾", ">"),
    ("超", ">"),
    ("近", "<"),
    ("约", "approx"),
]
_AFTER = [("以上", ">="), ("以下", "<"), ("以内", "<="), ("左右", "approx"), ("上下", "approx")]
_NUMBER = rf"(\d{{1,15}}(?:\.\d{{1,6}})?|{CN_NUM})"
_AMOUNT = re.compile(
    rf"(?P<cur>[￥¥]|人民币|RMB)?\s*{_NUMBER}\s*(?P<more>余|多)?\s*(?P<unit>亿|万|千)?\s*"
    rf"(?:(?P<extra>\d{{1,4}}(?:\.\d{{1,6}})?)\s*万\s*)?(?P<more2>余|多)?\s*(?P<yuan>元|块)?"
)
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


@dataclass
class Money:
    yuan: float | None
    exact: bool
    bound: str | None
    qualifier: str | None = None  # the word as written: 约, 超过, 余, 近, 以上 ...


def _value(number: str) -> Decimal | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", number):
        try:
            return Decimal(number)
        except InvalidOperation:  # pragma: no cover - guarded by the pattern
            return None
    value = cn_to_int(number)
    return Decimal(value) if value is not None else None


def _qualifier_before(text: str) -> tuple[str, str] | tuple[None, None]:
    tail = text[-4:].rstrip(" 为达是:：计共")
    for word, bound in _BEFORE:
        if tail.endswith(word):
            return word, bound
    return None, None


def _qualifier_after(text: str) -> tuple[str, str] | tuple[None, None]:
    head = text[:3].lstrip()
    for word, bound in _AFTER:
        if head.startswith(word):
            return word, bound
    return None, None


def _is_money(m: re.Match) -> bool:
    # A number is money only with 元 after it, a currency sign before it, or 万/亿 that a
    # caller's context implies (损失1200万): bare numbers are not amounts.
    return bool(m.group("yuan") or m.group("cur") or m.group("unit") in ("万", "亿"))


def _money_from(m: re.Match, text: str) -> Money | None:
    if re.fullmatch(r"[百千万亿]+", m.group(2)) and not re.search(r"[近逾上数几约超过]$", text[: m.start()]):
        return None  # a unit alone ("直接经济损失（万元）：…") is not an amount; 近千万元 is
    value = _value(m.group(2))
    if value is None:
        return None
    value = value * _UNITS[m.group("unit") or ""]
    if m.group("extra") and m.group("unit") == "亿":  # 1亿2000万元
        value += Decimal(m.group("extra")) * _UNITS["万"]
    yuan = float(round(value, 2))
    word, bound = _qualifier_before(text[max(0, m.start() - 8) : m.start()])
    if m.group("more") or m.group("more2"):
        word, bound = word or (m.group("more") or m.group("more2")), bound or ">"
    after_word, after_bound = _qualifier_after(text[m.end() :])
    if after_bound and not bound:
        word, bound = after_word, after_bound
    return Money(yuan, bound is None, bound, word)


def parse_money(s: str | None) -> Money:
    """The first amount of money in s, in yuan. Money(None, False, None) when s has none."""
    if not s:
        return Money(None, False, None)
    text = _THOUSANDS.sub("", to_halfwidth(str(s)))
    for m in _AMOUNT.finditer(text):
        if m.group(2) and _is_money(m):
            money = _money_from(m, text)
            if money is not None:
                return money
    return Money(None, False, None)
