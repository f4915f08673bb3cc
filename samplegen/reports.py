"""The text of 事故调查报告 and 整改措施落实情况评估 documents, composed from world facts.

A document is a list of (kind, text) blocks: "h" a section heading, "p" a paragraph.
Structure follows 条例 第三十条 (基本情况; 经过和救援; 伤亡和损失; 原因和性质; 责任认定及处理建议;
防范和整改措施); the wording varies on purpose, as it does between real counties.
"""

from __future__ import annotations

import datetime as dt
import random

from . import codes, names, phrases
from .world import Accident, Assessment, rng_for

SAMPLE_NOTE = "（示例数据，非真实信息）"
Block = tuple[str, str]

# The person whose 考核合格证号 and phone number a report prints unmasked (planted once).
PLANTED_PHONE = "13919056612"


def _num(cn: bool, n: int) -> str:
    return codes.cn_number(n) if cn else str(n)


def casualties(acc: Accident, cn: bool, rng: random.Random) -> str:
    parts = []
    if acc.deaths:
        parts.append(f"{_num(cn, acc.deaths)}人死亡")
    if acc.missing:
        parts.append(f"{_num(cn, acc.missing)}人失踪")
    if acc.injuries:
        if acc.serious == acc.injuries:
            parts.append(f"{_num(cn, acc.injuries)}人重伤")
        elif acc.serious:
            parts.append(f"{_num(cn, acc.injuries)}人受伤（其中重伤{_num(cn, acc.serious)}人）")
        else:
            parts.append(
                f"{_num(cn, acc.injuries)}人轻伤" if rng.random() < 0.6 else f"{_num(cn, acc.injuries)}人受伤"
            )
    return "、".join(parts)


def _loss(acc: Accident, rng: random.Random) -> str:
    about = "约" if acc.loss_style in ("wan1", "wan0", "yi") and rng.random() < 0.6 else ""
    return about + codes.loss_text(acc.loss_yuan, acc.loss_style)


def approver_short(approver: str) -> str:
    if approver == "甘肃省人民政府":
        return "省政府"
    if approver.endswith("区人民政府"):
        return "区政府"
    if approver.endswith("县人民政府"):
        return "县政府"
    if approver.endswith("人民政府"):
        return "市政府" if "市" in approver or "州" not in approver else "州政府"
    return approver


def approval_sentence(acc: Accident, rng: random.Random, date_style: str = "cn") -> str:
    when = codes.date_text(acc.approved_on, date_style)
    doc = acc.doc_no
    forms = (
        f"{when}，{acc.approver}以《关于{acc.short}调查报告的批复》（{doc}）批复同意该事故调查报告。",
        f"{when}，{approver_short(acc.approver)}批复同意《{acc.title}》，现予以公布。",
        f"本报告已经{acc.approver}批复同意（{doc}，批复日期：{codes.date_text(acc.approved_on, 'iso')}）。",
    )
    return rng.choice(forms)


def _sector(acc: Accident) -> str:
    dept = phrases.DEPARTMENTS.get(acc.industry, "应急管理局")
    return "人力资源和社会保障" if dept == "应急管理局" else dept.removesuffix("局")


def _date_styles(acc: Accident) -> tuple[str, ...]:
    # The Lanzhou site has a GB2312 page: no 〇 there (not in GB2312).
    if acc.source_id == "lz-yjj-accidents":
        return ("cn", "cn", "dash")
    return ("cn", "cn", "cn", "dash", "upper")


def accident_report(acc: Accident, seed: int) -> list[Block]:
    """The full report text."""
    rng = rng_for(seed, "text", acc.key)
    county, city = names.county_name(acc.county), names.city_name(acc.city)
    brand = names.brand_of(acc.enterprise_name)
    date_style = rng.choice(_date_styles(acc))
    occurred = acc.occurred
    when = (
        codes.date_text(occurred.date(), date_style)
        + (" " if date_style == "dash" else "")
        + codes.time_text(
            occurred.hour, occurred.minute, rng.choice(("xu", "xu", "zuoyou", "colon", "period"))
        )
    )
    cn = rng.random() < 0.35
    cas = casualties(acc, cn, rng)
    loss = _loss(acc, rng)
    approval_first = acc.approval_in_body and rng.random() < 0.6

    blocks: list[Block] = [("p", SAMPLE_NOTE)]
    if approval_first:
        blocks.append(("p", approval_sentence(acc, rng)))
    where = (
        f"位于{county}的{acc.enterprise_name}"
        if rng.random() < 0.5
        else f"{city}{county}{acc.enterprise_name}"
    )
    if acc.enterprise_shown:  # a name that carries its own place prefix
        where = f"位于{county}的{acc.enterprise_name}"
    if acc.industry == "道路运输":
        where = f"{acc.enterprise_name}所属车辆在{county}境内"
    no_deaths = "" if acc.deaths or acc.missing else "，无人员死亡"
    intro = f"{when}，{where}发生一起{acc.type_word}事故，造成{cas}{no_deaths}，直接经济损失{loss}。"
    if not acc.deaths and not acc.injuries:
        intro = f"{when}，{where}发生一起{acc.type_word}事故，未造成人员伤亡，直接经济损失{loss}。"
    if acc.concealment == "谎报":
        intro = (
            f"{when}，{where}发生一起{acc.type_word}事故。事故发生后，该公司谎报事故伤亡情况，"
            f"仅上报1人死亡。经调查核实，事故共造成{cas}，直接经济损失{loss}。"
        )
    blocks.append(("p", intro))
    investigator = "国务院" if acc.approver == "国务院" else acc.approver
    blocks.append(
        (
            "p",
            f"事故发生后，{investigator}高度重视。依据《中华人民共和国安全生产法》《生产安全事故报告和调查处理条例》"
            f"等有关法律法规，{investigator}成立了由应急管理、公安、总工会、{_sector(acc)}"
            f"等部门组成的{acc.short}调查组（以下简称事故调查组），并邀请纪检监察机关派员参加，开展事故调查工作。",
        )
    )
    blocks.append(
        (
            "p",
            "事故调查组坚持“科学严谨、依法依规、实事求是、注重实效”的原则，通过现场勘验、调查取证、"
            "技术分析和专家论证，查明了事故发生的经过、原因、人员伤亡和直接经济损失情况，认定了事故性质和责任，"
            "提出了对有关责任人员和责任单位的处理建议，以及事故防范和整改措施建议。现将有关情况报告如下：",
        )
    )

    blocks += _basic_facts(acc, rng)
    blocks += _course(acc, rng, when, county, brand)
    blocks.append(("h", "三、人员伤亡和直接经济损失"))
    if acc.deaths or acc.missing:
        blocks.append(("p", f"事故共造成{cas}。"))
    elif acc.injuries:
        blocks.append(("p", f"事故未造成人员死亡，共造成{cas}。"))
    else:
        blocks.append(("p", "事故未造成人员伤亡。"))
    blocks.append(
        (
            "p",
            f"依据《企业职工伤亡事故经济损失统计标准》（GB 6721-1986）等标准和规定统计，"
            f"核定事故造成直接经济损失{loss}。",
        )
    )
    blocks += _causes(acc, rng, county)
    blocks += _accountability(acc, rng, county, city)
    blocks.append(("h", "六、事故防范和整改措施建议"))
    for i, item in enumerate(acc.prevention, 1):
        blocks.append(("p", f"（{codes.cn_number(i)}）{item}"))
    if acc.approval_in_body and not approval_first:
        blocks.append(("p", approval_sentence(acc, rng)))
    return blocks


def _basic_facts(acc: Accident, rng: random.Random) -> list[Block]:
    ent = acc.enterprise
    county = names.county_name(ent.county)
    if acc.uscc_in_text:
        code = (
            f"统一社会信用代码：{acc.uscc_in_text}，"
            if rng.random() < 0.6
            else f"统一社会信用代码为{acc.uscc_in_text}，"
        )
    else:
        code = f"统一社会信用代码：{ent.uscc[:5]}****，" if rng.random() < 0.4 else ""
    principal = f"主要负责人{ent.principal}（{ent.principal_title}）"
    if ent.principal == ent.legal_rep:
        principal = f"法定代表人、{ent.principal_title}{ent.principal}"
    else:
        principal = f"法定代表人{ent.legal_rep}，{principal}"
    if "unmasked_id" in acc.planted:
        principal += (
            f"（安全生产知识和管理能力考核合格证编号：{_planted_id(acc)}，" f"联系电话：{PLANTED_PHONE}）"
        )
    founded = codes.date_text(ent.founded, "cn")
    licence = {
        "煤矿": "持有有效的采矿许可证和安全生产许可证。",
        "非煤矿山": "持有有效的采矿许可证和安全生产许可证。",
        "危险化学品": "持有危险化学品安全生产许可证。",
        "烟花爆竹": "持有烟花爆竹经营（批发）许可证。",
        "建筑施工": "具有建筑工程施工总承包资质，持有安全生产许可证。",
        "道路运输": "持有道路运输经营许可证。",
        "燃气": "持有燃气经营许可证。",
    }.get(acc.industry, "")
    return [
        ("h", "一、基本情况"),
        ("p", "（一）事故发生单位概况"),
        (
            "p",
            f"{acc.enterprise_name}，成立于{founded}，{code}注册地址位于{county}，{principal}，"
            f"企业类型为有限责任公司，主要从事{acc.industry if acc.industry != '工贸' else '生产加工'}相关业务。{licence}"
            + (acc.facts_note or ""),
        ),
        ("p", "（二）有关部门监管情况"),
        (
            "p",
            f"{county}{phrases.DEPARTMENTS.get(acc.industry, '应急管理局')}负责该企业的行业安全监管工作，"
            f"事故发生前一年内曾对该企业开展{codes.cn_number(rng.randint(1, 4))}次执法检查。",
        ),
    ]


def _planted_id(acc: Accident) -> str:
    """A valid-looking ID number (check digit correct) for the planted unmasked case."""
    rng = random.Random(f"planted-id:{acc.key}")
    born = dt.date(rng.randint(1968, 1985), rng.randint(1, 12), rng.randint(1, 28))
    return codes.make_id_number(
        rng, acc.enterprise.county if acc.enterprise.county != "620200" else "620201", born
    )


def _course(acc: Accident, rng: random.Random, when: str, county: str, brand: str) -> list[Block]:
    victims = [names.masked_person(rng) for _ in range(2)]
    place = rng.choice(phrases.PLACES.get(acc.accident_type, ("生产现场",))).format(brand=brand)
    text = phrases.NARRATIVES.get(acc.accident_type, "{t}，{v}在{p}作业时发生事故。").format(
        t=when, v=victims[0], w=victims[1], p=place, h=rng.randint(6, 30)
    )
    blocks: list[Block] = [("h", "二、事故发生经过和应急救援情况"), ("p", text)]
    if acc.deaths and "遇难" not in text and rng.random() < 0.5:
        blocks.append(("p", f"{victims[0]}被紧急送往{county}人民医院救治，后经抢救无效死亡。"))
    if acc.deaths_in_title is not None:  # the toll rose after the first report (and the title)
        later = codes.date_text(acc.occurred.date() + dt.timedelta(days=rng.randint(2, 9)), "cn")
        blocks.append(
            (
                "p",
                f"事故当场造成{acc.deaths_in_title}人死亡。受伤人员{victims[1]}被送往{county}人民医院救治，"
                f"{later}经抢救无效死亡，事故死亡人数增至{acc.deaths}人。",
            )
        )
    if acc.concealment == "瞒报":
        found = acc.occurred.date() + dt.timedelta(days=rng.randint(3, 20))
        blocks.append(
            (
                "p",
                f"事故发生后，{acc.enterprise_name}未按规定向有关部门报告，私下与遇难者家属协商赔偿事宜，"
                f"直至{codes.date_text(found, 'cn')}，{county}应急管理局接群众举报后核查发现。",
            )
        )
        return blocks  # nobody was called to the scene
    t2 = codes.time_text((acc.occurred.hour + rng.randint(2, 9)) % 24, rng.choice((0, 10, 30)), "xu")
    gov = acc.approver if acc.approver != "国务院" else "甘肃省人民政府"
    blocks.append(("p", rng.choice(phrases.RESCUE).format(gov=gov, t2=t2)))
    return blocks


def _causes(acc: Accident, rng: random.Random, county: str) -> list[Block]:
    ent = acc.enterprise
    dept = f"{county}{phrases.DEPARTMENTS.get(acc.industry, '应急管理局')}"
    indirect = rng.sample(phrases.INDIRECT_CAUSES, rng.randint(2, 4))
    blocks: list[Block] = [
        ("h", "四、事故发生的原因和事故性质"),
        ("p", "（一）直接原因"),
        ("p", phrases.DIRECT_CAUSES.get(acc.accident_type, "作业人员违章作业。")),
        ("p", "（二）间接原因"),
    ]
    for i, cause in enumerate(indirect, 1):
        blocks.append(
            ("p", f"{i}．" + cause.format(ent=acc.enterprise_name, dept=dept, town=f"{county}某镇人民政府"))
        )
    nature = f"经调查认定，{acc.short}是一起{acc.grade_stated}生产安全责任事故。"
    if acc.concealment == "瞒报":
        nature += f"事故发生后，{acc.enterprise_name}主要负责人{ent.principal}组织隐瞒事故，存在瞒报行为。"
    elif acc.concealment == "谎报":
        nature += f"事故发生后，{acc.enterprise_name}故意不如实报告事故死亡人数，存在谎报行为。"
    elif acc.concealment == "迟报":
        nature += (
            f"事故发生后，{acc.enterprise_name}未在1小时内向{county}应急管理局报告，"
            f"直至事故发生约{rng.randint(3, 9)}小时后才报告，存在迟报行为。"
        )
    if rng.random() < 0.6:
        nature += f"依据《企业职工伤亡事故分类》（GB 6441-1986），事故类别为{acc.accident_type}。"
    blocks += [("p", "（三）事故性质"), ("p", nature)]
    return blocks


def _accountability(acc: Accident, rng: random.Random, county: str, city: str) -> list[Block]:
    blocks: list[Block] = [("h", "五、责任认定及处理建议")]
    groups = (
        ("移送司法机关", "（一）建议移送司法机关处理的人员"),
        ("党纪政务处分", "（二）建议给予党纪政务处分的人员"),
        ("行政处罚", "（三）建议给予行政处罚的单位和人员"),
        ("其他", "（四）其他处理建议"),
    )
    authority = (
        f"{county}应急管理局"
        if acc.grade_stated == "一般"
        else f"{city}应急管理局"
        if acc.grade_stated == "较大"
        else "甘肃省应急管理厅"
    )
    for measure_type, heading in groups:
        items = [m for m in acc.measures if m.measure_type == measure_type]
        if not items:
            continue
        blocks.append(("p", heading))
        for i, m in enumerate(items, 1):
            if measure_type == "移送司法机关":
                text = f"{m.subject}，{m.position}，对事故发生负有直接责任。{m.measure}。"
            elif measure_type == "党纪政务处分":
                text = f"{m.subject}，中共党员，{m.position}，未认真履行安全监管职责，对事故发生负有监管责任。{m.measure}。"
            elif measure_type == "行政处罚":
                fine = codes.fine_text(int(m.fine_yuan), m.fine_style)
                if m.subject == acc.enterprise_name and "事故行为" in m.measure:
                    text = (
                        f"{m.subject}，{acc.concealment}事故。依据《生产安全事故报告和调查处理条例》第三十六条规定，"
                        f"建议由{authority}对其{acc.concealment}事故行为处以罚款{fine}。"
                    )
                elif m.subject == acc.enterprise_name:
                    text = (
                        f"{m.subject}，未依法履行安全生产主体责任，对事故发生负有责任。依据《中华人民共和国安全生产法》"
                        f"有关规定，建议由{authority}对其处以罚款{fine}。"
                    )
                elif "迟报" in m.measure:
                    text = (
                        f"{m.subject}，{m.position}，事故发生后未按规定及时报告。依据《生产安全事故报告和调查处理条例》"
                        f"第三十五条规定，建议由{authority}{m.measure.replace('对其迟报事故行为', '对其')}，计{fine}。"
                    )
                else:
                    text = (
                        f"{m.subject}，{m.position}，未履行安全生产管理职责，对事故发生负有责任。"
                        f"建议由{authority}对其{m.measure}，计{fine}。"
                    )
            else:
                text = f"{m.measure}。"
            blocks.append(("p", f"{i}．{text}"))
    return blocks


def pdf_only_body(acc: Accident, seed: int) -> list[Block]:
    """What the web page says when the report itself is only in the PDF attachment."""
    rng = rng_for(seed, "stub", acc.key)
    blocks: list[Block] = [("p", SAMPLE_NOTE)]
    if rng.random() < 0.5:
        blocks.append(("p", f"《{acc.title}》已经{acc.approver}批复同意，现予以公布。"))
    else:
        blocks.append(
            ("p", f"根据《生产安全事故报告和调查处理条例》有关规定，现将{acc.short}调查报告予以公布。")
        )
    blocks.append(("p", "详见附件。"))
    return blocks


# --- assessments -------------------------------------------------------------------


def assessment_ref(a: Assessment) -> str:
    acc = a.accident
    if a.ref_by == "title":
        return f"《{acc.title}》"
    if a.ref_by == "doc_no":
        return f"{acc.approver}批复的事故调查报告（{acc.doc_no}）"
    return f"《{acc.title}》（{acc.doc_no}）"


def assessment_text(a: Assessment, seed: int) -> list[Block]:
    rng = rng_for(seed, "assessment-text", a.key)
    acc = a.accident
    start = a.assessed_on - dt.timedelta(days=rng.randint(2, 6))
    done = a.measures_total - a.measures_open
    blocks: list[Block] = [
        ("p", SAMPLE_NOTE),
        (
            "p",
            f"根据《中华人民共和国安全生产法》第八十六条和《甘肃省生产安全事故防范和整改措施落实情况评估办法》有关规定，"
            f"{a.assessor}于{codes.date_text(start, 'cn')}至{codes.date_text(a.assessed_on, 'cn')}组织评估组，"
            f"对{assessment_ref(a)}提出的防范和整改措施落实情况进行了评估。现将评估情况公布如下：",
        ),
        ("h", "一、评估组的组成和工作程序"),
        (
            "p",
            "评估组由应急管理、行业主管部门和纪检监察机关有关人员组成，并邀请安全生产专家参加。评估组采取资料审查、"
            "座谈问询、查阅文件、走访核查等方式，逐项核查事故调查报告提出的防范和整改措施建议落实情况。",
        ),
        ("h", "二、责任追究和整改措施落实评估情况"),
        (
            "p",
            f"事故调查报告提出的责任追究建议{'已全部落实' if a.result != '不到位' else '尚未全部落实'}。"
            f"事故调查报告共提出{codes.cn_number(a.measures_total)}项防范和整改措施，"
            f"已落实{codes.cn_number(done)}项"
            + (f"，{codes.cn_number(a.measures_open)}项正在推进或未落实。" if a.measures_open else "。"),
        ),
        ("h", "三、存在问题及措施建议"),
    ]
    if a.result == "到位":
        blocks.append(
            (
                "p",
                "事故发生单位和有关部门针对事故暴露出的问题，认真整改，建立了长效机制。"
                "建议持续巩固整改成果，防止类似事故再次发生。",
            )
        )
    else:
        blocks.append(
            (
                "p",
                f"{acc.enterprise_name}隐患排查治理制度落实仍不到位，部分整改措施流于形式；"
                f"有关部门对整改情况跟踪督促不够。建议对整改不力的单位和部门负责人进行约谈，限期整改。",
            )
        )
    blocks += [
        ("h", "四、评估组评估意见"),
        ("p", f"评估组认为，{acc.short}整改措施落实情况评估结论为：{a.result_shown}。"),
    ]
    return blocks
