"""Storing paper ballots (parsed and checked by :mod:`surveyapp.domain.paper`)."""

from __future__ import annotations

from sqlalchemy import insert

from ... import plugins
from ...domain.model import SpecError, SpecErrors
from ...domain.paper import PaperBallot
from ...extensions import db
from ...models import Answer, Ballot, Round, today
from ..rounds import RoundError, audit, round_spec
from .cast import new_id


def check_with_plugins(round_: Round, ballots: list[PaperBallot], source: str) -> None:
    """The same ballot rules as on the web (e.g. a per-ballot cap on 优秀);
    a paper ballot breaking one stops the import, naming its line."""
    spec = round_spec(round_)
    errors = [SpecError(message, source=source, line=paper.line,
                        field=f"ballot {paper.label}" + (f" {subject}" if subject else ""))
              for paper in ballots
              for subject, message in plugins.validate_ballot(spec, paper.answers)]
    if errors:
        raise SpecErrors(errors)


def import_paper_ballots(round_: Round, ballots: list[PaperBallot], *, actor: str,
                         source: str) -> int:
    """Insert every ballot in one transaction, or none.

    A subject on a paper ballot gets a row for every criterion, blanks
    included, which is what the tally's single GROUP BY relies on.
    """
    if round_.status != "open":
        raise RoundError(f"round {round_.slug} is {round_.status}; "
                         "paper ballots are entered while it is open")
    check_with_plugins(round_, ballots, source)
    groups = {g.key: g.id for g in round_.groups}
    subjects = {s.key: s.id for s in round_.subjects}
    criteria = {c.key: c.id for c in round_.criteria}
    options = {o.key: o.id for o in round_.options}
    ballot_rows, answer_rows = [], []
    for paper in ballots:
        ballot_id = new_id()
        ballot_rows.append({"id": ballot_id, "round_id": round_.id, "channel": "paper",
                            "group_id": groups[paper.group], "received_on": today()})
        for subject in dict.fromkeys(s for s, _ in paper.answers):
            for criterion, criterion_id in criteria.items():
                option = paper.answers.get((subject, criterion))
                answer_rows.append({"ballot_id": ballot_id, "subject_id": subjects[subject],
                                    "criterion_id": criterion_id,
                                    "option_id": options[option] if option else None})
    try:
        if ballot_rows:
            db.session.execute(insert(Ballot), ballot_rows)
        if answer_rows:
            db.session.execute(insert(Answer), answer_rows)
        audit("ballots.import", actor, round_, f"{len(ballot_rows)} paper ballots from {source}")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return len(ballot_rows)
