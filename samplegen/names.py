"""The fictional world's vocabulary: Gansu regions (GB/T 2260), masked person names,
enterprise names (always containing 示例), industries and the accident types they have.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

# 14 市州: code, full name, short name (as in enterprise names), 公文 abbreviation, counties.
CITIES: dict[str, tuple[str, str, str, list[tuple[str, str]]]] = {
    "620100": (
        "兰州市",
        "兰州",
        "兰",
        [
            ("620102", "城关区"),
            ("620103", "七里河区"),
            ("620104", "西固区"),
            ("620105", "安宁区"),
            ("620111", "红古区"),
            ("620121", "永登县"),
            ("620122", "皋兰县"),
            ("620123", "榆中县"),
        ],
    ),
    "620200": ("嘉峪关市", "嘉峪关", "嘉", [("620200", "嘉峪关市")]),
    "620300": ("金昌市", "金昌", "金", [("620302", "金川区"), ("620321", "永昌县")]),
    "620400": (
        "白银市",
        "白银",
        "白",
        [
            ("620402", "白银区"),
            ("620403", "平川区"),
            ("620421", "靖远县"),
            ("620422", "会宁县"),
            ("620423", "景泰县"),
        ],
    ),
    "620500": (
        "天水市",
        "天水",
        "天",
        [
            ("620502", "秦州区"),
            ("620503", "麦积区"),
            ("620521", "清水县"),
            ("620522", "秦安县"),
            ("620523", "甘谷县"),
            ("620524", "武山县"),
            ("620525", "张家川回族自治县"),
        ],
    ),
    "620600": (
        "武威市",
        "武威",
        "武",
        [("620602", "凉州区"), ("620621", "民勤县"), ("620622", "古浪县"), ("620623", "天祝藏族自治县")],
    ),
    "620700": (
        "张掖市",
        "张掖",
        "张",
        [
            ("620702", "甘州区"),
            ("620721", "肃南裕固族自治县"),
            ("620722", "民乐县"),
            ("620723", "临泽县"),
            ("620724", "高台县"),
            ("620725", "山丹县"),
        ],
    ),
    "620800": (
        "平凉市",
        "平凉",
        "平",
        [
            ("620802", "崆峒区"),
            ("620821", "泾川县"),
            ("620822", "灵台县"),
            ("620823", "崇信县"),
            ("620825", "庄浪县"),
            ("620826", "静宁县"),
            ("620881", "华亭市"),
        ],
    ),
    "620900": (
        "酒泉市",
        "酒泉",
        "酒",
        [
            ("620902", "肃州区"),
            ("620921", "金塔县"),
            ("620922", "瓜州县"),
            ("620923", "肃北蒙古族自治县"),
            ("620924", "阿克塞哈萨克族自治县"),
            ("620981", "玉门市"),
            ("620982", "敦煌市"),
        ],
    ),
    "621000": (
        "庆阳市",
        "庆阳",
        "庆",
        [
            ("621002", "西峰区"),
            ("621021", "庆城县"),
            ("621022", "环县"),
            ("621023", "华池县"),
            ("621024", "合水县"),
            ("621025", "正宁县"),
            ("621026", "宁县"),
            ("621027", "镇原县"),
        ],
    ),
    "621100": (
        "定西市",
        "定西",
        "定",
        [
            ("621102", "安定区"),
            ("621121", "通渭县"),
            ("621122", "陇西县"),
            ("621123", "渭源县"),
            ("621124", "临洮县"),
            ("621125", "漳县"),
            ("621126", "岷县"),
        ],
    ),
    "621200": (
        "陇南市",
        "陇南",
        "陇",
        [
            ("621202", "武都区"),
            ("621221", "成县"),
            ("621222", "文县"),
            ("621223", "宕昌县"),
            ("621224", "康县"),
            ("621225", "西和县"),
            ("621226", "礼县"),
            ("621227", "徽县"),
            ("621228", "两当县"),
        ],
    ),
    "622900": (
        "临夏回族自治州",
        "临夏",
        "临州",
        [
            ("622901", "临夏市"),
            ("622921", "临夏县"),
            ("622922", "康乐县"),
            ("622923", "永靖县"),
            ("622924", "广河县"),
            ("622925", "和政县"),
            ("622926", "东乡族自治县"),
            ("622927", "积石山保安族东乡族撒拉族自治县"),
        ],
    ),
    "623000": (
        "甘南藏族自治州",
        "甘南",
        "州",
        [
            ("623001", "合作市"),
            ("623021", "临潭县"),
            ("623022", "卓尼县"),
            ("623023", "舟曲县"),
            ("623024", "迭部县"),
            ("623025", "玛曲县"),
            ("623026", "碌曲县"),
            ("623027", "夏河县"),
        ],
    ),
}
PROVINCE = ("620000", "甘肃省")
# Short forms statistical tables use for the two autonomous prefectures.
CITY_SHORT_FORMS = {"622900": "临夏州", "623000": "甘南州"}


def city_name(code: str) -> str:
    return CITIES[code][0]


def county_name(code: str) -> str:
    for city in CITIES.values():
        for county, name in city[3]:
            if county == code:
                return name
    raise KeyError(code)


def county_abbr(code: str) -> str:
    """The county's short form in 文号 (甘谷政函, 七里河应急罚, 张家川政函). Not one character:
    that would collide with a city's (金川/金昌) or the province's (甘谷/甘)."""
    name = county_name(code)
    stem = re.split(r"回族|藏族|蒙古族|裕固族|哈萨克族|保安族|东乡族|撒拉族", name)[0] or name[:2]
    return (stem.rstrip("区县市") or stem)[:3]


def city_of(county: str) -> str:
    return county[:4] + "00"


# --- persons ---------------------------------------------------------------------

SURNAMES = (
    "张王李赵刘陈杨黄马周吴徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
    "苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏付方邹熊白孟秦邱侯江尹薛段雷史陶贺毛郝顾龚邵万武钱严孔常汤康乔"
)
GIVEN = "昌军明华强伟平勇杰涛斌超刚辉鹏林峰磊波飞亮成龙宏海东生文玉兰英芳霞红梅娟云福贵荣德祥山川春秋忠义"


def masked_person(rng: random.Random) -> str:
    """Names as Gansu reports print them: 姓 + 某 + last character (张某昌)."""
    return rng.choice(SURNAMES) + "某" + rng.choice(GIVEN)


# --- enterprises -----------------------------------------------------------------

BRAND_HEAD = "鑫金华恒瑞宏永天中安万博嘉润腾昌兴汇鼎正盛新福泰宝佳富德广开聚同裕振荣陇丰通远"
BRAND_TAIL = "达原泰宇通远成拓和源丰盛华隆业鼎禾泽飞力信民润元昌兴安康顺"


# 行业领域 as the emergency-management statistics count accidents: the vocabulary structured
# fields use (etl/rules/vocabulary.py SECTORS); 工贸 holds 冶金、有色、建材、机械、轻工、商贸.
SECTORS = ("煤矿", "金属非金属矿山", "危险化学品", "烟花爆竹", "工贸", "建筑施工", "道路运输", "火灾", "其他")


@dataclass(frozen=True)
class Industry:
    name: str  # the trade as a report's text calls it (非煤矿山, 冶金, 燃气 …)
    suffixes: tuple[str, ...]
    accident_types: tuple[str, ...]  # GB 6441-1986 classes this industry typically reports
    blacklist_scope: bool  # in the scope of 应急管理部令第11号 第二条
    sector: str = ""  # its SECTORS entry (the 行业 column of a register)


INDUSTRIES: dict[str, Industry] = {
    i.name: i
    for i in (
        Industry(
            "煤矿",
            ("煤业有限责任公司", "煤业有限公司", "矿业有限责任公司"),
            ("冒顶片帮", "瓦斯爆炸", "透水", "车辆伤害", "机械伤害"),
            True,
            "煤矿",
        ),
        Industry(
            "非煤矿山",
            ("矿业有限公司", "石料有限公司", "矿业开发有限责任公司"),
            ("坍塌", "冒顶片帮", "放炮", "高处坠落", "透水", "车辆伤害"),
            True,
            "金属非金属矿山",
        ),
        Industry(
            "危险化学品",
            ("化工有限公司", "石化有限公司", "化学工业有限公司"),
            ("中毒和窒息", "其他爆炸", "火灾", "灼烫", "容器爆炸"),
            True,
            "危险化学品",
        ),
        Industry(
            "建筑施工",
            ("建筑工程有限公司", "建设集团有限公司", "建工有限公司"),
            ("高处坠落", "坍塌", "物体打击", "起重伤害", "触电"),
            False,
            "建筑施工",
        ),
        Industry(
            "道路运输", ("运输有限公司", "物流有限公司", "客运有限公司"), ("车辆伤害",), False, "道路运输"
        ),
        Industry(
            "冶金",
            ("钢铁有限公司", "冶金有限公司", "铁合金有限公司"),
            ("灼烫", "中毒和窒息", "其他爆炸", "起重伤害"),
            True,
            "工贸",
        ),
        Industry(
            "有色", ("有色金属有限公司", "铝业有限公司"), ("灼烫", "中毒和窒息", "机械伤害"), True, "工贸"
        ),
        Industry(
            "工贸",
            ("机械制造有限公司", "建材有限公司", "食品有限公司", "纺织有限公司", "商贸有限公司"),
            ("机械伤害", "中毒和窒息", "火灾", "触电", "物体打击", "淹溺"),
            True,
            "工贸",
        ),
        Industry("烟花爆竹", ("烟花爆竹有限公司", "烟花爆竹批发有限公司"), ("火药爆炸",), True, "烟花爆竹"),
        Industry(
            "燃气", ("燃气有限公司", "天然气有限责任公司"), ("其他爆炸", "火灾", "中毒和窒息"), False, "其他"
        ),
        Industry(
            "技术服务", ("安全评价有限公司", "检测技术有限公司", "安全技术咨询有限公司"), (), True, "其他"
        ),
    )
}

# Share of enterprises per industry (the 技术服务 agencies are created separately).
INDUSTRY_WEIGHTS = {
    "煤矿": 6,
    "非煤矿山": 10,
    "危险化学品": 12,
    "建筑施工": 16,
    "道路运输": 10,
    "冶金": 6,
    "有色": 4,
    "工贸": 26,
    "烟花爆竹": 4,
    "燃气": 6,
}

# How titles name the accident for each GB 6441 class (several everyday names per class).
TYPE_TITLE_WORDS = {
    "其他爆炸": ("爆炸", "燃气爆炸", "闪爆"),
    "车辆伤害": ("道路交通", "车辆伤害"),
    "中毒和窒息": ("中毒和窒息", "中毒窒息"),
    "冒顶片帮": ("冒顶", "顶板"),
    "火药爆炸": ("爆炸",),
}


def enterprise_name(rng: random.Random, prefix: str, industry: str, long: bool = False) -> str:
    """A fictional registered name. A two-character brand gives 2,262-5,655 names per prefix and
    industry; `long` adds a third character (about 30 times as many) for when those run out."""
    brand = rng.choice(BRAND_HEAD) + rng.choice(BRAND_TAIL)
    if long:
        brand += rng.choice(BRAND_HEAD)
    return f"{prefix}示例{brand}{rng.choice(INDUSTRIES[industry].suffixes)}"


def brand_of(name: str) -> str:
    """The two characters after 示例 (used for 'the company's X煤矿' and similar)."""
    return name.split("示例", 1)[1][:2]
