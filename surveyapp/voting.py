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

from sqlalchemy import exists, insert, select, update

from .domain import codes
from .extensions import db
from .models import Answer, Ballot, Comment, Round, VoterCode, VoterGroup, today


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
class CodeCheck:
    code: str
    round: Round
    group: VoterGroup


def round_state_error(round_: Round) -> VotingError | None:
    if round_.status == "draft":
        return VotingError("not_open")
    if round_.status != "open":
        return VotingError("closed")
    return None


def check_code(typed: str) -> CodeCheck:
    """Find the round and group a code belongs to, or raise VotingError."""
    code = codes.normalise(typed)
    if code is None:
        raise VotingError("bad_code")
    row = db.session.scalar(select(VoterCode).where(VoterCode.code_hash == codes.code_hash(code)))
    if row is None:
        raise VotingError("unknown_code")
    if row.status == "used":
        raise VotingError("used_code")
    if row.status == "void":
        raise VotingError("void_code")
    round_ = db.session.get(Round, row.round_id)
    if error := round_state_error(round_):
        raise error
    return CodeCheck(code, round_, db.session.get(VoterGroup, row.group_id))


def new_id() -> str:
    return secrets.token_hex(16)


def cast(round_: Round, group: VoterGroup, answers: dict[tuple[int, int], int | None], *,
         code: str | None = None, channel: str = "web", comment: str | None = None) -> str:
    """Store one ballot and return its receipt.

    ``answers`` maps ``(subject_id, criterion_id)`` to an option id, or None
    for a blank.  With ``code`` the code is spent in the same transaction;
    a code spent meanwhile, or a round closed meanwhile, raises VotingError
    and stores nothing.  A comment is stored beside, not linked to, the ballot.
    """
    round_open = exists().where(Round.id == round_.id, Round.status == "open")
    try:
        # The session's own connection and transaction, without the ORM's
        # statement machinery (about a third cheaper for a ballot's rows; the
        # commit below expires whatever the session had loaded).
        connection = db.session.connection()
        if connection.dialect.name != "sqlite":
            # Hold the round row in share mode until commit: a close waits for
            # this ballot, and a close under way makes this wait, then refuse.
            # Without it, under READ COMMITTED a ballot checked before a close
            # could commit after it.  SQLite serialises all writers anyway.
            connection.execute(select(Round.id).where(Round.id == round_.id)
                               .with_for_update(read=True))
        if code is not None:
            spent = connection.execute(
                update(VoterCode)
                .where(VoterCode.code_hash == codes.code_hash(code),
                       VoterCode.round_id == round_.id,
                       VoterCode.status == "issued", round_open)
                .values(status="used", used_on=today()))
            if spent.rowcount != 1:
                raise _why_refused(round_, code)
        elif not connection.scalar(select(round_open)):
            raise round_state_error(db.session.get(Round, round_.id)) or VotingError("closed")
        receipt = codes.new_code()
        ballot_id = new_id()
        connection.execute(insert(Ballot).values(
            id=ballot_id, round_id=round_.id, group_id=group.id, channel=channel,
            received_on=today(), receipt_hash=codes.code_hash(receipt)))
        if answers:
            connection.execute(insert(Answer), [
                {"ballot_id": ballot_id, "subject_id": s, "criterion_id": c, "option_id": o}
                for (s, c), o in answers.items()])
        if comment and comment.strip():
            connection.execute(insert(Comment).values(
                id=new_id(), round_id=round_.id, text=comment.strip()))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return receipt


def _why_refused(round_: Round, code: str) -> VotingError:
    db.session.rollback()
    db.session.expire_all()
    try:
        check_code(code)
    except VotingError as error:
        return error
    return VotingError("used_code")  # lost a race that has since settled
