"""Names: enterprise names normalized for linking and display; person names masked per the
convention of Gansu's published reports (姓某 or 姓某+末字, e.g. 张某昌).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from etl.normalize.text import clean_text, to_halfwidth, to_simplified

# Common two-character surnames: the surname stays whole (欧阳某X, not 欧某X).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 "
    "西门 百里 呼延 万俟 闻人 澹台 公羊 赫连 第五 钟离 宗政 濮阳 太史 申屠 仲孙 拓跋 司空 东郭 "
    "淳于 单于 公冶 羊舌 左丘 梁丘 完颜 乐正 漆雕 壤驷 公良 段干 谷梁 巫马 颛孙 子车 亓官 "
    "司寇 鲜于 闾丘 东门 西门 呼延".split()
)
# Compound surnames that are far more often words (东方网, 第五条, 西门外): a name with one needs
# particulars or a role word.
WORDY_COMPOUNDS = frozenset("东方 第五 西门 东门 百里 单于".split())
MASK_CHAR = "某"
_MASK_MARKS = ("某", "*", "×", "Ｘ", "＊")
_SPACE = re.compile(r"\s+")


def normalize_enterprise_name(s: str | None) -> str | None:
    """Registered names as one canonical string: ASCII half-width, brackets as Chinese （）,
    no whitespace. Different legal names stay different (no fuzzy merging: etl/enterprise_links.py)."""
    if s is None:
        return None
    s = to_halfwidth(clean_text(s), parens=True)
    s = s.replace("(", "（").replace(")", "）")
    return _SPACE.sub("", s)


def enterprise_match_key(s: str | None, normalized: bool = False) -> str | None:
    """The form two enterprise names are compared in: normalize_enterprise_name in simplified
    script (reposts print registered names in traditional script: 蘭州 is 兰州). Ids and the
    displayed name keep the written form; only the comparison uses this. normalized: `s` is
    already normalize_enterprise_name's output."""
    norm = s if normalized else normalize_enterprise_name(s)
    return to_simplified(norm) if norm and not norm.isascii() else norm


def place_prefixes(name: str) -> list[tuple[str, tuple]]:
    """Each reading of `name` without the place names it starts with, shortest cut first:
    '甘肃省兰州新区示例化工有限公司' → [('兰州新区示例化工有限公司', (甘肃省,)),
    ('示例化工有限公司', (甘肃省, 兰州新区))]. Places are those of the province's region table
    (etl/normalize/regions.py); whether a cut form is the registered name is the caller's test."""
    from etl.normalize.regions import find_regions

    out, end, regions = [], 0, ()
    for region, start, stop in find_regions(name):
        if start != end:
            break
        end, regions = stop, regions + (region,)
        if end < len(name):
            out.append((name[end:], regions))
    return out


# What a unit of a company is called after the company's full name (X有限公司Y煤矿): a mine, a
# branch (分公司, 公司法 第十四条: no legal person of its own), a project team, a works.
SUBORDINATE_UNITS = ("分公司", "煤矿", "矿井", "矿", "项目经理部", "项目部", "分厂", "厂", "车间")
_LEGAL_PERSON_WORDS = re.compile(r"有限|股份|集团|合作社|公司(?!$)")


def is_subordinate_unit(tail: str) -> bool:
    """True when `tail`, written after a company's registered name, names one of its units
    (…煤矿, …分公司, …项目部, …厂) rather than another legal person (…有限公司, …集团)."""
    return len(tail) >= 2 and tail.endswith(SUBORDINATE_UNITS) and not _LEGAL_PERSON_WORDS.search(tail)


def surname_of(name: str) -> str:
    return name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]


def is_masked_name(s: str | None) -> bool:
    """True for 张某, 张某某, 张某昌, 欧阳某, 张** and similar (2-6 characters with a mask mark)."""
    if not s:
        return False
    s = s.strip()
    return 2 <= len(s) <= 6 and any(mark in s for mark in _MASK_MARKS)


def mask_person_name(name: str | None, style: str = "convention") -> str | None:
    """Mask a person's name. Styles (etl/masking.yaml picks one per role group):

    convention  姓某 for two characters, 姓某+末字 for longer names (张三 → 张某, 张三丰 →
                张某丰, 欧阳修 → 欧阳某, 欧阳修文 → 欧阳某文): the Gansu report convention.
    surname     姓某某 whatever the length (张某某): reveals nothing of the given name.
    anonymous   某某.
    Already-masked names are returned unchanged.
    """
    if name is None:
        return None
    name = _SPACE.sub("", name)
    if not name or is_masked_name(name):
        return name
    if style == "anonymous":
        return MASK_CHAR * 2
    if "·" in name or "•" in name:  # transliterated names: 阿不都·热合曼 → 阿某·热某
        return "·".join(part[:1] + MASK_CHAR for part in re.split("[·•]", name) if part)
    surname = surname_of(name)
    given = name[len(surname) :]
    if style == "surname":
        return surname + MASK_CHAR * 2
    if len(given) <= 1:
        return surname + MASK_CHAR
    return surname + MASK_CHAR + given[-1]


# Common single-character surnames (the most frequent ~300, covering the great majority of the
# population). Used only to decide whether the characters after a role word look like a name.
COMMON_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓"
    "古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣"
    "巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满"
    "闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙"
    "浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干"
    "但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)


# --- recognizing persons' names in free text ---------------------------------------------------
# A name is found when one of these says so (etl/normalize/mask.py adds the role words of
# etl/masking.yaml, enumerated list items and the not_names list):
#   * jieba's part-of-speech tagger (jieba.posseg, tag nr: a person's name), on a surname-led
#     token of 2-4 characters that is not part of a place or an enterprise name;
#   * the particulars that follow a person in reports and decisions ("王某，男，汉族", "（已故）",
#     "，时任……", "，身份证号……", "同志"), after a surname-led word;
#   * Tibetan names (no surname: 扎西才让, 才让卓玛) as two or more common name elements;
#   * transliterated names with a middle dot (阿不都·热合曼).
# jieba is loaded on first use; its segmentation is the slow part (about 50,000 characters a
# second), so it runs only on runs of Chinese characters that hold a surname character and
# whose fast segmentation shows a possible name, and each run's answer is cached.

# Surname characters beyond COMMON_SURNAMES that Gansu's reports meet (Hui, Dongxiang and Tu
# families, rarer Han surnames).
EXTRA_SURNAMES = frozenset(
    "拓尕仝蔺闵苟栾卞佘晏燕巩冀谷蒙凌靳芦井展全时成海向于包文安支臧廉冉简"
    "佟姬邬赖桑栗闻巴臧拜喇妥把敏线答者咸铁祁洪傅萧阎钮郗庹雒剡蹇禄邴訾仉逄笪綦"
)
SURNAME_CHARS = COMMON_SURNAMES | EXTRA_SURNAMES
# Surnames of Hui and Dongxiang families that are more often words (达到, 虎口, 脱离): taken as
# surnames only right after a role word or under a name column, before no dictionary word
# (etl/normalize/mask.py).
ROLE_ONLY_SURNAMES = frozenset("达虎脱撒")
_COMPOUND_FIRST = frozenset(s[0] for s in COMPOUND_SURNAMES)

# Common elements of Tibetan personal names (Gannan, Tianzhu): a name is two of them or more.
TIBETAN_NAME_PARTS = (
    "扎西 才让 卓玛 多杰 旦增 次仁 拉毛 尕藏 更登 桑吉 索南 东珠 加措 嘉措 拉姆 当周 完玛 道吉 才旦 "
    "贡保 仁青 洛桑 丹增 尼玛 达瓦 格桑 央金 措毛 吉毛 草毛 卓尕 才加 旦正 华旦 三木 周加 万玛 "
    "南加 羊本 李毛 仁增 久美 闹日 公保 切吉 杨本 拉目 才吉 班玛 周毛 东智 更藏 贡却 桑杰 仁欠"
).split()
# (the leading class lets the regular expression engine skip most positions at C speed)
_TIBETAN = re.compile(
    "(?=[%s])(?:%s){2,3}"
    % ("".join(sorted({p[0] for p in TIBETAN_NAME_PARTS})), "|".join(TIBETAN_NAME_PARTS))
)
_TIBETAN_PARTS = frozenset(TIBETAN_NAME_PARTS)


def tibetan_led(word: str) -> bool:
    """True when word opens with an element of a Tibetan name (拉毛措, 旦正吉, 才让东智)."""
    return word[:2] in _TIBETAN_PARTS


def tibetan_name_length(s: str) -> int:
    """Length of the Tibetan name of two or three elements opening s (才让东智 4), else 0."""
    m = _TIBETAN.match(s)
    return m.end() if m else 0


# Second characters of the four-character names of Hui and Dongxiang families (马尕西木,
# 马哈比布, 马伊斯哈): a single surname and three more characters.
LONG_NAME_SECOND_CHARS = frozenset("尕哈伊阿穆尔乃斯赛木麦萨")
# (no 某: 阿某·热某 is masked already)
TRANSLITERATED = re.compile(r"[\u4e00-\u67cf\u67d1-\u9fff]{2,6}[·•][\u4e00-\u67cf\u67d1-\u9fff]{2,8}")

# Last characters of places and of enterprises' short names: a tagged word ending in one is not a
# person (白银区, 王家庄, 李家堡, 赵家坪).
PLACE_ENDS = frozenset("区县市镇乡村州省沟湾坪庄堡寨峡岔塬梁洼滩峪屯营厂矿站场港湖岭路街巷")
# Gansu's cities and counties (etl/normalize/regions.py holds the full table): as a word of their
# own they are places, not names (a person who bears one is named after a role word: 当事人康乐（…）).
PLACE_WORDS = frozenset(
    "白银 金昌 武威 张掖 酒泉 平凉 庆阳 定西 陇南 临夏 甘南 天水 兰州 嘉峪关 "
    "高台 华亭 宁县 成县 文县 康县 和政 康乐 岷县 漳县 礼县 徽县 两当 华池 环县 正宁 合水 "
    "金塔 瓜州 玉门 敦煌 民勤 古浪 天祝 舟曲 迭部 碌曲 玛曲 宕昌 西和 秦安 武山 清水 甘谷 "
    "张家川 庄浪 静宁 崇信 灵台 泾川 崆峒 麦积 秦州 武都 肃州 甘州 凉州 安定 临洮 渭源 陇西 通渭 "
    "永登 皋兰 榆中 红古 西固 七里河 安宁 城关 靖远 会宁 景泰 平川 永昌 山丹 民乐 临泽 肃南 "
    "夏河 合作 卓尼 临潭 东乡 积石山 广河 永靖 阿克塞 肃北 祁连".split()
)
# Words a tagger or a surname test takes for names, which are not.
NOT_PERSON_WORDS = PLACE_WORDS | frozenset(
    "安全带 安全帽 安全网 安全绳 "
    "方面 方向 方法 方案 常规 常态 常务 高处 高空 高温 高压 高速 高度 高效 高新 明显 明确 "
    "文件 文明 文化 文书 和平 和谐 平安 平台 平时 安排 安装 安置 安监 时间 时任 时期 时段 "
    "全部 全面 全体 全员 全程 全县 全市 全省 海拔 向上 向下 于是 成员 成立 成本 包括 包装 "
    "支付 支部 宁夏 金属 石块 石料 石灰 石油 石化 马路 马上 黄色 白天 白色 林地 林区 林业 "
    "管理 管道 管控 司机 司法 应急 应当 万元 千元 余人 范围 程序 程度 严重 严格 许可 "
    "申请 申报 单位 单独 费用 卫生 夏季 冬季 郑重 连续 连接 雷电 鲁莽 毛坯 包工 田间 "
    "车辆 车间 车主 车上 车内 车速 尚未 尚且 杜绝 明知 孔洞 齐全 叶片 余额 苏醒 陈述 "
    "任务 任职 计划 信息 姓名 身份 情况 人数 数量 代表 培训 上岗 作业 施工 名单 "
    "时许 迟报 瞒报 谎报 漏报 索引 钱款 关于 关闭 关键 解除 解决 曲线 项目 谷物 燕麦 房屋 房间 万一 甘肃 强制 "
    "强度 华北 华东 温度 康复 富余 元旦 武装 侯车 伍拾 佰元 仟元 公安 公司 公路 公示 "
    "强降 连墙 左前 左后 左侧 左右 左手 左脚 左腿 左臂 左肩 左眼 左耳 "
    "国家 国务院 国道 胡同 江河 柴油 洪水 洪涝 红色 蓝色 梁板 柳树 沙土 沙石 花园 章程 "
    "冷却 冷冻 冷藏 冷库 冷凝 储罐 储存 储备 储气 储油 储量 储运 储煤 储罐区 曝光 谈曝".split()
)
# What follows a person's name in reports, decisions and lists: sex, age, ethnicity, the role or
# post in apposition, a death, contact particulars, a penalty imposed on the person (对王某处2万元罚款).
_ETHNIC = r"汉族|回族|藏族|东乡族|土族|保安族|撒拉族|裕固族|维吾尔族|蒙古族|满族|哈萨克族"
PERSON_CUE = re.compile(
    r"(?:\s*(?:[，,、]\s*(?:男|女|" + _ETHNIC + r"|"
    r"中共党员|群众|时任|原任|现任|男性|女性|身份证|公民身份|手机|电话|联系电话|联系方式|现住|户籍)|"
    # after 、 these open the next item of a list of things (商场、宾馆、住宅; 工厂、企业), not particulars
    r"[，,]\s*(?:原|系|该|个体|企业|住(?!宅|房|户|院|所|宿)|\d{1,3}岁|\d{4}年(?:\d{1,2}月)?出?生)|"
    r"[（(]\s*(?:男|女|" + _ETHNIC + r"|已故|死者|该|时任|原|身份证|电话|手机|\d)|同志|等\d+名|"
    r"等[一二三四五六七八九十两\d]+人|处以?(?:上一年|罚款|[\d一二三四五六七八九十])))"
)


# A sanction that follows the person it names (……责任的王某给予政务处分, 王某被判处……): weaker
# than the particulars above, so the word before it must be no dictionary word.
_SANCTION_CUE = re.compile(r"(?=给予\S{0,6}处分|被判处|被处以|被依法)")


def _jieba():
    """jieba and its tagger, loaded once (the dictionary takes about a second)."""
    global _JIEBA
    if _JIEBA is None:
        import logging

        import jieba
        import jieba.posseg

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _JIEBA = (jieba.dt, jieba.posseg.dt)
    return _JIEBA


_JIEBA = None
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_SURNAME_CHAR = re.compile("[%s]" % "".join(sorted(SURNAME_CHARS | _COMPOUND_FIRST)))
# Runs of Chinese characters, across single line breaks (PDF text breaks lines inside words).
_HAN_LINES = re.compile(r"[\u4e00-\u9fff](?:[\u4e00-\u9fff]|\n(?=[\u4e00-\u9fff]))+")


def _simplified(text: str) -> str:
    """Traditional script as simplified (the tagger knows simplified words), when the
    conversion keeps every character in place; else the text as it is."""
    from etl.normalize.text import to_simplified

    out = to_simplified(text)
    return out if out and len(out) == len(text) else text


# Names a source already masked (张某, 张某某, 张某昌, 张*): their characters are hidden from the
# tagger, so that it neither reads them nor joins their last character to the next word.
_MASKED = re.compile(
    "(?:%s|[\u4e00-\u9fff])(?:某{2,3}|[某*＊×](?:[\u4e00-\u9fff](?!某))?)"
    % "|".join(sorted(COMPOUND_SURNAMES))
)


# Surname characters that are far more often a word of their own (居民区附近, 由其, 时间, 全面):
# the tagger's word must have three characters and not end in a dictionary word of another kind.
AMBIGUOUS_SURNAMES = frozenset(
    "查项应原区由于和向成全文安平明国海方常门云来都相初计索宣信展阴智幸奉植衡"
    "富尧闭但干利公居揭元束檀衣那宿印战危玉银亢湛宾戎勾茅於呼"
)
# Single-character words that are not surnames where they stand alone (由王某驾驶, 于当日).
_FUNCTION_SINGLES = frozenset("于和向时成由从以及为将把被对在等也都就还所因上下中内外后前之其该本各每")


def is_surname_start(word: str) -> bool:
    return word[:1] in SURNAME_CHARS or word[:2] in COMPOUND_SURNAMES


def plausible_person(word: str, not_names: frozenset = frozenset()) -> bool:
    """A 2-4 character word that may be a person's name: surname first, no mask character, not
    a place, not a listed non-name word."""
    if not 2 <= len(word) <= 4 or any(mark in word for mark in _MASK_MARKS):
        return False
    if not is_surname_start(word) or word[-1] in PLACE_ENDS:
        return False
    if word in NOT_PERSON_WORDS or word[:2] in NOT_PERSON_WORDS or word[:2] in not_names:
        return False
    if len(word) == 4 and word[:2] not in COMPOUND_SURNAMES and word[1] not in LONG_NAME_SECOND_CHARS:
        return False  # four characters: a compound surname, a Hui name (马尕西木), or a word
    if word[1] in "其之该本此这那某" or "示" in word or word[0] == "第" or word[0] == word[1]:
        return False  # 由其弟, 平凉示例, 第五条, 张张
    return True


# After a tagged name, the words up to one of these make an enterprise's or a place's name
# (王家庄示例洗煤厂, 向阳示例化工有限公司): the tagged word is part of that name.
_ORG_ENDS = (
    "有限责任公司",
    "股份有限公司",
    "有限公司",
    "公司",
    "集团",
    "煤矿",
    "矿业",
    "厂",
    "场",
    "站",
    "合作社",
    "医院",
    "酒店",
    "广场",
    "学校",
    "小学",
    "中学",
    "村委会",
    "镇",
    "乡",
    "村",
    "街道",
    "社区",
    "隧道",
    "景区",
    "电厂",
)
_NOUN_FLAGS = ("n", "ns", "nz", "nt", "vn", "j", "nr", "ng", "b", "l")


def _inside_org(tokens: list, i: int) -> bool:
    """True when tokens[i] opens or sits inside an enterprise or place name."""
    if i > 0 and tokens[i - 1][0] in ("示例",):
        return True
    for word, flag in tokens[i + 1 : i + 7]:
        if word == "示例" or (word.endswith(_ORG_ENDS) and flag.startswith(_NOUN_FLAGS)):
            return True
        if not flag.startswith(_NOUN_FLAGS):
            return False
    return False


# Tags a given name split from its surname gets (曹/志远 nrfg, 范/永平 ns, 吴/建国 ns, 苏/建华 nz).
_GIVEN_FLAGS = ("nr", "nrfg", "nrt", "ns", "nz", "n", "a", "ng", "j", "t", "s", "vn", "l", "i", "b", "z")
# Titles a surname is called by (张科长, 王师傅): surname and title, no name.
TITLE_WORDS = frozenset(
    "局长 县长 市长 镇长 乡长 区长 村长 科长 股长 所长 处长 厅长 部长 主任 书记 经理 "
    "矿长 厂长 站长 队长 班长 组长 老板 师傅 先生 女士 同志 大队 院长 校长 老师 医生 律师 "
    "警官 总监 总工 会计 秘书 主席 委员 董事 护士 大夫 工程师 段长 工长".split()
)
# and what the tagger takes for no given name after a surname (王/总, 张/家)
_TITLE_WORDS = TITLE_WORDS | frozenset("总 工 某 家 氏 姓".split())


def surname_and_title(s: str) -> bool:
    """True when s opens with a surname called by a title (张科长, 李副局长, 王工, 赵总):
    no person's name is written there."""
    rest = s[len(surname_of(s)) :]
    if rest.startswith("副"):
        rest = rest[1:]
    if rest.startswith(tuple(TITLE_WORDS)):
        return True
    return rest[:1] in ("总", "工") and not ("\u4e00" <= rest[1:2] <= "\u9fff")


def _tagged_names(run: str, not_names: frozenset) -> list[tuple[int, int]]:
    seg, tagger = _jieba()
    tokens = [(w.word, w.flag) for w in tagger.cut(run)]
    found, pos = [], 0
    for i, (word, flag) in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if (
            flag in ("nr", "nrfg")
            and len(word) >= 2
            and plausible_person(word, not_names)
            and not _common_word(word)
            and not _inside_org(tokens, i)
            and _unambiguous(word, seg, tagger)
        ):
            found.append((pos, pos + len(word)))
        elif (
            len(word) == 1
            and word in SURNAME_CHARS
            and word not in _FUNCTION_SINGLES
            and word not in AMBIGUOUS_SURNAMES
            and 1 <= len(nxt[0]) <= 2
            and nxt[1].startswith(_GIVEN_FLAGS if len(nxt[0]) == 2 else ("nr", "ng"))
            and (nxt[1] in _NAME_FLAGS or not _common_word(nxt[0]))
            and nxt[0] not in _TITLE_WORDS
            and plausible_person(word + nxt[0], not_names)
            and not _inside_org(tokens, i + 1)
        ):
            # a surname the segmenter split from the given name (曹 + 志远)
            found.append((pos, pos + 1 + len(nxt[0])))
        pos += len(word)
    return found


# Tags under which a common word may still be a given name (建国 ns, 建华 nz, 志远 nrfg).
_NAME_FLAGS = frozenset(("nr", "nrfg", "nrt", "ns", "nz", "ng", "j"))


def _common_word(word: str) -> bool:
    """A word jieba's dictionary knows as frequent. Its tag nr is not trusted for two
    characters (查明, 文明, 柏林 are tagged nr); a three-character nr entry is a full name."""
    seg, tagger = _jieba()
    freq = seg.FREQ.get(word, 0)
    if freq < _WORD_FREQ:
        return False
    if tagger.word_tag_tab.get(word, "").startswith("nr"):
        return len(word) < 3 and freq >= _NR_WORD_FREQ
    return True


def in_dictionary(word: str) -> bool:
    """jieba's dictionary holds word itself (not only as the prefix of a longer word)."""
    seg, tagger = _jieba()
    return seg.FREQ.get(word, 0) > 0


def opens_no_name(word: str) -> bool:
    """Two characters after a role word that open no name whatever their first character: a
    dictionary adverb or verb (曾经, 陆续, 施救, 居住), one of the most frequent nouns (员工关系,
    工人工作), or a title (维修工段长)."""
    seg, tagger = _jieba()
    freq, tag = seg.FREQ.get(word, 0), tagger.word_tag_tab.get(word)
    return (
        (freq >= _WORD_FREQ and tag in ("d", "v"))
        or (freq >= _FREQUENT_NOUN and tag in ("n", "vn"))
        or word in TITLE_WORDS
    )


def _unambiguous(word: str, seg, tagger) -> bool:
    # a role word or a person's particulars must say so (项提出, 向有处, 全角转 are no names)
    return word[0] not in AMBIGUOUS_SURNAMES or word[:2] in COMPOUND_SURNAMES


def _worth_tagging(run: str) -> bool:
    """The fast segmentation (no tagging) shows a surname-led word the dictionary does not know
    or knows as a name: only then is the slow tagger run."""
    seg, tagger = _jieba()
    tags = tagger.word_tag_tab
    words = list(seg.cut(run))
    for i, word in enumerate(words):
        if (
            2 <= len(word) <= 5
            and is_surname_start(word)
            and (not seg.FREQ.get(word) or tags.get(word, "").startswith("nr"))
        ):
            return True
        if (
            len(word) == 1
            and word in SURNAME_CHARS
            and word not in _FUNCTION_SINGLES
            and i + 1 < len(words)
            and 1 <= len(words[i + 1]) <= 2
        ):
            return True
    return False


@lru_cache(maxsize=1 << 16)
def _run_names(run: str, not_names: frozenset) -> tuple[tuple[int, int], ...]:
    if not _worth_tagging(run):
        return ()
    return tuple(_tagged_names(run, not_names))


_DOC_NUMBER_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}[〔［\[]")
# The 字号 of a company whose registered name runs on to 有限公司 (万禾安全技术咨询有限公司) is
# no person's name.
_COMPANY_AFTER = re.compile(r"[\u4e00-\u9fff]{2,14}?(?:股份)?有限(?:责任)?公司")
_NON_PERSON_BY_FIRST: dict[str, list[str]] = {}
for _word in NOT_PERSON_WORDS:
    _NON_PERSON_BY_FIRST.setdefault(_word[0], []).append(_word)


# 大写 numerals (罚款人民币陆拾万元整): 陆, 伍, 柒 … are surnames too, but not before a numeral.
CAPITAL_NUMERALS = frozenset("零壹贰叁肆伍陆柒捌玖拾佰仟万亿元整")


def capital_numeral_at(text: str, start: int) -> bool:
    return text[start : start + 1] in CAPITAL_NUMERALS and text[start + 1 : start + 2] in CAPITAL_NUMERALS


def starts_non_person(text: str, start: int, end: int) -> bool:
    """A listed place or word starts at start and runs past end (张家川县 is no 张家)."""
    return any(
        len(w) > end - start and text.startswith(w, start) for w in _NON_PERSON_BY_FIRST.get(text[start], ())
    )


def _hide_masked(text: str) -> str:
    return (
        _MASKED.sub(lambda m: "某" * len(m.group()), text)
        if "某" in text or "*" in text or "＊" in text or "×" in text
        else text
    )


def _cue_names(text: str, not_names: frozenset) -> Iterator[tuple[int, int]]:
    """Names followed by a person's particulars: the longest surname-led word of 2-3 characters
    (3-4 with a compound surname, 4 in a Hui name, a Tibetan name before strong particulars) that
    ends at the cue and starts after a non-Chinese character or after a word that opens a name
    (对, 给予, 其妻 …)."""
    cues = [(m.start(), False) for m in PERSON_CUE.finditer(text)]
    cues += [(m.start(), True) for m in _SANCTION_CUE.finditer(text)]
    for end, weak in sorted(cues):
        for length in (4, 3, 2):
            start = end - length
            if start < 0:
                continue
            word = text[start:end]
            if not _HAN_RUN.fullmatch(word):
                continue
            if not plausible_person(word, not_names) and not (tibetan_led(word) and not weak):
                continue
            compound = word[:2] in COMPOUND_SURNAMES
            if length == 2 and compound:
                continue
            if length == 4 and not (compound or word[1] in LONG_NAME_SECOND_CHARS or tibetan_led(word)):
                continue
            if weak and (_common_word(word) or _common_word(word[:2]) or word[0] in AMBIGUOUS_SURNAMES):
                continue
            before = text[start - 1] if start else ""
            if (
                not before
                or not ("\u4e00" <= before <= "\u9fff")
                or before in _NAME_OPENERS
                or text[max(0, start - 2) : start] in _NAME_OPENERS2
            ):
                yield start, end
                break


# Characters and words right before a name (对王某处以罚款, 给予王某处分, 由王某驾驶).
_NAME_OPENERS = set("对由与和及将把给经向被令据称为是即的")
_NAME_OPENERS2 = (
    "给予",
    "责成",
    "询问",
    "其中",
    "包括",
    "其妻",
    "其夫",
    "其子",
    "其女",
    "之子",
    "之女",
    "之妻",
    "之父",
    "之母",
    "妻子",
    "丈夫",
    "儿子",
    "女儿",
    "父亲",
    "母亲",
    "兄弟",
    "姐妹",
)


# Single characters that open a clause as words, not as surnames (由于, 对此, 在场 …).
_CLAUSE_NOT_SURNAME = _FUNCTION_SINGLES - frozenset("时成向")
# Where a clause, a line or a table cell starts (etl/readers/html.py puts tabs between cells),
# words after which a name often stands (对王某处以罚款, 由王某驾驶, 造成王某死亡, 给予王某处分,
# 安排王某作业), and a worker's or staff member's post ending in 工 or 员 (掘进工景某, 爆破员汪某).
_CLAUSE_START = re.compile(
    r"(?:^|(?<=[，,。；;：:！？!?、\n\t\u3000])|(?<=对|由|将|据|工|员)|"
    r"(?<=询问了)|(?<=给予|造成|询问|安排|雇用|聘用|聘请|搭载|乘载|其中|包括|导致|致使|发现|由原|对原))"
    "(?=[%s])" % "".join(sorted(SURNAME_CHARS | _COMPOUND_FIRST))
)


# After a short name of an enterprise, a building or a project (荣达项目, 盛康综合楼), with no
# character between that could follow a person (在, 的, 被, 作为 …).
_PLACE_AFTER = re.compile(
    r"[^\W\d_在于的是为被将把从向对与和及等称未已因系作任担到去进该驾给]{0,3}?"
    r"(?:楼|大厦|小区|商场|项目|公司|集团)"
)


def dictionary_word(word: str, min_freq: int | None = None) -> bool:
    """A word jieba's dictionary holds as something other than a person's name, with a
    frequency of at least min_freq (_WORD_FREQ unless given)."""
    seg, tagger = _jieba()
    # FREQ also holds every prefix of a word, with frequency 0, and rare entries (武建, 高志)
    # that are parts of names more often than words
    freq = _WORD_FREQ if min_freq is None else min_freq
    return seg.FREQ.get(word, 0) >= freq and not tagger.word_tag_tab.get(word, "").startswith("nr")


_WORD_FREQ = 20
_FREQUENT_NOUN = 5000  # 关系, 工作, 国家 …; 王国 2631, 黄金 3086 open names
_NR_WORD_FREQ = 150  # 查明 409, 洪亮 216 are words; 林海 51 is a name


def _clause_names(text: str, not_names: frozenset, name_length) -> Iterator[tuple[int, int]]:
    """A surname-led name where a clause starts or after a word that introduces a person,
    when its first two characters are no dictionary word (公安, 管理, 高处 …), nor the whole
    (强降雨)."""
    seg, tagger = _jieba()
    for m in _CLAUSE_START.finditer(text):
        pos = m.end()
        if pos and text[pos - 1] in "工员" and dictionary_word(text[pos - 1 : pos + 1], 1):
            continue  # 工程师, 工商: not after a post
        while (
            pos < len(text)
            and text[pos] not in _CLAUSE_NOT_SURNAME
            and text[pos] not in AMBIGUOUS_SURNAMES
            and (text[pos] in SURNAME_CHARS or text[pos : pos + 2] in COMPOUND_SURNAMES)
        ):
            length = name_length(text[pos : pos + 6])
            word = text[pos : pos + length]
            if (
                not length
                or not plausible_person(word, not_names)
                or text[pos + length : pos + length + 2] == "示例"
            ):
                break
            head = word[:3] if word[:2] in COMPOUND_SURNAMES else word[:2]
            if word[:2] in WORDY_COMPOUNDS:
                break
            if word[:2] not in COMPOUND_SURNAMES and (
                dictionary_word(head) or _common_word(word) or (len(word) == 3 and dictionary_word(word, 1))
            ):
                break
            if not _unambiguous(word, seg, tagger):
                break
            yield pos, pos + length
            pos += length  # a list of names: 马某和马某, 王某、李某
            if pos >= len(text) or text[pos] not in "、和与及":
                break
            pos += 1


# An accountability item that is no numbered list item: a name opening a line or a sentence, the
# person's post ending in a title, then what the item says of the person (向前，某镇应急办工作人员，
# 建议给予批评教育). Strong enough for names that are also words.
_APPOSITION = re.compile(
    r"(?:^|(?<=[\n。；;]))[ \t\u3000]*([\u4e00-\u9fff]{2,4})[，,]"
    r"[^，,。；;\n]{2,40}?(?:长|主任|书记|人员|员|经理|负责人|控制人|代表人|董事|总监|干部|会计|委员|工程师|"
    r"经营者|股东|业主|个体户)[，,]\s*(?=建议|给予|对|负有|负责|涉嫌|已被|被|未|分管|主持|作为|履职|违反|明知)"
)


def _apposition_names(text: str) -> Iterator[tuple[int, int]]:
    """Names opening an accountability item that is not numbered (_APPOSITION)."""
    for m in _APPOSITION.finditer(text):
        word = m.group(1)
        if (plausible_person(word) or tibetan_led(word)) and not surname_and_title(word):
            yield m.span(1)


# Nouns that carry the short name of an enterprise or a project on into a title (荣康粉尘涉爆车间
# 改造项目, 荣康化工): the two characters before them are a 字号, not a person.
_NOUNS_AFTER_TRADE_NAME = tuple(
    "公司 集团 企业 有限 粉尘 涉爆 车间 项目 工程 厂房 厂区 库房 仓库 设备 装置 生产线 系统 管道 "
    "管线 储罐 罐区 工段 工地 园区 矿区 料场 砂场 门店 商铺 超市 宾馆 大厦 小区 市场 物流 建材 "
    "化工 煤业 煤矿 矿业 商贸 实业 科技 能源 电力 燃气 冶金 钢铁 水泥 建筑 大桥 桥梁 隧道 公路 "
    "铁路 高速 水库 电站 电厂 热电 水电 化学 工业 石化 油田 瓦斯 塔吊 "
    # a county's or district's name before the people it is named for (管城回族区)
    "回族 藏族 蒙古族 哈萨克族 裕固族 土族 撒拉族 保安族".split()
)
# Surname characters that are also things and places (污水井清理, 池内, 居民楼内, 路段时, 三楼窗口):
# such a character is the thing when it ends a word begun before it (污水井, 居民楼, 路段), follows
# a number or a determiner (三楼, 2号井, 该车) or when a place on the thing follows (口, 边, 内 …);
# a rare surname also when the rest is a word (池清理).
OBJECT_SURNAMES = frozenset("井池管车房门楼段路边")
_RARE_OBJECT_SURNAMES = frozenset("井池")
_PLACES_ON_A_THING = frozenset("口边内外底旁壁顶盖上下中里沿侧")
_COUNTING = frozenset("一二三四五六七八九十两0123456789号几每各该此本")


def _reads_as_title_or_object(text: str, start: int, end: int) -> bool:
    """True when a name found with no particulars reads as a 字号 in a title (荣康粉尘…项目,
    古夫河大桥) or as an object (池清理)."""
    head = start + (3 if text[start : start + 2] in COMPOUND_SURNAMES else 2)
    if text.startswith(_NOUNS_AFTER_TRADE_NAME, head) or text.startswith(_NOUNS_AFTER_TRADE_NAME, end):
        return True
    if text[start] not in OBJECT_SURNAMES:
        return False
    given = text[start + 1 : end]
    # the word may be broken over a line end: 一般道\n路交通事故 is 道路
    joined = text[max(0, start - 3) : start].replace("\n", "")
    before = [joined[-j:] + text[start] for j in (1, 2) if len(joined) >= j]
    return (
        given[:1] in _PLACES_ON_A_THING
        or text[start - 1 : start] in _COUNTING
        or (text[start] in _RARE_OBJECT_SURNAMES and len(given) >= 2 and dictionary_word(given))
        or any(_HAN_RUN.fullmatch(word) and dictionary_word(word, 1) for word in before)
    )


_OPENING_QUOTES = set("“「『《\"'‘")
_CLOSING_QUOTES = set("”」』》\"'’")
# A place's last character right after the name (黄羊镇, 毛井镇): the name is a place's. Looked
# for in the text as written too (镇某养殖场 reads like a masked name).
_PLACE_SUFFIX_AFTER = re.compile(r"[镇乡县区市州省鎮鄉縣區]")


def person_name_spans(
    text: str | None, not_names: frozenset = frozenset(), name_length=None
) -> list[tuple[int, int]]:
    """(start, end) of every person's name this module recognizes in text (see above); names
    after role words and in enumerated lists are etl/normalize/mask.py's rules. Names already
    masked are never returned."""
    if not text:
        return []
    plain = _simplified(_hide_masked(text))
    spans: list[tuple[int, int]] = []  # found without particulars: tagger, clause starts
    for m in _HAN_LINES.finditer(plain):
        run = m.group()
        if not _SURNAME_CHAR.search(run):
            continue  # the cheap prefilter: no character that can open a name
        if "\n" not in run:
            spans += [(m.start() + a, m.start() + b) for a, b in _run_names(run, not_names)]
            continue
        # a line break inside a sentence (PDF text): tag the joined words, map back
        found = _run_names(run.replace("\n", ""), not_names)
        if found:
            at = [m.start() + i for i, ch in enumerate(run) if ch != "\n"]
            for a, b in found:
                if at[b - 1] - at[a] == b - 1 - a:  # a name never spans a line break here
                    spans.append((at[a], at[b - 1] + 1))
    if name_length:
        spans += _clause_names(plain, not_names, name_length)
    spans = [(a, b) for a, b in spans if not _reads_as_title_or_object(plain, a, b)]
    spans += _cue_names(plain, not_names)
    spans += _apposition_names(plain)
    # 文号 (甘应急罚〔2023〕12号) and the places and words listed above are no names
    # nor what follows a letter or a digit (G30连霍高速: a road's code and name)
    spans = [
        (a, b)
        for a, b in spans
        if not _DOC_NUMBER_AFTER.match(plain, b)
        and not _PLACE_SUFFIX_AFTER.match(text, b)
        and not surname_and_title(plain[a:b])
        and plain[b - 1] not in "工员"  # a post (把钩工朱某某), not a name
        and "有限" not in plain[a : b + 2]
        and not starts_non_person(plain, a, b)
        and not capital_numeral_at(plain, a)
        and not _COMPANY_AFTER.match(plain, b)
        and not _PLACE_AFTER.match(plain, b)
        and not (a and plain[a - 1].isascii() and plain[a - 1].isalnum())
    ]
    if "·" in plain or "•" in plain:
        # not a name in quotes: a project's or a building's (“悦府·滨河苑”项目)
        spans += [
            m.span()
            for m in TRANSLITERATED.finditer(plain)
            if plain[m.start() - 1 : m.start()] not in _OPENING_QUOTES
            and plain[m.end() : m.end() + 1] not in _CLOSING_QUOTES
        ]
    spans += [m.span() for m in _TIBETAN.finditer(plain)]
    return sorted(set(spans))
