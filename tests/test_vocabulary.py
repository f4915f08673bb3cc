"""The accident vocabularies (docs/vocabulary.md): GB 6441-86 classes and subtypes read from
report text, the sector (行业领域) from names, texts and registers, and their use on the site.
The sentences are written for these tests in the phrasing of published reports and 通报."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from etl import settings
from etl.extract.accident_type import NAMED_SUBTYPES, classify_type, finer_kind
from etl.extract.industry import classify_industry, sector_from_register
from etl.extract.report import prepare
from etl.rules.vocabulary import ACCIDENT_TYPES, SECTORS, SUBTYPES, normalize_type, type_label


def kind(text: str):
    found = classify_type(prepare(text))
    return (found.type_class, found.subtype) if found else None


# --- one sentence per class --------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "2022年5月6日，示例建筑劳务有限公司一名钢筋工在楼下通道行走时，被上方掉落的扣件砸中头部，经抢救无效死亡。",
            "物体打击",
        ),
        ("事故类别为车辆伤害。", "车辆伤害"),
        ("示例物流有限公司仓库内，叉车司机倒车时将一名理货员挤压致死。", "车辆伤害"),
        ("操作工在清理皮带机时被卷入滚筒，造成1人死亡。", "机械伤害"),
        ("塔式起重机在顶升作业时发生倾覆，造成2人死亡。", "起重伤害"),
        ("电工在未停电的情况下更换配电箱开关，不慎触电身亡。", "触电"),
        ("一名工人在清理沉淀池时失足落水，经打捞已无生命体征。", "淹溺"),
        ("出铁口发生铁水喷溅，造成2名炉前工重度烫伤。", "灼烫"),
        ("2021年9月17日，示例商场发生火灾，过火面积约3000平方米。", "火灾"),
        ("一名作业人员从18层外脚手架坠落至地面，经送医抢救无效死亡。", "高处坠落"),
        ("污水管网施工现场发生坍塌，造成2人被埋。", "坍塌"),
        ("示例煤业有限公司3102工作面发生一起冒顶事故，造成1人死亡。", "冒顶片帮"),
        ("示例煤矿+1200水平发生一起较大透水事故，造成5人死亡。", "透水"),
        ("示例采石场在爆破作业时，飞石击中1名警戒人员。", "放炮"),
        ("示例烟花爆竹批发有限公司仓库发生爆炸，造成2人死亡。", "火药爆炸"),
        ("华亭县示例煤矿发生一起较大瓦斯爆炸事故，造成五人死亡。", "瓦斯爆炸"),
        ("示例热力有限公司锅炉房发生锅炉爆炸事故，致2名司炉工死亡。", "锅炉爆炸"),
        ("示例化工有限公司合成车间一台反应釜超温超压发生爆炸，造成3人死亡。", "容器爆炸"),
        ("示例化工有限公司合成车间发生爆炸，事故造成3人死亡。", "其他爆炸"),
        ("3名工人进入污水池清淤时发生硫化氢中毒，造成3人死亡。", "中毒和窒息"),
        ("事故类别：其他伤害", "其他伤害"),
    ],
)
def test_each_class(text, expected):
    assert kind(text)[0] == expected


def test_every_class_is_covered_above_and_the_list_is_the_standard():
    assert len(ACCIDENT_TYPES) == 20 and ACCIDENT_TYPES[0] == "物体打击" and ACCIDENT_TYPES[-1] == "其他伤害"
    assert ACCIDENT_TYPES.index("瓦斯爆炸") == 14  # code 015: a class of its own
    covered = {expected for _, expected in test_each_class.pytestmark[0].args[1]}
    assert covered == set(ACCIDENT_TYPES)


# --- subtypes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "2020年8月9日，G30连霍高速公路一辆重型半挂牵引车与小型客车追尾，该事故为一起较大道路交通事故。",
            ("车辆伤害", "道路运输"),
        ),
        ("一辆私人小型轿车在S103线与一辆摩托车相撞，造成2人死亡。", ("车辆伤害", "道路运输")),
        ("示例客运公司一辆大客车在山区公路翻车，系一起重大道路运输事故。", ("车辆伤害", "道路运输")),
        ("事故类型：车辆伤害。一辆货车在国道312线行驶中侧翻。", ("车辆伤害", "道路运输")),
        ("示例能源有限公司二号井发生煤与瓦斯突出事故，共造成12人死亡。", ("其他伤害", "煤与瓦斯突出")),
        ("示例煤矿综采工作面发生冲击地压事故，造成2人死亡。", ("冒顶片帮", "冲击地压")),
        ("华亭市示例煤业公司发生一起煤尘爆炸事故，造成死亡2人。", ("瓦斯爆炸", "煤尘爆炸")),
        ("示例水泥有限公司粉磨站发生一起粉尘爆炸事故，当场造成2人死亡。", ("其他爆炸", "粉尘爆炸")),
        ("示例石料厂采场发生边坡坍塌，2名工人被埋。", ("坍塌", "边坡坍塌")),
        ("示例市政工程有限公司在开挖污水管沟槽时，沟槽侧壁发生坍塌。", ("坍塌", "基坑坍塌")),
        ("事故类别：坍塌。……经调查，基坑边坡未按方案放坡，土方坍塌。", ("坍塌", "基坑坍塌")),
        # the finer kinds the rules tell apart are not given as a subtype (the corpus README's list)
        ("示例小区一住户家中发生燃气爆炸，造成1人受轻伤。", ("其他爆炸", None)),
        ("示例餐饮店因液化气泄漏发生爆燃，未造成人员伤亡。", ("其他爆炸", None)),
        ("事故类别：其他爆炸（燃气爆炸）", ("其他爆炸", None)),
        ("示例商住楼项目地下室顶板高支模发生坍塌，造成3人死亡。", ("坍塌", None)),
        ("示例村一处自建房倒塌，造成4人死亡。", ("坍塌", None)),
        ("平川区一煤矿发生一起运输事故，一名矿工被矿车撞伤致死。", ("车辆伤害", None)),
        # mine haulage on a rope (斜巷跑车) is counted as 车辆伤害 too
        ("示例煤矿副斜井提升时发生跑车事故，造成2人死亡。", ("车辆伤害", None)),
    ],
)
def test_subtypes(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("示例小区一住户家中发生燃气爆炸，造成1人受轻伤。", "燃气爆炸"),
        ("示例煤矿副斜井提升时发生跑车事故，造成2人死亡。", "矿井运输"),
        ("示例村一处自建房倒塌，造成4人死亡。", "建筑物坍塌"),
        ("示例石料厂采场发生边坡坍塌，2名工人被埋。", "边坡坍塌"),
        ("一名工人被卷入皮带机。", None),
    ],
)
def test_finer_kind_keeps_what_the_subtype_leaves_out(text, expected):
    assert finer_kind(prepare(text)) == expected


def test_named_subtypes_are_vocabulary_subtypes():
    assert NAMED_SUBTYPES <= set(SUBTYPES)


def test_subtypes_belong_to_standard_classes():
    for subtype, classes in SUBTYPES.items():
        assert classes and set(classes) <= set(ACCIDENT_TYPES), subtype
        assert subtype not in ACCIDENT_TYPES


# --- traps ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # "一起重大" is not 起重
        ("示例建设工程有限公司发生一起重大坍塌事故。", ("坍塌", None)),
        # an explosion that starts a fire is an explosion
        ("示例新材料科技有限公司生产车间发生爆炸着火事故，2人当场死亡。", ("其他爆炸", None)),
        ("罐区储罐发生爆炸引发火灾，造成2人死亡。", ("容器爆炸", None)),
        # a crane that falls over is 起重伤害, not 坍塌
        ("施工现场一台塔吊倒塌，砸中正在作业的2名工人。", ("起重伤害", None)),
        # smoke poisoning in a fire is 火灾
        ("示例宾馆发生火灾，2名住宿旅客因吸入烟气一氧化碳中毒死亡。", ("火灾", None)),
        # blasting that sets off gas is a gas explosion
        ("该矿发生一起因放炮引起的瓦斯爆炸事故，死亡23人。", ("瓦斯爆炸", None)),
        # explosives going off in blasting work are 放炮
        ("爆破作业装药时雷管意外爆炸，造成1人死亡。", ("放炮", None)),
        # gas in a tunnel is still 瓦斯爆炸
        ("示例隧道施工时发生瓦斯爆炸，遇难1人。", ("瓦斯爆炸", None)),
        # underground, a caving roadway is 冒顶片帮 (GB 6441 坍塌 excludes mines)
        ("示例矿业公司井下运输巷道发生垮塌，1人被埋。", ("冒顶片帮", None)),
        # words that only look like a type
        ("作业人员在爆炸危险区域使用非防爆工具，因吸入有毒气体中毒。", ("中毒和窒息", None)),
        ("未安装漏电保护器的配电箱旁，一名工人被掉落的钢管砸伤。", ("物体打击", None)),
        # a sports car on a road is not mine haulage
        ("一辆跑车在国道上与货车相撞，造成2人死亡。", ("车辆伤害", "道路运输")),
        # a sightseeing car in a scenic area is 车辆伤害 but not road traffic
        ("景区观光车在下坡路段发生侧翻，造成1名乘客死亡。", ("车辆伤害", None)),
        # a truck on a site is 车辆伤害, not road traffic; on a national road it is
        ("一辆自卸货车在厂区内倒车时，将一名装卸工碾压致死。", ("车辆伤害", None)),
        ("矿区一辆货车在采场卸料时侧翻，司机当场死亡。", ("车辆伤害", None)),
        ("一辆运输车在国道312线翻车，造成2人死亡。", ("车辆伤害", "道路运输")),
        # a slope caving in at an open pit is 坍塌, though the pit has a 采区 and a 采场
        ("示例露天煤矿采区北帮边坡突然坍塌，3名作业人员被埋。", ("坍塌", "边坡坍塌")),
        ("示例公司露天采场边坡垮塌，1人死亡。", ("坍塌", "边坡坍塌")),
        ("示例采石场开采区外侧发生岩体崩塌，4人被埋。", ("坍塌", None)),
        ("村后山坡上的土体突然崩塌，2名村民被压埋。", ("坍塌", None)),
        # a reactor blowing up is a runaway reaction; one that bursts by pressure is a vessel
        ("示例化工有限公司硝化车间一台硝化釜发生爆炸并引发火灾。", ("其他爆炸", None)),
        ("反应釜因超压发生物理爆炸，釜盖飞出。", ("容器爆炸", None)),
        ("示例花炮制造有限公司“5·3”较大爆炸事故调查报告", ("火药爆炸", None)),
        # workers swept away by a flood drowned
        ("引水隧洞出口施工现场突发山洪，3名施工人员被洪水冲走。", ("淹溺", None)),
        # toxic gas named without the word 中毒, and a collapse in a pit or well
        ("液氯钢瓶充装时阀门泄漏，氯气扩散致12名工人咳嗽胸闷。", ("中毒和窒息", None)),
        ("初步判断，事故与检查井内积聚的有毒有害气体有关。", ("中毒和窒息", None)),
        ("一村民在自家沼气池内清理时晕倒，其妻下池施救后也倒在池内。", ("中毒和窒息", None)),
        # a correction wins over what was first given out
        (
            "通稿称这是一起冒顶事故。经省、市核查，事故性质实为煤与瓦斯突出，死亡6人。",
            ("其他伤害", "煤与瓦斯突出"),
        ),
        ("该矿上报为顶板事故，经查实为一起瓦斯爆炸事故。", ("瓦斯爆炸", None)),
        # a correction of something else is not the type
        ("示例建筑工地一名工人从脚手架坠落。经调查，该工人实为示例机械有限公司员工。", ("高处坠落", None)),
        # a heading is not the event
        (
            "事故发生单位：示例机械有限公司\n一名工人在清理化粪池时晕倒，经抢救无效死亡。",
            ("中毒和窒息", None),
        ),
        # a forklift in a yard is no road traffic, whatever the unit claimed
        (
            "事故类别：车辆伤害。厂区内叉车倒车撞倒一名包装工，事后该公司谎称其系道路交通事故受伤。",
            ("车辆伤害", None),
        ),
        # a numbered or named road is a road, even with a 景区 elsewhere in the text
        ("事故类型：车辆伤害。一辆大巴在G312线与货车刮擦后侧翻。", ("车辆伤害", "道路运输")),
        ("一辆甲醇槽罐车行至青兰高速会宁段时侧翻，驾驶员身亡。", ("车辆伤害", "道路运输")),
        ("一辆旅游大巴在G309线与货车刮擦后侧倾，车上是前往景区的游客。", ("车辆伤害", "道路运输")),
    ],
)
def test_traps(text, expected):
    assert kind(text) == expected


def test_slipping_by_a_pit_or_a_gas_test_duty_is_not_poisoning():
    assert kind("一名工人在化粪池边清扫时滑倒在地，头部受伤。") != ("中毒和窒息", None)
    assert kind("一名工人巡检时从平台坠落死亡。调查发现该公司作业前未进行有毒有害气体检测。") == (
        "高处坠落",
        None,
    )


def test_nothing_indicates_a_type():
    assert classify_type("") is None
    assert classify_type(prepare("2023年5月6日，甘肃省应急管理厅召开安全生产工作会议。")) is None


def test_stated_or_inferred_and_the_words_that_decided():
    text = prepare("示例化工有限公司“6·12”较大爆炸事故调查报告\n2019年6月12日，该公司合成车间发生爆炸。")
    found = classify_type(text)
    assert found.method == "stated" and text[found.start : found.end] == "爆炸"
    text = prepare("2019年6月12日，该公司合成车间发生闪爆，2名工人烧伤。")
    found = classify_type(text)
    assert found.method == "inferred" and text[found.start : found.end] == "闪爆"
    text = prepare("事故单位：示例物流园区\n事故类型：车辆伤害\n伤亡情况：死亡1人")
    found = classify_type(text)
    assert (found.method, text[found.start : found.end]) == ("stated", "车辆伤害")


def test_traditional_script():
    assert kind("平涼市崆峒區境內312國道發生一起較大道路交通事故，造成3人當場死亡。") == (
        "车辆伤害",
        "道路运输",
    )
    assert kind("示例煤礦發生一起較大瓦斯爆炸事故。") == ("瓦斯爆炸", None)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("爆炸", ("其他爆炸", None)),
        ("其它爆炸", ("其他爆炸", None)),
        ("道路运输", ("车辆伤害", "道路运输")),
        ("运输", ("车辆伤害", "矿井运输")),
        ("煤与瓦斯突出", ("其他伤害", "煤与瓦斯突出")),
        ("瓦斯爆炸", ("瓦斯爆炸", None)),
        ("中毒窒息", ("中毒和窒息", None)),
        ("其他", ("其他伤害", None)),
        ("车辆伤害（道路运输）", ("车辆伤害", "道路运输")),
        ("坍塌(基坑坍塌)", ("坍塌", "基坑坍塌")),
        ("高处坠落事故", ("高处坠落", None)),
        ("基坑坍塌", ("坍塌", "基坑坍塌")),
        ("", None),
        (None, None),
        ("不明", None),
        ("火灾（道路运输）", ("火灾", None)),
    ],
)
def test_normalize_type_accepts_old_and_new_names(value, expected):
    assert normalize_type(value) == expected


# --- sector -----------------------------------------------------------------------------


def sector(text: str, enterprise: str | None = None):
    body = prepare(text)
    found = classify_type(body)
    got = classify_industry(body, enterprise, found and found.type_class, found and found.subtype)
    return got.sector if got else None


@pytest.mark.parametrize(
    "enterprise, text, expected",
    [
        ("靖远县示例煤业有限责任公司", "靖远县示例煤业有限责任公司发生一起冒顶事故。", "煤矿"),
        ("永昌县示例矿业有限公司", "永昌县示例矿业有限公司采场一名工人从溜井口坠落。", "金属非金属矿山"),
        ("示例矿业有限公司", "示例矿业有限公司井下采煤工作面发生冒顶。", "煤矿"),
        ("肃南县示例石料厂", "肃南县示例石料厂发生边坡坍塌。", "金属非金属矿山"),
        ("甘肃示例化工有限公司", "甘肃示例化工有限公司发生爆炸。", "危险化学品"),
        ("武威示例石油销售有限公司", "该公司所属加油站卸油时发生火灾。", "危险化学品"),
        ("陇西县示例烟花爆竹批发有限公司", "陇西县示例烟花爆竹批发有限公司仓库发生爆炸。", "烟花爆竹"),
        ("兰州示例建筑安装工程有限公司", "兰州示例建筑安装工程有限公司承建的项目1人坠落。", "建筑施工"),
        ("示例化工建设有限公司", "示例化工建设有限公司施工人员从管廊坠落。", "建筑施工"),
        ("示例煤化工有限公司", "示例煤化工有限公司气化车间发生中毒。", "危险化学品"),
        (
            "中铁示例工程局集团有限公司",
            "示例隧道施工时发生瓦斯爆炸，施工单位为中铁示例工程局集团有限公司。",
            "建筑施工",
        ),
        (
            "武威示例运输有限公司",
            "一辆由武威示例运输有限公司所属的货车与客车追尾，为一起较大道路交通事故。",
            "道路运输",
        ),
        (
            "甘肃示例化工有限公司",
            "甘肃示例化工有限公司的危化品运输车在高速公路侧翻，系一起道路交通事故。",
            "道路运输",
        ),
        ("嘉峪关示例冶金有限公司", "嘉峪关示例冶金有限公司炼钢车间钢水喷溅。", "工贸"),
        ("天水示例建材有限公司", "天水示例建材有限公司一名工人被卷入皮带。", "工贸"),
        ("白银示例冶炼有限公司", "白银示例冶炼有限公司发生火灾。", "工贸"),
        ("示例商贸城", "示例商贸城发生火灾，过火面积约8000平方米。", "火灾"),
        ("临夏市示例宾馆", "临夏市示例宾馆发生火灾，造成2人死亡。", "火灾"),
        ("示例（兰州）燃气有限公司", "示例（兰州）燃气有限公司维修人员在阀井内中毒。", "其他"),
        ("示例石油钻探有限公司", "示例石油钻探有限公司井场一名钻工被砸伤。", "其他"),
        # an activity word (制造, 制品, 仓储 …) gives way to the trade the name names
        ("示例花炮制造有限公司", "示例花炮制造有限公司装药工房发生爆炸。", "烟花爆竹"),
        ("示例石化仓储有限公司", "示例石化仓储有限公司罐区一座储罐发生火灾。", "危险化学品"),
        ("示例铝制品有限公司", "示例铝制品有限公司抛光车间发生铝粉尘爆炸。", "工贸"),
        ("示例纸制品有限公司", "示例纸制品有限公司组织员工对集水池清淤时发生中毒。", "工贸"),
        ("示例船舶重工有限公司", "示例船舶重工有限公司船台区门式起重机吊具脱落，砸中一名焊工。", "工贸"),
        ("示例轧钢有限公司", "示例轧钢有限公司成品库桥式起重机吊运螺纹钢时钢材坠落。", "工贸"),
        # a fire in a trading company's store is 火灾; in a manufacturer's workshop it is the trade
        (
            "示例百货商贸有限公司",
            "示例百货商贸有限公司经营的购物中心二层仓库起火，过火面积约2000平方米。",
            "火灾",
        ),
        ("示例针织有限公司", "示例针织有限公司生产厂房发生火灾，多名工人被困，伤者被送往医院救治。", "工贸"),
        ("示例建材商贸有限公司", "示例建材商贸有限公司的门店起火，1名店员死亡。", "火灾"),
        # a carrier's name is 道路运输 on the road only
        ("示例化学品物流有限公司", "示例化学品物流有限公司一座危险化学品仓库发生火灾。", "危险化学品"),
        ("示例物流有限公司", "示例物流有限公司仓储区一名叉车司机倒车时将理货员挤压致死。", "工贸"),
        ("示例物流有限公司", "示例物流有限公司一辆货车在山区公路翻车，驾驶员死亡。", "道路运输"),
        # an installer or a steel-structure firm builds only where the text shows a site
        (
            "示例起重设备安装有限公司",
            "在示例小区施工现场，示例起重设备安装有限公司进行塔式起重机顶升作业时上部结构倾翻。",
            "建筑施工",
        ),
        ("示例机电安装有限公司", "示例机电安装有限公司一名员工在住宅楼外墙安装空调外机时坠落身亡。", "工贸"),
        (
            "示例钢结构有限公司",
            "示例钢结构有限公司生产车间桥式起重机吊运钢梁时钢梁滑脱，砸中一名挂钩工。",
            "工贸",
        ),
        (
            "示例钢结构有限公司",
            "示例钢结构有限公司承建的体育馆项目施工现场，一名工人从钢梁上坠落。",
            "建筑施工",
        ),
    ],
)
def test_sector_from_names(enterprise, text, expected):
    assert sector(text, enterprise) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("平川区一煤矿发生一起运输事故，一名矿工被矿车撞伤致死。", "煤矿"),
        ("示例能源有限公司二号井发生煤与瓦斯突出事故。", "煤矿"),
        ("某采石场发生边坡坍塌，2人死亡。", "金属非金属矿山"),
        ("某化工园区一企业储罐区发生火灾。", "危险化学品"),
        ("某在建住宅楼施工现场一名工人从脚手架坠落。", "建筑施工"),
        ("一辆小型轿车与摩托车相撞，造成2人死亡。", "道路运输"),
        ("安宁区示例小区一住户家中发生火灾，1人死亡。", "火灾"),
        ("安宁区示例小区一住户家中发生燃气爆炸，造成1人受轻伤。", "其他"),
        ("靖远县一砖厂发生窑体坍塌，造成三死一伤。", "工贸"),
        ("行业领域：化学原料和化学制品制造业\n事故类型：中毒和窒息", "危险化学品"),
        ("示例村一临街商铺发生液化气泄漏爆燃，2人受伤。", "其他"),
        ("某企业除尘系统发生粉尘爆炸事故，造成2人死亡。", "工贸"),
        # people outside any unit, where the text names none: 其他
        ("华池县一名村民在自建房屋屋顶作业时不慎坠落，经抢救无效死亡。", "其他"),
        ("一村民在自家化粪池清掏时晕倒，其子下池施救后也倒在池内，两人均死亡。", "其他"),
        ("3名青年相约到河边戏水，不慎被急流卷走。", "其他"),
        ("海域一艘快艇与停泊的渔船相撞，2人落水身亡。", "其他"),
        # a hazardous-chemicals tanker on a road is road traffic in the statistics
        ("一辆液化石油气槽罐车行至高速公路匝道时侧翻爆炸，系一起重大道路交通事故。", "道路运输"),
    ],
)
def test_sector_from_texts(text, expected):
    assert sector(text) == expected


@pytest.mark.parametrize(
    "text, enterprise",
    [
        # a unit named in words the extractor did not take as the enterprise: not a private person
        ("某公司两名工人在化粪池内清淤时晕倒。", None),
        ("2023年5月6日，甘肃省应急管理厅召开安全生产工作会议，要求煤矿安全监察局加强检查。", None),
        ("示例新能源有限公司一名员工触电。", "示例新能源有限公司"),
        ("", None),
    ],
)
def test_no_sector_when_nothing_indicates_one(text, enterprise):
    assert sector(text, enterprise) is None


def test_sector_evidence_and_method():
    body = prepare("行业领域：建筑施工\n2021年，示例公司承建的项目发生坍塌。")
    found = classify_industry(body, "示例公司", "坍塌", None)
    assert (found.sector, found.method, body[found.start : found.end]) == ("建筑施工", "stated", "建筑施工")
    body = prepare("甘肃示例化工有限公司发生爆炸。")
    found = classify_industry(body, "甘肃示例化工有限公司", "其他爆炸", None)
    assert (found.method, body[found.start : found.end]) == ("inferred", "化工")
    found = classify_industry("某车间发生爆炸。", "甘肃示例化工有限公司", "其他爆炸", None)
    assert (found.sector, found.start, found.end) == ("危险化学品", None, None)  # the name alone
    body = prepare("示例能源有限公司二号井发生煤与瓦斯突出事故。")
    found = classify_industry(body, "示例能源有限公司", "其他伤害", "煤与瓦斯突出")
    assert (found.sector, body[found.start : found.end]) == ("煤矿", "煤与瓦斯突出")  # the type's words


@pytest.mark.parametrize(
    "wording, expected",
    [
        ("烟煤和无烟煤开采洗选", "煤矿"),
        ("煤炭开采和洗选业", "煤矿"),
        ("黑色金属矿采选业", "金属非金属矿山"),
        ("有色金属矿采选业", "金属非金属矿山"),
        ("土砂石开采", "金属非金属矿山"),
        ("化学原料和化学制品制造业", "危险化学品"),
        ("石油、煤炭及其他燃料加工业", "危险化学品"),
        ("机动车燃油零售", "危险化学品"),
        ("房屋建筑业", "建筑施工"),
        ("土木工程建筑业", "建筑施工"),
        ("建筑装饰、装修和其他建筑业", "建筑施工"),
        ("道路货物运输", "道路运输"),
        ("道路危险货物运输", "道路运输"),
        ("城市公共交通运输", "道路运输"),
        ("非金属矿物制品业", "工贸"),
        ("黑色金属冶炼和压延加工业", "工贸"),
        ("通用设备制造业", "工贸"),
        ("纺织业", "工贸"),
        ("批发业", "工贸"),
        ("焰火、鞭炮产品制造", "烟花爆竹"),
        ("燃气生产和供应业", "其他"),
        ("石油和天然气开采业", "其他"),
        ("电力、热力生产和供应业", "其他"),
        ("非煤矿山", "金属非金属矿山"),
        ("冶金", "工贸"),
        ("有色", "工贸"),
        ("技术服务", "其他"),
        ("危险化学品", "危险化学品"),
        ("", None),
        (None, None),
        ("综合", None),
    ],
)
def test_sector_from_register(wording, expected):
    assert sector_from_register(wording) == expected


def test_every_sample_industry_maps_to_a_sector():
    from samplegen.names import INDUSTRIES

    assert {name: sector_from_register(name) in SECTORS for name in INDUSTRIES} == {
        n: True for n in INDUSTRIES
    }


# --- one vocabulary everywhere ----------------------------------------------------------


def test_the_data_dictionary_lists_the_vocabularies():
    columns = yaml.safe_load((settings.ROOT / "etl" / "schema.yaml").read_text(encoding="utf-8"))["tables"][
        "accidents"
    ]["columns"]
    assert all(word in columns["accident_type"]["description"] for word in ACCIDENT_TYPES)
    assert all(word in columns["industry"]["description"] for word in SECTORS)
    assert all(word in columns["accident_subtype"]["description"] for word in SUBTYPES)


def test_site_filters_use_the_vocabulary():
    """The site reads the vocabularies from the data dictionary (etl/schema.yaml ``values``),
    in the order of etl/rules/vocabulary.py."""
    from plugins.disclosure import dictionary, filters

    columns = dictionary.load(settings.ROOT / "etl" / "schema.yaml")["tables"]["accidents"]["columns"]
    assert tuple(columns["accident_type"]["values"]) == ACCIDENT_TYPES
    assert tuple(columns["industry"]["values"]) == SECTORS
    listed = filters.vocabulary_filters(
        tuple(columns["accident_type"]["values"]), tuple(columns["industry"]["values"])
    )
    assert filters.type_label("车辆伤害", "道路运输") == "车辆伤害（道路运输）"
    assert filters.type_label("火灾", None) == type_label("火灾") == "火灾"
    assert listed["type_sorted"](["中毒和窒息", "爆炸", "车辆伤害（道路运输）", "物体打击", "车辆伤害"]) == [
        "物体打击",
        "车辆伤害",
        "车辆伤害（道路运输）",
        "中毒和窒息",
        "爆炸",
    ]  # old values last
    rows = listed["sector_rows"]([("未注明", 3, 1), ("工贸", 2, 2), ("煤矿", 1, 5), ("商贸", 1, 0)])
    assert [r[0] for r in rows] == [*SECTORS, "商贸", "未注明"]
    assert rows[0] == ("煤矿", 1, 5) and rows[1] == ("金属非金属矿山", 0, 0)
    assert 'id="chart-industry"' in filters.FILTERS["distribution"](
        rows, "chart-industry", "按行业领域", "起"
    )


_WORDS = st.sampled_from(
    [
        "发生",
        "事故",
        "一起",
        "较大",
        "爆炸",
        "瓦斯",
        "燃气",
        "反应釜",
        "坍塌",
        "基坑",
        "井下",
        "巷道",
        "煤矿",
        "非煤矿山",
        "矿业",
        "跑车",
        "矿车",
        "道路交通",
        "火灾",
        "商场",
        "化工",
        "施工现场",
        "事故类别：",
        "行业领域：",
        "，",
        "。",
        "\n",
        "示例",
        "有限公司",
        "局",
        "监管",
        "起重",
        "一起重大",
    ]
)


@hsettings(max_examples=200, deadline=2000)
@given(
    st.lists(_WORDS, max_size=40).map("".join),
    st.none() | st.sampled_from(["示例煤矿", "示例商场", "示例公司"]),
)
def test_only_vocabulary_words_come_out(text, enterprise):
    found = classify_type(text)
    if found:
        assert found.type_class in ACCIDENT_TYPES and found.method in ("stated", "inferred")
        assert found.subtype is None or found.type_class in SUBTYPES[found.subtype]
        assert 0 <= found.start < found.end <= len(text)
    got = classify_industry(text, enterprise, found and found.type_class, found and found.subtype)
    if got:
        assert got.sector in SECTORS and got.method in ("stated", "inferred")
        assert got.start is None or 0 <= got.start < got.end <= len(text)
