"""One ballot as the rows that store it: the single step every ballot write
goes through, whether it came from the web, was typed in from paper or was
imported from a paper-ballot file.

A round with a key stores a ballot only sealed (domain/ballot_box/sealing.py):
one row holding its ciphertexts and proofs, its tracker and its comment
encrypted to the round's key; no answer, no comment ever reaches the
database in plaintext.  A round opened before ballots were encrypted keeps
storing them as it began: an answer row per cell, the comment apart.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from ...domain import codes
from ...domain.ballot_box import sealing
from ...domain.model import commitment_key
from .structure import GroupView, RoundStructure

#: ``(subject_key, criterion_key) -> option_key``, None for a blank.
Keyed = Mapping[tuple[str, str], str | None]


def new_id() -> str:
    """A ballot's or comment's id: random, so it says nothing about arrival order."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class BallotRows:
    ballot: dict
    answers: list[dict]
    comment: dict | None
    #: What the voter keeps: the tracker's first characters (sealed rounds)
    #: or a random code whose hash is stored (plain rounds).
    receipt: str


def ballot_rows(round_: RoundStructure, group: GroupView, keyed: Keyed, *, channel: str,
                day: dt.date, comment: str = "") -> BallotRows:
    """The rows of one ballot.  A subject the ballot names has every
    criterion answered or blank (an unmarked item is 弃权); a subject it
    does not name at all is not on it (a paper ballot's choice, and
    "ballots that include the subject" count only the others)."""
    rated = {subject.key for _, subject in round_.subjects_of(group.key)}
    if stray := {s for s, _ in keyed} - rated:
        # Every way in offers only the group's subjects (评价关系); this is a bug.
        raise ValueError(f"a ballot of group {group.key!r} names subjects it does not rate: "
                         f"{sorted(stray)}")
    answers = complete(round_, keyed)
    comment = comment.strip()
    ballot = {"id": new_id(), "round_id": round_.id, "group_id": group.id, "channel": channel,
              "received_on": day, "receipt_hash": None, "tracker": None, "sealed": None,
              "sealed_comment": None}
    if round_.lock is not None:
        kit = round_.kits.take() if round_.kits is not None else None
        sealed = sealing.seal(round_.lock, answers, kit)
        tracker = sealing.tracker(sealed)
        # Every ballot has a comment, empty or not: none shows by its absence.
        ballot |= {"tracker": tracker, "sealed": sealed,
                   "sealed_comment": sealing.seal_comment(round_.lock, comment, tracker)}
        return BallotRows(ballot, [], None, sealing.receipt(tracker))
    receipt = codes.new_code()
    ballot["receipt_hash"] = codes.code_hash(receipt)
    subjects = {s.key: s.id for s in round_.subjects}
    criteria = {c.key: c.id for c in round_.criteria}
    # (A round of plain ballots predates commitments: it has none to store.)
    rows = [{"ballot_id": ballot["id"], "subject_id": subjects[s], "criterion_id": criteria[c],
             "option_id": None if o is None else round_.option_ids[o]}
            for (s, c), o in answers.items() if o != sealing.ABSENT and c in criteria]
    return BallotRows(ballot, rows, {"id": new_id(), "round_id": round_.id, "text": comment}
                      if comment else None, receipt)


def complete(round_: RoundStructure, keyed: Keyed) -> dict[tuple[str, str], str | None]:
    """Every cell of the round, in ballot order: the ballot's answer, None
    (a blank) for a criterion or commitment item it leaves empty, or
    ``sealing.ABSENT`` for every cell of a subject it does not name.  The
    commitment items' cells come after every subject × criterion cell, as
    in the round's layout."""
    named = {s for s, _ in keyed}
    cells = [(s.key, c.key) for s in round_.subjects for c in round_.criteria]
    cells += [(s.key, commitment_key(i)) for s in round_.subjects
              for i in range(len(s.commitments))]
    return {(s, c): keyed.get((s, c)) if s in named else sealing.ABSENT for s, c in cells}
