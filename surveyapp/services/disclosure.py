"""Disclosure control for a round: the plugins' tally run through the
domain auditor (domain/disclosure.py), and the shown result kept as JSON.

Counting decides once what may be shown and keeps only that
(``Round.result_json``); every results page, export, 公示 and board reads
it, so nothing shown anywhere says more than the auditor allowed.
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from .. import plugins
from ..domain import disclosure
from ..domain.model import Counts, RoundSpec
from ..domain.tally import tally


def decide(spec: RoundSpec, counts: Counts, web: Counts | None) -> disclosure.Disclosed:
    """What may be shown of a round with these counts (``web``: the web
    ballots' own, for the threshold)."""
    return disclosure.disclose(spec, counts, web, plugins.tally)


def score_rules(spec: RoundSpec, counts: Counts, shown: disclosure.Disclosed) -> dict[str, str]:
    """Per subject whose score is shown: "mean" when it is the tally's
    group-weighted mean (a verifier can recompute it), "plugin" when a
    plugin's rule made it.  The bulletin board says which."""
    plain = {s["key"]: s["score"] for s in tally(spec, counts, hidden=shown.hidden)["subjects"]}
    return {s["key"]: "mean" if s["score"] == plain.get(s["key"]) else "plugin"
            for s in shown.exact["subjects"] if s["score"] is not None}


def encode(result: dict) -> str:
    """The shown result as JSON, its exact (rounded) figures as fractions."""
    return json.dumps(_out(result), ensure_ascii=False)


def decode(text: str) -> dict:
    # The fractions come back as the parser meets them: one pass, no second
    # walk over the result (a campaign page decodes hundreds of them).
    return json.loads(text, object_hook=_fraction_or_dict)


def _fraction_or_dict(value: dict) -> Any:
    if len(value) == 1 and _FRACTION in value:
        # str(Fraction) is "n" or "n/d": split rather than Fraction's regex.
        numerator, _, denominator = value[_FRACTION].partition("/")
        return Fraction(int(numerator), int(denominator or 1))
    return value


_FRACTION = "__fraction__"


def _out(value: Any) -> Any:
    if isinstance(value, Fraction):
        return {_FRACTION: str(value)}
    if isinstance(value, dict):
        return {k: _out(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_out(v) for v in value]
    return value
