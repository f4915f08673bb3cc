"""HTML helpers shared by the html_list and html_table readers: decoding, text extraction,
the 政府信息公开 metadata block, links and attachments."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import lxml.html

from etl.readers.text import decode, meta_charset

# Labels of the 政府信息公开 metadata block as Gansu and national sites print them
# (under 《政府信息公开条例》). There is no single schema: every one is optional.
META_LABELS = (
    "索引号",
    "信息索引号",
    "发布机构",
    "发文机关",
    "发文单位",
    "所属机构",
    "信息来源",
    "发文字号",
    "文号",
    "成文日期",
    "发布日期",
    "生成日期",
    "公开日期",
    "主题分类",
    "信息分类",
    "公文种类",
    "公开形式",
    "公开方式",
    "责任部门",
    "有效性",
    "是否有效",
    "关键词",
    "主题词",
    "信息名称",
    "标题",
    "批复日期",
    "浏览次数",
    "访问量",
    "点击数",
    "字号",
)


def _label_pattern(labels) -> re.Pattern:
    return re.compile(
        r"(" + "|".join(sorted(map(re.escape, labels), key=len, reverse=True)) + r")\s*[:：]?\s*"
    )


_LABEL_RE = _label_pattern(META_LABELS)
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "dd",
    "dt",
    "pre",
    "blockquote",
    "ul",
    "ol",
}


def parse(document, declared: str | None = None, fetcher=None):
    """Decode a fetched HTML document (trusting bytes over a lying meta tag) and parse it."""
    text, encoding = decode(
        document.content, declared, document.header_charset, meta_charset(document.content), url=document.url
    )
    if fetcher is not None:
        fetcher.set_encoding(document, encoding)
    # lxml must not re-decode: hand it text without the XML/meta encoding declaration problem.
    tree = lxml.html.document_fromstring(text or "<html></html>")
    tree.make_links_absolute(document.url, resolve_base_href=True)
    return tree


def select(tree, selector: str | None):
    if not selector:
        return []
    return tree.cssselect(selector)


def text_of(element) -> str:
    """Visible text with line breaks at block boundaries and tabs between table cells;
    scripts and styles dropped."""
    if element is None:
        return ""
    for bad in element.xpath(".//script|.//style|.//noscript"):
        bad.drop_tree()
    parts: list[str] = []
    _walk(element, parts)
    lines = [re.sub(r"[ \u3000\xa0]+", " ", line).strip(" \t") for line in "".join(parts).split("\n")]
    return "\n".join(line for line in lines if line)


def _walk(element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    cell = tag in ("td", "th")
    if tag in _BLOCK_TAGS:
        parts.append("\n")
    if element.text:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if cell:
        parts.append("\t")
    elif tag in _BLOCK_TAGS:
        parts.append("\n")


def metadata(element, extra_labels=()) -> dict[str, str]:
    """Label/value pairs of a metadata block, whatever its markup (table cells, spans, a line
    of text): split the block's text at the known labels, plus any label the spec maps."""
    if element is None:
        return {}
    text = text_of(element)
    found: dict[str, str] = {}
    extra = [label for label in extra_labels if label and not label.startswith("_")]
    pattern = _label_pattern(set(META_LABELS) | set(extra)) if extra else _LABEL_RE
    matches = list(pattern.finditer(text))
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        value = re.split(r"[\t\n]", text[match.end() : end].strip(" \t\n|｜:："))[0].strip(" |｜")
        label = match.group(1)
        if label not in found or not found[label]:
            found[label] = value
    return found


def links(tree, selector: str) -> list[tuple[str, str, object]]:
    """(absolute href, link text, element) for every <a> matched by the selector."""
    result = []
    for element in select(tree, selector):
        anchors = [element] if element.tag == "a" else element.cssselect("a")
        for a in anchors:
            href = (a.get("href") or "").strip()
            if href and not href.lower().startswith(("javascript:", "mailto:", "#")):
                result.append((href, a.text_content().strip(), a))
    return result


def next_page(tree, base_url: str, label: str) -> str | None:
    """The URL of the pagination link whose text is `label` (e.g. 下一页), if any."""
    for a in tree.iter("a"):
        if a.text_content().strip() == label:
            href = (a.get("href") or "").strip()
            if href and not href.lower().startswith(("javascript:", "#")):
                return urljoin(base_url, href)
    return None
