"""What follows a 重大事故隐患 listing: 销号/摘牌 (removed), 约谈 (interview) and 公开曝光
(exposure) announcements, one row per enterprise and event.

The event is stated by a column when the source has one, else by the announcement's title.
The listing an event belongs to is found after loading (etl/derive.py: by the 督办文号, else by
the code or name and the hazard text); an enterprise with no listing stays unlinked.
"""

from __future__ import annotations

from etl.datasets.common import (
    Context,
    Reject,
    checked_date,
    enterprise_name,
    find_doc_number,
    free_text,
    region_of,
    stable_id,
    text,
    uscc,
)

TABLE = "hazard_events"

# Words of a title or an event column, per event code; the first that occurs decides.
EVENT_WORDS = (
    ("removed", ("销号", "摘牌", "撤牌")),
    ("interview", ("约谈",)),
    ("exposure", ("曝光", "通报批评", "公开通报")),
)
EVENT_CODES = {code for code, _ in EVENT_WORDS}
# A removal refused or put off is no removal (不予销号, 暂缓摘牌, 销号申请未通过).
_REFUSED = ("不予", "暂缓", "未通过", "不同意", "未予", "驳回", "不符合销号")


def event_code(stated: str | None, title: str | None) -> str:
    if stated in EVENT_CODES:
        return stated
    if any(word in (stated or "") + (title or "") for word in _REFUSED):
        raise Reject(f"不是销号：「{stated or title or ''}」（不予或暂缓销号的公告不改变督办状态）")
    for value in (stated, title):
        for code, words in EVENT_WORDS:
            if value and any(word in value for word in words):
                return code
    raise Reject(f"无法识别的事件类型：「{stated or title or ''}」（应为销号/摘牌、约谈或曝光）")


def normalize(fields: dict, ctx: Context) -> dict[str, list[dict]]:
    title = text(fields, "title") or text(fields, "_page_title")
    event = event_code(text(fields, "event"), title)
    name = enterprise_name(fields, "enterprise_name", "企业名称")
    event_on = checked_date(fields, "event_on", "事件日期") or checked_date(
        fields, "published_on", "发布日期"
    )
    if not event_on:
        raise Reject("缺少必填字段：日期（event_on）")
    hazard = free_text(fields, "hazard")
    notice_no = (
        find_doc_number(text(fields, "notice_no")) or text(fields, "notice_no") or find_doc_number(hazard)
    )
    row = {
        "id": stable_id("hze", ctx.spec.id, event, event_on, name, notice_no or "", hazard or ""),
        "notice_no": notice_no,
        "enterprise_name": name,
        "uscc": uscc(fields, "uscc"),
        "hazard": hazard,
        "event": event,
        "event_on": event_on,
        "title": title,
        "detail": free_text(fields, "detail"),
        "authority": text(fields, "authority") or ctx.spec.publisher,
        "region_code": region_of(fields, ctx, "region"),
    }
    return {TABLE: [row]}
