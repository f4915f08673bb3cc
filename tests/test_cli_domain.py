"""etl/cli_domain.py through the real entry point: `python -m etl check-code / parse-report`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "etl", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


@pytest.mark.parametrize(
    "code, kind, status",
    [
        ("91350802581142663K", "统一社会信用代码", 0),
        ("914403001922038216", "统一社会信用代码", 0),
        ("91110108717809965C", "统一社会信用代码", 1),
        ("110108000000016", "工商注册号", 0),
        ("D2143569-X", "组织机构代码", 0),
        ("12345", "无法识别", 1),
    ],
)
def test_check_code(code, kind, status):
    result = run("check-code", code)
    assert result.returncode == status, result.stderr
    assert kind in result.stdout
    assert ("有效" if status == 0 else "无效") in result.stdout


def test_check_code_says_why():
    result = run("check-code", "91110108717809965C")
    assert "校验码不符：应为J，实为C" in result.stdout


def test_check_code_never_prints_a_birth_date():
    result = run("check-code", "34052419800101001X")
    assert result.returncode == 0
    assert "19800101" not in result.stdout and "340524********001X" in result.stdout


REPORT = (
    "2019年6月12日14时许，位于白银市平川区的甘肃示例化工有限公司合成车间发生爆炸，事故造成3人死亡、"
    "2人受伤，直接经济损失1286.7万元。经调查认定，该起事故是一起较大生产安全责任事故。"
)


def test_parse_report_from_file(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text(REPORT, encoding="utf-8")
    result = run("parse-report", str(path))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["occurred_on"] == "2019-06-12" and data["region_code"] == "620403"
    assert (data["deaths"], data["injuries"], data["grade"], data["grade_computed"]) == (3, 2, "较大", "较大")
    assert "甘肃示例化工有限公司" in result.stdout  # ensure_ascii=False
    assert result.stdout.startswith("{\n  ")  # indent 2


def test_parse_report_from_stdin_with_anchor():
    result = run("parse-report", "-", "--anchor", "2023-08-14", stdin="当日14时许，示例公司发生火灾。")
    assert json.loads(result.stdout)["occurred_on"] == "2023-08-14"
    bad = run("parse-report", "-", "--anchor", "2023/08/14", stdin="x")
    assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr


def test_commands_have_help():
    for command in ("check-code", "parse-report"):
        result = run(command, "--help")
        assert result.returncode == 0 and len(result.stdout) > 80
    listing = run("--help").stdout
    assert "check-code" in listing and "parse-report" in listing
