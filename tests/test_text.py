"""etl/normalize/text.py: width, script and whitespace."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.normalize.text import clean_text, to_halfwidth, to_simplified

to_simplified("預熱")  # load OpenCC once, outside the hypothesis deadlines


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("ＡＢＣ１２３", "ABC123"),
        ("９１３５０８０２５８１１４２６６３Ｋ", "91350802581142663K"),
        ("２０１８．０４．１９", "2018.04.19"),
        ("２０１８－４－１９", "2018-4-19"),
        ("ｅｍａｉｌ＠ｅｘａｍｐｌｅ．ｃｏｍ", "email@example.com"),
        ("［附件］", "[附件]"),
        ("示例\u3000公司", "示例 公司"),
        ("示例（甘肃）有限公司", "示例（甘肃）有限公司"),  # （） kept unless asked
        (
            "损失，死亡。受伤、失踪：是；否！？",
            "损失，死亡。受伤、失踪：是；否！？",
        ),  # Chinese punctuation kept
        ("《条例》“第三条”", "《条例》“第三条”"),
        ("", ""),
    ],
)
def test_to_halfwidth(raw, expected):
    assert to_halfwidth(raw) == expected


def test_to_halfwidth_options():
    assert to_halfwidth("示例（甘肃）有限公司", parens=True) == "示例(甘肃)有限公司"
    assert to_halfwidth("甲，乙：丙；丁！戊？", punctuation=True) == "甲,乙:丙;丁!戊?"
    assert to_halfwidth(None) is None


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("靖遠縣示例煤業有限責任公司示例煤礦", "靖远县示例煤业有限责任公司示例煤矿"),
        ("造成兩人死亡，直接經濟損失為三百二十萬元", "造成两人死亡，直接经济损失为三百二十万元"),
        ("構成瞞報", "构成瞒报"),
        ("較大道路交通事故", "较大道路交通事故"),
        ("已经是简体字", "已经是简体字"),
        ("", ""),
        (None, None),
    ],
)
def test_to_simplified(raw, expected):
    assert to_simplified(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  示例\u3000公司  ", "示例 公司"),
        ("示例\u00a0\u00a0公司", "示例 公司"),
        ("示\u200b例", "示例"),
        ("第一行\r\n\r\n  第二行\t", "第一行 第二行"),
        ("", ""),
        (None, None),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


def test_clean_text_keeps_lines_when_asked():
    assert clean_text("甲  乙\n\n\n 丙\u3000丁 ", keep_newlines=True) == "甲 乙\n丙 丁"


@settings(max_examples=200, deadline=500)
@given(st.text())
def test_halfwidth_preserves_length(s):
    # etl/normalize/mask.py relies on offsets in to_halfwidth(text) being offsets in text
    assert len(to_halfwidth(s)) == len(s)
    assert len(to_halfwidth(s, parens=True, punctuation=True)) == len(s)


@settings(max_examples=200, deadline=500)
@given(st.text())
def test_text_functions_never_crash(s):
    cleaned = clean_text(s)
    assert clean_text(cleaned) == cleaned
    assert isinstance(to_simplified(s), str)


ALL_CHARACTERS = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)


@pytest.mark.parametrize("parens", [False, True])
@pytest.mark.parametrize("punctuation", [False, True])
def test_halfwidth_table_is_the_character_rule_for_every_character(parens, punctuation):
    # to_halfwidth runs a translate table built from _halfwidth_char; nothing may drift
    from etl.normalize.text import _halfwidth_char

    expected = "".join(_halfwidth_char(ch, parens, punctuation) for ch in ALL_CHARACTERS)
    assert to_halfwidth(ALL_CHARACTERS, parens, punctuation) == expected
    assert to_halfwidth("示例１２３", parens, punctuation) == "示例123"
    assert to_halfwidth("plain ascii", parens, punctuation) == "plain ascii"
