"""What each 监票人 takes home at open: their share of the round's key, as a
text file (``surveyapp rounds open --shares-dir``) or a printed key slip (the
console).  Made once, from shares in memory; never stored by surveyapp."""

from __future__ import annotations

import io
from collections.abc import Sequence

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from ..domain.ballot_box.keys import Share, share_text
from .slips import CJK_FONT, MUTED, draw_qr, register_fonts, wrap

INSTRUCTION = ("请妥善保管本密钥，不要拍照、转发或交给他人。评议结束后，需要 {threshold} 位监票人"
               "同时在场输入各自的密钥，才能开箱计票；系统不保存任何一份密钥，遗失无法补发。")


def share_file(share: Share, *, title: str, slug: str, name: str, threshold: int,
               count: int) -> str:
    """A trustee's key file: who and which round, what to do, and the share."""
    return (f"surveyapp 监票人密钥 / trustee key share\n"
            f"round: {title} ({slug})\n"
            f"trustee: {share.index} of {count}, {name}\n"
            f"threshold: {threshold} of {count} trustees open the ballot box together\n"
            f"{INSTRUCTION.format(threshold=threshold)}\n"
            f"count with: surveyapp rounds count {slug} --share FILE ...\n"
            f"share: {share_text(share)}\n")


def key_slips_pdf(shares: Sequence[Share], names: Sequence[str], *, title: str,
                  threshold: int, count: int) -> bytes:
    """One A4 page per trustee: the round, their name, a QR code of the share
    and the share in large type, to print and keep."""
    register_fonts()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    pdf.setTitle(title)
    width, height = A4
    for share, name in zip(shares, names, strict=True):
        top = height - 25 * mm
        pdf.setFont(CJK_FONT, 16)
        for line in wrap(title, CJK_FONT, 16, width - 40 * mm, max_lines=2):
            pdf.drawCentredString(width / 2, top, line)
            top -= 20
        pdf.setFont(CJK_FONT, 13)
        # Ideographic spaces: STSong-Light has no glyph for "·".
        pdf.drawCentredString(width / 2, top - 6,
                              f"监票人密钥\u3000第 {share.index}/{count} 位\u3000{name}")
        size = 70 * mm
        draw_qr(pdf, share_text(share), (width - size) / 2, top - 20 - size, size)
        y = top - 30 - size
        pdf.setFont("Courier-Bold", 11)
        text = share_text(share)
        for start in range(0, len(text), 40):
            y -= 16
            pdf.drawCentredString(width / 2, y, text[start:start + 40])
        pdf.setFont(CJK_FONT, 10)
        pdf.setFillColor(MUTED)
        y -= 24
        for line in wrap(INSTRUCTION.format(threshold=threshold), CJK_FONT, 10, width - 40 * mm,
                         max_lines=4):
            pdf.drawCentredString(width / 2, y, line)
            y -= 14
        pdf.setFillColorRGB(0, 0, 0)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def share_qr_svg(share: Share) -> Markup:
    """The share as an inline SVG QR code, for the console's one-time page."""
    image = qrcode.make(share_text(share), image_factory=qrcode.image.svg.SvgPathImage,
                        border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    svg = image.to_string(encoding="unicode")
    return Markup(svg.replace("<svg ", '<svg class="key-qr" role="img" aria-label="QR" ', 1))
