"""Document metadata from the paragraphs around the table: title, issuer, 文号, date, year."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from duban.ingest.text import cn_number, tidy

NUM = r"[0-9〇○零一二三四五六七八九十]+"
DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,12})\s*([〔\[［【（(])\s*((?:19|20)\d\d)\s*([〕\]］】）)])\s*(\d{1,4})\s*号")
DATE_LINE = re.compile(rf"^({NUM})\s*年\s*({NUM})\s*月\s*({NUM})\s*日\s*(印发|成文)?$")
PLAN_TITLE = re.compile(r"(分工方案|任务分工|分工表|工作要点|责任清单|任务清单|实施方案|工作方案|台账)")
YEAR_IN_TITLE = re.compile(r"((?:19|20)\d\d)\s*年")


@dataclass
class Meta:
    title: str = ""
    notice_title: str = ""
    issuer: str = ""
    doc_number: str = ""
    issued_on: dt.date | None = None
    year: int | None = None
    warnings: list[str] = field(default_factory=list)


def _date(m: re.Match) -> dt.date | None:
    y, mo, d = (cn_number(m[i].replace("○", "〇")) for i in (1, 2, 3))
    try:
        return dt.date(y, mo, d)
    except (TypeError, ValueError):
        return None


def _is_notice_title(p: str) -> bool:
    return "关于" in p and (p.endswith("通知") or p.endswith("的函") or p.endswith("意见"))


def extract(before: list[str], after: list[str] = ()) -> Meta:
    """before/after: the document's text outside the table, before and after it, in order."""
    meta = Meta()
    paras = [tidy(p) for p in [*before, *after] if tidy(p)]
    n_before = len([p for p in before if tidy(p)])
    signed_dates: list[dt.date] = []
    printed_dates: list[dt.date] = []
    for i, p in enumerate(paras):
        if not meta.doc_number and (m := DOC_NUMBER.search(p)) and len(p) < 60:
            meta.doc_number = f"{m[1]}〔{m[3]}〕{m[5]}号"
        compact = re.sub(r"\s+", "", p)
        if (m := DATE_LINE.match(compact)) and (d := _date(m)):
            (printed_dates if m[4] == "印发" else signed_dates).append(d)
            if not meta.issuer and i > 0 and m[4] != "印发" and _looks_like_issuer(paras[i - 1]):
                meta.issuer = paras[i - 1]
        if not meta.notice_title and _is_notice_title(compact):
            meta.notice_title = compact
        if i < n_before and PLAN_TITLE.search(compact) and len(compact) <= 60 and not _is_notice_title(compact) and not compact.startswith(("为", "现将", "根据")) and "《" not in compact:
            meta.title = compact  # the last such line before the table is the plan's own title

    for p in paras[:3]:
        if p.endswith("文件") and len(p) <= 40:  # 公文版头: "××人民政府办公室文件"
            meta.issuer = p.removesuffix("文件").strip()
            break
    if not meta.issuer and meta.notice_title and meta.notice_title.index("关于") > 0:
        meta.issuer = meta.notice_title[: meta.notice_title.index("关于")]
    if not meta.title:
        m = re.search(r"关于印发(.+?)的通知", meta.notice_title)
        meta.title = m[1].strip("《》") if m else meta.notice_title
    meta.issued_on = (signed_dates or printed_dates or [None])[0]

    for source in (meta.title, meta.notice_title):
        if m := YEAR_IN_TITLE.search(source or ""):
            meta.year = int(m[1])
            break
    if meta.year is None and meta.issued_on:
        meta.year = meta.issued_on.year
        meta.warnings.append(f"标题中没有年度，按成文日期取 {meta.year} 年，请核对")
    elif meta.year is None and (m := re.search(r"〔(\d{4})〕", meta.doc_number)):
        meta.year = int(m[1])
        meta.warnings.append(f"标题中没有年度，按文号取 {meta.year} 年，请核对")
    if not meta.title:
        meta.warnings.append("没有找到方案标题")
    if not meta.doc_number:
        meta.warnings.append("没有找到文号")
    if not meta.issued_on:
        meta.warnings.append("没有找到成文日期")
    if meta.year is None:
        meta.warnings.append("无法确定方案年度，不写年份的完成时限无法换算为日期")
    return meta


def _looks_like_issuer(p: str) -> bool:
    return len(p) <= 40 and bool(re.search(r"(政府|办公室|办公厅|委员会|局|厅|委|办|中心|小组)$", p))
