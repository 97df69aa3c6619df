"""The draft report of a round for the 组织生活会 / 上报党委: PDF, and the
same tables in XLSX, built from one :func:`report_tables` so the two never
drift.

Everything in it is what the round already shows: the result kept at the
count after its disclosure control (turnout hidden below the threshold is
words, a hidden score is a dash), the committee's 评定 and reasons beside
the proposals (测评建议), the differences between the two, and the comments
that passed review (shown ones as written, redacted ones redacted), pooled
in their stored random order as the 公示 lists them; none when the round's
comments are withheld (too few voters could have written them).
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain import records
from ..domain.comments import Review, published
from ..domain.model import RoundSpec
from ..domain.rules import proposal_labels
from . import explain, summary
from .exporter import Decisions
from .pdf import _escape, _font, _style

TITLE = "{title} 测评情况报告（草稿）"
PURPOSE = "供组织生活会通报、上报党委审核用。"
RESULT_HEADER = ["排名", "姓名", "单位", "测评人数", "得分", "测评建议", "评定", "评定理由"]
DIFF_HEADER = ["姓名", "单位", "得分", "测评建议", "评定", "评定理由"]
NOTE = ("注：数字取自开箱计票后按匿名保护口径保存的结果，为保护匿名不显示的数字此处同样不显示。"
        "测评建议是系统根据投票给出的参考，评定由支委会（党员大会）结合日常表现作出，"
        "不能简单地以票取人。意见建议仅列经审阅显示（或删改后显示）的条目，不标注来源。")


def report_tables(result: dict, spec: RoundSpec, review: Review,
                  decisions: Decisions) -> dict:
    """Every table of the report as display text."""
    labels = proposal_labels(spec)
    table = summary.rows(result, spec)
    decided = {r["key"]: r for r in records.decided_rows(result, labels, decisions)}
    turnout = [[t["label"], summary.turnout_text(t, summary.HIDDEN_TURNOUT)]
               for t in summary.turnout_rows(result, spec)]
    results = []
    for row in table:
        d = decided[row.key]
        results.append(["" if row.rank is None else str(row.rank), row.name, row.unit,
                        "—" if row.ballots is None else str(row.ballots),
                        summary.points(row.score), d["proposal_label"] or "无",
                        d["decision_label"] or "未评定", d["reason"]])
    differences = [[d["name"], d["unit"], summary.points(d["score"]),
                    d["proposal_label"] or "无", d["decision_label"], d["reason"]]
                   for d in records.differences(list(decided.values()))]
    undecided = sum(1 for d in decided.values() if not d["decision"])
    if review.withheld:
        comment_note = (f"意见建议：可能提交意见的票数少于 {review.minimum} 张，"
                        "为保护匿名不列出。")
        comments: list[str] = []
    else:
        comments = published(review.comments)
        comment_note = f"意见建议：经审阅列出 {len(comments)} 条"
        if review.pending:
            comment_note += f"；另有 {review.pending} 条尚未审阅，未列入"
        comment_note += "。"
    return {"title": TITLE.format(title=result["round"]["title"]),
            "turnout": turnout, "sheets": explain.sheets_line(result, spec),
            "results": results, "differences": differences, "undecided": undecided,
            "comments": comments, "comment_note": comment_note,
            "hidden_note": summary.HIDDEN_NOTE.format(k=spec.anonymity_min)}


def _grid(data: list[list[str]], widths: list[float], size: float) -> Table:
    body = _style(size)
    grid = Table([[Paragraph(_escape(c), body) for c in row] for row in data],
                 colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), _font(), size),
                              ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return grid


def export_pdf(tables: dict) -> bytes:
    size = 9
    width = A4[0] - 24 * mm
    heading = _style(15, alignment=1, spaceAfter=6)
    section = _style(11, spaceBefore=8, spaceAfter=4)
    body, small = _style(size), _style(size * 0.9)
    story = [Paragraph(_escape(tables["title"]), heading), Paragraph(_escape(PURPOSE), body),
             Paragraph("一、参评情况", section),
             Paragraph(_escape("；".join(f"{a} {b}" for a, b in tables["turnout"])), body),
             Paragraph(_escape(tables["sheets"]), body),
             Paragraph("二、测评结果与评定", section)]
    unit = width / 100
    story.append(_grid([RESULT_HEADER, *tables["results"]],
                       [w * unit for w in (7, 11, 15, 9, 9, 11, 11, 27)], size))
    if tables["undecided"]:
        story.append(Paragraph(_escape(f"尚有 {tables['undecided']} 人未评定。"), small))
    story.append(Paragraph("三、评定与测评建议不同的情况（请党委审核）", section))
    if tables["differences"]:
        story.append(_grid([DIFF_HEADER, *tables["differences"]],
                           [w * unit for w in (12, 16, 10, 12, 12, 38)], size))
    else:
        story.append(Paragraph("无。", body))
    story.append(Paragraph("四、意见建议", section))
    story.append(Paragraph(_escape(tables["comment_note"]), body))
    item = _style(size, leftIndent=12, firstLineIndent=-12, spaceAfter=3)
    for number, text in enumerate(tables["comments"], start=1):
        story.append(Paragraph(f"{number}. " + _escape(text).replace("\n", "<br/>"), item))
    story += [Spacer(1, 8), Paragraph(_escape(NOTE + tables["hidden_note"]), small)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=tables["title"],
                            author="surveyapp")
    doc.build(story)
    return out.getvalue()


def _cell(text: str) -> str:
    """Names as text, never as spreadsheet formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _sheet(ws, title: str, header: list[str], data: list[list[str]]) -> None:
    ws.append([title])
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in data:
        ws.append([_cell(c) for c in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def export_xlsx(tables: dict) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "测评结果与评定"
    ws.append([tables["title"]])
    ws.append([PURPOSE])
    for label, text in tables["turnout"]:
        ws.append([f"参评情况：{label}", _cell(text)])
    ws.append([tables["sheets"]])
    ws.append([])
    _sheet(ws, "测评结果与评定", RESULT_HEADER, tables["results"])
    ws.append([])
    ws.append([NOTE + tables["hidden_note"]])
    diff = book.create_sheet("评定与建议不同")
    _sheet(diff, "评定与测评建议不同的情况（请党委审核）", DIFF_HEADER, tables["differences"])
    if not tables["differences"]:
        diff.append(["无"])
    notes = book.create_sheet("意见建议")
    notes.append([tables["comment_note"]])
    for number, text in enumerate(tables["comments"], start=1):
        notes.append([number, _cell(text)])
    for sheet in (ws, diff):
        for column, width in zip("ABCDEFGH", (10, 12, 18, 10, 10, 12, 12, 36), strict=True):
            sheet.column_dimensions[column].width = width
    notes.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {"pdf": export_pdf, "xlsx": export_xlsx}
MEDIA = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def export(tables: dict, fmt: str) -> bytes:
    return FORMATS[fmt](tables)
