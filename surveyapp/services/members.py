"""A member year over year: the person each subject of a counted round is
(confirmed by its secretary), and that person's record across rounds and
campaigns (domain/records.py).

Links are proposed from the links already confirmed in earlier rounds of
the round's own organisation subtree (same subject key, then same name and
unit) and stored only when the secretary confirms them, all at once.  A
record gathers the rounds the viewer may see (their organisation subtree;
everything for the command line), each from its result *as shown*, with
the committee's 评定.  Nothing here reads a ballot, a code or any voter data.
"""

from __future__ import annotations

from sqlalchemy import select

from ..database import db
from ..domain import lifecycle
from ..domain import records as rules
from ..domain.model import KEY_RE
from ..domain.rules import proposal_labels
from ..exports import records as record_exports
from ..models import Campaign, CampaignRound, MemberLink, Organisation, Round, Subject, User
from . import audit, decisions, orgs
from .errors import RoundError, ServiceError
from .results import shown_result
from .rounds import round_spec

FORMATS = ("csv", "xlsx", "json")


class MemberError(ServiceError):
    """A person key that is malformed or that the viewer may not see."""


def _check_counted(round_: Round) -> None:
    if not lifecycle.shows_results(round_.status):
        raise RoundError("round %(slug)s is %(status)s; its members are linked once it is "
                         "counted", slug=round_.slug, status=round_.status)


def confirmed(round_: Round) -> dict[str, str]:
    """The round's confirmed links: subject key → person key."""
    keys = {s.id: s.key for s in round_.subjects}
    return {keys[row.subject_id]: row.person_key for row in db.session.scalars(
        select(MemberLink).where(MemberLink.round_id == round_.id))}


def proposals(round_: Round) -> list[rules.Proposal]:
    """A proposed (or the confirmed) person key for each subject of a counted
    round; RoundError before it is counted."""
    _check_counted(round_)
    within = orgs.subtree_ids(round_.org_id) if round_.org_id is not None else None
    query = (select(Subject.key, Subject.name, Subject.unit, MemberLink.person_key)
             .join(MemberLink, MemberLink.subject_id == Subject.id)
             .join(Round, Round.id == MemberLink.round_id)
             .where(Round.id != round_.id).order_by(Round.id.desc()))
    if within is not None:
        query = query.where(Round.org_id.in_(within))
    known = [rules.Known(*row) for row in db.session.execute(query)]
    subjects = [(s.key, s.name, s.unit) for s in round_.subjects]
    return rules.propose_links(subjects, known, confirmed(round_))


def confirm(round_: Round, links: dict[str, str], *, actor: str) -> int:
    """Store the person key of every subject given (subject key → person
    key), checked all first: RoundError/MemberError, nothing written.  Two
    subjects of one round are never one person.  Returns how many changed."""
    _check_counted(round_)
    subjects = {s.key: s for s in round_.subjects}
    for subject, person in links.items():
        if subject not in subjects:
            raise RoundError("round %(slug)s has no subject %(key)s", slug=round_.slug,
                             key=repr(subject))
        if not KEY_RE.match(person or ""):
            raise MemberError("person key %(key)s must be 1-64 letters, digits, '_', '.' or "
                              "'-', starting with a letter or digit", key=repr(person))
    merged = confirmed(round_) | links
    seen: dict[str, str] = {}
    for subject, person in merged.items():
        if person in seen:
            raise MemberError("subjects %(a)s and %(b)s of one round cannot be the same "
                              "person %(key)s", a=seen[person], b=subject, key=person)
        seen[person] = subject
    rows = {row.subject_id: row for row in db.session.scalars(
        select(MemberLink).where(MemberLink.round_id == round_.id))}
    changed = 0
    for subject, person in links.items():
        row = rows.get(subjects[subject].id)
        if row is None:
            db.session.add(MemberLink(subject_id=subjects[subject].id, round_id=round_.id,
                                      person_key=person))
        elif row.person_key == person:
            continue
        else:
            row.person_key = person
        changed += 1
    if changed:
        audit.record("members.link", actor, round_, f"confirmed={changed}")
    db.session.commit()
    return changed


def confirm_proposals(round_: Round, *, actor: str,
                      changes: dict[str, str] | None = None) -> int:
    """Confirm every subject's proposed key, with ``changes`` instead where given."""
    links = {p.subject: p.person for p in proposals(round_)} | (changes or {})
    return confirm(round_, links, actor=actor)


def _period(round_: Round, campaign: Campaign | None) -> str:
    return campaign.period if campaign and campaign.period else str(round_.created_on.year)


def record(person: str, user: User | None = None) -> dict | None:
    """The person's record over the rounds ``user`` may see (None: all), by
    period; None when no such round links the person."""
    if not KEY_RE.match(person or ""):
        return None
    query = (select(MemberLink, Subject.key, Round, Campaign, Organisation.name)
             .join(Subject, Subject.id == MemberLink.subject_id)
             .join(Round, Round.id == MemberLink.round_id)
             .outerjoin(CampaignRound, CampaignRound.round_id == Round.id)
             .outerjoin(Campaign, Campaign.id == CampaignRound.campaign_id)
             .outerjoin(Organisation, Organisation.id == Round.org_id)
             .where(MemberLink.person_key == person))
    seen = orgs.visible_org_ids(user) if user is not None else None
    if seen is not None:
        query = query.where(Round.org_id.in_(seen))
    found = []
    for _link, subject_key, round_, campaign, org_name in db.session.execute(query):
        if not lifecycle.shows_results(round_.status):
            continue
        spec = round_spec(round_, with_subjects=False)
        period = _period(round_, campaign)
        found.append((period, round_.id, rules.Period(
            period=period, round_slug=round_.slug, round_title=round_.title,
            org=org_name or "", subject=subject_key, result=shown_result(round_),
            labels=proposal_labels(spec), decisions=decisions.recorded(round_))))
    if not found:
        return None
    found.sort(key=lambda f: (f[0], f[1]))
    return rules.member_record(person, [f[2] for f in found])


def people(user: User | None = None) -> list[dict]:
    """Every person linked in a round ``user`` may see: key, latest name and
    how many rounds link them."""
    query = (select(MemberLink.person_key, Subject.name, Round.id)
             .join(Subject, Subject.id == MemberLink.subject_id)
             .join(Round, Round.id == MemberLink.round_id).order_by(Round.id))
    seen = orgs.visible_org_ids(user) if user is not None else None
    if seen is not None:
        query = query.where(Round.org_id.in_(seen))
    out: dict[str, dict] = {}
    for person, name, _round in db.session.execute(query):
        entry = out.setdefault(person, {"person": person, "name": name, "rounds": 0})
        entry["name"] = name
        entry["rounds"] += 1
    return sorted(out.values(), key=lambda p: p["person"])


def export(person: str, fmt: str, *, actor: str, user: User | None = None) -> bytes:
    """The person's record as csv, xlsx or json, recorded in the audit log;
    MemberError for an unknown format or a person the viewer cannot see."""
    if fmt not in FORMATS:
        raise MemberError("unknown format %(fmt)s; choose one of: %(known)s", fmt=repr(fmt),
                          known=", ".join(FORMATS))
    found = record(person, user)
    if found is None:
        raise MemberError("no member with key %(key)s in the rounds you may see",
                          key=repr(person))
    data = record_exports.export(found, fmt)
    audit.record("members.export", actor, detail=f"person={person} format={fmt}")
    db.session.commit()
    return data
