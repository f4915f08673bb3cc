"""Person-name and number detection (etl/normalize/mask.py, etl/normalize/names.py) measured on
the labelled sentences in tests/corpus/persons/, and the same detector in the publish gate."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from etl.normalize import mask
from etl.normalize.mask import detect_pii, evaluate, find_unmasked_pii, mask_text, scan_unmasked_pii
from publish import gates

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "persons" / "sentences.jsonl"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def result(records) -> dict:
    return evaluate(records)


def test_the_set_is_large_and_its_spans_match_the_text(records):
    assert len(records) >= 300
    kinds = {s["kind"] for r in records for s in r["spans"]}
    assert kinds == {"person", "id_number", "phone", "negative"}
    for r in records:
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"], r["id"]
    assert len({r["text"] for r in records}) == len(records)
    assert sum(s["kind"] == "negative" for r in records for s in r["spans"]) >= 100


@pytest.mark.parametrize("kind", ["person", "id_number", "phone"])
def test_recall_per_kind(result, kind):
    stats = result["stats"][kind]
    misses = [m[:3] for m in result["misses"] if m[1] == kind]
    assert stats["gold"] > 0
    assert stats["recall"] >= 0.99, misses


def test_no_hard_negative_is_masked(result):
    # enterprise names holding a surname, places, titles, 文号, codes, dates, amounts, hotlines
    assert result["negatives_masked"] == []


def test_precision_on_the_set(result):
    for kind, stats in result["stats"].items():
        assert stats["precision"] >= 0.98, (kind, result["false_hits"])


def test_masked_sentences_hold_no_labelled_name_or_number(records):
    for r in records:
        out = mask_text(r["text"])
        assert find_unmasked_pii(out) == [], (r["id"], out)
        for s in r["spans"]:
            if s["kind"] == "negative":
                assert s["text"] in out, (r["id"], s["text"], out)
            elif s["kind"] in ("id_number", "phone"):
                assert s["text"] not in out, (r["id"], out)


def test_names_found_beyond_role_words():
    cases = {
        "村民王小明发现后报警": "王小明",
        "目击者李桂英称": "李桂英",
        "证人王德胜陈述": "王德胜",
        "报案人孙晓燕报告": "孙晓燕",
        "邻居杨秀兰一同施救": "杨秀兰",
        "路人冯建军目睹": "冯建军",
        "货主蒋丽萍雇佣": "蒋丽萍",
        "承租人潘志强擅自": "潘志强",
        "列入理由：该公司实际控制人景志强擅自恢复生产": "景志强",
        "事故造成曹志远当场死亡": "曹志远",
        "给予田永军政务记过处分": "田永军",
    }
    for text, name in cases.items():
        out = mask_text(text)
        assert name not in out and name[0] + "某" in out, (text, out)


@pytest.mark.parametrize(
    "text",
    [
        "兰州市白银区应急管理局局长带队赶赴现场",
        "县长、副县长分别作出批示",
        "甘南州夏河县发生泥石流",
        "张掖示例化工有限公司硝化车间",
        "王家庄煤矿2号井",
        "安全管理人员未履行职责",
        "G30连霍高速公路K1856公里处",
        "文号甘政函〔2023〕45号",
        "举报电话12350",
        "行业主管部门和纪检监察机关",
        "法定代表人张某昌",
        "死者张某某",
        "统一社会信用代码91620100MA73AXYP2N",
        "直接经济损失486.5万元",
    ],
)
def test_what_is_not_a_person_stays(text):
    assert mask_text(text) == text
    assert find_unmasked_pii(text) == []


@pytest.mark.parametrize(
    "text, number",
    [
        ("身份证号6201 0219 9001 0112 39", "6201 0219 9001 0112 39"),
        ("身份证号620102-19900101-1239", "620102-19900101-1239"),
        ("公民身份号码 620102 19900101 1239", "620102 19900101 1239"),
        ("手机138.1234.5678", "138.1234.5678"),
        ("电话13812345678转", "13812345678"),
        ("联系电话：0943 8217736", "0943 8217736"),
    ],
)
def test_numbers_with_separators(text, number):
    assert number not in mask_text(text)
    assert [kind for kind, _, _ in detect_pii(text)] and find_unmasked_pii(text)
    assert scan_unmasked_pii(text) == find_unmasked_pii(text)


def test_grouped_patterns_consume_only_window_characters():
    # scan_unmasked_pii cuts documents at characters no pattern can consume; the patterns added
    # for grouped numbers consume digits, X, space, '.' and '-' only
    for ch in "0123456789Xx .-":
        assert not mask._CUT.match(ch), ch
    assert mask._SEED.search("138.1234.5678") and mask._SEED.search("6201 0219 9001 0112 39")


def test_scan_finds_names_as_find_does(records):
    boiler = '<li><a class="nav" href="/accidents/">事故调查报告</a></li>\n' * 50
    for r in records[::7]:
        document = f"{boiler}<p>{r['text']}</p>{boiler}"
        assert scan_unmasked_pii(document) == find_unmasked_pii(document), r["id"]


def test_the_gate_stops_on_an_unmasked_name(tmp_path):
    page = tmp_path / "site" / "accidents" / "acc-1" / "index.html"
    page.parent.mkdir(parents=True)
    page.write_text("<p>经调查，目击者李桂英称，驾驶员马某福未减速。</p>", encoding="utf-8")
    result = gates.personal_data(tmp_path / "site", [], workers=1)
    assert result.problems == ["accidents/acc-1/index.html: unmasked name 李桂英…"]
    page.write_text(f"<p>{mask_text('经调查，目击者李桂英称，驾驶员马某福未减速。')}</p>", encoding="utf-8")
    assert gates.personal_data(tmp_path / "site", [], workers=1).problems == []


def test_mask_eval_command():
    out = subprocess.run(
        [sys.executable, "-m", "etl", "mask-eval"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert "人名 person" in out.stdout and "召回率" in out.stdout
    assert re.search(r"被遮蔽：0", out.stdout)
    assert out.returncode in (0, 1)
