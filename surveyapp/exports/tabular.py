"""The tally as JSON (the contract) and as a CSV table, one row per subject."""

from __future__ import annotations

import csv
import io
import json

from ..domain.model import BLANK, RoundSpec
from ..domain.rules import pooled_counts
from ..domain.tally import present
from . import summary


def export_json(result: dict, spec: RoundSpec) -> bytes:
    return (json.dumps(present(result), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_csv(result: dict, spec: RoundSpec) -> bytes:
    """One row per subject in rank order, with per-group ballots and scores
    and the counts of each grade over all groups, then each group's 发出 /
    收回 / 有效 / 废票 (the same on every row: the table stays one table).
    UTF-8 with a BOM, so Excel shows the Chinese correctly."""
    shown = present(result)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    option_keys = [o.key for o in spec.options]
    header = ["rank", "key", "name", "unit", "score", "proposal", "flags"]
    for g in spec.groups:
        header += [f"{g.key}:ballots", f"{g.key}:score"]
    header += [*option_keys, BLANK]
    sheets = shown.get("sheets") or {}
    sheet_fields = ("issued", "returned", "valid", "spoiled")
    header += [f"{g.key}:{f}" for g in spec.groups for f in sheet_fields]
    header += summary.rate_headers(spec, "en")
    # Only a round with commitments has the column: every other CSV is as it was.
    promised = any(s.commitments for s in spec.subjects)
    if promised:
        header.append("commitment_mean")
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
        row += [_cell(sheets.get(g.key, {}).get(f)) for g in spec.groups for f in sheet_fields]
        row += summary.rate_cells(pooled, spec)
        if promised:
            row.append(_cell(subject.get("commitment_mean")))
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: str) -> str:
    """Imported names and units as plain text: Excel would run a cell that
    starts with =, +, - or @ as a formula, so such a cell gets a leading '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _cell(value) -> str:
    return "" if value is None else str(value)
