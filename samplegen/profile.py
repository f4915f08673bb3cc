"""Size profiles: how many of everything the generator makes.

Only `sample` (the bundled demo data, tracked in git) is tuned by hand; `province` and
`national` scale the same recipe for benchmarks. Every count is used by an O(n) loop.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Profile:
    name: str
    enterprises: int  # production units (技术服务机构 come on top)
    agencies: int  # 安全评价/检测检验机构
    accidents: dict[str, int]  # reports per accident source
    list_page_size: dict[str, int]  # items per list page, per html_list source
    blacklist_batches: tuple[int, ...]  # entries in each batch announcement
    ratings: dict[str, int]  # rows per credit-rating source
    credit_records: int
    records_page_size: int
    bans: int
    overdue_assessments: int  # due accidents left without an assessment
    # Records of the disclosures added later (samplegen/hazards.py, enforcement.py, agencies.py,
    # projects.py), by name; each module reads its own keys with a default.
    extra_counts: dict[str, int] = field(default_factory=dict)
    years: tuple[int, ...] = (2019, 2020, 2021, 2022, 2023, 2024, 2025)
    as_of: dt.date = dt.date(2026, 6, 30)  # the date statuses in _truth.json refer to
    # Enterprises per city, as weights: Lanzhou and Jiuquan publish their own rating lists.
    city_weights: dict[str, int] = field(
        default_factory=lambda: {
            "620100": 120,
            "620900": 80,
            "620200": 15,
            "620300": 15,
            "620400": 15,
            "620500": 15,
            "620600": 15,
            "620700": 15,
            "620800": 15,
            "621000": 15,
            "621100": 15,
            "621200": 15,
            "622900": 15,
            "623000": 15,
        }
    )


SAMPLE = Profile(
    name="sample",
    enterprises=380,
    agencies=10,
    accidents={"gs-yjt-accidents": 45, "lz-yjj-accidents": 14, "ts-yjj-accidents": 12},
    list_page_size={
        "gs-yjt-accidents": 15,
        "lz-yjj-accidents": 8,
        "ts-yjj-accidents": 6,
        "gs-yjt-assessments": 15,
    },
    blacklist_batches=(6, 5, 6, 6, 7, 6, 6, 6),
    ratings={"lz-credit-ratings": 120, "jq-credit-ratings": 80, "gs-yjt-credit-ratings": 130},
    credit_records=86,
    records_page_size=20,
    bans=18,
    overdue_assessments=6,
    extra_counts={
        "hazards": 24,
        "penalties": 40,
        "inspections": 60,
        "agency_reports": 40,
        "projects": 8,
    },
)


def _scaled(name: str, factor: int, report_factor: int) -> Profile:
    """The sample recipe times `factor` (reports: `report_factor`); page sizes stay as real sites use."""
    s = SAMPLE
    return Profile(
        name=name,
        enterprises=s.enterprises * factor,
        agencies=s.agencies * factor,
        accidents={k: v * report_factor for k, v in s.accidents.items()},
        list_page_size=dict(s.list_page_size),
        blacklist_batches=tuple(n * factor for n in s.blacklist_batches),
        ratings={k: v * factor for k, v in s.ratings.items()},
        credit_records=s.credit_records * factor,
        records_page_size=100,
        bans=s.bans * factor,
        overdue_assessments=s.overdue_assessments * report_factor,
        extra_counts={k: v * factor for k, v in s.extra_counts.items()},
    )


# province: ~50,000 enterprises and ~6,000 reports; national: thirty times that (docs/scaling.md).
PROVINCE_FACTOR, PROVINCE_REPORT_FACTOR, NATIONAL_TIMES = 132, 85, 30
PROFILES = {
    "sample": SAMPLE,
    "province": _scaled("province", PROVINCE_FACTOR, PROVINCE_REPORT_FACTOR),
    "national": _scaled(
        "national", PROVINCE_FACTOR * NATIONAL_TIMES, PROVINCE_REPORT_FACTOR * NATIONAL_TIMES
    ),
}
