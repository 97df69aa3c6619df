"""Built-in tally exports, and the small protocol every exporter follows.

JSON and CSV are written here; the XLSX and PDF layouts live in
:mod:`surveyapp.exports`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

from .domain.model import BLANK, RoundSpec
from .domain.rules import pooled_counts
from .domain.tally import present
from .exports.pdf import export_pdf
from .exports.xlsx import export_xlsx


@dataclass(frozen=True)
class Exporter:
    """``export(result, spec) -> bytes`` where ``result`` is the exact tally
    (Fractions; see :func:`surveyapp.results.tally_round`)."""

    name: str
    media_type: str
    extension: str
    export: Callable[[dict, RoundSpec], bytes]
    label: str = ""

    @property
    def is_binary(self) -> bool:
        """Not text a terminal could show (the CLI refuses to print it)."""
        media = self.media_type.split(";")[0].strip()
        return not (media.startswith("text/") or media == "application/json"
                    or media.endswith(("+json", "+xml")))


def export_json(result: dict, spec: RoundSpec) -> bytes:
    return (json.dumps(present(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_csv(result: dict, spec: RoundSpec) -> bytes:
    """One row per subject in rank order, with per-group ballots and scores
    and the counts of each grade over all groups.  UTF-8 with a BOM, so Excel
    shows the Chinese correctly."""
    shown = present(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    option_keys = [o.key for o in spec.options]
    header = ["rank", "key", "name", "unit", "score", "proposal", "flags"]
    for g in spec.groups:
        header += [f"{g.key}:ballots", f"{g.key}:score"]
    header += [*option_keys, BLANK]
    writer.writerow(header)
    for subject in shown["subjects"]:
        row = [_cell(subject["rank"]), _text(subject["key"]), _text(subject["name"]),
               _text(subject["unit"]), _cell(subject["score"]), _cell(subject["proposal"]),
               " ".join(subject["flags"])]
        for g in spec.groups:
            breakdown = subject["groups"].get(g.key, {})
            row += [_cell(breakdown.get("ballots")), _cell(breakdown.get("score"))]
        pooled = pooled_counts(subject)
        row += [_cell(pooled.get(k) if pooled else None) for k in [*option_keys, BLANK]]
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: str) -> str:
    """Imported names and units as plain text: Excel would run a cell that
    starts with =, +, - or @ as a formula, so such a cell gets a leading '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(value) -> str:
    return "" if value is None else str(value)


BUILTIN = [
    Exporter("json", "application/json", "json", export_json, "JSON"),
    Exporter("csv", "text/csv; charset=utf-8", "csv", export_csv, "CSV"),
    Exporter("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "xlsx", export_xlsx, "Excel"),
    Exporter("pdf", "application/pdf", "pdf", export_pdf, "PDF"),
]
