"""Rounds in the database: create one from a spec, read it back as a spec,
change a draft's settings, and move it through its life (domain/lifecycle.py).
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from collections.abc import Callable, Iterable
from fractions import Fraction

from sqlalchemy import delete, func, select, update

from .. import plugins
from ..database import db
from ..domain import lifecycle
from ..domain.ballot_box.keys import Share
from ..domain.model import Criterion, Group, Item, Option, RoundSpec, Subject, Trustees
from ..models import (
    AuditEvent,
    CampaignRound,
    Organisation,
    Round,
    ScaleOption,
    User,
    VoterCode,
    VoterGroup,
)
from ..models import Criterion as CriterionRow
from ..models import Subject as SubjectRow
from . import audit, ballot_box, deadlines, orgs
from .errors import RoundError

SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def new_slug() -> str:
    """Short, unguessable and URL-safe; rounds are not enumerable by slug."""
    while True:
        slug = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(8))
        if db.session.scalar(select(Round.id).where(Round.slug == slug)) is None:
            return slug


def create_round(spec: RoundSpec, *, actor: str, org: Organisation | None = None,
                 slug: str | None = None, campaign_id: int | None = None) -> Round:
    """Store a validated spec as a draft round and commit it, in the campaign
    ``campaign_id`` if given (checked by services.campaigns.check_join).
    Raises SpecErrors, writing nothing, when the plugins cannot apply its rules."""
    plugins.rehearse(spec)
    deadlines.check(spec)
    org = org or orgs.default_org()
    round_ = Round(slug=slug or new_slug(), org_id=org.id, title=spec.title,
                   template=spec.template, access=spec.access,
                   anonymity_min=spec.anonymity_min, status=lifecycle.DRAFT,
                   rules_json=json.dumps(spec.rules, ensure_ascii=False, default=str))
    _write_trustees(round_, spec)
    deadlines.write(round_, spec)
    for part in ("basics", "groups", "criteria", "subjects"):
        _write_part(round_, spec, part)
    db.session.add(round_)
    db.session.flush()
    if campaign_id is not None:
        db.session.add(CampaignRound(round_id=round_.id, campaign_id=campaign_id))
    audit.record("round.create", actor, round_, f"{len(spec.subjects)} subjects")
    db.session.commit()
    announce(round_, "created")
    return round_


def copy_round(round_: Round, *, actor: str, title: str | None = None) -> Round:
    """A new draft with the round's settings, groups, criteria, subjects and
    监票人, in the same organisation: next year's round.  The title's year
    moves on by one unless ``title`` is given; deadlines, codes and ballots
    stay behind."""
    spec = round_spec(round_)
    new_title = next_title(round_.title) if title is None else title.strip()
    if not new_title or len(new_title) > 200:
        raise RoundError("a round's title is 1 to 200 characters")
    spec = dataclasses.replace(spec, title=new_title, opens_at=None, closes_at=None)
    copy = create_round(spec, actor=actor, org=orgs.get(round_.org_id))
    audit.record("round.copy", actor, copy, f"from {round_.slug}")
    db.session.commit()
    return copy


def next_title(title: str) -> str:
    """"2026年度民主评议党员" → "2027年度民主评议党员": each year in the title
    one on; a title without a year is kept."""
    return re.sub(r"(?<!\d)(19|20)(\d\d)(?!\d)",
                  lambda m: str(int(m.group(0)) + 1), title)


def check_deletable(round_: Round) -> None:
    if not lifecycle.deletable(round_.status):
        raise RoundError("round %(slug)s is %(status)s; only a draft round can be deleted",
                         slug=round_.slug, status=round_.status)


def delete_round(round_: Round, *, actor: str) -> None:
    """Delete a round that never opened, with its codes, committed.  Its
    audit events stay, no longer tied to it, beside one that says it was
    deleted."""
    check_deletable(round_)
    db.session.execute(delete(VoterCode).where(VoterCode.round_id == round_.id))
    db.session.execute(update(AuditEvent).where(AuditEvent.round_id == round_.id)
                       .values(round_id=None))
    audit.record("round.delete", actor, detail=f"{round_.slug} {round_.title}")
    db.session.delete(round_)
    db.session.commit()


def announce(round_: Round, event: str) -> None:
    """Tell plugins about a committed change (see hookspecs.round_event)."""
    plugins.emit(event, {"slug": round_.slug, "title": round_.title, "status": round_.status},
                 round_spec(round_))


def round_spec(round_: Round, *, with_subjects: bool = True) -> RoundSpec:
    """The round as the domain core sees it (``with_subjects=False``: its
    settings alone, for readers of a kept result that names its subjects)."""
    return RoundSpec(
        title=round_.title,
        options=tuple(Option(o.key, o.label, o.points_fraction) for o in round_.options),
        criteria=tuple(Criterion(c.key, c.label, Fraction(c.weight), c.description,
                                 _items(c.items_json))
                       for c in round_.criteria),
        groups=tuple(Group(g.key, g.label, Fraction(g.weight), g.expected,
                           None if g.rates_json is None else tuple(json.loads(g.rates_json)))
                     for g in round_.groups),
        subjects=tuple(Subject(s.key, s.name, s.unit, s.post or "", s.commitments)
                       for s in round_.subjects)
        if with_subjects else (),
        template=round_.template,
        access=round_.access,
        anonymity_min=round_.anonymity_min,
        rules=json.loads(round_.rules_json or "{}"),
        trustees=_trustees(round_),
        opens_at=deadlines.from_utc(round_.opens_at),
        closes_at=deadlines.from_utc(round_.closes_at),
    )


def _items(text: str | None) -> tuple[Item, ...]:
    return tuple(Item(i["key"], i["label"], Fraction(i["points"]))
                 for i in json.loads(text)) if text else ()


def _items_json(criterion: Criterion) -> str | None:
    return json.dumps([{"key": i.key, "label": i.label, "points": str(i.points)}
                       for i in criterion.items], ensure_ascii=False) if criterion.items else None


def _trustees(round_: Round) -> Trustees | None:
    names = json.loads(round_.trustee_names or "[]")
    return Trustees(tuple(names), round_.threshold or 1) if names else None


def _write_trustees(round_: Round, spec: RoundSpec) -> None:
    names = list(spec.trustees.names) if spec.trustees else []
    round_.trustee_names = json.dumps(names, ensure_ascii=False)
    round_.threshold = spec.trustees.threshold if spec.trustees else None


def get_round(slug: str) -> Round | None:
    return db.session.scalar(select(Round).where(Round.slug == slug))


def all_rounds() -> list[Round]:
    return list(db.session.scalars(select(Round).order_by(Round.id)))


def _visible(user: User):
    query = select(Round).order_by(Round.id.desc())
    org_ids = orgs.visible_org_ids(user)
    return query if org_ids is None else query.where(Round.org_id.in_(org_ids))


def visible_rounds(user: User) -> list[Round]:
    """The rounds of the user's organisation subtree (all for an admin), newest first."""
    return list(db.session.scalars(_visible(user)))


def round_for(user: User, slug: str) -> Round | None:
    """The round if it exists and the user may see it; None either way, so
    nobody learns that another branch's round exists."""
    return db.session.scalar(_visible(user).where(Round.slug == slug))


def check_transition(round_: Round, name: str) -> lifecycle.Transition:
    """The transition, or RoundError saying why the round cannot make it now."""
    move = lifecycle.TRANSITIONS[name]
    if round_.status not in move.sources:
        raise RoundError(move.refusal, slug=round_.slug, status=round_.status)
    return move


def open_round(round_: Round, *, actor: str,
               deliver: Callable[[list[Share]], None] | None = None) -> list[Share]:
    """Open a draft for voting: its settings freeze and its key is made and
    split among its 监票人.  ``deliver`` hands the shares out (writes their
    files) before anything is committed, so a failure there leaves a draft,
    not an open round whose key is lost.  Returns the shares: they are kept
    nowhere, and ``threshold`` of them are needed to count."""
    record, shares = prepare_key(round_)
    if deliver is not None:
        deliver(shares)
    open_with_key(round_, record, actor=actor)
    return shares


def prepare_key(round_: Round) -> tuple[ballot_box.KeyRecord, list[Share]]:
    """The first step of opening: a key for a draft that may open, nothing
    changed yet.  The console shows the shares, then opens with the record."""
    check_transition(round_, "open")
    return ballot_box.new_key(round_, round_spec(round_))


def open_with_key(round_: Round, record: ballot_box.KeyRecord, *, actor: str) -> None:
    """The second step: open the round with a key prepared for it, refused
    if the round changed meanwhile (opened, edited, other 监票人)."""
    move = check_transition(round_, "open")
    if not ballot_box.fits(record, round_, round_spec(round_)):
        raise RoundError("the round's settings or trustees changed after its key was made; "
                         "open it again for new key slips, and destroy the old ones")
    ballot_box.install(round_, record)
    # The test run ends here: its codes (all a test ballot left) go, in the same commit.
    purged = db.session.execute(delete(VoterCode).where(
        VoterCode.round_id == round_.id, VoterCode.test.is_(True))).rowcount
    apply_transition(round_, move, actor, f"test codes deleted: {purged}" if purged else "")


#: Transitions with more to them than a status, and the function that makes each.
_DONE_ELSEWHERE = {"open": "rounds.open_round (the key is made)",
                   "count": "counting.count_round (the ballot box is opened)",
                   "publish": "publication.publish (the snapshot is frozen)",
                   "unpublish": "publication.unpublish"}


def transition(round_: Round, name: str, *, actor: str) -> None:
    """Make a plain lifecycle transition (closing) and commit it, or raise
    RoundError naming what the round is.  The others do more than set a
    status and have their own functions (see ``_DONE_ELSEWHERE``)."""
    if name in _DONE_ELSEWHERE:
        raise ValueError(f"use {_DONE_ELSEWHERE[name]}")
    apply_transition(round_, check_transition(round_, name), actor)


def apply_transition(round_: Round, move: lifecycle.Transition, actor: str,
                     detail: str = "") -> None:
    """Set the status a checked transition leads to, audit it, commit, tell plugins."""
    round_.status = move.target
    audit.record(move.action, actor, round_, detail)
    db.session.commit()
    announce(round_, move.event)


def group_by_key(round_: Round, key: str) -> VoterGroup:
    group = next((g for g in round_.groups if g.key == key), None)
    if group is None:
        raise RoundError("round %(slug)s has no group %(key)s (groups: %(known)s)",
                         slug=round_.slug, key=repr(key),
                         known=", ".join(g.key for g in round_.groups))
    return group


# -- a draft's settings ----------------------------------------------------------------------

def groups_with_codes(round_: Round, keep: Iterable[str]) -> list[tuple[VoterGroup, int]]:
    """Groups not in ``keep`` that already have codes (so cannot be removed),
    with how many."""
    kept = set(keep)
    found = []
    for group in round_.groups:
        if group.key in kept:
            continue
        issued = db.session.scalar(select(func.count()).select_from(VoterCode)
                                   .where(VoterCode.group_id == group.id))
        if issued:
            found.append((group, issued))
    return found


#: The parts of a round's settings, as the console edits them one by one.
PARTS = ("basics", "groups", "criteria", "subjects", "rules")


def update_settings(round_: Round, spec: RoundSpec, part: str, *, actor: str) -> None:
    """Write a validated spec's ``part`` into a draft round, matching rows by
    key so ids (which codes point at) survive, and commit.  A draft has no
    ballots, so criteria, subjects and options can change freely.  ``part``
    "all" writes every part (``surveyapp rounds update``), in one commit."""
    if not lifecycle.settings_editable(round_.status):
        raise RoundError("round %(slug)s is %(status)s; its settings froze when it opened",
                         slug=round_.slug, status=round_.status)
    if part == "all":
        if spec.access != round_.access:
            raise RoundError("access is fixed once a round exists (codes or links may be out "
                             "already): the round's is %(access)s", access=round_.access)
        plugins.rehearse(spec)
        try:
            for each in PARTS:
                _update_part(round_, spec, each)
        except Exception:
            db.session.rollback()  # e.g. a group with codes removed: nothing half-saved
            raise
        round_.template = spec.template
        audit.record("round.edit", actor, round_, "all")
        db.session.commit()
        return
    if part == "rules":
        plugins.rehearse(spec)  # the rules' values, as at creation
    _update_part(round_, spec, part)
    audit.record("round.edit", actor, round_, part)
    db.session.commit()


def _update_part(round_: Round, spec: RoundSpec, part: str) -> None:
    if part == "groups" and (blocked := groups_with_codes(round_, (g.key for g in spec.groups))):
        raise RoundError("these groups already have codes, so they cannot be removed: "
                         "%(groups)s", groups=", ".join(f"{group.label} ({count})"
                                                        for group, count in blocked))
    if part == "basics":
        if (deadlines.to_utc(spec.opens_at), deadlines.to_utc(spec.closes_at)) != (
                round_.opens_at, round_.closes_at):
            deadlines.check(spec)  # changed: checked as at creation
        round_.title = spec.title
        round_.anonymity_min = spec.anonymity_min
        _write_trustees(round_, spec)
        deadlines.write(round_, spec)
    _write_part(round_, spec, part)


def _write_part(round_: Round, spec: RoundSpec, part: str) -> None:
    if part == "basics":
        round_.options = _sync(round_.options, spec.options, ScaleOption, lambda row, o: (
            setattr(row, "label", o.label),
            setattr(row, "points", None if o.points is None else str(o.points))))
    elif part == "groups":
        round_.groups = _sync(round_.groups, spec.groups, VoterGroup, lambda row, g: (
            setattr(row, "label", g.label), setattr(row, "weight", str(g.weight)),
            setattr(row, "expected", g.expected),
            setattr(row, "rates_json", None if g.rates is None
                    else json.dumps(list(g.rates), ensure_ascii=False))))
    elif part == "criteria":
        round_.criteria = _sync(round_.criteria, spec.criteria, CriterionRow, lambda row, c: (
            setattr(row, "label", c.label), setattr(row, "weight", str(c.weight)),
            setattr(row, "description", c.description),
            setattr(row, "items_json", _items_json(c))))
    elif part == "rules":
        round_.rules_json = json.dumps(spec.rules, ensure_ascii=False, default=str)
    elif part == "subjects":
        round_.subjects = _sync(round_.subjects, spec.subjects, SubjectRow, lambda row, s: (
            setattr(row, "name", s.name), setattr(row, "unit", s.unit),
            setattr(row, "post", s.post),
            setattr(row, "commitments_json", json.dumps(list(s.commitments), ensure_ascii=False)
                    if s.commitments else None)))
    else:
        raise ValueError(f"unknown part {part!r}")


def _sync(rows: list, items, model, update: Callable) -> list:
    by_key = {row.key: row for row in rows}
    kept = []
    for position, item in enumerate(items):
        row = by_key.pop(item.key, None) or model(key=item.key)
        update(row, item)
        row.position = position
        kept.append(row)
    return kept  # rows left in by_key are deleted as orphans
