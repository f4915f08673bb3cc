"""Stated facts read from report text: the grade the text names, the accident type and
whether the text finds 瞒报/谎报."""
from __future__ import annotations

import re

from etl.rules.grades import normalize_grade

# --- grade as stated (《生产安全事故报告和调查处理条例》第三条 names: 一般/较大/重大/特别重大) ------
_GRADE_LABEL = re.compile(r"事故(?:等级|级别)\s*(?:[:：]|为|是|属|属于|认定为)\s*(特别重大|重大|较大|一般)")
_GRADE_PHRASE = re.compile(r"(特别重大|重大|较大|一般)(?P<filler>[\u4e00-\u9fff]{0,10}?)事故(?!隐患|罪|调查处理)")
# Words in between that show a general reference, not this accident's grade.
_GRADE_NOT = re.compile(r"的|发生|造成|情况|来说|而言|以上|以下|及|等|类|性|防范|遏制|隐患|防止|杜绝")
_GRADE_NEGATED = re.compile(r"(不属于|不构成|未达到|不是|防范|遏制|防止|杜绝|避免|坚决)[^，。]{0,6}$")


def stated_grade(text: str) -> str | None:
    found = stated_grade_at(text)
    return found[0] if found else None


def stated_grade_at(text: str) -> tuple[str, int, int] | None:
    """(grade, start, end) of the grade the text states for this accident."""
    m = _GRADE_LABEL.search(text)
    if m:
        return m.group(1), m.start(), m.end()
    for m in _GRADE_PHRASE.finditer(text):
        if _GRADE_NOT.search(m.group("filler")) or _GRADE_NEGATED.search(text[max(0, m.start() - 12):m.start()]):
            continue
        if text[max(0, m.start() - 1):m.start()] == "重":  # 重特大事故: general term
            continue
        return normalize_grade(m.group(1)), m.start(), m.end()
    return None


# --- accident type (GB 6441 classes and mining usage; issue 3) ------------------------------
# Strong keywords, most specific first: an explosion that starts a fire is 爆炸, a tower crane
# that falls over is 起重伤害, a fire's smoke poisoning is 火灾. "一起重大" is not 起重.
TYPE_KEYWORDS = [
    ("煤与瓦斯突出", r"煤与瓦斯突出|煤\(岩\)与瓦斯突出|瓦斯突出"),
    ("道路运输", r"道路交通|交通事故|道路运输"),
    ("车辆伤害", r"车辆伤害|观光车|叉车|厂内机动车|场内机动车|厂内车辆|装载机"),
    ("起重伤害", r"起重伤害|(?<!一)起重(?!大)|塔吊|塔式起重机|吊车|汽车吊|吊装|吊臂|龙门吊|桥式起重"),
    ("透水", r"透水|突水|水害|溃水|涌水"),
    ("冒顶片帮", r"冒顶|片帮|顶板"),
    ("放炮", r"放炮|爆破"),
    ("爆炸", r"爆炸|爆燃|燃爆|闪爆"),
    ("火灾", r"火灾|起火|着火|失火"),
    ("中毒和窒息", r"中毒|窒息|硫化氢|一氧化碳|氨气|有毒气体"),
    ("触电", r"触电|电击|漏电"),
    ("淹溺", r"淹溺|溺水|溺亡|落水"),
    ("物体打击", r"物体打击|砸中|砸伤|砸死|击中|落物"),
    ("高处坠落", r"高处坠落|坠落|坠亡|跌落|摔落"),
    ("坍塌", r"坍塌|垮塌|倒塌|塌方|坍方|塌陷|掩埋"),
    ("灼烫", r"灼烫|烫伤|灼伤|烧伤|喷溅"),
    ("机械伤害", r"机械伤害|绞伤|绞入|卷入|挤压|碾压|绞"),
    ("运输", r"运输事故|提升运输|跑车|矿车"),
    ("其他", r"其他伤害|其它伤害|其他事故"),
]
# Weak hints, used only when no strong keyword appears: vehicles on roads.
_ROAD_HINTS = re.compile(r"相撞|追尾|侧翻|轿车|货车|客车|摩托车|国道|省道|高速公路|公路")
_TYPE_LABEL = re.compile(r"事故(?:类型|类别)\s*[:：]\s*([^\n，。；]{1,12})")
ACCIDENT_TYPES = [t for t, _ in TYPE_KEYWORDS]


def _type_in(window: str) -> str | None:
    for accident_type, pattern in TYPE_KEYWORDS:
        if re.search(pattern, window):
            return accident_type
    return None


def accident_type(text: str) -> str | None:
    """The type the text names ('事故类型：', '…X事故'), else the strongest keyword in the
    narrative, else a road-vehicle hint; None when nothing indicates a type."""
    m = _TYPE_LABEL.search(text)
    if m and (found := _type_in(m.group(1))):
        return found
    for m in re.finditer(r"事故|发生(?!在|于|地|时|后|前|的)", text):
        if m.group() == "事故":
            window = re.split(r"[，。；：、\n]", text[max(0, m.start() - 12):m.start()])[-1]
        else:  # "发生边坡坍塌", "发生闪爆": the event named right after 发生
            window = re.split(r"[，。；：、\n]", text[m.end():m.end() + 12])[0]
        if found := _type_in(window):
            return found
    if found := _type_in(text):
        return found
    return "道路运输" if _ROAD_HINTS.search(text) else None


# --- concealment (条例第三十六条: 谎报/瞒报; 迟报 and 漏报 are not concealment) -------------
_CONCEAL = re.compile(r"瞒报|谎报|隐瞒不报|隐瞒事故|隐瞒真相|隐瞒事故真相")
_STRONG_NEGATION = re.compile(r"不存在|未发现|没有|排除|否认|严禁|不得|杜绝|防止|严防|打击|禁止|是否|"
                              r"不属于|不构成|坚决|避免|对于|凡是|凡|如有|一律")
_WEAK_NEGATION = re.compile(r"(无|未|不|非)[^，。]{0,2}$")


def _clause_before(text: str, pos: int) -> str:
    floor = max(0, pos - 200)  # bounded: clauses are short
    start = max(max(text.rfind(c, floor, pos) for c in "，。；;\n") + 1, floor)
    return text[start:pos]


def concealment(text: str) -> str | None:
    """'瞒报' or '谎报' when the text states it as a finding; None otherwise (negations,
    prohibitions and conditional rules such as '瞒报、谎报的，依法…' are not findings)."""
    found = concealment_at(text)
    return found[0] if found else None


def concealment_at(text: str) -> tuple[str, int, int] | None:
    """(kind, start, end) of the first concealment finding."""
    for m in _CONCEAL.finditer(text):
        before = _clause_before(text, m.start())
        if _STRONG_NEGATION.search(before) or _WEAK_NEGATION.search(before):
            continue
        after = text[m.end():m.end() + 8]
        if re.match(r"[、，]?[^，。]{0,6}的[，,]", after) or re.match(r"(?:、[^，。]{1,4})*的[，,]", after):
            continue  # "瞒报、谎报的，" states a rule, not a fact
        return ("谎报" if m.group() == "谎报" else "瞒报"), m.start(), m.end()
    return None
