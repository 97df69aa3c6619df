"""Benchmark: print QR slips for a large issue, against baselines from the same run.

Times, for ``--codes`` codes (default 1,000, the most the console issues at once):

* the floor: the same A4 pages with the text of every slip but no QR code
  (what any slip sheet must at least cost);
* ``slips.slips_pdf``: the real slips, each QR drawn as one filled path;
* the obvious alternative: reportlab's own ``QrCodeWidget`` drawn into the
  same slots, for comparison.

Target: the real slips within 40 ms per code, so the console's largest
issue (1,000 codes) prints well inside the server's 60 s request timeout.
Most of the time goes into choosing each QR code's mask pattern by the
standard's penalty rules, which is kept for the sake of scanning.
Usage: ``.venv/bin/python bench/slips.py [--codes N]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.graphics import renderPDF  # noqa: E402
from reportlab.graphics.barcode.qr import QrCodeWidget  # noqa: E402
from reportlab.graphics.shapes import Drawing  # noqa: E402

from surveyapp import slips  # noqa: E402
from surveyapp.domain.codes import new_code  # noqa: E402

TARGET_MS_PER_CODE = 40
TITLE = "2026年度民主评议党员（第一党总支）"
BASE = "https://vote.example.com"


def no_qr(pdf, data, x, y, size):
    pass


def widget_qr(pdf, data, x, y, size):
    widget = QrCodeWidget(data, barLevel="M", barBorder=0)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)


def timed(codes: list[str], draw) -> tuple[float, int]:
    original = slips.draw_qr
    slips.draw_qr = draw
    try:
        start = time.perf_counter()
        data = slips.slips_pdf(codes, title=TITLE, base_url=BASE, group="群众评议")
        return time.perf_counter() - start, len(data)
    finally:
        slips.draw_qr = original


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--codes", type=int, default=1000)
    args = parser.parse_args()
    codes = [new_code() for _ in range(args.codes)]
    floor, floor_size = timed(codes, no_qr)
    real, real_size = timed(codes, slips.draw_qr)
    widget, widget_size = timed(codes, widget_qr)
    n = len(codes)
    pages = -(-n // slips.Layout().per_page)
    print(f"{n} codes, {pages} A4 pages")
    for name, seconds, size in (("text only (floor)", floor, floor_size),
                                ("slips_pdf", real, real_size),
                                ("reportlab QrCodeWidget", widget, widget_size)):
        print(f"  {name:24} {seconds:7.2f} s  {1000 * seconds / n:6.1f} ms/code  "
              f"{size / 1024:8.0f} KiB")
    per_code = 1000 * real / n
    print(f"slips_pdf: {real / floor:.1f}× the floor, {widget / real:.1f}× faster than the "
          f"widget; target ≤ {TARGET_MS_PER_CODE} ms/code: "
          f"{'met' if per_code <= TARGET_MS_PER_CODE else 'MISSED'}")
    return 0 if per_code <= TARGET_MS_PER_CODE else 1


if __name__ == "__main__":
    sys.exit(main())
