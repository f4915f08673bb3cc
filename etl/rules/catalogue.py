"""Every rule the system applies to what it publishes, with its citation: the `legal_basis`
table of the public database, which the about page and Datasette show.

Each entry names the module that applies it, so a reader can go from a published status to the
code and from the code to the regulation. Where an article number could not be confirmed in a
full text, the regulation is cited by name and `article_confirmed` is 0 (docs/rules.md); for the
listing and publicity rules it follows whether REGIMES and PERIOD_RULES carry an `article`.
"""

from __future__ import annotations

from datetime import date

from etl.rules.blacklist import REGIMES
from etl.rules.publicity import PERIOD_RULES, months_zh

COLUMNS = (
    ("key", "TEXT"),
    ("topic", "TEXT"),
    ("rule_zh", "TEXT"),
    ("citation_zh", "TEXT"),
    ("applied_in", "TEXT"),
    ("article_confirmed", "INTEGER"),
)

_CIVIL_CODE = "《中华人民共和国民法典》第二百零一条、第二百零二条"


def _since(day: date) -> str:
    return "此前" if day == date.min else f"{day.isoformat()}起"


def _regime_rows():
    for r in REGIMES:
        yield (
            f"blacklist-{r.key}",
            "严重失信主体名单",
            f"列入日期在{_since(r.since)}的条目：{r.term_zh}。",
            r.citation,
            "etl/rules/blacklist.py",
            int(bool(r.article)),
        )


def _period_rows():
    for r in PERIOD_RULES:
        periods = "，".join(f"{k}最长{months_zh(v)}" for k, v in r.max_months.items())
        yield (
            f"publicity-{r.key}",
            "信用记录公示期",
            f"决定日期在{_since(r.since)}、来源未载明公示截止日期的记录：{periods}，自决定日期起算，"
            "期满停止公示。",
            r.citation,
            "etl/rules/publicity.py",
            int(bool(r.article)),
        )


RULES: tuple[tuple, ...] = (
    (
        "accident-grade",
        "事故等级",
        "按死亡人数、重伤人数（含急性工业中毒）、直接经济损失中达到的最高等级确定：死亡3人以上、重伤10人"
        "以上或损失1000万元以上为较大，10人、50人、5000万元以上为重大，30人、100人、1亿元以上为特别重大；"
        "“以上”含本数，“以下”不含本数。",
        "《生产安全事故报告和调查处理条例》（国务院令第493号）第三条",
        "etl/rules/grades.py",
        1,
    ),
    (
        "accident-publication",
        "事故调查报告公开",
        "事故调查报告依法及时向社会公布；来源撤下的报告继续保留并注明。",
        "《中华人民共和国安全生产法》第八十六条；《生产安全事故报告和调查处理条例》第三十四条",
        "etl/public.py",
        1,
    ),
    (
        "rectification-window",
        "整改措施落实情况评估",
        "评估在事故调查报告批复之日后10个月至1年内组织开展；满1年仍未公开评估结果的显示为逾期。",
        "《甘肃省生产安全事故防范和整改措施落实情况评估办法》第四条；《生产安全事故防范和整改措施落实情况"
        "评估办法》（安委办〔2021〕4号）第三条；《中华人民共和国安全生产法》第八十六条",
        "etl/rules/rectification.py",
        1,
    ),
    (
        "date-ranges",
        "日期与期间",
        "所有日期区间都包含起止两日：载明的截止日当日仍然有效。以年、月表示的期间，开始当日不计入，"
        "到期月的对应日为最后一日，没有对应日的以月末日为最后一日。",
        f"{_CIVIL_CODE}；第一千二百五十九条（“届满”包括本数）",
        "etl/rules/periods.py",
        1,
    ),
    *_regime_rows(),
    (
        "blacklist-restored",
        "严重失信主体名单",
        "提前移出以隐瞒真实情况、弄虚作假取得的，撤销提前移出决定、恢复列入：条目自恢复之日起重新在列，"
        "至原管理期限届满。列入决定本身被撤销（错误列入、复议或诉讼撤销）的，条目视为从未列入，不再公示。",
        "《安全生产严重失信主体名单管理办法》（应急管理部令第11号）",
        "etl/rules/blacklist.py",
        0,
    ),
    *_period_rows(),
    (
        "publicity-stated",
        "信用记录公示期",
        "来源载明公示截止日期的，以载明的日期为准（含当日）；处罚决定被变更、撤销的，按来源撤下记录。",
        "《中华人民共和国行政处罚法》第四十八条、第八十五条；《中华人民共和国安全生产法》第七十八条",
        "etl/rules/publicity.py",
        1,
    ),
    (
        "rating-validity",
        "信用评级",
        "国家层面没有规定安全生产信用等级的有效期：来源载明有效期的，过期后作为历史记录显示；未载明的，"
        "只有最新一次评级显示为现行，并注明来源未载明有效期。",
        "应急管理部《关于十四届全国人大三次会议第3791号建议的答复》（应急建函〔2025〕5号）",
        "etl/rules/publicity.py",
        1,
    ),
    (
        "bans",
        "行业禁入",
        "禁入期间包含起止两日；对重大、特别重大生产安全事故负有责任的主要负责人终身不得担任本行业生产经营"
        "单位的主要负责人，终身禁入不设截止日。",
        "《中华人民共和国安全生产法》第九十四条第三款",
        "etl/public.py",
        1,
    ),
    (
        "hazard-status",
        "重大事故隐患挂牌督办",
        "挂牌督办的重大事故隐患在公布销号（摘牌）前一直处于督办中；整改期限当日仍在期限内，期限已过而未公布"
        "销号的显示为逾期未见销号公告。约谈、公开曝光按公告日期列在隐患下。",
        "《中华人民共和国安全生产法》第四十一条第三款（重大事故隐患治理督办制度）、第六十五条第一款第三项"
        "（重大事故隐患排除后，经审查同意，方可恢复生产经营和使用）",
        "etl/rules/hazards.py",
        1,
    ),
    (
        "penalty-publicity",
        "行政处罚决定",
        "应急管理部门的行政处罚决定依法公开；公示期按不良信用记录的规则推算（见信用记录公示期），期满停止公示。",
        "《中华人民共和国安全生产法》第七十八条第二款；《中华人民共和国行政处罚法》第四十八条",
        "etl/public_disclosures.py",
        1,
    ),
    (
        "agency-qualification",
        "安全生产技术服务机构",
        "机构资质在有效期最后一日当日仍有效，过期后即为过期（不论是否在暂停期内）；自撤销决定之日起、名录写明"
        "撤销或注销的，资质不再有效；有效期内的暂停期间（含起止两日）为暂停。资质已过有效期或被撤销后出具的"
        "报告单独标明；撤销、注销没有日期的，无法判断出具时的资质状态。",
        "《中华人民共和国安全生产法》第七十二条、第九十二条；《安全评价检测检验机构管理办法》（应急管理部令第1号）",
        "etl/rules/agencies.py",
        0,
    ),
    (
        "project-comment",
        "重大建设项目立项前公示",
        "公示期包含起止两日，截止日当日仍可提出意见；公示只写天数（如10个工作日）的不推算截止日，注明未载明。",
        _CIVIL_CODE,
        "etl/rules/projects.py",
        1,
    ),
    (
        "id-numbers",
        "个人信息",
        "不公开居民身份证号码的任何部分（包括前几位和后四位）；个人只以打码后的姓名（姓+某）和所在单位标识，"
        "比来源文件的做法更严格。",
        "《中华人民共和国个人信息保护法》第二十八条（身份证号码属于敏感个人信息）；《中华人民共和国政府信息"
        "公开条例》第十五条",
        "etl/normalize/mask.py",
        1,
    ),
    (
        "uscc",
        "统一社会信用代码",
        "按国家标准验证校验码；校验不通过的代码照原样显示并提示，不删除。",
        "GB 32100-2015《法人和其他组织统一社会信用代码编码规则》",
        "etl/normalize/codes.py",
        1,
    ),
)


def rows() -> list[tuple]:
    return list(RULES)
