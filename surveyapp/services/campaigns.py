"""Campaigns in the database: create one from its spec, find those a user
may see, check a round may join one, and the 党委's figures and exports.

A campaign belongs to an organisation (the 党委 that runs it); rounds of
that organisation's subtree join it.  Whoever looks at a campaign sees it
only if it belongs to their own subtree, and its figures gather only the
rounds of the part of the tree both the campaign and the viewer cover
(:func:`scope`), so a branch secretary never sees a sibling branch.

The figures are built from each round's result *as shown*
(services/results.py reads ``Round.result_json``, already disclosure
checked); see domain/campaign.py for why that is all they may use.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from .. import plugins
from ..database import db
from ..domain import campaign as rules
from ..domain import lifecycle
from ..domain.model import RoundSpec
from ..domain.tally import present
from ..exports import campaign as campaign_exports
from ..models import (
    Campaign,
    CampaignRound,
    CommitteeDecision,
    MemberLink,
    Organisation,
    Round,
    Subject,
    User,
)
from . import audit, orgs
from .errors import ServiceError
from .results import shown_result
from .rounds import new_slug, round_spec

FORMATS = ("json", "csv", "xlsx", "pdf")


class CampaignError(ServiceError):
    """A campaign that does not exist, or that a round may not join."""


def parse(text: str, *, source: str = "<campaign>") -> rules.CampaignSpec:
    """The campaign spec, checked against the installed templates and their
    default standards; SpecErrors otherwise."""
    return rules.parse_campaign(text, source=source, templates=plugins.round_templates(),
                                standards=plugins.campaign_standards())


def spec_of(campaign: Campaign) -> rules.CampaignSpec:
    """The stored spec as the domain sees it.  It was stored resolved (the
    template's default standard merged in) and is read without the plugins,
    so a plugin changing its defaults, or gone, never changes a campaign."""
    return rules.parse_campaign(campaign.spec_text, source=campaign.slug)


def create(text: str, *, actor: str, org: Organisation | None = None,
           source: str = "<campaign>") -> Campaign:
    """Store a campaign spec (checked first: SpecErrors, nothing written) and commit."""
    spec = parse(text, source=source)
    org = org or orgs.default_org()
    slug = new_slug()
    while db.session.scalar(select(Campaign.id).where(Campaign.slug == slug)) is not None:
        slug = new_slug()
    resolved = rules.campaign_toml(spec.title, spec.template, spec.period,
                                   spec.standard.as_dict())
    campaign = Campaign(slug=slug, org_id=org.id, title=spec.title, template=spec.template,
                        period=spec.period, spec_text=resolved)
    db.session.add(campaign)
    audit.record("campaign.create", actor, detail=f"{slug} {spec.title}")
    db.session.commit()
    return campaign


def get(slug: str) -> Campaign | None:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def all_campaigns() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.id)))


def visible(user: User) -> list[Campaign]:
    """The campaigns of the user's organisation subtree (all for an admin), newest first."""
    query = select(Campaign).order_by(Campaign.id.desc())
    org_ids = orgs.visible_org_ids(user)
    if org_ids is not None:
        query = query.where(Campaign.org_id.in_(org_ids))
    return list(db.session.scalars(query))


def campaign_for(user: User, slug: str) -> Campaign | None:
    """The campaign if it exists and the user may see it; None either way."""
    return next((c for c in visible(user) if c.slug == slug), None)


def scope(campaign: Campaign, user: User | None = None) -> set[int]:
    """The organisations whose rounds count in the campaign for ``user``
    (None: the command line, which sees everything): the campaign's
    organisation subtree, cut to the user's own."""
    covered = orgs.subtree_ids(campaign.org_id)
    seen = orgs.visible_org_ids(user) if user is not None else None
    return covered if seen is None else covered & seen


def check_join(slug: str, spec: RoundSpec, org: Organisation) -> Campaign:
    """The campaign a new round of ``org`` with ``spec`` may join, or
    CampaignError saying why not (no such campaign, another template, an
    organisation outside the campaign's)."""
    campaign = get(slug)
    if campaign is None:
        raise CampaignError("no campaign with slug %(slug)s (see `surveyapp campaigns list`)",
                            slug=repr(slug))
    if spec.template != campaign.template:
        raise CampaignError("campaign %(slug)s compares rounds of template %(name)s; "
                            "this round's template is %(got)s", slug=slug,
                            name=campaign.template, got=spec.template or "none")
    if org.id not in orgs.subtree_ids(campaign.org_id):
        raise CampaignError("%(org)s is not part of the organisation running campaign "
                            "%(slug)s", org=org.name, slug=slug)
    return campaign


def rounds_in(campaign: Campaign, user: User | None = None, *,
              org_id: int | None = None) -> list[Round]:
    """The campaign's rounds within :func:`scope`, their settings (not their
    subjects: a kept result names them) loaded at once."""
    orgs_in = scope(campaign, user)
    if org_id is not None:  # one branch (its history)
        orgs_in &= {org_id}
    query = (select(Round).join(CampaignRound, CampaignRound.round_id == Round.id)
             .where(CampaignRound.campaign_id == campaign.id, Round.org_id.in_(orgs_in))
             .options(selectinload(Round.options), selectinload(Round.criteria),
                      selectinload(Round.groups))
             .order_by(Round.id))
    return list(db.session.scalars(query))


def branches(campaign: Campaign, user: User | None = None, *,
             org_id: int | None = None) -> list[rules.Branch]:
    """Each round as a branch with its result as shown (None until counted)."""
    found = rounds_in(campaign, user, org_id=org_id)
    names = dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_({r.org_id for r in found}))).all())
    decided: dict[int, dict[str, tuple[str, str]]] = {}
    for round_id, key, option, reason in db.session.execute(
            select(CommitteeDecision.round_id, Subject.key, CommitteeDecision.option_key,
                   CommitteeDecision.reason)
            .join(Subject, Subject.id == CommitteeDecision.subject_id)
            .where(CommitteeDecision.round_id.in_([r.id for r in found]))):
        decided.setdefault(round_id, {})[key] = (option, reason)
    out = []
    for round_ in found:
        spec = result = None
        if lifecycle.shows_results(round_.status) and not lifecycle.awaits_count(round_.status):
            # The kept result names its subjects: the spec's settings suffice.
            spec = round_spec(round_, with_subjects=False)
            result = shown_result(round_)
        out.append(rules.Branch(round_.org_id or 0, names.get(round_.org_id, ""), round_.slug,
                                round_.title, round_.status, spec, result,
                                decided.get(round_.id, {})))
    return out


def history(campaign: Campaign, org_id: int, user: User | None = None) -> dict | None:
    """One branch of ``campaign`` year over year: every campaign of the same
    template that the user may see and that covers the branch, by period;
    None when the branch is outside what the user sees of ``campaign``."""
    if org_id not in scope(campaign, user):
        return None
    org = orgs.get(org_id)
    years = []
    for other in (visible(user) if user is not None else all_campaigns()):
        if other.template != campaign.template or org_id not in scope(other, user):
            continue
        mine = branches(other, user, org_id=org_id)
        if mine:
            years.append((other.period, other.id, spec_of(other), other.slug, mine))
    years.sort(key=lambda y: (y[0], y[1]))
    slugs = {b.slug for y in years for b in y[4]}
    persons = {(slug, key): person for slug, key, person in db.session.execute(
        select(Round.slug, Subject.key, MemberLink.person_key)
        .join(Subject, Subject.id == MemberLink.subject_id)
        .join(Round, Round.id == MemberLink.round_id).where(Round.slug.in_(slugs)))}
    return rules.history(org.name if org else "", [y[2:] for y in years], persons)


def table(campaign: Campaign, user: User | None = None) -> dict:
    """The campaign's figures for ``user`` (exact; see domain/campaign.py)."""
    return rules.campaign_table(spec_of(campaign), campaign.slug, branches(campaign, user))


def tally_json(campaign: Campaign, user: User | None = None) -> dict:
    """The figures rounded for display, as ``surveyapp campaigns tally`` prints them."""
    return present(table(campaign, user))


def export(campaign: Campaign, fmt: str, *, actor: str, user: User | None = None) -> bytes:
    """The figures as json, csv, xlsx or pdf, recorded in the audit log."""
    if fmt not in FORMATS:
        raise CampaignError("unknown format %(fmt)s; choose one of: %(known)s", fmt=repr(fmt),
                            known=", ".join(FORMATS))
    data = campaign_exports.export(table(campaign, user), fmt)
    audit.record("campaign.export", actor, detail=f"{campaign.slug} format={fmt}")
    db.session.commit()
    return data


def joined_count(campaign: Campaign) -> int:
    """How many rounds joined (all of them, for `campaigns list`)."""
    return db.session.scalar(select(func.count()).select_from(CampaignRound).where(
        CampaignRound.campaign_id == campaign.id)) or 0


def campaign_of(round_: Round) -> Campaign | None:
    """The campaign a round joined, if any."""
    return db.session.scalar(select(Campaign).join(
        CampaignRound, CampaignRound.campaign_id == Campaign.id).where(
        CampaignRound.round_id == round_.id))
