"""One ballot as the rows that store it: the single step every ballot write
goes through, whether it came from the web, was typed in from paper or was
imported from a paper-ballot file."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ...domain import codes

#: ``(subject_id, criterion_id) -> option_id``, None for a blank.
AnswerIds = Mapping[tuple[int, int], int | None]


def new_id() -> str:
    """A ballot's or comment's id: random, so it says nothing about arrival order."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class BallotRows:
    ballot: dict
    answers: list[dict]
    comment: dict | None
    #: The receipt shown to the voter (web ballots only); only its hash is stored.
    receipt: str | None


def ballot_rows(round_id: int, group_id: int, answers: AnswerIds, *, channel: str,
                day: dt.date, comment: str = "", receipt: bool = False) -> BallotRows:
    """The rows of one ballot.  Every subject on the ballot has an answer row
    for each criterion (a NULL option is a blank), which is what counting's
    single GROUP BY relies on (see :func:`complete`).  A comment is stored
    beside the ballot, not linked to it."""
    ballot_id = new_id()
    plain_receipt = codes.new_code() if receipt else None
    comment = comment.strip()
    return BallotRows(
        ballot={"id": ballot_id, "round_id": round_id, "group_id": group_id,
                "channel": channel, "received_on": day,
                "receipt_hash": codes.code_hash(plain_receipt) if plain_receipt else None},
        answers=[{"ballot_id": ballot_id, "subject_id": s, "criterion_id": c, "option_id": o}
                 for (s, c), o in answers.items()],
        comment={"id": new_id(), "round_id": round_id, "text": comment} if comment else None,
        receipt=plain_receipt)


def complete(answers: Mapping[tuple[int, int], int | None],
             criterion_ids: Iterable[int]) -> dict[tuple[int, int], int | None]:
    """``answers`` with a blank for every criterion of a subject it names
    but leaves out (a paper ballot may skip a cell)."""
    criteria = list(criterion_ids)
    subjects = dict.fromkeys(s for s, _ in answers)
    return {(s, c): answers.get((s, c)) for s in subjects for c in criteria}
