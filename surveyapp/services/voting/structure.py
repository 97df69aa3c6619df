"""What the ballot page needs to know about a round, as an immutable snapshot
cached per process once the round is frozen.

A round's configuration (title, scale, criteria, groups, subjects, rules)
can change only while it is a draft (``Round.is_frozen``; the console refuses
edits afterwards and no status leads back to draft), so the snapshot of a
frozen round never goes stale and a ballot post needs no query for it.  A
draft is never cached.  The snapshot holds no status: the caller reads the
round's status on every request, and ``voting.cast`` checks it again in SQL
when the ballot is stored.  Nothing about codes or ballots is kept here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...database import db
from ...domain.ballot_box.sealing import RoundLock
from ...domain.model import RoundSpec, commitment_key
from ...domain.rules import BallotLimit, ballot_limits
from ...models import Round
from ..ballot_box import box
from ..rounds import round_spec
from .kits import KitPool


@dataclass(frozen=True)
class OptionView:
    id: int
    key: str
    label: str


@dataclass(frozen=True)
class CriterionView:
    id: int
    key: str
    label: str
    description: str
    #: Its sub-items as ``(label, points)`` (the 四强/四优 indicator tree).
    items: tuple[tuple[str, str], ...] = ()
    #: A subject's commitment item (承诺兑现; key ``commitment:<n>``, label its
    #: text), rated on the commitment scale rather than the round's.
    commitment: bool = False


@dataclass(frozen=True)
class GroupView:
    id: int
    key: str
    label: str


@dataclass(frozen=True)
class SubjectView:
    id: int
    key: str
    name: str
    unit: str
    post: str = ""
    #: Its commitment items (承诺事项), each a question on the commitment scale.
    commitments: tuple[str, ...] = ()

    def commitment_views(self) -> list[CriterionView]:
        return [CriterionView(0, commitment_key(i), text, "", (), True)
                for i, text in enumerate(self.commitments)]


@dataclass(frozen=True)
class RoundStructure:
    """A round as the ballot pages and ``voting.cast`` use it (``id``,
    ``title``, ``criteria``... like ``Round``), without its status."""

    id: int
    slug: str
    title: str
    access: str
    options: tuple[OptionView, ...]
    criteria: tuple[CriterionView, ...]
    groups: tuple[GroupView, ...]
    subjects: tuple[SubjectView, ...]
    spec: RoundSpec  # for the plugins' ballot rules
    option_ids: MappingProxyType  # option key -> id
    # The per-ballot limits a web ballot (every subject on it) announces.
    limits: tuple[BallotLimit, ...] = ()
    # What seals its ballots (its key, layout and context); None for a round
    # opened before ballots were encrypted, whose ballots stay plain.
    lock: RoundLock | None = field(default=None, compare=False, repr=False)
    # Kits for sealing made ahead in this process (kits.py), if any.
    kits: KitPool | None = field(default=None, compare=False, repr=False)
    # Generated form classes by ``(choose_group, group key)``, filled in by
    # forms.ballot_form.
    form_classes: dict = field(default_factory=dict, compare=False, repr=False)
    # The empty ballot page, the same for every voter but for a few marks
    # filled in per request, by what it depends on; filled in by the web.
    rendered: dict = field(default_factory=dict, compare=False, repr=False)
    # Per group key, the indexes (in ``subjects``) of the subjects the group
    # rates (评价关系): every subject unless the spec says ``rates``.
    rated: MappingProxyType = field(default_factory=lambda: MappingProxyType({}),
                                    compare=False, repr=False)

    def group(self, group_id: int) -> GroupView | None:
        return next((g for g in self.groups if g.id == group_id), None)

    @property
    def relations(self) -> bool:
        """Does some group rate only some of the subjects?"""
        return self.spec is not None and any(g.rates is not None for g in self.spec.groups)

    def limits_of(self, group_key: str | None) -> tuple[BallotLimit, ...]:
        """The per-ballot limits a ballot of ``group_key`` announces: of the
        subjects the group rates, where it rates only some."""
        if group_key is None or not self.relations or group_key not in self.rated:
            return self.limits
        try:
            return tuple(ballot_limits(self.spec, len(self.rated[group_key])))
        except ValueError:
            return ()

    def subjects_of(self, group_key: str | None) -> list[tuple[int, SubjectView]]:
        """``(index, subject)`` of the subjects on a ballot of ``group_key``
        (None: every subject), in ballot order."""
        indexes = self.rated.get(group_key) if group_key is not None else None
        if indexes is None:
            return list(enumerate(self.subjects))
        return [(i, self.subjects[i]) for i in indexes]


def _limits(spec: RoundSpec) -> list[BallotLimit]:
    try:
        return ballot_limits(spec)
    except ValueError:  # refused when the round was made; never stop a ballot over it
        return []


def snapshot(round_: Round) -> RoundStructure:
    sealed = box(round_)
    lock = sealed.lock() if sealed else None
    spec = round_spec(round_)
    position = {s.key: i for i, s in enumerate(round_.subjects)}
    rated = {g.key: tuple(position[k] for k in spec.rated(g.key)) for g in spec.groups}
    return RoundStructure(
        id=round_.id, slug=round_.slug, title=round_.title, access=round_.access,
        options=tuple(OptionView(o.id, o.key, o.label) for o in round_.options),
        criteria=tuple(CriterionView(c.id, c.key, c.label, c.description or "",
                                     tuple((i.label, _points(i.points)) for i in sc.items))
                       for c, sc in zip(round_.criteria, spec.criteria, strict=True)),
        groups=tuple(GroupView(g.id, g.key, g.label) for g in round_.groups),
        subjects=tuple(SubjectView(s.id, s.key, s.name, s.unit or "", s.post or "",
                                   s.commitments)
                       for s in round_.subjects),
        spec=spec, rated=MappingProxyType(rated),
        option_ids=MappingProxyType({o.key: o.id for o in round_.options}),
        limits=tuple(_limits(spec)),
        lock=lock, kits=KitPool(lock, current_app.config["BALLOT_KITS"]) if lock else None)


def _points(points) -> str:
    """Points as written: 10, 7.5, or 10/3 as it is."""
    if points.denominator == 1:
        return str(points.numerator)
    return str(float(points)) if 10**6 % points.denominator == 0 else str(points)


# Enough for every round an organisation runs at once; past it, start afresh.
CACHE_LIMIT = 256


def _cache() -> dict[tuple[int, str], RoundStructure]:
    # Per app, so test apps (each with its own database) never share entries.
    return current_app.extensions.setdefault("surveyapp.round_structures", {})


def round_structure(round_id: int, slug: str) -> RoundStructure | None:
    """The round's snapshot: from the cache if frozen, else loaded in one
    round trip per table (and cached if it has been frozen by then).  Keyed
    by id and the random slug, so a reused id can never match.  None if
    there is no such round."""
    cache = _cache()
    cached = cache.get((round_id, slug))
    if cached is not None:
        return cached
    round_ = db.session.scalar(
        select(Round).where(Round.id == round_id, Round.slug == slug)
        .options(selectinload(Round.options), selectinload(Round.criteria),
                 selectinload(Round.groups), selectinload(Round.subjects))
        .execution_options(populate_existing=True))
    if round_ is None:
        return None
    # The status is read before the rows below it, so a frozen status here
    # means the rows were loaded after the freeze.
    structure = snapshot(round_)
    if round_.is_frozen:
        if len(cache) >= CACHE_LIMIT:
            cache.clear()
        cache[(round_id, slug)] = structure
    return structure


def structure_of(round_: Round) -> RoundStructure:
    """The snapshot of a round already loaded (a shared-link round by slug)."""
    structure = round_structure(round_.id, round_.slug)
    assert structure is not None
    return structure
