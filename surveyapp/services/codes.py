"""Voter codes: issue, void and count them.

Codes are stored hashed, so their plain text exists only while the request
or command that issued them hands them over (``deliver``): a lost sheet is
handled by voiding its codes and issuing new ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import func, select, update

from ..database import db
from ..domain import codes as code_rules
from ..domain import lifecycle
from ..models import Round, VoterCode, VoterGroup
from . import audit
from .errors import RoundError
from .rounds import group_by_key

#: How many code hashes go into one IN (...) list.
CHUNK = 500
#: Most test codes issued at once: a test run is a handful of phones.
TEST_CODES_MAX = 50


def _check_codes_round(round_: Round) -> None:
    if round_.access != "codes":
        raise RoundError("round %(slug)s is a shared-link round; it uses no codes",
                         slug=round_.slug)
    if not lifecycle.codes_can_change(round_.status):
        raise RoundError("round %(slug)s is %(status)s; its codes can no longer change",
                         slug=round_.slug, status=round_.status)


def issue(round_: Round, group_key: str, count: int, *, actor: str,
          deliver: Callable[[list[str], int], None] | None = None,
          progress: Callable[[int], None] | None = None,
          test: bool = False) -> tuple[list[str], int]:
    """Make ``count`` new codes for a group as a new batch; return the plain
    codes and the batch number.  ``deliver(codes, batch)`` runs before the
    commit: if it raises (a file that cannot be written), no code is kept.
    ``test``: codes of a test run, for a round that has not opened yet; a
    shared-link round takes them too (its test links), since a test code
    only ever reaches a test ballot and opening deletes it."""
    if not test:
        _check_codes_round(round_)
    if count < 1:
        raise RoundError("count must be at least 1")
    if test and not lifecycle.settings_editable(round_.status):
        raise RoundError("round %(slug)s is %(status)s; test codes are for a test run before "
                         "it opens", slug=round_.slug, status=round_.status)
    if test and count > TEST_CODES_MAX:
        raise RoundError("a test run has at most %(max)d codes at a time", max=TEST_CODES_MAX)
    group = group_by_key(round_, group_key)
    batch = (db.session.scalar(select(func.max(VoterCode.batch))
                               .where(VoterCode.round_id == round_.id)) or 0) + 1
    plain: list[str] = []
    try:
        for i in range(count):
            code = code_rules.new_code()
            plain.append(code)
            db.session.add(VoterCode(round_id=round_.id, group_id=group.id,
                                     code_hash=code_rules.code_hash(code), batch=batch,
                                     test=test))
            if progress and (i + 1) % 500 == 0:
                db.session.flush()
                progress(i + 1)
        db.session.flush()
        audit.record("codes.test" if test else "codes.issue", actor, round_,
                     f"group={group_key} count={count} batch={batch}")
        if deliver:
            deliver(plain, batch)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return plain, batch


def _void(round_: Round, condition, detail: str, actor: str, *, commit: bool = True) -> int:
    _check_codes_round(round_)
    result = db.session.execute(
        update(VoterCode).where(VoterCode.round_id == round_.id, VoterCode.status == "issued",
                                VoterCode.test.is_(False), condition).values(status="void"))
    audit.record("codes.void", actor, round_, f"{detail} voided={result.rowcount}")
    if commit:
        db.session.commit()
    return result.rowcount


def replaceable(round_: Round, batch: int) -> int:
    """How many codes re-issuing ``batch`` would replace; RoundError if none."""
    return _replaceable(round_, batch)["issued"]


def _replaceable(round_: Round, batch: int) -> dict:
    _check_codes_round(round_)
    row = next((b for b in batches(round_) if b["batch"] == batch), None)
    if row is None:
        raise RoundError("round %(slug)s has no batch %(batch)s", slug=round_.slug,
                         batch=batch)
    if not row["issued"]:
        raise RoundError("batch %(batch)s has no unused codes to replace", batch=batch)
    return row


def reissue(round_: Round, batch: int, *, actor: str,
            deliver: Callable[[list[str], int], None] | None = None,
            progress: Callable[[int], None] | None = None) -> tuple[list[str], int]:
    """A lost or spoilt sheet: void the batch's unused codes and issue as many
    new ones for its group, as a new batch, in one transaction (``deliver``
    as for :func:`issue`).  Returns the new codes and their batch number."""
    row = _replaceable(round_, batch)
    try:
        voided = _void(round_, VoterCode.batch == batch, f"batch={batch} reissue", actor,
                       commit=False)
    except BaseException:
        db.session.rollback()
        raise
    return issue(round_, row["group"].key, voided, actor=actor, deliver=deliver,
                 progress=progress)


def void_batch(round_: Round, batch: int, *, actor: str) -> int:
    """Void the unused codes of a batch; return how many."""
    return _void(round_, VoterCode.batch == batch, f"batch={batch}", actor)


def void_listed(round_: Round, plain: Iterable[str], *, actor: str) -> tuple[int, int]:
    """Void the listed codes (already normalised) that are this round's and
    unused; return (voided, listed)."""
    hashes = sorted({code_rules.code_hash(c) for c in plain})
    return _void(round_, VoterCode.code_hash.in_(hashes), f"listed={len(hashes)}",
                 actor), len(hashes)


def batches(round_: Round) -> list[dict]:
    """Each batch with its group and how many codes are unused, used, void."""
    groups = {g.id: g for g in round_.groups}
    found: dict[tuple[int, int], dict] = {}
    for group_id, batch, status, n in db.session.execute(
            select(VoterCode.group_id, VoterCode.batch, VoterCode.status, func.count())
            .where(VoterCode.round_id == round_.id, VoterCode.test.is_(False))
            .group_by(VoterCode.group_id, VoterCode.batch, VoterCode.status)):
        row = found.setdefault((batch, group_id), {"batch": batch, "group": groups[group_id],
                                                   "issued": 0, "used": 0, "void": 0})
        row[status] += n
    for row in found.values():
        row["total"] = row["issued"] + row["used"] + row["void"]
    return [found[k] for k in sorted(found)]


def still_needed(round_: Round, batches_: list[dict] | None = None
                 ) -> list[tuple[VoterGroup, int | None]]:
    """Each group with how many more codes its expected voters need: the
    expected number less the codes it already holds that are not void
    (unused or used); None where no expected number is set."""
    held: dict[int, int] = {}
    for row in batches(round_) if batches_ is None else batches_:
        held[row["group"].id] = held.get(row["group"].id, 0) + row["issued"] + row["used"]
    return [(g, None if g.expected is None else max(g.expected - held.get(g.id, 0), 0))
            for g in round_.groups]


def batch_group(round_: Round, batch: int) -> VoterGroup:
    """The voter group a batch of codes was issued for."""
    group_id = db.session.scalar(select(VoterCode.group_id).where(
        VoterCode.round_id == round_.id, VoterCode.batch == batch).limit(1))
    group = next((g for g in round_.groups if g.id == group_id), None)
    if group is None:
        raise RoundError("round %(slug)s has no batch %(batch)s", slug=round_.slug,
                         batch=batch)
    return group


def all_belong(round_: Round, group: VoterGroup, plain: list[str]) -> bool:
    """Is every code (normalised) one of this round's and group's?  So nobody
    prints slips for codes that would not count."""
    hashes = [code_rules.code_hash(c) for c in plain]
    known: set[str] = set()
    for start in range(0, len(hashes), CHUNK):
        known |= set(db.session.scalars(select(VoterCode.code_hash).where(
            VoterCode.round_id == round_.id, VoterCode.group_id == group.id,
            VoterCode.code_hash.in_(hashes[start:start + CHUNK]))))
    return len(known) == len(set(hashes))


def record_download(round_: Round, group: VoterGroup, count: int, fmt: str, *,
                    actor: str) -> None:
    audit.record("codes.download", actor, round_, f"group={group.key} count={count} format={fmt}")
    db.session.commit()


def counts(round_: Round) -> dict[str, int]:
    """Codes per status (issued, used, void); test codes are not among them."""
    rows = db.session.execute(
        select(VoterCode.status, func.count())
        .where(VoterCode.round_id == round_.id, VoterCode.test.is_(False))
        .group_by(VoterCode.status)).all()
    return {status: n for status, n in rows}


def test_run(round_: Round) -> list[dict]:
    """A test run so far, per group: test codes issued and test ballots cast
    (a test ballot is only its test code marked used)."""
    found = {(g, s): n for g, s, n in db.session.execute(
        select(VoterCode.group_id, VoterCode.status, func.count())
        .where(VoterCode.round_id == round_.id, VoterCode.test.is_(True))
        .group_by(VoterCode.group_id, VoterCode.status))}
    return [{"group": g, "codes": sum(n for (gid, _s), n in found.items() if gid == g.id),
             "ballots": found.get((g.id, "used"), 0)} for g in round_.groups]

