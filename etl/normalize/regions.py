"""Administrative divisions (GB/T 2260) of the configured province and place-name resolution.

The table is data: data/reference/regions_<province>.csv (code, name, level, parent_code,
aliases separated by '|', stat_codes separated by '|'); the province comes from
etl.settings.PROVINCE_CODE. Gansu has 14 市州 and 86 县区 in GB/T 2260.

Two kinds of code come from the 统计用区划代码 of 国家统计局, not from GB/T 2260:
- a functional area (level 'functional', shown as 功能区) such as 兰州新区 620171, a 国家级新区
  that has a statistics code but is no county: it has its own row and belongs to its city;
- a statistics-only code for a GB/T 2260 region, listed in that region's stat_codes column:
  620201, which some registrations carry for 嘉峪关市 (GB/T 2260 has only 620200, a
  prefecture-level city without districts). Every lookup gives the GB/T 2260 region for it.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache

from etl import settings
from etl.normalize.text import to_halfwidth

COUNTY_LEVELS = ("county", "functional")
# How a level is shown: 兰州新区 is a 功能区 (statistics code only), never a 县区.
LEVEL_LABELS = {"province": "省", "city": "市州", "county": "县区", "functional": "功能区"}
# Two-character county names (宁县, 环县, 成县 ...) also occur inside other places' names (静宁县,
# 正宁县, 宁夏永宁县). Leftmost-longest matching already protects names inside Gansu names; for
# names from elsewhere, a short name must follow a non-Han character, one of these characters,
# or another matched place name (庆阳市宁县).
_SHORT_NAME_LEN = 2
_SHORT_OK_BEFORE = set("市州省区在于至和与及的、是到往赴肃地县，。；：（(")
_HAN = re.compile(r"[\u4e00-\u9fff]")


# Words after a place name that make it the location of the event.
_LOCATED = re.compile(r"境内|辖区|辖内|段|地界")
# County-level names end in one of these; road segments use the stem (G75线临洮段).
_COUNTY_SUFFIX = re.compile(r"(?:回族|藏族|裕固族|蒙古族|哈萨克族|保安族东乡族撒拉族)?自治县$|[县区市]$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str  # province | city | county | functional
    parent_code: str | None
    aliases: tuple[str, ...] = field(default=(), compare=False)
    # Statistics-only codes (统计用区划代码) that mean this region: 620201 for 嘉峪关市 620200.
    stat_codes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


def _province(province_code: str | None) -> str:
    return province_code or settings.PROVINCE_CODE


@lru_cache(maxsize=8)
def load_regions(province_code: str | None = None) -> dict[str, Region]:
    """code → Region for one province, in file order (cached). Raises FileNotFoundError when
    the province has no reference file: a misconfigured province must be loud."""
    path = settings.REFERENCE / f"regions_{_province(province_code)}.csv"
    regions: dict[str, Region] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = _split(row.get("aliases"))
            regions[row["code"]] = Region(
                row["code"],
                row["name"],
                row["level"],
                row.get("parent_code") or None,
                aliases,
                _split(row.get("stat_codes")),
            )
    return regions


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(a.strip() for a in (value or "").split("|") if a.strip())


@lru_cache(maxsize=8)
def _code_index(province_code: str) -> dict[str, Region]:
    """Every code of the table and every statistics-only code → its region (cached per
    province code, never per None). A statistics code that is also a row's own code, or is
    listed twice, is an error in the table: loud."""
    regions = load_regions(province_code)
    index = dict(regions)
    for region in regions.values():
        for code in region.stat_codes:
            if code in index:
                raise ValueError(f"stat code {code} of {region.code} is already {index[code].code}")
            index[code] = region
    return index


@lru_cache(maxsize=8)
def _name_index(province_code: str | None) -> tuple[dict[str, Region], int, re.Pattern]:
    """Name or alias → region, the longest name's length, and the characters a name can start
    with as one class (a county stem starts like its county's name)."""
    index: dict[str, Region] = {}
    for region in load_regions(province_code).values():
        for name in (region.name, *region.aliases):
            index.setdefault(name, region)
    starts = re.compile("[" + "".join(sorted(map(re.escape, {name[0] for name in index}))) + "]")
    return index, max((len(n) for n in index), default=0), starts


@lru_cache(maxsize=8)
def _stem_index(province_code: str | None) -> dict[str, Region]:
    """Stems of county names (临洮 for 临洮县), matched only before 段/境内: 临洮段."""
    stems: dict[str, Region] = {}
    for region in load_regions(province_code).values():
        if region.level == "county":
            stem = _COUNTY_SUFFIX.sub("", region.name)
            if len(stem) >= 2:
                stems.setdefault(stem, region)
    return stems


def _short_name_ok(text: str, start: int, prev_end: int) -> bool:
    if start == 0 or start == prev_end:
        return True
    before = text[start - 1]
    return not _HAN.match(before) or before in _SHORT_OK_BEFORE


def find_regions(text: str | None, province_code: str | None = None) -> list[tuple[Region, int, int]]:
    """Every place name of the province in text as (region, start, end), leftmost-longest and
    non-overlapping: '静宁县' is 静宁县, never 宁县; '临夏县' is never 临夏州."""
    if not text:
        return []
    index, longest, starts = _name_index(province_code)
    found: list[tuple[Region, int, int]] = []
    i, prev_end = 0, -1
    while i < len(text):
        # Every name and stem starts with one of a few dozen characters: jump to the next one
        # (a report body is ~7,000 characters, ~4 ms a call when every position was tried).
        candidate = starts.search(text, i)
        if candidate is None:
            break
        i = candidate.start()
        for length in range(min(longest, len(text) - i), 1, -1):
            region = index.get(text[i : i + length])
            if region is None:
                continue
            if (
                length <= _SHORT_NAME_LEN
                and region.level in COUNTY_LEVELS
                and not _short_name_ok(text, i, prev_end)
            ):
                continue
            if text[i + length - 1] == "市" and text[i + length : i + length + 1] == "场":
                continue  # 玉门市场, 合作市场: a market, not a city
            found.append((region, i, i + length))
            prev_end = i = i + length
            break
        else:
            stem = _stem_at(text, i, province_code)
            if stem:
                found.append(stem)
                prev_end = i = stem[2]
            else:
                i += 1
    return found


def _stem_at(text: str, i: int, province_code: str | None) -> tuple[Region, int, int] | None:
    for length in (3, 2):
        region = _stem_index(province_code).get(text[i : i + length])
        if (
            region
            and _LOCATED.match(text, i + length)
            and (
                i == 0
                or not _HAN.match(text[i - 1])
                or text[i - 1] in _SHORT_OK_BEFORE
                or text[i - 1] in "线路道"
            )
        ):
            return region, i, i + length
    return None


def resolve_region(text: str | None, province_code: str | None = None) -> Region | None:
    """The most specific region named in text: a county (or functional area) beats a city, a
    city beats the province. A county stated as the place (X县境内, 临洮段) wins; otherwise the
    first county inside a city also named in the text (兰州市…城关区), else the first county.
    A text that is only a code (a source's 地区代码 field: 620102, 620201, a 12-digit 统计用区划代码)
    is that code's region, or its city for a code missing from the table (as city_of)."""
    code = to_halfwidth(text or "").strip()
    if code.isascii() and code.isdigit():
        return get_region(code, province_code) or city_of(code, province_code)
    found = find_regions(text, province_code)
    matches = [m[0] for m in found]
    located = [r for r, _, end in found if r.level in COUNTY_LEVELS and _LOCATED.match(text or "", end)]
    if located:
        return located[0]
    counties = [r for r in matches if r.level in COUNTY_LEVELS]
    cities = [r for r in matches if r.level == "city"]
    if counties:
        city_codes = {c.code for c in cities}
        consistent = [c for c in counties if c.parent_code in city_codes]
        return (consistent or counties)[0]
    if cities:
        return cities[0]
    return matches[0] if matches else None


def _code6(code: str | None) -> str | None:
    code = (code or "").strip()
    # 12-digit 统计用区划代码 and 9-digit 乡镇 codes start with the 6-digit GB/T 2260 code.
    return code[:6] if re.fullmatch(r"\d{6}(\d{3}|\d{6})?", code) else None


def get_region(code: str | None, province_code: str | None = None) -> Region | None:
    """The region of a GB/T 2260 code, a statistics-only code (620201 → 嘉峪关市 620200), or a
    9/12-digit 统计用区划代码 starting with either."""
    code6 = _code6(code)
    return _code_index(_province(province_code)).get(code6) if code6 else None


def region_name(code: str | None, province_code: str | None = None) -> str | None:
    region = get_region(code, province_code)
    return region.name if region else None


def level_label(code: str | None, province_code: str | None = None) -> str | None:
    """省, 市州, 县区 or 功能区 (兰州新区 620171) for a code; None for a code outside the table."""
    region = get_region(code, province_code)
    return region.level_label if region else None


def city_of(code: str | None, province_code: str | None = None) -> Region | None:
    """The 市州 of a county or functional-area code; a city code gives the city itself, and so
    does its statistics-only code (620201 → 嘉峪关市). Codes missing from the table (old 620824
    华亭县) fall back to their city prefix. None for the province or codes outside it."""
    code6 = _code6(code)
    if not code6:
        return None
    regions = load_regions(province_code)
    region = _code_index(_province(province_code)).get(code6)
    if region is None:
        region = regions.get(code6[:4] + "00")
        return region if region and region.level == "city" else None
    if region.level == "city":
        return region
    if region.level in COUNTY_LEVELS:
        return regions.get(region.parent_code or "")
    return None


def cities(province_code: str | None = None) -> list[Region]:
    return [r for r in load_regions(province_code).values() if r.level == "city"]


def counties(province_code: str | None = None) -> list[Region]:
    return [r for r in load_regions(province_code).values() if r.level == "county"]
