"""Server-side SVG charts for the results pages: no chart library, no
script.  Each chart is inline ``<svg>`` markup with a ``viewBox`` and
``width="100%"``, so it scales down to a 360 px phone and prints crisply.
Every text comes through :func:`markupsafe.escape` (names and labels are
user input); colours are presentation attributes, not ``style=`` (the CSP
forbids inline styles).

The charts draw :class:`surveyapp.exports.summary.Row` objects, so a
suppressed subject is drawn as a note, never as a bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from markupsafe import Markup, escape

from ..domain.model import BLANK
from ..domain.tally import present
from .summary import Row

WIDTH = 360
LABEL_W = 92          # names on the left
BAR_X = LABEL_W + 4
ROW_H = 22
BAR_H = 14
FONT = 11
#: Graded options from best to worst, then abstention and blank greys.
PALETTE = ("#1a7f37", "#4ac26b", "#d4a72c", "#e16f24", "#b3261e", "#8250df", "#0969da")
ABSTAIN = "#8c959f"
BLANK_FILL = "#d0d7de"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _short(name: str, limit: int = 7) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _frame(chart_id: str, title: str, height: float, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" width="100%" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title" font-family="system-ui, sans-serif" '
        f'font-size="{FONT}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        + "".join(body) + "</svg>")


def _name(y: float, row: Row) -> str:
    return (f'<text x="{LABEL_W}" y="{_num(y + BAR_H - 3)}" text-anchor="end">'
            f'<title>{escape(row.name)}</title>{escape(_short(row.name))}</text>')


def colours(options: Sequence[tuple[str, str, bool]]) -> dict[str, str]:
    """Fill per option key; ``options`` are ``(key, label, is_abstention)``."""
    fills, graded = {}, 0
    for key, _, abstains in options:
        if key == BLANK:
            fills[key] = BLANK_FILL
        elif abstains:
            fills[key] = ABSTAIN
        else:
            fills[key] = PALETTE[graded % len(PALETTE)]
            graded += 1
    return fills


def grade_distribution(rows: Sequence[Row], options: Sequence[tuple[str, str, bool]], *,
                       title: str, hidden_text: str, chart_id: str = "grades") -> Markup:
    """One stacked bar per subject: the share of each grade, blanks and
    abstentions included (the same denominator as the table)."""
    fills = colours(options)
    body, x, y = [], 0.0, 4.0
    for key, label, _ in options:       # the legend wraps across lines
        width = 16 + FONT * (len(label) + 1)
        if x + width > WIDTH:
            x, y = 0.0, y + 16
        body.append(f'<rect x="{_num(x)}" y="{_num(y)}" width="10" height="10" '
                    f'fill="{fills[key]}"/><text x="{_num(x + 13)}" y="{_num(y + 9)}">'
                    f'{escape(label)}</text>')
        x += width
    y += 22
    span = WIDTH - BAR_X - 2
    for row in rows:
        body.append(_name(y, row))
        if row.shares is None:
            body.append(f'<text x="{BAR_X}" y="{_num(y + BAR_H - 3)}" fill="#57606a">'
                        f'{escape(hidden_text)}</text>')
        else:
            left = Fraction(0)
            for key, label, _ in options:
                share = row.shares.get(key, Fraction(0))
                if share:
                    pct = present(share * 100, 1)
                    body.append(
                        f'<rect x="{_num(BAR_X + float(left) * span)}" y="{_num(y)}" '
                        f'width="{_num(float(share) * span)}" height="{BAR_H}" '
                        f'fill="{fills[key]}"><title>{escape(row.name)} · {escape(label)} '
                        f'{row.counts.get(key, 0)} ({pct}%)</title></rect>')
                left += share
        y += ROW_H
    return _frame(chart_id, title, y + 2, body)


def score_ranking(rows: Sequence[Row], *, title: str, top: Fraction | None,
                  chart_id: str = "ranking", floor: Fraction | None = None,
                  floor_label: str = "") -> Markup:
    """A horizontal bar per scored subject, best first, the score written
    at the bar's end; bars are to scale with ``top`` (the scale's best
    points) so 80 of 100 looks like 80%, not like the maximum.  ``floor``
    draws a campaign standard's score as a dashed line across the bars.
    ``rows`` need only ``name``, ``score`` and ``rank``."""
    scored = sorted((r for r in rows if r.score is not None),
                    key=lambda r: (r.rank or 0))
    ceiling = top or max((r.score for r in scored), default=Fraction(1)) or Fraction(1)
    span = WIDTH - BAR_X - 44   # room for the number after the bar
    body, y = [], 4.0
    for row in scored:
        length = max(0.0, min(1.0, float(row.score / ceiling))) * span
        body.append(_name(y, row))
        body.append(f'<rect x="{BAR_X}" y="{_num(y)}" width="{_num(length)}" '
                    f'height="{BAR_H}" fill="#b0161e"/>'
                    f'<text x="{_num(BAR_X + length + 4)}" y="{_num(y + BAR_H - 3)}">'
                    f'{present(row.score):.2f}</text>')
        y += ROW_H
    if floor is not None and scored:
        x = BAR_X + max(0.0, min(1.0, float(floor / ceiling))) * span
        body.append(f'<line x1="{_num(x)}" y1="0" x2="{_num(x)}" y2="{_num(y)}" '
                    f'stroke="#0969da" stroke-width="1.5" stroke-dasharray="4 3">'
                    f'<title>{escape(floor_label)} {present(floor):.2f}</title></line>')
    return _frame(chart_id, title, y + 2, body)
