"""双随机、一公开 抽查结果 of the emergency-management departments: one row per inspected object.

Results are worded differently by every publisher (未发现问题, 正常, 发现问题，已责令限期整改,
查无下落, 已停产 …); they are read into one code: no_problem | problems | not_found | closed.
"""

from __future__ import annotations

import re

from etl.datasets.common import (
    BLANKS,
    Context,
    Reject,
    checked_date,
    clean_text,
    free_text,
    optional_uscc,
    region_of,
    required,
    stable_id,
    text,
)
from etl.normalize.names import normalize_enterprise_name
from etl.normalize.numbers import parse_count
from etl.normalize.text import to_halfwidth, to_simplified

TABLE = "inspections"
# Checked in this order: an object not found, then any problem found (未发现 is not 发现),
# then a closed or stopped object, then the clean results.
_NOT_FOUND = ("查无下落", "下落不明", "未找到", "无法联系", "查无此", "不在登记")
_PROBLEMS = re.compile(
    r"(?<!未)(?<!没有)发现(?:问题|隐患|违法)|存在(?:问题|隐患)|责令|不合格|不正常|限期整改|立案"
)
_CLOSED = ("停产", "停业", "关闭", "注销", "歇业", "吊销")
_NO_PROBLEM = ("未发现", "没有发现", "无问题", "正常", "合格", "符合要求", "未见异常")
# A problem word said not to be there (不存在问题, 没发现问题, 未发现不合格项, 未立案, 无需责令整改):
# taken out before the problem words are looked for.
_NEGATED = re.compile(
    r"(?:未|没有?|不|无需|无)(?:发现|存在|见)?(?:问题|隐患|违法|不合格项?|异常|立案|责令(?:限期)?整改)"
)
_STATED = re.compile(r"(?:隐患|问题)\s*共?\s*(\d+|[一二两三四五六七八九十]+)\s*[项处条个]")
_STATED_BEFORE = re.compile(
    r"(\d+|[一二两三四五六七八九十]+)\s*[项处条个](?:一般|重大)?(?:事故)?(?:隐患|问题)"
)
_ITEM = re.compile(r"(?:^|[；;。\s])\s*[（(]?(\d{1,2})[)）.、．]")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    name = normalize_enterprise_name(required(fields, "object_name", "检查对象名称"))
    inspected_on = checked_date(fields, "inspected_on", "抽查时间")
    if inspected_on is None:
        raise Reject("缺少必填字段：抽查时间（inspected_on）")
    stated = clean_text(required(fields, "result", "检查结果"))
    problems = _text(fields, "problems")
    code = result_code(stated)
    task = text(fields, "task") or text(fields, "_page_title")
    number = optional_uscc(fields)
    row = {
        "id": stable_id("insp", ctx.spec.id, task or "", number or name, inspected_on),
        "task": task,
        "object_name": name,
        "uscc": number,
        "region_code": region_of(fields, ctx, "region", "authority"),
        "inspected_on": inspected_on,
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "result": code,
        "result_text": free_text(fields, "result"),
        "problems": problems,
        "problem_count": problem_count(problems, code),
        "rectification": _text(fields, "rectification"),
    }
    return {TABLE: [row]}


def result_code(stated: str) -> str:
    value = to_simplified(stated)
    if any(w in value for w in _NOT_FOUND):
        return "not_found"
    cleared = _NEGATED.sub("，", value)
    if _PROBLEMS.search(cleared):
        return "problems"
    if any(w in cleared for w in _CLOSED):
        return "closed"
    if _NEGATED.search(value) or any(w in value for w in _NO_PROBLEM):
        return "no_problem"
    raise Reject(f"无法识别的检查结果「{stated}」")


def problem_count(problems: str | None, code: str) -> int | None:
    """0 for a clean result; for problems the count the text states (发现隐患3项), else its
    numbered items (1.…；2.…), else its items separated by ；. None where nobody was inspected."""
    if code == "no_problem":
        return 0
    if code != "problems" or not problems:
        return None
    value = to_halfwidth(problems)
    stated = _STATED.search(value) or _STATED_BEFORE.search(value)
    if stated:
        return parse_count(stated.group(1)).value
    numbers = [int(n) for n in _ITEM.findall(value)]
    if numbers and numbers == list(range(1, len(numbers) + 1)):
        return len(numbers)
    return len([part for part in re.split(r"[；;]", value) if part.strip(" 。")])


def _text(fields: dict, key: str) -> str | None:
    value = free_text(fields, key)
    return None if value is None or value.strip() in BLANKS else value
