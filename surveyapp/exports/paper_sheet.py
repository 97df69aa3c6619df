"""The printable paper 测评表 (PDF) for members without a phone, laid out like
the phone ballot: the title, the voter group, the instructions and the
per-ballot limits first, then a row per person (name, post, unit) with a box
per grade, one table per criterion, and room for opinions at the end.

Like the other PDFs it uses reportlab's built-in CID font STSong-Light, so
Chinese prints without a font file.  It holds nothing secret: every sheet
of a group is the same, and it is typed in (or counted as 废票) afterwards
on the console's paper ballot page.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.model import COMMITMENT_LABELS, COMMITMENT_OPTIONS, RoundSpec
from ..domain.rules import ballot_limits

FONT = "STSong-Light"
MARGIN = 14 * mm
BOX = "□"
INSTRUCTIONS = ("（无记名。请在每人所在行、您选择的等次下的方框内划“√”，每人限选一项，"
                "不要写姓名或做其他记号。）")
CLOSING = "填好后请对折，投入票箱。"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(size: float, **kw) -> ParagraphStyle:
    return ParagraphStyle(f"sheet{size}{sorted(kw)}", fontName=_font(), fontSize=size,
                          leading=size * 1.35, wordWrap="CJK", **kw)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def limit_lines(spec: RoundSpec) -> list[str]:
    """The per-ballot limits as the phone ballot states them."""
    several = len(spec.criteria) > 1
    return [f"每张选票{'每一项' if several else ''}“{limit.label}”不超过 {limit.allowed} 人"
            f"（共 {limit.total} 人）。" for limit in ballot_limits(spec)]


def commitment_tables(spec: RoundSpec, width: float, body: ParagraphStyle) -> list:
    """承诺兑现: a row per commitment item (person, the item's number and text)
    with a box per answer, after the grades.  Typed up as CSV rows with the
    criterion ``commitment:<n>`` (docs/plugins.md)."""
    labels = [COMMITMENT_LABELS[k] for k in COMMITMENT_OPTIONS]
    rows = [["姓名", "承诺事项", *labels]]
    for subject in spec.subjects:
        for n, item in enumerate(subject.commitments, start=1):
            rows.append([Paragraph(_escape(subject.name), body),
                         Paragraph(_escape(f"{n}. {item}"), body), *([BOX] * len(labels))])
    if len(rows) == 1:
        return []
    box_width = 18 * mm
    name_width = 24 * mm
    grid = Table(rows, colWidths=[name_width, width - name_width - box_width * len(labels),
                                  *([box_width] * len(labels))], repeatRows=1)
    grid.setStyle(_grid_style(("ALIGN", (2, 0), (-1, -1), "CENTER")))
    return [Paragraph("<b>承诺兑现</b>（每项限选一格；不了解的选“不了解”）", body),
            Spacer(1, 2 * mm), grid, Spacer(1, 5 * mm)]


def _grid_style(*more: tuple) -> TableStyle:
    """A grid of boxes to tick: a shaded header, big boxes from the third
    column on; ``more`` adds alignment and padding."""
    return TableStyle([
        ("FONT", (0, 0), (-1, -1), _font(), 10),
        ("FONTSIZE", (2, 1), (-1, -1), 16),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        *more,
    ])


def paper_sheet_pdf(spec: RoundSpec, *, group_label: str | None = None) -> bytes:
    """One 测评表 for ``spec`` (a group's, when ``group_label`` is given)."""
    body, small = _style(10.5), _style(9)
    story = [Paragraph(_escape(f"{spec.title} 测评表"), _style(16, alignment=1, spaceAfter=4)),
             Paragraph(_escape(INSTRUCTIONS), _style(9.5, alignment=1, spaceAfter=6))]
    if group_label:
        story.append(Paragraph(_escape(f"参评身份：{group_label}"), body))
    for line in limit_lines(spec):
        story.append(Paragraph(f"<b>{_escape(line)}</b>", body))
    story.append(Spacer(1, 4 * mm))

    width = A4[0] - 2 * MARGIN
    labels = [o.label for o in spec.options]
    grade_width = max(16 * mm, max(pdfmetrics.stringWidth(f"{BOX} {x}", FONT, 10)
                                   for x in labels) + 4 * mm)
    number_width = 10 * mm
    name_width = width - number_width - grade_width * len(labels)
    for criterion in spec.criteria:
        rows = [["序号", "姓名", *labels]]
        for i, subject in enumerate(spec.subjects, start=1):
            who = _escape(subject.name)
            extra = "　".join(x for x in (subject.post, subject.unit) if x)
            if extra:
                who += f'<br/><font size="8" color="#555555">{_escape(extra)}</font>'
            rows.append([str(i), Paragraph(who, body), *([BOX] * len(labels))])
        grid = Table(rows, colWidths=[number_width, name_width, *([grade_width] * len(labels))],
                     repeatRows=1)
        grid.setStyle(_grid_style(("ALIGN", (0, 0), (-1, -1), "CENTER"),
                                  ("ALIGN", (1, 1), (1, -1), "LEFT"),
                                  ("TOPPADDING", (0, 1), (-1, -1), 5),
                                  ("BOTTOMPADDING", (0, 1), (-1, -1), 5)))
        if len(spec.criteria) > 1:
            title = criterion.label + (f"：{criterion.description}" if criterion.description
                                       else "")
            story.append(Paragraph(f"<b>{_escape(title)}</b>", body))
            story.append(Spacer(1, 2 * mm))
        story += [grid, Spacer(1, 5 * mm)]
    story += commitment_tables(spec, width, body)
    lines = Table([[""]] * 4, colWidths=[width], rowHeights=[9 * mm] * 4)
    lines.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.grey)]))
    story.append(KeepTogether([Paragraph("意见建议（选填）：", body), lines,
                               Spacer(1, 4 * mm), Paragraph(_escape(CLOSING), small)]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                      topMargin=MARGIN, bottomMargin=MARGIN, title=f"{spec.title} 测评表",
                      author="surveyapp").build(story)
    return out.getvalue()
