"""The sector (行业领域) an accident is counted in, one of etl.rules.vocabulary.SECTORS: from a
label in the text (行业领域：…), the road-traffic type, the enterprise's name, then words of
the text. A register's industry wording maps through sector_from_register(). None when nothing
indicates a sector: a sector is never guessed (docs/vocabulary.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extract.accident_type import finer_kind
from etl.rules.vocabulary import SECTORS


@dataclass(frozen=True)
class IndustryFinding:
    sector: str
    start: int | None  # offsets in the text; None when decided from the enterprise name alone
    end: int | None
    method: str  # 'stated' (a 行业 label) or 'inferred'


def _rules(*pairs) -> tuple[tuple[str, re.Pattern], ...]:
    return tuple((sector, re.compile(pattern)) for sector, pattern in pairs)


# --- a register's wording: GB/T 4754-2017 国民经济行业分类 names and the shorter words sources
# use. First match wins, so the exceptions come before the broad words (非金属矿物制品 is 建材,
# not a mine; 道路危险货物运输 is road transport; 石油和天然气开采 is none of the mine sectors).
REGISTER_RULES = _rules(
    (
        "道路运输",
        r"道路(?:货物|旅客|危险货物)?运输|公路(?:旅客|货物)运输|城市公共交通|公共电汽车|出租车|汽车运输|客运|货运|物流",
    ),
    ("烟花爆竹", r"烟花|爆竹|花炮|焰火|鞭炮"),
    (
        "工贸",
        r"非金属矿物制品|化学纤维|煤炭(?:及制品)?批发|建筑材料|建材|建筑陶瓷|建筑用石加工|石材加工|金属制品|"
        r"(?:矿山|化工|石油钻采)(?:专用)?(?:机械|设备)",
    ),
    (
        "危险化学品",
        r"炼焦|煤化工|煤制|化学原料|化学制品|化工|危险化学品|危化|石油化工|石化|精炼石油|原油加工|"
        r"石油(?:及)?制品|燃料加工|农药|化肥|肥料制造|涂料|油墨|颜料|染料|合成材料|专用化学产品|"
        r"加油站|燃油零售|油库|成品油|工业气体",
    ),
    (
        "其他",
        r"石油(?:和|、)?天然气开采|燃气|天然气生产|电力|热力|供热|水的生产|自来水|民用爆炸物品|民爆|"
        r"技术服务|安全评价|检验检测|农业|林业|畜牧|渔业|餐饮|住宿|房地产|物业|教育|卫生|居民服务|租赁|"
        r"商务服务|公共管理|文化|娱乐|体育",
    ),
    ("煤矿", r"煤炭开采|煤炭采选|煤炭洗选|烟煤|无烟煤|褐煤|煤矿|煤业|选煤|洗煤"),
    (
        "金属非金属矿山",
        r"非煤矿山|金属矿|非金属矿|采选|土砂石|石灰石|石膏|粘土|黏土|采矿|矿山|矿业|采石|砂石|石料|开采",
    ),
    (
        "建筑施工",
        r"房屋建筑|土木工程|建筑安装|建筑装饰|装修|建筑业|建筑施工|建筑工程|建设工程|市政|公路工程|"
        r"铁路工程|隧道|桥梁|水利工程|管道工程|架线|施工|建筑(?!材料|陶瓷|用石)",
    ),
    (
        "工贸",
        r"冶金|冶炼|钢铁|黑色金属|有色|压延|铁合金|铝|铜|铸造|锻造|水泥|玻璃|陶瓷|机械|设备制造|制造|纺织|"
        r"服装|服饰|食品|饮料|酒|烟草|造纸|纸制品|印刷|木材|家具|皮革|橡胶|塑料|电气|电子|仪器|仪表|轻工|"
        r"商贸|批发|零售|仓储|工贸|加工",
    ),
    ("火灾", r"火灾|消防"),
)
# Sector names other lists use (the sample register's 非煤矿山, 冶金, 有色, 燃气, 技术服务 …).
REGISTER_ALIASES = {
    "非煤矿山": "金属非金属矿山",
    "金属与非金属矿": "金属非金属矿山",
    "化工": "危险化学品",
    "化工和危险化学品": "危险化学品",
    "建筑业": "建筑施工",
    "建筑": "建筑施工",
    "道路交通": "道路运输",
    "冶金": "工贸",
    "有色": "工贸",
    "建材": "工贸",
    "机械": "工贸",
    "轻工": "工贸",
    "纺织": "工贸",
    "烟草": "工贸",
    "商贸": "工贸",
    "工矿商贸": "工贸",
    "燃气": "其他",
    "技术服务": "其他",
    "消防": "火灾",
    "生产经营性火灾": "火灾",
}


def sector_from_register(industry_text: str | None) -> str | None:
    """The sector of a register's 行业 wording (烟煤和无烟煤开采洗选 → 煤矿, 房屋建筑业 → 建筑施工);
    None for wording that names no sector."""
    if not industry_text or not industry_text.strip():
        return None
    words = industry_text.strip()
    if words in SECTORS:
        return words
    if words in REGISTER_ALIASES:
        return REGISTER_ALIASES[words]
    for sector, pattern in REGISTER_RULES:
        if pattern.search(words):
            return sector
    return None


# --- an enterprise's name: the sector word nearest the end of the name decides (the head of a
# Chinese name is its last part: 示例化工建设有限公司 builds, 示例煤化工有限公司 makes chemicals).
# `place`: premises where a fire is counted as 火灾, not as the premises' trade. `weak`: an
# activity word (制造, 制品, 贸易, 仓储 …) that says how, not what: it decides only when the name
# has no trade word (示例烟花制造 makes fireworks, 示例石化仓储 stores chemicals). `site`: a word
# of both a trade and construction (安装, 钢结构): it decides only when the text shows a site.
@dataclass(frozen=True)
class _NameRule:
    sector: str  # MINING: coal or not, by the text
    pattern: re.Pattern
    place: bool = False
    weak: bool = False
    site: bool = False


def _name(sector, pattern, place=False, weak=False, site=False) -> _NameRule:
    return _NameRule(sector, re.compile(pattern), place, weak, site)


MINING = "矿业"


NAME_RULES = (
    _name("煤矿", r"(?<!非)煤矿|煤业|煤电|矿务局|煤炭(?:开采|开发|集团|工业|实业)"),
    _name(MINING, r"矿业|矿山|矿产"),
    _name(
        "金属非金属矿山", r"[铁铜金钼镍钨锰磷锌铅]矿|石膏矿|石灰石矿|石料|采石|砂石|石场|砂场|采砂|选矿|尾矿"
    ),
    _name(
        "危险化学品",
        r"化工|石化|化学|危险化学品|危化|炼油|炼化|石油(?!机械|钻采|钻探|勘探)|加油站|加气站|油库|工业气体|"
        r"农药|化肥|涂料|染料",
    ),
    _name("烟花爆竹", r"烟花|爆竹|花炮|鞭炮|焰火"),
    _name(
        "建筑施工",
        r"建筑(?!材料|陶瓷|用石|石材)|建设(?!银行)|建工|建安|工程局|工程处|项目部|施工|劳务|市政|路桥|"
        r"桥梁|安装工程|装饰工程|土石方|防水工程|中铁|中建|中交|工程(?:有限|集团|股份|公司)",
    ),
    # an installer erecting a crane on a site builds (GB/T 4754 49 建筑安装业); one fitting air
    # conditioners is 机电; steel structures are made in a workshop (工贸) or erected on a site
    _name("建筑施工", r"安装|钢结构", site=True),
    # a carrier counts as 道路运输 for what happens on the road only (_carrier)
    _name("道路运输", r"运输(?!局|管理)|物流(?!园)|客运|货运|公交|出租(?:汽)?车|快递"),
    # 机械 takes in GB/T 4754 33-40 (金属制品, 船舶 …), 冶金 31 (轧钢), 轻工 and 纺织 the rest
    _name(
        "工贸",
        r"冶金|冶炼|钢铁|钢厂|轧钢|钢材|铁合金|有色|铝业|铝厂|铜业|锌业|镁业|铸造|锻造|建材|水泥|玻璃|"
        r"陶瓷|砖厂|砖瓦|石材|混凝土|商砼|机械|机电|设备|船舶|造船|船厂|重工|纺织|针织|织造|印染|服装|"
        r"食品|粮油|面粉|淀粉|饲料|酒业|酿酒|乳业|乳品|乳制品|肉类|屠宰|烟草|卷烟|造纸|纸业|印刷|木业|家具|"
        r"皮革|橡胶|塑料|塑胶|五金|电器|电子|冷藏",
    ),
    _name("工贸", r"商场|商城|商贸城|商业广场|超市|市场|商店|商铺|门店|物流园|冷库", place=True),
    _name("工贸", r"制造|制品|加工|工贸", weak=True),
    # trade and storage: 商贸 (工贸), and a fire on their premises is 火灾
    _name("工贸", r"商贸(?!城)|贸易|商行|百货|仓储|物流(?!园)|快递", place=True, weak=True),
    _name(
        "其他",
        r"燃气|天然气|热力|供热|电力|发电|供电|电厂|电站|水电|风电|光伏|水务|供水|自来水|污水处理|环保|"
        r"石油钻探|石油勘探|钻井|油田|采油|旅游|景区|农业|种植|合作社|农场|林场|牧业|养殖|渔业|技术服务|安全评价|检测|"
        r"咨询|民爆|爆破器材",
    ),
    _name(
        "其他",
        r"餐饮|饭店|饭馆|餐馆|餐厅|酒店|宾馆|旅馆|旅社|物业|医院|学校|幼儿园|养老|KTV|歌厅|网吧|浴池|"
        r"洗浴|小区|住户|居民",
        place=True,
    ),
)

# --- words of the text, in order of strength; a mention followed by a regulator's words
# (煤矿安全监察局, 建筑施工安全专项整治) is about supervision, not the accident.
_COAL = r"(?<!非)煤矿|煤业|采煤|综采|综放|煤层|煤巷|原煤"  # 非煤矿山 is the other mine sector
_COAL_OR_GAS = re.compile(_COAL + r"|瓦斯")  # a 矿业 company's mine: gas means coal
TEXT_RULES = _rules(
    ("煤矿", _COAL),  # not 瓦斯 alone: tunnels meet gas too
    (
        "金属非金属矿山",
        r"非煤矿山|金属矿山|[铁铜金钼镍钨锰磷锌铅]矿|采石场|石料厂|露天采场|露天矿|尾矿库|选矿厂|采矿场|"
        r"砂石料场",
    ),
    ("烟花爆竹", r"烟花爆竹|花炮|鞭炮"),
    (
        "危险化学品",
        r"化工(?:厂|企业|园区|装置|车间|公司)|危险化学品(?:企业|仓库|储存|经营|生产)|危化品(?:企业|仓库)|"
        r"罐区|储罐|反应釜|加油站|加气站|油库",
    ),
    (
        "建筑施工",
        r"施工现场|建筑工地|施工工地|工地|在建|建设项目|项目部|承建|脚手架|塔吊|塔式起重机|基坑|高支模|"
        r"施工升降机|房屋建筑|市政工程|隧道施工",
    ),
)
# a hospital the injured are taken to is not where the fire was
_FIRE_PLACES = re.compile(
    r"住宅|居民楼|民房|自建房|出租屋|住户|家中|商铺|门店|门面|商场|商城|购物|市场|超市|酒店|宾馆|"
    r"饭店|餐馆|KTV|歌厅|网吧|养老院|(?<![往到至进入])医院|学校|小区|仓库|冷库|地下车库"
)
_FACTORY = re.compile(r"车间|厂房|生产线|流水线|砖厂|水泥厂|钢厂|铸造厂|面粉厂|纺织厂|食品厂|加工厂")
_MINE_WORDS = re.compile(r"矿井|井下|巷道|采场|露天采场|矿山")
_REGULATOR = re.compile(r"[^，。；\n]{0,6}?(?:局|监管|监察|监督|主管部门|管理部门|执法|专项|整治|行业)")
_LABEL = re.compile(r"(?:所属行业|行业领域|行业类别|行业分类|所属领域|行业)\s*[:：]\s*([^\n，。；、]{1,20})")
_ROAD = re.compile(r"道路交通|交通事故|道路运输")
_COAL_SUBTYPES = ("煤与瓦斯突出", "冲击地压", "煤尘爆炸")
_MINE_CLASSES = ("冒顶片帮", "透水", "瓦斯爆炸", "放炮")
# where a carrier's vehicle is not on a road: its yard, warehouse or a site (a forklift)
_OFF_ROAD = re.compile(
    r"叉车|装载机|铲车|厂区|厂内|场内|院内|车间|仓库|仓储区|库区|库房|货场|堆场|站场|停车场|修理厂"
)
_ON_ROAD = re.compile(r"公路|国道|省道|县道|高速|路段|路口|追尾")
# people outside any unit, where the text names none: 其他 (村民 at home, 青年 by a river, a boat)
_PRIVATE = re.compile(
    r"村民|居民|住户|市民|游客|游人|青年|少年|儿童|学生|小孩|自家|家中|私人|戏水|游泳|垂钓|"
    r"快艇|渔船|游船|船只"
)
_UNIT_WORDS = re.compile(r"公司|企业|工厂|厂区|车间|工地|项目|施工|矿|作业人员|工人|员工|职工|雇佣|承包")
_SENTENCE_END = re.compile(r"[。；\n]")


def classify_industry(
    text: str, enterprise: str | None, type_class: str | None, subtype: str | None
) -> IndustryFinding | None:
    """The sector of one report. `text` is normalized (extract.report.prepare); `enterprise`
    the responsible unit's name as extracted; the type from classify_type()."""
    text = text or ""
    return (
        _labelled(text)
        or _road(text, subtype)
        or _by_name(text, enterprise, type_class)
        or _by_text(text, enterprise, type_class, subtype)
    )


def _labelled(text: str) -> IndustryFinding | None:
    for m in _LABEL.finditer(text):
        sector = sector_from_register(m.group(1))
        if sector:
            return IndustryFinding(sector, m.start(1), m.end(1), "stated")
    return None


def _road(text: str, subtype: str | None) -> IndustryFinding | None:
    # road traffic is counted as 道路运输 whatever the vehicle's owner makes or carries: a
    # hazardous-chemicals tanker on a road is a 道路交通事故 in the statistics (docs/vocabulary.md)
    if subtype != "道路运输":
        return None
    m = _ROAD.search(text)
    return IndustryFinding("道路运输", m.start() if m else None, m.end() if m else None, "inferred")


def _carrier(text: str, type_class: str | None) -> bool:
    """Whether a carrier's name (运输, 物流 …) decides 道路运输: a vehicle accident away from a
    yard or warehouse, or no type known. A forklift in its warehouse or a fire in its store is
    not road transport (road traffic itself was decided by _road)."""
    if type_class is None:
        return True
    return type_class == "车辆伤害" and (not _OFF_ROAD.search(text) or _ON_ROAD.search(text) is not None)


def _by_name(text: str, enterprise: str | None, type_class: str | None) -> IndustryFinding | None:
    if not enterprise:
        return None
    best, place = None, False
    for rule in NAME_RULES:
        if not rule.pattern.search(enterprise):
            continue
        place = place or (rule.place and rule.sector == "工贸")  # 示例建材商贸: a trader's premises
        if rule.sector == "道路运输" and not _carrier(text, type_class):
            continue
        if rule.site and not _unguarded(text, _CONSTRUCTION):
            continue
        for m in rule.pattern.finditer(enterprise):
            key = (not rule.weak, m.end(), m.end() - m.start())  # a trade word before an activity word
            if best is None or key > best[0]:
                best = (key, rule, m)
    if best is None:
        return None
    _, rule, m = best
    sector = rule.sector
    if sector == MINING:
        sector = "煤矿" if _unguarded(text, _COAL_OR_GAS) else "金属非金属矿山"
    place = rule.place or (place and sector == "工贸")
    if type_class == "火灾" and (place or sector == "其他") and _fire_place(text)[0] != "工贸":
        sector = "火灾"  # a fire in a shop, hotel or home: 生产经营性火灾, not the trade
    at = text.find(enterprise)
    if at < 0:
        return IndustryFinding(sector, None, None, "inferred")
    return IndustryFinding(sector, at + m.start(), at + m.end(), "inferred")


def _unguarded(text: str, pattern: re.Pattern):
    """The first match not followed by a regulator's words."""
    for m in pattern.finditer(text):
        if not _REGULATOR.match(text, m.end()):
            return m
    return None


def _fire_place(text: str) -> tuple[str | None, re.Match | None]:
    """Where the fire was, from the first sentence that names a fire and a place: a workshop
    (工贸) or premises (火灾); (None, None) when no such sentence."""
    for fire in _TYPE_WORDS["fire"].finditer(text):
        ends = [m.end() for m in _SENTENCE_END.finditer(text, max(0, fire.start() - 80), fire.start())]
        lo = ends[-1] if ends else max(0, fire.start() - 80)
        end = _SENTENCE_END.search(text, fire.end(), fire.end() + 80)
        hi = end.start() if end else min(len(text), fire.end() + 80)
        factory, place = _FACTORY.search(text, lo, hi), _FIRE_PLACES.search(text, lo, hi)
        if factory or place:
            near = min((m for m in (factory, place) if m), key=lambda m: abs(m.start() - fire.start()))
            return ("工贸" if near is factory else "火灾"), near
    return None, None


def _by_text(
    text: str, enterprise: str | None, type_class: str | None, subtype: str | None
) -> IndustryFinding | None:
    for sector, pattern in TEXT_RULES:
        m = _unguarded(text, pattern)
        if m:
            return _found(sector, m)
    if subtype in _COAL_SUBTYPES:
        return _found("煤矿", _TYPE_WORDS["coal"].search(text))
    # the kinds classify_type tells apart without naming them as a subtype
    kind = finer_kind(text) if type_class in ("车辆伤害", "其他爆炸") and subtype is None else None
    if type_class in _MINE_CLASSES or kind == "矿井运输":
        m = _MINE_WORDS.search(text)
        if m:
            return _found("金属非金属矿山", m)
    if type_class == "火灾":
        sector, m = _fire_place(text)
        if sector:
            return _found(sector, m)
        if not _FACTORY.search(text):
            return _found("火灾", _FIRE_PLACES.search(text) or _TYPE_WORDS["fire"].search(text))
    m = _unguarded(text, _FACTORY)
    if m:
        return _found("工贸", m)
    if kind == "燃气爆炸":  # 城镇燃气 (a shop, a restaurant, a home) is none of the listed sectors
        return _found("其他", _TYPE_WORDS["gas"].search(text))
    if subtype == "粉尘爆炸":  # 粉尘涉爆 plants are supervised as 工贸
        return _found("工贸", _TYPE_WORDS["dust"].search(text))
    if not enterprise and not _UNIT_WORDS.search(text):
        m = _PRIVATE.search(text)
        if m:
            return _found("其他", m)
    return None


# The words of a type that decided a sector, for the evidence.
_TYPE_WORDS = {
    "coal": re.compile(r"煤(?:[(（]岩[)）]|岩)?与瓦斯突出|瓦斯突出|冲击地压|冲击矿压|煤尘爆炸"),
    "fire": re.compile(r"火灾|起火|着火|失火"),
    "gas": re.compile(r"燃气|天然气|液化石油气|液化气|煤气|沼气"),
    "dust": re.compile(r"粉尘"),
}
_CONSTRUCTION = dict(TEXT_RULES)["建筑施工"]


def _found(sector: str, m: re.Match | None) -> IndustryFinding:
    return IndustryFinding(sector, m.start() if m else None, m.end() if m else None, "inferred")
