"""Personal-data masking: ID numbers, phone numbers and names in free text, under the one
policy in etl/masking.yaml (个人信息保护法 第二十八条; nothing unmasked ever leaves the ETL).

No part of a 居民身份证号码 is kept in text: a whole number, and a fragment a source printed
already masked (620102********1234, 身份证号：62010219******1234), become the policy's marker
(《行政处罚结果信息网上公开暂行办法》第七条; 最高人民法院《关于人民法院在互联网公布裁判文书的规定》
法释〔2016〕19号 第十条; 《个人信息保护法》第二十八条, sensitive personal information).

What is never masked: 统一社会信用代码 (public registration data, §6), dates, amounts, 文号,
索引号 and 12350. An 18-character all-digit string is told apart from an ID number by
etl.normalize.codes.classify_18 (structure, then check characters, then the label before it,
then ID by default: privacy first).

Detection runs on to_halfwidth(text), which has the same length, so full-width digits are found
and masked in place.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator

import yaml

from etl.normalize.codes import classify_18, plausible_birth_date
from etl.normalize.names import (
    AMBIGUOUS_SURNAMES,
    COMPOUND_SURNAMES,
    LONG_NAME_SECOND_CHARS,
    NOT_PERSON_WORDS,
    PERSON_CUE,
    PLACE_WORDS,
    ROLE_ONLY_SURNAMES,
    SURNAME_CHARS,
    TRANSLITERATED,
    _common_word,
    dictionary_word,
    in_dictionary,
    is_masked_name,
    mask_person_name,
    opens_no_name,
    person_name_spans,
    starts_non_person,
    surname_and_title,
    tibetan_led,
    tibetan_name_length,
)
from etl.normalize.text import to_halfwidth

POLICY_PATH = Path(__file__).resolve().parent.parent / "masking.yaml"
# Text: only "hidden" (the whole number becomes the marker). Styles that keep digits are allowed
# only for the internal id_number column of blacklist and bans, which public.db never holds.
ID_STYLES = ("hidden",)
ID_COLUMN_STYLES = ("region4", "gansu")
ID_MARKER = "[身份证号码已隐去]"


@dataclass(frozen=True)
class MaskPolicy:
    id_style: str = "hidden"
    id_marker: str = ID_MARKER
    id_column_style: str = "region4"
    mobile_keep_head: int = 3
    mobile_keep_tail: int = 4
    landline_keep_tail: int = 3
    keep_phone_labels: tuple[str, ...] = ()
    role_styles: dict = field(default_factory=dict)  # role word → name style
    list_item_style: str | None = "convention"
    not_names: frozenset = frozenset()
    # names the recognizer finds with no role word before them (etl/normalize/names.py)
    recognized_style: str | None = "surname"


@lru_cache(maxsize=4)
def load_policy(path: str | Path | None = None) -> MaskPolicy:
    """Read etl/masking.yaml (or path), validated: a bad policy stops the ETL (cached)."""
    with open(path or POLICY_PATH, encoding="utf-8") as f:
        raw = yaml.safe_load(f) or {}
    id_spec = raw.get("id_number") or {}
    id_style = id_spec.get("style", "hidden")
    if id_style not in ID_STYLES:
        raise ValueError(
            f"masking policy: id_number.style must be one of {ID_STYLES}: no digit "
            "of an ID number is kept in text (行政处罚结果信息网上公开暂行办法 第七条)"
        )
    id_column_style = id_spec.get("column_style", "region4")
    if id_column_style not in ID_COLUMN_STYLES:
        raise ValueError(f"masking policy: id_number.column_style must be one of {ID_COLUMN_STYLES}")
    id_marker = str(id_spec.get("marker") or ID_MARKER)
    if any(ch.isdecimal() or ch in _MARK_CHARS for ch in id_marker):
        raise ValueError("masking policy: id_number.marker must hold no digit and no mask character")
    phone = raw.get("phone") or {}
    names = raw.get("names") or {}
    role_styles: dict[str, str] = {}
    for group in ("victims", "responsible"):
        spec = names.get(group) or {}
        for role in spec.get("roles") or []:
            role_styles[str(role)] = spec.get("style", "convention")
    return MaskPolicy(
        id_style=id_style,
        id_marker=id_marker,
        id_column_style=id_column_style,
        mobile_keep_head=int(phone.get("mobile_keep_head", 3)),
        mobile_keep_tail=int(phone.get("mobile_keep_tail", 4)),
        landline_keep_tail=int(phone.get("landline_keep_tail", 3)),
        keep_phone_labels=tuple(phone.get("keep_after_labels") or ()),
        role_styles=role_styles,
        list_item_style=(names.get("list_items") or {}).get("style"),
        not_names=frozenset(names.get("not_names") or ()),
        recognized_style=(names.get("recognized") or {}).get("style"),
    )


@dataclass(frozen=True)
class Hit:
    kind: str  # id_number | id_fragment | mobile | landline | name
    start: int
    end: int
    replacement: str


_LABEL_WIDTH = 14  # how far before a number its label is looked for, at most


def _label_before(text: str, start: int, width: int = _LABEL_WIDTH) -> str:
    return text[max(0, start - width) : start]


# --- ID numbers (GB 11643-1999) --------------------------------------------------------------
_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z*])\d{17}[\dXx](?![0-9A-Za-z*])")
_USCC_LABELS = ("信用代码", "注册号", "机构代码", "纳税人识别号", "税号")
_ID_LABELS = ("身份证", "身份号码", "证件号", "公民身份", "合格证")


# The same number printed in groups (6201 0219 9001 0112 39, 620102-19900101-1239,
# 620102.19860214.3311, 620102 199001011239): 18 characters with one kind of separator between
# groups of 2-12 digits; the digits must hold a plausible birth date at 7-14 (a region code, then a
# date, then the rest).
_ID_SEPARATORS = " .-\u2014"
_ID_GROUPED = re.compile(
    r"(?<![0-9A-Za-z*])\d{2,12}(?:[ .\-\u2014]\d{2,12}){1,8}(?:[ .\-\u2014]?[Xx])?(?![0-9A-Za-z*])"
)


def _grouped_id(token: str) -> str | None:
    """The 18 characters of an ID number printed in groups, or None."""
    seps = {ch for ch in token if ch in _ID_SEPARATORS}
    code = "".join(ch for ch in token if ch not in _ID_SEPARATORS).upper()
    if len(seps) != 1 or len(code) != 18 or not _SEED.search(token):
        return None
    return code if plausible_birth_date(code[6:14]) and code[0] in "12345678" else None


def _id_hint(label: str) -> str | None:
    # The label nearest to the number decides.
    positions = {
        kind: max((label.rfind(w) for w in words), default=-1)
        for kind, words in (("uscc", _USCC_LABELS), ("id_number", _ID_LABELS))
    }
    best = max(positions, key=positions.get)
    return best if positions[best] >= 0 else None


def _mask_id(code: str, style: str, marker: str = ID_MARKER) -> str:
    """ "hidden": the marker, nothing of the number (text). "region4"/"gansu": the internal
    id_number column only (region + last 4, or first 3 + last 4)."""
    if style == "gansu":
        return code[:3] + "*" * 11 + code[-4:]
    if style == "region4":
        return code[:6] + "*" * 8 + code[-4:]
    return marker


def _id_hits(half: str, policy: MaskPolicy) -> Iterator[Hit]:
    """ID numbers: what classify_18 calls one, and also any other 17 digits + digit/X whose
    positions 7-14 are a plausible birth date (a garbled region code is still a person's
    number) unless it is a USCC."""
    for m in _ID_CANDIDATE.finditer(half):
        code = m.group().upper()
        kind = classify_18(code, _id_hint(_label_before(half, m.start())))
        if kind == "id_number" or (kind is None and plausible_birth_date(code[6:14])):
            yield Hit("id_number", m.start(), m.end(), _mask_id(m.group(), policy.id_style, policy.id_marker))
    for m in _ID_GROUPED.finditer(half):
        code = _grouped_id(m.group())
        if code and classify_18(code, _id_hint(_label_before(half, m.start()))) != "uscc":
            yield Hit("id_number", m.start(), m.end(), policy.id_marker)


# --- fragments of ID numbers a source printed masked ------------------------------------------
# Sources print numbers already masked in their own way (620102********1234, 412***********7714,
# 6201**********1234, 身份证号：62010219******1234). Each still publishes part of the number (the
# region code, the birth date or the last four), so the whole token becomes the marker too.
# A token is a maximal run of digits, X and mask characters not touching a letter (so a masked
# 统一社会信用代码 with letters, 91620102MA7****01X, is never one). It is a fragment when
#   * it has 14-20 characters, at least 4 of them mask characters and a digit (the 18-character
#     shape, and the same with characters lost or added), or
#   * it opens with 6 or more digits followed by 2 or more mask characters (region code, then
#     the masked rest: 620102********), except a masked mobile number (1381234****), or
#   * it follows a 身份证 / 身份号码 / 证件号 label and has 4 or more characters with a digit
#     (身份证号：6201**1234, 证件号码 620102900101123; 18 characters unmasked: the ID detector
#     above decides, as for any whole number).
# Not when the nearest label before it is a USCC one (信用代码, 注册号 …): registration data is public.
# Detection works on the raw text (full-width forms are in the classes), so scan_unmasked_pii
# runs it on the whole document and gets what find_unmasked_pii gets.
_MARK_CHARS = "*\uff0a\u00d7"  # * ＊ ×
_FRAGMENT_MARK = re.compile(f"[{_MARK_CHARS}]")
_FRAGMENT_LABEL = re.compile(r"身份证|身份号码|证件号")
_MAY_HOLD_FRAGMENT = re.compile(f"[{_MARK_CHARS}]|{_FRAGMENT_LABEL.pattern}")
_AFTER_FRAGMENT_LABEL = re.compile(r"(?:件号码|件号|号码|号|码)?\s{0,2}[:：]?\s{0,2}(?:为|是)?")
_TOKEN_RUN = re.compile(f"[\\dXx\uff38\uff58{_MARK_CHARS}]*")
_TOKEN_EXTRA = set(f"Xx\uff38\uff58{_MARK_CHARS}")
_LETTER = re.compile(r"[A-Za-z\uff21-\uff3a\uff41-\uff5a]")
_MASKED_MOBILE = re.compile(r"[1１][3-9３-９]")


def _token_char(ch: str) -> bool:
    return ch.isdecimal() or ch in _TOKEN_EXTRA


def _fragment_shape(token: str) -> bool:
    marks = sum(ch in _MARK_CHARS for ch in token)
    if not marks or not any(ch.isdecimal() for ch in token):
        return False
    if 14 <= len(token) <= 20 and marks >= 4:
        return True
    lead = 0
    while lead < len(token) and token[lead].isdecimal():
        lead += 1
    run = 0
    while lead + run < len(token) and token[lead + run] in _MARK_CHARS:
        run += 1
    return lead >= 6 and run >= 2 and not (len(token) == 11 and _MASKED_MOBILE.match(token))


def _fragment_hits(text: str, policy: MaskPolicy) -> Iterator[Hit]:
    """Fragments of ID numbers (see above), each replaced by the marker as a whole."""
    if not text:
        return
    size = len(text)
    for m in _FRAGMENT_LABEL.finditer(text):
        start = _AFTER_FRAGMENT_LABEL.match(text, m.end()).end()
        end = _TOKEN_RUN.match(text, start).end()
        token = text[start:end]
        if (
            len(token) < 4
            or not any(ch.isdecimal() for ch in token)
            or (end < size and _LETTER.match(text, end))
        ):
            continue
        if len(token) == 18 and not any(ch in _MARK_CHARS for ch in token):
            continue  # a whole number: the ID detector decides (a USCC under the wrong label stays)
        yield Hit("id_fragment", start, end, policy.id_marker)
    done = 0
    for m in _FRAGMENT_MARK.finditer(text):
        if m.start() < done:
            continue  # in a token already looked at
        start = m.start()
        while start > 0 and _token_char(text[start - 1]):
            start -= 1
        end = done = _TOKEN_RUN.match(text, m.start()).end()
        if (start > 0 and _LETTER.match(text, start - 1)) or (end < size and _LETTER.match(text, end)):
            continue  # part of a longer code with letters
        if _fragment_shape(text[start:end]) and _id_hint(_label_before(text, start)) != "uscc":
            yield Hit("id_fragment", start, end, policy.id_marker)


def hide_id_fragments(text: str | None, policy: MaskPolicy | None = None) -> str | None:
    """Replace every ID-number fragment in text by the marker (what the public filter does to
    every text cell, so that text stored under an older policy is published without them)."""
    if not text or not _MAY_HOLD_FRAGMENT.search(text):
        return text  # nearly every cell: no mask character and no label
    policy = policy or load_policy()
    hits = list(_fragment_hits(text, policy))
    return _apply(text, hits) if hits else text


# --- phone numbers ---------------------------------------------------------------------------
# An extension after the number (0934-8216053转8012) is part of it.
_EXTENSION = r"(?:转(\d{1,6}))?"
_MOBILE = re.compile(
    r"(?<![0-9A-Za-z*])(?:(?:\+|00)?86[-\s]?)?(1[3-9]\d)[-\s.]?(\d{4})[-\s.]?(\d{4})(?![0-9A-Za-z*])"
    + _EXTENSION
)
# Area code in brackets, or before a separator (0931-8465596, 0931 8465596, 0932.6628147), or
# after +86 without its 0 (+86 931 8465596); the local number whole or in two groups (847 6215).
_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z*])(?:[(（]\s*(0\d{2,3})\s*[)）]\s*[-－—]?\s*|(0\d{2,3})(?:\s*[-－—]\s*|[ \u3000.])"
    r"|(?:\+|00)86[-\s]?([1-9]\d{1,2})[-\s])(\d{7,8}|\d{3,4}[-\s]\d{4})(?![0-9A-Za-z*])" + _EXTENSION
)
# Not after '-', '/' or '_': record ids and URLs ("acc-036438215901", ".../n-0447294…/") are
# hex digests that can be all digits; a phone written without separators never follows those.
_LANDLINE_PLAIN = re.compile(
    r"(?<![0-9A-Za-z*/_\-])(0(?:10|2\d|[3-9]\d\d))(\d{7,8})(?![0-9A-Za-z*])" + _EXTENSION
)
_LOCAL_LABELLED = re.compile(r"(?:电话|手机|座机|联系方式|[Tt][Ee][Ll])\s*[:：]?\s*(\d{7,8})(?!\d)")
# Labels of numbers that are public identifiers, not phone numbers, however they look. Kept
# short on purpose: a certificate (证号) or account (账号) number may itself be personal data.
_NOT_PHONE_LABELS = ("索引号", "文号", "信用代码", "机构代码", "注册号", "批号")


# Numbers listed after one label share it: 举报电话：12350、0943-8213350.
_NUMBER_LIST_BEFORE = re.compile(r"[\d\s\-()（）、或和及转]*$")
# An institution's line given after the institution (……向省应急管理厅政策法规处提出，电话0931-8926350):
# kept like a labelled hotline. Only landlines: a mobile number is a person's.
_INSTITUTION_LINE = re.compile(
    r"(?:厅|局|处|委员会|办公室|人民政府|中心|大队|支队|管委会)(?:提出|反映|咨询|投诉|举报|联系|申请|查询)?"
    r"[，,]?\s*(?:联系|咨询|办公)?电话\s*[:：]?\s*$"
)


def _phone_allowed(half: str, start: int, policy: MaskPolicy, landline: bool = False) -> bool:
    """False when the number is an institution's published line or a labelled non-phone."""
    start = _NUMBER_LIST_BEFORE.search(half, max(0, start - 40), start).start()
    label = _label_before(half, start, 10)
    if landline and _INSTITUTION_LINE.search(_label_before(half, start)):
        return False
    return not any(w in label for w in (*policy.keep_phone_labels, *_NOT_PHONE_LABELS))


def _landline_mask(area: str, number: str, policy: MaskPolicy) -> str:
    number = "".join(ch for ch in number if ch.isdigit())
    keep = min(policy.landline_keep_tail, len(number) - 1)
    return f"{area}-{'*' * (len(number) - keep)}{number[len(number) - keep:]}"


def _extension_mask(extension: str | None) -> str:
    return f"转{'*' * len(extension)}" if extension else ""


# A group of at most four digits right before or after a match: the match is a stretch of a
# longer number printed in groups (账号：2703 0011 0920 0016 357), no phone number.
_GROUP_BEFORE = re.compile(r"(?:^|\D)\d{1,4}[ .\-]$")
_GROUP_AFTER = re.compile(r"[ .\-]\d{1,4}(?![\d\u4e00-\u9fff]|[ .\-]\d{5})")


def _inside_grouped_number(half: str, start: int, end: int) -> bool:
    return bool(_GROUP_BEFORE.search(half, max(0, start - 6), start) or _GROUP_AFTER.match(half, end))


def _phone_hits(half: str, policy: MaskPolicy) -> Iterator[Hit]:
    for m in _MOBILE.finditer(half):
        if _phone_allowed(half, m.start(), policy) and not _inside_grouped_number(half, m.start(), m.end()):
            digits = "".join(m.groups()[:3])
            head, tail = digits[: policy.mobile_keep_head], digits[-policy.mobile_keep_tail :]
            masked = head + "*" * (11 - len(head) - len(tail)) + tail
            yield Hit("mobile", m.start(), m.end(), masked + _extension_mask(m.group(4)))
    for m in _LANDLINE.finditer(half):
        if _phone_allowed(half, m.start(), policy, landline=True) and not _inside_grouped_number(
            half, m.start(), m.end()
        ):
            area = m.group(1) or m.group(2) or "0" + m.group(3)
            masked = _landline_mask(area, m.group(4), policy) + _extension_mask(m.group(5))
            yield Hit("landline", m.start(), m.end(), masked)
    for m in _LANDLINE_PLAIN.finditer(half):
        if _phone_allowed(half, m.start(), policy, landline=True):
            masked = _landline_mask(m.group(1), m.group(2), policy) + _extension_mask(m.group(3))
            yield Hit("landline", m.start(), m.end(), masked)
    for m in _LOCAL_LABELLED.finditer(half):
        if _phone_allowed(half, m.start(1), policy):
            number = m.group(1)
            keep = policy.landline_keep_tail
            yield Hit("landline", m.start(1), m.end(1), "*" * (len(number) - keep) + number[-keep:])


# --- names after role words (姓某 / 姓某+末字, as Gansu's reports print them) --------------
_STOP_WORDS = (
    "驾驶",
    "驾车",
    "操作",
    "违章",
    "违规",
    "违反",
    "擅自",
    "负责",
    "负有",
    "作业",
    "进入",
    "发现",
    "组织",
    "安排",
    "指挥",
    "当场",
    "死亡",
    "身亡",
    "遇难",
    "受伤",
    "抢救",
    "送医",
    "送往",
    "带班",
    "担任",
    "任职",
    "同志",
    "涉嫌",
    "明知",
    "使用",
    "签订",
    "私自",
    "独自",
    "随即",
    "立即",
    "随后",
    "先生",
    "女士",
    "供述",
    "证实",
    "在场",
    "现场",
    "正在",
    "没有",
    "未经",
    "未按",
    "未对",
    "未能",
    "因公",
    "被困",
    "坠落",
    "触电",
    "落入",
    "跌入",
    "返回",
    "赶到",
    "到达",
    "前往",
    "一起",
    "一人",
    "两人",
    "二人",
    "三人",
    "等人",
    "家属",
    "本人",
    "自行",
    "自己",
    "作为",
    "存在",
    "对事故",
    "分别",
    "先后",
    "相继",
    "共同",
    "一同",
)
_STOP_CHARS = set(
    "系是为男女等于在因被经对未已与和及同将把从向的均也都便就又还却所虽仍称说"
    "在将去来到给让叫请各该其此共约任了着过"
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_MASK_MARKS = set("某*×＊")
_MASKED_NAME = re.compile(
    r"(?:[\u4e00-\u9fff]{2}(?<=欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|夏侯)|"
    r"[\u4e00-\u9fff])[某*×＊]{1,3}(?:[\u4e00-\u9fff](?=[^\u4e00-\u9fff]|$|[未对等在已因违负被是系为与和及]))?"
)
_SEP_AFTER_ROLE = re.compile(r"\s*[:：]?\s*(?:为|是)?\s*")
# An enumerator opening an item in the middle of a line ("…建议移送司法机关2.李四，": PDF text
# often runs items together), not part of a number ("罚款2.5万元", "第3、4条", "2023.5.12").
# etl/extract/accountability.py splits items on it too.
ITEM_IN_LINE = r"(?<![\d.．])(?:\d{1,2}[.、．](?![\d.．])|[（(][一二三四五六七八九十\d]{1,3}[)）])"
# An enumerated item at the start of a line, or in the middle of one.
_LIST_ITEM = re.compile(
    r"(?m)(?:^[ \t]*(?:\d{1,2}[.、．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)"
    rf"|{ITEM_IN_LINE})"
    r"[ \t]*([\u4e00-\u9fff]{2,4})(?=[，,（(：:])"
)


def _han_run(s: str, limit: int = 4) -> int:
    n = 0
    while n < min(len(s), limit) and _HAN.match(s[n]):
        n += 1
    return n


def _stops_at(s: str, k: int) -> bool:
    rest = s[k:]
    return not rest or not _HAN.match(rest[0]) or rest[0] in _STOP_CHARS or rest.startswith(_STOP_WORDS)


# Second characters that make the two a phrase, not a name (向其宣传, 矿长曾对外称).
_NOT_SECOND = set("其之该本此这那他她在是对的了被把")


def _looks_like_name(s: str, policy: MaskPolicy, after_role: bool = False) -> bool:
    if s[:2] in COMPOUND_SURNAMES or tibetan_led(s):
        return True
    # 居民区附近, 失信主体：平凉示例…, 举报人向有处理权的单位, 失信主体：张家川回族自治县…,
    # 作业人员陆续撤离, 儿子施救, 民警和消防员, 工作人员向其宣传: a place, a listed word, an
    # adverb, a verb, a conjunction or a pronoun after a surname character, not a name
    return (
        (s[:1] in SURNAME_CHARS or (after_role and s[:1] in ROLE_ONLY_SURNAMES and not in_dictionary(s[:2])))
        and s[0] != "和"
        and s[1:2] not in _NOT_SECOND
        and not starts_non_person(s, 0, 2)
        and not opens_no_name(s[:2])
        and s[:2] not in policy.not_names
        and s[:2] not in NOT_PERSON_WORDS
        and "示" not in s[1:3]
        and not (
            s[0] in AMBIGUOUS_SURNAMES
            and (
                s[1:3] in NOT_PERSON_WORDS | {"附近"}
                or s[1] in "有在是为对的了县市区镇乡省州村"
                or _common_word(s[1:3])
            )
        )
    )


def name_length(s: str, policy: MaskPolicy | None = None, after_role: bool = False) -> int:
    """Length of the person's name at the start of s (0 if none): 2-3 characters (3-4 with a
    compound surname, 4 in Hui and Tibetan names), cut where a word that cannot be part of a name
    begins. after_role: s follows a role word, where a few more characters open surnames."""
    policy = policy or load_policy()
    n = _han_run(s)
    if n < 2 or any(ch in _MASK_MARKS for ch in s[:3]) or not _looks_like_name(s, policy, after_role):
        return 0
    if surname_and_title(s):
        return 0  # 联系人张科长
    if tibetan_name_length(s) > 3:
        return tibetan_name_length(s)  # 才让东智
    shortest = 3 if s[:2] in COMPOUND_SURNAMES else 2
    if n < shortest:
        return 0
    if n == shortest + 1 and (len(s) == n or not _HAN.match(s[n])):
        return n  # a whole run of three characters (穆春来，): the name, not two of it
    for k in (shortest, shortest + 1):
        if k <= n and (k == n or _stops_at(s, k)):
            return k
    if n == shortest + 2 and len(s) > n and _stops_at(s, n) and s[1] in LONG_NAME_SECOND_CHARS:
        return n  # four characters of a Hui or Dongxiang name (马尕西木在)
    # No boundary found: take the longer form. Over-masking hides a character of the next
    # word; under-masking would publish part of a name.
    return min(n, shortest + 1)


@lru_cache(maxsize=4)
def _role_pattern(roles: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True)))


def _names_after(text: str, pos: int, style: str, policy: MaskPolicy) -> Iterator[Hit]:
    """Names right after a role word, including lists: 死者张三、李四和王五. Names already
    masked (张某某) come back as kind 'masked_name' with themselves as replacement."""
    while True:
        pos = _SEP_AFTER_ROLE.match(text, pos).end()
        length = name_length(text[pos : pos + 6], policy, after_role=True) or _listed_word_as_name(
            text, pos, policy
        )
        if length:
            name = text[pos : pos + length]
            yield Hit("name", pos, pos + length, mask_person_name(name, style))
        else:
            masked = _MASKED_NAME.match(text, pos)
            if not masked:
                return
            length = masked.end() - pos
            yield Hit("masked_name", pos, pos + length, masked.group())
        pos += length
        if pos >= len(text) or text[pos] not in "、和及与":
            return
        pos += 1


def _listed_word_as_name(text: str, pos: int, policy: MaskPolicy) -> int:
    """2 for a person named like a county or a listed word, standing alone after a role word:
    a county before anything but a Chinese character (当事人康乐（…）), a listed word before a
    person's particulars (叉车司机安然（手机…）, 驾驶员安然，男); else 0."""
    word = text[pos : pos + 2]
    if len(word) < 2 or word[0] not in SURNAME_CHARS:
        return 0
    after = text[pos + 2 : pos + 3]
    if word in PLACE_WORDS and not _HAN.match(after):
        return 2
    if (word in policy.not_names or word in NOT_PERSON_WORDS) and PERSON_CUE.match(text, pos + 2):
        return 2
    return 0


def _role_end(text: str, start: int, end: int) -> int | None:
    """Where the role word at text[start:end] ends as a word: at end, past the longer word it
    runs on into (主任科员, 居民楼), or None when it straddles two words (水电|工程)."""
    if (
        start > 0
        and dictionary_word(text[start - 1 : start + 1])
        and dictionary_word(text[end - 1 : end + 1])
    ):
        return None
    for k in (2, 1):
        if end + k <= len(text) and dictionary_word(text[start : end + k], 1):
            return end + k
    return end


def _role_hits(text: str, policy: MaskPolicy) -> Iterator[tuple[str, Hit]]:
    if policy.role_styles:
        for m in _role_pattern(tuple(policy.role_styles)).finditer(text):
            end = _role_end(text, m.start(), m.end())
            if end is None:
                continue
            for hit in _names_after(text, end, policy.role_styles[m.group()], policy):
                yield m.group(), hit


def role_names(text: str | None, policy: MaskPolicy | None = None) -> list[tuple[str, str]]:
    """(role word, name as written) for each name after a role word, masked ones included:
    '矿长马某某' → ('矿长', '马某某'). Used to find the persons an accountability item names."""
    if not text:
        return []
    return [(role, text[h.start : h.end]) for role, h in _role_hits(text, policy or load_policy())]


# A table as text: cells separated by tabs (etl/readers/html.py), one row a line.
_TABLE_ROW = re.compile(r"(?m)^.*\t.*$")
_NAME_COLUMN = re.compile(r"姓名|名字")
_CELL_ITEM = re.compile(r"[^、，,；;/\s]+")


def _name_column(cells: list[str], policy: MaskPolicy, first_row: bool) -> tuple[int, str] | None:
    """(index, style) of the column a header row names as holding persons: 姓名, 死者姓名, or (in
    a table's first row) a role word as the whole header (负责人, 法定代表人)."""
    for i, cell in enumerate(cells):
        cell = cell.strip()
        if first_row and cell in policy.role_styles:
            return i, policy.role_styles[cell]
        if _NAME_COLUMN.search(cell) and len(cell) <= 8 and policy.recognized_style:
            return i, policy.recognized_style
    return None


def _table_hits(text: str, policy: MaskPolicy) -> Iterator[Hit]:
    """Names in the column of a table whose header row names persons (姓名\t性别 / 罗某某\t男):
    each cell below it, or each name listed in it, that is a name after a role word would be."""
    column, last_end = None, -2
    for row in _TABLE_ROW.finditer(text):
        first_row = row.start() != last_end + 1  # a line without a tab before: a new table
        if first_row:
            column = None
        last_end = row.end()
        cells = row.group().split("\t")
        header = _name_column(cells, policy, first_row)
        if header:
            column = header
            continue
        if column is None or column[0] >= len(cells):
            continue
        cell_start = row.start() + sum(len(c) + 1 for c in cells[: column[0]])
        cell = cells[column[0]]
        for m in _CELL_ITEM.finditer(cell):
            word = m.group()
            length = name_length(word + "，", policy, after_role=True)
            if length == len(word) or TRANSLITERATED.fullmatch(word):
                start = cell_start + m.start()
                yield Hit("name", start, start + len(word), mask_person_name(word, column[1]))


def _name_hits(text: str, policy: MaskPolicy) -> Iterator[Hit]:
    """Names after role words (their group's style), opening enumerated items (list_items'
    style), in a table's name column, and what the recognizer in etl/normalize/names.py finds
    (recognized's style). Where two find the same name, the first wins (_non_overlapping keeps
    the first of equal hits)."""
    for _, hit in _role_hits(text, policy):
        if hit.kind == "name":
            yield hit
    if "\t" in text:
        yield from _table_hits(text, policy)
    if policy.list_item_style:
        for m in _LIST_ITEM.finditer(text):
            name = m.group(1)
            if not is_masked_name(name) and is_list_item_name(name, policy):
                yield Hit("name", m.start(1), m.end(1), mask_person_name(name, policy.list_item_style))
    if policy.recognized_style:
        roles = (
            [m.span() for m in _role_pattern(tuple(policy.role_styles)).finditer(text)]
            if policy.role_styles
            else []
        )
        for start, end in person_name_spans(text, policy.not_names, lambda s: name_length(s, policy)):
            # a role word the recognizer took in (死者阿不都·热合曼) is not part of the name
            start = max([start] + [r_end for r_start, r_end in roles if start <= r_start and r_end < end])
            if end - start >= 2:
                yield Hit("name", start, end, mask_person_name(text[start:end], policy.recognized_style))


# Enumerated headings look like list items: "1.管理原因：", "（一）单位概况：".
_HEADING_END = (
    "情况",
    "原因",
    "措施",
    "概况",
    "经过",
    "认定",
    "建议",
    "分析",
    "单位",
    "问题",
    "要求",
    "责任",
    "处理",
    "教训",
    "工作",
    "事项",
    "方面",
    "部门",
    "人员",
    "损失",
)


def is_list_item_name(name: str, policy: MaskPolicy | None = None) -> bool:
    """True when the 2-4 characters opening an enumerated item are a whole person's name."""
    if name.endswith(_HEADING_END):
        return False
    return name_length(name + "，", policy) == len(name)


# --- applying hits ---------------------------------------------------------------------------
def _non_overlapping(hits: list[Hit]) -> list[Hit]:
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


def _apply(text: str, hits: list[Hit]) -> str:
    out, last = [], 0
    for hit in _non_overlapping(hits):
        out.append(text[last : hit.start])
        out.append(hit.replacement)
        last = hit.end
    out.append(text[last:])
    return "".join(out)


def _hits(text: str, policy: MaskPolicy, kinds: tuple[str, ...]) -> list[Hit]:
    half = to_halfwidth(text)
    hits: list[Hit] = []
    if "id_number" in kinds:
        hits += _id_hits(half, policy)
    if "phone" in kinds:
        hits += _phone_hits(half, policy)
    if "name" in kinds:
        hits += _name_hits(text, policy)
    if "id_fragment" in kinds:
        hits += _fragment_hits(text, policy)
    return hits


def mask_id_numbers(
    text: str | None, policy: MaskPolicy | None = None, force: bool = False, fragments: bool = True
) -> str | None:
    """Replace ID numbers and (unless fragments=False) fragments of them in text by the marker.
    With force=True, text is one value known to be an ID number (the internal id_number column):
    it is masked in the policy's column_style whatever its check character or shape says, and a
    form the source already masked is kept as printed (that column never reaches public.db)."""
    if not text:
        return text
    policy = policy or load_policy()
    half = to_halfwidth(text).strip()
    if force and re.fullmatch(r"\d{17}[\dXx]", half):
        return _mask_id(half, policy.id_column_style)
    kinds = ("id_number", "id_fragment") if fragments and not force else ("id_number",)
    return _apply(text, _hits(text, policy, kinds))


def mask_phones(text: str | None, policy: MaskPolicy | None = None) -> str | None:
    if not text:
        return text
    return _apply(text, _hits(text, policy or load_policy(), ("phone",)))


def mask_names(text: str | None, policy: MaskPolicy | None = None) -> str | None:
    if not text:
        return text
    return _apply(text, _hits(text, policy or load_policy(), ("name",)))


def mask_text(text: str | None, policy: MaskPolicy | None = None) -> str | None:
    """Apply the whole policy: ID numbers, then phones, then names, then ID fragments (earlier
    kinds win where matches start at the same place)."""
    if not text:
        return text
    policy = policy or load_policy()
    hits = _hits(text, policy, ("id_number", "phone", "name", "id_fragment"))
    out = _apply(text, hits)
    if out != text and _FRAGMENT_MARK.search(out):
        out = hide_id_fragments(out, policy)  # a masked phone's stars may join a token: once more
    for _ in range(3):
        # A masked name changes the words around it; a name the tagger reads only in the new
        # context is masked too, so that the output passes find_unmasked_pii.
        again = [h for h in _name_hits(out, policy) if h.kind == "name"]
        if not again:
            break
        out = _apply(out, again)
    return out


def find_unmasked_pii(
    text: str | None, include_names: bool = True, policy: MaskPolicy | None = None
) -> list[tuple[str, str]]:
    """(kind, matched text) for every ID number, fragment of one (id_fragment), phone number
    and person's name (name) still in text; the gate before anything is written or published.
    include_names=False leaves names out. Uses the same detectors as mask_text, so mask_text's
    output always passes."""
    if not text:
        return []
    kinds = (
        ("id_number", "phone", "name", "id_fragment")
        if include_names
        else ("id_number", "phone", "id_fragment")
    )
    hits = _non_overlapping(_hits(text, policy or load_policy(), kinds))
    return [(h.kind, text[h.start : h.end]) for h in hits]


# --- the same check on long documents (publish/gates/pii.py) ---------------------------------
# Every character the ID and phone patterns above can consume, before to_halfwidth (the whole
# full-width block is in, so nothing to_halfwidth maps to one of them is left out), and the
# characters of a list of numbers after one label (_NUMBER_LIST_BEFORE: 、和及或), so that a label
# is always within _LABEL_WIDTH of a window's core. Keep in step with the patterns:
# tests/test_mask.py reads the patterns and checks it.
_CONSUMABLE = r"\d\s+\-.\u2014()\uff08\uff09:XxTtEeLl电话手机座联系方式转、和及或\uff01-\uff5e"
# Any other character is a cut: no match contains it, so matches never cross it.
_CUT = re.compile(f"[^{_CONSUMABLE}]")
_TO_LAST_CUT = re.compile(f"(?s).*[^{_CONSUMABLE}]")
# Every match has 4 digits, at most one '-' or space (to_halfwidth: '－', U+3000…), 3 digits, or
# (a number written with dots) 3 digits, a dot, 3 digits: _SEED. An ID number in groups is taken
# only when it holds a seed (_grouped_id).
# Written out: \d\d\d\d scans a page faster than \d{4}.
_CANDIDATE = re.compile(r"\d\d\d\d[-\s\uff0d]?\d\d\d")
# What the windows grow from: a candidate, or 3 digits, a dot, 3 digits (138.1234.5678).
_SEED = re.compile(_CANDIDATE.pattern + r"|\d\d\d[.\uff0e]\d\d\d")


def _cut_before(text: str, pos: int) -> int:
    """Where the run of consumable characters holding text[pos] begins."""
    lo, step = pos, 64
    while lo > 0:
        lo, step = max(0, lo - step), step * 2
        if m := _TO_LAST_CUT.match(text, lo, pos):
            return m.end()
    return 0


def _windows(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, core, end) around every candidate: text[core:end] runs from just after a cut (or
    the beginning) to just past one (or the end), and start is _LABEL_WIDTH characters before
    core, so the labels before numbers in the core are seen. Cores are in order and disjoint."""
    m = _SEED.search(text)
    window = None
    while m:
        core = _cut_before(text, m.start())
        if window and core - _LABEL_WIDTH <= window[2]:
            window = window[:2]  # its label stretch reaches the previous window: extend that
        else:
            if window:
                yield window
            window = (max(0, core - _LABEL_WIDTH), core)
        cut = _CUT.search(text, m.end())
        end = cut.end() if cut else len(text)
        window = (*window, end)
        m = _SEED.search(text, end)
    if window:
        yield window


def scan_unmasked_pii(text: str | None, policy: MaskPolicy | None = None) -> list[tuple[str, str]]:
    """find_unmasked_pii(text) as (kind, matched text): see scan_unmasked_pii_spans."""
    return [(kind, text[start:end]) for kind, start, end in scan_unmasked_pii_spans(text, policy)]


def scan_unmasked_pii_spans(text: str | None, policy: MaskPolicy | None = None) -> list[tuple[str, int, int]]:
    """find_unmasked_pii(text): the same list, many times faster on a long document (a page, a
    CSV download). The detectors run only on windows around candidates, joined into one string.

    Why the list is the same: every match holds a candidate, so the text left out holds no
    match; a match never contains a cut character, so it lies within one window's core and
    cannot run from one joined window into the next (each ends with a cut); a window keeps what
    the patterns look at around a match: one character either side (lookarounds) and
    _LABEL_WIDTH before it (labels). Hits in a window's label stretch belong to no core: dropped.
    tests/test_mask.py compares the two functions. ID fragments and names are looked for in the
    whole text, as find_unmasked_pii looks for them.
    """
    if not text:
        return []
    policy = policy or load_policy()
    # Fragments and names are looked for in the whole text: the fragment detector starts from
    # mask characters and labels, and names from role words and runs of Chinese characters
    # holding a surname character (each run tagged once per process, etl/normalize/names.py).
    fragments = list(_fragment_hits(text, policy)) + [h for h in _name_hits(text, policy) if h.kind == "name"]
    if not _SEED.search(text):
        return [(h.kind, h.start, h.end) for h in _non_overlapping(fragments)]
    pieces, bases, placed = [], [], 0
    for start, core, end in _windows(text):
        pieces.append(text[start:end])
        bases.append((placed, placed + core - start, start))
        placed += end - start
    keys = [base for base, _, _ in bases]
    hits = []
    for hit in _hits("".join(pieces), policy, ("id_number", "phone")):
        base, core, start = bases[bisect_right(keys, hit.start) - 1]
        if hit.start >= core:
            shift = start - base
            hits.append(Hit(hit.kind, hit.start + shift, hit.end + shift, hit.replacement))
    return [(h.kind, h.start, h.end) for h in _non_overlapping(hits + fragments)]


# --- evaluation on a labelled set (python -m etl mask-eval) ----------------------------------
# Which detector kinds count for which labelled kind.
EVAL_KINDS = {"person": ("name",), "id_number": ("id_number", "id_fragment"), "phone": ("mobile", "landline")}


def detect_pii(text: str | None, policy: MaskPolicy | None = None) -> list[tuple[str, int, int]]:
    """(kind, start, end) of everything mask_text masks in text (find_unmasked_pii's hits)."""
    if not text:
        return []
    hits = _non_overlapping(
        _hits(text, policy or load_policy(), ("id_number", "phone", "name", "id_fragment"))
    )
    return [(h.kind, h.start, h.end) for h in hits]


def evaluate(records, policy: MaskPolicy | None = None) -> dict:
    """Precision and recall per labelled kind over records ({"id", "text", "spans": [{"kind",
    "start", "end"}]}; kind person, id_number, phone or negative). A labelled span is found when
    one hit of its kind covers it; a hit is right when it overlaps a span of its kind. A hit that
    overlaps a negative span (an enterprise, a place, a title, a code, a masked name …) is a
    false masking and listed as such."""
    policy = policy or load_policy()
    kind_of = {k: label for label, kinds in EVAL_KINDS.items() for k in kinds}
    stats = {label: {"gold": 0, "found": 0, "hits": 0, "right": 0} for label in EVAL_KINDS}
    misses, wrong, negatives_hit = [], [], []
    for rec in records:
        text, spans = rec["text"], rec.get("spans", [])
        hits = [(kind_of.get(kind, kind), a, b) for kind, a, b in detect_pii(text, policy)]
        for span in spans:
            label, a, b = span["kind"], span["start"], span["end"]
            if label == "negative":
                if any(h_a < b and a < h_b for _, h_a, h_b in hits):
                    negatives_hit.append((rec["id"], text[a:b], text))
                continue
            stats[label]["gold"] += 1
            if any(k == label and h_a <= a and b <= h_b for k, h_a, h_b in hits):
                stats[label]["found"] += 1
            else:
                misses.append((rec["id"], label, text[a:b], text))
        for k, h_a, h_b in hits:
            if k not in stats:
                continue
            stats[k]["hits"] += 1
            if any(s["kind"] == k and s["start"] < h_b and h_a < s["end"] for s in spans):
                stats[k]["right"] += 1
            else:
                wrong.append((rec["id"], k, text[h_a:h_b], text))
    for s in stats.values():
        s["recall"] = s["found"] / s["gold"] if s["gold"] else 1.0
        s["precision"] = s["right"] / s["hits"] if s["hits"] else 1.0
    return {"stats": stats, "misses": misses, "false_hits": wrong, "negatives_masked": negatives_hit}
