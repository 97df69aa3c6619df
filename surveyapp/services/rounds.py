"""Rounds in the database: create from a spec, read back as a spec, move
through draft → open → closed → published, issue codes, audit.

Used by the CLI and the web console alike; the web and CLI layers only
translate input and output.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from fractions import Fraction

from sqlalchemy import func, select

from .. import plugins
from ..domain import codes
from ..domain.model import Criterion, Group, Option, RoundSpec, Subject
from ..extensions import db
from ..models import (
    AuditEvent,
    Ballot,
    Organisation,
    Round,
    ScaleOption,
    VoterCode,
    VoterGroup,
)
from ..models import Criterion as CriterionRow
from ..models import Subject as SubjectRow

# target: (statuses it may follow, the status it sets, the audit action, the event)
TRANSITIONS = {
    "open": (("draft",), "open", "round.open", "opened"),
    "closed": (("open",), "closed", "round.close", "closed"),
    "published": (("closed",), "published", "round.publish", "published"),
    "unpublished": (("published",), "closed", "round.unpublish", "unpublished"),
}

DEFAULT_ORG = "默认组织"


class RoundError(Exception):
    """A request that the round's state does not allow, in words for the user."""


def audit(action: str, actor: str, round_: Round | None = None, detail: str = "") -> None:
    db.session.add(AuditEvent(round_id=round_.id if round_ else None, action=action,
                              actor=actor, detail=detail))


def default_org() -> Organisation:
    org = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
    if org is None:
        org = Organisation(name=DEFAULT_ORG)
        db.session.add(org)
        db.session.flush()
    return org


def new_slug() -> str:
    """Short, unguessable and URL-safe; rounds are not enumerable by slug."""
    while True:
        slug = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(8))
        if db.session.scalar(select(Round.id).where(Round.slug == slug)) is None:
            return slug


def create_round(spec: RoundSpec, *, actor: str, org: Organisation | None = None,
                 slug: str | None = None) -> Round:
    """Store a validated spec as a draft round and commit it.  Raises
    SpecErrors, writing nothing, when the plugins cannot apply its rules."""
    plugins.rehearse(spec)
    org = org or default_org()
    round_ = Round(slug=slug or new_slug(), org_id=org.id, title=spec.title,
                   template=spec.template, access=spec.access,
                   anonymity_min=spec.anonymity_min, status="draft",
                   rules_json=json.dumps(spec.rules, ensure_ascii=False, default=str))
    round_.options = [ScaleOption(key=o.key, label=o.label, position=i,
                                  points=None if o.points is None else str(o.points))
                      for i, o in enumerate(spec.options)]
    round_.criteria = [CriterionRow(key=c.key, label=c.label, weight=str(c.weight),
                                    description=c.description, position=i)
                       for i, c in enumerate(spec.criteria)]
    round_.groups = [VoterGroup(key=g.key, label=g.label, weight=str(g.weight),
                                expected=g.expected, position=i)
                     for i, g in enumerate(spec.groups)]
    round_.subjects = [SubjectRow(key=s.key, name=s.name, unit=s.unit, position=i)
                       for i, s in enumerate(spec.subjects)]
    db.session.add(round_)
    db.session.flush()
    audit("round.create", actor, round_, f"{len(spec.subjects)} subjects")
    db.session.commit()
    announce(round_, "created")
    return round_


def announce(round_: Round, event: str) -> None:
    """Tell plugins about a committed change (see hookspecs.round_event)."""
    plugins.emit(event, {"slug": round_.slug, "title": round_.title, "status": round_.status},
                 round_spec(round_))


def round_spec(round_: Round) -> RoundSpec:
    """The round as the domain core sees it."""
    return RoundSpec(
        title=round_.title,
        options=tuple(Option(o.key, o.label, o.points_fraction) for o in round_.options),
        criteria=tuple(Criterion(c.key, c.label, Fraction(c.weight), c.description)
                       for c in round_.criteria),
        groups=tuple(Group(g.key, g.label, Fraction(g.weight), g.expected)
                     for g in round_.groups),
        subjects=tuple(Subject(s.key, s.name, s.unit) for s in round_.subjects),
        template=round_.template,
        access=round_.access,
        anonymity_min=round_.anonymity_min,
        rules=json.loads(round_.rules_json or "{}"),
    )


def get_round(slug: str) -> Round | None:
    return db.session.scalar(select(Round).where(Round.slug == slug))


def set_status(round_: Round, target: str, *, actor: str) -> None:
    """Move a round on and commit; 'unpublished' takes a published round back
    to closed."""
    allowed_from, new_status, action, event = TRANSITIONS[target]
    if round_.status not in allowed_from:
        raise RoundError(f"round {round_.slug} is {round_.status}; "
                         f"only a {' or '.join(allowed_from)} round can be {target}")
    round_.status = new_status
    audit(action, actor, round_)
    db.session.commit()
    announce(round_, event)


def group_by_key(round_: Round, key: str) -> VoterGroup:
    group = next((g for g in round_.groups if g.key == key), None)
    if group is None:
        known = ", ".join(g.key for g in round_.groups)
        raise RoundError(f"round {round_.slug} has no group {key!r} (groups: {known})")
    return group


def issue_codes(round_: Round, group_key: str, count: int, *, actor: str,
                progress: Callable[[int], None] | None = None) -> list[str]:
    """Make ``count`` new codes for a group.  The plain codes are returned
    once, to be printed; only their hashes are stored."""
    if round_.access != "codes":
        raise RoundError(f"round {round_.slug} is a shared-link round; it uses no codes")
    if round_.status not in ("draft", "open"):
        raise RoundError(f"round {round_.slug} is {round_.status}; codes can no longer be issued")
    if count < 1:
        raise RoundError("count must be at least 1")
    group = group_by_key(round_, group_key)
    batch = (db.session.scalar(select(func.max(VoterCode.batch))
                               .where(VoterCode.round_id == round_.id)) or 0) + 1
    plain: list[str] = []
    for i in range(count):
        code = codes.new_code()
        plain.append(code)
        db.session.add(VoterCode(round_id=round_.id, group_id=group.id,
                                 code_hash=codes.code_hash(code), batch=batch))
        if progress and (i + 1) % 500 == 0:
            db.session.flush()
            progress(i + 1)
    db.session.flush()
    audit("codes.issue", actor, round_, f"group={group_key} count={count} batch={batch}")
    return plain


def turnout(round_: Round) -> dict[str, dict[str, int | None]]:
    """Ballots per group next to the expected number; the only live figure
    shown while a round is open."""
    rows = dict(db.session.execute(
        select(Ballot.group_id, func.count()).where(Ballot.round_id == round_.id)
        .group_by(Ballot.group_id)).all())
    return {g.key: {"ballots": rows.get(g.id, 0), "expected": g.expected} for g in round_.groups}


def code_counts(round_: Round) -> dict[str, int]:
    rows = db.session.execute(
        select(VoterCode.status, func.count()).where(VoterCode.round_id == round_.id)
        .group_by(VoterCode.status)).all()
    return {status: n for status, n in rows}
