"""Datasette refuses to start when what the configuration relies on is missing: an unknown
Datasette version, or SQL switched off (DISCLOSURE_ALLOW_SQL=0) without Datasette refusing it.
`make test` runs these, so an upgrade of Datasette fails here first (docs/datasette.md,
"Upgrading Datasette")."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from pathlib import Path

import pytest
from datasette.app import Datasette
from datasette.version import __version__ as installed

from publish import datasette_serve
from publish.datasette.plugins import sql_switch

ROOT = Path(__file__).resolve().parent.parent


def pins(path: Path) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(encoding="utf-8"), re.M)
    return {name.lower(): version for name, version in found}


def test_datasette_is_pinned_once_and_installed_at_that_version():
    pinned = datasette_serve.pinned_datasette()
    assert pins(ROOT / "requirements.txt")["datasette"] == pinned
    assert pins(ROOT / "publish" / "datasette" / "requirements.txt")["datasette"] == pinned
    assert installed == pinned, f"Datasette {installed} installed, {pinned} pinned: see docs/datasette.md"


def test_the_configuration_starts_under_the_pinned_version(public_db):
    inspect = datasette_serve.inspect_file_for(public_db, public_db.with_name("startup.inspect.json"))
    ds = datasette_serve.build(public_db, inspect)
    asyncio.run(datasette_serve.check_startup(ds))
    assert asyncio.run(ds.client.get("/public/accidents.json")).status_code == 200


@pytest.mark.parametrize("version", ["0.65.4", "0.66", "1.0a19", "", "0.65.5.dev0"])
def test_an_unknown_version_fails_loudly(version):
    with pytest.raises(datasette_serve.UnsupportedDatasette, match="Upgrading Datasette"):
        datasette_serve.check_datasette_version(version)


# ------------------------------------------------------------------ the SQL switch fails closed


class FakeDatasette:
    """A Datasette whose execute-sql check answers `answer` (an exception is raised)."""

    def __init__(self, answer, databases=("public",)):
        self.databases = dict.fromkeys(databases)
        self.answer = answer

    async def permission_allowed(self, actor, action, resource=None, default=False):
        if isinstance(self.answer, Exception):
            raise self.answer
        return default if self.answer is None else self.answer


class WithoutPermissions:
    """A Datasette without the mechanism at all."""

    databases = {"public": None}


@pytest.mark.parametrize(
    "fake",
    [FakeDatasette(True), FakeDatasette(None), WithoutPermissions(), FakeDatasette(KeyError("execute-sql"))],
    ids=["allowed", "no-opinion", "no-mechanism", "error"],
)
def test_the_switch_check_fails_closed(fake):
    with pytest.raises(sql_switch.SqlSwitchError):
        asyncio.run(sql_switch.check_sql_refused(fake))


def test_the_switch_check_passes_only_when_every_answer_is_no():
    asyncio.run(sql_switch.check_sql_refused(FakeDatasette(False)))
    with pytest.raises(sql_switch.SqlSwitchError, match="no database"):
        asyncio.run(sql_switch.check_sql_refused(FakeDatasette(False, databases=())))


def test_switched_off_without_the_configuration_datasette_does_not_start(public_db, monkeypatch):
    """A server started by hand with metadata.yml but not the switch's configuration: the
    plugin's startup hook refuses it, and so does datasette_serve's own check."""
    kwargs = datasette_serve.datasette_kwargs()  # SQL on: no allow_sql block
    monkeypatch.setenv("DISCLOSURE_ALLOW_SQL", "0")
    ds = Datasette(immutables=[str(public_db)], **kwargs)
    with pytest.raises(RuntimeError, match="still allows execute-sql"):
        asyncio.run(ds.invoke_startup())
    bare = Datasette(immutables=[str(public_db)], metadata=kwargs["metadata"])  # no plugins at all
    with pytest.raises(RuntimeError, match="still allows execute-sql"):
        asyncio.run(datasette_serve.check_startup(bare))


def test_the_server_refuses_to_start_when_the_switch_does_not_hold(public_db, tmp_path):
    """Served as `make datasette` does, with a plugin that grants execute-sql back."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "grant.py").write_text(
        "from datasette import hookimpl\n\n\n@hookimpl(trylast=True)\n"
        "def permission_allowed(action):\n    return True if action == 'execute-sql' else None\n"
    )
    code = (
        "import sys; from publish import datasette_serve as s; from pathlib import Path; "
        f"s.PLUGINS = Path({str(plugins)!r}); s.main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--db", str(public_db), "--port", "1", "--workers", "1"],
        cwd=ROOT,
        env={
            "DISCLOSURE_ALLOW_SQL": "0",
            "DISCLOSURE_DATASETTE_WARM": "0",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "refuses to start" in done.stderr and "still allows execute-sql" in done.stderr
