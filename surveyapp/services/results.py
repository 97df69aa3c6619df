"""Results: a counted round's result as shown, the tally JSON and the exports.

Counting decided what may be shown and kept it (services/disclosure.py);
everything here reads that.  A round counted before counting kept its
result has it worked out again from its counts, through the same
disclosure control.  Results exist only once a round is counted
(domain/lifecycle.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import plugins
from ..database import db
from ..domain import lifecycle
from ..domain.model import RoundSpec
from ..domain.tally import present
from ..models import Round
from . import audit, comments, decisions, disclosure
from .counting import load_counts, not_counted_error
from .errors import RoundError
from .rounds import round_spec


@dataclass(frozen=True)
class Results:
    """A counted round's spec and its result as shown (exact Fractions,
    already rounded to what is displayed; ``present`` makes them floats)."""

    spec: RoundSpec
    exact: dict


def check_ready(round_: Round) -> None:
    """RoundError unless the round has results: closed, then counted."""
    if lifecycle.awaits_count(round_.status):
        raise not_counted_error(round_)
    if not lifecycle.shows_results(round_.status):
        raise RoundError("round %(slug)s is %(status)s; results are shown only after it closes",
                         slug=round_.slug, status=round_.status)


def results(round_: Round) -> Results:
    """The round's results, its spec built once; RoundError before it is counted."""
    check_ready(round_)
    spec = round_spec(round_)
    return Results(spec, _shown(round_, spec))


def shown_result(round_: Round) -> dict:
    """The round's result as shown (exact), like ``results(round_).exact``
    but without building its spec when counting kept the result (a campaign
    reads hundreds); RoundError before it is counted."""
    check_ready(round_)
    return _shown(round_, None)


def _shown(round_: Round, spec: RoundSpec | None) -> dict:
    if round_.result_json is not None:
        shown = disclosure.decode(round_.result_json)
        shown.pop("checks", None)  # the board's (services/board.py)
    else:
        shown = disclosure.decide(spec or round_spec(round_), *load_counts(round_)).result
    return {"round": {"slug": round_.slug, "title": round_.title, "status": round_.status},
            **shown}


def tally_round(round_: Round) -> dict:
    """The result as shown (Fractions) with the plugins' scores, proposals
    and flags, and the round's identity on top."""
    return results(round_).exact


def tally_json(round_: Round) -> dict:
    """The tally JSON contract: scores rounded to two places for display."""
    return present(tally_round(round_))


def exporter(fmt: str):
    """The exporter registered for ``fmt``, or RoundError listing those there are."""
    available = plugins.exporters()
    if fmt not in available:
        raise RoundError("unknown format %(fmt)s; choose one of: %(known)s", fmt=repr(fmt),
                         known=", ".join(sorted(available)))
    return available[fmt]


def export(round_: Round, fmt: str, *, actor: str) -> bytes:
    """The round's results in ``fmt`` (json, csv, xlsx, pdf or a plugin's),
    recorded in the audit log."""
    found = results(round_)
    data = exporter(fmt).run(found.exact, found.spec, comments.for_export(round_),
                             decisions.recorded(round_))
    audit.record("results.export", actor, round_, f"format={fmt}")
    db.session.commit()
    return data
