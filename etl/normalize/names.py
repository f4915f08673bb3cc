"""Names: enterprise names normalized for linking and display; person names masked per the
convention of Gansu's published reports (姓某 or 姓某+末字, e.g. 张某昌).
"""
from __future__ import annotations

import re

from etl.normalize.text import clean_text, to_halfwidth

# Common two-character surnames: the surname stays whole (欧阳某X, not 欧某X).
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 端木 独孤 南宫 "
    "西门 百里 呼延 万俟 闻人 澹台 公羊 赫连 第五 钟离 宗政 濮阳 太史 申屠 仲孙 拓跋 司空 东郭 "
    "淳于 单于 公冶 羊舌 左丘 梁丘 完颜 乐正 漆雕 壤驷 公良 段干 谷梁 巫马 颛孙 子车 亓官 "
    "司寇 鲜于 闾丘 东门 西门 呼延".split())
MASK_CHAR = "某"
_MASK_MARKS = ("某", "*", "×", "Ｘ", "＊")
_SPACE = re.compile(r"\s+")


def normalize_enterprise_name(s: str | None) -> str | None:
    """Registered names as one canonical string: ASCII half-width, brackets as Chinese （）,
    no whitespace. Different legal names stay different (no fuzzy merging, issue 3)."""
    if s is None:
        return None
    s = to_halfwidth(clean_text(s), parens=True)
    s = s.replace("(", "（").replace(")", "）")
    return _SPACE.sub("", s)


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
    given = name[len(surname):]
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
    "但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由")
