"""Evidence for an extracted fact: where in the report text it was read and how sure it is.

Every value extract_report() returns comes with one Evidence (under result["evidence"][field]),
so staff and the public can see the sentence a figure came from, and staff review what the
extractor could not settle. Offsets are into the text passed to extract_report() (the archived
document's title and text): the quote is text[start:end] with personal data masked
(etl/normalize/mask.py), so it may be published.

method:
* ``stated``   the text says it (a sentence, a label such as 事故等级：较大, a table cell);
* ``computed`` derived from other facts by a rule (the grade from the figures, 条例第三条);
* ``inferred`` read from indirect wording (a type from the narrative, one victim who 经抢救无效死亡);
* ``source_field`` a structured field of the source (set by the dataset, not the extractor).

confidence is ``high`` or ``low``; a low one carries the reason and goes to `etl review`:
* ``ambiguous``     the text supports more than one value; the value is None and the
                    candidates list them;
* ``disagreement``  the text states different values in different places (title 3, body 4);
                    the value is the one the extractor trusts most, candidates hold the others;
* ``weak``          an inference from indirect wording only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

METHODS = ("stated", "computed", "inferred", "source_field")
CONFIDENCES = ("high", "low")
REASONS = ("ambiguous", "disagreement", "weak")


@dataclass(frozen=True)
class Candidate:
    value: object
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class Evidence:
    quote: str
    start: int
    end: int
    method: str = "stated"
    confidence: str = "high"
    reason: str | None = None
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        return asdict(self)
