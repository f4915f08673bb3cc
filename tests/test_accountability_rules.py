"""Accountability read from the phrasings of published reports and news summaries: who is held
responsible and the heaviest measure named for each (etl/extract/accountability.py)."""

from __future__ import annotations

import pytest

from etl.extract.accountability import find_accountability


def entries(text: str) -> list[tuple[str, str, str]]:
    return [(e["subject_type"], e["subject"], e["measure_type"]) for e in find_accountability(text)]


def test_an_item_opening_with_a_unit_and_a_full_stop():
    text = (
        "5.示例岩土工程有限公司。对事故发生负有责任，建议由市应急管理局依法对其处以80万元罚款。\n"
        "6.示例区住房和城乡建设局。责成其向区人民政府作出深刻检查。"
    )
    assert entries(text) == [
        ("unit", "示例岩土工程有限公司", "行政处罚"),
        ("unit", "示例区住房和城乡建设局", "其他"),
    ]


def test_the_authority_that_acts_is_not_a_subject():
    assert entries("建议由县应急管理局对示例矿业有限公司处以罚款。") == [
        ("unit", "示例矿业有限公司", "行政处罚")
    ]


def test_each_unit_takes_the_measure_of_its_own_clause():
    text = "处理情况：3名责任人被移送司法机关，对示例煤业有限公司处以罚款。"
    assert entries(text) == [("unit", "示例煤业有限公司", "行政处罚")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("目前，井长韩某某已被公安机关依法刑事拘留。", ("person", "韩某某", "移送司法机关")),
        (
            "调查组建议，将示例公司第三车间主任宋某某移送司法机关依法处理。",
            ("person", "宋某某", "移送司法机关"),
        ),
        ("经查，葛某某等2名企业管理人员被依法追究刑事责任。", ("person", "葛某某", "移送司法机关")),
        ("邵某某涉嫌重大责任事故罪，已移送司法机关。", ("person", "邵某某", "移送司法机关")),
    ],
)
def test_masked_names_in_news_sentences(text, expected):
    assert expected in entries(text)


def test_a_persons_description_is_not_a_unit():
    text = "调查组建议：示例钢构公司现场负责人龚某某等4人被依法追究刑事责任。"
    assert entries(text) == [("person", "龚某某", "移送司法机关")]


def test_the_role_of_a_unit_is_not_part_of_its_name():
    assert entries("对监理单位示例工程监理有限公司予以通报批评。") == [
        ("unit", "示例工程监理有限公司", "其他")
    ]


@pytest.mark.parametrize(
    "text, measure",
    [
        ("7.示例市应急管理局。责成其向市人民政府作出书面检查。", "其他"),
        ("4.毛某某，示例县应急管理局执法队员。建议对其进行提醒谈话。", "其他"),
        ("县应急管理局已责令示例矿业有限公司停产整顿。", "行政处罚"),
    ],
)
def test_measures_named_the_way_reports_name_them(text, measure):
    assert entries(text)[0][2] == measure


def test_a_victim_exempted_is_not_listed():
    text = "石某某，示例煤矿瓦斯检查工，对事故发生负有直接责任，鉴于其已在事故中死亡，免予追究。"
    assert entries(text) == []


def test_an_item_opening_with_a_declared_short_name_is_the_unit():
    text = (
        "承建方为示例路桥建设有限公司（以下简称示例路桥），监理方为示例监理有限公司。\n"
        "4.示例路桥，对事故发生负有责任，建议依法对其处以罚款。\n"
        "5.丰裕公司，未落实安全培训，建议由区应急管理局依法对其处以罚款。"
    )
    assert ("unit", "示例路桥建设有限公司", "行政处罚") in entries(text)
    assert ("unit", "丰裕公司", "行政处罚") in entries(text)


def test_units_listed_in_one_summons():
    text = "省安委办对示例市人民政府、示例市某区人民政府和示例交通建设有限公司进行约谈。"
    subjects = {(e[1], e[2]) for e in entries(text)}
    assert {("示例市人民政府", "其他"), ("示例交通建设有限公司", "其他")} <= subjects


def test_a_unit_opening_a_clause_of_a_summary():
    text = "责任追究：井长卜某某，处上一年年收入40%的罚款；示例石料开采有限责任公司，处罚款；班长裴某，由企业解除劳动合同。"
    assert ("unit", "示例石料开采有限责任公司", "行政处罚") in entries(text)


@pytest.mark.parametrize(
    "text, measure",
    [
        ("3.解某，示例工程监理有限公司总监理工程师，建议由住建部门依法暂停其执业资格。", "行政处罚"),
        ("报告建议：鲍某某对事故发生负有主要责任，且组织瞒报，移送司法机关依法处理。", "移送司法机关"),
    ],
)
def test_more_measure_wordings(text, measure):
    assert entries(text)[0][2] == measure


@pytest.mark.parametrize(
    "text, expected",
    [
        # a declared short name opening an item, followed by what the unit did or suffers
        (
            "示例建材有限公司（以下简称建材公司）发生坍塌。\n（五）建材公司对事故发生负有责任，建议依法对其处以罚款。",
            ("unit", "示例建材有限公司", "行政处罚"),
        ),
        (
            "示例燃气有限公司（以下简称示例燃气）未开展入户检查。处理情况：示例燃气被县应急管理局依法处以罚款。",
            ("unit", "示例燃气有限公司", "行政处罚"),
        ),
        (
            "示例建设工程有限公司（以下简称示例建设）承建该工程。\n示例建设：建议由市应急管理局依法处以罚款。",
            ("unit", "示例建设工程有限公司", "行政处罚"),
        ),
        # its full name with the short name declared right there
        (
            "处理建议：示例工程有限公司（以下简称工程公司），对事故发生负有责任，建议依法处以罚款。",
            ("unit", "示例工程有限公司", "行政处罚"),
        ),
        # the short name as the target of 对…处以, after the registration code
        (
            "示例矿业有限责任公司（统一社会信用代码：91620100MA74567890）（以下简称示例矿业）发生透水。"
            "责任追究：对示例矿业处以罚款并暂扣安全生产许可证。",
            ("unit", "示例矿业有限责任公司", "行政处罚"),
        ),
        # 对X，由…; X，由…; X，建议…; a group
        ("对示例监理有限公司，由区住建局予以通报批评。", ("unit", "示例监理有限公司", "其他")),
        (
            "示例钢铁集团有限公司，由市安委会办公室约谈其主要负责人。",
            ("unit", "示例钢铁集团有限公司", "其他"),
        ),
        ("示例能源集团，建议由省能源局对其进行约谈。", ("unit", "示例能源集团", "其他")),
        # a unit opening a clause as the one a measure is taken against
        ("经调查，示例建材有限公司被县应急管理局处以罚款30万元。", ("unit", "示例建材有限公司", "行政处罚")),
        # the unit that makes a written self-criticism, not the one it goes to
        ("建议责成示例街道办事处向区人民政府作出书面检查。", ("unit", "示例街道办事处", "其他")),
        ("2．示例区应急管理局向区人民政府作出书面检查。", ("unit", "示例区应急管理局", "其他")),
        (
            "处理建议：区住房和城乡建设局向区人民政府作出深刻书面检查。",
            ("unit", "区住房和城乡建设局", "其他"),
        ),
    ],
)
def test_units_held_responsible(text, expected):
    assert expected in entries(text)


def test_the_body_a_report_goes_to_is_no_subject():
    found = entries("建议示例建材有限公司向区人民政府作出书面检查。")
    assert found == [("unit", "示例建材有限公司", "其他")]


def test_persons_listed_with_roles_in_brackets_after_a_heading():
    text = (
        "四、处理建议。骆某某（矿长）、安某（总工程师）涉嫌重大责任事故罪，建议依法追究刑事责任；"
        "卢某某（调度室主任）对迟报负有直接责任，建议处以罚款。"
    )
    assert entries(text) == [
        ("person", "骆某某", "移送司法机关"),
        ("person", "安某", "移送司法机关"),
        ("person", "卢某某", "行政处罚"),
    ]


@pytest.mark.parametrize(
    "text, measure",
    [
        ("1.马某某，示例公司实际控制人，涉嫌重大责任事故罪，建议移送公安机关依法处理。", "移送司法机关"),
        ("2.李某，示例公司项目负责人，事故发生后逃匿，公安机关已对其网上追逃。", "移送司法机关"),
        ("3.王某某，示例公司安全员，其涉嫌犯罪的线索移送公安机关。", "移送司法机关"),
        ("4.岳某某，示例监理总监理工程师，建议由区住建局责令其停止执业六个月。", "行政处罚"),
        ("5.蒋某，示例公司值守员，建议由示例公司予以解聘。", "其他"),
    ],
)
def test_referrals_and_measures_named_in_other_words(text, measure):
    assert entries(text)[0][2] == measure


def test_persons_given_a_sanction_by_name():
    assert entries("县纪委监委分别给予李某某、王某某党内警告处分。") == [
        ("person", "李某某", "党纪政务处分"),
        ("person", "王某某", "党纪政务处分"),
    ]
    assert entries("建议给予张某某政务记过处分。") == [("person", "张某某", "党纪政务处分")]
