"""Enterprise links across sources, in memory: which records are the same enterprise, and on
what evidence. etl/derive.py feeds it every record that names an enterprise and writes the
links and the `enterprises` hub.

Rules (a wrong link is worse than none: what cannot be proved is left for review):
1. A record with a structurally plausible 统一社会信用代码 (18 characters of the code's set,
   positions 3-8 digits; the check character may fail: such codes are flagged 'check_failed',
   never rejected, GB 32100-2015) belongs to the enterprise with that code. Its id is the code.
   Method 'uscc'; 'review' when the check character fails and no other record carries the code
   (a misprint would tie the record to a stranger).
2. A record without a usable code joins by name within the same 市州 (city_of(region_code);
   records without a region only meet other records without a region). Names are compared as
   enterprise_match_key: width, brackets, whitespace and traditional script do not matter; no
   fuzzy merging. The registered names are those of records that carry a code.
   - the name in that city belongs to exactly one code → that enterprise ('exact_name');
   - to two or more codes → not merged; the record keeps the name id, is flagged 'ambiguous'
     and goes to 'review' with the codes as candidates;
   - to none → the name id 'n-' + sha1(name_norm + '|' + city code or '').hexdigest()[:12].
3. Names read out of report text (add(..., extracted=True)) may carry what the register does
   not. Only when rule 2 finds nothing, and the name is no registered name in another city:
   - without the place names it starts with (甘肃省兰州新区示例化工有限公司), it is exactly a
     registered name in the record's city, and every place removed is the province, that city
     or a county in it → 'name_without_prefix';
   - it is "<registered name><unit>" with the unit one of names.SUBORDINATE_UNITS (…煤矿,
     …分公司, …项目部, …厂: a unit without a code of its own) → the company, 'parent';
   - exactly one code must come out of these; two or more → 'review' (flag 'ambiguous').
   Otherwise the record keeps its name id: 'review' with the registered names it resembles (the
   same name in another 市州, a cut or parent form elsewhere, a shared beginning of four or more
   characters after the place names), or 'none' when nothing resembles it.
4. Ids are stable: the same inputs always give the same ids, whatever the order of add() calls.
   add() answers with what is known so far; links() and evidence() give the final answer for
   every record once all records are in (a code-less record added before its coded twin is
   re-pointed).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from etl.normalize.codes import CodeCheck, check_uscc, normalize_code
from etl.normalize.names import (
    enterprise_match_key,
    is_subordinate_unit,
    normalize_enterprise_name,
    place_prefixes,
)
from etl.normalize.regions import city_of

_USCC_PLAUSIBLE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}")
FLAGS = (None, "check_failed", "ambiguous", "bad_code")
METHODS = ("uscc", "exact_name", "name_without_prefix", "parent", "none", "review")
# Why a registered enterprise is a candidate for a record under review (schema.yaml).
REASONS = ("same_name", "other_city", "without_prefix", "parent", "shared_prefix")
MAX_CANDIDATES = 10
SHARED_PREFIX = 4  # characters two names share after their place names to resemble each other
# The legal form at the end of a name, left out when names are compared by their beginning.
_LEGAL_FORM = re.compile(r"(?:集团)?(?:股份有限公司|有限责任公司|有限公司|公司)$|集团$")


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
    key: str = ""
    extracted: bool = False


class Link(NamedTuple):
    """How one record is linked: the enterprise id, its flag, the method (METHODS) and, for
    'review', the registered enterprises it might be ({id, name, city_code, reason})."""

    enterprise_id: str | None
    flag: str | None
    method: str | None
    candidates: tuple[dict, ...] = ()


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
        self._cities_by_name: dict[str, set[str | None]] = {}
        self._code_records: dict[str, int] = {}
        self._code_names: dict[str, tuple[str, str | None]] | None = None
        self._by_start: dict[str, set[tuple[str, str | None]]] | None = None
        # A province's records name each enterprise and region many times: check each once.
        self._checks: dict[str, CodeCheck] = {}
        self._city_codes: dict[str | None, str | None] = {}

    def check(self, code: str) -> CodeCheck:
        """check_uscc(code), once per code for the life of the index (callers must not change it)."""
        found = self._checks.get(code)
        if found is None:
            found = self._checks[code] = check_uscc(code)
        return found

    def add(
        self, name: str, uscc: str | None = None, region_code: str | None = None, extracted: bool = False
    ) -> tuple[str, str | None]:
        """Register one record; returns (enterprise_id, flag) as known so far, or (None, None)
        for a record with neither a name nor a code (nothing to link; not registered).
        extracted: the name was read out of a report's text (rule 3)."""
        name_norm = normalize_enterprise_name(name) or ""
        if not name_norm and not (uscc and normalize_code(uscc)):
            return None, None
        if region_code not in self._city_codes:
            city = city_of(region_code)
            self._city_codes[region_code] = city.code if city else None
        city_code = self._city_codes[region_code]
        key = enterprise_match_key(name_norm, normalized=True) or ""
        code = normalize_code(uscc) if uscc else ""
        flag = None
        if code and plausible_uscc(code):
            if not self.check(code).valid:
                flag = "check_failed"
            self._code_records[code] = self._code_records.get(code, 0) + 1
            if key:
                self._codes_by_name.setdefault((key, city_code), set()).add(code)
                self._cities_by_name.setdefault(key, set()).add(city_code)
                self._by_start = self._code_names = None
        elif code:
            flag, code = "bad_code", ""  # masked (91623****) or malformed: link by name
        self._records.append(_Record(name_norm, code or None, city_code, region_code, flag, key, extracted))
        if code:
            return code, flag
        codes = self._codes_by_name.get((key, city_code), ())
        if len(codes) == 1:
            return next(iter(codes)), flag
        return name_id(name_norm, city_code), "ambiguous" if codes else flag

    def links(self) -> list[tuple[str, str | None]]:
        """(enterprise_id, flag) for every record, in the order added, with all records known."""
        return [(link.enterprise_id, link.flag) for link in self.evidence()]

    def evidence(self) -> list[Link]:
        """The Link of every record, in the order added, with all records known."""
        return [self._link(r) for r in self._records]

    # --- rules ---------------------------------------------------------------------

    def _link(self, r: _Record) -> Link:
        if r.uscc:
            if r.flag != "check_failed" or self._code_records[r.uscc] > 1:
                return Link(r.uscc, r.flag, "uscc")
            return Link(r.uscc, r.flag, "review", self._candidates(r, exclude=r.uscc))
        own = name_id(r.name, r.city)
        codes = self._codes_by_name.get((r.key, r.city), set())
        if len(codes) == 1:
            return Link(next(iter(codes)), r.flag, "exact_name")
        if codes:
            return Link(own, "ambiguous", "review", self._described({c: "same_name" for c in codes}))
        if not r.extracted:
            return Link(own, r.flag, "none")
        found = {} if self._cities_by_name.get(r.key) else self._by_rules(r)
        if len(found) == 1:
            ((code, method),) = found.items()
            return Link(code, r.flag, method)
        if found:
            reasons = {c: "parent" if m == "parent" else "without_prefix" for c, m in found.items()}
            return Link(own, "ambiguous", "review", self._described(reasons))
        others = self._candidates(r)
        return Link(own, r.flag, "review" if others else "none", others)

    def _by_rules(self, r: _Record) -> dict[str, str]:
        """code → method for rule 3, in the record's city only."""
        found: dict[str, str] = {}
        forms = [r.key] + [
            rest for rest, places in place_prefixes(r.key) if all(_place_fits(p, r.city) for p in places)
        ]
        for rest in forms[1:]:
            for code in self._codes_by_name.get((rest, r.city), ()):
                found.setdefault(code, "name_without_prefix")
        for form in forms:
            for parent in self._parents(form):
                for code in self._codes_by_name.get((parent, r.city), ()):
                    found.setdefault(code, "parent")
        return found

    def _parents(self, key: str) -> list[str]:
        """Registered names `key` starts with, followed by a subordinate unit (longest first)."""
        return [
            key[:i]
            for i in range(len(key) - 2, 3, -1)
            if key[:i] in self._cities_by_name and is_subordinate_unit(key[i:])
        ]

    # --- candidates for review --------------------------------------------------------

    def _candidates(self, r: _Record, exclude: str | None = None) -> tuple[dict, ...]:
        """Registered enterprises the record resembles, in any city (rule 3, last case)."""
        reasons: dict[str, str] = {}

        def note(key: str, reason: str) -> None:
            for city in sorted(self._cities_by_name.get(key, ()), key=lambda c: c or ""):
                for code in self._codes_by_name[(key, city)]:
                    why = "other_city" if reason == "same_name" and city != r.city else reason
                    reasons.setdefault(code, why)

        note(r.key, "same_name")
        rests = place_prefixes(r.key)
        for rest, _ in rests:
            note(rest, "without_prefix")
        for form in [r.key] + [rest for rest, _ in rests]:
            for parent in self._parents(form):
                note(parent, "parent")
        core = _core(r.key)
        if len(core) >= SHARED_PREFIX:
            alike = self._starts().get(core[:SHARED_PREFIX], ())
            for key in sorted({key for key, _ in alike}):
                note(key, "shared_prefix")
        reasons.pop(exclude, None)
        return self._described(reasons)

    def _starts(self) -> dict[str, set[tuple[str, str | None]]]:
        """The registered names by the first SHARED_PREFIX characters after their place names."""
        if self._by_start is None:
            self._by_start = {}
            for key, city in self._codes_by_name:
                core = _core(key)
                if len(core) >= SHARED_PREFIX:
                    self._by_start.setdefault(core[:SHARED_PREFIX], set()).add((key, city))
        return self._by_start

    def _described(self, reasons: dict[str, str]) -> tuple[dict, ...]:
        order = {reason: i for i, reason in enumerate(REASONS)}
        ranked = sorted(reasons.items(), key=lambda item: (order[item[1]], item[0]))[:MAX_CANDIDATES]
        names = self._registered_names()
        return tuple(
            {"id": code, "name": names[code][0], "city_code": names[code][1], "reason": reason}
            for code, reason in ranked
        )

    def _registered_names(self) -> dict[str, tuple[str, str | None]]:
        """code → (name, city code) to show a candidate by: the smallest of its records' (any
        order of add() gives the same)."""
        if self._code_names is None:
            self._code_names = {}
            for r in self._records:
                if r.uscc and r.key:
                    seen = self._code_names.get(r.uscc)
                    mine = (r.name, r.city)
                    if seen is None or (mine[0], mine[1] or "") < (seen[0], seen[1] or ""):
                        self._code_names[r.uscc] = mine
        return self._code_names

    def enterprises(self) -> list[dict]:
        """One dict per enterprise: id, uscc, name (first seen), names, city_code,
        region_codes, record_count, flags; in order of first appearance."""
        found: dict[str, Enterprise] = {}
        for record, (eid, flag) in zip(self._records, self.links()):
            ent = found.get(eid)
            if ent is None:
                ent = found[eid] = Enterprise(
                    eid, eid if not eid.startswith("n-") else None, record.name, city_code=record.city
                )
            if record.name and record.name not in ent.names:
                ent.names.append(record.name)
            if record.region_code and record.region_code not in ent.region_codes:
                ent.region_codes.append(record.region_code)
            if flag and flag not in ent.flags:
                ent.flags.append(flag)
            ent.record_count += 1
        return [vars(e) for e in found.values()]


def _place_fits(region, city: str | None) -> bool:
    """A place cut off a name must not contradict the record's 市州 (白银… is no 兰州 company)."""
    if region.level == "province":
        return True
    own = region if region.level == "city" else city_of(region.code)
    return city is not None and own is not None and own.code == city


def _core(key: str) -> str:
    """A name without the place names it starts with and its legal form (示例鑫达化工)."""
    rests = place_prefixes(key)
    return _LEGAL_FORM.sub("", rests[-1][0] if rests else key)
