"""No new patching of Datasette creeps into publish/datasette/plugins/.

A plugin extends Datasette through its documented hooks. This test reads every plugin's source
(ast, nothing is imported) and lists what does otherwise: an assignment to an attribute of a
Datasette module, class or object (`Datasette.absolute_url = …`, `database.execute = …`,
`setattr(database, …)`), a private name of Datasette read or imported (`datasette._x`,
`from datasette.app import _x`). What remains is allowed below, each with the reason it stays
(docs/datasette.md, "What still patches Datasette"); an entry that no longer matches fails too,
so the list shrinks with the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGINS = ROOT / "publish" / "datasette" / "plugins"

# Names that hold Datasette's own objects in a plugin: the hook arguments, and what a plugin
# gets from them (Database objects, requests).
DATASETTE_OBJECTS = {"datasette", "ds", "database", "db", "request", "scope_datasette"}

REASONS = {
    "speed": "replacing it loses the national-size speed targets (docs/datasette.md)",
}

# (plugin, what it does) -> why it stays
ALLOWED = {
    ("fast_cells.py", "assigns table_view.display_columns_and_rows"): "speed",
    ("inline_sql.py", "assigns Database.execute_fn"): "speed",
    ("inline_sql.py", "assigns database_module.sqlite_timelimit"): "speed",
    ("inline_sql.py", "reads db.ds._prepare_connection"): "speed",
    ("permission_cache.py", "reads datasette._table_permission_allows"): "speed",
    ("permission_cache.py", "assigns datasette._table_permission_allows"): "speed",
    ("permission_cache.py", "reads datasette._metadata_local"): "speed",
    ("schema_cache.py", "assigns datasette.refresh_schemas"): "speed",
    ("schema_cache.py", "setattr on database"): "speed",
    ("facet_counts.py", "assigns database.execute"): "speed",
    ("facet_plan.py", "assigns database.execute"): "speed",
    ("search_plan.py", "assigns database.execute"): "speed",
}


def datasette_names(tree: ast.Module) -> set[str]:
    """Names a module binds to Datasette's modules and classes by importing them."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names if a.name.startswith("datasette")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("datasette"):
            names |= {a.asname or a.name for a in node.names if a.name != "hookimpl"}
    return names


def root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def patches(source: str) -> set[str]:
    """What a plugin's source does to Datasette beyond its hooks."""
    tree = ast.parse(source)
    owned = datasette_names(tree) | DATASETTE_OBJECTS
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("datasette"):
            found |= {f"imports private {node.module}.{a.name}" for a in node.names if a.name.startswith("_")}
        targets = []
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and root_name(target) in owned:
                found.add(f"assigns {ast.unparse(target)}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in ("setattr", "delattr")
        ):
            if node.args and root_name(node.args[0]) in owned:
                found.add(f"{node.func.id} on {ast.unparse(node.args[0])}")
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Load)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and root_name(node) in owned
        ):
            found.add(f"reads {ast.unparse(node)}")
    return found


def test_plugins_patch_nothing_beyond_the_allow_list():
    found = {
        (path.name, what)
        for path in sorted(PLUGINS.glob("*.py"))
        for what in patches(path.read_text(encoding="utf-8"))
    }
    assert sorted(found - set(ALLOWED)) == [], "patching Datasette: use a documented hook instead"
    assert sorted(set(ALLOWED) - found) == [], "no longer patched: remove from ALLOWED"
    assert set(ALLOWED.values()) <= set(REASONS)


def test_the_scan_sees_each_kind_of_patch():
    source = (
        "import datasette.facets as facets_module\n"
        "from datasette.app import Datasette, _private\n"
        "facets_module.load_facet_configs = f\n"
        "Datasette.absolute_url = f\n"
        "def startup(datasette):\n"
        "    datasette._x = datasette._y\n"
        "    for database in datasette.databases.values():\n"
        "        database.execute = f\n"
        "        setattr(database, 'table_names', f)\n"
        "def own(): pass\n"
        "own.cache = {}\n"
    )
    assert patches(source) == {
        "imports private datasette.app._private",
        "assigns facets_module.load_facet_configs",
        "assigns Datasette.absolute_url",
        "assigns datasette._x",
        "reads datasette._y",
        "assigns database.execute",
        "setattr on database",
    }
