"""The XLSX export: a 汇总表 sheet laid out the way a branch prints its
测评结果 (merged title, two-row bold header, frozen panes, set widths, A4
fitted to the page width), then one sheet per voter group, then the
comments (意见建议) on a sheet of their own, pooled, in their random order,
each with the secretary's decision (exports/comments.py).  Once the committee
has recorded a 评定, the 汇总表 shows it and its reason beside the proposal.

Numbers are numbers (counts as integers, shares as fractions formatted as
percentages, scores to two places), so the sheet can be summed and sorted.
Suppressed breakdowns are empty cells with the reason beside them.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from fractions import Fraction

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..domain.comments import Review
from ..domain.model import RoundSpec
from ..domain.tally import present
from . import comments as comment_words
from . import explain, summary
from .exporter import Decisions
from .flags import flag_label, hidden_reason
from .summary import DECISION, DECISIONS_NOTE, PROPOSAL_DECIDED, REASON

SUMMARY_SHEET = "汇总表"
NOTE = ("注：得票率 = 票数 ÷ 测评人数（含不了解、空白）；得分为各组别加权平均，精确计算后"
        "四舍五入保留两位小数；建议等次仅供参考，不能简单地以票取人。")
HEADER_ROW = 3  # rows 1-2: title and turnout; 3-4: header; data from 5

_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="center", wrap_text=True)


@dataclass
class Column:
    """A header cell: one column, or a grade spanning 票数 and 得票率."""

    label: str
    subs: tuple[str, ...] = ()
    width: float = 8
    formats: tuple[str, ...] = ("General",)

    @property
    def span(self) -> int:
        return max(1, len(self.subs))


def _share(value: Fraction | None) -> float | None:
    return None if value is None else present(value, 4)


def _num(value: Fraction | None) -> float | None:
    return None if value is None else present(value)


def _grade_columns(spec: RoundSpec, table) -> list[tuple[str, Column]]:
    return [(key, Column(label, ("票数", "得票率"), 7, ("0", "0.0%")))
            for key, label in summary.count_columns(spec, table)]


def _grade_cells(keys: list[str], counts, shares) -> list:
    cells = []
    for key in keys:
        cells.append(None if counts is None else counts.get(key, 0))
        cells.append(None if shares is None else _share(shares.get(key, Fraction(0))))
    return cells


def _sheet_name(label: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\']", "", label).strip()[:28] or "组别"
    base, n = name, 2
    while name in taken:
        name = f"{base}{n}"
        n += 1
    taken.add(name)
    return name


def _named(book: Workbook, kind: str) -> str:
    """A named style per kind of cell: assigning one is far cheaper in
    openpyxl than setting font, border and alignment cell by cell."""
    name = f"results-{kind}"
    if name not in book.named_styles:
        style = NamedStyle(name=name, border=BORDER)
        if kind == "header":
            style.font, style.fill, style.alignment = Font(bold=True), HEADER_FILL, CENTER
        elif kind == "text":
            style.alignment = WRAP
        else:
            style.alignment, style.number_format = CENTER, kind
        book.add_named_style(style)
    return name


def _write(ws: Worksheet, title: str, subtitle: str, columns: list[Column],
           data: list[list], note: str) -> None:
    width = sum(c.span for c in columns)
    last = get_column_letter(width)
    ws["A1"] = title
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = CENTER
    ws.merge_cells(f"A1:{last}1")
    ws.row_dimensions[1].height = 30
    ws["A2"] = subtitle
    ws["A2"].alignment = WRAP
    ws.merge_cells(f"A2:{last}2")
    ws.row_dimensions[2].height = 30

    col, formats = 1, []
    for column in columns:
        top = ws.cell(HEADER_ROW, col, column.label)
        if column.subs:
            for i, sub in enumerate(column.subs):
                ws.cell(HEADER_ROW + 1, col + i, sub)
                ws.column_dimensions[get_column_letter(col + i)].width = column.width
            if column.span > 1:
                ws.merge_cells(start_row=HEADER_ROW, start_column=col,
                               end_row=HEADER_ROW, end_column=col + column.span - 1)
        else:
            ws.merge_cells(start_row=HEADER_ROW, start_column=col,
                           end_row=HEADER_ROW + 1, end_column=col)
            ws.column_dimensions[get_column_letter(col)].width = column.width
        top.alignment = CENTER
        formats += list(column.formats) * (column.span // len(column.formats))
        col += column.span
    for row in ws.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW + 1, max_col=width):
        for cell in row:
            cell.style = _named(ws.parent, "header")

    first = HEADER_ROW + 2
    for r, values in enumerate(data, start=first):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.style = _named(ws.parent, "text" if isinstance(value, str) else formats[c - 1])
    note_row = first + len(data) + 1
    ws.cell(note_row, 1, note).alignment = WRAP
    ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=width)
    ws.row_dimensions[note_row].height = 32 + 16 * (len(note) // 120)

    ws.freeze_panes = ws.cell(first, 3)  # header rows and 序号/姓名 stay in view
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > 10 else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True


def export_xlsx(result: dict, spec: RoundSpec, comments: Review | None = None,
                decisions: Decisions | None = None) -> bytes:
    """The summary sheet, a sheet per voter group and the comments; with the
    committee's 评定 (``decisions``), the summary shows each beside the
    software's proposal, which is then headed 测评建议, and its reason."""
    table = summary.rows(result, spec)
    grades = _grade_columns(spec, table)
    keys = [k for k, _ in grades]
    several = len(spec.criteria) > 1
    crit_columns = [Column(c.label, (), 9, ("0.00",)) for c in spec.criteria] if several else []
    turnout = "；".join(f"{t['label']} {summary.turnout_text(t, summary.HIDDEN_TURNOUT)}"
                       for t in summary.turnout_rows(result, spec))
    title = result["round"]["title"]
    round_flags = "；".join(flag_label(f, spec) for f in result.get("flags", []))
    hidden_note = summary.HIDDEN_NOTE.format(k=spec.anonymity_min)

    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    unit_width = max([12, *(min(30, len(r.unit) * 2 + 2) for r in table)])
    columns = [Column("序号", width=6), Column("姓名", width=10),
               Column("单位", width=unit_width), Column("测评人数", width=9, formats=("0",)),
               *(c for _, c in grades), *crit_columns,
               *(Column(h, width=16) for h in summary.rate_headers(spec)),
               Column("得分", width=9, formats=("0.00",)), Column("排名", width=6, formats=("0",)),
               Column(PROPOSAL_DECIDED if decisions else "建议等次", width=10),
               *([Column(DECISION, width=10), Column(REASON, width=30)] if decisions else []),
               Column("标记", width=36)]
    data = []
    for i, row in enumerate(table, start=1):
        decided = (decisions or {}).get(row.key, ("", ""))
        data.append([i, row.name, row.unit, row.ballots,
                     *_grade_cells(keys, row.counts, row.shares),
                     *([_num(row.criteria.get(c.key)) for c in spec.criteria] if several else []),
                     *summary.rate_cells(row.counts, spec),
                     _num(row.score), row.rank, summary.option_label(spec, row.proposal),
                     *([summary.option_label(spec, decided[0] or None), decided[1]]
                       if decisions else []),
                     "；".join(flag_label(f, spec) for f in row.flags)])
    subtitle = (f"参评率：{turnout}。{explain.sheets_line(result, spec)}"
                + (f"{round_flags}" if round_flags else ""))
    scoring = "".join(explain.score_explanation(spec, table))
    _write(ws, f"{title} 测评结果汇总表", subtitle, columns, data,
           f"{NOTE}{hidden_note}{scoring}{DECISIONS_NOTE if decisions else ''}")

    taken = {SUMMARY_SHEET}
    turnouts = {t["key"]: t for t in summary.turnout_rows(result, spec)}
    for g in spec.groups:
        ws = wb.create_sheet(_sheet_name(g.label, taken))
        columns = [Column("序号", width=6), Column("姓名", width=10),
                   Column("单位", width=unit_width), Column("票数", width=8, formats=("0",)),
                   *(c for _, c in grades), *crit_columns,
                   Column("得分", width=9, formats=("0.00",)), Column("说明", width=30)]
        data = []
        for i, row in enumerate(table, start=1):
            part = next((b for b in row.groups if b.key == g.key), None)
            if part is None:
                continue
            crit = ([_num((part.criteria or {}).get(c.key)) for c in spec.criteria]
                    if several else [])
            data.append([i, row.name, row.unit, part.ballots,
                         *_grade_cells(keys, part.counts, part.shares), *crit,
                         _num(part.score), hidden_reason(part.hidden, spec)])
        t = turnouts[g.key]
        _write(ws, f"{title} — {g.label}",
               f"参评率：{summary.turnout_text(t, summary.HIDDEN_TURNOUT)}；权重 {g.weight}",
               columns, data,
               f"{NOTE}{hidden_note}")
    lines = summary.commitment_lines(result)
    if lines:
        _commitments_sheet(wb.create_sheet(_sheet_name(summary.COMMITMENT_SHEET, taken)),
                           title, lines, summary.COMMITMENT_NOTE.format(k=spec.anonymity_min))
    if comments is not None:  # called by the service, which always hands them over
        _comments_sheet(wb.create_sheet(_sheet_name(comment_words.SHEET, taken)), title,
                        comments)
    for sheet in wb.worksheets:
        _text_not_formulas(sheet)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _commitments_sheet(ws: Worksheet, title: str, lines: list[summary.CommitmentLine],
                       note: str) -> None:
    """承诺兑现: a line per commitment item, its counts, 兑现率 and score, and the
    subject's mean on its first item's line."""
    columns = [Column("序号", width=6), Column("姓名", width=10),
               Column("承诺事项", width=36),
               *(Column(label, width=8, formats=("0",)) for _, label in
                 summary.COMMITMENT_COLUMNS),
               Column("兑现率", width=9, formats=("0%",)),
               Column("兑现得分", width=9, formats=("0%",)),
               Column("均分", width=9, formats=("0%",))]
    data = []
    for i, line in enumerate(lines, start=1):
        counts = [None if line.counts is None else line.counts.get(key, 0)
                  for key, _ in summary.COMMITMENT_COLUMNS]
        data.append([i, line.name, f"{line.number}. {line.item}", *counts,
                     _share(line.rate), _share(line.score),
                     _share(line.mean) if line.first else None])
    _write(ws, f"{title} 承诺兑现", "", columns, data, note)


def _comments_sheet(ws: Worksheet, title: str, review: Review) -> None:
    columns = [Column("序号", width=6), Column("编号", width=10), Column("审核结果", width=10),
               Column("意见建议", width=64)]
    data = [[i, short, decision, ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)]
            for i, short, decision, text in comment_words.rows(review)]
    subtitle = (comment_words.withheld_note(review) if review.withheld
                else comment_words.summary_line(review))
    _write(ws, f"{title} 意见建议", subtitle, columns, data, comment_words.NOTE)


def _text_not_formulas(ws) -> None:
    """openpyxl stores any string starting with "=" as a formula.  Names,
    units and titles come from imported files, so store them as text: a
    subject called "=HYPERLINK(...)" must never run in the secretary's Excel."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"
