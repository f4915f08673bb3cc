"""The accident type a report states or describes: one of the 20 classes of GB 6441-86
《企业职工伤亡事故分类》 and, where the text names it, the narrower subtype (vocabulary in
etl/rules/vocabulary.py, reasons in docs/vocabulary.md).

Order of evidence: a label (事故类别：…, 事故类型为…), then a correction (实为…), then the words
in front of 事故 or after 发生 in text order, then the strongest keyword anywhere, then
road-vehicle hints. Within one place the rules below are tried most specific first: an
explosion that starts a fire is an explosion, a crane that falls over is 起重伤害, a fire's smoke
poisoning is 火灾, and 一起重大 is not 起重.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from etl.rules.vocabulary import normalize_type

EXPLOSION = "爆炸"  # placeholder class: resolved by what exploded (GB 6441 codes 14-18)
# The subtypes a report's type is given with (the corpus README's list): the finer kinds the rules
# below tell apart (矿井运输, 燃气爆炸, 脚手架坍塌 …) order the rules and inform the sector, but are
# not given as a subtype (docs/vocabulary.md).
NAMED_SUBTYPES = frozenset(
    {"道路运输", "煤与瓦斯突出", "冲击地压", "煤尘爆炸", "粉尘爆炸", "边坡坍塌", "基坑坍塌"}
)


@dataclass(frozen=True)
class TypeFinding:
    type_class: str
    subtype: str | None
    start: int
    end: int
    method: str  # 'stated' (a label or "…X事故") or 'inferred' (narrative keywords)


@dataclass(frozen=True)
class _Rule:
    type_class: str
    subtype: str | None
    pattern: re.Pattern
    needs: str | None = None  # "mine" or "underground": only when the text speaks of one


def _rule(type_class, subtype, pattern, needs=None) -> _Rule:
    return _Rule(type_class, subtype, re.compile(pattern), needs)


RULES = (
    _rule("其他伤害", "煤与瓦斯突出", r"煤(?:[(（]岩[)）]|岩)?与瓦斯突出|瓦斯突出"),
    _rule("车辆伤害", "道路运输", r"道路交通|交通事故|道路运输(?=(?:安全)?事故)"),
    _rule("冒顶片帮", "冲击地压", r"冲击地压|冲击矿压"),
    _rule(EXPLOSION, None, r"爆炸(?!危险|极限|上限|下限|性|物)|爆燃|燃爆|闪爆"),
    _rule(
        "车辆伤害",
        None,
        r"车辆伤害|观光车|叉车|[厂场]内(?:机动)?车辆?|装载机|铲车|铲运机|倒车|溜车|翻车|自卸车|"
        r"运输车|罐车|车辆(?:倾覆|侧翻)",
    ),
    # mine haulage, rope-hauled runaways (斜巷跑车) included, is counted as 车辆伤害
    _rule(
        "车辆伤害",
        "矿井运输",
        r"跑车|串车|断绳|运输事故|提升运输|矿车|人车|电机车|机车|胶轮车|" r"矿用(?:卡车|自卸车)|运矿车",
        needs="mine",
    ),
    _rule(
        "起重伤害",
        None,
        r"起重伤害|(?<!一)起重(?!大)|塔吊|塔式起重机|吊车|汽车吊|吊装|吊臂|吊运|龙门吊|"
        r"[桥门]式起重|施工升降机|升降机|物料提升机|卷扬机|吊笼",
    ),
    _rule("透水", None, r"透水|突水|水害|溃水|涌水"),
    # GB 6441 坍塌 "不适用于矿山冒顶片帮": a roadway or face that caves in underground is 冒顶片帮
    # (a slope is open ground, never a roof fall: 露天采场边坡坍塌 is 坍塌)
    _rule(
        "冒顶片帮",
        None,
        r"冒顶|片帮|顶板(?!管理)|(?:巷道|工作面|采场|硐室|掘进头|迎头)(?:(?!边坡)[^，。]){0,4}"
        r"(?:坍塌|垮塌|冒落)",
    ),
    _rule("冒顶片帮", None, r"坍塌|垮塌|冒落|塌方|坍方", needs="underground"),
    _rule("放炮", None, r"放炮|爆破(?!器材|物品|公司|有限)"),
    _rule("火灾", None, r"火灾|起火|着火|失火"),
    # (气体检测 is a duty any report may cite, not the event)
    _rule(
        "中毒和窒息",
        None,
        r"中毒|窒息|硫化氢|一氧化碳|氨气|氯气|光气|氰化氢|二氧化硫|"
        r"(?:有毒(?:有害)?|有害)气体(?!检测|监测|报警|浓度)|缺氧",
    ),
    # news of a confined space often names no gas: a person who collapses in a pit or well
    _rule(
        "中毒和窒息",
        None,
        r"(?:化粪池|粪池|沼气池|污水池|污水井|集水池|集水井|窨井|检查井|阀门井|发酵池|"
        r"有限空间|地窖|菜窖)[^。；\n]{0,40}?(?:晕倒|昏倒|昏迷|(?<![滑摔跌绊推])倒(?:地|在))",
    ),
    _rule("触电", None, r"触电|电击|漏电(?!保护)|雷击"),
    _rule(
        "淹溺",
        None,
        r"淹溺|溺水|溺亡|落水|淹死|(?:洪水|山洪|急流|激流|河水|水流|海浪)[^，。]{0,3}(?:冲走|卷走)",
    ),
    _rule("坍塌", "边坡坍塌", r"边坡[^，。]{0,4}(?:坍塌|垮塌|崩塌|滑坡|失稳)|滑坡"),
    _rule("坍塌", "基坑坍塌", r"(?:基坑|基槽|沟槽|管沟|槽壁|土方)[^，。]{0,4}(?:坍塌|垮塌|塌方|坍方)"),
    _rule("坍塌", "脚手架坍塌", r"脚手架[^，。]{0,4}(?:坍塌|垮塌|倒塌)"),
    _rule("坍塌", "模板支架坍塌", r"(?:模板|支模|高支模|支撑体系|支架)[^，。]{0,4}(?:坍塌|垮塌|倒塌)"),
    _rule("坍塌", "建筑物坍塌", r"(?:房屋|自建房|楼房|建筑物|厂房|墙体|围墙)[^，。]{0,4}(?:坍塌|垮塌|倒塌)"),
    _rule("物体打击", None, r"物体打击|砸中|砸伤|砸死|砸倒|击中|落物"),
    _rule("高处坠落", None, r"高处坠落|坠落|坠亡|跌落|摔落|坠楼"),
    _rule("坍塌", None, r"坍塌|垮塌|崩塌|倒塌|塌方|坍方|塌陷|掩埋|压埋|埋压"),
    _rule("灼烫", None, r"灼烫|烫伤|灼伤|烧伤|喷溅|钢水|铁水|熔融"),
    _rule("机械伤害", None, r"机械伤害|绞伤|绞入|卷入|挤压|碾压|剪切|冲压|绞"),
    _rule("其他伤害", None, r"其他伤害|其它伤害"),
)

# What exploded decides the class (GB 6441: 瓦斯爆炸 includes coal dust; 容器爆炸 a vessel under
# pressure; 火药爆炸 explosives in production, storage and transport; the rest 其他爆炸). The
# qualifier nearest the explosion word in its sentence wins.
QUALIFIERS = (
    ("瓦斯爆炸", "煤尘爆炸", re.compile(r"煤尘")),
    ("瓦斯爆炸", None, re.compile(r"瓦斯")),
    ("锅炉爆炸", None, re.compile(r"锅炉")),
    # a reactor (反应釜) blowing up is a runaway reaction (其他爆炸) unless the vessel burst by pressure
    ("容器爆炸", None, re.compile(r"压力容器|容器|储罐|缓冲罐|气瓶|钢瓶|储气罐|罐体|超压|物理(?:性)?爆炸")),
    ("火药爆炸", None, re.compile(r"炸药|火药|雷管|导爆索|烟花|爆竹|鞭炮|花炮|民爆|爆炸物")),
    ("其他爆炸", "燃气爆炸", re.compile(r"燃气|天然气|液化气|液化石油气|煤气|沼气")),
    ("其他爆炸", "粉尘爆炸", re.compile(r"粉尘|铝粉|镁粉|面粉|煤粉|木粉|金属粉末")),
)
_QUALIFIED = re.compile(
    r"(煤尘|瓦斯|锅炉|压力容器|容器|储罐|炸药|火药|烟花爆竹|花炮|燃气|天然气|液化气|"
    r"液化石油气|煤气|粉尘)(?:发生)?(?:爆炸|爆燃|闪爆)"
)
_BLASTING = re.compile(r"放炮|爆破作业|装药|爆破")

_LABEL = re.compile(r"事故(?:类型|类别)\s*(?:[:：]|为|是|属于|属|系)\s*([^\n，。；、]{1,16})")
# a later finding that corrects what was first said (通稿称冒顶事故 … 事故性质实为煤与瓦斯突出)
_CORRECTED = re.compile(r"实为|实际(?:上)?(?:是|为)|实系|核实为|查明为|更正为")
_CORRECTED_SUBJECT = re.compile(
    r"(?:事故|性质|类型|类别)[^，。；\n]{0,6}$"
)  # what is corrected is the accident
_ANCHOR = re.compile(r"事故|发生(?!在|于|地|时|后|前|的|单位|经过|原因)")  # not 事故发生单位：示例起重公司
_STATED_GAP = re.compile(r"[^致发成因引，。；、\n]{0,2}事故")
_PUNCT = re.compile(r"[，。；：、\n]")
_CONTEXT = {
    "mine": re.compile(r"煤矿|矿井|井下|巷道|斜井|立井|平硐|采区|工作面|矿山"),
    "underground": re.compile(r"井下|巷道|硐室|回采|采空区|(?<!开)采区"),
}  # mining words, not tunnels
_OPEN_PIT = re.compile(r"露天")  # its 采区 is no underground
# Weak hints, used only when nothing else names a type: vehicles on roads, unless the text puts
# them on a site (厂区, 工地, 矿区 …), where they are 车辆伤害 but not road traffic.
_ROAD_HINTS = re.compile(r"相撞|追尾|侧翻|轿车|货车|客车|摩托车|国道|省道|高速公路|公路")
_OFF_ROAD = re.compile(r"厂区|厂内|场内|院内|工地|施工现场|矿区|采场|仓库|码头|景区|停车场")
# vehicles that do not drive on public roads: never 道路运输
_SITE_VEHICLES = re.compile(r"观光车|叉车|[厂场]内|装载机|铲车|铲运机")
_ROAD_STRONG = re.compile(
    r"道路交通|交通事故|道路运输(?:安全)?事故|国道|省道|县道|高速公路|"
    r"高速[^，。]{0,6}?(?:段|收费站|服务区|匝道)|(?<![A-Za-z0-9])[GSXY]\d{1,4}(?![0-9])"
)
# a vehicle that never drives on a road: a text naming one is not road traffic, even where it
# mentions a 交通事故 (one the unit claimed to hide a forklift death)
_SITE_ONLY = re.compile(r"叉车|观光车|[厂场][(（]?[厂场]?[)）]?内(?:专用)?机动车辆")
_WINDOW = 12
_LOOKAHEAD = 6


def classify_type(text: str) -> TypeFinding | None:
    """The type the text states (a label, "…X事故"), else the one its narrative describes;
    None when nothing indicates a type. `text` is normalized (extract.report.prepare)."""
    found = _classify(text or "")
    if found and found.subtype is not None and found.subtype not in NAMED_SUBTYPES:
        found = TypeFinding(found.type_class, None, found.start, found.end, found.method)
    return found


def finer_kind(text: str) -> str | None:
    """The finer kind the rules told apart (燃气爆炸, 矿井运输, 建筑物坍塌 …), named or not: the
    sector uses it (a town-gas explosion is 其他)."""
    found = _classify(text or "")
    return found.subtype if found else None


def _classify(text: str) -> TypeFinding | None:
    context = {name: pattern.search(text) is not None for name, pattern in _CONTEXT.items()}
    if context["underground"] and _OPEN_PIT.search(text):
        context["underground"] = any(m.group() != "采区" for m in _CONTEXT["underground"].finditer(text))
    found = (
        _labelled(text, context)
        or _corrected(text, context)
        or _phrased(text, context)
        or _anywhere(text, context)
    )
    if found is None:
        m = _ROAD_HINTS.search(text)
        # a named road (G309线, 高速公路) outweighs a site word elsewhere (前往景区的游客)
        road = _ROAD_STRONG.search(text) or not _OFF_ROAD.search(text)
        subtype = "道路运输" if road and not _SITE_ONLY.search(text) else None
        return TypeFinding("车辆伤害", subtype, m.start(), m.end(), "inferred") if m else None
    return _refine(text, found, context)


def _labelled(text: str, context: dict) -> TypeFinding | None:
    m = _LABEL.search(text)
    if not m:
        return None
    value = m.group(1).strip()
    known = normalize_type(value)
    if known:
        start = m.start(1)
        return TypeFinding(known[0], known[1], start, start + len(value), "stated")
    found = _first_rule(text, m.start(1), m.end(1), context)
    return _with_method(found, "stated") if found else None


def _corrected(text: str, context: dict) -> TypeFinding | None:
    found = None
    for m in _CORRECTED.finditer(text):  # the last correction wins
        hi = min(len(text), m.end() + _WINDOW)
        cut = _PUNCT.search(text, m.end(), hi)
        named = _first_rule(text, m.end(), cut.start() if cut else hi, context)
        # 事故性质实为…, …实为一起坍塌事故; not 发生单位实为示例起重设备公司
        if named and (
            _CORRECTED_SUBJECT.search(text, max(0, m.start() - 10), m.start())
            or _STATED_GAP.match(text, named.end)
        ):
            found = named
    return _with_method(found, "stated") if found else None


def _phrased(text: str, context: dict) -> TypeFinding | None:
    for m in _ANCHOR.finditer(text):
        if m.group() == "事故":
            lo = max(0, m.start() - _WINDOW)
            cut = [p.end() for p in _PUNCT.finditer(text, lo, m.start())]
            lo, hi = (cut[-1] if cut else lo), m.start()
        else:  # "发生边坡坍塌", "发生闪爆": the event named right after 发生
            hi = min(len(text), m.end() + _WINDOW)
            cut = _PUNCT.search(text, m.end(), hi)
            lo, hi = m.end(), (cut.start() if cut else hi)
        found = _first_rule(text, lo, hi, context)
        if found:
            stated = _STATED_GAP.match(text, found.end) is not None
            return _with_method(found, "stated" if stated else "inferred")
    return None


def _anywhere(text: str, context: dict) -> TypeFinding | None:
    return _first_rule(text, 0, len(text), context)


def _first_rule(text: str, lo: int, hi: int, context: dict) -> TypeFinding | None:
    for rule in RULES:
        if rule.needs and not context[rule.needs]:
            continue
        # a few characters past the window, so lookaheads see what follows (道路运输|事故)
        m = next((m for m in rule.pattern.finditer(text, lo, hi + _LOOKAHEAD) if m.end() <= hi), None)
        if m:
            if rule.type_class == EXPLOSION:
                return _explosion(text, m.start(), m.end())
            return TypeFinding(rule.type_class, rule.subtype, m.start(), m.end(), "inferred")
    return None


def _with_method(found: TypeFinding, method: str) -> TypeFinding:
    return TypeFinding(found.type_class, found.subtype, found.start, found.end, method)


def _sentence(text: str, start: int, end: int, reach: int = 30) -> tuple[int, int]:
    lo, hi = max(0, start - reach), min(len(text), end + reach)
    before = [m.end() for m in re.finditer(r"[。；\n]", text[lo:start])]
    after = re.search(r"[。；\n]", text[end:hi])
    return lo + (before[-1] if before else 0), end + after.start() if after else hi


def _explosion(text: str, start: int, end: int, elsewhere: bool = True) -> TypeFinding:
    """The explosion class from the nearest qualifier in the sentence, else from a named
    explosion elsewhere in the text (瓦斯爆炸, 锅炉爆炸 …), else 其他爆炸."""
    lo, hi = _sentence(text, start, end)
    best = None
    for rank, (type_class, subtype, pattern) in enumerate(QUALIFIERS):
        for q in pattern.finditer(text, lo, hi):
            distance = start - q.end() if q.end() <= start else q.start() - end
            if distance >= 0 and (best is None or (distance, rank) < best[0]):
                best = ((distance, rank), type_class, subtype, q.start(), q.end())
    if best is None:
        named = _QUALIFIED.search(text) if elsewhere else None
        if named:
            return _explosion(text, named.end() - 2, named.end(), elsewhere=False)
        return TypeFinding("其他爆炸", None, start, end, "inferred")
    _, type_class, subtype, q_start, q_end = best
    if type_class == "火药爆炸" and _BLASTING.search(text, lo, hi):
        type_class = "放炮"  # GB 6441 放炮: explosives going off in blasting work
    return TypeFinding(type_class, subtype, min(start, q_start), max(end, q_end), "inferred")


# Subtypes named elsewhere in the text once the class is known.
_REFINE = {
    "坍塌": [r for r in RULES if r.type_class == "坍塌" and r.subtype in NAMED_SUBTYPES],
    "冒顶片帮": [r for r in RULES if r.subtype == "冲击地压"],
    "瓦斯爆炸": [_Rule("瓦斯爆炸", "煤尘爆炸", re.compile(r"煤尘爆炸"))],
    "车辆伤害": [_Rule("车辆伤害", "道路运输", _ROAD_STRONG)],
}


def _refine(text: str, found: TypeFinding, context: dict) -> TypeFinding:
    """Add the subtype the text names elsewhere (事故类别：坍塌 … 基坑边坡失稳). A 车辆伤害
    decided by a site vehicle (叉车, 观光车) keeps no subtype."""
    if found.subtype or found.type_class not in _REFINE:
        return found
    if found.type_class == "车辆伤害" and (
        _SITE_VEHICLES.match(text, found.start) or _SITE_ONLY.search(text)
    ):
        return found
    for rule in _REFINE[found.type_class]:
        if rule.needs and not context[rule.needs]:
            continue
        if rule.pattern.search(text):
            return TypeFinding(found.type_class, rule.subtype, found.start, found.end, found.method)
    return found
