"""Bundled sample sources (示例数据): a seeded, deterministic generator.

`python -m samplegen --out data/samples --seed 20261129` writes one folder per source
(HTML list/detail sites in UTF-8, GBK and GB2312, PDF attachments, HTML announcement
tables, CSV in GBK and UTF-8 with BOM, XLSX, a paged JSON API) plus `_truth.json`, the
facts the documents were written from. The specs that read them are etl/sources/*.yaml.

Everything is fictional: every enterprise name contains 示例, persons appear only in the
masked form 姓某X, and every document says 示例数据. Same seed, same bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from . import (
    accidents,
    agencies,
    announcements,
    credit,
    enforcement,
    enterprises,
    followups,
    hazards,
    projects,
    sites,
    stories,
    tables,
    truth,
)
from .profile import PROFILES, SAMPLE, Profile
from .world import World

__all__ = ["PROFILES", "SAMPLE", "Profile", "SOURCES", "generate"]

# source id → (kind, format); the folder names under the output directory.
SOURCES = {
    "gs-yjt-accidents": ("accidents", "html_list"),
    "lz-yjj-accidents": ("accidents", "html_list"),
    "ts-yjj-accidents": ("accidents", "html_list"),
    "gs-yjt-assessments": ("rectification_assessments", "html_list"),
    "gs-yjt-blacklist": ("blacklist", "html_table"),
    "gs-yjt-blacklist-removals": ("blacklist_removals", "html_table"),
    "gs-yjt-bans": ("bans", "html_table"),
    "lz-credit-ratings": ("credit_ratings", "csv"),
    "jq-credit-ratings": ("credit_ratings", "csv"),
    "gs-yjt-credit-ratings": ("credit_ratings", "xlsx"),
    "gs-credit-records": ("credit_records", "json_api"),
    "gs-tjj-annual-statistics": ("annual_statistics", "xlsx"),
}
# The disclosures added later: one module each, with the same three entry points
# (SOURCES, build(world), write(world, out) -> {"counts", "truth"}).
DISCLOSURES = (hazards, enforcement, agencies, projects)
for _module in DISCLOSURES:
    SOURCES.update(_module.SOURCES)


def build_world(seed: int, profile: Profile) -> World:
    """The facts, in dependency order: who exists, what happened, what followed."""
    world = World(seed=seed, profile=profile)
    pool = enterprises.EnterprisePool(world)
    enterprises.build_enterprises(world, pool)
    accidents.build_accidents(world, pool)
    accidents.plant_accidents(world)
    stories.plant_stories(world, pool)
    accidents.finish_accidents(world)
    followups.build_assessments(world)
    followups.build_blacklist(world)
    stories.plant_listed_accident(world, pool)
    followups.build_bans(world)
    credit.build_records(world)
    credit.build_ratings(world)
    credit.build_stats(world)
    for module in DISCLOSURES:
        module.build(world)
    return world


def generate(out: Path, seed: int = 20261129, profile: Profile = SAMPLE) -> dict:
    """Write every sample source under `out` (replacing those folders); return the counts."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for source_id in SOURCES:
        shutil.rmtree(out / source_id, ignore_errors=True)
    world = build_world(seed, profile)
    for source_id in ("gs-yjt-accidents", "lz-yjj-accidents", "ts-yjj-accidents"):
        sites.AccidentSite(world, out, source_id).write()
    assessment_paths = announcements.write_assessments(world, out)
    batches = announcements.write_blacklist(world, out)
    removals = announcements.write_removals(world, out)
    announcements.write_bans(world, out)
    tables.write_lz_ratings(world, out)
    tables.write_jq_ratings(world, out)
    tables.write_gs_ratings(world, out)
    tables.write_records(world, out)
    tables.write_stats(world, out)
    written = [module.write(world, out) for module in DISCLOSURES]
    extra = {
        "sources": {sid: {"kind": kind, "format": fmt} for sid, (kind, fmt) in SOURCES.items()},
        "assessment_paths": assessment_paths,
        "batch_titles": {b: title for b, (_, title) in batches.items()},
        "removal_titles": {i: title for i, (_, title, _) in enumerate(removals)},
        "removal_rows": [dict(row, announcement=title) for _, title, rows in removals for row in rows],
    }
    for part in written:
        extra.setdefault("counts", {}).update(part["counts"])
        extra.setdefault("disclosures", {}).update(part["truth"])
    counts = truth.write(world, out, extra)["counts"]
    (out / "README.md").write_text(_readme(counts, seed, profile), encoding="utf-8")
    return counts


def _readme(counts: dict, seed: int, profile: Profile) -> str:
    lines = [
        "# 示例数据 — bundled sample sources",
        "",
        "（示例数据，非真实信息）Everything here is fictional and generated; do not edit by hand.",
        f"Regenerate with `python -m samplegen --out data/samples --seed {seed}` (profile `{profile.name}`);",
        "the same seed writes the same bytes. Each folder is one source, read through its spec",
        "`etl/sources/<folder>.yaml`. `_truth.json` lists the facts the documents were written from",
        "and every deliberately messy case (`planted`).",
        "",
        "| source | kind | format |",
        "|---|---|---|",
    ]
    lines += [f"| {sid} | {kind} | {fmt} |" for sid, (kind, fmt) in SOURCES.items()]
    lines += ["", "| count | value |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in counts.items()]
    return "\n".join(lines) + "\n"
