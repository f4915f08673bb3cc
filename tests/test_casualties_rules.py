"""etl/extract/casualties.py: the reading rules, one case per rule, on sentences written for
these tests (not taken from the evaluation corpus)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etl.extract.casualties import count_casualties
from etl.extract.report import extract_report, prepare, split_sentences


def read(text: str):
    return count_casualties(split_sentences(prepare(text)))


def counts(text: str) -> tuple:
    r = read(text)
    return r.deaths, r.injuries, r.serious_injuries, r.missing


# (text, (deaths, injuries, serious_injuries, missing))
RULES = [
    # A later sentence restating the victims found is not a conversion because 受伤人员 is
    # mentioned beside it: the death must be tied to the injured person.
    (
        "2022年5月3日，某煤矿发生顶板事故，造成2人死亡、1人重伤。救援人员在巷道内发现2名遇难矿工，"
        "另一名受伤人员被送往医院救治，经诊断为重伤。",
        (2, 1, 1, None),
    ),
    (
        "2022年5月3日，某厂发生爆炸，事故造成2人死亡、1人受伤。救援人员找到2名遇难人员遗体，受伤人员已送医治疗。",
        (2, 1, None, None),
    ),
    # Tied conversions: 伤者/伤员 … 死亡 in one clause, or 其中 after a count of injured.
    (
        "2022年5月3日，某厂发生爆炸，事故造成1人死亡、3人受伤。受伤人员中1人经抢救无效死亡。",
        (2, 2, None, None),
    ),
    ("2022年5月3日，某商场发生燃气爆炸，事故共造成15人受伤，其中3人经抢救无效死亡。", (3, 12, None, None)),
    ("2022年5月3日，某厂发生爆炸，事故造成3人死亡，另有1名伤员经抢救无效于次日死亡。", (4, None, None, None)),
    (
        "2022年5月3日，某工地发生坍塌，事故造成1人死亡。伤者被送往医院后经抢救无效死亡。",
        (1, None, None, None),
    ),
    # A headline's final figure and the body's breakdown are not added up.
    (
        "某工地货车失控 死亡人数升至12人\n事故发生时，10人当场死亡，6人受伤。6名伤员中有2人经抢救无效死亡，"
        "其余4人病情稳定。",
        (12, 4, None, None),
    ),
    (
        "某厂爆炸 死亡人数升至5人\n2022年5月3日，某厂发生爆炸，事故造成4人当场死亡，1人经抢救无效死亡。",
        (5, None, None, None),
    ),
    # Deaths without a numeral: the named victims; 均已无生命体征 for the persons counted before.
    ("2021年3月2日，某公司发生中毒事故。王某某、赵某经抢救无效死亡。", (2, None, None, None)),
    ("2021年3月2日，某公司发生中毒事故，被困的3名工人先后被救出，均已无生命体征。", (3, None, None, None)),
    ("2021年3月2日，某公司一名叉车司机倒车时将一名仓管员挤压致死。", (1, None, None, None)),
    # 无人员伤亡 and its variants.
    ("2021年3月2日，某小区发生火灾，所幸未造成人员伤亡。", (0, 0, 0, None)),
    ("2021年3月2日，某路段发生车祸，事故无人员死亡，3人受轻伤。", (0, 3, 0, None)),
    ("2021年6月13日，某车间发生爆燃，事故没有造成人员死亡，2人受轻伤。", (0, 2, 0, None)),
    ("2021年3月2日，某工地发生触电事故，造成工人张某某死亡，无其他人员受伤。", (1, 0, 0, None)),
    ("企业负责人表示“无人员伤亡”。经核查，事故造成2人死亡。", (2, None, None, None)),
    # Traditional script.
    ("2021年3月2日，某廠發生爆炸，造成兩人死亡，一人重傷。", (2, 1, 1, None)),
    # Breakdowns.
    ("2021年3月2日，某商场发生爆炸，事故造成20人伤亡，其中5人死亡。", (5, 15, None, None)),
    ("2021年3月2日，某矿发生透水，8名被困人员全部找到，其中6人遇难、2人受伤。", (6, 2, None, None)),
    (
        "2021年3月2日，某工地发生触电，造成1死2伤。3名工人同时触电，其中一人经抢救无效死亡，另外两人被电击伤。",
        (1, 2, None, None),
    ),
    (
        "2021年3月2日，某路段发生事故，事故导致3人死亡。其中，1人为施工人员，2人为过路行人。",
        (3, None, None, None),
    ),
    ("2020年6月1日，某煤矿发生瓦斯爆炸，造成5人死亡、2人受伤，其中1人重伤。", (5, 2, 1, None)),
    ("2021年3月2日，某厂发生机械伤害，造成1人死亡、1人受伤（轻伤）。", (1, 1, 0, None)),
    ("2021年3月2日，某厂发生中毒，造成1人死亡、2人急性一氧化碳中毒。", (1, 2, 2, None)),
    # False reports.
    ("事故发生后，企业谎报1人死亡。经核查，事故实际造成3人死亡。", (3, None, None, None)),
    (
        "该公司向县应急管理局报告称事故造成1人死亡，隐瞒了另外2名遇难人员。经调查，事故造成3人死亡。",
        (3, None, None, None),
    ),
    # Missing persons found dead.
    (
        "2021年3月2日，某矿发生冒顶，造成2人死亡、3人失联。次日，3名失联人员均已找到，均无生命体征。",
        (5, None, None, 0),
    ),
    (
        "2021年6月13日，某矿发生透水，此次事故共造成10人死亡、2人失踪，后经搜救，失踪的2人遗体已找到，"
        "死亡人数升至12人。",
        (12, None, None, 0),
    ),
    # Counts across sentences.
    ("现场发现遇难人员2名。次日又在巷道内发现遇难人员1名。", (3, None, None, None)),
    (
        "2020年6月1日，一辆货车与客车相撞，客车上4名乘客当场死亡，另有2名乘客送医后不治身亡，8人受伤。",
        (6, 8, None, None),
    ),
    ("据初步统计，事故造成3人死亡。后经核实，死亡人数为4人。", (4, None, None, None)),
    # A final figure holds against the backstory told after it.
    (
        "某事故遇难人数升至33人\n某高速公路23日凌晨发生特大交通事故，目前遇难人数上升至33人。在事发当天的统计中，"
        "这起交通事故共造成32人死亡，24人受伤。",
        (33, 24, None, None),
    ),
    # Headlines, tables, other accidents.
    ("某厂液化气爆炸致3死2伤\n事故原因正在调查中。", (3, 2, None, None)),
    ("某矿爆炸已致2死5失联\n救援正在进行。", (2, None, None, 5)),
    ("事故名称：某厂机械伤害事故\n死亡人数：2\n受伤人数：0", (2, 0, 0, None)),
    (
        "2021年3月2日，某矿发生冒顶，造成2人死亡。该矿2019年曾发生一起事故，造成1人死亡。",
        (2, None, None, None),
    ),
    ("2021年3月2日，某厂发生爆炸，造成人员伤亡。", (None, None, None, None)),
    ("2021年3月2日，某厂发生爆炸，造成7人死亡，多人受伤。", (7, None, None, None)),
    # A correction cue may open the sentence before the lower figure.
    (
        "事发当晚，镇政府初步通报称事故造成4人死亡。次日，县应急管理局作出更正：经逐人核对，事故造成3人死亡、1人受伤。",
        (3, 1, None, None),
    ),
    # A figure named as an earlier report's is not a statement of the toll.
    ("经核实，事故造成2人死亡、3人受伤。此前通报的4名遇难人员中，有2人系重复统计。", (2, 3, None, None)),
    # 其余 N … 遇难 right after a sentence that found some dead: the rest of the group.
    (
        "某矿发生冒顶，救援人员先在工作面找到3名被困矿工，均已无生命体征。次日，其余2名被困矿工也被找到，均已遇难。",
        (5, None, None, None),
    ),
    ("事故造成4人死亡。其中1人当场死亡。其余3人经抢救无效死亡。", (4, None, None, None)),
    # The persons between 被 and a rescue verb are the rescuers, not the dead; a 被…的 phrase
    # describes its subject.
    ("2021年3月2日，老人李某被路过的两名村民救起后，送往镇卫生院，经抢救无效死亡。", (1, None, None, None)),
    ("2021年3月2日，某矿发生冒顶，被埋压的三人先后被救出，均已无生命体征。", (3, None, None, None)),
    # A table with casualty columns and one row of figures; with several rows, no row is chosen.
    (
        "事故信息表\n| 序号 | 事故名称 | 死亡（人） | 受伤（人） |\n| --- | --- | --- | --- |\n"
        "| 1 | 某厂“3·2”爆炸事故 | 2 | 4（其中重伤1） |",
        (2, 4, 1, None),
    ),
    (
        "事故信息表\n| 序号 | 事故名称 | 死亡（人） | 受伤（人） |\n| 1 | 某厂爆炸事故 | 2 | 4 |\n"
        "| 2 | 某矿冒顶事故 | 1 | 0 |",
        (None, None, None, None),
    ),
    # 伤势较重 is injured but not a 重伤 as the law grades it; beside 轻伤 it leaves the rest.
    ("2021年3月2日，某客车侧翻，造成8人受伤，其中2人伤势较重。", (None, 8, None, None)),
    ("2021年3月2日，某厂发生火灾，6名工人被救出送医，其中2人伤势较重、4人为轻伤。", (None, 6, 2, None)),
    # N名重伤员中的1人…死亡: a conversion among the seriously injured, the N restating them.
    (
        "2021年3月2日，某厂爆炸，事故造成1人死亡、4人受伤，其中2人重伤。次日，2名重伤员中的1人经抢救无效死亡。",
        (2, 3, 1, None),
    ),
    # The severity of an injured person read from the narrative.
    ("2021年3月2日，某工地发生坍塌，一名路人被飞溅的碎片划伤，受轻伤。", (None, 1, 0, None)),
    # A diagnosis is of its clause's subject; 另外 N of a severity none counted so far has adds.
    (
        "2021年3月2日，某厂发生中毒事故。3名工人经诊断为急性一氧化碳中毒，住院治疗。"
        "另外2名工人出现头晕症状，经门诊观察后诊断为轻伤。",
        (None, 5, 3, None),
    ),
    # Counts listed before one word add up; 还造成 adds to the count before it.
    ("2021年3月2日，某厂爆炸造成3名工人和附近2名居民受伤。", (None, 5, None, None)),
    ("2021年3月2日，某厂爆炸造成2人死亡、3人受伤；飞出的碎片还造成1名路人受伤。", (2, 4, None, None)),
    # Symptoms with treatment are an injury, inferred; no symptoms are none.
    (
        "2021年3月2日，某化粪池清掏时2人死亡。一名前来帮忙的村民出现胸闷、头晕症状，被送往医院观察。",
        (2, 1, None, None),
    ),
    ("2021年3月2日，某化粪池清掏时2人死亡，其他人员未出现不适症状。", (2, None, None, None)),
    # 另外 N … 伤情稳定 after deaths: the injured left; 其余 N after a severity split: the rest of
    # the injured, not a new count.
    ("2021年3月2日，某厂爆炸，5名工人被送往医院，经抢救，2人死亡，另外3人伤情稳定。", (2, 3, None, None)),
    ("2021年3月2日，某厂爆炸，事故造成2人死亡、6人受伤，其中1人重伤，其余5人在医院治疗。", (2, 6, 1, None)),
    # A later count of one severity grades some of those counted; a full breakdown restates them.
    ("2021年3月2日，事故造成5人受伤。经诊断，3人为轻伤。", (None, 5, 2, None)),
    ("2021年3月2日，事故造成3人受伤，其中1人重伤。另外2人受轻伤。", (None, 3, 1, None)),
    ("据初步统计，10余人受伤。经核实，事故造成2人重伤、6人轻伤。", (None, 8, 2, None)),
    # Corrections written 更正为/修正为.
    ("2021年3月2日，某厂爆炸，事故造成4人死亡。经复核，死亡人数由4人更正为3人。", (3, None, None, None)),
    ("2021年3月2日，某厂燃爆，造成3人死亡、8人受伤。经医院核实，受伤人数修正为6人。", (3, 6, None, None)),
    # 双双 is two persons; 最后1名 after some found dead is one more.
    ("2021年3月2日，冉某某和其子冉某在清理化粪池时双双身亡。", (2, None, None, None)),
    ("2021年3月2日，某矿透水，1名矿工经抢救无效死亡。次日，最后1名被困矿工也已遇难。", (2, None, None, None)),
    # Role words joined by 和/、/及 are as many persons; the persons who confirm a death or try
    # to save a life (经…医护人员…) are not its subject.
    ("2023年4月9日，一辆运输液化气的罐车侧翻起火，驾驶员和押运员当场死亡。", (2, None, None, None)),
    (
        "2023年4月9日，某砂石厂1名装卸工被卷入皮带机，经赶到的120医护人员现场确认死亡。",
        (1, None, None, None),
    ),
    ("2023年4月9日，某厂仓库坍塌，李某某被压，经医护人员全力抢救无效死亡。", (1, None, None, None)),
    # 另1人 … 死亡 right after a sentence counting deaths adds to it, not after a 共 total.
    (
        "2023年4月9日，某矿井下发生片帮，1名矿工当场死亡。另1名矿工送医后经抢救无效死亡。",
        (2, None, None, None),
    ),
    ("事故共造成3人死亡。2人当场死亡。另1人经抢救无效死亡。", (3, None, None, None)),
    # An injured person's death told after a 共 total is one of the total, unless told as later.
    (
        "2023年4月9日，某厂爆燃，事故共造成5人死亡、3人受伤。其中1名受伤人员送医后经抢救无效死亡。",
        (5, 3, None, None),
    ),
    (
        "2023年4月9日，某厂爆燃，事故共造成5人死亡、3人受伤。次日，1名伤员经抢救无效死亡。",
        (6, 2, None, None),
    ),
    # A section retelling the toll from the first deaths catches up with it, no more.
    (
        "2023年4月9日，某厂爆燃，事故当场造成2人死亡、5人受伤。次日，一名重伤工人经抢救无效死亡。"
        "三、人员伤亡情况。事故当场造成2名工人死亡，5人受伤。次日，重伤工人刘某某经抢救无效死亡。",
        (3, 4, None, None),
    ),
    # A figure quoted as an earlier report's, and a toll adjusted later.
    ("经核实，事故造成3人死亡，企业最初所报“1人死亡”不予采信。", (3, None, None, None)),
    ("2023年4月9日，某工地坍塌，事故造成4人死亡。死亡人数调整为3人。", (3, None, None, None)),
    # A corrected figure inside a 其中 breakdown restates the count.
    (
        "当晚有关方面曾通报受伤人数为5人，次日经核实，其中1人系重复统计，实际受伤4人。",
        (None, 4, None, None),
    ),
    # 骨折 is an injury; labels may explain their word (重伤（含急性工业中毒）：2人), and each
    # severity label counts other persons.
    (
        "2023年4月9日，某工地吊篮坠落，坠落的2名工人中1人当场死亡，另1人腿部骨折，正在医院治疗。",
        (1, 1, None, None),
    ),
    ("死亡：1人\n重伤（含急性工业中毒）：2人\n轻伤：1人", (1, 3, 2, None)),
    # A table whose cells are separated by ｜ without an outer frame.
    ("事故情况\n序号｜事故单位｜死亡（人）｜受伤（人）\n1｜某建材厂｜1｜2", (1, 2, None, None)),
    # A named person hurt who then died is not injured.
    (
        "2023年4月9日，某矿顶板冒落，工人张某某被压埋，工人赵某被砸伤腿部。张某某当场死亡。"
        "赵某送医后经抢救无效死亡。",
        (2, None, None, None),
    ),
]


@pytest.mark.parametrize("text, expected", RULES)
def test_rule(text, expected):
    assert counts(text) == expected


def test_approximate_counts_are_marked():
    r = read("2021年3月2日，某大巴侧翻，造成30余人受伤。")
    assert (r.injuries, r.approximate) == (30, ["injuries"])


def test_where_points_at_the_deciding_sentence():
    r = read(
        "某厂爆炸 死亡人数升至5人\n2022年5月3日，某厂发生爆炸，事故造成4人死亡、2人受伤。"
        "次日，1名伤员经抢救无效死亡。"
    )
    assert (r.deaths, r.injuries) == (5, 1)
    assert r.where == {"deaths": 2, "injuries": 2}
    assert not r.inferred and not r.conflicts


def test_indirect_wording_is_inferred_unless_stated_elsewhere():
    named = read("2021年3月2日，某公司发生中毒事故。王某某、赵某经抢救无效死亡。")
    assert named.inferred == {"deaths"}
    confirmed = read("某厂中毒事故致2人死亡\n2021年3月2日，某公司发生中毒事故。王某某、赵某经抢救无效死亡。")
    assert confirmed.deaths == 2 and not confirmed.inferred
    roles = read("2023年4月9日，一辆罐车侧翻，驾驶员和押运员当场死亡。")
    assert (roles.deaths, roles.inferred) == (2, {"deaths"})


def test_symptoms_are_inferred_and_a_correction_is_no_conflict():
    symptoms = read("2021年3月2日，某化粪池清掏时2人死亡。一名村民出现头晕症状，被送往医院观察。")
    assert symptoms.inferred == {"injuries"}
    corrected = read(
        "事发当晚，镇政府初步通报称事故造成4人死亡、1人受伤。次日，县应急管理局作出更正："
        "经逐人核对，事故造成3人死亡、1人受伤。"
    )
    assert (corrected.deaths, corrected.conflicts) == (3, {})
    assert corrected.where == {"deaths": 1, "injuries": 1}  # the confirmed figure is quoted
    assert not read("2021年3月2日，事故造成4人死亡。经复核，死亡人数由4人更正为3人。").conflicts


def test_a_table_row_is_the_evidence():
    r = read("事故信息表\n| 序号 | 死亡（人） | 受伤（人） |\n| 1 | 2 | 4 |")
    assert (r.deaths, r.injuries, r.where) == (2, 4, {"deaths": 2, "injuries": 2})


def test_a_headline_the_body_contradicts_is_a_conflict():
    r = read("某隧道塌方 3人死亡\n2021年3月2日，某隧道发生塌方，造成2人死亡。")
    assert r.deaths == 2
    assert r.conflicts == {"deaths": [(3, 0)]}


def test_two_totals_that_disagree_are_a_conflict():
    r = read("2021年3月2日，某矿发生冒顶，造成3人死亡。三、人员伤亡情况。事故造成4人死亡。")
    assert r.deaths == 4
    assert r.conflicts == {"deaths": [(3, 0)]}


def test_corrections_and_later_deaths_are_no_conflict():
    for text in (
        "事故发生后，企业谎报1人死亡。经核查，事故实际造成3人死亡。",
        "事故造成2人死亡、3人受伤。其中1名伤者于次日经抢救无效死亡，事故死亡人数升至3人。",
        "据初步统计，事故造成3人死亡。后经核实，死亡人数为4人。",
        "事故造成4人死亡。死亡人数调整为3人。",
    ):
        assert not read(text).conflicts, text


def test_a_lower_toll_later_in_the_text_is_backstory_and_a_conflict():
    r = read(
        "截至9月13日，救援工作结束，19名被困人员全部被搜寻发现，均无生命体征。"
        "8月14日，某煤矿发生冒顶事故，事故当场导致1人遇难、19人被困。"
    )
    assert r.deaths == 19
    assert r.conflicts == {"deaths": [(1, 1)]}


def test_extract_report_turns_a_conflict_into_low_confidence():
    result = extract_report("某隧道塌方 3人死亡\n2021年3月2日，某隧道发生塌方，造成2人死亡。")
    evidence = result["evidence"]["deaths"]
    assert result["deaths"] == 2
    assert evidence["confidence"] == "low" and evidence["reason"] == "disagreement"


@pytest.mark.parametrize(
    "piece, times",
    [
        ("死亡1人", 8_000),
        ("3死2伤", 8_000),
        ("（其中1人重伤）", 4_000),
        ("伤者经抢救无效死亡，", 4_000),
        ("其余3人在医院治疗，", 4_000),
        ("张某某、", 10_000),
        ("“无人员伤亡”", 5_000),
        ("伤", 50_000),
        ("另外2人伤情稳定，", 4_000),
        ("一名工人出现头晕症状，送医，", 4_000),
        ("张某被2名村民救出，", 4_000),
        ("3名工人和", 8_000),
        ("| 死亡（人） | 受伤 |\n", 4_000),
    ],
)
def test_long_text_stays_linear(piece, times):
    started = time.perf_counter()
    read(piece * times)
    assert time.perf_counter() - started < 5


_PIECES = st.sampled_from(
    [
        "，",
        "。",
        "\n",
        "造成",
        "3人死亡",
        "2人受伤",
        "（其中1人重伤）",
        "其中",
        "其余",
        "伤者",
        "经抢救无效死亡",
        "另有",
        "又",
        "1名伤员",
        "失联",
        "2人失踪",
        "均已无生命体征",
        "谎报",
        "未造成人员伤亡",
        "张某某",
        "、",
        "死亡人数升至",
        "5人",
        "30余人",
        "受伤人数：",
        "1",
        "3死2伤",
        "遗体",
        "共",
        "当时",
    ]
)


@settings(max_examples=300, deadline=2000)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_counts_are_never_negative(text):
    r = read(text)
    for value in (r.deaths, r.injuries, r.serious_injuries, r.missing):
        assert value is None or value >= 0
    assert r.serious_injuries is None or r.injuries is None or r.serious_injuries <= r.injuries
    stated = {f for f in ("deaths", "injuries", "missing") if getattr(r, f) is not None}
    assert set(r.where) >= stated
