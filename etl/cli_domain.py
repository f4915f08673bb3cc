"""Staff commands for the domain rules: check-code, parse-report, mask-eval and eval-extract (registered by
etl/cli.py).

Thin click layer: each command calls one library function and prints its answer in Chinese.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from etl.extract.report import extract_report
from etl.normalize.codes import KIND_LABELS, describe_code
from etl.normalize.mask import mask_id_numbers

_DETAIL_LABELS = {
    "registry_dept": "登记管理部门",
    "org_category": "机构类别",
    "region_code": "行政区划码",
    "region_name": "行政区划",
    "org_code": "组织机构代码（第9-17位）",
    "org_code_valid": "组织机构代码校验",
    "check_char_expected": "应有校验码",
    "formatted": "规范写法",
}


def _detail_value(value) -> str:
    if value is True:
        return "通过"
    if value is False:
        return "未通过"
    return "—" if value is None else str(value)


@click.command("check-code")
@click.argument("code")
def check_code(code: str) -> None:
    """检查统一社会信用代码、组织机构代码、工商注册号或身份证号码：类型、是否有效及原因。

    退出码 0 表示有效，1 表示无效。身份证号码只显示地址码，不显示出生日期。
    """
    result = describe_code(code)
    shown = result.normalized
    if result.kind == "id_number":  # never echo a birth date (个人信息保护法 第二十八条)
        shown = mask_id_numbers(shown, force=True)
    click.echo(f"代码：{shown or '（空）'}")
    click.echo(f"类型：{KIND_LABELS[result.kind]}（{result.kind}）")
    click.echo(f"结论：{'有效' if result.valid else '无效'}")
    for problem in result.problems:
        click.echo(f"  问题：{problem}")
    for key, value in result.details.items():
        if value is None:
            continue
        click.echo(f"  {_DETAIL_LABELS.get(key, key)}：{_detail_value(value)}")
    sys.exit(0 if result.valid else 1)


@click.command("parse-report")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option(
    "--anchor",
    metavar="YYYY-MM-DD",
    default=None,
    help="发布日期，用于解析“当日”“去年3月5日”等相对日期；不给则相对日期留空。",
)
def parse_report(file, anchor: str | None) -> None:
    """从事故调查报告或事故简介的正文中提取字段，输出 JSON（FILE 为 - 时读标准输入）。

    发布前用于核对：发生日期、事故单位、地区代码、伤亡人数、直接经济损失、事故等级
    （文中所述与按条例第三条计算的）、事故类型、是否瞒报谎报、责任追究。人名已遮蔽。
    """
    try:
        anchor_date = date.fromisoformat(anchor) if anchor else None
    except ValueError:
        raise click.BadParameter("日期格式应为 YYYY-MM-DD", param_hint="--anchor")
    result = extract_report(file.read(), anchor=anchor_date)
    click.echo(json.dumps(result, ensure_ascii=False, indent=2))


DEFAULT_MASK_SET = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "persons" / "sentences.jsonl"
_KIND_LABELS = {"person": "人名 person", "id_number": "身份证号 ID number", "phone": "电话 phone"}


def load_labelled(path: Path) -> list[dict]:
    """The labelled sentences (JSONL: id, text, spans [{kind, start, end, text}]), checked."""
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            rec = json.loads(line)
            for span in rec.get("spans", []):
                if rec["text"][span["start"] : span["end"]] != span.get(
                    "text", rec["text"][span["start"] : span["end"]]
                ):
                    raise click.ClickException(f"{path}:{n}: span {span} does not match the text")
            records.append(rec)
    return records


@click.command("mask-eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=False)
def mask_eval(file: Path | None) -> None:
    """在标注语料上评估个人信息识别（人名、身份证号码、电话号码）：每类的精确率、召回率和漏检项。

    FILE 为 JSONL（默认 tests/corpus/persons/sentences.jsonl）。标为 negative 的片段（企业名称、
    地名、职务、代码、文号等）被遮蔽时逐条列出。有漏检或误遮蔽时退出码为 1。
    """
    from etl.normalize.mask import evaluate

    path = file or DEFAULT_MASK_SET
    records = load_labelled(path)
    result = evaluate(records)
    click.echo(f"语料：{path}（{len(records)} 句）")
    click.echo(f"{'类别 kind':<22}{'标注':>6}{'检出':>6}{'命中':>6}{'召回率':>9}{'精确率':>9}")
    for kind, s in result["stats"].items():
        click.echo(
            f"{_KIND_LABELS[kind]:<22}{s['gold']:>6}{s['found']:>6}{s['hits']:>6}"
            f"{s['recall']:>9.1%}{s['precision']:>9.1%}"
        )
    negatives = sum(1 for r in records for s in r.get("spans", []) if s["kind"] == "negative")
    click.echo(f"负例片段（不应遮蔽）：{negatives}，被遮蔽：{len(result['negatives_masked'])}")
    for rec_id, kind, found, text in result["misses"]:
        click.echo(f"  漏检 miss [{rec_id}] {kind}: {found}　｜ {text}")
    for rec_id, kind, found, text in result["false_hits"]:
        click.echo(f"  误检 false [{rec_id}] {kind}: {found}　｜ {text}")
    for rec_id, found, text in result["negatives_masked"]:
        click.echo(f"  误遮蔽负例 negative masked [{rec_id}]: {found}　｜ {text}")
    sys.exit(1 if result["misses"] or result["negatives_masked"] else 0)


@click.command("eval-extract")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), required=False)
@click.option("--misses", is_flag=True, help="逐条列出错误和漏提取的值。")
def eval_extract(directory: Path | None, misses: bool) -> None:
    """在标注的事故报告语料上评估字段提取：每个字段正确、错误、漏提取的比例。

    DIRECTORY 默认 tests/corpus/reports（格式见其中 README.md）。低于标准（etl/extract/evaluate.py
    BAR：死亡人数和发生日期正确率 ≥98% 等；死亡人数和事故单位错误率 ≤1%）时退出码为 1。
    """
    from etl.extract import evaluate  # imported here: the corpus is read only by this command

    try:
        cases = evaluate.load_cases(directory or evaluate.CORPUS)
    except (ValueError, json.JSONDecodeError) as exc:
        raise click.ClickException(f"语料无法读取：{exc}")
    if not cases:
        raise click.ClickException(f"{directory or evaluate.CORPUS} 中没有标注的报告")
    report = evaluate.evaluate(cases)
    for line in evaluate.summary_lines(report, show_misses=misses):
        click.echo(line)
    failures = report.failures()
    for failure in failures:
        click.echo(f"未达标：{failure}")
    click.echo("结论：" + ("未达标" if failures else "达标"))
    sys.exit(1 if failures else 0)


COMMANDS = [check_code, parse_report, mask_eval, eval_extract]
