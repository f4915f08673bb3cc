"""Names of the province's 市州 and 县区 for the pages: data/reference/regions_<province>.csv, the
reference table the ETL places records with, read as data (code, name, level, parent_code,
stat_codes). A code resolves as in etl/normalize/regions.py: a statistics-only code (620201) is
its GB/T 2260 region, a 9- or 12-digit code its first six digits, and a county missing from the
table its city; tests/test_site_without_etl.py checks that the two agree.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from .choropleth import REFERENCE

_COUNTY_LEVELS = ("county", "functional")
_CODE = re.compile(r"\d{6}(\d{3}|\d{6})?")


def regions_path(province: str, folder: Path | None = None) -> Path:
    return Path(folder or REFERENCE) / f"regions_{province}.csv"


class Regions:
    """code → (name, level, parent code); empty when the province has no reference table."""

    def __init__(self, rows: list[dict] | None = None):
        self.rows = {r["code"]: (r["name"], r["level"], r.get("parent_code") or None) for r in rows or []}
        # every code, and each statistics-only code, → the table's code of its region
        self.index = {code: code for code in self.rows}
        for r in rows or []:
            for stat in (r.get("stat_codes") or "").split("|"):
                if stat.strip():
                    self.index.setdefault(stat.strip(), r["code"])

    @classmethod
    def load(cls, province: str, folder: Path | None = None) -> Regions:
        path = regions_path(province, folder)
        if not path.is_file():
            return cls()
        with open(path, encoding="utf-8", newline="") as f:
            return cls(list(csv.DictReader(f)))

    def _code(self, code: str | None) -> str | None:
        """The table's code for ``code``, or None."""
        code = (code or "").strip()
        return self.index.get(code[:6]) if _CODE.fullmatch(code) else None

    def name(self, code: str | None) -> str | None:
        found = self._code(code)
        return self.rows[found][0] if found else None

    def city(self, code: str | None) -> tuple[str, str] | None:
        """(code, name) of the 市州 of a county, functional area or city code; a code missing from
        the table by its city prefix; None for the province or a code outside it."""
        code = (code or "").strip()
        if not _CODE.fullmatch(code):
            return None
        found = self._code(code)
        if found is None:
            prefix = code[:4] + "00"
            row = self.rows.get(prefix)
            return (prefix, row[0]) if row and row[1] == "city" else None
        name, level, parent = self.rows[found]
        if level == "city":
            return found, name
        if level in _COUNTY_LEVELS and parent in self.rows:
            return parent, self.rows[parent][0]
        return None

    def cities(self) -> list[tuple[str, str]]:
        """(code, name) of every 市州, in the table's order."""
        return [(code, name) for code, (name, level, _) in self.rows.items() if level == "city"]
