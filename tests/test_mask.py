"""etl/normalize/mask.py, etl/masking.yaml and person names (etl/normalize/names.py).

Rules: 个人信息保护法 第二十八条. Every output is scanned for anything that still looks like an ID
number or a phone number."""

from __future__ import annotations

import re
from functools import lru_cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize.codes import classify_18, id_check_char, plausible_birth_date, uscc_check_char
from etl.normalize.mask import (
    ID_MARKER,
    find_unmasked_pii,
    hide_id_fragments,
    load_policy,
    mask_id_numbers,
    mask_names,
    mask_phones,
    mask_text,
    role_names,
    scan_unmasked_pii,
)
from etl.normalize.names import is_masked_name, mask_person_name
from etl.normalize.text import to_halfwidth

ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
PHONE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)|0\d{2,3}[-)）]\s*\d{7,8}(?!\d)")


def gansu_id(body17: str = "62010219900101123") -> str:
    return body17 + id_check_char(body17)


def assert_clean(text: str) -> None:
    """No 18-character ID-like string except USCCs, no phone number, and the gate agrees."""
    for m in ID_LIKE.finditer(text):
        assert classify_18(m.group()) == "uscc" or not plausible_birth_date(m.group()[6:14]), m.group()
    assert not PHONE_LIKE.search(text), PHONE_LIKE.search(text).group()
    assert find_unmasked_pii(text) == []


# --- names ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, convention, surname",
    [
        ("张三", "张某", "张某某"),
        ("张三丰", "张某丰", "张某某"),
        ("欧阳修", "欧阳某", "欧阳某某"),
        ("欧阳修文", "欧阳某文", "欧阳某某"),
        ("司马相如", "司马某如", "司马某某"),
        ("诸葛亮", "诸葛某", "诸葛某某"),
        ("张王三丰", "张某丰", "张某某"),
        ("张 三", "张某", "张某某"),
        ("阿不都·热合曼", "阿某·热某", "阿某·热某"),
        ("张某昌", "张某昌", "张某昌"),
        ("张某某", "张某某", "张某某"),
        ("张*", "张*", "张*"),
    ],
)
def test_mask_person_name(name, convention, surname):
    assert mask_person_name(name) == convention
    assert mask_person_name(name, "surname") == surname
    assert mask_person_name(name, "anonymous") in ("某某", name)


def test_mask_person_name_edges():
    assert mask_person_name(None) is None
    assert mask_person_name("") == ""


@pytest.mark.parametrize(
    "s, masked",
    [
        ("张某", True),
        ("张某某", True),
        ("张某昌", True),
        ("欧阳某文", True),
        ("张**", True),
        ("张三", False),
        ("某", False),
        ("", False),
        (None, False),
        ("示例某某有限公司某某部门", False),
    ],
)
def test_is_masked_name(s, masked):
    assert is_masked_name(s) is masked


# --- ID numbers ----------------------------------------------------------------------------
def test_id_numbers_in_text_are_hidden_whole():
    # no part of the number stays (行政处罚结果信息网上公开暂行办法 第七条, 法释〔2016〕19号 第十条)
    code = gansu_id()
    assert mask_id_numbers(f"身份证号：{code}，") == f"身份证号：{ID_MARKER}，"
    assert mask_id_numbers("34052419800101001X") == ID_MARKER
    assert mask_id_numbers("34052419800101001x") == ID_MARKER
    assert ID_MARKER == "[身份证号码已隐去]"


def test_the_id_number_column_keeps_its_masked_form():
    # the internal id_number column (forced: one value known to be a number) keeps region + last 4
    assert mask_id_numbers("34052419800101001X", force=True) == "340524********001X"
    assert mask_id_numbers("340524********001X", fragments=False) == "340524********001X"
    assert mask_id_numbers("340524********001X") == ID_MARKER


def test_id_with_wrong_check_digit_is_still_masked():
    assert mask_id_numbers("证件号340524198001010013") == f"证件号{ID_MARKER}"


def test_full_width_id_numbers_are_masked_in_place():
    full = "".join(chr(ord(c) + 0xFEE0) for c in gansu_id())
    masked = mask_id_numbers(f"身份证{full}。")
    assert masked == f"身份证{ID_MARKER}。"
    assert find_unmasked_pii(masked) == []


def test_gansu_column_style_policy(tmp_path):
    policy_file = tmp_path / "masking.yaml"
    policy_file.write_text("id_number:\n  style: hidden\n  column_style: gansu\n", encoding="utf-8")
    policy = load_policy(policy_file)
    assert mask_id_numbers("41272219800101771X", policy, force=True) == "412***********771X"
    assert mask_id_numbers("身份证41272219800101771X", policy) == f"身份证{ID_MARKER}"


@pytest.mark.parametrize("style", ["region4", "gansu"])
def test_a_text_style_that_keeps_digits_is_refused(tmp_path, style):
    policy_file = tmp_path / "masking.yaml"
    policy_file.write_text(f"id_number:\n  style: {style}\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_policy(policy_file)


def test_a_marker_with_digits_or_stars_is_refused(tmp_path):
    for marker in ("******************", "已隐去1234"):
        policy_file = tmp_path / "masking.yaml"
        policy_file.write_text(f'id_number:\n  marker: "{marker}"\n', encoding="utf-8")
        with pytest.raises(ValueError):
            load_policy(policy_file)


def test_bad_policy_is_loud(tmp_path):
    policy_file = tmp_path / "masking.yaml"
    policy_file.write_text("id_number:\n  style: none\n", encoding="utf-8")
    with pytest.raises(ValueError):
        load_policy(policy_file)


@pytest.mark.parametrize(
    "code",
    [
        "914403001922038216",
        "9144030071526726XG",
        "91110000802100433B",
        "91110000710925462X",
        "91350802581142663K",
        "91110000710926094P",  # GB 32100-2015 test vectors
    ],
)
def test_uscc_is_never_masked(code):
    text = f"统一社会信用代码：{code}；代码{code}，{code}"
    assert mask_text(text) == text
    assert find_unmasked_pii(text) == []


def test_both_directions_in_one_text():
    code = gansu_id()
    text = f"示例公司（统一社会信用代码914403001922038216）法定代表人张某昌（身份证号码{code}）"
    out = mask_text(text)
    assert "914403001922038216" in out
    assert code not in out and ID_MARKER in out and "620102" not in out
    assert_clean(out)


def test_label_decides_an_ambiguous_all_digit_code():
    body = "12620119800101123"  # 12 = 事业单位 or 天津; region 620119 or birth 19800101
    uscc = body + uscc_check_char(body)
    ident = body + id_check_char(body)
    assert mask_id_numbers(f"统一社会信用代码{uscc}").endswith(uscc)
    assert mask_id_numbers(f"身份证号{ident}") == f"身份证号{ID_MARKER}"


# --- fragments of ID numbers that sources print already masked --------------------------------
# No part of the number is published: region code, birth date and last four go with the rest.
FRAGMENTS = [
    "620102********1234",
    "412***********7714",
    "6201**********1234",
    "62010219******1234",
    "620102********123X",
    "620102**********",
    "620102********",
    "620102×××××××××1234",
    "６２０１０２＊＊＊＊＊＊＊＊１２３４",
    "620102********12345",
    "6201*********1234",
]


@pytest.mark.parametrize("fragment", FRAGMENTS)
@pytest.mark.parametrize(
    "before, after",
    [("", ""), ("身份证号：", "。"), ("（", "）"), ("<td>", "</td>"), ("法定代表人张某昌，", "，示例公司")],
)
def test_masked_fragments_are_hidden_whole(fragment, before, after):
    text = before + fragment + after
    out = mask_text(text)
    assert out == before + ID_MARKER + after
    assert find_unmasked_pii(text) == [("id_fragment", fragment)]
    assert find_unmasked_pii(out) == [] and scan_unmasked_pii(out) == []
    assert hide_id_fragments(text) == out
    assert mask_text(out) == out


@pytest.mark.parametrize(
    "text, expected",
    [
        ("身份证号：62010219******1234", f"身份证号：{ID_MARKER}"),
        ("身份证号码：6201**1234，", f"身份证号码：{ID_MARKER}，"),
        ("身份证：620102****", f"身份证：{ID_MARKER}"),
        ("证件号码 620102900101123", f"证件号码 {ID_MARKER}"),  # a 15-digit number
        ("公民身份号码为62010219900101", f"公民身份号码为{ID_MARKER}"),  # cut short, still digits of it
        ("身份证件号码：****1234。", f"身份证件号码：{ID_MARKER}。"),
        ("身份证号后：1234", "身份证号后：1234"),  # not right after the label
    ],
)
def test_labelled_fragments_are_hidden(text, expected):
    assert mask_text(text) == expected
    assert find_unmasked_pii(expected) == []


@pytest.mark.parametrize(
    "text",
    [
        "统一社会信用代码：91623****",
        "信用代码 91620102MA7****01X",
        "统一社会信用代码：916201021****4567X",
        "信用代码：9162010200****123X",
        "手机138****5678",
        "联系电话：138****5678",
        "电话0931-****596",
        "1381234****",
        "**2024**年",
        "1000*60*60*24",
        "第3*4条",
        "[身份证号码已隐去]",
        "身份证号码：[身份证号码已隐去]",
        "某X某",
        "****",
        "共计****元",
    ],
)
def test_not_id_fragments_stay(text):
    assert mask_text(text) == text
    assert find_unmasked_pii(text) == []


def test_uscc_and_id_fragment_in_one_text():
    text = "示例公司（统一社会信用代码：91623****）主要负责人张某昌（身份证号：6201**********1234）"
    assert (
        mask_text(text) == f"示例公司（统一社会信用代码：91623****）主要负责人张某昌（身份证号：{ID_MARKER}）"
    )


_MASKED_ID = st.tuples(
    st.from_regex(
        r"62[0-9]{4}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True
    ).map(lambda b: b + id_check_char(b)),
    st.integers(0, 6),
    st.integers(8, 14),
    st.sampled_from("*＊×"),
).map(lambda t: t[0][: t[1]] + t[3] * min(t[2], 18 - t[1]) + t[0][t[1] + t[2] :])


@settings(max_examples=300, deadline=1000)
@given(
    st.text(alphabet="甲乙，。：（） 身份证号码件", max_size=10),
    _MASKED_ID,
    st.text(alphabet="甲乙，。：（） ", max_size=10),
)
def test_generated_masked_fragments_leave_no_digit(a, fragment, b):
    out = mask_text(a + fragment + b)
    assert out == a + ID_MARKER + b
    assert not re.search(r"\d", to_halfwidth(out))


# --- phones --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, masked",
    [
        ("联系电话13812345678。", "联系电话138****5678。"),
        ("手机：138 1234 5678", "手机：138****5678"),
        ("手机+86-13812345678", "手机138****5678"),
        ("电话0931-8465596", "电话0931-****596"),
        ("电话(0931)8465596", "电话0931-****596"),
        ("电话（0931）84655961", "电话0931-*****961"),
        ("电话010-12345678", "电话010-*****678"),
        ("电话09318465596", "电话0931-****596"),
        ("联系电话：8465596", "联系电话：****596"),
    ],
)
def test_phones_are_masked(raw, masked):
    assert mask_phones(raw) == masked
    assert_clean(mask_phones(raw))


@pytest.mark.parametrize(
    "text",
    [
        "统一社会信用代码91350802581142663K",
        "2018年4月19日",
        "2018-04-19",
        "20180419",
        "直接经济损失123,456元",
        "罚款13812345万元",
        "甘安委办发〔2018〕12号",
        "索引号：620722087/2020-00915",
        "索引号：1669705777577376",
        "安全生产举报投诉电话12350",
        "举报电话：0931-8465596",
        "值班电话0931-8465596",
        "文号13812345678",
        "G30连霍高速公路K1856公里处",
        "车牌号甘D·12345",
    ],
)
def test_not_personal_numbers_stay(text):
    assert mask_text(text) == text


# --- names after role words ----------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, masked",
    [
        ("死者张三丰，男，45岁", "死者张某某，男，45岁"),
        ("遇难者王五系该公司员工", "遇难者王某某系该公司员工"),
        ("工人王五、赵六和孙七在作业", "工人王某某、赵某某和孙某某在作业"),
        ("驾驶员李四驾驶车辆", "驾驶员李某某驾驶车辆"),
        ("法定代表人张三昌对事故负有责任", "法定代表人张某昌对事故负有责任"),
        ("法定代表人：张三昌", "法定代表人：张某昌"),
        ("矿长欧阳修文未履行职责", "矿长欧阳某文未履行职责"),
        ("总经理为李四", "总经理为李某"),
        ("1.马小明，示例公司总经理，建议移送司法机关", "1.马某明，示例公司总经理，建议移送司法机关"),
        ("（二）刘建国，示例公司安全员", "（二）刘某国，示例公司安全员"),
    ],
)
def test_names_after_role_words(raw, masked):
    assert mask_names(raw) == masked


@pytest.mark.parametrize(
    "text",
    [
        "驾驶员安全意识淡薄",
        "工人工资按月发放",
        "职工宿舍",
        "负责人员未到岗",
        "死者张某某，男",
        "矿长马某某未履行职责",
        "法定代表人张某昌",
        "施工人员进入现场",
        "员工培训不到位",
        "动员工作",
        "示例有限公司",
        "经理办公室",
        "1.管理原因：",
        "（一）单位概况：",
        "2.付款情况：",
        "（三）施工单位：",
        "1.高处坠落：",
        "3.安全管理：",
    ],
)
def test_no_false_names(text):
    assert mask_names(text) == text


def test_role_names_reports_masked_and_unmasked():
    assert role_names("矿长马某某未履行，法定代表人张三对事故负责") == [
        ("矿长", "马某某"),
        ("法定代表人", "张三"),
    ]


# --- the gate ------------------------------------------------------------------------------
def test_find_unmasked_pii_kinds():
    code = gansu_id()
    found = find_unmasked_pii(
        f"身份证{code}，手机13812345678，电话0931-8465596，死者张三", include_names=True
    )
    assert [k for k, _ in found] == ["id_number", "mobile", "landline", "name"]
    assert found[0][1] == code


def test_gate_flags_id_numbers_with_implausible_check_but_plausible_birth_date():
    assert find_unmasked_pii("合格证号620102199001011230") != []
    # a garbled region code is still a person's number: any 17 digits + digit/X with a birth date
    assert find_unmasked_pii("编号990102199001011234") == [("id_number", "990102199001011234")]
    assert mask_id_numbers("编号990102199001011234") == f"编号{ID_MARKER}"
    assert find_unmasked_pii("编号123456789012345678") == []  # no birth date at 7-14


REPORT = """经查，死者张三丰（身份证号{id1}，联系电话13912345678）系示例公司工人。
法定代表人李四昌（身份证号{id2}，手机：135 0000 1111，办公电话：(0931)8465596）。
统一社会信用代码：914403001922038216。安全生产知识考核合格证编号：{id3}。
2018年4月19日15时30分许发生事故，直接经济损失123,456元，文号甘安委发〔2018〕12号，举报电话12350。"""


def test_report_text_comes_out_clean():
    text = REPORT.format(id1=gansu_id(), id2=gansu_id("62042119750505002"), id3=gansu_id("62080219850707003"))
    out = mask_text(text)
    assert_clean(out)
    for kept in ("914403001922038216", "2018年4月19日15时30分许", "123,456元", "〔2018〕12号", "12350"):
        assert kept in out
    assert "张某某" in out and "李某昌" in out
    assert mask_text(out) == out  # idempotent


_ID = st.from_regex(
    r"62[0-9]{4}(19[5-9][0-9]|200[0-9])(0[1-9]|1[0-2])(0[1-9]|1[0-9]|2[0-8])[0-9]{3}", fullmatch=True
).map(lambda b: b + id_check_char(b))
_MOBILE = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
_FILLER = st.text(alphabet="甲乙丙丁，。、：的了是在有 号码电话身份证", max_size=12)
_SEPARATOR = st.text(alphabet="甲乙丙丁，。、：的了是在有 号码电话身份证", min_size=1, max_size=12)


@settings(max_examples=200, deadline=1000)
@given(_FILLER, _ID, _SEPARATOR, _MOBILE, _FILLER)
def test_embedded_ids_and_phones_are_always_masked(a, ident, b, mobile, c):
    out = mask_text(a + ident + b + mobile + c)
    assert ident not in out and mobile not in out
    assert_clean(out)


_USCC = st.tuples(
    st.sampled_from(["91", "92", "93"]),
    st.from_regex(r"62[0-9]{4}", fullmatch=True),
    st.text(alphabet="0123456789", min_size=9, max_size=9),
).map(lambda t: "".join(t) + uscc_check_char("".join(t)))


@settings(max_examples=200, deadline=1000)
@given(_FILLER, _USCC, _FILLER)
def test_embedded_uscc_is_never_masked(a, code, b):
    assert code in mask_text(a + code + b)


@settings(max_examples=300, deadline=1000)
@given(st.text())
def test_never_crash_and_output_is_clean(s):
    out = mask_text(s)
    assert find_unmasked_pii(out) == []
    mask_names(s)


def test_record_ids_and_urls_are_not_phone_numbers():
    # stable ids are hex digests that may be all digits (seen at province size)
    for text in ("acc-036438215901", "/accidents/acc-044729415833/", "n-093184655961", "cr_036438215901"):
        assert find_unmasked_pii(text) == [], text
    assert find_unmasked_pii("联系电话 09318465596") != []


# --- scan_unmasked_pii: find_unmasked_pii for long documents (the release gates) -----------
# scan_unmasked_pii runs the detectors only on stretches around numbers. It must return exactly
# what find_unmasked_pii returns; a difference would be personal data the gate lets through.
_BOILERPLATE = '<li><a class="nav" href="/accidents/">事故调查报告</a></li>\n' * 400
_TRICKY = [
    gansu_id(),
    gansu_id()[:17] + "x",
    "62010219900101123X",
    "62010219900101123x",
    "６２０１０２１９９００１０１１２３Ｘ",
    "620102199001011239",
    "身份证号：620102199001011239",
    "统一社会信用代码：916200000002426247",
    "信用代码 91620000000024328C",
    "证件号620102199001011239号",
    "13912345678",
    "139-1234-5678",
    "139 1234 5678",
    "+86 13912345678",
    "+86-139-1234-5678",
    "008613912345678",
    "86 139 1234 5678",
    "8613912345678",
    "１３９１２３４５６７８",
    "１３９－１２３４－５６７８",
    "139\u30001234\u30005678",
    "139\u00a01234\u00a05678",
    "139\n1234\n5678",
    "139-1234 5678x",
    "a13912345678",
    "*13912345678",
    "139123456789",
    "1391234567",
    "0931-8465596",
    "0931－8465596",
    "0931—8465596",
    "(0931)8465596",
    "（0931）8465596",
    "（ 0931 ）  8465596",
    "0931 - 84655961",
    "09318465596",
    "01084655961",
    "acc-09318465596",
    "/09318465596",
    "_09318465596",
    "n-0447294156/",
    "电话：8465596",
    "电话 : 84655961",
    "手机8465596",
    "座机：8465596",
    "联系方式8465596",
    "TEL:8465596",
    "Tel 84655961",
    "tel：8465596",
    "举报电话：0931-8465596",
    "值班电话 13912345678",
    "索引号：620000-GSD0122-15-001/2022-06136",
    "文号 09318465596",
    "批号13912345678",
    "直接经济损失1102535元",
    "2023-2024年",
    "t20220218_4037714.html",
    "١٣٩١٢٣٤٥٦٧٨",
    "٦٢٠١٠٢١٩٩٠٠١٠١١٢٣٩",
    "<td>13912345678</td>",
    '<a href="tel:13912345678">',
    "13912345678,13812345678;0931-8465596",
    "电话<b>13912345678</b>",
    "身份证<br>620102199001011239",
    "ID:620102199001011239<",
    "联系电话：\n  0931-8465596",
    "电话" + "<i></i>" * 3 + "8465596",
    "信用代码" + "，" * 12 + "916200000002426247",
    # fragments of ID numbers, labelled or not, and what is not one
    "620102********1234",
    "412***********7714",
    "身份证号：62010219******1234",
    "证件号码 620102900101123",
    "６２０１０２＊＊＊＊＊＊＊＊１２３４",
    "电话138****5678，身份证6201**********1234",
    "信用代码 91620102MA7****01X",
    "统一社会信用代码：916201021****4567X",
    "1381234****",
    "620102********" + "<br>" * 3,
    # the label decides, several characters before the number (up to _LABEL_WIDTH)
    "统一社会信用代码为某某：116201199001011230",
    "统一社会信用代码为某某某某：116201199001011230",
    "身份证号为某某某：116201199001011230",
    "文号为甘安监字 09318465596",
    "索引号为第 13912345678",
    "举报电话为本局 0931-8465596",
    "值班电话（24小时）：13912345678",
    # extensions, dots, +86 before an area code, a local number in two groups, numbers listed
    # after one label, a longer number in groups (no phone in it), an ID number with long dashes
    "0934-8216053转8012",
    "13912345678转801",
    "0932.6628147",
    "(0931)-8476215",
    "+86 931 8476215",
    "0931 847 6215",
    "举报电话：12350、0943-8213350",
    "账号：6222 0011 0920 0016 357",
    "13912345678 0931-8465596",
    "620102—19900101—1239",
    "620102 199001011239",
]


@pytest.mark.parametrize("text", _TRICKY)
def test_scan_finds_what_find_finds(text):
    for document in (
        text,
        f"{_BOILERPLATE}{text}{_BOILERPLATE}",
        f"{text}\n{text}",
        f"前文{text}后文",
        f"<p>{text}</p>",
        f"{_BOILERPLATE[:97]}{text}",
    ):
        assert scan_unmasked_pii(document) == find_unmasked_pii(document), document[-200:]


def test_the_tricky_inputs_hold_findings():
    # the comparison above means something only if the detector finds things in them
    found = [text for text in _TRICKY if find_unmasked_pii(text)]
    assert len(found) > 40
    assert scan_unmasked_pii(_BOILERPLATE + "身份证号：620102199001011239" + _BOILERPLATE) == [
        ("id_number", "620102199001011239")
    ]


_PIECES = st.sampled_from(
    [
        "1",
        "3",
        "9",
        "0",
        "62",
        "139",
        "0931",
        "8465596",
        "1234",
        "5678",
        "19900101",
        "X",
        "x",
        "１",
        "３",
        "９",
        "０",
        "٣",
        "-",
        "－",
        "—",
        " ",
        "\u3000",
        "\n",
        "(",
        ")",
        "（",
        "）",
        ":",
        "：",
        "+",
        "+86",
        "86",
        "00",
        "电话",
        "手机",
        "TEL",
        "tel",
        "联系方式",
        "身份证",
        "信用代码",
        "索引号",
        "举报电话",
        "<",
        ">",
        '"',
        "/",
        "_",
        "*",
        ".",
        ",",
        "，",
        "。",
        "a",
        "T",
        "E",
        "L",
        "示",
        "例",
        "&amp;",
        '<a href="/e/',
        "/>",
        "*",
        "＊",
        "×",
        "****",
        "********",
        "证件号",
        "身份号码",
        "统一社会信用代码",
    ]
)
_NUMBERS = st.one_of(_ID, _MOBILE, _USCC, st.from_regex(r"0[1-9][0-9]{1,2}[0-9]{7,8}", fullmatch=True))


@settings(max_examples=800, deadline=None)
@given(st.lists(st.one_of(_PIECES, _NUMBERS), max_size=40).map("".join))
def test_scan_equals_find_on_generated_text(text):
    assert scan_unmasked_pii(text) == find_unmasked_pii(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_scan_equals_find_on_any_text(text):
    assert scan_unmasked_pii(text) == find_unmasked_pii(text)


def _consumed(items) -> list[str]:
    """Regex class parts for every character a parsed pattern can consume (lookarounds only
    look; their width is checked to be one character)."""
    from re import _constants as c

    parts = []
    for op, av in items:
        if op is c.LITERAL:
            parts.append(re.escape(chr(av)))
        elif op is c.IN:
            for kind, value in av:
                if kind is c.LITERAL:
                    parts.append(re.escape(chr(value)))
                elif kind is c.RANGE:
                    parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
                elif kind is c.CATEGORY and value in (c.CATEGORY_DIGIT, c.CATEGORY_SPACE):
                    parts.append(r"\d" if value is c.CATEGORY_DIGIT else r"\s")
                else:
                    raise AssertionError(f"update _consumed for {kind} {value}")
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT):
            parts += _consumed(av[2])
        elif op is c.SUBPATTERN:
            parts += _consumed(av[3])
        elif op is c.BRANCH:
            for branch in av[1]:
                parts += _consumed(branch)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            assert av[1].getwidth() == (1, 1), "the windows keep one character either side"
        else:
            raise AssertionError(f"update _consumed for {op}")
    return parts


@lru_cache(maxsize=1)
def _every_character() -> str:
    return "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


def test_cut_characters_are_never_inside_a_match():
    # scan_unmasked_pii cuts documents at characters the patterns cannot consume, after
    # to_halfwidth; read the patterns themselves so a change to them cannot slip past
    from re import _parser

    from etl.normalize import mask

    patterns = (mask._ID_CANDIDATE, mask._MOBILE, mask._LANDLINE, mask._LANDLINE_PLAIN, mask._LOCAL_LABELLED)
    consumable = re.compile(
        "[" + "".join(p for pattern in patterns for p in _consumed(_parser.parse(pattern.pattern))) + "]"
    )
    cuts = "".join(mask._CUT.findall(_every_character()))
    assert consumable.search(to_halfwidth(cuts)) is None
    assert "<" in cuts and "," in cuts and "示" in cuts and "/" in cuts


def test_candidates_survive_halfwidth():
    # _CANDIDATE (4 digits, at most one '-' or space, 3 digits: in every match of the patterns)
    # looks at the raw text, so what is a digit, '-' or space after to_halfwidth must match it before
    from etl.normalize import mask

    everything = _every_character()
    for m in re.finditer(r"[-\s\d]", to_halfwidth(everything)):
        raw = everything[m.start()]
        assert re.fullmatch(r"\d" if m.group().isdecimal() else r"[-\s\uff0d]", raw), hex(ord(raw))
    assert mask._CANDIDATE.pattern == r"\d\d\d\d[-\s\uff0d]?\d\d\d"  # the classes checked here


@pytest.mark.parametrize(
    "text, masked",
    [
        ("1.张三，建议移送司法机关2.李四，副总经理", "1.张某，建议移送司法机关2.李某，副总经理"),
        ("事故经过（一）王五，男，", "事故经过（一）王某，男，"),
        ("处以罚款2.5万元，", "处以罚款2.5万元，"),
        ("依据第3、4条，", "依据第3、4条，"),
        ("（二）安全生产，", "（二）安全生产，"),
    ],
)
def test_an_enumerated_name_in_the_middle_of_a_line_is_masked(text, masked):
    """Text taken from PDFs often runs enumerated items together on one line; the name opening
    such an item is masked as at the start of a line, and numbers are not items."""
    from etl.normalize.mask import mask_text

    assert mask_text(text) == masked


def test_a_list_of_places_is_not_a_person_with_particulars():
    """ "、住…" opens the next item of a list (商场、宾馆、住宅), not an address after a name."""
    from etl.normalize.names import person_name_spans

    assert person_name_spans("火灾（商场、宾馆、住宅等）") == []
    text = "王建军，住兰州市城关区"
    assert [text[a:b] for a, b in person_name_spans(text)] == ["王建军"]


@pytest.mark.parametrize(
    "text",
    [
        "罚款人民币陆拾万元整",  # 大写 amounts: 陆, 伍, 柒 are surnames, but not before a numeral
        "处罚款人民币柒万伍仟元",
        "熔炼炉冷却水系统未设置温度监测",  # words of hazard listings that open with a surname
        "液化天然气储罐设置液位报警",
        "对该企业进行约谈曝光",
        "武威示例万禾安全技术咨询有限公司",  # a 字号 that runs on to 有限公司 is no name
        "甘肃万禾安全评价有限公司出具的报告",
    ],
)
def test_words_of_penalties_and_hazard_listings_are_not_names(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "text, masked",
    [
        ("死者陆明，男", "死者陆某某，男"),
        ("矿长储建国，男", "矿长储某国，男"),
        ("法定代表人伍万，", "法定代表人伍某，"),
    ],
)
def test_the_same_surnames_in_names_are_still_masked(text, masked):
    assert mask_text(text) == masked


# --- numbers written in more ways ----------------------------------------------------------
@pytest.mark.parametrize(
    "raw, masked",
    [
        ("电话：0937-6612048转3021。", "电话：0937-****048转****。"),
        ("手机13993712345转6，", "手机139****2345转*，"),
        ("联系电话0937.6612048，", "联系电话0937-****048，"),
        ("电话（0937）-6612048", "电话0937-****048"),
        ("电话：+86 937 6612048", "电话：0937-****048"),
        ("座机0937 661 2048。", "座机0937-****048。"),
        ("其电话13993712345已停机", "其电话139****2345已停机"),
    ],
)
def test_phones_with_extensions_dots_and_groups(raw, masked):
    assert mask_text(raw) == masked
    assert_clean(mask_text(raw))


@pytest.mark.parametrize(
    "text",
    [
        "本单位举报电话：12350、0937-6612350，欢迎监督。",  # a list after one hotline label
        "有异议的，可向市应急管理局政策法规处反映，电话0937-6612049。",  # an institution's line
        "户名：酒泉市财政局，账号：6222 0311 0920 0016 357。",  # a bank account in groups
    ],
)
def test_published_numbers_and_accounts_stay(text):
    assert mask_text(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "公民身份号码：620902—19800315—2218。",
        "身份证号620902 198003152218，",
        "身份证号码是6209021980-0315-2218。",
    ],
)
def test_id_numbers_in_uneven_groups_are_hidden(text):
    out = mask_text(text)
    assert ID_MARKER in out and not re.search(r"\d{4}", out)


# --- names: patterns of published reports ------------------------------------------------
@pytest.mark.parametrize(
    "text, name",
    [
        # posts the role list lacks, ending in 工 or 员, and roles added to it
        ("采煤工路新民违章进入采空区", "路新民"),
        ("支护工韩顺利未及时支护顶板", "韩顺利"),
        ("据网格员文桂香反映，该户私拉电线", "文桂香"),
        ("其子令狐平称父亲当天身体不适", "令狐平"),
        ("执法人员祁文斌、蒲晓雯出示了执法证件", "祁文斌"),
        ("执法人员祁文斌、蒲晓雯出示了执法证件", "蒲晓雯"),
        ("（记者闫文亮 通讯员俞晓婷）", "闫文亮"),
        ("（记者闫文亮 通讯员俞晓婷）", "俞晓婷"),
        ("责任编辑：白玉\u3000校对：李芳", "白玉"),
        ("被处罚人姓名：雒文军", "雒文军"),
        # lists joined by 、和及
        ("对薛建华、冯明和何五分别处以罚款", "何五"),
        ("工友包文才、牛国华及马小平立即施救", "马小平"),
        # particulars after the name
        ("邓建华（男，45岁）系该矿采煤工", "邓建华"),
        ("邓建华，男，汉族，1975年生，该矿采煤工", "邓建华"),
        ("马福林（回族，52岁）为该车驾驶人", "马福林"),
        ("洪海，47岁，系该厂临时工", "洪海"),
        ("对洪海处2万元罚款", "洪海"),
        # ethnic-minority names
        ("受伤人员卓玛措（女，藏族，31岁）已出院", "卓玛措"),
        ("联合惩戒对象：旦正才（藏族），某砂场经营者", "旦正才"),
        ("民警才让东智接警后赶到", "才让东智"),
        ("马哈比布，男，东乡族，系该车驾驶人", "马哈比布"),
        ("序号\t姓名\t职务\n1\t马尕西木\t安全员", "马尕西木"),
        ("死者阿不都·热合曼系外来务工人员", "阿不都·热合曼"),
        # a compound surname
        ("欧阳明，男，42岁，系该矿矿长", "欧阳明"),
        # names opening a line or a table cell
        ("向前，县应急办工作人员，建议给予批评教育。", "向前"),
        ("海英，园区管委会安全监管科科长，建议给予政务警告处分。", "海英"),
        ("序号\t姓名\t职务\n1\t罗海军\t矿长", "罗海军"),
        ("伤亡人员：\n高建军，男，42岁\n刘小红，女，38岁", "刘小红"),
        # a person named like a county, or like a listed word, after a role word
        ("当事人康乐（旧式身份证号码已核实）经营该加工厂", "康乐"),
        ("叉车司机安然（手机号码已登记）未持证上岗", "安然"),
    ],
)
def test_names_in_the_patterns_of_published_reports(text, name):
    out = mask_text(text)
    assert name not in out, out
    assert all(part not in out for part in re.split("[·]", name) if len(part) > 1), out
    assert name[-1] not in out or name[-1] in text.replace(name, ""), out  # no character of it left
    assert find_unmasked_pii(out) == []


@pytest.mark.parametrize(
    "text",
    [
        # a 字号 opening a project's title, objects that open a text (荣康粉尘…, 池清理)
        "荣康粉尘涉爆车间改造项目",
        "对荣康粉尘涉爆车间改造项目进行验收",
        "池清理",
        "污水井清理",
        "开展污水井清理、集水池清理作业",
        "池口的两名同事闻讯赶来",
        "城关区一居民楼发生燃气爆炸",
        # adverbs, verbs, conjunctions and pronouns after role words
        "其余作业人员安然撤离至地面",
        "现场人员陆续撤离",
        "民警和消防员先后赶到",
        "工作人员向其宣传安全知识",
        "其儿子施救时也晕倒",
        "户主居住区位于三层",
        "员工关系紧张",
        "维修工段长未到场",
        # a surname with a title, a place after a role word, a place's name before 镇
        "联系人张科长",
        "失信主体：张家川回族自治县某砖厂",
        "凉州区黄羊镇某养殖场",
        # posts and words a post suffix runs into
        "总工程师等3人",
        "金川集团一名工程师说",
        "对包抓企业检查流于形式",
        "强降雨引发泥石流",
        "18 位统一社会信用代码",
        "“悦府·滨河苑”项目位于七里河区",
        "齐鲁化学工业区管委会",
        "华燃公司未按规定开展培训",
        "吉泓煤业综合防尘措施不落实",
        "水利水电工程有限责任公司",
    ],
)
def test_what_looks_like_a_name_but_is_not_stays(text):
    assert mask_text(text) == text


def test_a_word_broken_over_a_line_end_is_not_a_name():
    # a title set in two lines: 道路 broken after 道 leaves 路交通 opening the second line
    text = "某某县某某公司“9·12”一般道\n路交通事故调查报告"
    assert scan_unmasked_pii(text) == [] and mask_text(text) == text
    # a person of that surname opening a line is still a name
    assert mask_text("事故调查报告予以公布。\n路明，男，45岁，驾驶员。").endswith(
        "路某某，男，45岁，驾驶员。"
    )
