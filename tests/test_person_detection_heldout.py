"""Person-name and number detection measured on held-out sets written independently of the
detector (tests/corpus/persons/heldout.jsonl, heldout2.jsonl). The floors below are the values
measured when each set was added; they catch regressions, they are not targets. Raise them when
the detector improves.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from etl.normalize.mask import evaluate

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "persons"

# Per set: its size and id prefix, the fewest hard negatives it holds, the measured recall per kind
# rounded down to the nearest percent, the measured false hits (detections outside every labelled
# span) per kind, and the measured number of hard negatives masked.
SETS = {
    "heldout.jsonl": {
        "sentences": 120,
        "prefix": "heldout-",
        "negatives": 60,
        "recall": {"person": 1.00, "id_number": 1.00, "phone": 1.00},
        "false_hits": {"person": 0, "id_number": 0, "phone": 0},
        "negatives_masked": 0,
    },
    "heldout2.jsonl": {
        "sentences": 199,
        "prefix": "heldout2-",
        "negatives": 150,
        "recall": {"person": 0.85, "id_number": 0.96, "phone": 1.00},
        "false_hits": {"person": 9, "id_number": 0, "phone": 0},
        "negatives_masked": 4,
    },
}
KINDS = ["person", "id_number", "phone"]


@pytest.fixture(scope="module", params=sorted(SETS))
def heldout(request) -> tuple[dict, list[dict], dict]:
    text = (CORPUS / request.param).read_text(encoding="utf-8")
    records = [json.loads(line) for line in text.splitlines() if line.strip()]
    return SETS[request.param], records, evaluate(records)


def test_the_heldout_set_is_well_formed(heldout):
    floors, records, _ = heldout
    assert len(records) == floors["sentences"]
    assert all(r["id"].startswith(floors["prefix"]) for r in records)
    assert len({r["id"] for r in records}) == len(records)
    assert len({r["text"] for r in records}) == len(records)
    kinds = {s["kind"] for r in records for s in r["spans"]}
    assert kinds == {"person", "id_number", "phone", "negative"}
    for r in records:
        for s in r["spans"]:
            assert r["text"][s["start"] : s["end"]] == s["text"], r["id"]
    assert sum(s["kind"] == "negative" for r in records for s in r["spans"]) >= floors["negatives"]


@pytest.mark.parametrize("kind", KINDS)
def test_recall_does_not_fall_below_the_measured_floor(heldout, kind):
    floors, _, result = heldout
    stats = result["stats"][kind]
    misses = [m[:3] for m in result["misses"] if m[1] == kind]
    assert stats["gold"] > 0
    assert stats["recall"] >= floors["recall"][kind], misses


@pytest.mark.parametrize("kind", KINDS)
def test_no_more_false_hits_than_measured(heldout, kind):
    floors, _, result = heldout
    false_hits = [f[:3] for f in result["false_hits"] if f[1] == kind]
    assert len(false_hits) <= floors["false_hits"][kind], false_hits


def test_no_more_hard_negatives_masked_than_measured(heldout):
    floors, _, result = heldout
    masked = [m[:2] for m in result["negatives_masked"]]
    assert len(masked) <= floors["negatives_masked"], masked


def test_false_hits_only_of_known_kinds(heldout):
    _, _, result = heldout
    assert set(Counter(f[1] for f in result["false_hits"])) <= set(KINDS)
