"""Each reader on small documents in the shapes real sites publish (the bundled samples are
read end to end in test_etl.py)."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from etl import db as database
from etl.http import Fetcher
from etl.normalize.mask import mask_text
from etl.readers import ParseError, read
from etl.readers.pdf import pdf_text
from etl.readers.text import decode
from etl.spec import SourceSpec

BASE = dict(title="测试", publisher="测试机构", licence="测试", kind="credit_ratings")


def spec(**kwargs) -> SourceSpec:
    return SourceSpec(**(BASE | {"id": "t"} | kwargs))


@pytest.fixture
def fetcher(tmp_path):
    conn = database.connect(tmp_path / "t.db")
    return Fetcher(conn, "t", "2026-01-01T00:00:00+00:00", archive_dir=tmp_path / "archive")


def write(path, text: str, encoding="utf-8"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


LIST = """<html><head><meta charset="{charset}"><title>事故调查</title></head><body>
<ul class="list">{items}</ul>
<div class="page">{next}</div></body></html>"""
DETAIL = """<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>{title}</title></head><body>
<table class="xxgk"><tr><td>索引号：</td><td>620100/2024-00012</td><td>发布机构：</td><td>兰州市应急管理局</td></tr>
<tr><td>发文字号：</td><td>兰安委〔2024〕3号</td><td>成文日期：</td><td>2024年03月05日</td></tr>
<tr><td>发布日期：</td><td>2024-03-08</td><td>浏览次数：</td><td>12</td></tr></table>
<h1 class="title">{title}</h1>
<div class="content"><p>（示例数据）</p><p>{body}</p><script>alert(1)</script></div>
<div class="attach">{attachments}</div></body></html>"""


def html_list_spec(tmp_path, **kwargs):
    return spec(
        kind="accidents",
        format="html_list",
        url=(tmp_path / "list" / "index.html").as_uri(),
        list={"item_links": "ul.list li a", "date": "span"},
        detail={
            "title": "h1.title",
            "body": "div.content",
            "meta": "table.xxgk",
            "attachments": "div.attach a",
        },
        fields={"title": "_title"},
        **kwargs,
    )


def test_html_list_pages_details_metadata_and_a_lying_charset(tmp_path, fetcher):
    root = tmp_path / "list"
    items = lambda n: "".join(  # noqa: E731
        f'<li><a href="d{i}.html">报告{i}</a><span>2024-03-0{i}</span></li>' for i in n
    )
    write(
        root / "index.html",
        LIST.format(charset="gbk", items=items([1, 2]), next='<a href="index_1.html">下一页</a>'),
        "gbk",
    )
    write(root / "index_1.html", LIST.format(charset="gbk", items=items([3]), next="下一页"), "gbk")
    for i in (1, 2):
        write(
            root / f"d{i}.html",
            DETAIL.format(
                charset="gbk", title=f"某示例公司“3·5”较大事故调查报告{i}", body="造成3人死亡", attachments=""
            ),
            "gbk",
        )
    # the page says utf-8, the bytes are GBK: the bytes win
    write(
        root / "d3.html",
        DETAIL.format(charset="utf-8", title="谎称编码的页面", body="瞒报事故", attachments=""),
        "gbk",
    )
    records = list(read(html_list_spec(tmp_path), fetcher))
    assert [r.fields["_title"] for r in records] == [
        "某示例公司“3·5”较大事故调查报告1",
        "某示例公司“3·5”较大事故调查报告2",
        "谎称编码的页面",
    ]
    first = records[0].fields
    assert first["索引号"] == "620100/2024-00012" and first["发布机构"] == "兰州市应急管理局"
    assert first["发文字号"] == "兰安委〔2024〕3号" and first["成文日期"] == "2024年03月05日"
    assert first["发布日期"] == "2024-03-08" and first["_list_date"] == "2024-03-01"
    assert "造成3人死亡" in first["_body"] and "alert" not in first["_body"]
    assert "瞒报事故" in records[2].fields["_body"]
    encodings = {
        r["url"].rsplit("/", 1)[-1]: r["encoding"]
        for r in fetcher.conn.execute("SELECT url, encoding FROM documents")
    }
    assert encodings["d3.html"] == "gb18030" and encodings["index.html"] == "gb18030"


def test_html_list_extracts_pdf_attachment_text(tmp_path, fetcher):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setFont("STSong-Light", 12)
    page.drawString(72, 760, "事故造成2人死亡，直接经济损失约456.7万元。")
    # STSong-Light has no U+00B7: Chinese PDFs (and samplegen/) write the 间隔号 as U+30FB.
    page.drawString(72, 740, "“1\u30fb13”较大坍塌事故")
    page.showPage()
    page.setFont("STSong-Light", 12)
    page.drawString(72, 760, "第二页")
    page.save()
    root = tmp_path / "list"
    (root).mkdir(parents=True)
    (root / "report.pdf").write_bytes(buffer.getvalue())
    write(
        root / "index.html", LIST.format(charset="utf-8", items='<li><a href="d.html">报告</a></li>', next="")
    )
    write(
        root / "d.html",
        DETAIL.format(
            charset="utf-8",
            title="报告",
            body="详见附件",
            attachments='<a href="report.pdf">调查报告.pdf</a>',
        ),
    )
    [record] = read(html_list_spec(tmp_path), fetcher)
    assert "2人死亡" in record.fields["_attachments_text"]
    assert record.extra["attachments"][0]["name"] == "调查报告.pdf"
    # Lines end in LF, the 间隔号 comes back as U+00B7; a short line ends its paragraph.
    assert pdf_text(buffer.getvalue()) == (
        "事故造成2人死亡，直接经济损失约456.7万元。\n“1·13”较大坍塌事故\n第二页"
    )
    with pytest.raises(ValueError):
        pdf_text(buffer.getvalue()[:200])


def _pdf_of_lines(pages: list[list[str]]) -> bytes:
    """A PDF with each given line drawn where a typesetter would put it: one line under another."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    for lines in pages:
        page.setFont("STSong-Light", 12)
        for i, line in enumerate(lines):
            page.drawString(72, 760 - 20 * i, line)
        page.showPage()
    page.save()
    return buffer.getvalue()


def test_pdf_lines_broken_where_the_line_was_full_run_on():
    # Set as a typesetter sets a report: full lines of 24 characters, a sentence, a name and an
    # ID number broken at the line end, a page number under the page, a sentence over the page.
    pdf = _pdf_of_lines(
        [
            [
                "某某公司“3·2”较大中毒和窒息事故调查报告",
                "一、事故基本情况",
                "2023年3月2日9时许，某某公司两名作业人员进入污水井清",
                "理淤泥时中毒，施救过程中又有一人倒下。现场负责人王",
                "大明（身份证号62010219800101123X）未组织通风检测，",
                "作业审批流于形式。事故造成3人死亡，直接经济损失约",
                "- 1 -",
            ],
            [
                "460万元。",
                "（一）事故发生单位概况",
                # a code does not fit at the line end and moves whole: the line is left short
                "某某公司成立于2008年3月21日，统一社会信用代码为",
                "91621123MAM2A5HC32，注册地址位于某某县工业园区。",
            ],
        ]
    )
    assert pdf_text(pdf).split("\n") == [
        "某某公司“3·2”较大中毒和窒息事故调查报告",
        "一、事故基本情况",
        "2023年3月2日9时许，某某公司两名作业人员进入污水井清理淤泥时中毒，施救过程中又有一人倒下。"
        "现场负责人王大明（身份证号62010219800101123X）未组织通风检测，作业审批流于形式。"
        "事故造成3人死亡，直接经济损失约460万元。",
        "（一）事故发生单位概况",
        "某某公司成立于2008年3月21日，统一社会信用代码为91621123MAM2A5HC32，注册地址位于某某县工业园区。",
    ]
    masked = mask_text(pdf_text(pdf))
    assert "大明" not in masked and "62010219" not in masked and "800101" not in masked


def test_pdf_lines_of_a_form_are_kept_as_they_are():
    # No running text (every line short): lines are not joined, pages keep their blank line.
    pdf = _pdf_of_lines([["检查对象", "某某公司", "检查结果"], ["发现问题", "3项"]])
    assert pdf_text(pdf) == "检查对象\n某某公司\n检查结果\n\n发现问题\n3项"


def test_html_list_without_items_is_a_parse_error(tmp_path, fetcher):
    write(tmp_path / "list" / "index.html", LIST.format(charset="utf-8", items="", next=""))
    with pytest.raises(ParseError):
        list(read(html_list_spec(tmp_path), fetcher))


def test_html_table_rows_header_and_broken_row(tmp_path, fetcher):
    page = write(
        tmp_path / "t.html",
        """<html><head><title>2024年第1批严重失信主体名单</title></head><body>
    <table class="announce"><tr><th>序号</th><th>单位 名称</th><th>统一社会信用代码</th><th>备注</th></tr>
    <tr><td>1</td><td>甘肃示例矿业有限公司</td><td>91620100MA0000000X</td><td></td></tr>
    <tr><td>2</td><td>兰州示例化工有限公司</td></tr></table></body></html>""",
    )
    rows = list(
        read(
            spec(
                format="html_table",
                url=page.as_uri(),
                table="table.announce",
                fields={"enterprise_name": "单位名称"},
            ),
            fetcher,
        )
    )
    assert rows[0].fields["单位名称"] == "甘肃示例矿业有限公司"
    assert rows[0].fields["_page_title"] == "2024年第1批严重失信主体名单"
    assert "error" not in rows[0].extra and "单元格" in rows[1].extra["error"]


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_in_gbk_and_utf8_bom_read_as_strings(tmp_path, fetcher, encoding):
    path = write(
        tmp_path / "r.csv",
        "企业名称,统一社会信用代码,评定年度\n甘肃示例矿业有限公司,0916201,2024\n",
        encoding,
    )
    [row] = read(spec(format="csv", url=path.as_uri(), fields={"enterprise_name": "企业名称"}), fetcher)
    assert row.fields["统一社会信用代码"] == "0916201"  # leading zero kept: strings, not numbers
    assert row.fields["企业名称"] == "甘肃示例矿业有限公司" and row.row_ref == "row 2"


def test_xlsx_with_a_title_row_above_the_header(tmp_path, fetcher):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2024年度安全生产信用等级评定结果（示例数据）"])
    sheet.append(["单位名称", "信用代码", "等级"])
    sheet.append(["甘肃示例建材有限公司", "00123", "A"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    [row] = read(
        spec(format="xlsx", url=path.as_uri(), header_row=1, fields={"enterprise_name": "单位名称"}), fetcher
    )
    assert row.fields == {
        "单位名称": "甘肃示例建材有限公司",
        "信用代码": "00123",
        "等级": "A",
        "_url": path.as_uri(),
    }


def test_json_api_pages_until_total(tmp_path, fetcher):
    for page, names in ((1, ["甲", "乙"]), (2, ["丙"])):
        payload = {
            "code": 0,
            "data": {"total": 3, "records": [{"qymc": f"示例{n}公司", "fkje": 1000} for n in names]},
        }
        write(tmp_path / f"page-{page}.json", json.dumps(payload, ensure_ascii=False))
    url = (tmp_path / "page-{page}.json").as_uri().replace("%7B", "{").replace("%7D", "}")
    rows = list(
        read(
            spec(
                format="json_api",
                url=url,
                records_path="data.records",
                total_path="data.total",
                pagination={"size": 2},
                fields={"enterprise_name": "qymc"},
            ),
            fetcher,
        )
    )
    assert [r.fields["qymc"] for r in rows] == ["示例甲公司", "示例乙公司", "示例丙公司"]
    assert rows[0].fields["fkje"] == "1000"


def test_decode_prefers_bytes_over_declarations():
    text = "事故调查报告（示例数据）"
    assert decode(text.encode("gbk"), "utf-8") == (text, "gb18030")
    assert decode(text.encode("utf-8"), "gbk") == (text, "utf-8")
    assert decode(b"\xef\xbb\xbf" + text.encode("utf-8")) == (text, "utf-8-sig")
    assert decode(text.encode("gb2312"), "gb2312")[0] == text
