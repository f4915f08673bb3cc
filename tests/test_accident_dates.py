"""The accident date (etl/extract/dates.py) and the date forms it relies on
(etl/normalize/dates.py): datelines, bare days, relative days, dates that are not the event.
Sentences are written for these tests in the phrasings news and reports use."""

from __future__ import annotations

from datetime import date

import pytest

from etl.extract.dates import occurred
from etl.extract.report import extract_report
from etl.normalize.dates import find_dates


def _on(text: str, anchor: date | None) -> str | None:
    d, _ = occurred(text, anchor)
    return d.value.isoformat() if d else None


# --- date forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, anchor, expected",
    [
        # a bare day under a dateline: that month, or the month before when larger than its day
        (
            "新华社西宁5月20日电 19日21时许，一座仓库起火。",
            date(2022, 5, 21),
            [date(2022, 5, 20), date(2022, 5, 19)],
        ),
        (
            "本报成都3月2日电 28日16时许，一座仓库起火。",
            date(2024, 3, 3),
            [date(2024, 3, 2), date(2024, 2, 28)],
        ),
        (
            "本报长春1月1日电 31日22时许，一座仓库起火。",
            date(2023, 1, 2),
            [date(2023, 1, 1), date(2022, 12, 31)],
        ),
        (
            "中新社武汉五月九日电 八日凌晨二时，一座仓库起火。",
            date(2011, 5, 9),
            [date(2011, 5, 9), date(2011, 5, 8)],
        ),
        # no such day in the month before the dateline: left empty, not guessed
        ("本报成都3月2日电 31日16时许，一座仓库起火。", date(2023, 3, 3), [date(2023, 3, 2)]),
        # no dateline: against the publication date
        ("本报讯 6日凌晨，城郊一家作坊起火。", date(2020, 9, 7), [date(2020, 9, 6)]),
        ("本报讯 29日凌晨，城郊一家作坊起火。", date(2020, 9, 7), [date(2020, 8, 29)]),
        # after an event date: the nearest such day
        ("2021年3月30日，一名工人受伤，2日死亡。", None, [date(2021, 3, 30), date(2021, 4, 2)]),
        ("2021年3月10日，一名工人受伤，12日死亡。", None, [date(2021, 3, 10), date(2021, 3, 12)]),
        # 当日/次日 count from the date named before them, not from the publication date
        (
            "7月2日，一座矿井进水。次日下午，县里发布消息。",
            date(2015, 9, 1),
            [date(2015, 7, 2), date(2015, 7, 3)],
        ),
        (
            "2016年4月5日21时许，车间起火，当晚23时扑灭。",
            date(2016, 8, 1),
            [date(2016, 4, 5), date(2016, 4, 5)],
        ),
        # 昨晚/今晨/前日 count from the publication date
        ("昨晚9时许，一辆货车侧翻。", date(2019, 6, 10), [date(2019, 6, 9)]),
        ("今晨5时许，一辆货车侧翻。", date(2019, 6, 10), [date(2019, 6, 10)]),
        ("一处工地前日发生坍塌。", date(2019, 6, 10), [date(2019, 6, 8)]),
    ],
)
def test_dateline_bare_and_relative_days(text, anchor, expected):
    assert [d.value for d in find_dates(text, anchor)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "责令停产整顿，30日内完成整改。",
        "事故发生后连续3日开展排查，历时三日。",
        "3号楼1号井5号机组。",
        "目前天气晴好，目前日均产量稳定，提前日期不变。",
        "3日前完成验收。",
    ],
)
def test_not_days(text):
    assert find_dates(text, date(2020, 5, 5)) == []


def test_relative_days_need_a_date_to_count_from():
    assert find_dates("6日凌晨，城郊一家作坊起火。") == []
    assert find_dates("昨晚9时许，一辆货车侧翻。") == []


# --- the accident date ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, anchor, expected",
    [
        # the dateline day is the filing day, though 发生 follows in its sentence
        (
            "新华社西宁5月20日电（记者 某某）记者20日从省应急管理厅获悉，19日21时许，一家化工企业"
            "发生爆炸。",
            date(2022, 5, 21),
            "2022-05-19",
        ),
        (
            "本报北京8月6日电 某局6日通报，一家矿业公司7月11日发生一起透水事故，造成2人死亡。",
            date(2014, 8, 7),
            "2014-07-11",
        ),
        ("每日新闻网天水4月9日讯 8日下午，一家面粉厂发生粉尘爆炸。", date(2021, 4, 9), "2021-04-08"),
        # 电焊 after a day is not a dateline
        ("2021年3月16日电焊工在仓库内动火，引燃保温材料发生火灾。", None, "2021-03-16"),
        # a day the news was told, posted or announced is not the accident's
        (
            "11月7日上午，有网友发布视频称一处门面坍塌。社区工作人员说，是昨天发生的事，事故致1人死亡。",
            date(2024, 11, 7),
            "2024-11-06",
        ),
        (
            "一家饭店20日晚间发生燃气爆炸。市政府21日凌晨通报，爆炸致3人死亡。",
            date(2023, 6, 21),
            "2023-06-20",
        ),
        ("记者昨天从市应急管理局了解到，3日10时许，一家建材厂发生坍塌。", date(2020, 5, 5), "2020-05-03"),
        # 发生于 before a day ties it to the event
        (
            "新华社兰州3月14日电 记者14日获悉，一起矿井透水事故发生于12日，造成2人死亡。",
            date(2021, 3, 14),
            "2021-03-12",
        ),
        # the day an investigation team was set up, a report approved, a firm founded
        ("2019年6月3日，某公司仓库起火。2019年6月4日，县政府成立事故调查组。", None, "2019-06-03"),
        # the event before the verb: the day is the event's
        ("3日，该矿发生透水后未及时通报。", date(2019, 6, 10), "2019-06-03"),
        # 井下发生 is not 下发 (an order issued)
        ("2019年6月3日，该矿井下发生透水事故。", None, "2019-06-03"),
        ("示例公司2012年3月5日成立。2019年6月3日，该公司仓库起火。", None, "2019-06-03"),
        ("2020年1月9日，市政府批复事故调查报告。2019年12月2日，一家工厂发生火灾。", None, "2019-12-02"),
        # the end of a search, the next day's rescue are not the accident's day
        ("4日22时许，一处矿井发生透水，搜救至6日8时结束。", date(2020, 5, 7), "2020-05-04"),
        ("2019年4月4日23时许，一处矿井发生透水。次日凌晨3时，3名被困人员升井。", None, "2019-04-04"),
        # a day a victim was found or died in hospital is not the accident's
        (
            "本报讯 7日夜间，山洪冲走3名施工人员。8日上午在下游找到1名遇难者遗体。",
            date(2020, 7, 8),
            "2020-07-07",
        ),
        (
            "1月6日16时许，一名工人被困在下水道中。被困工人于1月7日凌晨3时许死亡。",
            date(2024, 1, 8),
            "2024-01-06",
        ),
        # a day a reporter went to the scene is not the accident's
        (
            "昨日上午，记者来到事故现场。据村民说，前天凌晨4点多，两辆货车在此相撞。",
            date(2012, 6, 29),
            "2012-06-27",
        ),
        ("22日晨，市区一座立交桥上发生一起交通事故。", date(2017, 12, 23), "2017-12-22"),
        # a time in Chinese numerals ties the date to the event as digits do
        (
            "二〇二二年五月三日十时许，一辆货车与客车相撞。事故发生当日，区里初报事故致一人死亡。",
            date(2022, 12, 1),
            "2022-05-03",
        ),
        # the accident's name gives its day: the decision date before it is not the accident's
        (
            "9月20日，省安委会将某矿“9·15”事故定性为瞒报。9月15日，该矿井下发生事故。",
            date(2013, 10, 1),
            "2013-09-15",
        ),
        (
            "10月8日，市政府批复同意“9.28”较大火灾事故调查报告。9月28日，一家商场发生火灾。",
            date(2022, 10, 10),
            "2022-09-28",
        ),
        # an 发生时间 label in a table extract
        ("填报日期：2020年10月14日\n发生时间：2020年10月12日9时20分\n事故类型：坍塌", None, "2020-10-12"),
        ("填报时间：2021年7月3日 事发时间：2021年7月1日 事故类别：触电", None, "2021-07-01"),
        ("| 报送日期 | 2021-07-03 |\n| 事故发生日期 | 2021-07-01 |", None, "2021-07-01"),
    ],
)
def test_accident_date(text, anchor, expected):
    assert _on(text, anchor) == expected


@pytest.mark.parametrize(
    "text, anchor, expected",
    [
        ("昨晚8时许，一辆轿车撞上护栏。", date(2019, 10, 5), "20:00"),
        ("今晨4时许，一辆货车撞上收费亭。", date(2016, 10, 14), "04:00"),
        ("二〇二二年五月三日十七时二十分许，一辆货车与客车相撞。", None, "17:20"),
        # the time the accident was reported is not when it happened
        (
            "2023年6月1日9时许，一名工人被卷入设备。公司于当日10时30分向区应急管理局报告事故。",
            date(2023, 9, 1),
            "09:00",
        ),
    ],
)
def test_accident_time(text, anchor, expected):
    assert occurred(text, anchor)[1] == expected


def test_evidence_quotes_the_accident_sentence():
    text = "中新网兰州3月14日电（记者 某某）记者14日获悉，13日8时40分许，一处煤矿发生冒顶。"
    result = extract_report(text, anchor=date(2021, 3, 14))
    assert result["occurred_on"] == "2021-03-13"
    assert result["occurred_time"] == "08:40"
    evidence = result["evidence"]["occurred_on"]
    assert "13日8时40分许" in evidence["quote"]


def test_two_days_the_text_cannot_choose_between_go_to_review():
    from etl.extract.report import extract_report

    result = extract_report(
        "2020年3月5日，示例甲公司发生坍塌，造成1人死亡。2020年3月6日，示例乙公司发生坍塌，造成1人死亡。"
    )
    evidence = result["evidence"]["occurred_on"]
    assert evidence["confidence"] == "low" and evidence["reason"] == "ambiguous"
    assert [c["value"] for c in evidence["candidates"]] == ["2020-03-06"]
