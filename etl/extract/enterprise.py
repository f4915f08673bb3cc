"""The unit where the accident happened (事故发生单位) as a report names it.

Candidates are name-like runs ending in a legal-person suffix (…有限公司, …合作社, …集团) or a
facility suffix (…煤矿, …厂, …加油站, …店), cut at the words that end what comes before a name
(位于…的, 反映, 据…通报, 由, 对 …). A unit of a company written after the company's name is
that unit, as written (X有限公司Y煤矿, X有限公司Y项目部, X有限公司Y分店): the README of
tests/corpus/reports defines the 事故发生单位 so. Place names glued in front of a registered
name (兰州新区X公司, 鞍山市海城市X公司, 海沧区厦门X公司, 东大街成县X公司) are dropped: a registered
name carries one division, so a lower division or a street written before a name that starts
with a division is an address; a town inside the name (佛山市南海区狮山镇X公司) is dropped where
the text also writes the name without it.

The best candidate is the one the text marks as the unit of the accident: a label
(事故发生单位为…, 名称：… under 事故单位概况), a finding (对事故发生负有主要责任), a title
(X“6·12”较大爆炸事故), the subject of 发生, the unit doing the work (由X负责施工) or employing the
victims (系X员工); units named in a role that is not the accident's (建设单位, 监理单位, a
utility 组织抢修 …) lose, and are dropped when nothing else marks them. A unit's score sums the
kinds of mark over all its mentions; a short name declared with （以下简称Y）, the unit's own name
after its company, the name without its places, or a facility the company is named after
(燕子河水电站 of 康县燕子河水电开发有限公司; never a mine) lends its mentions to the full name. A
company leading on title or section marks gives way to its own unit where the accident happened
(X公司Y污水处理厂发生…) unless a label names the company. Ties go to the earlier mention;
`contenders()` says when the best is too close to call (a company is no rival of its own unit
that leads).

Known limits: a real name containing a cut word (的, 在, 为, 与, 及, 由, 因, 将) is shortened; a
facility type missing from _FACILITY (…风电场 is there, …冷库 is not) is not found; a name broken
across two lines (PDF text) is read as two pieces; places outside Gansu's table are known only by
their suffix (…市, …县, …镇), as a province, as a prefecture after a division, or as a short
name the text also writes with its suffix (靖远 for 靖远县).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from etl.normalize.names import normalize_enterprise_name
from etl.normalize.regions import find_regions

_LEGAL = re.compile(
    r"集团股份有限公司|集团有限责任公司|集团有限公司|股份有限公司|有限责任公司|有限公司|"
    r"集团公司|分公司|公司|专业合作社|合作社|集团|商行|经营部|门市部"
)
# No bare 站: 收费站, 监督站, 检查站 are never the unit; 加油站 and 水电站 can be.
_FACILITY = re.compile(
    r"煤矿|铁矿|金矿|铜矿|铅锌矿|锌矿|钼矿|镍矿|石膏矿|矿井|采石场|砂石料场|料场|养殖场|"
    r"农场|林场|牧场|屠宰场|风电场|采砂场|砂场|加工厂|砖厂|工厂|厂|水电站|电站|加油站|加气站|"
    r"搅拌站|零售店|店|商贸城|商场|超市|酒店|宾馆|饭店|餐馆|饭馆|面馆|旅馆|茶馆|餐厅|"
    r"石灰石矿|石灰岩矿|石英矿|萤石矿|锰矿|磷矿|铝土矿|黏土矿|粘土矿"
)
# A suffix followed by one of these is part of another word (厂房, 矿长, 店铺, 场地).
_NOT_END = {
    "厂": "房区长家商",
    "矿": "长区山热石产渣物料车洞",
    "场": "长地所景馆",
    "店": "长主员铺面家",
    "站": "长点",
    "井": "长口",
    "馆": "长内",
}
MAX_NAME = 40  # characters before a suffix that can belong to one name
_RUN = re.compile(r"[\u4e00-\u9fff（）()·]+")
# Words that end what comes before an enterprise name; cut there (longest first).
_CUT_WORDS = sorted(
    """位于 地处 坐落于 隶属于 隶属 所属的 所属 承建的 承建 分包的 分包 管理的 经营的
    发生在 发生于 施工单位为 建设单位为 事故单位为 事故发生单位为 单位为 事故单位 事故发生单位
    发生事故单位 企业名称 单位名称 涉事企业 涉事单位 一辆 一台 一家 一处 一座 境内的 境内 以下简称
    属于 归属于 挂靠 挂靠于 其中 下辖 下设 所辖 旗下 下属 设立 从事 单位 施工方 建设方 业主方
    承包方 总包方 分包方 反映 通报 报道 介绍 获悉 了解到 消息 证实 表示 发布 公布 责令 要求 认定
    目前 当时 日前 近日 随后 同时 受 出事 事发 肇事 这家 那家 这 该 将 把 委托
    经查 经调查 据悉 据了解 据统计 关于 发生 对 由 的 是 为 在 与 及 由于 因 建议 责成""".split(),
    key=len,
    reverse=True,
)
# 属 ("该厂属X所有") ends a phrase too, except inside 金属, 附属, 直属 …
_CUT = re.compile(
    "|".join(map(re.escape, dict.fromkeys(_CUT_WORDS))) + r"|(?<![金附直亲家专从])属"
    r"|(?<![体联关干派世])系(?![统列数])"  # "遇难者系X公司员工"; not 体系, 系统
    r"|向(?![阳东前荣日])"  # "先后向X公司报告"; not 向阳
    r"|(?<![名职对])称(?![心重量])"  # "反映称X公司"; not 名称, 称重
    r"|(?<=[区厂园场院矿店])内(?![蒙江燃])"  # "园区内X公司"; not 内蒙古, 内燃机
)
# Words and enumerators that start a run but are not part of a name: "（一）X公司", "系X公司员工".
_LEAD = re.compile(
    r"(?:[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|据|系(?![统列])|"
    r"即|均|并|而|且|又|另|已|仍|还|也|但|了)+"
)
_JOINED = re.compile(r"以及|和|与|及|、|或")
_BAD_START = ("该", "本", "此", "其", "各", "上述", "涉事", "某", "这", "那", "附近", "周边")
_NOT_A_NAME = re.compile(
    r"一名|一人|被|等人|工人|作业人员|多名|行人|依法|警方|记者|全市|全县|全省|全区|"
    r"全国|已经|责令|某|督促|履行|落实|加强|开展|排查|检查|整治|指导|监管|"
    r"[一二两三四五六七八九十\d]+[处个家座名台]|以下简称"
)
_AUTHORITY = re.compile(
    r"政府|应急管理|安全生产监督|安监|公安|交警|检察|法院|纪委|监委|监察|消防救援|"
    r"医院|卫生院|调查组|委员会|安委会|住建|交通运输局|市场监管|人民|派出所|救援队|"
    r"救护队|收费站|服务区"
)
# A facility name needs a proper part besides places and words any such facility could carry
# ("乡镇煤矿", "高瓦斯矿井", "陕西煤矿" name no unit).
_GENERIC = re.compile(
    r"(?:乡镇|国有|地方|集体|个体|私营|民营|大型|中型|小型|高瓦斯|低瓦斯|突出|非煤|露天|"
    r"井工|地下|生产|在建|停产|关闭|整合|技改|相关|部分|其他|其它|同类|此类|当地|国家|"
    r"主要|烟花爆竹|烧烤|餐饮|石材|石料|砂石|采石|建材|水泥|化工|机械|食品|加工|木材|"
    r"家具|水果|蔬菜|汽修|修理|维修|[小和及与等煤铁金铜砖])*"
)

# --- subordinate units written after the company: X有限公司Y煤矿, X有限公司Y项目部 ------------
_TAIL = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9]{1,18}?(项目经理部|项目部|分公司|分厂|分店|分矿|煤矿|"
    r"号井|矿井(?!下)|坑口|加油站|加气站|矿|厂|井)"
)
# A tail is a unit only with a proper part of its own: "铁矿井下", "选矿车间", "主井" are not.
_MINE_WORD = re.compile(r"(?:露天|地下|井工|选|生产|新|老|主|副|风|本|该|原)+")
_MINERAL = re.compile(
    r"(?:煤|铁|金|银|铜|铅|锌|镍|钼|锡|钨|锑|铝|稀土|石膏|石灰石|石墨|磷|硫|萤石|锰|钾|砂石|石料)+$"
)
_TAIL_STOP = re.compile(
    r"[的在和与及、为是由等]|车间|工段|班组|发生|承建|承接|下设|设立|所属|下属|负责|施工|"
    r"作业|工人|人员|员工|一[名辆台处座个]|安排|组织|管理|矿长|厂长"
)

# --- places glued in front of a name ---------------------------------------------------------
_PROVINCES = tuple(
    sorted(
        "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 "
        "河南 湖北 湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 "
        "宁夏 新疆".split(),
        key=len,
        reverse=True,
    )
)
# Prefecture-level divisions outside Gansu (Gansu's are in its region table) by their short
# names, which registered names start with (厦门X公司, 赤峰X公司). Read only after a division of
# the same name (海沧区厦门X公司: a district glued before a name that starts with its city).
# Short names that are common trade names (朝阳, 中山, 大同, 金华 …) are left out.
_PREFECTURES = tuple(
    sorted(
        set(
            """
    石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 太原 阳泉 晋城 朔州 晋中 运城
    忻州 临汾 吕梁 呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 锡林郭勒 阿拉善
    沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 葫芦岛 四平 辽源 通化 松原 白城
    延边 哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭 南京
    无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 杭州 宁波 温州 嘉兴 湖州 绍兴
    衢州 舟山 台州 丽水 合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 滁州 阜阳 宿州 六安 亳州 池州
    宣城 福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德 南昌 景德镇 萍乡 九江 鹰潭 赣州 宜春 抚州
    上饶 济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 郑州
    开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源
    武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 长沙 株洲 湘潭 衡阳 邵阳
    岳阳 常德 张家界 益阳 郴州 怀化 娄底 湘西 广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆
    惠州 梅州 汕尾 河源 阳江 清远 东莞 潮州 揭阳 云浮 南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港
    玉林 百色 贺州 河池 来宾 崇左 海口 三亚 三沙 儋州 成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁
    内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 甘孜 凉山 贵阳 六盘水 遵义 安顺 毕节
    铜仁 黔西南 黔东南 黔南 昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 西双版纳 怒江 迪庆 拉萨
    日喀则 昌都 林芝 山南 那曲 西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 商洛 西宁 黄南 果洛 玉树
    银川 石嘴山 吴忠 固原 中卫 乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏
    喀什 和田 伊犁 塔城 阿勒泰""".split()
        ),
        key=len,
        reverse=True,
    )
)
_ADMIN = r"特别行政区|自治区|自治州|自治县|自治旗|新区|地区|省|市|州|盟|县|旗|区"
_SUB = r"街道|开发区|工业园区|工业园|产业园|工业区|园区|基地|社区|镇|乡|村"
_PLACE = re.compile(rf"[\u4e00-\u9fff]{{1,9}}?(?:({_ADMIN})|({_SUB}))")
_NOT_PLACE = re.compile(r"集团|公司|有限|实业|企业|商贸|能源|煤炭|煤业|矿业|运销|物流|科技|股份")
_ABSORB = re.compile(r"新区|自治州|自治县|地区|省|市|区|县|州")  # 兰州+新区, 贵州+省
_STREET = re.compile(r"[\u4e00-\u9fff]{2,6}?(?:大街|大道|街|路|巷)(?:\d{1,4}号)?")  # not 丝路
# After these a suffix is a word, not a place's end (市政, 市场, 区域, 县级, 乡村, 村民).
_PLACE_NOT_END = {
    "市": "政场民容级值面",
    "区": "域别块间",
    "县": "级域",
    "镇": "压静定痛",
    "乡": "村土亲镇",
    "村": "民委镇",
    "路": "桥政面基灯线况网段口由径",
    "街": "道坊头",
}
_BUSINESS = re.compile(r"^(?:管理|开发|建设|投资|运营|服务|物业|发展|经营|实业|贸易|商贸)")


@dataclass
class Candidate:
    name: str
    start: int
    end: int
    legal: bool
    score: int = 0
    tail: int = 0  # where a subordinate unit's own name starts in `name` (0: none)
    lead: int = 0  # characters of places dropped before `start` (乡宁县 of 乡宁县山西X公司)


def _joined(s: str, end: int, table: dict[str, str]) -> bool:
    """Whether the suffix ending at s[end] runs on into a longer word (厂房, 市政)."""
    return 0 < end < len(s) and s[end] in table.get(s[end - 1], "")


def _cut_left(run: str) -> int:
    """Offset in run after the last cut word (where the name begins)."""
    cut = 0
    for m in _CUT.finditer(run):
        cut = max(cut, m.end())
    return cut


def _balanced(name: str) -> bool:
    depth = 0
    for ch in name:
        depth += ch in "（("
        depth -= ch in "）)"
        if depth < 0:
            return False
    return depth == 0


def _acceptable(name: str, legal: bool) -> bool:
    if (
        name.startswith(_BAD_START)
        or name.startswith(("（", "(", "·"))
        or _AUTHORITY.search(name)
        or _NOT_A_NAME.search(name)
        or not _balanced(name)
    ):
        return False
    suffix = (_LEGAL if legal else _FACILITY).search(name)
    core = name[: suffix.start()] if suffix else name
    # "一加油站", "该矿": an indefinite or pointing word before the suffix is not a name
    if core[-1:] in ("一", "该", "某", "此") or not core.strip("（）()·"):
        return False
    if not legal:
        if name.startswith("一") or re.search(r"(?<![第统唯])一[\u4e00-\u9fff]{0,6}$", core):
            return False  # "崆峒区一砂石厂", "一临街水果店": a place and "a quarry", no name
        places = _place_end(core)[0]
        proper = core[places[-1][1] if places else 0 :]
        if len(proper) < 2 or _GENERIC.fullmatch(proper):
            return False
    return len(core) >= 2 and (legal or len(name) >= 4)


def _tail_at(text: str, end: int) -> int:
    """End of a subordinate unit's name written right after a company's name at `end`, or 0."""
    m = _TAIL.match(text, end, min(len(text), end + 24))
    if not m:
        return 0
    proper, kind = text[end : m.start(1)], m.group(1)
    if _joined(text, m.end(), _NOT_END):
        return 0
    if _TAIL_STOP.search(proper):
        return 0
    # "主井", "露天煤矿", "炼铁厂": words any such unit could carry; "新庄煤矿" has a proper part
    own = _MINERAL.sub("", proper)
    if len(own) < (1 if kind == "号井" else 2) or _MINE_WORD.fullmatch(own):
        return 0
    return m.end()


@lru_cache(maxsize=8192)
def _place_end(name: str) -> tuple[tuple[tuple[int, int, bool], ...], int]:
    """The places a name starts with as (start, end, is_admin) and where the registered name
    begins. One place is part of a name (兰州X公司); with several, the registered name starts
    at the last division (鞍山市海城市X → 海城市X; 兰州新区甘肃X → 甘肃X; 海沧区厦门X → 厦门X), after a street or
    town with nothing administrative after it (兴庆区民族南街X店 → X店), or at a city with
    its district (平凉市崆峒区X: districts are registered with their city)."""
    gansu = {s: e for _, s, e in find_regions(name[:30])}
    tokens: list[tuple[int, int, bool]] = []
    pos = 0
    while pos < len(name) and len(tokens) < 6:
        end, admin = gansu.get(pos), True
        if end is None:
            end = _province_at(name, pos)
        if end is None:
            found = _generic_place(name, pos, gansu)
            if found:
                end, admin = found
            elif tokens and tokens[-1][2] and _prefecture_at(name, pos):
                end = _prefecture_at(name, pos)
            else:
                m = _STREET.match(name, pos)
                # first in the name only before a known division (东大街成县X公司)
                after = _division_after(name, m.end()) if m else None
                if m and not _joined(name, m.end(), _PLACE_NOT_END) and (tokens or after):
                    end, admin = m.end(), False
                    if after:
                        gansu.setdefault(end, after)
        if end is None:
            break
        if admin and (name[end - 1] == "州" or name[pos:end] in _PROVINCES):
            extra = _ABSORB.match(name, end)  # 兰州+新区, 贵州+省, 云南+省
            if extra and extra.end() < len(name):
                end = extra.end()
        tokens.append((pos, end, admin))
        pos = end
    return _registered_start(name, tuple(tokens), pos)


def _registered_start(
    name: str, tokens: tuple[tuple[int, int, bool], ...], pos: int
) -> tuple[tuple[tuple[int, int, bool], ...], int]:
    if len(tokens) < 2 or pos >= len(name):
        return tokens, 0
    last_start, last_end, admin = tokens[-1]
    if admin:
        return tokens, _division_start(name, tokens)
    if name[last_end - 1] in "镇乡村":
        # township and village enterprises are registered with county, town and village
        # (X县Y镇Z村W煤矿): the divisions before the county are dropped
        k = len(tokens) - 1
        while k >= 0 and not tokens[k][2] and name[tokens[k][1] - 1] in "镇乡村":
            k -= 1
        if k < 0 or not tokens[k][2]:
            return tokens, 0
        return tokens, _division_start(name, tokens[: k + 1], town=True)
    rest = name[last_end:]  # after a street, a 街道 or a park comes the name
    core = _LEGAL.split(rest, 1)[0]
    if len(core) >= 4 and not _BUSINESS.match(rest):
        return tokens, last_end
    return tokens, 0


def _division_start(name: str, tokens: tuple[tuple[int, int, bool], ...], town: bool = False) -> int:
    """Where the registered name begins when `tokens` (ending with a division) lead it."""
    last_start, last_end, _ = tokens[-1]
    start = last_start
    if len(tokens) > 1:
        prev_start, prev_end, prev_admin = tokens[-2]
        if (
            prev_admin
            and name[prev_end - 1] == "市"
            and name[last_end - 1] == "区"
            and not name[last_start:last_end].endswith(("新区", "自治区", "地区"))
        ):
            start = prev_start  # city and district
    stem = re.sub(rf"(?:{_ADMIN})$", "", name[last_start:last_end])
    if len(stem) >= 2 and name.startswith(stem, last_end) and not town:
        start = last_end  # 甘洛县甘洛X: the county, then the name that repeats it
    return start


def _generic_place(name: str, pos: int, gansu: dict[int, int]) -> tuple[int, bool] | None:
    """(end, is_admin) of a place named by its suffix at name[pos] (大理州, 代县, 江东街道)."""
    m = _PLACE.match(name, pos)
    if not m or _joined(name, m.end(), _PLACE_NOT_END):
        return None
    street = _STREET.match(name, pos, m.end())
    if street and _division_after(name, street.end()):
        return None  # 北关街陇西县, 东大街成县: a street before a division, not one place
    suffix = m.group(1) or m.group(2)
    if m.group(1) and _NOT_PLACE.search(name, pos, m.end() - len(suffix)):
        return None  # 山西煤炭运销集团盂县X: a group's name, not a place
    if suffix == "市" and m.end() - pos < 3:
        return None  # 城市, 超市, 都市, 门市: no city has a one-character name
    if (
        suffix == "州"
        and m.end() - pos < 3
        and not _ABSORB.match(name, m.end())
        and not _place_at(name, m.end(), gansu)
    ):
        return None  # 神州, 羌州: a brand, unless a place follows (武威凉州武威X)
    return m.end(), m.group(1) is not None


def _prefecture_at(name: str, pos: int) -> int | None:
    """End of a prefecture's short name at name[pos] that a registered name starts with (a
    proper part and a company suffix follow), or None (中山路, 泰安煤矿 are no such start)."""
    for p in _PREFECTURES:
        if name.startswith(p, pos):
            end = pos + len(p)
            legal = _LEGAL.search(name, end)
            if (
                name[end : end + 1] in "路街巷道"
                or name[end : end + 2] in ("大街", "大道")
                or not legal
                or legal.start() - end < 2
            ):
                return None
            return end
    return None


def _division_after(name: str, pos: int) -> int | None:
    """End of a Gansu division or a province named at name[pos], read as if the name began
    there (成县 after 东大街), or None."""
    found = find_regions(name[pos : pos + 12])
    if found and found[0][1] == 0:
        return pos + found[0][2]
    return _province_at(name, pos)


def _province_at(name: str, pos: int) -> int | None:
    return next((pos + len(p) for p in _PROVINCES if name.startswith(p, pos)), None)


def _place_at(name: str, pos: int, gansu: dict[int, int]) -> bool:
    m = _PLACE.match(name, pos)
    return pos in gansu or _province_at(name, pos) is not None or bool(m and m.group(1))


def _forms(name: str) -> list[str]:
    """The name and its readings without the places it starts with."""
    return [name] + [name[e:] for _, e, _ in _place_end(name)[0] if e < len(name)]


def _address_forms(name: str) -> list[str]:
    """The name without a town, street or park written between its divisions and the rest
    (佛山市南海区狮山镇X公司 → 佛山市南海区X公司): a registered name carries divisions, the
    address the rest."""
    tokens, _ = _place_end(name)
    out = []
    for k, (start, end, admin) in enumerate(tokens):
        if admin or k == 0 or not tokens[k - 1][2]:
            continue
        stop = k
        while stop + 1 < len(tokens) and not tokens[stop + 1][2]:
            stop += 1
        if tokens[stop][1] < len(name):
            out.append(name[:start] + name[tokens[stop][1] :])
    return out


def _name_forms(name: str) -> list[int]:
    """Offsets in name where a shorter reading without leading places begins (after a lone
    town, park or zone too: 千灯镇X公司, 兰州新区X公司)."""
    tokens, _ = _place_end(name)
    if len(tokens) == 1 and tokens[0][2] and not name[: tokens[0][1]].endswith("新区"):
        return []  # 兰州X公司 stays whole; 兰州新区 is a zone, no registering division
    return [s for s, _, _ in tokens[1:]] + ([tokens[-1][1]] if tokens else [])


_DIVISION_SUFFIX = r"(?:县|旗|盟|州|镇|市(?![政场民容级值面])|区(?![域别块间])|乡(?![村土亲镇]))"


def _text_place(name: str, text: str, written: set[str], seen: dict[str, bool]) -> list[int]:
    """Ends of a short place name glued before a name written alone elsewhere (靖远X公司, X公司)
    that the text writes with its suffix (靖远县): a county's short name is in no table."""
    out = []
    for k in range(2, 5):
        head = name[:k]
        if len(name) - k < 4 or name[k:] not in written or _NOT_PLACE.search(head):
            continue
        if head not in seen:
            seen[head] = bool(re.search(re.escape(head) + _DIVISION_SUFFIX, text))
        if seen[head]:
            out.append(k)
    return out


def _candidates_in_run(run: str, offset: int, text: str) -> list[Candidate]:
    found = []
    # Only 公司 / 合作社 end a legal name: 集团 can sit inside one (示例建工集团第三工程有限公司).
    legal_ends = [m.end() for m in _LEGAL.finditer(run) if m.group().endswith(("公司", "合作社"))]
    for pattern, legal in ((_LEGAL, True), (_FACILITY, False)):
        for m in pattern.finditer(run):
            if not legal and _joined(run, m.end(), _NOT_END):
                continue
            head_start = max(0, m.start() - MAX_NAME)  # names are short; keeps this linear
            start = head_start + _cut_left(run[head_start : m.end()])
            earlier = legal_ends[bisect_right(legal_ends, start) : bisect_right(legal_ends, m.start())]
            if earlier and not legal:
                continue  # "X有限公司Y煤矿": the company's unit, read as its tail below
            if earlier and m.group() != "分公司":
                start = earlier[-1]  # a name never spans an earlier company (X公司和Y公司)
                joined = _JOINED.match(run, start, m.start())
                start = joined.end() if joined else start
            lead = _LEAD.match(run, start, m.start())
            if lead:
                start = lead.end()
            end, tail = offset + m.end(), 0
            if legal and m.group().endswith("公司"):
                tail_end = _tail_at(text, end)
                if tail_end:
                    end, tail = tail_end, end - offset - start
            if m.start() > start:
                begin = offset + start
                found.append(Candidate(text[begin:end], begin, end, legal, 0, tail))
    return _longest_per_start(found)


def _longest_per_start(found: list[Candidate]) -> list[Candidate]:
    """'示例建设集团' and '示例建设集团有限公司' start together: keep the full legal name; a
    legal name also hides facility names starting at the same place."""
    best: dict[int, Candidate] = {}
    for c in found:
        old = best.get(c.start)
        if old is None or (c.legal, c.end) > (old.legal, old.end):
            best[c.start] = c
    return sorted(best.values(), key=lambda c: c.start)


def candidates(text: str) -> list[Candidate]:
    """Every mention of a unit's name in text, place names in front dropped."""
    raw = []
    for m in _RUN.finditer(text):
        raw += _candidates_in_run(m.group(), m.start(), text)
    raw.sort(key=lambda c: (c.start, -c.end))
    kept, last_end = [], -1
    for c in raw:  # a facility inside a subordinate unit's name is that name
        if c.start >= last_end or c.end > last_end:
            kept.append(c)
            last_end = max(last_end, c.end)
    cuts = [_place_end(c.name)[1] for c in kept]
    written = {c.name for c in kept} | {c.name[cut:] for c, cut in zip(kept, cuts)}
    found, seen = [], {}
    for c, cut in zip(kept, cuts):
        # The text names the unit without the places elsewhere: that form is the name. Only a
        # deeper cut: a mention with a glued place (乡宁县山西X公司) must not undo another's.
        alone = (
            [
                s
                for s in _name_forms(c.name) + _text_place(c.name, text, written, seen)
                if s > cut and c.name[s:] in written
            ]
            if c.legal
            else []
        )
        if alone:
            cut = min(alone)
        name = c.name[cut:]
        if cut < (c.tail or len(c.name)) and _acceptable(name, c.legal):
            tail = c.tail - cut if c.tail else 0
            found.append(Candidate(name, c.start + cut, c.end, c.legal, 0, tail, cut))
    return found


# --- which candidate is the unit of the accident -----------------------------------------------
_CLAUSE_END = re.compile(r"[，,。；;\n]")
_LABEL = re.compile(
    r"(?:事故发生单位|发生事故(?:的)?单位|事故单位|涉事企业|涉事单位|事故责任单位|事发单位|"
    r"事发企业|事故企业|出事单位|出事企业|出事地点|出事店铺|事发地点|单位名称|企业名称|"
    r"发生单位)[)）]?(?:为|是|系|[:：])|(?:涉事|事发|出事|事故)(?:企业|单位)$"
)
# "X公司（事故发生单位）", "X公司（以下简称Y，事故发生单位）"
_LABEL_AFTER = re.compile(r"[（(][^（）()]{0,20}?(?:事故发生单位|事故单位|发生事故单位)[^（）()]{0,4}[)）]")
# A section on the unit opens with its name: "（一）事故单位概况⏎名称：X", "（一）事故车辆所属企业⏎X".
_SECTION = r"(?:事故(?:发生)?单位|事故企业|(?:事故|肇事)车辆所属(?:企业|单位))(?:基本)?(?:概况|情况)?"
_SECTION_NAME = re.compile(_SECTION + r"[^。\n]{0,12}\n?(?:单位|企业)?名称[:：]\s*$")
# The bare heading ("（一）事故单位概况。X成立于…") often describes a group before its mine.
_SECTION_HEAD = re.compile(_SECTION + r"[。.：:]?\s*$")
_RESPONSIBLE = re.compile(r"^[。．.]?[^，。；]{0,8}?(?:(负有|负|应负)(主要|直接)责任|负有责任)")
_TITLE = re.compile(r"^\s*[\u4e00-\u9fff]{0,8}[“\"「『]\s*\d{1,2}\s*[·.．•]\s*\d{1,2}\s*[”\"」』]")
_BUILDS = re.compile(r"^(?:负责|总)?(?:承建|施工|承接|承包)(?:建设|施工)?的")
_BUILT_BY = re.compile(r"(?:承建|施工|承接|承包)(?:建设|施工)?的$")
_DOING_BEFORE = re.compile(r"由(?:该)?$")
_CONTRACTOR = re.compile(r"(?:施工|承建)(?:单位|方)(?:为|是|[:：])$")  # not 总承包单位: see the tests
_DOING_AFTER = re.compile(r"^(?:负责|总)?(?:施工|承建|承接|承包|承揽|实施)")
_EMPLOYER = re.compile(r"(?:(?:系|是|为)$)")
_EMPLOYER_AFTER = re.compile(r"^(?:的)?(?:员工|职工|工人|雇员|司机|驾驶员|作业人员)")
_OWNER = re.compile(r"(?:登记在|属于?|归属于?)$")
_OWNER_AFTER = re.compile(r"^(?:名下|所有)")
# "X公司所属甘P·1××××号大型普通客车": the vehicle's operator (road transport)
_VEHICLE_AFTER = re.compile(r"^所属(?:的)?[^，。；]{0,16}(?:车(?!间)|船)")
_BELONGS = re.compile(
    r"(隶属于|隶属|属于|归属于|所属单位为|所属企业为|所属公司为|挂靠于|挂靠|所有人为|" r"车主为)$"
)
# A utility, insurer or rescue service named for what it did after the accident.
_RESPONDER_NAME = re.compile(r"供电|电力|电网|燃气|供水|自来水|保险|救援|救护|急救|殡仪")
_RESPONDER_AFTER = re.compile(
    r"^(?:已经?|随即|立即|迅速|第一时间|紧急|连夜)?(?:组织|派出|调派|调集|赶赴|赶到|"
    r"抵达|参与|协助|启动)[^，。；]{0,8}(?:救援|抢修|抢险|处置|理赔|赔付|搜救|施救)"
)
# A unit named in one of these roles is not the unit where the accident happened.
_OTHER_ROLE = re.compile(
    r"(?:(?:建设|监理|设计|勘察|勘测|租赁|出租|产权|检测|检验|评价|咨询|发包)"
    r"(?:单位|方|机构)|业主(?:单位|方)?)(?:为|是|：|:)?$|委托$"
)
_REGISTERED_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
_OPERATED = re.compile(r"(?:经营|开办|开设|运营)的$")
# （以下简称Y）after a name, also after its registration code: X公司（统一社会信用代码：…）（以下简称Y）
# or X公司（统一社会信用代码：…，以下简称Y）
CODE = r"(?:统一社会信用代码|社会信用代码|信用代码|注册号|组织机构代码)[:：]?\s*[0-9A-Za-z*]{6,20}"
_ALIAS = re.compile(
    rf"(?:[（(]{CODE}[）)])?[（(](?:{CODE}[，,；;]\s*)?(?:以下简称|以下称|下称|简称)[:：]?[“\"']?"
    r"([\u4e00-\u9fffA-Za-z0-9]{2,12})[”\"']?(?:[，,、；;][^（）()]{0,16})?[）)]"
)


_MINE = re.compile(r"矿|井|坑口")


def _namesake(facility: Candidate, legal_names: dict[str, Candidate]) -> Candidate | None:
    """The one company named after a facility that is no mine (燕子河水电站 for 康县燕子河水电开发
    有限公司): the facility is the company's premises. A mine is a unit of its own (the corpus
    README), so a mine is never folded into a company."""
    if facility.legal or _MINE.search(facility.name):
        return None
    suffix = _FACILITY.search(facility.name)
    forms = _forms(facility.name[: suffix.start()]) if suffix else []
    stems = {f for f in forms if len(f) >= 3}
    owners = {
        c.name: c
        for c in legal_names.values()
        if not c.tail and any(f.startswith(stem) for f in _forms(c.name) for stem in stems)
    }
    return next(iter(owners.values())) if len(owners) == 1 else None


def _between(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    """Whether a candidate starts in text[lo:hi]."""
    i = bisect_left(spans, (lo, -1))
    return i < len(spans) and spans[i][0] < hi


# What each mark weighs. A unit's score is the sum over the kinds of mark its mentions carry
# (each kind once), so the unit the report keeps coming back to (title, event, finding) stands
# clear of units named once in passing.
WEIGHTS = {
    "label": 20,
    "section": 4,
    "main_responsibility": 8,
    "responsibility": 5,
    "title": 6,
    "event": 4,
    "located": 3,
    "doing": 3,
    "employer": 3,
    "belongs": 5,
    "other_role": -4,
}


def _marks(start: int, end: int, text: str, spans: list[tuple[int, int]], parent: bool = False) -> set[str]:
    """The kinds of mark that single out the mention text[start:end] as the accident's unit."""
    before = text[max(0, start - 60) : start]
    clause_before = _CLAUSE_END.split(before)[-1]
    alias = _ALIAS.match(text, end)
    after_start = alias.end() if alias else end  # past "（以下简称X）"
    after = text[after_start : after_start + 60]
    clause = _CLAUSE_END.split(after, maxsplit=1)[0]
    marks = set()
    label = None
    for label in _LABEL.finditer(clause_before):
        pass
    if (label and not _between(spans, start - len(clause_before) + label.end(), start)) or (
        _LABEL_AFTER.match(text, end, end + 30) or _SECTION_NAME.search(text[max(0, start - 40) : start])
    ):
        marks.add("label")
    elif _SECTION_HEAD.search(text[max(0, start - 30) : start]):
        marks.add("section")
    responsible = _RESPONSIBLE.match(after)
    if responsible:  # 主要/直接责任 is the finding; a bare 负有责任 weighs less
        marks.add("main_responsibility" if responsible.group(2) else "responsibility")
    if _TITLE.search(after) or before.endswith("关于"):
        marks.add("title")
    at = clause.find("发生")
    builds = _BUILDS.match(after)
    # "甲公司承建的乙公司厂房发生坍塌": the event is the builder's, not the owner's
    if (
        at >= 0
        and (builds or not _between(spans, after_start, after_start + at))
        and not (_BUILT_BY.search(clause_before))
    ):
        marks.add("event")
    if re.search(r"位于[^，。]{0,12}的$", before):
        marks.add("located")
    if (
        (_DOING_BEFORE.search(clause_before) and _DOING_AFTER.match(after))
        or builds
        or (_CONTRACTOR.search(clause_before))
    ):
        marks.add("doing")
    vehicle = _VEHICLE_AFTER.match(after)
    if (
        (_EMPLOYER.search(clause_before) and _EMPLOYER_AFTER.match(after))
        or (_OWNER.search(clause_before) and _OWNER_AFTER.match(after))
        or (vehicle and not _between(spans, after_start, after_start + vehicle.end()))
    ):
        marks.add("employer")
    if _BELONGS.search(before) and not parent:
        marks.add("belongs")  # the legal person an unnamed facility belongs to
    if _OTHER_ROLE.search(clause_before) or (
        _RESPONDER_AFTER.match(after) and _RESPONDER_NAME.search(text[start:end])
    ):
        marks.add("other_role")
    return marks


def _weight(marks: set[str], legal: bool) -> int:
    return (1 if legal else 0) + sum(WEIGHTS[m] for m in marks)


def ranked(text: str) -> list[Candidate]:
    """One candidate per distinct unit, best first; its score sums the kinds of mark over all
    its mentions, its start and end are those of its best-marked mention."""
    found = candidates(text)
    spans = sorted((c.start, c.end) for c in found)
    own = set(spans)
    full: dict[str, Candidate] = {}  # another name of a unit (以下简称, its own name) → the unit
    for c in found:
        m = _ALIAS.match(text, c.end)
        if m and m.group(1) != c.name and m.group(1) not in ("公司", "企业", "单位"):
            full.setdefault(m.group(1), c)
    for c in found:
        if c.tail and len(c.name) - c.tail >= 4:
            full.setdefault(c.name[c.tail :], c)
    by_end = {c.end: c for c in found if c.legal}
    for c in found:
        # "X公司经营的Y酒店": the premises of the company that runs them
        m = _OPERATED.search(text, max(0, c.start - 5), c.start)
        if not c.legal and m and m.start() in by_end:
            full.setdefault(c.name, by_end[m.start()])
    legal_names = {c.name: c for c in found if c.legal}
    for c in found:  # "佛山市南海区狮山镇X公司" where the text also writes "佛山市南海区X公司"
        for registered in _address_forms(c.name):
            if registered in legal_names:
                full.setdefault(c.name, legal_names[registered])
    for c in sorted(found, key=lambda c: -len(c.name)):
        target = full.get(c.name, c)
        for f in _forms(c.name)[1:]:  # "杨柳坪煤矿" after "宣威市海岱镇杨柳坪煤矿"
            full.setdefault(f, target)
    for c in found:  # "迁西县兴旺铁矿" for "迁西县兴旺铁矿有限公司"
        for suffix in _REGISTERED_FORMS:
            if not c.legal and c.name + suffix in legal_names:
                full.setdefault(c.name, legal_names[c.name + suffix])
    for c in found:
        owner = _namesake(c, legal_names)
        if owner is not None:
            full.setdefault(c.name, owner)

    def resolve(c: Candidate) -> Candidate:
        for _ in range(3):  # 悦澜酒店 → 悦澜精品酒店 → 兰州悦澜酒店管理有限公司
            nxt = next((full[f] for f in _forms(c.name) if f in full and full[f] is not c), None)
            if nxt is None:
                break
            c = nxt
        return c

    parents = {c.name[: c.tail] for c in found if c.tail}
    units: dict[str, tuple[Candidate, set[str], Candidate]] = {}  # key → unit, marks, best mention

    def credit(c: Candidate, start: int, end: int, marks: set[str]) -> None:
        key = normalize_enterprise_name(c.name)
        mention = Candidate(c.name, start, end, c.legal, _weight(marks, c.legal), c.tail)
        if key not in units:
            units[key] = (c, set(marks), mention)
            return
        unit, seen, best = units[key]
        seen |= marks
        if mention.score > best.score:
            units[key] = (unit, seen, mention)

    for c in found:
        # marks read before the dropped places: "建设单位为西峰区X公司", "由兰州新区X公司负责"
        marks = _marks(c.start - c.lead, c.end, text, spans, c.name in parents)
        credit(resolve(c), c.start, c.end, marks)
    for alias, c in list(full.items()):
        c = resolve(c)
        # Mentions of the short name alone ("该项目部", "北坪煤矿对事故发生负有责任").
        for n, m in enumerate(re.finditer(re.escape(alias), text)):
            if n > 200:
                break
            s, e = m.span()
            inside = bisect_right(spans, (s, len(text))) - 1
            if inside >= 0 and spans[inside][1] > s and spans[inside] != (s, e):
                continue  # part of a longer name
            if (s, e) in own:
                continue  # a candidate of its own, credited above
            s0 = s - 1 if text[s - 1 : s] == "该" else s  # "事故发生单位为该项目部"
            credit(c, s, e, _marks(s0, e, text, spans))
    out = []
    for unit, marks, best in units.values():
        best.score = _weight(marks, unit.legal)
        if best.score >= 0:  # named only in a role that is not the accident's: never the unit
            out.append(best)
    out.sort(key=lambda c: (-c.score, c.start))
    return _unit_before_parent(out, {key: marks for key, (_, marks, _) in units.items()})


def _unit_before_parent(out: list[Candidate], marks: dict[str, set[str]]) -> list[Candidate]:
    """A company leading on title or section marks gives way to its own unit where the accident
    happened (X公司Y污水处理厂发生…): the subordinate unit is the 事故发生单位 (the corpus
    README), unless a label names the company itself (事故发生单位：X公司)."""
    if not out or "label" in marks.get(normalize_enterprise_name(out[0].name), ()):
        return out
    parent = normalize_enterprise_name(out[0].name)
    for k, c in enumerate(out[1:], 1):
        key = normalize_enterprise_name(c.name)
        if c.tail and normalize_enterprise_name(c.name[: c.tail]) == parent and "event" in marks[key]:
            return [c, *out[:k], *out[k + 1 :]]
    return out


def contenders(found: list[Candidate]) -> list[Candidate]:
    """The candidates after the best that are too close to it to call: the same score when a
    label marks the best, else within 2 points of it."""
    if not found:
        return []
    top = found[0].score
    margin = 0 if top >= WEIGHTS["label"] else 2
    # A company does not contest its own unit that leads (X公司 vs X公司Y项目部): the README
    # makes the subordinate unit the 事故发生单位, and reports name the company around it.
    best = found[0]
    parent = normalize_enterprise_name(best.name[: best.tail]) if best.tail else None
    # a name with no mark at all that is not even a legal person's (score 0) contests nothing
    return [
        c
        for c in found[1:]
        if c.score >= top - margin and c.score > 0 and normalize_enterprise_name(c.name) != parent
    ]


def find_enterprise(text: str) -> str | None:
    """The unit where the accident happened, as written (brackets unified), or None."""
    found = ranked(text)
    return normalize_enterprise_name(found[0].name) if found else None
