"""The command lines staff use: every command has help, and the listing commands work on a
real database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from etl.cli import cli as etl_cli
from etl.spec import SpecError, load_spec, load_specs
from publish.cli import cli as publish_cli

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.mark.parametrize("group", [etl_cli, publish_cli], ids=["etl", "publish"])
def test_every_command_has_help(group):
    names = sorted(group.commands)
    assert names, "no commands registered"
    for name in names:
        command = group.commands[name]
        assert command.help and command.help.strip(), f"{group.name} {name} has no help text"
        result = CliRunner().invoke(group, [name, "--help"])
        assert result.exit_code == 0, result.output


def test_etl_commands_present():
    assert {"run", "sources", "rejects", "check-code", "parse-report", "public"} <= set(etl_cli.commands)
    assert {"release", "preview", "diff", "rollback", "deploy", "status", "promote"} <= set(
        publish_cli.commands
    )


def run(*args, db):
    env = dict(os.environ, DISCLOSURE_DB=str(db), COLUMNS="200")
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_sources_lists_last_run_status_and_freshness(internal_db):
    proc = run("sources", db=internal_db)
    assert proc.returncode == 0, proc.stderr
    for spec in load_specs():
        assert spec.id in proc.stdout
    assert "ok" in proc.stdout and ("fresh" in proc.stdout or "stale" in proc.stdout)


def test_rejects_shows_reasons(internal_db):
    proc = run("rejects", "--all", db=internal_db)
    assert proc.returncode == 0, proc.stderr
    assert "重复记录" in proc.stdout


def test_unknown_source_is_a_clear_error(internal_db):
    proc = run("run", "--only", "no-such-source", db=internal_db)
    assert proc.returncode != 0 and "no-such-source" in proc.stderr


@pytest.mark.parametrize(
    "text, message",
    [
        ("id: bad\ntitle: t\n", "publisher"),
        (
            "id: bad\ntitle: t\nkind: nonsense\npublisher: p\nlicence: l\nformat: csv\nurl: x\nfields: {a: b}\n",
            "kind",
        ),
        (
            "id: bad\ntitle: t\nkind: bans\npublisher: p\nlicence: l\nformat: html_list\nurl: x\nfields: {a: b}\n",
            "list",
        ),
        (
            "id: other\ntitle: t\nkind: bans\npublisher: p\nlicence: l\nformat: csv\nurl: x\nfields: {a: b}\n",
            "file name",
        ),
        ("id: [unclosed\n", "YAML"),
    ],
)
def test_bad_spec_gives_a_clear_error_naming_file_and_field(tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as info:
        load_spec(path)
    assert "bad.yaml" in str(info.value) and message in str(info.value)


def test_every_bundled_spec_names_publisher_url_and_licence():
    for spec in load_specs():
        assert spec.publisher and spec.licence and spec.all_urls()
