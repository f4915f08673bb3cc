"""HTML sources: three accident-report sites with different CMS layouts.

Layouts imitate the CMSs Gansu government sites run (a TRS-style provincial site with a
4-column 信息公开 table; a Hanweb-style Lanzhou site in GBK; a VSB-style Tianshui site),
so the ETL's selectors, not its code, have to change between them.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from pathlib import Path

from . import codes, files
from .reports import SAMPLE_NOTE, accident_report, pdf_only_body
from .world import Accident, World, rng_for

BANNER = f'<div class="sample-banner">{SAMPLE_NOTE}本站内容为安全生产信息公开平台的示例数据，单位、人员、编号均为虚构。</div>'


def blocks_html(blocks: list[tuple[str, str]]) -> str:
    out = []
    for kind, text in blocks:
        if kind == "h":
            out.append(f'<p style="text-indent:2em"><strong>{escape(text)}</strong></p>')
        else:
            out.append(f'<p style="text-indent:2em">{escape(text)}</p>')
    return "\n".join(out)


def pages_of(items: list, size: int) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)] or [[]]


def _to_traditional(text: str) -> str:
    import opencc

    return opencc.OpenCC("s2t").convert(text)


# --- the provincial site (TRS style) -------------------------------------------------


def gs_page(title: str, crumb: str, main: str, site: str = "甘肃省应急管理厅") -> str:
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{escape(title)}_{site}</title>
</head>
<body>
{BANNER}
<div class="top"><div class="logo">{site}</div>
<ul class="nav"><li><a href="#">首页</a></li><li><a href="#">机构概况</a></li><li><a href="#">政务公开</a></li><li><a href="#">安全生产</a></li><li><a href="#">互动交流</a></li></ul></div>
<div class="position">当前位置：<a href="#">首页</a> &gt; <a href="#">政府信息公开</a> &gt; {escape(crumb)}</div>
{main}
<div class="footer">主办：{site}（示例）　地址：兰州市（示例）</div>
</body>
</html>
"""


def gs_list(items: list[tuple[str, str, dt.date]], page: int, pages: int, total: int, crumb: str) -> str:
    """items: (href, title, date). Page 0 is index.html, then index_1.html, …"""
    rows = "\n".join(
        f'<li><a href="{href}" target="_blank" title="{escape(t)}">{escape(t)}</a>'
        f'<span class="date">{d.isoformat()}</span></li>'
        for href, t, d in items
    )
    nav = [f"共{total}条　第{page + 1}/{pages}页", '<a href="index.html">首页</a>']
    if page > 0:
        nav.append(f'<a href="{"index.html" if page == 1 else f"index_{page - 1}.html"}">上一页</a>')
    nav.append(f'<a href="index_{page + 1}.html">下一页</a>' if page + 1 < pages else "<span>下一页</span>")
    nav.append(f'<a href="{"index.html" if pages == 1 else f"index_{pages - 1}.html"}">尾页</a>')
    main = f"""<div class="list-main">
<h2 class="list-title">{escape(crumb)}</h2>
<ul class="list">
{rows}
</ul>
<div class="pages">{"　".join(nav)}</div>
</div>"""
    return gs_page(crumb, crumb, main)


def gs_detail(
    title: str,
    crumb: str,
    meta: list[tuple[str, str]],
    body: str,
    attachments: list[tuple[str, str]],
    source: str = "甘肃省应急管理厅",
) -> str:
    cells = [f"<th>{escape(label)}：</th><td>{escape(value)}</td>" for label, value in meta]
    rows = "\n".join("<tr>" + "".join(cells[i : i + 2]) + "</tr>" for i in range(0, len(cells), 2))
    attach = ""
    if attachments:
        links = "<br>\n".join(f'<a href="{href}">{escape(text)}</a>' for href, text in attachments)
        attach = f'<div class="attach">附件：<br>\n{links}\n</div>'
    main = f"""<table class="xxgk">
{rows}
</table>
<div class="article">
<h1>{escape(title)}</h1>
<div class="info"><span>来源：{escape(source)}</span>　<span>字号：大 中 小</span></div>
<div class="content" id="zoom">
{body}
</div>
{attach}
</div>"""
    return gs_page(title, crumb, main)


def gs_path(day: dt.date, doc_id: int) -> str:
    return f"{day:%Y%m}/t{day:%Y%m%d}_{doc_id}.html"


# --- accident sources ------------------------------------------------------------------


class AccidentSite:
    """Writes one accident source: list pages, detail pages and PDF attachments."""

    def __init__(self, world: World, out: Path, source_id: str):
        self.world, self.source_id = world, source_id
        self.root = out / source_id
        self.accidents = sorted(
            (a for a in world.accidents if a.source_id == source_id),
            key=lambda a: (a.published_on, a.key),
            reverse=True,
        )
        self.size = world.profile.list_page_size[source_id]
        self.paths: dict[str, str] = {}
        self.serial: dict[int, int] = {}

    def index_no(self, acc: Accident, rng) -> str:
        year = acc.published_on.year
        n = self.serial[year] = self.serial.get(year, 0) + rng.randint(1, 30)
        if self.source_id == "gs-yjt-accidents":
            return rng.choice((f"620000-GSD0122-15-001/{year}-{n:05d}", f"620000/{year}-{n:05d}"))
        if self.source_id == "lz-yjj-accidents":
            return f"620100-GSD0101-15-002/{year}-{n:05d}"
        return f"16{acc.published_on:%y%m%d}{rng.randint(10 ** 7, 10 ** 8 - 1)}"

    def meta(self, acc: Accident) -> list[tuple[str, str]]:
        """The 政府信息公开 block; every item optional, labels vary by site."""
        rng = rng_for(self.world.seed, "meta", acc.key)
        meta: list[tuple[str, str]] = []
        pub = acc.published_on
        stamp = (
            f"{pub.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}"
        )
        if self.source_id == "gs-yjt-accidents":
            if rng.random() < 0.85:
                meta.append(("索引号", self.index_no(acc, rng)))
            if rng.random() < 0.9:
                meta.append(
                    ("发布机构", "甘肃省应急管理厅" if rng.random() < 0.8 else "甘肃省安全生产委员会办公室")
                )
            if acc.show_doc_no:
                meta.append((rng.choice(("发文字号", "文号")), acc.doc_no_shown))
            if rng.random() < 0.7:
                meta.append(("成文日期", codes.date_text(acc.written_on, rng.choice(("iso", "cn0")))))
            draw = rng.random()
            if draw < 0.7:
                meta.append(("发布日期", pub.isoformat()))
            elif draw < 0.95:
                meta.append(("生成日期", stamp))
            if acc.approval_in_meta:
                meta.append(("批复日期", codes.date_text(acc.approved_on, rng.choice(("iso", "cn")))))
            if rng.random() < 0.4:
                meta.append(("主题分类", "安全生产"))
            if rng.random() < 0.3:
                meta.append(("公开形式", "主动公开"))
        elif self.source_id == "lz-yjj-accidents":
            meta.append(("索引号", self.index_no(acc, rng)))
            meta.append(("发布机构", "兰州市应急管理局"))
            if acc.show_doc_no:
                meta.append(("发文字号", acc.doc_no_shown))
            meta.append(("生成日期", stamp))
            if rng.random() < 0.6:
                meta.append(("成文日期", acc.written_on.isoformat()))
            if rng.random() < 0.5:
                meta.append(("公开形式", "主动公开"))
        else:
            if rng.random() < 0.8:
                meta.append(("索引号", self.index_no(acc, rng)))
            meta.append(("信息来源", "天水市应急管理局"))
            meta.append(("文号", acc.doc_no_shown if acc.show_doc_no else ""))
            meta.append(("发布时间", stamp[:16]))
        acc.meta_items = meta
        return meta

    def body_and_pdf(self, acc: Accident) -> tuple[str, list[tuple[str, bytes]]]:
        seed = self.world.seed
        if not acc.pdf_only:
            blocks = accident_report(acc, seed)
            if "traditional" in acc.planted:
                # A repost copied from a traditional-script site; our 示例数据 note stays as is.
                blocks = [(k, t if t == SAMPLE_NOTE else _to_traditional(t)) for k, t in blocks]
            return blocks_html(blocks), []
        pdf = files.pdf_bytes(acc.title, accident_report(acc, seed), acc.approver)
        return blocks_html(pdf_only_body(acc, seed)), [(f"{acc.title}.pdf", pdf)]

    def write(self) -> None:
        writer = {
            "gs-yjt-accidents": self._write_gs,
            "lz-yjj-accidents": self._write_lz,
            "ts-yjj-accidents": self._write_ts,
        }[self.source_id]
        writer()

    def _title(self, acc: Accident) -> str:
        return _to_traditional(acc.title) if "traditional" in acc.planted else acc.title

    # TRS style, UTF-8: index.html, index_1.html …; details under YYYYMM/.
    def _write_gs(self) -> None:
        pages = pages_of(self.accidents, self.size)
        for acc in self.accidents:
            doc_id = 4_000_000 + int(acc.key[2:]) * 173
            path = gs_path(acc.published_on, doc_id)
            body, pdfs = self.body_and_pdf(acc)
            attachments = []
            for i, (name, data) in enumerate(pdfs):
                pdf_name = f"P0{acc.published_on:%Y%m%d}{doc_id}{i}.pdf"
                files.write_bytes(self.root / path.split("/")[0] / pdf_name, data)
                attachments.append((pdf_name, name))
            html = gs_detail(acc.title, "事故调查报告", self.meta(acc), body, attachments)
            files.write_text(self.root / path, html)
            self.paths[acc.key] = acc.path = path
        for n, items in enumerate(pages):
            html = gs_list(
                [(self.paths[a.key], a.title, a.published_on) for a in items],
                n,
                len(pages),
                len(self.accidents),
                "事故调查报告",
            )
            files.write_text(self.root / ("index.html" if n == 0 else f"index_{n}.html"), html)

    # Hanweb style, GBK; the second list page and one detail page are GB2312, one detail lies.
    def _write_lz(self) -> None:
        pages = pages_of(self.accidents, self.size)
        for n, items in enumerate(pages):
            for i, acc in enumerate(items):
                doc_id = 1_234_000 + int(acc.key[2:]) * 97
                path = f"art/{acc.published_on.year}/{acc.published_on.month}/{acc.published_on.day}/art_6013_{doc_id}.html"
                encoding, declared = "gbk", "gbk"
                if n == 1 and i == 0:
                    encoding = declared = "gb2312"
                    self.world.plant(
                        "gb2312_page", self.source_id, path, "detail page in GB2312 (meta charset=gb2312)"
                    )
                elif n == 0 and i == 1:
                    declared = "utf-8"
                    self.world.plant(
                        "charset_lies", self.source_id, path, "meta charset says utf-8 but the bytes are GBK"
                    )
                acc.page_charset, acc.meta_charset = encoding, declared
                body, pdfs = self.body_and_pdf(acc)
                attachments = []
                for k, (name, data) in enumerate(pdfs):
                    pdf_path = path.rsplit("/", 1)[0] + f"/P0{doc_id}{k}.pdf"
                    files.write_bytes(self.root / pdf_path, data)
                    attachments.append((pdf_path.rsplit("/", 1)[1], name))
                files.write_text(
                    self.root / path, self._lz_detail(acc, body, attachments, declared), encoding
                )
                self.paths[acc.key] = acc.path = path
            encoding = "gb2312" if n == 1 else "gbk"
            if n == 1:
                self.world.plant("gb2312_page", self.source_id, "index_1.html", "list page in GB2312")
            files.write_text(
                self.root / ("index.html" if n == 0 else f"index_{n}.html"),
                self._lz_list(items, n, len(pages), encoding),
                encoding,
            )

    def _lz_head(self, title: str, charset: str, http_equiv: bool) -> str:
        meta = (
            f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
            if http_equiv
            else f'<meta charset="{charset}">'
        )
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
{meta}
<title>{escape(title)}</title>
</head>
<body>
{BANNER}
<div class="head">兰州市应急管理局</div>
<div class="menu"><ul><li><a href="#">首页</a></li><li><a href="#">政务公开</a></li><li><a href="#">应急管理</a></li><li><a href="#">安全生产</a></li></ul></div>
"""

    def _lz_list(self, items: list[Accident], page: int, pages: int, charset: str) -> str:
        rows = "\n".join(
            f'<li><b>&middot;</b><a href="{self.paths[a.key]}" target="_blank" title="{escape(a.title)}">'
            f"{escape(a.title)}</a><span>[{a.published_on.isoformat()}]</span></li>"
            for a in items
        )
        nav = []
        if page > 0:
            nav.append(f'<a href="{"index.html" if page == 1 else f"index_{page - 1}.html"}">上一页</a>')
        if page + 1 < pages:
            nav.append(f'<a href="index_{page + 1}.html">下一页</a>')
        return (
            self._lz_head("事故调查 - 兰州市应急管理局", charset, http_equiv=page == 0)
            + f"""<div class="zfxxgk_zdgkc">
<div class="bt">事故调查</div>
<ul>
{rows}
</ul>
</div>
<div class="page">{" ".join(nav)}</div>
</body>
</html>
"""
        )

    def _lz_detail(self, acc: Accident, body: str, attachments, charset: str) -> str:
        meta = "".join(f"<li><span>{escape(k)}：</span>{escape(v)}</li>" for k, v in self.meta(acc))
        attach = ""
        if attachments:
            attach = (
                '<p class="fj">附件：'
                + "".join(f'<a href="{h}">{escape(t)}</a>' for h, t in attachments)
                + "</p>"
            )
        return (
            self._lz_head(f"{acc.title} - 兰州市应急管理局", charset, http_equiv=False)
            + f"""<div class="xxgk_table"><ul>{meta}</ul></div>
<div class="art-title"><h2>{escape(acc.title)}</h2></div>
<div class="art-info">发布时间：{acc.published_on.isoformat()}　来源：兰州市应急管理局</div>
<div class="art-con" id="zoom">
{body}
</div>
{attach}
</body>
</html>
"""
        )

    # VSB style, UTF-8: sgdc.htm, sgdc/1.htm, sgdc/2.htm …; details under info/1021/.
    def _write_ts(self) -> None:
        pages = pages_of(self.accidents, self.size)
        for acc in self.accidents:
            doc_id = 3_000 + int(acc.key[2:]) * 41
            path = f"info/1021/{doc_id}.htm"
            body, pdfs = self.body_and_pdf(acc)
            attachments = []
            for k, (name, data) in enumerate(pdfs):
                pdf_path = f"__local/9/{doc_id % 97:02X}/{doc_id:08X}{k}.pdf"
                files.write_bytes(self.root / pdf_path, data)
                attachments.append(("../../" + pdf_path, name))
            files.write_text(self.root / path, self._ts_detail(acc, body, attachments))
            self.paths[acc.key] = acc.path = path
            if "traditional" in acc.planted:
                self.world.plant(
                    "traditional_script",
                    self.source_id,
                    path,
                    "report reposted in traditional characters (OpenCC s2t); page template simplified",
                )
        for n, items in enumerate(pages):
            prefix = "" if n == 0 else "../"
            rows = "\n".join(
                f'<tr id="line_u7_{i}"><td class="titlestyle60231"><a href="{prefix}{self.paths[a.key]}" class="c60231" '
                f'title="{escape(self._title(a))}">{escape(self._title(a))}</a></td>'
                f'<td class="timestyle60231">{codes.date_text(a.published_on, "cn0")}</td></tr>'
                for i, a in enumerate(items)
            )
            nav = []
            if n > 0:
                nav.append(f'<a href="{"../sgdc.htm" if n == 1 else f"{n - 1}.htm"}">上页</a>')
            if n + 1 < len(pages):
                nav.append(f'<a href="{"sgdc/1.htm" if n == 0 else f"{n + 1}.htm"}" class="Next">下页</a>')
            html = self._ts_page(
                "事故调查",
                f"""<table class="winstyle60231" width="100%">
{rows}
</table>
<div class="pb_sys_common">共{len(self.accidents)}条　{n + 1}/{len(pages)}　{" ".join(nav)}</div>""",
            )
            files.write_text(self.root / ("sgdc.htm" if n == 0 else f"sgdc/{n}.htm"), html)

    def _ts_page(self, title: str, main: str) -> str:
        return f"""<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>{escape(title)}-天水市应急管理局</title>
</head>
<body>
{BANNER}
<div class="header"><img src="data:," alt="天水市应急管理局"></div>
<div class="nav"><a href="#">网站首页</a><a href="#">信息公开</a><a href="#">安全生产</a></div>
<div class="main">
{main}
</div>
</body>
</html>
"""

    def _ts_detail(self, acc: Accident, body: str, attachments) -> str:
        meta = "".join(f"<span>{escape(k)}：{escape(v)}</span>" for k, v in self.meta(acc))
        attach = ""
        if attachments:
            attach = (
                '<ul class="attach-list">'
                + "".join(f'<li>附件【<a href="{h}">{escape(t)}</a>】</li>' for h, t in attachments)
                + "</ul>"
            )
        title = self._title(acc)
        return self._ts_page(
            title,
            f"""<div class="xxgk-info">{meta}</div>
<form name="_newscontent_fromname">
<div class="arc-title">{escape(title)}</div>
<div class="arc-info">点击数：<span>128</span></div>
<div id="vsb_content"><div class="v_news_content">
{body}
</div></div>
{attach}
</form>""",
        )
