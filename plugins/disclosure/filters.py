"""Jinja filters for source values. Source text is shown as plain, escaped text: nothing a
source publishes is kept as markup (so a report containing <script>, onerror= or javascript:
renders inert); links to sources are kept only for http(s) URLs.

``mask_ids`` is defence in depth behind the public filter: an 18-character 居民身份证号码 with a
valid GB 11643 check digit found in free text, and any fragment of one a source printed masked
(620102********1234), is replaced whole by a marker: no part of the number is published
(《行政处罚结果信息网上公开暂行办法》第七条; 法释〔2016〕19号 第十条; 《个人信息保护法》第二十八条).
"""

from __future__ import annotations

import json
import re
from functools import partial
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from . import charts

_ID = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})((?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(\d{3}[0-9Xx])(?![0-9A-Za-z])"
)
_W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_valid(s: str) -> bool:
    return "10X98765432"[sum(int(c) * w for c, w in zip(s[:17], _W)) % 11] == s[17].upper()


ID_MARKER = "[身份证号码已隐去]"  # as etl/masking.yaml
# An 18-character run of digits, X and '*' with at least 4 '*': a number a source printed
# masked. The public filter has already replaced every fragment (etl/public.py rule 8); this is
# the same defence in depth as the check-character test above, without importing the ETL.
_FRAGMENT = re.compile(r"(?<![0-9A-Za-z*])[0-9Xx*]{14,20}(?![0-9A-Za-z*])")


def _hide_fragments(text: str) -> str:
    return _FRAGMENT.sub(
        lambda m: ID_MARKER
        if m.group().count("*") >= 4 and any(c.isdigit() for c in m.group())
        else m.group(),
        text,
    )


def mask_ids(text):
    if text is None:
        return ""
    text = str(text)

    def repl(m):
        whole = m.group(0)
        return ID_MARKER if _id_valid(whole) else whole

    text = _ID.sub(repl, text)
    return _hide_fragments(text) if "*" in text else text


def paras(text):
    """Plain text → escaped paragraphs (one per non-empty line)."""
    if not text:
        return Markup("")
    lines = [ln.strip() for ln in mask_ids(text).replace("\r", "").split("\n")]
    return Markup("".join(f"<p>{escape(ln)}</p>" for ln in lines if ln))


def plain(text):
    """Plain text on one line, personal IDs masked (escaped by autoescape)."""
    return mask_ids(text)


# An http(s) address or an e-mail address inside free text (a project's comment channel)
_LINK = re.compile(
    r"https?://[A-Za-z0-9._~:/?#\[\]@!$&'*+,;=%-]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
)
_TRAILING = ".,;:!?'"


def linkify(text):
    """Plain text (IDs masked, escaped) with its http(s) and e-mail addresses as links; nothing
    else the source wrote becomes markup."""
    if not text:
        return Markup("")
    text = mask_ids(text)
    out, last = [], 0
    for m in _LINK.finditer(text):
        found = m.group().rstrip(_TRAILING)
        start, end = m.start(), m.start() + len(found)
        href = found if found.startswith(("http://", "https://")) else "mailto:" + found
        if href.startswith("http") and not ext_url(href):
            continue
        out.append(escape(text[last:start]))
        out.append(Markup('<a href="%s">%s</a>') % (href, found))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def ext_url(url):
    """The URL if it is an http(s) link, else None (javascript:, data:, file: … are not links)."""
    if not url:
        return None
    url = str(url).strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return None


def yuan(value):
    """Money in 元 → readable Chinese (万元 from ten thousand up)."""
    if value in (None, ""):
        return ""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if abs(v) >= 10000:
        w = v / 10000
        return f"{w:,.2f}".rstrip("0").rstrip(".") + " 万元"
    return f"{v:,.0f} 元"


def num(value, digits=0):
    if value in (None, ""):
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if digits == 0:
        return f"{v:,.0f}"
    return f"{v:,.{digits}f}"


def day(value):
    """An ISO date or timestamp → YYYY-MM-DD."""
    return str(value)[:10] if value else ""


def opt(value):
    """The value, or — when the source left it empty (an em dash, never a blank cell)."""
    return "—" if value is None or value == "" else value


_RECT = Markup('<span class="status status-%s">%s</span>')
_DTS = Markup('<p class="dts"><a href="%s">在数据平台（Datasette）中查看这条记录</a></p>')


def rect(status, label):
    """A rectification status badge. Python, not a Jinja macro: a macro call costs ~10 µs and
    list pages make hundreds of them (docs/scaling.md)."""
    return _RECT % (status or "unknown", label or "状态不明")


def dts_link(row_url: str):
    """The "view this record in Datasette" line under a record."""
    return _DTS % row_url


def datasette_row(base: str, db: str, table: str, pk) -> str:
    """Datasette 0.65 row URL; primary keys are tilde-encoded as Datasette does."""
    return f"{base.rstrip('/')}/{db}/{table}/{tilde_encode(str(pk))}"


def tilde_encode(s: str) -> str:
    safe = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
    out = []
    for ch in s:
        if ch in safe:
            out.append(ch)
        elif ch == " ":
            out.append("+")
        else:
            out.append("".join(f"~{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def json_ld(data) -> Markup:
    """JSON for a <script type="application/ld+json"> block, safe against </script>."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_PLAIN_PATH = re.compile(r"[A-Za-z0-9._~/-]*").fullmatch


def plain_path(path: str) -> bool:
    return bool(_PLAIN_PATH(path or ""))


def urlpath(path: str) -> str:
    """Percent-encode a site path for an href (most are plain ASCII already: skip the work)."""
    if _PLAIN_PATH(path):
        return path
    return quote(path, safe="/:@-._~!$'()*+,;=")


def type_label(type_class, subtype=None):
    """An accident type as pages print it: 车辆伤害（道路运输）, or the GB 6441 class alone."""
    if not type_class:
        return ""
    return f"{type_class}（{subtype}）" if subtype else type_class


# A class with its subtype as older data writes it: 车辆伤害（道路运输）, 车辆伤害/道路运输.
_TYPE_PAIR = re.compile(r"^(?P<cls>[^（(/／]+)\s*(?:[（(](?P<sub1>[^）)]+)[）)]|[/／](?P<sub2>.+))$")


def word_order(words: tuple, value) -> tuple[int, str]:
    """Sort key: the vocabulary's order, values outside it last."""
    return (words.index(value), "") if value in words else (len(words), value or "")


def type_order(types: tuple, value) -> tuple[int, str]:
    """Sort key: the GB 6441-86 order, a class before its subtypes ("车辆伤害（道路运输）"),
    values outside the vocabulary last."""
    pair = _TYPE_PAIR.match(value or "")
    cls = value if value in types else pair.group("cls") if pair else None
    if cls not in types:
        return len(types), value or ""
    return types.index(cls), "" if cls == value else value


def type_sorted(values, types: tuple):
    """Accident types in the order of GB 6441-86 (物体打击 … 其他伤害), other values last."""
    return sorted(values, key=partial(type_order, types))


def sector_sorted(values, sectors: tuple):
    """Sectors in the vocabulary's order (煤矿 … 其他), other values last."""
    return sorted(values, key=partial(word_order, sectors))


def sector_rows(rows, sectors: tuple):
    """Distribution rows (label, reports, deaths) by sector: every sector of the vocabulary in its
    order, 0 where no report falls in it, then labels outside it, 未注明 last."""
    have = {row[0]: row for row in rows}
    listed = [have.get(sector, (sector, 0, 0)) for sector in sectors]
    other = sorted((r for r in rows if r[0] not in sectors and r[0] != "未注明"), key=lambda r: (-r[1], r[0]))
    return listed + other + [r for r in rows if r[0] == "未注明"]


def vocabulary_filters(types: tuple, sectors: tuple) -> dict:
    """The filters that list a vocabulary, bound to the data dictionary's (accidents.accident_type
    and accidents.industry ``values``) once it is read."""
    return {
        "type_sorted": partial(type_sorted, types=types),
        "sector_sorted": partial(sector_sorted, sectors=sectors),
        "sector_rows": partial(sector_rows, sectors=sectors),
    }


TABLES_ZH = {
    "enterprises": "企业信息",
    "accidents": "事故报告",
    "accountability": "责任追究",
    "rectification_assessments": "整改评估",
    "credit_ratings": "信用评级",
    "credit_records": "信用记录",
    "blacklist": "严重失信名单",
    "blacklist_removals": "移出公告",
    "bans": "行业禁入",
    "annual_statistics": "年度统计",
    "hazards": "重大事故隐患",
    "hazard_events": "隐患督办公告",
    "penalties": "行政处罚",
    "inspections": "双随机抽查",
    "agencies": "技术服务机构",
    "agency_actions": "机构处理",
    "agency_reports": "机构报告",
    "projects": "建设项目公示",
}


def table_zh(name):
    return TABLES_ZH.get(name, name)


def fields(value, labels=None):
    """A changes.fields value (JSON list of column names, an object keyed by them, or text) →
    a readable list, with the data dictionary's Chinese labels when given."""
    if not value:
        return ""
    try:
        items = json.loads(value)
    except (TypeError, ValueError):
        return str(value)
    if isinstance(items, dict):
        items = list(items)
    if isinstance(items, list):
        labels = labels or {}
        return "、".join(str(labels.get(i) or i) for i in items)
    return str(items)


FILTERS = {
    "table_zh": table_zh,
    "fields": fields,
    "mask_ids": mask_ids,
    "paras": paras,
    "plain": plain,
    "ext_url": ext_url,
    "linkify": linkify,
    "yuan": yuan,
    "num": num,
    "day": day,
    "json_ld": json_ld,
    "urlpath": urlpath,
    "opt": opt,
    "type_label": type_label,
    "distribution": charts.distribution,
}
