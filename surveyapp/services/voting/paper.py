"""Paper ballots: typed in from a sheet one at a time, or imported from a
paper-ballot CSV (checked by :mod:`surveyapp.domain.paper`) all or nothing.

Both are checked by the same ballot rules as on the web (:func:`problems`)
and stored by the same statements (:func:`.casting.store`), with the channel
"paper" and no code.  The audit log records who entered paper ballots for
which group, never what they said.
"""

from __future__ import annotations

from ... import plugins
from ...domain import lifecycle
from ...domain.model import COMMITMENT_PREFIX, RoundSpec, SpecError, SpecErrors
from ...domain.paper import PaperBallot, parse_paper_ballots
from ...domain.tables import check_size, decode_text
from ...exports.paper_sheet import paper_sheet_pdf
from ...models import Round, today
from .. import audit
from ..errors import RoundError
from ..rounds import group_by_key, round_spec
from .casting import cast, record_spoiled, store
from .rows import Keyed, ballot_rows
from .structure import structure_of


def problems(spec: RoundSpec, keyed: Keyed,
             group: str | None = None) -> list[tuple[str | None, str]]:
    """What the plugins' ballot rules (e.g. at most 1/3 优秀) say about one
    complete ballot of ``group``: ``(subject_key or None, message)`` pairs,
    none if it may be stored.  The same rules for web and paper ballots.
    The rules see the round's own criteria only: commitment items (承诺兑现)
    are on a scale of their own that no rule is about."""
    graded = {cell: option for cell, option in keyed.items()
              if not cell[1].startswith(COMMITMENT_PREFIX)}
    return plugins.validate_ballot(spec, graded, group)


def _check_open(round_: Round) -> None:
    if not lifecycle.accepts_ballots(round_.status):
        raise RoundError("round %(slug)s is %(status)s; paper ballots are entered while it is "
                         "open", slug=round_.slug, status=round_.status)


def enter_paper_ballot(round_: Round, group_key: str, keyed: Keyed, *,
                       actor: str) -> list[tuple[str | None, str]]:
    """Store one typed-in paper ballot, or return the rules' problems with it
    (storing nothing)."""
    _check_open(round_)
    structure = structure_of(round_)
    group = structure.group(group_by_key(round_, group_key).id)
    found = problems(structure.spec, keyed, group.key)
    if found:
        return found
    cast(structure, group, keyed, channel="paper", before_commit=lambda: audit.record(
        "ballots.paper_entry", actor, round_, f"group={group.key}"))
    return []


def spoil_paper_ballot(round_: Round, group_key: str, *, actor: str) -> None:
    """Record one paper ballot of a group as 废票: one that breaks the ballot
    rules (e.g. more 优秀 than allowed) or cannot be read.  Only the count
    per group is kept; the results report it beside the valid ballots."""
    _check_open(round_)
    group = group_by_key(round_, group_key)
    record_spoiled(round_.id, group.id, before_commit=lambda: audit.record(
        "ballots.paper_spoiled", actor, round_, f"group={group.key}"))


def paper_sheet(round_: Round, group_key: str | None = None) -> bytes:
    """The printable 测评表 (PDF) of a round, for a voter group if given
    (RoundError for a group the round does not have)."""
    group = group_by_key(round_, group_key) if group_key else None
    return paper_sheet_pdf(round_spec(round_), group_label=group.label if group else None)


def import_paper_ballots(round_: Round, data: bytes, *, source: str, actor: str) -> int:
    """Check a whole paper-ballot CSV (bytes as uploaded) and store every
    ballot in one transaction; raise SpecErrors naming each line that is
    wrong, storing nothing."""
    _check_open(round_)
    check_size(len(data), source)
    structure = structure_of(round_)
    ballots = parse_paper_ballots(decode_text(data, source), structure.spec, source=source)
    _check_rules(structure.spec, ballots, source)
    groups = {g.key: g for g in structure.groups}
    day = today()
    rows = [ballot_rows(structure, groups[paper.group], paper.answers, channel="paper", day=day)
            for paper in ballots]
    store(round_.id, rows, before_commit=lambda: audit.record(
        "ballots.import", actor, round_, f"{len(rows)} paper ballots from {source}"))
    return len(rows)


def _check_rules(spec: RoundSpec, ballots: list[PaperBallot], source: str) -> None:
    """The web's ballot rules; a paper ballot breaking one stops the import,
    naming its line."""
    errors = [SpecError(message, source=source, line=paper.line,
                        field=f"ballot {paper.label}" + (f" {subject}" if subject else ""))
              for paper in ballots
              for subject, message in problems(spec, paper.answers, paper.group)]
    if errors:
        raise SpecErrors(errors)
