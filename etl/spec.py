"""Source specs: load and validate the YAML file that describes one source.

The format is documented in docs/sources.md. A spec is data: adding another city's site of a
format the ETL already reads is a new file in etl/sources/, never code.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import List, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from etl import settings

KINDS = (
    "accidents",
    "rectification_assessments",
    "credit_ratings",
    "credit_records",
    "blacklist",
    "blacklist_removals",
    "bans",
    "annual_statistics",
    "hazards",
    "hazard_events",
    "penalties",
    "inspections",
    "agencies",
    "agency_actions",
    "agency_reports",
    "projects",
)
FORMATS = ("html_list", "html_table", "csv", "xlsx", "json_api")


class SpecError(ValueError):
    """A spec file that cannot be used; the message names the file and the field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListSpec(_Strict):
    item_links: str
    next_text: str = "下一页"
    max_pages: int = Field(200, ge=1)
    date: str | None = None


class DetailSpec(_Strict):
    title: str | None = None
    body: str | None = None
    meta: str | None = None
    attachments: str | None = None


class PaginationSpec(_Strict):
    page_param_start: int = 1
    size: int = Field(50, ge=1)
    # Bounds on one paging run, so an API that never stops paging fails its source instead of
    # running for ever (etl/readers/json_api.py; docs/sources.md).
    max_pages: int = Field(10_000, ge=1)
    max_bytes: int = Field(1024 * 1024 * 1024, ge=1)


class Assertions(_Strict):
    min_records: int = Field(1, ge=0)
    max_records: int | None = None


class SourceSpec(_Strict):
    id: str
    title: str
    kind: Literal[KINDS]  # type: ignore[valid-type]
    publisher: str
    licence: str
    format: Literal[FORMATS]  # type: ignore[valid-type]
    url: str | None = None
    urls: List[str] = []
    encoding: str | None = None
    region_code: str | None = None
    max_age_days: int | None = Field(None, ge=1)
    sample: bool = False
    description: str | None = None
    list: ListSpec | None = None
    detail: DetailSpec | None = None
    table: str | None = None
    header_row: int = Field(0, ge=0)
    sheet: str | None = None
    pagination: PaginationSpec | None = None
    records_path: str | None = None
    total_path: str | None = None
    fields: dict[str, str | List[str]]
    ignore: List[str] = []
    lookups: dict[str, dict[str, str | int | float | None]] = {}
    assertions: Assertions = Assertions()
    # Set by the loader, not by the file.
    path: Path | None = None
    sha256: str | None = None

    @field_validator("id")
    @classmethod
    def _id_shape(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", value):
            raise ValueError("id must be lower-case letters, digits and '-'")
        return value

    @field_validator("fields")
    @classmethod
    def _fields_nonempty(cls, value: dict) -> dict:
        if not value:
            raise ValueError("fields must map at least one target column")
        return value

    @model_validator(mode="after")
    def _format_needs(self) -> "SourceSpec":
        if not self.url and not self.urls:
            raise ValueError("url or urls is required")
        if self.format == "html_list" and (self.list is None or self.detail is None):
            raise ValueError("format html_list needs `list` and `detail`")
        if self.format == "html_table" and not self.table:
            raise ValueError("format html_table needs `table` (a CSS selector)")
        if self.format == "json_api" and not self.records_path:
            raise ValueError("format json_api needs `records_path`")
        return self

    def all_urls(self) -> List[str]:
        """The start URL(s), with {samples} resolved to the bundled samples folder."""
        raw = ([self.url] if self.url else []) + [*self.urls]
        return [expand_url(u) for u in raw]

    def source_names(self, target: str) -> List[str]:
        """The source field names that may fill `target`, in order of preference."""
        value = self.fields.get(target, [])
        return [value] if isinstance(value, str) else [*value]

    def mapped_source_fields(self) -> set[str]:
        names: set[str] = set(self.ignore)
        for target in self.fields:
            names.update(self.source_names(target))
        return names


def expand_url(url: str) -> str:
    if "{samples}" in url:
        return url.replace("{samples}", settings.SAMPLES_URL.rstrip("/"))
    return url


def load_spec(path: Path) -> SourceSpec:
    """Load one spec file; raise SpecError naming the file and every bad field."""
    raw_bytes = path.read_bytes()
    try:
        data = yaml.safe_load(raw_bytes)
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{path}: a spec must be a mapping of keys to values")
    try:
        spec = SourceSpec(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(spec)'}: {err['msg']}" for err in exc.errors()
        )
        raise SpecError(f"{path}: {problems}") from None
    if spec.id != path.stem:
        raise SpecError(f"{path}: id {spec.id!r} must equal the file name {path.stem!r}")
    spec.path = path
    spec.sha256 = hashlib.sha256(raw_bytes).hexdigest()
    return spec


def load_specs(folder: Path | None = None, only: list[str] | None = None) -> list[SourceSpec]:
    """All specs in the folder (sorted by id), or just the ids in `only`."""
    folder = folder or settings.SOURCES_DIR
    paths = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    specs = [load_spec(p) for p in paths]
    if only:
        known = {s.id for s in specs}
        missing = [i for i in only if i not in known]
        if missing:
            raise SpecError(f"unknown source id(s): {', '.join(missing)}; known: {', '.join(sorted(known))}")
        specs = [s for s in specs if s.id in only]
    return sorted(specs, key=lambda s: s.id)
