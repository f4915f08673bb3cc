"""The accident vocabularies: accident type (GB 6441-86 《企业职工伤亡事故分类》), its subtypes,
and the sector (行业领域) a report is counted in. The one list the extractor, the database
descriptions, the site's filters and charts and Datasette's facets use (docs/vocabulary.md).
"""

from __future__ import annotations

import re

# GB 6441-86 第2章 事故类别, in the standard's order (codes 01-20).
ACCIDENT_TYPES = (
    "物体打击",
    "车辆伤害",
    "机械伤害",
    "起重伤害",
    "触电",
    "淹溺",
    "灼烫",
    "火灾",
    "高处坠落",
    "坍塌",
    "冒顶片帮",
    "透水",
    "放炮",
    "火药爆炸",
    "瓦斯爆炸",
    "锅炉爆炸",
    "容器爆炸",
    "其他爆炸",
    "中毒和窒息",
    "其他伤害",
)

# The narrower kind a report names where its class does not say it, with the classes it
# belongs to. GB 6441 has no class of its own for these: 煤与瓦斯突出 is not an explosion (其他伤害);
# coal dust explodes with gas in the standard's 瓦斯爆炸; 冲击地压 brings down roof and rib
# (冒顶片帮); road traffic is 车辆伤害. Mine haulage is 车辆伤害 when a locomotive or vehicle runs,
# 其他伤害 when the cars are rope-hauled (the definition of 车辆伤害 excludes 牵引车辆).
SUBTYPES: dict[str, tuple[str, ...]] = {
    "道路运输": ("车辆伤害",),
    "矿井运输": ("车辆伤害", "其他伤害"),
    "煤与瓦斯突出": ("其他伤害",),
    "冲击地压": ("冒顶片帮",),
    "煤尘爆炸": ("瓦斯爆炸",),
    "燃气爆炸": ("其他爆炸",),
    "粉尘爆炸": ("其他爆炸",),
    "边坡坍塌": ("坍塌",),
    "基坑坍塌": ("坍塌",),
    "脚手架坍塌": ("坍塌",),
    "模板支架坍塌": ("坍塌",),
    "建筑物坍塌": ("坍塌",),
}

# 行业领域 as the emergency-management statistics count accidents (煤矿, 金属非金属矿山, 化工和
# 危险化学品, 烟花爆竹, 工贸 = 冶金、有色、建材、机械、轻工、纺织、烟草、商贸, 建筑施工, 道路运输,
# 生产经营性火灾); 火灾 holds fires outside the other sectors, 其他 what fits none of them.
SECTORS = ("煤矿", "金属非金属矿山", "危险化学品", "烟花爆竹", "工贸", "建筑施工", "道路运输", "火灾", "其他")

# Names older data and other sources use for a class (or class and subtype).
_TYPE_ALIASES: dict[str, tuple[str, str | None]] = {
    "爆炸": ("其他爆炸", None),
    "其它爆炸": ("其他爆炸", None),
    "其它伤害": ("其他伤害", None),
    "其他": ("其他伤害", None),
    "其它": ("其他伤害", None),
    "道路运输": ("车辆伤害", "道路运输"),
    "道路交通": ("车辆伤害", "道路运输"),
    "交通事故": ("车辆伤害", "道路运输"),
    "运输": ("车辆伤害", "矿井运输"),
    "煤与瓦斯突出": ("其他伤害", "煤与瓦斯突出"),
    "瓦斯突出": ("其他伤害", "煤与瓦斯突出"),
    "煤尘爆炸": ("瓦斯爆炸", "煤尘爆炸"),
    "燃气爆炸": ("其他爆炸", "燃气爆炸"),
    "粉尘爆炸": ("其他爆炸", "粉尘爆炸"),
    "冲击地压": ("冒顶片帮", "冲击地压"),
    "冒顶": ("冒顶片帮", None),
    "顶板": ("冒顶片帮", None),
    "中毒窒息": ("中毒和窒息", None),
    "中毒": ("中毒和窒息", None),
    "窒息": ("中毒和窒息", None),
    "溺水": ("淹溺", None),
    "爆破": ("放炮", None),
}
_SUFFIX = re.compile(r"(?:生产安全)?(?:责任)?事故$")
_PAIR = re.compile(r"^(?P<cls>[^（(/／]+)\s*(?:[（(](?P<sub1>[^）)]+)[）)]|[/／](?P<sub2>.+))$")


def _one(word: str) -> tuple[str, str | None] | None:
    word = _SUFFIX.sub("", word.strip())
    if word in ACCIDENT_TYPES:
        return word, None
    if word in _TYPE_ALIASES:
        return _TYPE_ALIASES[word]
    if word in SUBTYPES:
        return SUBTYPES[word][0], word
    return None


def normalize_type(value: str | None) -> tuple[str, str | None] | None:
    """(class, subtype) for a type a source gives as a field: a GB 6441 class, a subtype, the
    older names (爆炸, 道路运输, 运输, 其它爆炸 …) or "车辆伤害（道路运输）"; None if unknown."""
    if not value or not value.strip():
        return None
    text = value.strip()
    found = _one(text)
    if found:
        return found
    m = _PAIR.match(text)
    if m:
        cls = _one(m.group("cls"))
        sub = (m.group("sub1") or m.group("sub2") or "").strip()
        if cls and sub in SUBTYPES and cls[0] in SUBTYPES[sub]:
            return cls[0], sub
        if cls:
            return cls
    return None


def type_label(type_class: str | None, subtype: str | None = None) -> str:
    """How pages print a type: 车辆伤害（道路运输）, or the class alone."""
    if not type_class:
        return ""
    return f"{type_class}（{subtype}）" if subtype else type_class


def type_order(value: str | None) -> tuple[int, str]:
    """Sort key: the standard's order, a class before its subtypes ("车辆伤害（道路运输）"),
    values outside the vocabulary last."""
    pair = _PAIR.match(value or "")
    if value in ACCIDENT_TYPES or (pair and pair.group("cls") in ACCIDENT_TYPES):
        cls = value if value in ACCIDENT_TYPES else pair.group("cls")
        return ACCIDENT_TYPES.index(cls), "" if cls == value else value
    return len(ACCIDENT_TYPES), value or ""


def sector_order(value: str | None) -> tuple[int, str]:
    return (SECTORS.index(value), "") if value in SECTORS else (len(SECTORS), value or "")
