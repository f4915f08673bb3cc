"""SVG charts drawn at build time (no chart library, nothing loaded from the network).

Each chart is an <svg role="img"> with a <title> and <desc>; the template always prints the same
numbers as a table next to it, which is the accessible form of the data (WCAG 1.1.1). Colours
have at least 3:1 contrast against white (WCAG 1.4.11).
"""

from __future__ import annotations

from markupsafe import Markup, escape

BAR = "#1f5f99"
BAR2 = "#8a4b08"
TARGET = "#b3261e"
INK = "#1a1a1a"
GRID = "#767676"


def _fmt(v, digits=0):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}" if digits else f"{v:,.0f}"


def _svg(chart_id, width, height, title, desc, body):
    return Markup(
        f'<svg class="chart" id="{chart_id}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>'
        f"{body}</svg>"
    )


def hbar(chart_id: str, title: str, rows: list[tuple[str, float]], unit: str = "", digits: int = 0) -> Markup:
    """Horizontal bars, one per (label, value): readable for Chinese category names on phones."""
    width, label_w, row_h, top = 640, 150, 30, 10
    height = top * 2 + row_h * max(len(rows), 1)
    vmax = max((v or 0 for _, v in rows), default=0) or 1
    plot_w = width - label_w - 90
    parts = []
    for i, (label, value) in enumerate(rows):
        y = top + i * row_h
        w = (value or 0) / vmax * plot_w
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end" fill="{INK}" font-size="14">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="{row_h - 10}" fill="{BAR}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 19}" fill="{INK}" font-size="13">{_fmt(value, digits)}{escape(unit)}</text>'
        )
    desc = "；".join(f"{label} {_fmt(v, digits)}{unit}" for label, v in rows) or "无数据"
    return _svg(chart_id, width, height, title, desc, "".join(parts))


def distribution(rows, chart_id: str, title: str, unit: str = "") -> Markup:
    """hbar() over distribution rows (label, reports, deaths), as the tables beside it list them;
    a Jinja filter, so a template can chart rows it has reordered."""
    return hbar(chart_id, title, [(row[0], row[1]) for row in rows], unit)


def columns(
    chart_id: str,
    title: str,
    rows: list[tuple[str, float]],
    unit: str = "",
    digits: int = 0,
    color: str = BAR,
) -> Markup:
    """Vertical columns over years (or any ordered categories)."""
    width, height, left, bottom, top = 640, 260, 50, 30, 24
    n = max(len(rows), 1)
    vmax = max((v or 0 for _, v in rows), default=0) or 1
    plot_h = height - top - bottom
    slot = (width - left - 10) / n
    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="{GRID}"/>'
    ]
    for i, (label, value) in enumerate(rows):
        h = (value or 0) / vmax * plot_h
        x = left + i * slot + slot * 0.15
        w = slot * 0.7
        y = height - bottom - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}"/>'
            f'<text x="{x + w / 2:.1f}" y="{y - 5:.1f}" text-anchor="middle" fill="{INK}" font-size="12">{_fmt(value, digits)}</text>'
            f'<text x="{x + w / 2:.1f}" y="{height - bottom + 18}" text-anchor="middle" fill="{INK}" font-size="12">{escape(label)}</text>'
        )
    desc = "；".join(f"{label}：{_fmt(v, digits)}{unit}" for label, v in rows) or "无数据"
    return _svg(chart_id, width, height, title, desc, "".join(parts))


def line_with_target(
    chart_id: str,
    title: str,
    rows: list[tuple[str, float]],
    target: float | None,
    target_label: str,
    unit: str = "",
    digits: int = 3,
) -> Markup:
    """A line over years with a dashed horizontal target (e.g. the −30% goal)."""
    width, height, left, bottom, top = 640, 260, 60, 30, 24
    values = [v for _, v in rows if v is not None] + ([target] if target is not None else [])
    vmax = (max(values) if values else 1) * 1.15 or 1
    plot_h = height - top - bottom
    n = max(len(rows), 1)
    step = (width - left - 30) / max(n - 1, 1)

    def y_of(v):
        return height - bottom - v / vmax * plot_h

    parts = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="{GRID}"/>'
    ]
    points = [(left + i * step, y_of(v), label, v) for i, (label, v) in enumerate(rows) if v is not None]
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{BAR}" stroke-width="3"/>')
    for x, y, label, v in points:
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"/>'
            f'<text x="{x:.1f}" y="{y - 9:.1f}" text-anchor="middle" fill="{INK}" font-size="11">{_fmt(v, digits)}</text>'
        )
    for i, (label, _) in enumerate(rows):
        parts.append(
            f'<text x="{left + i * step:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'fill="{INK}" font-size="12">{escape(label)}</text>'
        )
    if target is not None:
        ty = y_of(target)
        parts.append(
            f'<line x1="{left}" y1="{ty:.1f}" x2="{width - 10}" y2="{ty:.1f}" stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 5"/>'
            f'<text x="{width - 12}" y="{ty - 6:.1f}" text-anchor="end" fill="{TARGET}" font-size="12">{escape(target_label)} {_fmt(target, digits)}</text>'
        )
    desc = "；".join(f"{label}：{_fmt(v, digits)}{unit}" for label, v in rows)
    if target is not None:
        desc += f"。{target_label}：{_fmt(target, digits)}{unit}"
    return _svg(chart_id, width, height, title, desc or "无数据", "".join(parts))
