"""Rules of etl/extract/enterprise.py: which unit a report names as the one where the accident
happened (tests/corpus/reports/README.md, field `enterprise`). Every sentence here is written
for this file in the phrasing of real reports and news items; names are fictional."""

from __future__ import annotations

import time

import pytest

from etl.extract.enterprise import candidates, contenders, find_enterprise, ranked
from etl.normalize.text import to_halfwidth, to_simplified


def unit(text: str) -> str | None:
    return find_enterprise(to_simplified(to_halfwidth(text)))


def decided(text: str) -> str | None:
    """The unit as the report decides it: None when the best is too close to call."""
    found = ranked(to_simplified(to_halfwidth(text)))
    if not found or contenders(found):
        return None
    return found[0].name


# --- a company's unit written after it is that unit -------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "2020年4月2日，青石能源集团有限公司白杨沟煤矿井下发生透水事故，造成2人被困。",
            "青石能源集团有限公司白杨沟煤矿",
        ),
        (
            "事发隧道由远通路桥集团有限公司宝山高速LJ3标项目经理部负责施工。",
            "远通路桥集团有限公司宝山高速LJ3标项目经理部",
        ),
        ("出事门店为丰味餐饮管理有限公司西关分店，事故造成4人受伤。", "丰味餐饮管理有限公司西关分店"),
        ("3日9时许，恒盛煤业有限责任公司三号井发生一起瓦斯爆炸事故。", "恒盛煤业有限责任公司三号井"),
        ("5月6日，金岭钨业有限公司石门坑口井下发生冒顶。", "金岭钨业有限公司石门坑口"),
        ("出事地点为庆和花炮有限公司南山分厂的装药工房。", "庆和花炮有限公司南山分厂"),
    ],
)
def test_subordinate_unit_is_the_unit_as_written(text, expected):
    assert unit(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # a mineral, a shaft or a building after the company names no unit of its own
        ("7日，鸿基矿业有限公司铁矿井下发生透水。", "鸿基矿业有限公司"),
        ("7日，鸿基矿业有限公司主井发生提升事故。", "鸿基矿业有限公司"),
        ("当晚，华纺针织有限公司生产厂房发生火灾。", "华纺针织有限公司"),
        ("华冶铁合金有限公司冶炼车间2号矿热炉发生喷溅。", "华冶铁合金有限公司"),
        ("鸿基矿业有限公司矿长李某某已被控制。", "鸿基矿业有限公司"),
    ],
)
def test_generic_words_after_a_company_are_no_unit(text, expected):
    assert unit(text) == expected


def test_short_name_declared_lends_its_mentions_to_the_full_name():
    text = (
        "远方能源集团有限公司柳沟煤矿（以下简称柳沟煤矿）“6·3”顶板事故调查报告\n"
        "一、事故基本情况\n柳沟煤矿隶属远方能源集团有限公司。\n"
        "五、责任认定\n柳沟煤矿对事故发生负有主要责任。"
    )
    assert unit(text) == "远方能源集团有限公司柳沟煤矿"


def test_label_pointing_at_a_short_name():
    text = (
        "施工总承包单位为宏达建工集团有限公司，该公司设立宏达建工集团有限公司滨河花园项目部"
        "（以下简称项目部）。建设单位为滨河置业有限公司。本起事故的事故发生单位为该项目部。"
    )
    assert decided(text) == "宏达建工集团有限公司滨河花园项目部"


# --- places in front of a registered name --------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        # a prefecture before a county: the registered name carries the county only
        ("12日，大理州祥云县祥和矿业有限公司井下发生冒顶。", "祥云县祥和矿业有限公司"),
        # the same place twice, or a province after a county: the name starts at the last one
        ("8日，通渭县通渭县宏发建材有限公司发生坍塌。", "通渭县宏发建材有限公司"),
        ("8日，长丰县岗集镇长丰县华泰塑业有限公司发生火灾。", "长丰县华泰塑业有限公司"),
        ("8日，肥西县桃花工业园安徽瑞达化工有限公司发生爆炸。", "安徽瑞达化工有限公司"),
        ("8日，安宁区甘肃兴达机械有限公司发生机械伤害事故。", "甘肃兴达机械有限公司"),
        # a county and its town: township enterprises are registered so
        ("据通报，曲靖市富源县后所镇青山煤矿发生瓦斯爆炸。", "富源县后所镇青山煤矿"),
        # a street before a shop is an address
        ("昨晚，雁塔区小寨东路味香园火锅店发生燃气爆炸。", "味香园火锅店"),
        # a city with its district is registered together; one place alone is part of the name
        ("15日，兰州市七里河区恒信物流有限公司仓库发生火灾。", "兰州市七里河区恒信物流有限公司"),
        ("15日，兰州恒信物流有限公司仓库发生火灾。", "兰州恒信物流有限公司"),
        # a county after a province short name: 宁强县羌州 is no place chain (羌州 is the name)
        ("宁强县羌州客运有限公司所属客车侧翻。", "宁强县羌州客运有限公司"),
    ],
)
def test_places_in_front_of_the_name(text, expected):
    assert unit(text) == expected


def test_the_name_written_without_the_places_elsewhere_wins():
    text = (
        "2日，温州市瓯海区南湖工业区浙江瓯信阀门有限公司铸造车间发生爆炸。"
        "事后，浙江瓯信阀门有限公司已停产整顿。"
    )
    assert unit(text) == "浙江瓯信阀门有限公司"
    text = "标题：新区华源化工有限公司事故\n兰州新区华源化工有限公司罐区发生火灾。华源化工有限公司已停产。"
    assert unit(text) == "华源化工有限公司"


def test_a_place_and_an_indefinite_shop_is_no_name():
    assert unit("3日，渝中区解放碑街道一临街烧烤店发生火灾，1人受伤。") is None


# --- words glued in front of the name ------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("有市民向本台反映宏远建设工程有限公司承建的工地发生塌方。", "宏远建设工程有限公司"),
        ("记者了解到，遇难者系恒通机电安装有限公司员工。", "恒通机电安装有限公司"),
        ("该石料场属清源石业有限公司所有，事故原因正在调查。", "清源石业有限公司"),
        ("市应急管理局公布了鑫达冶金炉料有限公司“3·8”中毒事故调查报告。", "鑫达冶金炉料有限公司"),
        ("目前鼎盛矿业有限责任公司已全面停产。", "鼎盛矿业有限责任公司"),
        ("省安委会将怀化市溆浦县龙潭煤矿“5·9”事故定性为迟报。", "溆浦县龙潭煤矿"),
        ("（一）天成化工有限公司。建议依法对其处以罚款。", "天成化工有限公司"),
        ("该车受金辉国际旅行社有限公司委托承担包车任务。", "金辉国际旅行社有限公司"),
    ],
)
def test_words_before_a_name_are_cut(text, expected):
    assert unit(text) == expected


def test_traditional_script_and_fullwidth_are_read():
    assert unit("５日，興隆礦業有限責任公司東坡煤礦發生透水。") == "兴隆矿业有限责任公司东坡煤矿"


# --- several units named: the one where the accident happened ------------------------------------
def test_label_after_a_list_of_project_units():
    text = (
        "建设单位为锦华置业有限公司，施工总承包单位为华建工程集团有限公司，"
        "监理单位为正信工程监理有限公司，事故发生单位为承担幕墙安装工程的分包单位光华幕墙工程有限公司。"
    )
    assert decided(text) == "光华幕墙工程有限公司"
    text = (
        "1.建设单位：锦华置业有限公司。\n2.劳务分包单位（事故发生单位）：恒基劳务有限公司，"
        "承担主体结构劳务作业。"
    )
    assert decided(text) == "恒基劳务有限公司"


def test_unit_doing_the_work_beats_owner_designer_and_supervisor():
    text = (
        "据区住建局介绍，该项目建设单位为金麦置业有限公司，设计单位为华陇设计院有限公司，"
        "监理单位为正诚监理有限责任公司，出事基坑由陇麦建筑工程有限公司负责施工。"
    )
    assert decided(text) == "陇麦建筑工程有限公司"


def test_builder_not_owner_takes_the_event():
    text = "甲方建设有限公司承建的乙方置业有限公司商住楼项目发生坍塌，造成2人死亡。"
    assert decided(text) == "甲方建设有限公司"


def test_subsidiary_not_parent_takes_the_event():
    text = "18日10时许，晋中能源集团有限公司所属的华鑫煤业有限公司井下发生跑车事故。"
    assert decided(text) == "华鑫煤业有限公司"


def test_operator_of_premises_is_the_unit():
    text = (
        "城关区悦来宾馆“2·1”火灾事故调查报告\n2月1日，位于城关区的悦来酒店管理有限公司经营的悦来宾馆"
        "（以下简称悦来宾馆）二楼发生火灾。\n（一）事故单位。悦来酒店管理有限公司成立于2018年。"
    )
    assert decided(text) == "悦来酒店管理有限公司"


def test_units_without_a_mark_are_too_close_to_call():
    text = (
        "该项目建设单位为甲示置业有限公司，施工总承包单位为乙示建工集团有限公司，"
        "劳务分包单位为丙示劳务有限公司。5月3日，该项目发生一起高处坠落事故，造成1人死亡。"
    )
    found = ranked(text)
    assert {c.name for c in [found[0], *contenders(found)]} == {"乙示建工集团有限公司", "丙示劳务有限公司"}
    assert decided(text) is None


def test_main_responsibility_beats_a_share_of_it():
    text = "经调查，宏昌煤业有限公司对事故发生负有主要责任，安泰安全技术咨询有限公司对事故发生负有责任。"
    assert decided(text) == "宏昌煤业有限公司"


def test_vehicle_operator_and_its_section():
    text = (
        "2020年9月5日，陇运物流有限公司所属甘G·1××××号重型半挂牵引车追尾前车。\n"
        "（一）事故车辆所属企业情况\n陇运物流有限公司（以下简称陇运公司）成立于2014年。"
    )
    assert decided(text) == "陇运物流有限公司"


def test_section_name_under_the_unit_heading():
    text = (
        "（一）事故单位概况\n名称：康源食品有限公司\n类型：有限责任公司\n"
        "（二）相关单位概况\n名称：安达设备安装有限公司"
    )
    assert decided(text) == "康源食品有限公司"


def test_short_facility_name_is_the_same_unit():
    text = "东山县兴旺铁矿“9·2”透水事故调查报告公布\n9月2日，东山县兴旺铁矿有限公司井下发生透水。"
    found = ranked(text)
    assert [c.name for c in found] == ["东山县兴旺铁矿有限公司"]
    text = "会泽县田坝镇红岩煤矿15日发生瓦斯爆炸。\n15日10时许，红岩煤矿井下发生爆炸。"
    assert [c.name for c in ranked(text)] == ["会泽县田坝镇红岩煤矿"]


# --- never the unit ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "6月3日，一辆小轿车在京藏高速白银收费站附近撞上护栏，造成2人死亡。",
        "伤者被送往市第二人民医院救治，城关派出所已介入调查。",
        "事故发生后，国网金城供电公司迅速组织抢修，当晚恢复供电。1名行人死亡。",
        "3日晚，一民房发生火灾，平安财产保险股份有限公司已启动理赔程序。",
        "据了解，乡镇煤矿和高瓦斯矿井是检查重点。",
        "会议要求，陕西煤矿企业开展隐患排查。",
        "该项目建设单位为华府置业有限公司。5月3日，项目工地发生坍塌，2名工人死亡。",
        "9日，位于凉州区的一家砖厂发生坍塌，2名工人被埋。",
        "警方已依法控制烧烤店店长等3人。",
    ],
)
def test_no_unit_named(text):
    assert unit(text) is None


def test_two_companies_joined_by_and_are_two_names():
    names = [c.name for c in candidates("华泰公司和安居物业管理有限公司分别被约谈。")]
    assert names == ["华泰公司", "安居物业管理有限公司"]


def test_evidence_offsets_point_at_a_mention():
    text = "前言。\n2021年5月1日，青石能源集团有限公司白杨沟煤矿井下发生透水事故。"
    best = ranked(text)[0]
    assert text[best.start : best.end] == best.name and best.score > 0


def test_long_pathological_text_stays_fast():
    for piece in ("示例有限公司", "有限公司（以下简称公司）", "甘肃省兰州市城关区", "示例县示例镇", "的煤矿"):
        text = piece * 3000
        started = time.perf_counter()
        ranked(text)
        assert time.perf_counter() - started < 2.0


def test_village_enterprise_keeps_county_town_and_village():
    assert unit("据通报，遵义市桐梓县狮溪镇石门村红岩组煤矿发生透水。") == "桐梓县狮溪镇石门村红岩组煤矿"


def test_anonymised_name_is_no_name():
    assert unit("据报道，城西某物流公司仓库发生火灾。") is None


# --- a lower division glued before a name that starts with a higher one ----------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        # a district before a name that starts with its prefecture: the district is the address
        ("10日，鲤城区泉州锦航纺织有限公司染整车间发生火灾。", "泉州锦航纺织有限公司"),
        ("据通报，准格尔旗鄂尔多斯宏泰煤业有限公司井下发生透水。", "鄂尔多斯宏泰煤业有限公司"),
        # a prefecture's name alone, or before a street, stays as written
        ("赤峰恒通物流有限公司所属货车在国道侧翻。", "赤峰恒通物流有限公司"),
        ("当晚，城关区宝鸡路宏达五金店发生火灾。", "宏达五金店"),
        # a facility is no registered name: "宁县泰安煤矿" keeps its county
        ("7日，宁县泰安煤矿井下发生透水。", "宁县泰安煤矿"),
        # a one-character word before 市 is no city (城市, 超市)
        ("3日，西峰区城市建设投资有限公司承建的道路发生坍塌。", "西峰区城市建设投资有限公司"),
    ],
)
def test_lower_division_before_a_higher_one_is_an_address(text, expected):
    assert unit(text) == expected


def test_a_glued_mention_does_not_undo_another_mentions_cut():
    text = (
        "汾西县山西恒晟焦化有限公司“3·2”中毒事故调查报告\n"
        "3月2日，临汾市汾西县山西恒晟焦化有限公司煤气柜区发生中毒事故。"
    )
    assert decided(text) == "山西恒晟焦化有限公司"


def test_county_short_name_the_text_writes_as_a_county_is_a_place():
    text = (
        "沁水晋源煤业有限公司“5·8”顶板事故调查报告\n"
        "5月8日，位于晋城市沁水县的晋源煤业有限公司井下发生冒顶，造成1人死亡。"
    )
    assert decided(text) == "晋源煤业有限公司"


# --- a company does not contest its own unit ----------------------------------------------------
def test_company_named_around_its_project_department_does_not_contest_it():
    text = (
        "华建集团有限公司滨江花园项目部“6·9”物体打击事故调查报告\n"
        "（一）项目概况。施工总承包单位为华建集团有限公司。\n"
        "（二）事故发生单位。华建集团有限公司在现场设立华建集团有限公司滨江花园项目部"
        "（以下简称滨江项目部），负责现场施工管理。"
    )
    assert decided(text) == "华建集团有限公司滨江花园项目部"


def test_traditional_script_subordinate_unit():
    text = (
        "隴東建工集團有限公司慶華小區項目部“4·2”高處墜落事故調查報告\n"
        "（二）事故發生單位。隴東建工集團有限公司設立隴東建工集團有限公司慶華小區項目部"
        "（以下簡稱項目部），不具備獨立法人資格。"
    )
    assert decided(text) == "陇东建工集团有限公司庆华小区项目部"


# --- roles of a project's units ------------------------------------------------------------------
def test_builder_named_by_its_role_beats_the_owner_unit():
    text = (
        "该工程业主单位为宏城城市建设投资有限公司；承建方为鼎兴路桥工程有限公司"
        "（以下简称鼎兴公司）。7月6日，栈桥上2名工人落水。"
    )
    assert decided(text) == "鼎兴路桥工程有限公司"


def test_role_words_are_read_before_dropped_places():
    text = "出事基坑由安宁区甘肃陇兴建筑工程有限公司负责施工，建设单位为金麦置业有限公司。"
    best = ranked(text)[0]
    assert best.name == "甘肃陇兴建筑工程有限公司" and best.score >= 4
    text = "业主单位为兴庆区宁夏金源置业有限公司。5月3日，工地发生坍塌，2名工人死亡。"
    assert unit(text) is None
