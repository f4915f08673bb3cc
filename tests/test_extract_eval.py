"""The extractor measured on the labelled report corpus (tests/corpus/reports/): the corpus has
the composition the evaluation needs, and `python -m etl eval-extract` meets the bar."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from etl.extract import evaluate
from etl.rules.grades import GRADES
from etl.rules.vocabulary import ACCIDENT_TYPES, SECTORS

ROOT = Path(__file__).resolve().parents[1]
FIELD_CLASSES = {
    "accident_type": {*ACCIDENT_TYPES, None},
    "industry": {*SECTORS, None},
    "grade": {*GRADES, None},
    "concealment": {"瞒报", "谎报", None},
}
HARD_CASES = (
    "deaths_without_numeral",
    "counts_across_sentences",
    "figure_corrected_later",
    "several_units_before",
    "subordinate_unit_of_group",
    "prefix_before_name",
    "chinese_numerals",
    "news_dateline",
)


def test_corpus_has_the_composition_the_evaluation_needs():
    cases = evaluate.load_cases()
    counts = evaluate.counts(cases)
    assert counts["cases"] >= 150
    assert counts["full_report"] >= 60
    assert counts["gansu"] >= 40
    assert counts["traditional"] >= 15
    assert counts["concealment_or_late"] >= 15
    assert counts["accountability"] >= 40
    for variant in HARD_CASES:
        assert counts[f"variant:{variant}"] >= 3, variant
    assert len({c.id for c in cases}) == len(cases)


def test_labels_use_the_vocabularies():
    for case in evaluate.load_cases():
        for field, allowed in FIELD_CLASSES.items():
            assert case.truth.get(field) in allowed, (case.id, field, case.truth.get(field))
        for entry in case.truth.get("accountability") or []:
            assert entry["measure_type"] in {"移送司法机关", "党纪政务处分", "行政处罚", "其他"}, case.id
            assert entry["subject_type"] in {"person", "unit"}, case.id


def test_full_reports_have_the_standard_sections():
    for case in evaluate.load_cases():
        if case.label.get("style") == "full_report":
            text = case.text
            assert any(w in text for w in ("基本情况", "基本情況", "概况", "概況")), case.id
            assert any(w in text for w in ("责任", "責任")), case.id


def test_eval_extract_meets_the_bar():
    run = subprocess.run(
        [sys.executable, "-m", "etl", "eval-extract"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "结论：达标" in run.stdout


def test_eval_extract_fails_below_the_bar(tmp_path):
    """A corpus whose labels the extractor cannot meet makes the command exit 1."""
    (tmp_path / "x-001.txt").write_text("2020年5月1日，示例公司发生坍塌事故，造成2人死亡。", encoding="utf-8")
    (tmp_path / "x-001.json").write_text(
        '{"id": "x-001", "truth": {"occurred_on": "2020-05-01", "deaths": 7, "enterprise": "示例公司"}}',
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "etl", "eval-extract", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "deaths: wrong 100.0%" in run.stdout


HELDOUT = ROOT / "tests" / "corpus" / "reports-heldout2"
# Measured on the second set (written by a writer who saw neither the rules nor the tuning
# corpus; held out at first, read for tuning since heldout3 took its place): the floor a change
# must not fall below (docs/review.md).
HELDOUT_FLOOR = {
    "deaths": 1.0,
    "occurred_on": 0.97,
    "injuries": 1.0,
    "direct_loss_yuan": 0.94,
    "grade": 0.97,
    "concealment": 1.0,
    "enterprise": 0.94,
    "accident_type": 0.97,
}
HELDOUT_ACCOUNTABILITY_FLOOR = 1.0
# A later held-out set (44 texts by another writer who saw neither the rules nor the other sets),
# measured and floored the same way.
HELDOUT3 = ROOT / "tests" / "corpus" / "reports-heldout3"
HELDOUT3_FLOOR = {
    "deaths": 0.95,
    "occurred_on": 1.0,
    "injuries": 0.97,
    "direct_loss_yuan": 0.97,
    "grade": 0.95,
    "concealment": 1.0,
    "enterprise": 0.95,
    "accident_type": 1.0,
}
HELDOUT3_ACCOUNTABILITY_FLOOR = 0.90
HELDOUT_SETS = {
    HELDOUT: (HELDOUT_FLOOR, HELDOUT_ACCOUNTABILITY_FLOOR),
    HELDOUT3: (HELDOUT3_FLOOR, HELDOUT3_ACCOUNTABILITY_FLOOR),
}


@pytest.mark.parametrize("directory", list(HELDOUT_SETS), ids=lambda d: d.name)
def test_heldout_set_is_independent_and_measured(directory, capsys):
    field_floors, accountability_floor = HELDOUT_SETS[directory]
    cases = evaluate.load_cases(directory)
    assert len(cases) >= 36
    tuned = {c.text for c in evaluate.load_cases()}
    assert not any(c.text in tuned for c in cases)
    report = evaluate.evaluate(cases)
    with capsys.disabled():
        print(f"\nheld-out set {directory.name}:")
        for line in evaluate.summary_lines(report):
            print("  " + line)
    for field, floor in field_floors.items():
        score = report.fields[field]
        assert score.share(score.right) >= floor, (field, score.share(score.right))
    assert report.accountability_share >= accountability_floor


def test_zero_wrong_links_on_the_corpus_and_the_heldout_set(capsys):
    """Every enterprise the labels name is registered (with a code of its own); the name the
    extractor reads from each text is linked against that register as the ETL links a report
    (etl/enterprise_links.py). A link to any enterprise but the labelled one is wrong; no link (the name as
    written, or review) is not."""
    from etl.enterprise_links import EnterpriseIndex
    from etl.extract.report import extract_report
    from etl.normalize.text import to_simplified

    cases = evaluate.load_cases() + evaluate.load_cases(HELDOUT) + evaluate.load_cases(HELDOUT3)
    truth_names = sorted({to_simplified(c.truth["enterprise"]) for c in cases if c.truth.get("enterprise")})
    codes = {name: f"91620100MA{i:08d}" for i, name in enumerate(truth_names)}
    index = EnterpriseIndex()
    for name, code in codes.items():
        index.add(name, code)
    expected = []
    for case in cases:
        got = extract_report(case.text, anchor=case.anchor)["enterprise"]
        if got:  # no name read: nothing to link
            index.add(got, None, extracted=True)
            truth = case.truth.get("enterprise")
            expected.append((case.id, codes.get(to_simplified(truth)) if truth else None))
    links = index.evidence()[len(codes) :]
    wrong = [
        (cid, link)
        for (cid, code), link in zip(expected, links)
        if link.enterprise_id and not link.enterprise_id.startswith("n-") and link.enterprise_id != code
    ]
    linked = sum(1 for (_, code), link in zip(expected, links) if code and link.enterprise_id == code)
    with capsys.disabled():
        print(
            f"\nlinking the extracted names: {linked} of {sum(1 for _, c in expected if c)} labelled "
            f"enterprises linked, {len(wrong)} wrong links"
        )
    assert wrong == []
