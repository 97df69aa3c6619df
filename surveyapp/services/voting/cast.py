"""Casting ballots: checking a code and storing a ballot.

The heart of the anonymity promise is :func:`cast`: in one transaction the
code is marked used by a conditional UPDATE (which also checks the round is
open) and the ballot is inserted under a fresh random id.  Nothing joins the
two, and if anything fails, both are rolled back: no code is burnt without
its ballot and no ballot is stored without its code.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import bindparam, exists, insert, select, update

from ...domain import codes
from ...extensions import db
from ...models import Answer, Ballot, Comment, Round, VoterCode, today
from .statements import Prepared
from .writers import writer_turn


class VotingError(Exception):
    """Why a code or ballot was refused; ``reason`` picks the page shown."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# reason -> HTTP status.  404 for codes we cannot find, 409 for a state that
# has moved on (used code, closed round), 403 for a round not yet open.
REASONS = {
    "bad_code": 404,
    "unknown_code": 404,
    "used_code": 409,
    "void_code": 410,
    "not_open": 403,
    "closed": 409,
}


@dataclass(frozen=True)
class CodeLookup:
    """A code's row and its round's, as one indexed query finds them."""

    status: str
    group_id: int
    round_id: int
    round_slug: str
    round_status: str


@dataclass(frozen=True)
class CodeCheck:
    """A code that may vote: its round (id, slug) and group id.  The round's
    structure comes from ``ballot.structure``; its status was open when
    checked and is checked again by :func:`cast`."""

    code: str
    round_id: int
    round_slug: str
    group_id: int


def state_error(status: str) -> VotingError | None:
    if status == "draft":
        return VotingError("not_open")
    if status != "open":
        return VotingError("closed")
    return None


def round_state_error(round_: Round) -> VotingError | None:
    return state_error(round_.status)


# Statements built and compiled once, run on the driver's cursor: preparing
# a statement costs more than running it (see prepared.py).
_LOOKUP = Prepared(
    select(VoterCode.status, VoterCode.group_id, VoterCode.round_id, Round.slug, Round.status)
    .join(Round, Round.id == VoterCode.round_id)
    .where(VoterCode.code_hash == bindparam("p_hash")))
_ROUND_IS_OPEN = exists().where(Round.id == bindparam("p_round"), Round.status == "open")
_SPEND = Prepared(
    update(VoterCode)
    .where(VoterCode.code_hash == bindparam("p_hash"),
           VoterCode.round_id == bindparam("p_round"),
           VoterCode.group_id == bindparam("p_group"),
           VoterCode.status == "issued",
           _ROUND_IS_OPEN)
    .values(status="used", used_on=bindparam("p_day")))
_CHECK_OPEN = Prepared(select(_ROUND_IS_OPEN))  # a shared-link ballot spends no code
_INSERT_BALLOT = Prepared(insert(Ballot), keys=["id", "round_id", "group_id", "channel",
                                                  "received_on", "receipt_hash"])
_INSERT_ANSWERS = Prepared(insert(Answer),
                           keys=["ballot_id", "subject_id", "criterion_id", "option_id"])
_INSERT_COMMENT = Prepared(insert(Comment), keys=["id", "round_id", "text"])
_SHARE_ROUND = Prepared(select(Round.id).where(Round.id == bindparam("p_round"))
                        .with_for_update(read=True))


def check_code(typed: str) -> CodeCheck:
    """Find the round and group a code belongs to, or raise VotingError."""
    code = codes.normalise(typed)
    if code is None:
        raise VotingError("bad_code")
    # The code's row joined with its round's: one query on the unique index.
    found = _LOOKUP.execute(db.session.connection(), {"p_hash": codes.code_hash(code)}).fetchone()
    if found is None:
        raise VotingError("unknown_code")
    row = CodeLookup(*found)
    if row.status == "used":
        raise VotingError("used_code")
    if row.status == "void":
        raise VotingError("void_code")
    if error := state_error(row.round_status):
        raise error
    return CodeCheck(code, row.round_id, row.round_slug, row.group_id)


def new_id() -> str:
    return secrets.token_hex(16)


class HasId(Protocol):
    id: int


def cast(round_: HasId, group: HasId, answers: dict[tuple[int, int], int | None], *,
         code: str | None = None, channel: str = "web", comment: str | None = None) -> str:
    """Store one ballot and return its receipt.

    ``round_`` and ``group`` are rows or snapshots (``ballot.structure``):
    only their ids are used, and the round's status is checked here, in SQL.

    ``answers`` maps ``(subject_id, criterion_id)`` to an option id, or None
    for a blank.  With ``code`` the code is spent in the same transaction;
    a code spent meanwhile, or a round closed meanwhile, raises VotingError
    and stores nothing.  A comment is stored beside, not linked to, the ballot.
    """
    receipt, ballot_id, day = codes.new_code(), new_id(), today()
    rows = [{"ballot_id": ballot_id, "subject_id": s, "criterion_id": c, "option_id": o}
            for (s, c), o in answers.items()]
    comment = (comment or "").strip()
    # On SQLite, wait for this ballot's turn to write (see writers.py).
    with writer_turn(db.engine):
        try:
            # The session's own connection and transaction (a paper ballot's
            # audit line commits with it), the statements run on its driver
            # cursor (prepared.py); the commit expires whatever the session
            # had loaded.
            connection = db.session.connection()
            if connection.dialect.name != "sqlite":
                # Hold the round row in share mode until commit: a close waits
                # for this ballot, and a close under way makes this wait, then
                # refuse.  Without it, under READ COMMITTED a ballot checked
                # before a close could commit after it.  SQLite serialises all
                # writers anyway.
                _SHARE_ROUND.execute(connection, {"p_round": round_.id})
            if code is not None:
                spent = _SPEND.execute(connection, {"p_hash": codes.code_hash(code),
                                                    "p_round": round_.id, "p_group": group.id,
                                                    "p_day": day})
                if spent.rowcount != 1:
                    raise _why_refused(round_, group, code)
            elif not _CHECK_OPEN.execute(connection, {"p_round": round_.id}).fetchone()[0]:
                raise (round_state_error(db.session.get(Round, round_.id))
                       or VotingError("closed"))
            _INSERT_BALLOT.execute(connection, {
                "id": ballot_id, "round_id": round_.id, "group_id": group.id,
                "channel": channel, "received_on": day,
                "receipt_hash": codes.code_hash(receipt)})
            if rows:
                _INSERT_ANSWERS.executemany(connection, rows)
            if comment:
                _INSERT_COMMENT.execute(connection, {"id": new_id(), "round_id": round_.id,
                                                     "text": comment})
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
    return receipt


def _why_refused(round_: HasId, group: HasId, code: str) -> VotingError:
    db.session.rollback()
    db.session.expire_all()
    try:
        checked = check_code(code)
    except VotingError as error:
        return error
    if (checked.round_id, checked.group_id) != (round_.id, group.id):
        return VotingError("unknown_code")  # not a code of this round and group
    return VotingError("used_code")  # lost a race that has since settled
