"""The fictional world behind every sample document, as plain facts: enterprises, accidents
and what followed them (accountability, assessments, blacklist, bans, credit records).

The world is built first, as plain facts; the renderers then write documents from it and
`truth.py` writes the same facts to _truth.json. Every random choice comes from a stream
seeded by (seed, purpose, key), so adding a record does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from . import names
from .profile import Profile


def grade_of(deaths: int, serious: int, loss_yuan: float) -> str:
    """条例 第三条: any one criterion, the highest grade reached; 以上 includes the number."""
    if deaths >= 30 or serious >= 100 or loss_yuan >= 1e8:
        return "特别重大"
    if deaths >= 10 or serious >= 50 or loss_yuan >= 5e7:
        return "重大"
    if deaths >= 3 or serious >= 10 or loss_yuan >= 1e7:
        return "较大"
    return "一般"


def rng_for(seed: int, *parts: object) -> random.Random:
    """A random stream for one purpose; str seeds hash with SHA-512, stable across runs."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


@dataclass
class Enterprise:
    key: str
    name: str
    uscc: str
    county: str
    industry: str
    legal_rep: str
    principal: str
    principal_title: str
    founded: dt.date
    agency: bool = False

    @property
    def city(self) -> str:
        return names.city_of(self.county)

    @property
    def sector(self) -> str:
        return names.INDUSTRIES[self.industry].sector


@dataclass
class Measure:
    """One accountability item of a report (责任认定及处理建议)."""

    subject: str
    position: str
    measure_type: str  # 移送司法机关 | 党纪政务处分 | 行政处罚 | 其他
    measure: str
    fine_yuan: float | None = None
    fine_style: str = "wan"


@dataclass
class Accident:
    key: str
    source_id: str
    enterprise: Enterprise
    county: str
    industry: str
    accident_type: str
    type_word: str
    occurred: dt.datetime
    deaths: int
    missing: int
    injuries: int  # everyone injured, serious included
    serious: int
    loss_yuan: float
    loss_style: str
    grade: str  # computed from casualties and loss
    grade_stated: str
    concealment: str | None  # 瞒报 | 谎报 | 迟报
    approver: str
    doc_no: str  # 批复文号, normalized (〔〕, half-width)
    doc_no_shown: str  # as the page prints it
    approved_on: dt.date
    written_on: dt.date
    published_on: dt.date
    title: str = ""
    short: str = ""  # “3·12”较大中毒和窒息事故
    prevention: list[str] = field(default_factory=list)
    pdf_only: bool = False
    traditional: bool = False
    uscc_in_text: str | None = None  # as printed in the body (None: not stated)
    show_doc_no: bool = True  # the page's metadata block prints the 文号
    approval_in_meta: bool = False
    approval_in_body: bool = True
    measures: list[Measure] = field(default_factory=list)
    planted: list[str] = field(default_factory=list)
    page_charset: str = "utf-8"
    meta_charset: str = "utf-8"
    path: str = ""  # detail page, relative to the source folder
    meta_items: list[tuple[str, str]] = field(default_factory=list)  # as the page prints them
    enterprise_shown: str | None = None  # how the report names the enterprise, when not as registered
    deaths_in_title: int | None = None  # a death toll the title states (planted: differs from the body)
    facts_note: str | None = None  # a sentence the report adds about the enterprise

    @property
    def city(self) -> str:
        return names.city_of(self.county)

    @property
    def enterprise_name(self) -> str:
        """The enterprise as the report names it."""
        return self.enterprise_shown or self.enterprise.name

    @property
    def sector(self) -> str:
        return names.INDUSTRIES[self.industry].sector


@dataclass
class Assessment:
    key: str
    accident: Accident
    result: str
    result_shown: str
    assessor: str
    assessed_on: dt.date
    published_on: dt.date
    doc_no: str
    ref_by: str  # title | doc_no | both
    measures_total: int
    measures_open: int
    late: bool = False
    title: str = ""


@dataclass
class BlacklistEntry:
    key: str
    subject_type: str  # unit | agency | person
    name: str
    enterprise: Enterprise | None
    uscc: str | None
    id_number: str | None  # full number (printed masked, except the planted one)
    responsible_person: str | None
    reason: str
    basis: str
    decision_no: str
    authority: str
    listed_on: dt.date
    term_end: dt.date
    batch: int
    region: str
    removed_on: dt.date | None = None
    removal_reason: str | None = None
    removal_page: int | None = None
    id_unmasked: bool = False


@dataclass
class Ban:
    key: str
    subject_type: str  # person | agency
    name: str
    enterprise: Enterprise | None
    id_number: str | None
    ban_type: str
    scope: str
    reason: str
    authority: str
    decision_no: str
    start_on: dt.date
    end_on: dt.date | None  # None: 终身
    region: str


@dataclass
class CreditRecord:
    key: str
    enterprise: Enterprise
    record_type: str  # 行政处罚 | 不良信用记录
    decision_no: str
    facts: str
    basis: str
    category: str
    penalty: str
    fine_yuan: float | None
    authority: str
    decided_on: dt.date
    publicity_start: dt.date
    publicity_end: dt.date


@dataclass
class Rating:
    source_id: str
    enterprise: Enterprise
    rating: str  # A | B | C | D
    year: int
    rated_on: dt.date
    valid_until: dt.date | None
    rater: str


@dataclass
class World:
    seed: int
    profile: Profile
    enterprises: list[Enterprise] = field(default_factory=list)
    agencies: list[Enterprise] = field(default_factory=list)
    accidents: list[Accident] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    blacklist: list[BlacklistEntry] = field(default_factory=list)
    removal_pages: list[dt.date] = field(default_factory=list)
    bans: list[Ban] = field(default_factory=list)
    records: list[CreditRecord] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    stats: list[dict] = field(default_factory=list)
    planted: list[dict] = field(default_factory=list)
    serials: "Serials | None" = None  # the accidents' 批复文号 counters (stories number on from them)
    featured: set[str] = field(default_factory=set)  # enterprise keys every register must list
    # Facts of the disclosure modules (hazards, enforcement, agencies, projects), by module name.
    extra: dict[str, list] = field(default_factory=dict)

    def plant(self, case: str, source_id: str, where: str, detail: str) -> None:
        self.planted.append({"case": case, "source_id": source_id, "where": where, "detail": detail})


class Serials:
    """Running document numbers per (prefix, year), as each office numbers its 文号."""

    def __init__(self, rng: random.Random):
        self.rng, self.next = rng, {}

    def take(self, prefix: str, year: int) -> int:
        key = (prefix, year)
        value = self.next.get(key) or self.rng.randint(3, 40)
        self.next[key] = value + self.rng.randint(1, 9)
        return value


def authority_for(level: str, city: str, county: str) -> tuple[str, str]:
    """Deciding authority and the prefix of its 处罚决定书文号 (谁处罚、谁决定)."""
    if level == "province":
        return "甘肃省应急管理厅", "（甘）应急罚"
    if level == "city" or county == city:
        return f"{names.city_name(city)}应急管理局", f"{names.CITIES[city][2]}应急罚"
    return f"{names.county_name(county)}应急管理局", f"{names.county_abbr(county)}应急罚"


def blacklist_status(entry: BlacklistEntry, as_of: dt.date) -> str:
    """removed (移出 announced), expired (3-year term over, 部令第11号) or active, on `as_of`."""
    if entry.removed_on and entry.removed_on <= as_of:
        return "removed"
    return "expired" if entry.term_end < as_of else "active"
