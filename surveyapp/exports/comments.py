"""A round's comments as the secretary takes them away: the words the XLSX
sheet and the PDF section use, and ``surveyapp comments`` as CSV or JSON.

Every comment is listed in its stored random order with its decision; the
text is what :attr:`~surveyapp.domain.comments.ReviewedComment.exported`
says (as shown; a pending one as written; a hidden one not at all), so the
original of a redacted comment and the text of a hidden one stay in the
console.  Nothing here groups comments: they have no voter group.
"""

from __future__ import annotations

import csv
import io
import json

from ..domain import comments as rules
from ..domain.comments import Review
from .tabular import _text

SHEET = "意见建议"
DECISION_LABELS = {rules.PENDING: "待审核", rules.SHOW: "显示", rules.REDACT: "部分遮盖",
                   rules.HIDE: "隐藏"}
HIDDEN_TEXT = "（已隐藏）"
NOTE = ("意见建议按随机顺序排列，与选票和投票组别均无关联。"
        "只有“显示”和“部分遮盖”的意见会在公示中出现，部分遮盖的只出现遮盖后的文本；"
        "待审核的按原文列出，尚未公示；隐藏的意见和部分遮盖意见的原文只能在系统中查看。")


def withheld_note(review: Review) -> str:
    return f"投票人数少于 {review.minimum} 人，为保护匿名，意见建议不显示。"


def summary_line(review: Review) -> str:
    counts = review.counts
    parts = "，".join(f"{DECISION_LABELS[d]} {counts[d]}" for d in rules.DECISIONS)
    return f"共 {len(review.comments)} 条：{parts}"


def rows(review: Review) -> list[tuple[int, str, str, str]]:
    """(序号, 编号, 审核结果, 文本) per comment, in the stored order."""
    return [(i, c.short, DECISION_LABELS.get(c.decision, c.decision),
             HIDDEN_TEXT if c.exported is None else c.exported)
            for i, c in enumerate(review.comments, start=1)]


def _entries(review: Review) -> list[dict]:
    return [{"id": c.short, "decision": c.decision, "text": c.exported}
            for c in review.comments]


def export_json(round_info: dict, review: Review) -> bytes:
    """``{"round": {slug, title, status}, "withheld": bool,
    "comments": [{"id", "decision", "text"|null}]}``."""
    data = {"round": round_info, "withheld": review.withheld, "comments": _entries(review)}
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_csv(round_info: dict, review: Review) -> bytes:
    """Header ``id,decision,text``; UTF-8 with a BOM, so Excel shows the
    Chinese; a text Excel would run as a formula gets a leading '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["id", "decision", "text"])
    for entry in _entries(review):
        writer.writerow([entry["id"], entry["decision"],
                         "" if entry["text"] is None else _text(entry["text"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


FORMATS = {"json": export_json, "csv": export_csv}
