"""The tables of docs/ that describe code are checked against the code, so they cannot drift:
Datasette's settings, canned queries, plugins, packages, environment switches and remaining
patches (docs/datasette.md), and the accident-type and sector vocabularies (docs/vocabulary.md).

A change that adds a setting, a query, a plugin, a switch or a vocabulary word fails here until
its documentation says it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from etl.rules import vocabulary
from tests.test_datasette_no_patching import ALLOWED

ROOT = Path(__file__).resolve().parent.parent
DATASETTE = ROOT / "publish" / "datasette"
DATASETTE_DOC = (ROOT / "docs" / "datasette.md").read_text(encoding="utf-8")
VOCABULARY_DOC = (ROOT / "docs" / "vocabulary.md").read_text(encoding="utf-8")


def section(doc: str, heading: str) -> str:
    """The text under the heading that starts with `heading`, up to the next heading of its level
    or higher."""
    match = re.search(rf"^(#+) {re.escape(heading)}.*$", doc, re.M)
    assert match, f"no heading {heading!r}"
    level = len(match.group(1))
    end = re.compile(rf"^#{{1,{level}}} ", re.M).search(doc, match.end())
    return doc[match.end() : end.start() if end else len(doc)]


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the first Markdown table in `text`, cells stripped."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("|"))
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("|")), len(lines))
    rows = lines[start:end]
    assert len(rows) >= 3, "no table"
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[2:]]


def code(cell: str) -> str:
    return cell.strip().strip("`")


def test_settings_table_gives_each_setting_its_configured_value():
    settings = json.loads((DATASETTE / "settings.json").read_text(encoding="utf-8"))
    documented = {}
    for name_cell, value_cell, _ in table_rows(section(DATASETTE_DOC, "Settings")):
        names = [code(n) for n in name_cell.split(",")]
        values = [v.strip() for v in value_cell.split(",")] if len(names) > 1 else [value_cell]
        assert len(names) == len(values), name_cell
        documented.update(zip(names, values))
    for name, value in documented.items():
        assert name in settings, f"docs name setting {name}, settings.json has none"
        assert value == json.dumps(settings[name]), f"{name}: docs {value}, settings.json {settings[name]}"


def test_every_setting_changed_from_datasettes_default_is_documented():
    from datasette.app import SETTINGS

    defaults = {s.name: s.default for s in SETTINGS}
    settings = json.loads((DATASETTE / "settings.json").read_text(encoding="utf-8"))
    documented = section(DATASETTE_DOC, "Settings")
    changed = {name for name, value in settings.items() if defaults.get(name) != value}
    missing = sorted(name for name in changed if f"`{name}`" not in documented)
    assert not missing, f"settings.json changes these from Datasette's default, undocumented: {missing}"


def test_canned_queries_table_lists_every_query_with_its_title():
    queries = yaml.safe_load((DATASETTE / "queries.yml").read_text(encoding="utf-8"))
    queries = queries.get("queries", queries)
    rows = {code(row[0]): row[1] for row in table_rows(section(DATASETTE_DOC, "Canned queries"))}
    assert set(rows) == set(
        queries
    ), f"undocumented: {sorted(set(queries) - set(rows))}; gone: {sorted(set(rows) - set(queries))}"
    for name, title in rows.items():
        assert title.startswith(
            queries[name]["title"]
        ), f"{name}: docs {title!r}, queries.yml {queries[name]['title']!r}"


def test_plugins_table_lists_every_plugin_and_pinned_package():
    rows = table_rows(section(DATASETTE_DOC, "Plugins and packages"))
    plugins = {code(row[0]).removeprefix("plugins/") for row in rows if code(row[0]).startswith("plugins/")}
    files = {p.name for p in (DATASETTE / "plugins").glob("*.py") if p.name != "__init__.py"}
    assert plugins == files, f"undocumented: {sorted(files - plugins)}; gone: {sorted(plugins - files)}"
    pins = dict(
        line.split("==", 1)
        for line in (DATASETTE / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if "==" in line and not line.startswith("#")
    )
    pins = {name.lower(): version.strip() for name, version in pins.items()}
    for row in rows:
        name, version = code(row[0]), row[1]
        if not name.startswith("plugins/"):
            assert (
                pins.get(name.lower()) == version
            ), f"{name}: docs {version}, requirements {pins.get(name.lower())}"


# os.environ.get("X"), os.environ["X"], getenv("X"), a plugin's _setting("X", default)
_READ = re.compile(r'(?:environ\.get\(|environ\[|getenv\(|_setting\()\s*"(DISCLOSURE_[A-Z0-9_]+)"')
# NAME=value passed to a child's environment: a hand-over between the code's own processes
_SET = re.compile(r"\b(DISCLOSURE_[A-Z0-9_]+)=")


def test_every_environment_switch_of_datasette_is_documented():
    sources = [*(DATASETTE / "plugins").glob("*.py"), ROOT / "publish" / "datasette_serve.py"]
    texts = [path.read_text(encoding="utf-8") for path in sources]
    read = {name for text in texts for name in _READ.findall(text)}
    handed_over = {name for text in texts for name in _SET.findall(text)}
    assert len(read) > 10, read  # the pattern still finds how the code reads its settings
    missing = sorted(name for name in read - handed_over if name not in DATASETTE_DOC)
    assert not missing, f"read by publish/datasette but not in docs/datasette.md: {missing}"


def test_remaining_patches_table_matches_the_allow_list():
    rows = table_rows(section(DATASETTE_DOC, "What still patches Datasette"))
    documented = {code(name) for row in rows for name in row[0].split(",")}
    allowed = {plugin for plugin, _ in ALLOWED}
    assert (
        documented == allowed
    ), f"undocumented: {sorted(allowed - documented)}; gone: {sorted(documented - allowed)}"


def test_accident_type_table_is_the_standards_list_in_order():
    rows = table_rows(section(VOCABULARY_DOC, "Accident type"))
    assert [(row[0], row[1]) for row in rows] == [
        (f"{i:02d}", name) for i, name in enumerate(vocabulary.ACCIDENT_TYPES, 1)
    ]


def test_subtype_table_gives_each_subtype_its_classes():
    rows = table_rows(section(VOCABULARY_DOC, "Subtypes"))
    documented = {
        subtype.strip(): tuple(c.strip() for c in classes.split(","))
        for names, classes, _ in rows
        for subtype in names.split(",")
    }
    assert documented == dict(vocabulary.SUBTYPES)


def test_sector_list_is_the_vocabulary():
    text = section(VOCABULARY_DOC, "Sector")
    listed = re.search(r"`industry` is one of: (.+?) —", text, re.S).group(1)
    assert [s.strip() for s in listed.replace("\n", "").split(",")] == list(vocabulary.SECTORS)
