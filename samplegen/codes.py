"""Codes and spellings: USCC and ID numbers with valid check characters, Chinese numerals,
the several ways Gansu documents write dates and money, and full-width forms.

Check-character rules follow GB 32100-2015 (MOD 31), GB 11714 and
GB 11643-1999 (ISO 7064 MOD 11-2).
"""

from __future__ import annotations

import datetime as dt
import random

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
_USCC_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]

CN_DIGITS = "〇一二三四五六七八九"


# --- 统一社会信用代码 -------------------------------------------------------------


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character 组织机构代码 body."""
    values = [int(c) if c.isdigit() else ord(c) - 55 for c in body8]
    check = 11 - sum(v * w for v, w in zip(values, _ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def make_uscc(rng: random.Random, region: str, kind: str = "91") -> str:
    """A valid code: 登记管理部门+机构类别, region (6 digits), 组织机构代码, check."""
    # Codes issued since 2015 mostly start the body with 'MA' plus letters from the USCC set.
    if rng.random() < 0.55:
        body = "MA" + "".join(rng.choice(USCC_CHARS[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    first17 = kind + region + body + org_code_check(body)
    return first17 + uscc_check_char(first17)


def break_uscc(code: str) -> str:
    """The same code with a wrong check character (a typo as sources print them)."""
    wrong = USCC_CHARS[(USCC_CHARS.index(code[17]) + 7) % 31]
    return code[:17] + wrong


def uscc_valid(code: str) -> bool:
    return (
        len(code) == 18
        and all(c in USCC_CHARS for c in code)
        and code[2:8].isdigit()
        and uscc_check_char(code[:17]) == code[17]
    )


# --- 居民身份证号码 ---------------------------------------------------------------


def id_check_char(first17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def make_id_number(rng: random.Random, region: str, born: dt.date) -> str:
    first17 = f"{region}{born:%Y%m%d}{rng.randint(1, 999):03d}"
    return first17 + id_check_char(first17)


def mask_id(number: str) -> str:
    """Site convention: region and last 4 kept, birth date masked."""
    return number[:6] + "*" * 8 + number[-4:]


# --- full-width forms --------------------------------------------------------------


def fullwidth(text: str) -> str:
    """ASCII letters and digits to their full-width forms (Ａ, ９), as some sources print."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# --- Chinese numerals ------------------------------------------------------------


def cn_number(n: int) -> str:
    """0..9999 in everyday Chinese numerals: 3 → 三, 12 → 十二, 32 → 三十二, 105 → 一百零五."""
    if n < 10:
        return "零一二三四五六七八九"[n]
    if n < 20:
        return "十" + ("" if n == 10 else "零一二三四五六七八九"[n - 10])
    if n < 100:
        tens, ones = divmod(n, 10)
        return "零一二三四五六七八九"[tens] + "十" + ("" if ones == 0 else "零一二三四五六七八九"[ones])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = "零一二三四五六七八九"[hundreds] + "百"
        if rest == 0:
            return head
        return head + (
            "零" + cn_number(rest)
            if rest < 10
            else ("一" + cn_number(rest) if rest < 20 else cn_number(rest))
        )
    thousands, rest = divmod(n, 1000)
    head = "零一二三四五六七八九"[thousands] + "千"
    if rest == 0:
        return head
    return head + ("零" if rest < 100 else "") + cn_number(rest)


_UPPER = "零壹贰叁肆伍陆柒捌玖"


def cn_money_upper(yuan: int) -> str:
    """Whole yuan in 大写 as penalty decisions write them: 1200000 → 壹佰贰拾万元整."""

    def four(n: int) -> str:
        out, zero = "", False
        for unit_value, unit in ((1000, "仟"), (100, "佰"), (10, "拾"), (1, "")):
            digit, n = divmod(n, unit_value)
            if digit:
                if zero and out:
                    out += "零"
                out += _UPPER[digit] + unit
                zero = False
            else:
                zero = True
        return out

    wan, rest = divmod(yuan, 10000)
    text = (four(wan) + "万" if wan else "") + (("零" if wan and rest < 1000 and rest else "") + four(rest))
    return text + "元整"


# --- dates -------------------------------------------------------------------------


def date_text(d: dt.date, style: str) -> str:
    """Dates as Gansu documents print them."""
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    if style == "cn0":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if style == "iso":
        return d.isoformat()
    if style == "dash":
        return f"{d.year}-{d.month}-{d.day}"
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "dot":
        return f"{d.year}.{d.month:02d}.{d.day:02d}"
    if style == "compact":
        return f"{d:%Y%m%d}"
    if style == "upper":  # 二〇二一年三月四日, as on signed documents
        year = "".join(CN_DIGITS[int(c)] for c in str(d.year))
        return f"{year}年{cn_number(d.month)}月{cn_number(d.day)}日"
    raise ValueError(style)


def time_text(hour: int, minute: int, style: str) -> str:
    if style == "xu":
        return f"{hour}时{minute}分许" if minute else f"{hour}时许"
    if style == "zuoyou":
        return f"{hour}时{minute}分左右" if minute else f"{hour}时左右"
    if style == "colon":
        return f"{hour}:{minute:02d}"
    if style == "period":  # 凌晨2时10分 / 下午3时20分
        part = "凌晨" if hour < 6 else "上午" if hour < 12 else "下午" if hour < 18 else "晚"
        shown = hour if hour <= 12 else hour - 12
        return f"{part}{shown}时{minute}分" if minute else f"{part}{shown}时许"
    raise ValueError(style)


def add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def add_months(d: dt.date, months: int) -> dt.date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(d.day, 28))


# --- money -------------------------------------------------------------------------


def loss_text(yuan: float, style: str) -> str:
    """Direct economic loss as reports state it; the value must fit the style exactly."""
    if style == "wan1":
        return f"{yuan / 10000:.1f}万元"
    if style == "wan2":
        return f"{yuan / 10000:,.2f}万元"
    if style == "wan0":
        return f"{yuan / 10000:.0f}万元"
    if style == "yuan2":
        return f"{yuan:.2f}元"
    if style == "yuan0":
        return f"{yuan:.0f}元"
    if style == "yi":
        return f"{yuan / 1e8:g}亿元"
    raise ValueError(style)


def fine_text(yuan: int, style: str) -> str:
    if style == "wan":
        return f"{yuan / 10000:g}万元"
    if style == "yuan":
        return f"{yuan}元"
    if style == "upper":
        return f"人民币{cn_money_upper(yuan)}（￥{yuan:,}元）"
    raise ValueError(style)
