"""How well extract_report() reads report text, measured on the labelled corpus
(tests/corpus/reports/, README there): per field, how many values were right, wrong (a value
that differs from the truth, including a value where the text states none) and missing (None
where the text states one); accountability as the share of labelled subjects found with their
measure.

The bar is what staff need before a figure is published unseen: a wrong death count or a report
linked to the wrong company is the worst thing the system can publish, so wrong values have
their own, tighter limit.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etl.extract.report import extract_report
from etl.normalize.names import mask_person_name, normalize_enterprise_name
from etl.normalize.text import to_simplified

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus" / "reports"
# field -> (least share right, most share wrong)
BAR = {
    "deaths": (0.98, 0.01),
    "occurred_on": (0.98, None),
    "injuries": (0.95, None),
    "direct_loss_yuan": (0.95, None),
    "grade": (0.95, None),
    "concealment": (0.95, None),
    "enterprise": (0.92, 0.01),
    "accident_type": (0.92, None),
}
REPORTED = ("serious_injuries", "missing", "accident_subtype", "industry")
ACCOUNTABILITY_BAR = 0.90


@dataclass
class Case:
    id: str
    text: str
    label: dict

    @property
    def truth(self) -> dict:
        return self.label["truth"]

    @property
    def anchor(self) -> date | None:
        published = self.label.get("published_on")
        return date.fromisoformat(published) if published else None


@dataclass
class FieldScore:
    right: int = 0
    wrong: int = 0
    missing: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.missing

    def share(self, n: int) -> float:
        return n / self.total if self.total else 1.0


@dataclass
class Report:
    cases: int
    fields: dict[str, FieldScore]
    accountability_found: int
    accountability_total: int
    accountability_misses: list[str]
    accountability_extra: list[str] = field(default_factory=list)

    @property
    def accountability_share(self) -> float:
        return self.accountability_found / self.accountability_total if self.accountability_total else 1.0

    def failures(self) -> list[str]:
        """The bar's lines this run does not meet, in words."""
        out = []
        for name, (least_right, most_wrong) in BAR.items():
            score = self.fields[name]
            if score.share(score.right) < least_right:
                out.append(f"{name}: right {score.share(score.right):.1%} < {least_right:.0%}")
            if most_wrong is not None and score.share(score.wrong) > most_wrong:
                out.append(f"{name}: wrong {score.share(score.wrong):.1%} > {most_wrong:.0%}")
        if self.accountability_share < ACCOUNTABILITY_BAR:
            out.append(f"accountability: found {self.accountability_share:.1%} < {ACCOUNTABILITY_BAR:.0%}")
        return out


def load_cases(directory: Path = CORPUS) -> list[Case]:
    """Every <id>.txt with its <id>.json under directory (recursively), sorted by id."""
    cases = []
    for label_path in sorted(directory.rglob("*.json")):
        text_path = label_path.with_suffix(".txt")
        if not text_path.exists():
            raise ValueError(f"{label_path}: no {text_path.name} beside it")
        label = json.loads(label_path.read_text(encoding="utf-8"))
        if "truth" not in label:
            raise ValueError(f"{label_path}: no truth")
        cases.append(Case(label.get("id") or label_path.stem, text_path.read_text(encoding="utf-8"), label))
    return cases


def _name_key(name: str | None) -> str | None:
    return normalize_enterprise_name(to_simplified(name)) if name else None


def _same(name: str, got, expected) -> bool:
    if got is None or expected is None:
        return got is expected
    if name == "direct_loss_yuan":
        return abs(float(got) - float(expected)) < 0.5
    if name == "enterprise":
        return _name_key(got) == _name_key(expected)
    return got == expected


def _subject_keys(subject: str, aliases: dict[str, str] | None = None) -> set[str]:
    simple = to_simplified(subject)
    keys = {normalize_enterprise_name(simple), mask_person_name(simple)}
    if aliases and simple in aliases:  # a short name the text declares stands for the full one
        keys.add(normalize_enterprise_name(aliases[simple]))
    return keys


# The labels name a unit as the accountability section does, often by the short name the text
# declares: "甘肃示例化工有限公司（以下简称示例公司）", also after the unit's registration code
# ("…有限公司（统一社会信用代码：…）（以下简称示例公司）").
_DECLARED = re.compile(
    r"([\u4e00-\u9fff（）()]{4,40}?(?:公司|厂|矿|集团|站|店|部))"
    r"(?:[（(](?:统一社会信用代码|社会信用代码|信用代码|注册号)[:：]?\s*[0-9A-Za-z*]{6,20}[）)])?"
    r"[（(](?:以下简称|以下称|下称|简称)"
    r"[:：]?[“\"]?([\u4e00-\u9fffA-Za-z0-9]{2,12}?)[”\"]?[）)，,、]"
)


def _declared(text: str) -> dict[str, str]:
    simple = to_simplified(text)
    return {m.group(2): m.group(1) for m in _DECLARED.finditer(simple)}


def _score_accountability(case: Case, got: list[dict]) -> tuple[int, list[str], list[str]]:
    """(labelled entries found, misses, extracted entries the labels do not have)."""
    found, misses = 0, []
    truth = case.truth.get("accountability") or []
    declared = _declared(case.text)
    extracted = {(item["measure_type"], key) for item in got for key in _subject_keys(item["subject"] or "")}

    def matches(entry: dict) -> bool:
        keys = _subject_keys(entry["subject"], declared)
        # the declared full name may carry a place the extractor rightly drops (临汾市乡宁县X公司)
        return any((entry["measure_type"], key) in extracted for key in keys) or any(
            measure == entry["measure_type"] and len(name) >= 4 and any(k.endswith(name) for k in keys)
            for measure, name in extracted
        )

    for entry in truth:
        if matches(entry):
            found += 1
        else:
            misses.append(f"{case.id}: {entry['subject']} {entry['measure_type']}")
    labelled = {(e["measure_type"], key) for e in truth for key in _subject_keys(e["subject"], declared)}
    extra = [
        f"{case.id}: extra {item['subject']} {item['measure_type']}"
        for item in got
        if not any((item["measure_type"], key) in labelled for key in _subject_keys(item["subject"] or ""))
        and not any(m == item["measure_type"] and k.endswith(item["subject"] or "-") for m, k in labelled)
    ]
    return found, misses, extra


def evaluate(cases: list[Case]) -> Report:
    fields = {name: FieldScore() for name in (*BAR, *REPORTED)}
    acc_found = acc_total = 0
    acc_misses: list[str] = []
    acc_extra: list[str] = []
    for case in cases:
        got = extract_report(case.text, anchor=case.anchor)
        for name, score in fields.items():
            expected, value = case.truth.get(name), got.get(name)
            if _same(name, value, expected):
                score.right += 1
                continue
            if value is None:
                score.missing += 1
            else:
                score.wrong += 1
            score.misses.append(f"{case.id}: got {value!r}, truth {expected!r}")
        found, misses, extra = _score_accountability(case, got.get("accountability") or [])
        acc_found += found
        acc_total += len(case.truth.get("accountability") or [])
        acc_misses += misses
        acc_extra += extra
    return Report(len(cases), fields, acc_found, acc_total, acc_misses, acc_extra)


def summary_lines(report: Report, show_misses: bool = False) -> list[str]:
    lines = [f"{report.cases} labelled texts", f"{'field':18} {'right':>7} {'wrong':>7} {'missing':>7}  bar"]
    for name, score in report.fields.items():
        bar = BAR.get(name)
        rule = (
            f"right ≥ {bar[0]:.0%}" + (f", wrong ≤ {bar[1]:.0%}" if bar[1] is not None else "")
            if bar
            else "reported"
        )
        lines.append(
            f"{name:18} {score.share(score.right):7.1%} {score.share(score.wrong):7.1%} "
            f"{score.share(score.missing):7.1%}  {rule}"
        )
        if show_misses:
            lines += [f"    {m}" for m in score.misses]
    lines.append(
        f"{'accountability':18} {report.accountability_share:7.1%} found "
        f"({report.accountability_found}/{report.accountability_total})  found ≥ {ACCOUNTABILITY_BAR:.0%}"
    )
    lines.append(
        f"{'':18} {len(report.accountability_extra)} extracted entries not in the labels "
        "(a subject or measure the labels do not have; reported)"
    )
    if show_misses:
        lines += [f"    {m}" for m in report.accountability_misses + report.accountability_extra]
    return lines


def counts(cases: list[Case]) -> Counter:
    """What the corpus holds: the composition the evaluation corpus must meet."""
    c = Counter()
    for case in cases:
        label, truth = case.label, case.truth
        c["cases"] += 1
        c["full_report"] += label.get("style") == "full_report"
        c["gansu"] += "甘肃" in (label.get("province") or "")
        c["traditional"] += label.get("script") == "traditional"
        c["concealment_or_late"] += bool(truth.get("concealment") or truth.get("late_report"))
        c["accountability"] += bool(truth.get("accountability"))
        for variant in label.get("variants") or []:
            c[f"variant:{variant}"] += 1
    return c
