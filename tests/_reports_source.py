"""A small accident-report source of our own (a CSV read through a spec file, as any source is)
for the evidence, review and correction tests, run through the real ETL command line on a
scratch database, archive, decision folder and release destination.

The reports are fictional (示例) and written for the cases they hold: a death count the text
states twice (3, then 4), a plain report, a source table whose 死亡人数 differs from its text,
and a stated grade below the one its figures give (条例第三条).
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "t-reports"

DISAGREES = dict(
    标题="示例甲化工有限公司“3·12”爆炸事故调查报告",
    正文="2024年3月12日10时许，兰州市西固区示例甲化工有限公司发生爆炸事故，造成3人死亡，2人受伤，"
    "直接经济损失1200万元。\n经调查，事故造成4人死亡。事故等级为较大。\n"
    "三、责任认定及处理建议\n（一）张三昌，示例甲化工有限公司总经理，对事故负有主要责任，"
    "建议由应急管理部门处上一年年收入60%的罚款。",
    死亡人数="",
    发布日期="2024-06-01",
)
PLAIN = dict(
    标题="示例乙建材有限公司“5·6”坍塌事故调查报告",
    正文="2024年5月6日9时许，天水市秦州区示例乙建材有限公司发生坍塌事故，造成1人死亡，直接经济损失150万元。"
    "\n事故等级为一般。",
    死亡人数="",
    发布日期="2024-08-01",
)
TABLE_DIFFERS = dict(
    标题="示例丁物流有限公司“9·9”车辆伤害事故调查报告",
    正文="2024年9月9日14时许，酒泉市肃州区示例丁物流有限公司发生车辆伤害事故，造成1人死亡，直接经济损失120万元。"
    "\n事故等级为一般。",
    死亡人数="2",
    发布日期="2024-11-01",
)
GRADE_LOW = dict(
    标题="示例丙矿业有限公司“7·8”透水事故调查报告",
    正文="2024年7月8日3时许，白银市平川区示例丙矿业有限公司发生透水事故，造成3人死亡，直接经济损失500万元。"
    "\n事故等级为一般。",
    死亡人数="",
    发布日期="2024-10-01",
)
LATER = dict(
    标题="示例戊化工有限公司“2·3”中毒事故调查报告",
    正文="2025年2月3日8时许，金昌市金川区示例戊化工有限公司发生中毒事故，造成2人死亡，直接经济损失300万元。"
    "\n事故等级为一般。",
    死亡人数="",
    发布日期="2025-05-01",
)


class Workspace:
    """A scratch deployment: the CSV and its spec, the database, the archive, the decisions."""

    def __init__(self, base: Path, reports=(DISAGREES, PLAIN, TABLE_DIFFERS, GRADE_LOW)):
        self.base = Path(base)
        self.db = self.base / "disclosure.db"
        self.corrections = self.base / "corrections"
        self.dest = self.base / "dist"
        (self.base / "sources").mkdir(parents=True, exist_ok=True)
        self.csv = self.base / "reports.csv"
        self.write(list(reports))
        (self.base / "sources" / f"{SOURCE}.yaml").write_text(
            f"id: {SOURCE}\ntitle: 测试事故调查报告（示例数据）\nkind: accidents\npublisher: 测试应急管理局\n"
            f'licence: 示例数据\nformat: csv\nurl: "{self.csv.as_uri()}"\nregion_code: "620000"\nsample: true\n'
            "fields:\n  title: 标题\n  body: 正文\n  deaths: 死亡人数\n  published_on: 发布日期\n"
            "assertions:\n  min_records: 1\n",
            encoding="utf-8",
        )

    def write(self, reports: list[dict]) -> None:
        with open(self.csv, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["标题", "正文", "死亡人数", "发布日期"])
            writer.writeheader()
            writer.writerows(reports)

    def env(self, **extra) -> dict:
        return dict(
            os.environ,
            DISCLOSURE_SOURCES=str(self.base / "sources"),
            DISCLOSURE_DB=str(self.db),
            DISCLOSURE_ARCHIVE=str(self.base / "archive"),
            DISCLOSURE_CORRECTIONS=str(self.corrections),
            DISCLOSURE_RELEASES=str(self.dest),
            COLUMNS="250",
            **extra,
        )

    def etl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`python -m etl ARGS` in its own process on this workspace."""
        done = subprocess.run(
            [sys.executable, "-m", "etl", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert done.returncode == 0, done.stdout + done.stderr
        return done

    def query(self, sql: str, params=()) -> list[dict]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in conn.execute(sql, params)]
        finally:
            conn.close()

    def accident(self, title: str) -> dict:
        return self.query("SELECT * FROM accidents WHERE title = ?", (title,))[0]

    def evidence(self, title: str) -> dict[str, dict]:
        rows = self.query(
            "SELECT e.* FROM evidence e JOIN accidents a ON a.id = e.accident_id"
            " WHERE a.title = ? AND e.removed_run IS NULL",
            (title,),
        )
        return {r["field"] if r["accountability_id"] is None else r["id"]: r for r in rows}

    def disagreement(self, title: str) -> tuple[int, int]:
        """(the death count read, the other count the text states): which of the two sentences
        the extractor trusts is its business; the tests take whichever it chose."""
        evidence = self.evidence(title)["deaths"]
        return evidence["value"], json.loads(evidence["candidates"])[0]["value"]

    def review(self, *args: str) -> dict:
        return json.loads(self.etl("review", "--json", *args).stdout)

    def decisions_text(self) -> str:
        path = self.corrections / "accidents.yaml"
        return path.read_text(encoding="utf-8") if path.exists() else ""
