"""What a secretary prints or downloads to hand out codes: QR slips and the
codes CSV.

QR slips: A4 sheets of voter codes to print, cut apart and hand out at random.

Each slip has the round's title, the voter group, a QR code of the code's
``/c/<code>`` URL, the code in large type and a short instruction in Chinese;
dashed lines mark where to cut.  Chinese text uses reportlab's built-in CID
font STSong-Light, so no font file is needed; codes and URLs use the
standard Courier and Helvetica, which any PDF reader can search and copy.

The plain codes exist only while this runs: they are stored hashed, so the
PDF is the one place they are ever printed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ..domain.codes import slip_url

CJK_FONT = "STSong-Light"
CODE_FONT = "Courier-Bold"
URL_FONT = "Helvetica"
MUTED = Color(0.35, 0.38, 0.42)
CUT = Color(0.55, 0.55, 0.55)

INSTRUCTION = "请用手机扫描二维码参加匿名评议，每码只能使用一次。也可打开下面的网址，输入投票码："
# Separated by ideographic spaces: STSong-Light has no glyph for "·".
FOOTER = ("{title}\u3000{group}第 {page}/{pages} 页\u3000共 {count} 张"
          "\u3000沿虚线剪开，打乱后随机发放")


@dataclass(frozen=True)
class Layout:
    """Slips per row and column on an A4 page (3 × 4 = 12 by default)."""

    columns: int = 3
    rows: int = 4
    margin: float = 10 * mm

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


def register_fonts() -> None:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


def slips_pdf(codes: Sequence[str], *, title: str, base_url: str, group: str = "",
              layout: Layout = Layout(),
              progress: Callable[[int], None] | None = None) -> bytes:
    """The slips for ``codes`` as PDF bytes; ``progress(n)`` is called after
    each page with the number of slips drawn so far."""
    register_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    pdf.setCreator("surveyapp")
    width, height = A4
    cell_w = (width - 2 * layout.margin) / layout.columns
    cell_h = (height - 2 * layout.margin) / layout.rows
    pages = max(1, -(-len(codes) // layout.per_page))
    group_part = f"{group}\u3000" if group else ""
    for page in range(pages):
        batch = codes[page * layout.per_page:(page + 1) * layout.per_page]
        for i, code in enumerate(batch):
            column, row = i % layout.columns, i // layout.columns
            x = layout.margin + column * cell_w
            y = height - layout.margin - (row + 1) * cell_h
            _slip(pdf, x, y, cell_w, cell_h, code, title=title, group=group,
                  url=slip_url(base_url, code), base_url=base_url)
        _cut_lines(pdf, layout, cell_w, cell_h, rows_used=-(-len(batch) // layout.columns))
        pdf.setFont(CJK_FONT, 7)
        pdf.setFillColor(MUTED)
        pdf.drawCentredString(width / 2, layout.margin / 2, FOOTER.format(
            title=title, group=group_part, page=page + 1, pages=pages, count=len(codes)))
        pdf.showPage()
        if progress:
            progress(page * layout.per_page + len(batch))
    pdf.save()
    return out.getvalue()


def _slip(pdf: canvas.Canvas, x: float, y: float, w: float, h: float, code: str, *,
          title: str, group: str, url: str, base_url: str) -> None:
    pad = 4 * mm
    inner = w - 2 * pad
    centre = x + w / 2
    top = y + h - pad

    pdf.setFillColor(black)
    pdf.setFont(CJK_FONT, 10)
    for line in wrap(title, CJK_FONT, 10, inner, max_lines=2):
        top -= 12
        pdf.drawCentredString(centre, top, line)
    if group:
        top -= 11
        pdf.setFont(CJK_FONT, 8)
        pdf.setFillColor(MUTED)
        pdf.drawCentredString(centre, top, group)

    size = min(inner, 32 * mm)
    top -= 5 + size
    draw_qr(pdf, url, centre - size / 2, top, size)

    top -= 22
    pdf.setFillColor(black)
    pdf.setFont(CODE_FONT, 15)
    pdf.drawCentredString(centre, top, code)

    pdf.setFont(CJK_FONT, 7)
    pdf.setFillColor(MUTED)
    for line in wrap(INSTRUCTION, CJK_FONT, 7, inner, max_lines=3):
        top -= 9
        pdf.drawCentredString(centre, top, line)
    top -= 9
    pdf.setFont(URL_FONT, 7)
    pdf.drawCentredString(centre, top, _fit(base_url.rstrip("/") + "/", URL_FONT, 7, inner))


def draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """A QR code of ``data`` as one filled path (a rectangle per run of dark
    modules), with its lower-left corner at (x, y).  The white quiet zone
    around it is the slip's own margin."""
    qr = qrcode.QRCode(border=0, error_correction=ERROR_CORRECT_M)
    qr.add_data(data)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    module = size / n
    path = pdf.beginPath()
    for r, cells in enumerate(matrix):
        top = y + size - (r + 1) * module
        c = 0
        while c < n:
            if cells[c]:
                start = c
                while c < n and cells[c]:
                    c += 1
                path.rect(x + start * module, top, (c - start) * module, module)
            else:
                c += 1
    pdf.setFillColor(black)
    pdf.drawPath(path, fill=1, stroke=0)


def _cut_lines(pdf: canvas.Canvas, layout: Layout, cell_w: float, cell_h: float, *,
               rows_used: int) -> None:
    """Dashed lines around and between the slips of the rows used."""
    width, height = A4
    left, right = layout.margin, width - layout.margin
    top = height - layout.margin
    bottom = top - rows_used * cell_h
    pdf.saveState()
    pdf.setStrokeColor(CUT)
    pdf.setLineWidth(0.5)
    pdf.setDash(4, 3)
    for k in range(layout.columns + 1):
        x = left + k * cell_w
        pdf.line(x, bottom, x, top)
    for k in range(rows_used + 1):
        y = top - k * cell_h
        pdf.line(left, y, right, y)
    pdf.restoreState()


def wrap(text: str, font: str, size: float, width: float, *, max_lines: int) -> list[str]:
    """Break text into lines no wider than ``width``, character by character
    (Chinese has no spaces to break at); an overlong last line ends in '…'."""
    lines, line = [], ""
    for ch in text:
        if pdfmetrics.stringWidth(line + ch, font, size) > width and line:
            lines.append(line)
            line = ch.lstrip()
        else:
            line += ch
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _fit(lines[-1] + "…", font, size, width)
    return lines


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` shortened with '…' until it fits."""
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def codes_csv(codes: Sequence[str], *, group: str, base_url: str) -> bytes:
    """The codes with their group and slip URL, one per row: UTF-8 with a
    BOM, so Excel opens it with its Chinese intact."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "group", "url"])
    for code in codes:
        writer.writerow([code, group, slip_url(base_url, code)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
