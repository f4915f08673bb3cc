"""Enterprise linking across sources, in memory: which records are the same enterprise.

Rules (issue 3, "Regions and enterprises"):
1. A record with a structurally plausible 统一社会信用代码 (18 characters of the code's set,
   positions 3-8 digits; the check character may fail: such codes are flagged 'check_failed',
   never rejected, GB 32100-2015) belongs to the enterprise with that code. Its id is the code.
2. A record without a usable code joins by normalized name (normalize_enterprise_name: brackets,
   width, whitespace; no fuzzy merging) within the same 市州 (city_of(region_code); records
   without a region only meet other records without a region):
   - the name in that city belongs to exactly one code → that enterprise;
   - to two or more codes → not merged; the record keeps the name id and is flagged 'ambiguous';
   - to none → the name id 'n-' + sha1(name_norm + '|' + city code or '').hexdigest()[:12].
3. Ids are stable: the same inputs always give the same ids, whatever the order of add() calls.
   add() answers with what is known so far; links() gives the final answer for every record
   once all records are in (a code-less record added before its coded twin is re-pointed).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from etl.normalize.codes import CodeCheck, check_uscc, normalize_code
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.regions import city_of

_USCC_PLAUSIBLE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
FLAGS = (None, "check_failed", "ambiguous", "bad_code")


def name_id(name_norm: str, city_code: str | None) -> str:
    key = f"{name_norm}|{city_code or ''}"
    return "n-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def plausible_uscc(code: str) -> bool:
    return bool(_USCC_PLAUSIBLE.fullmatch(code))


@dataclass
class _Record:
    name: str
    uscc: str | None
    city: str | None
    region_code: str | None
    flag: str | None


@dataclass
class Enterprise:
    id: str
    uscc: str | None
    name: str
    names: list[str] = field(default_factory=list)
    city_code: str | None = None
    region_codes: list[str] = field(default_factory=list)
    record_count: int = 0
    flags: list[str] = field(default_factory=list)


class EnterpriseIndex:
    def __init__(self) -> None:
        self._records: list[_Record] = []
        self._codes_by_name: dict[tuple[str, str | None], set[str]] = {}
        # A province's records name each enterprise and region many times: check each once.
        self._checks: dict[str, CodeCheck] = {}
        self._city_codes: dict[str | None, str | None] = {}

    def check(self, code: str) -> CodeCheck:
        """check_uscc(code), once per code for the life of the index (callers must not change it)."""
        found = self._checks.get(code)
        if found is None:
            found = self._checks[code] = check_uscc(code)
        return found

    def add(self, name: str, uscc: str | None = None,
            region_code: str | None = None) -> tuple[str, str | None]:
        """Register one record; returns (enterprise_id, flag) as known so far, or (None, None)
        for a record with neither a name nor a code (nothing to link; not registered)."""
        name_norm = normalize_enterprise_name(name) or ""
        if not name_norm and not (uscc and normalize_code(uscc)):
            return None, None
        if region_code not in self._city_codes:
            city = city_of(region_code)
            self._city_codes[region_code] = city.code if city else None
        city_code = self._city_codes[region_code]
        code = normalize_code(uscc) if uscc else ""
        flag = None
        if code and plausible_uscc(code):
            if not self.check(code).valid:
                flag = "check_failed"
            if name_norm:
                self._codes_by_name.setdefault((name_norm, city_code), set()).add(code)
        elif code:
            flag, code = "bad_code", ""  # masked (91623****) or malformed: link by name
        record = _Record(name_norm, code or None, city_code, region_code, flag)
        self._records.append(record)
        return self._resolve(record)

    def _resolve(self, record: _Record) -> tuple[str, str | None]:
        if record.uscc:
            return record.uscc, record.flag
        codes = self._codes_by_name.get((record.name, record.city), set())
        if len(codes) == 1:
            return next(iter(codes)), record.flag
        flag = "ambiguous" if len(codes) > 1 else record.flag
        return name_id(record.name, record.city), flag

    def links(self) -> list[tuple[str, str | None]]:
        """(enterprise_id, flag) for every record, in the order added, with all records known."""
        return [self._resolve(r) for r in self._records]

    def enterprises(self) -> list[dict]:
        """One dict per enterprise: id, uscc, name (first seen), names, city_code,
        region_codes, record_count, flags; in order of first appearance."""
        found: dict[str, Enterprise] = {}
        for record, (eid, flag) in zip(self._records, self.links()):
            ent = found.get(eid)
            if ent is None:
                ent = found[eid] = Enterprise(eid, eid if not eid.startswith("n-") else None,
                                              record.name, city_code=record.city)
            if record.name and record.name not in ent.names:
                ent.names.append(record.name)
            if record.region_code and record.region_code not in ent.region_codes:
                ent.region_codes.append(record.region_code)
            if flag and flag not in ent.flags:
                ent.flags.append(flag)
            ent.record_count += 1
        return [vars(e) for e in found.values()]
