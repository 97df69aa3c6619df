"""The committee's 评定: after the count, the 支委会 (or 党员大会) records
its final grade of each subject with its reason, beside the software's
proposal (测评建议).  The software proposes, people decide: a decision that
differs from the proposal (or where there is none) needs its reason.  Each
decision is audited (subject and grade by its label, not the reason's text); decisions
change only while the round is unpublished, like the comments' review.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ..database import db
from ..domain import lifecycle
from ..domain.model import SpecError, SpecErrors
from ..models import CommitteeDecision, Round
from . import audit
from . import results as results_service
from .errors import RoundError

REASON_MAX = 500


@dataclass(frozen=True)
class Decision:
    subject: str            # the subject's key
    name: str
    proposal: str | None    # the software's 测评建议 (an option key), as shown
    option: str | None      # the committee's 评定, None until decided
    reason: str


def decisions(round_: Round) -> list[Decision]:
    """Every subject in the shown result's order, with its proposal and the
    committee's decision so far; RoundError before the round is counted."""
    result = results_service.shown_result(round_)
    ids = {s.id: s.key for s in round_.subjects}
    kept = {ids[row.subject_id]: row for row in db.session.scalars(
        select(CommitteeDecision).where(CommitteeDecision.round_id == round_.id))}
    out = []
    for subject in result["subjects"]:
        row = kept.get(subject["key"])
        out.append(Decision(subject["key"], subject["name"], subject["proposal"],
                            row.option_key if row else None, row.reason if row else ""))
    return out


def recorded(round_: Round) -> dict[str, tuple[str, str]]:
    """The decisions recorded so far by subject key: (option key, reason),
    as the exports and the 公示 take them."""
    keys = {s.id: s.key for s in round_.subjects}
    return {keys[row.subject_id]: (row.option_key, row.reason)
            for row in db.session.scalars(select(CommitteeDecision).where(
                CommitteeDecision.round_id == round_.id))}


def editable(round_: Round) -> bool:
    return lifecycle.shows_results(round_.status) and not lifecycle.is_published(round_.status)


def _check(round_: Round, current: dict[str, Decision], subject_key: str, option: str,
           reason: str) -> str:
    """RoundError unless ``option`` (a grade's key or label; empty: withdraw)
    may be recorded for the subject with ``reason``; the option's key."""
    if subject_key not in current:
        raise RoundError("round %(slug)s has no subject %(key)s", slug=round_.slug,
                         key=repr(subject_key))
    if not option:
        return ""
    options = [o.key for o in round_.options]
    option = next((o.key for o in round_.options if option in (o.key, o.label)), option)
    if option not in options:
        raise RoundError("unknown grade %(option)s; choose one of: %(known)s",
                         option=repr(option), known=", ".join(options))
    if len(reason) > REASON_MAX:
        raise RoundError("the reason is longer than %(max)s characters", max=REASON_MAX)
    if option != current[subject_key].proposal and not reason:
        raise RoundError("a decision that differs from the proposal (or where there is "
                         "none) needs its reason")
    return option


def _apply(round_: Round, subject_key: str, option: str, reason: str, actor: str) -> None:
    subject = next(s for s in round_.subjects if s.key == subject_key)
    row = db.session.get(CommitteeDecision, (round_.id, subject.id))
    if not option:
        if row is not None:
            db.session.delete(row)
            audit.record("decision.withdraw", actor, round_, f"subject={subject_key}")
        return
    if row is None:
        row = CommitteeDecision(round_id=round_.id, subject_id=subject.id)
        db.session.add(row)
    row.option_key, row.reason = option, reason
    # The grade by its label: the audit page shows details as they are, and
    # no page shows a scale's internal keys (issue 17).
    label = next(o.label for o in round_.options if o.key == option)
    audit.record("decision.record", actor, round_, f"subject={subject_key} grade={label}")


def _check_open(round_: Round) -> None:
    if lifecycle.is_published(round_.status):
        raise RoundError("round %(slug)s is published; unpublish it before changing the "
                         "committee's decisions", slug=round_.slug)


def decide(round_: Round, subject_key: str, option: str, reason: str, *, actor: str) -> None:
    """Record (or with an empty ``option``, withdraw) the committee's grade of
    one subject, and commit; RoundError saying why not, nothing changed.
    ``option`` is a grade's key (or its label, as the command line takes it)."""
    _check_open(round_)
    current = {d.subject: d for d in decisions(round_)}
    reason = (reason or "").strip()
    option = _check(round_, current, subject_key, option, reason)
    _apply(round_, subject_key, option, reason, actor)
    db.session.commit()


def decide_many(round_: Round, rows: list[tuple[int, str, str, str]], *, source: str,
                actor: str) -> int:
    """Record many decisions, ``(line, subject, grade, reason)`` each (a
    file's rows), all or nothing: every row is checked first and each
    problem reported with its line (SpecErrors), then all are written in one
    transaction.  A subject given twice is refused.  Returns how many."""
    _check_open(round_)
    current = {d.subject: d for d in decisions(round_)}
    errors, checked, seen = [], [], {}
    for line, subject, option, reason in rows:
        reason = (reason or "").strip()
        if subject in seen:
            errors.append(SpecError("subject %(key)s is already decided on line %(line)s",
                                    source=source, line=line, field="subject",
                                    params={"key": repr(subject), "line": seen[subject]}))
            continue
        seen[subject] = line
        try:
            checked.append((subject, _check(round_, current, subject, option, reason), reason))
        except RoundError as error:
            field = ("subject" if subject not in current else
                     "reason" if "reason" in error.template else "grade")
            message = error.template  # one of _check's refusals, passed on with its line
            errors.append(SpecError(message, source=source, line=line, field=field,
                                    params=error.params))
    if errors:
        raise SpecErrors(errors)
    for subject, option, reason in checked:
        _apply(round_, subject, option, reason, actor)
    db.session.commit()
    return len(checked)
