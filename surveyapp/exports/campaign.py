"""A campaign's figures as people take them away: JSON (what `surveyapp
campaigns tally` prints), CSV, XLSX and PDF, all from one table of rows
(:func:`rows`), built from the exact campaign table (domain/campaign.py).

A hidden figure is a dash, as on each branch's own results; proposals are
the subjects meeting the campaign's absolute standard, advice for the
committee (不能简单地以票取人).
"""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.campaign import HIDDEN_FIGURES, NOT_COUNTED, STANDARD_UNKNOWN
from ..domain.tally import present
from .pdf import _escape, _font, _style
from .summary import points

DASH = "—"
HIDDEN_TURNOUT = "人数较少"
FLAG_WORDS = {NOT_COUNTED: "尚未计票", HIDDEN_FIGURES: "部分数字为保护匿名不显示",
              STANDARD_UNKNOWN: "所需数字不显示，是否达标由组织研究确定"}
NOTE = ("注：各支部数字均取自该支部已公布口径的测评结果（为保护匿名不显示的数字此处同样不显示）；"
        "多人评议的支部取其各人已显示分数的平均。达标按绝对标准评定，不按名次或比例；"
        "测评建议仅供参考，不能简单地以票取人。")


def standard_text(standard: dict, groups: list[dict] | None = None) -> str:
    """The standard in words; ``groups`` (the table's) name the groups by label."""
    labels = {g["key"]: g["label"] for g in groups or []}
    parts = []
    if standard["score"] is not None:
        parts.append(f"得分≥{points(standard['score'])}")
    if standard["criteria"] is not None:
        parts.append(f"各指标≥{points(standard['criteria'])}")
    parts += [f"{labels.get(g, g)}≥{points(v)}" for g, v in standard["groups"].items()]
    label = standard["label"] or "达标"
    return f"{label}：" + ("，".join(parts) if parts else "未设标准，不提出建议")


def turnout_text(entry: dict | None) -> str:
    if not entry:
        return DASH
    if entry["ballots"] is None:
        return HIDDEN_TURNOUT
    return str(entry["ballots"]) + (f"/{entry['expected']}" if entry["expected"] else "")


def header(table: dict) -> list[str]:
    return ["排名", "党组织", "评议", "得分",
            *(c["label"] for c in table["criteria"]),
            *(f"{g['label']}得分" for g in table["groups"]),
            *(f"{g['label']}参评" for g in table["groups"]),
            "评定（测评建议）", "评定与测评建议不同", "达标（测评建议）", "待研究", "标记"]


#: Text columns at the end of a row (the rest after the names are figures).
TEXT_TAIL = 5
DIFF_HEADER = ["党组织", "姓名", "得分", "测评建议", "评定", "评定理由"]
DIFF_TITLE = "评定与测评建议不同的情况（请党委审核）"


def decided_text(branch: dict) -> str:
    """The committee's 评定 of each decided subject, its proposal beside it."""
    return "；".join(f"{d['name']} {d['decision_label']}（测评建议 {d['proposal_label'] or '无'}）"
                    for d in branch.get("decided", []) if d["decision"])


def differences_text(branch: dict) -> str:
    return "；".join(f"{d['name']}：测评建议{d['proposal_label'] or '无'}，"
                    f"评定{d['decision_label']}，理由：{d['reason']}"
                    for d in branch.get("differences", []))


def difference_rows(table: dict) -> list[list[str]]:
    """Every decision that differs from its proposal, branch by branch."""
    return [[b["org"], d["name"], points(d["score"]), d["proposal_label"] or "无",
             d["decision_label"], d["reason"]]
            for b in sorted_branches(table, "org") for d in b.get("differences", [])]


def rows(table: dict) -> list[list[str]]:
    """One row of display text per branch, in rank order."""
    out = []
    for b in table["branches"]:
        out.append([
            "" if b["rank"] is None else str(b["rank"]), b["org"], b["title"],
            points(b["score"]),
            *(points(b["criteria"].get(c["key"])) for c in table["criteria"]),
            *(points(b["groups"].get(g["key"])) for g in table["groups"]),
            *(turnout_text(b["turnout"].get(g["key"])) for g in table["groups"]),
            decided_text(b), differences_text(b),
            "、".join(p["name"] for p in b["proposals"]),
            "、".join(p["name"] for p in b["undecided"]),
            "；".join(FLAG_WORDS.get(f, f) for f in b["flags"])])
    return out


def sorted_branches(table: dict, sort: str = "rank") -> list[dict]:
    """The branches by rank (unranked last) or by organisation name."""
    if sort == "org":
        return sorted(table["branches"], key=lambda b: (b["org"], b["round"]))
    return sorted(table["branches"], key=lambda b: (b["rank"] is None, b["rank"] or 0))


def chart_rows(table: dict) -> list[SimpleNamespace]:
    """What the score chart draws (exports/charts.py): name, score and rank."""
    return [SimpleNamespace(name=b["org"], score=b["score"], rank=b["rank"])
            for b in table["branches"]]


def export_json(table: dict) -> bytes:
    return (json.dumps(present(table), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _cell(text: str) -> str:
    """Names as text, never as spreadsheet formulas."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(table: dict) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(table))
    for row in rows(table):
        writer.writerow([_cell(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _number(text: str):
    """Scores and ranks as numbers in the sheet, so it can be sorted."""
    try:
        return float(text) if "." in text else int(text)
    except ValueError:
        return text


def export_xlsx(table: dict) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = "支部对比"
    title = table["campaign"]["title"]
    ws.append([f"{title} 各支部测评结果对比"])
    ws.append([standard_text(table["standard"], table["groups"])])
    ws.append(header(table))
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in rows(table):
        ws.append([_number(c) if i in (0, 3) or (3 < i < len(row) - TEXT_TAIL) else _cell(c)
                   for i, c in enumerate(row)])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.append([])
    ws.append([NOTE])
    ws.freeze_panes = "C4"
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["C"].width = 24
    diff = book.create_sheet("评定与建议不同")
    diff.append([f"{title} {DIFF_TITLE}"])
    diff.append(DIFF_HEADER)
    for cell in diff[2]:
        cell.font = Font(bold=True)
    for row in difference_rows(table):
        diff.append([_cell(c) for c in row])
        for cell in diff[diff.max_row]:
            cell.data_type = "s"
    if diff.max_row == 2:
        diff.append(["无"])
    diff.column_dimensions["A"].width = 18
    diff.column_dimensions["F"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export_pdf(table: dict) -> bytes:
    page = landscape(A4)
    margin = 12 * mm
    size = 8 if len(table["criteria"]) + 2 * len(table["groups"]) < 10 else 6.5
    body, small = _style(size), _style(size * 0.9)
    heading = _style(size + 6, alignment=1, spaceAfter=size)
    data = [[Paragraph(_escape(h), small) for h in header(table)]]
    for row in rows(table):
        data.append([Paragraph(_escape(c), body) for c in row])
    grid = Table(data, repeatRows=1)
    grid.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), _font(), size),
                              ("GRID", (0, 0), (-1, -1), 0.4, "#808080"),
                              ("BACKGROUND", (0, 0), (-1, 0), "#EEEEEE"),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    title = table["campaign"]["title"]
    story = [Paragraph(_escape(f"{title} 各支部测评结果对比"), heading),
             Paragraph(_escape(standard_text(table["standard"], table["groups"])), body),
             Spacer(1, size),
             grid, Spacer(1, size),
             Paragraph(_escape(DIFF_TITLE), _style(size + 2, spaceBefore=size))]
    differences = difference_rows(table)
    if differences:
        diff = Table([[Paragraph(_escape(c), body) for c in row]
                      for row in [DIFF_HEADER, *differences]], repeatRows=1)
        diff.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), _font(), size),
                                  ("GRID", (0, 0), (-1, -1), 0.4, "#808080"),
                                  ("BACKGROUND", (0, 0), (-1, 0), "#EEEEEE")]))
        story.append(diff)
    else:
        story.append(Paragraph("无。", body))
    story += [Spacer(1, size), Paragraph(_escape(NOTE), small)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=margin, rightMargin=margin,
                            topMargin=margin, bottomMargin=margin, title=title,
                            author="surveyapp")
    doc.build(story)
    return out.getvalue()


EXPORTS = {"json": export_json, "csv": export_csv, "xlsx": export_xlsx, "pdf": export_pdf}
MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "pdf": "application/pdf"}


def export(table: dict, fmt: str) -> bytes:
    return EXPORTS[fmt](table)


def is_binary(fmt: str) -> bool:
    return fmt in ("xlsx", "pdf")

