"""The PDF export: an A4 summary of a round on one page — title, turnout,
then a table of subjects with counts per grade, score, rank, proposal and
flags — in reportlab's built-in STSong-Light CID font, so Chinese prints
without any font file.

To fit one page the layout tries portrait, then landscape, at shrinking
font sizes; only a round too big for the smallest readable size flows on
to a second page (with the header row repeated).  The comments (意见建议)
follow on a page of their own, so they never push the summary off its
page: pooled, in their random order, each with the secretary's decision.
Once the committee has recorded a 评定, the table shows it beside the
proposal (then headed 测评建议) and the reasons follow the table.
"""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from ..domain.comments import Review
from ..domain.model import RoundSpec
from . import comments as comment_words
from . import explain, summary
from .exporter import Decisions
from .flags import flag_label
from .summary import DECISION, DECISIONS_NOTE, PROPOSAL_DECIDED, REASON

FONT = "STSong-Light"
MARGIN = 12 * mm
SIZES = (10, 9, 8, 7, 6, 5.5)
NOTE = ("得票率 = 票数 ÷ 测评人数（含不了解、空白）。得分为各组别加权平均，四舍五入保留两位小数。"
        "建议等次仅供参考，不能简单地以票取人。")


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _style(size: float, **kw) -> ParagraphStyle:
    return ParagraphStyle(f"s{size}", fontName=_font(), fontSize=size, leading=size * 1.25,
                          wordWrap="CJK", **kw)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _story(result: dict, spec: RoundSpec, size: float, width: float,
           decisions: Decisions | None = None) -> tuple[list, bool]:
    """The page's flowables, and whether the table fits ``width``.  With the
    committee's 评定 (``decisions``) a column shows it beside the proposal,
    then headed 测评建议, and its reasons follow the table."""
    table = summary.rows(result, spec)
    grades = summary.count_columns(spec, table)
    body = _style(size)
    small = _style(size * 0.9)
    title = _style(size + 6, alignment=1, spaceAfter=size * 0.6)
    turnout = "；".join(f"{t['label']} {summary.turnout_text(t, summary.HIDDEN_TURNOUT)}"
                       for t in summary.turnout_rows(result, spec))
    story = [Paragraph(_escape(f"{result['round']['title']} 测评结果汇总"), title),
             Paragraph(_escape(f"参评率：{turnout}"), body),
             Paragraph(_escape(explain.sheets_line(result, spec)), body)]
    for flag in result.get("flags", []):
        story.append(Paragraph(_escape(flag_label(flag, spec)), body))
    story.append(Spacer(1, size * 0.6))

    header = ["排名", "姓名", "单位", "测评人数", *(label for _, label in grades),
              "得分", PROPOSAL_DECIDED if decisions else "建议等次",
              *([DECISION] if decisions else []), "标记"]
    data = [header]
    for row in table:
        counts = [("—" if row.counts is None else
                   f"{row.counts.get(key, 0)} ({summary.percent(row.shares[key])})"
                   if row.shares else str(row.counts.get(key, 0)))
                  for key, _ in grades]
        flags = "；".join(flag_label(f, spec) for f in row.flags)
        data.append(["" if row.rank is None else str(row.rank),
                     Paragraph(_escape(row.name), body), Paragraph(_escape(row.unit), small),
                     "—" if row.ballots is None else str(row.ballots), *counts,
                     summary.points(row.score), summary.option_label(spec, row.proposal),
                     *([summary.option_label(spec, decisions.get(row.key, ("", ""))[0] or None)]
                       if decisions else []),
                     Paragraph(_escape(flags), small)])
    # Each column as wide as its widest text (names and units capped, they
    # wrap); the flags take what is left, and need room for a short sentence.
    pad = size * 0.8

    def widest(texts, cap: float | None = None) -> float:
        found = max(pdfmetrics.stringWidth(str(t), FONT, size) for t in texts) + pad
        return min(found, cap * size + pad) if cap else found

    widths = [widest(["排名", "999"]), widest(["姓名", *(r.name for r in table)], 8),
              widest(["单位", *(r.unit for r in table)], 10), widest(["测评人数"]),
              *(widest([label, "999 (100.0%)"]) for _, label in grades),
              widest(["得分", "100.00"]),
              widest(["建议等次", *(o.label for o in spec.options)]),
              *([widest([DECISION, *(o.label for o in spec.options)])] if decisions else []),
              0]
    widths[-1] = width - sum(widths)
    fits = widths[-1] >= 10 * size
    widths[-1] = max(widths[-1], 10 * size)
    grid = Table(data, colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), _font(), size),
        ("FONTSIZE", (0, 0), (-1, 0), size),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 0), (-1, 0), "CENTER"),
        ("ALIGN", (3, 1), (-3, -1), "CENTER"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad / 2),
        ("TOPPADDING", (0, 0), (-1, -1), size * 0.15),
        ("BOTTOMPADDING", (0, 0), (-1, -1), size * 0.25),
    ]))
    hidden = summary.HIDDEN_NOTE.format(k=spec.anonymity_min)
    story += [grid, Spacer(1, size * 0.6)]
    if decisions:
        story.append(Paragraph(_escape(DECISIONS_NOTE), small))
        for row in table:
            option, reason = decisions.get(row.key, ("", ""))
            if option and reason:
                story.append(Paragraph(_escape(
                    f"{row.name}：{DECISION}{summary.option_label(spec, option)}"
                    f"（{PROPOSAL_DECIDED}：{summary.option_label(spec, row.proposal) or '无'}），"
                    f"{REASON}：{reason}"), small))
    story += [Paragraph(_escape(NOTE + hidden), small),
              *(Paragraph(_escape(line), small)
                for line in explain.score_explanation(spec, table))]
    story += _commitments_story(result, spec, size, width)
    return story, fits


def _commitments_story(result: dict, spec: RoundSpec, size: float, width: float) -> list:
    """承诺兑现: a line per item with its counts, 兑现率 and score, and each
    subject's mean; nothing for a round without commitments."""
    lines = summary.commitment_lines(result)
    if not lines:
        return []
    body, small = _style(size), _style(size * 0.9)
    header = ["姓名", "承诺事项", *(label for _, label in summary.COMMITMENT_COLUMNS),
              "兑现率", "兑现得分", "均分"]
    data = [header]
    for line in lines:
        counts = ["—" if line.counts is None else str(line.counts.get(key, 0))
                  for key, _ in summary.COMMITMENT_COLUMNS]
        data.append([Paragraph(_escape(line.name if line.first else ""), body),
                     Paragraph(_escape(f"{line.number}. {line.item}"), small), *counts,
                     *(summary.percent(v, summary.COMMITMENT_PLACES)
                       for v in (line.rate, line.score)),
                     summary.percent(line.mean, summary.COMMITMENT_PLACES)
                     if line.first else ""])
    pad = size * 0.8
    narrow = pdfmetrics.stringWidth("部分兑现", FONT, size) + pad
    number = pdfmetrics.stringWidth("100.0%", FONT, size) + pad
    name = pdfmetrics.stringWidth("姓名姓名", FONT, size) + pad
    item = max(width - name - 4 * narrow - 3 * number, 6 * size)
    grid = Table(data, colWidths=[name, item, *([narrow] * 4), *([number] * 3)], repeatRows=1)
    grid.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), _font(), size),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (2, 0), (-1, -1), "CENTER"),
        ("LEFTPADDING", (0, 0), (-1, -1), pad / 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad / 2),
    ]))
    return [Spacer(1, size * 0.6), Paragraph("<b>承诺兑现</b>", body), Spacer(1, size * 0.3),
            grid, Spacer(1, size * 0.3),
            Paragraph(_escape(summary.COMMITMENT_NOTE.format(k=spec.anonymity_min)), small)]


def _height(story: list, width: float, height: float) -> float:
    return sum(flowable.wrap(width, height)[1] for flowable in story)


def _comments_story(title: str, review: Review) -> list:
    """The comments' page; none when there is no comment to list (a round
    whose comments are withheld says so on the XLSX sheet)."""
    if not review.comments:
        return []
    body, small = _style(10), _style(9)
    heading = _style(14, alignment=1, spaceAfter=6)
    story = [PageBreak(), Paragraph(_escape(f"{title} 意见建议"), heading)]
    story.append(Paragraph(_escape(comment_words.summary_line(review)), body))
    story.append(Spacer(1, 6))
    item = _style(10, leftIndent=12, firstLineIndent=-12, spaceAfter=4)
    for number, short, decision, text in comment_words.rows(review):
        lines = _escape(text).replace("\n", "<br/>")
        story.append(Paragraph(f"{number}. 【{_escape(decision)}】{lines}"
                               f' <font size="7" color="#666666">#{short}</font>', item))
    story += [Spacer(1, 6), Paragraph(_escape(comment_words.NOTE), small)]
    return story


def export_pdf(result: dict, spec: RoundSpec, comments: Review | None = None,
               decisions: Decisions | None = None) -> bytes:
    best = None
    for size in SIZES:
        for page in (A4, landscape(A4)):
            width, height = page[0] - 2 * MARGIN, page[1] - 2 * MARGIN
            story, fits = _story(result, spec, size, width, decisions)
            if fits and _height(story, width, height) <= height - 6:
                best = (page, size)
                break
        if best:
            break
    page, size = best or (landscape(A4), SIZES[-1])
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN,
                            title=result["round"]["title"], author="surveyapp")
    story = _story(result, spec, size, page[0] - 2 * MARGIN, decisions)[0]
    doc.build(story + _comments_story(result["round"]["title"], comments or Review([])))
    return out.getvalue()
