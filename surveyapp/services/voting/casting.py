"""Casting ballots: checking a code and storing ballots.

The heart of the anonymity promise is :func:`cast`: in one transaction the
code is marked used by a conditional UPDATE (which also checks the round is
open) and the ballot is inserted under a fresh random id.  Nothing joins the
two, and if anything fails, both are rolled back: no code is burnt without
its ballot and no ballot is stored without its code.  Paper ballots
(:mod:`.paper`) are stored by the same statements, without a code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.engine import Connection

from ...database import db
from ...domain import codes, lifecycle
from ...domain.ballot_box import sealing
from ...models import Answer, Ballot, Comment, Round, VoterCode, VoterGroup, today, utcnow
from ..errors import ServiceError
from .rows import BallotRows, Keyed, ballot_rows
from .statements import Prepared
from .structure import GroupView, RoundStructure
from .writers import writer_turn


class VotingError(ServiceError):
    """Why a code or ballot was refused; ``reason`` picks the voter's page."""

    TEMPLATES = {
        "bad_code": "that is not a voter code",
        "unknown_code": "no such voter code for this round and group",
        "used_code": "this code has been used already",
        "void_code": "this code was voided",
        "not_open": "the round is not open yet",
        "closed": "the round is closed; no more ballots are accepted",
        "not_yet": "voting in this round has not started yet",
        "deadline": "the deadline of this round has passed; no more ballots are accepted",
    }

    def __init__(self, reason: str, *, when=None):
        super().__init__(self.TEMPLATES[reason])
        self.reason = reason
        #: For "not_yet" and "deadline": the round's opens_at or closes_at, stored (UTC).
        self.when = when


# reason -> HTTP status.  404 for codes we cannot find, 409 for a state that
# has moved on (used code, closed round), 403 for a round not yet open.
REASONS = {
    "bad_code": 404,
    "unknown_code": 404,
    "used_code": 409,
    "void_code": 410,
    "not_open": 403,
    "closed": 409,
    "not_yet": 403,
    "deadline": 409,
}


@dataclass(frozen=True)
class CodeCheck:
    """A code that may vote: its round (id, slug) and group id.  The round's
    structure comes from :mod:`.structure`; its status was open when checked
    and is checked again by :func:`cast`."""

    code: str
    round_id: int
    round_slug: str
    group_id: int
    #: A test run's code: its round is a draft, and its ballot is only checked.
    test: bool = False


def refusal(status: str, opens_at=None, closes_at=None) -> VotingError | None:
    """The refusal for a web ballot to a round in ``status`` with these
    deadlines (stored, UTC), if any."""
    reason = lifecycle.ballot_refusal(status)
    if reason:
        return VotingError(reason)
    reason = lifecycle.deadline_refusal(utcnow(), opens_at, closes_at)
    if reason:
        return VotingError(reason, when=opens_at if reason == "not_yet" else closes_at)
    return None


def round_refusal(round_: Round) -> VotingError | None:
    """The refusal for a web ballot to ``round_`` now, if any."""
    return refusal(round_.status, round_.opens_at, round_.closes_at)


# Statements built and compiled once, run on the driver's cursor: preparing
# a statement costs more than running it (see statements.py).
_LOOKUP = Prepared(
    select(VoterCode.status, VoterCode.group_id, VoterCode.round_id, Round.slug, Round.status,
           Round.opens_at, Round.closes_at, VoterCode.test)
    .join(Round, Round.id == VoterCode.round_id)
    .where(VoterCode.code_hash == bindparam("p_hash")))
_ROUND_IS_OPEN = exists().where(Round.id == bindparam("p_round"),
                                Round.status == lifecycle.OPEN)
# A web ballot (with a code, or by a shared link) also needs the round's
# deadlines to allow it now; paper ballots gathered in time may be typed later.
_IN_TIME = and_(or_(Round.opens_at.is_(None), Round.opens_at <= bindparam("p_now")),
                or_(Round.closes_at.is_(None), Round.closes_at > bindparam("p_now")))
_ROUND_TAKES_WEB = exists().where(Round.id == bindparam("p_round"),
                                  Round.status == lifecycle.OPEN, _IN_TIME)


def _spend(*conditions) -> Prepared:
    """Mark the code (by hash, round and group) used if it is still issued
    and ``conditions`` hold: one UPDATE, so two posts cannot both spend it."""
    return Prepared(
        update(VoterCode)
        .where(VoterCode.code_hash == bindparam("p_hash"),
               VoterCode.round_id == bindparam("p_round"),
               VoterCode.group_id == bindparam("p_group"),
               VoterCode.status == "issued", *conditions)
        .values(status="used", used_on=bindparam("p_day")))


_SPEND = _spend(VoterCode.test.is_(False), _ROUND_TAKES_WEB)
_CHECK_OPEN = Prepared(select(_ROUND_IS_OPEN))  # a ballot without a code spends none
_CHECK_WEB = Prepared(select(_ROUND_TAKES_WEB))
_INSERT_BALLOT = Prepared(insert(Ballot), keys=["id", "round_id", "group_id", "channel",
                                                  "received_on", "receipt_hash", "tracker",
                                                  "sealed", "sealed_comment"])
_INSERT_ANSWERS = Prepared(insert(Answer),
                           keys=["ballot_id", "subject_id", "criterion_id", "option_id"])
_INSERT_COMMENT = Prepared(insert(Comment), keys=["id", "round_id", "text"])
_SHARE_ROUND = Prepared(select(Round.id).where(Round.id == bindparam("p_round"))
                        .with_for_update(read=True))
_RECEIPT = select(Ballot.id).where(Ballot.round_id == bindparam("p_round"),
                                   Ballot.receipt_hash == bindparam("p_hash"))


def check_code(typed: str) -> CodeCheck:
    """Find the round and group a code belongs to, or raise VotingError."""
    code = codes.normalise(typed)
    if code is None:
        raise VotingError("bad_code")
    # The code's row joined with its round's: one query on the unique index.
    found = _LOOKUP.execute(db.session.connection(), {"p_hash": codes.code_hash(code)}).fetchone()
    if found is None:
        raise VotingError("unknown_code")
    status, group_id, round_id, slug, round_status, opens_at, closes_at, test = found
    opens_at, closes_at = _moment(opens_at), _moment(closes_at)
    if test and round_status != lifecycle.DRAFT:
        raise VotingError("unknown_code")  # deleted as the round opened, or about to be
    if status == "used":
        raise VotingError("used_code")
    if status == "void":
        raise VotingError("void_code")
    if test:
        return CodeCheck(code, round_id, slug, group_id, test=True)
    if error := refusal(round_status, opens_at, closes_at):
        raise error
    return CodeCheck(code, round_id, slug, group_id)


_SPEND_TEST = _spend(VoterCode.test.is_(True),
                     exists().where(Round.id == bindparam("p_round"),
                                    Round.status == lifecycle.DRAFT))


def cast_test(round_id: int, group_id: int, code: str) -> None:
    """A test ballot, already checked like a real one (form, plugin rules):
    only its test code is marked used, so the test run's turnout counts it.
    Nothing of the ballot is stored, so there is nothing to count or leak,
    and opening the round deletes the test codes."""
    with _write() as connection:
        spent = _SPEND_TEST.execute(connection, {
            "p_hash": codes.code_hash(code), "p_round": round_id, "p_group": group_id,
            "p_day": today()})
        if spent.rowcount != 1:
            raise _why_refused(round_id, group_id, code)


@contextmanager
def _write(before_commit: Callable[[], None] | None = None) -> Iterator[Connection]:
    """One write transaction in the file's turn (writers.py) on the session's own connection:
    committed after the block (and ``before_commit``), rolled back on any failure."""
    with writer_turn(db.engine):
        try:
            yield db.session.connection()
            if before_commit:
                before_commit()
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise


def _moment(value: dt.datetime | str | None) -> dt.datetime | None:
    """A DATETIME as the driver returns it (text on SQLite)."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else value


def cast(round_: RoundStructure, group: GroupView, keyed: Keyed, *, code: str | None = None,
         channel: str = "web", comment: str | None = None,
         before_commit: Callable[[], None] | None = None) -> str:
    """Store one ballot and return what the voter keeps (the receipt).

    ``keyed`` maps ``(subject_key, criterion_key)`` to an option key, or
    None for a blank; it is sealed in memory, before the write's turn, and
    only the sealed form is stored (see rows.py).  The round's status is
    checked here, in SQL.  With ``code`` the code is spent in the same
    transaction; a code spent meanwhile, or a round closed meanwhile, raises
    VotingError and stores nothing.  ``before_commit`` adds to the same
    transaction (a paper ballot's audit line).
    """
    rows = ballot_rows(round_, group, keyed, channel=channel, day=today(),
                       comment=comment or "")
    store(round_.id, [rows], code=code, group_id=group.id, before_commit=before_commit)
    return rows.receipt


def store(round_id: int, ballots: Sequence[BallotRows], *, code: str | None = None,
          group_id: int | None = None, before_commit: Callable[[], None] | None = None) -> None:
    """Write ballots in one transaction, while the round is open (checked in
    SQL), spending ``code`` (of ``group_id``) with them if given."""
    # On SQLite, wait for this write's turn (see writers.py).
    # The session's own connection and transaction, the statements on its
    # driver cursor (statements.py); the commit expires whatever the session
    # had loaded.
    with _write(before_commit) as connection:
        web = any(b.ballot["channel"] != "paper" for b in ballots)
        _hold_round_open(connection, round_id, code, group_id, web=web)
        _INSERT_BALLOT.executemany(connection, [b.ballot for b in ballots])
        answers = [row for b in ballots for row in b.answers]
        if answers:
            _INSERT_ANSWERS.executemany(connection, answers)
        comments = [b.comment for b in ballots if b.comment]
        if comments:
            _INSERT_COMMENT.executemany(connection, comments)


def record_spoiled(round_id: int, group_id: int, *,
                   before_commit: Callable[[], None] | None = None) -> None:
    """Count one paper ballot of a group as 废票, while the round is open
    (checked in SQL, as for a ballot).  Nothing of what it said is kept."""
    with _write(before_commit) as connection:
        # A paper ballot: gathered in time, it may be entered after the deadline.
        _hold_round_open(connection, round_id, None, None, web=False)
        connection.execute(update(VoterGroup)
                           .where(VoterGroup.id == group_id, VoterGroup.round_id == round_id)
                           .values(spoiled=VoterGroup.spoiled + 1))


def _hold_round_open(connection: Connection, round_id: int, code: str | None,
                     group_id: int | None, *, web: bool = True) -> None:
    if connection.dialect.name != "sqlite":
        # Hold the round row in share mode until commit: a close waits for
        # this ballot, and a close under way makes this wait, then refuse.
        # Without it, under READ COMMITTED a ballot checked before a close
        # could commit after it.  SQLite serialises all writers anyway.
        _SHARE_ROUND.execute(connection, {"p_round": round_id})
    if code is not None:
        spent = _SPEND.execute(connection, {"p_hash": codes.code_hash(code), "p_round": round_id,
                                            "p_group": group_id, "p_day": today(),
                                            "p_now": utcnow()})
        if spent.rowcount != 1:
            raise _why_refused(round_id, group_id, code)
        return
    check, params = ((_CHECK_WEB, {"p_round": round_id, "p_now": utcnow()}) if web
                     else (_CHECK_OPEN, {"p_round": round_id}))
    if not check.execute(connection, params).fetchone()[0]:
        status, opens_at, closes_at = db.session.execute(
            select(Round.status, Round.opens_at, Round.closes_at)
            .where(Round.id == round_id)).one()
        raise (refusal(status, opens_at, closes_at) if web else refusal(status)) or \
            VotingError("closed")


def _why_refused(round_id: int, group_id: int | None, code: str) -> VotingError:
    db.session.rollback()
    db.session.expire_all()
    try:
        checked = check_code(code)
    except VotingError as error:
        return error
    if (checked.round_id, checked.group_id) != (round_id, group_id):
        return VotingError("unknown_code")  # not a code of this round and group
    return VotingError("used_code")  # lost a race that has since settled


def receipt_counted(round_: Round, typed: str) -> bool | str | None:
    """Is a ballot with this receipt in the round (on its bulletin board
    once counted)?  None when the text cannot be a receipt, and
    ``"voting_code"`` when it is shaped like a voting code instead (never
    looked up: a code is not linked to any ballot).  Says nothing else."""
    if round_.is_sealed:
        prefix = sealing.receipt_prefix(typed)
        if prefix is None:
            return "voting_code" if codes.normalise(typed) is not None else None
        found = select(Ballot.id).where(Ballot.round_id == round_.id,
                                        Ballot.tracker.startswith(prefix, autoescape=True))
        return db.session.execute(found.limit(1)).first() is not None
    receipt = codes.normalise(typed)
    if receipt is None:
        return None
    return db.session.execute(_RECEIPT, {"p_round": round_.id,
                                         "p_hash": codes.code_hash(receipt)}).first() is not None
