"""The tally as JSON (the contract) and as a CSV table, one row per subject."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

from ..domain.model import BLANK, RoundSpec
from ..domain.rules import pooled_counts, rate, rate_rules
from ..domain.tally import _round, present


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
    reported = rate_rules(spec.rules.get("reported_rates") or [], "reported_rates")
    for label, _options in reported:
        header += [f"{label} (graded answers)", f"{label} (ballots cast)"]
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
        for _label, options in reported:
            found = rate(pooled, options, spec)
            row += ["", ""] if found is None else [
                _ratio(found.chosen, found.graded), _ratio(found.chosen, found.cast)]
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: str) -> str:
    """Imported names and units as plain text: Excel would run a cell that
    starts with =, +, - or @ as a formula, so such a cell gets a leading '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _ratio(part: int, whole: int) -> str:
    """"36/38 (94.74%)": a rate always with its denominator."""
    if not whole:
        return ""
    return f"{part}/{whole} ({_round(Fraction(part * 100, whole), 2):.2f}%)"


def _cell(value) -> str:
    return "" if value is None else str(value)
