"""Database tables.

The anonymity promise is built into the schema: ``VoterCode`` (who may vote)
and ``Ballot`` (what was voted) share no column but the round and group, a
ballot's id is random, and it keeps a date, never a time.  Ballots, answers
and comments are ``WITHOUT ROWID`` tables on SQLite so not even the physical
row order records the order of arrival.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .database import db
from .domain import comments as comment_rules
from .domain import lifecycle

NO_ROWID = {"sqlite_with_rowid": False}

CODE_STATUSES = ("issued", "used", "void")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def today() -> dt.date:
    return dt.date.today()


class Organisation(db.Model):
    """企业 → 党委 → 党支部: a tree by ``parent_id``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    # 企业 / 党委 / 党总支 / 党支部: shown to people, not used in access rules.
    kind: Mapped[str] = mapped_column(String(20), default="", server_default="")


class User(db.Model):
    """An organiser.  Voters never have accounts.  The four members after the
    columns are what Flask-Login asks of a user."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))  # admin | secretary
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    #: Named by every console session of the user; logging out moves it on,
    #: which ends them all (a copied cookie included).
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    # A disabled account keeps its name (the audit log names it) but cannot log in.
    disabled: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        """What the session keeps: the user and the epoch it was made in."""
        return f"{self.id}.{self.session_epoch}"


class Campaign(db.Model):
    """A 党委's campaign (争创四强四优, 民主评议 across branches): the rounds of
    its branches that share a template and a period, compared side by side
    against an absolute standard (domain/campaign.py)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    # The 党委 running it: rounds of its subtree may join.
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(40), default="")
    # The campaign spec as TOML, its template's default standard merged in
    # (so a plugin changing its defaults never changes a campaign).
    spec_text: Mapped[str] = mapped_column(Text)
    created_on: Mapped[dt.date] = mapped_column(default=today)


class CampaignRound(db.Model):
    """A round that joined a campaign (its spec's ``campaign = "SLUG"``); a
    round joins one campaign at most."""

    __tablename__ = "campaign_round"
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)


class Round(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    title: Mapped[str] = mapped_column(String(200))
    template: Mapped[str | None] = mapped_column(String(80))
    access: Mapped[str] = mapped_column(String(10), default="codes")
    anonymity_min: Mapped[int] = mapped_column(default=5)
    status: Mapped[str] = mapped_column(String(12), default=lifecycle.DRAFT)
    rules_json: Mapped[str] = mapped_column(Text, default="{}")
    created_on: Mapped[dt.date] = mapped_column(default=today)
    # What the 公示 page shows once published, e.g. {"fields": ["name", "proposal"]}.
    publish_json: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    # The encrypted ballot box (domain/ballot_box).  Set in a draft: the
    # 监票人's names ([] for the secretary alone) and how many count together.
    trustee_names: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    threshold: Mapped[int | None]
    # Set at open: the public key, each trustee's verification key x_i·G
    # (hex, in trustee order) and the hash of the frozen spec.  A round with
    # no key was opened before ballots were encrypted: its ballots are plain.
    public_key: Mapped[str | None] = mapped_column(String(66))
    trustee_keys: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    spec_hash: Mapped[str | None] = mapped_column(String(64))
    # Set at counting: the result as shown (disclosure control applied;
    # services/results.py reads it).  None for rounds counted before.
    result_json: Mapped[str | None] = mapped_column(Text)
    # Optional deadlines, the round's own settings (UTC, naive): ballots are
    # refused before ``opens_at`` and after ``closes_at``.  No ballot keeps a time.
    opens_at: Mapped[dt.datetime | None]
    closes_at: Mapped[dt.datetime | None]

    options: Mapped[list[ScaleOption]] = relationship(
        order_by="ScaleOption.position", cascade="all, delete-orphan")
    criteria: Mapped[list[Criterion]] = relationship(
        order_by="Criterion.position", cascade="all, delete-orphan")
    groups: Mapped[list[VoterGroup]] = relationship(
        order_by="VoterGroup.position", cascade="all, delete-orphan")
    subjects: Mapped[list[Subject]] = relationship(
        order_by="Subject.position", cascade="all, delete-orphan")

    # What the round's status allows (domain/lifecycle.py), for views and templates.
    @property
    def is_frozen(self) -> bool:
        """The configuration may change only while the round is a draft."""
        return not lifecycle.settings_editable(self.status)

    @property
    def accepts_ballots(self) -> bool:
        return lifecycle.accepts_ballots(self.status)

    @property
    def deletable(self) -> bool:
        return lifecycle.deletable(self.status)

    @property
    def codes_can_change(self) -> bool:
        return lifecycle.codes_can_change(self.status)

    @property
    def shows_results(self) -> bool:
        return lifecycle.shows_results(self.status)

    @property
    def is_published(self) -> bool:
        return lifecycle.is_published(self.status)

    @property
    def awaits_count(self) -> bool:
        return lifecycle.awaits_count(self.status)

    @property
    def is_sealed(self) -> bool:
        """Are its ballots stored encrypted?  (No for rounds opened before that.)"""
        return self.public_key is not None

    @property
    def checks_receipts(self) -> bool:
        return lifecycle.checks_receipts(self.status)

    def can(self, transition: str) -> bool:
        return lifecycle.can(transition, self.status)


class _Keyed:
    """Columns shared by the parts of a round that a spec lists in order."""

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(default=0)


class ScaleOption(_Keyed, db.Model):
    __tablename__ = "scale_option"
    __table_args__ = (UniqueConstraint("round_id", "key"),)
    label: Mapped[str] = mapped_column(String(80))
    # Stored as a fraction string ("95", "172/2") so no float creeps in;
    # NULL is an abstention (不了解/弃权).
    points: Mapped[str | None] = mapped_column(String(40))

    @property
    def points_fraction(self) -> Fraction | None:
        return None if self.points is None else Fraction(self.points)


class Criterion(_Keyed, db.Model):
    __table_args__ = (UniqueConstraint("round_id", "key"),)
    label: Mapped[str] = mapped_column(String(200))
    weight: Mapped[str] = mapped_column(String(40), default="1")
    description: Mapped[str] = mapped_column(Text, default="")
    # Its sub-items as JSON [{"key", "label", "points": "a/b"}]; NULL: none.
    items_json: Mapped[str | None] = mapped_column(Text)


class VoterGroup(_Keyed, db.Model):
    __tablename__ = "voter_group"
    __table_args__ = (UniqueConstraint("round_id", "key"),)
    label: Mapped[str] = mapped_column(String(80))
    weight: Mapped[str] = mapped_column(String(40), default="1")
    expected: Mapped[int | None]
    # Paper ballots of this group recorded as 废票 (they broke the rules or
    # could not be read): a count only, nothing of what they said.
    spoiled: Mapped[int] = mapped_column(default=0, server_default="0")
    # Whom it rates (评价关系), as the spec's list in JSON; NULL: every subject.
    rates_json: Mapped[str | None] = mapped_column(Text)


class Subject(_Keyed, db.Model):
    __table_args__ = (UniqueConstraint("round_id", "key"),)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(200), default="")
    post: Mapped[str] = mapped_column(String(80), default="", server_default="")  # 职务
    # Its commitment items (承诺事项) as a JSON list of texts; NULL: none.
    commitments_json: Mapped[str | None] = mapped_column(Text)

    @property
    def commitments(self) -> tuple[str, ...]:
        return tuple(json.loads(self.commitments_json)) if self.commitments_json else ()


class VoterCode(db.Model):
    """A single-use code.  Only its SHA-256 is kept; ``used_on`` is a date so
    the moment of use cannot be matched with anything else."""

    __tablename__ = "voter_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("voter_group.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="issued")
    used_on: Mapped[dt.date | None]
    batch: Mapped[int] = mapped_column(default=1)
    # A test run's code (before the round opens): a test ballot only marks it
    # used, nothing of the ballot is stored, and opening deletes it.
    test: Mapped[bool] = mapped_column(default=False, server_default=sa_false())


class Ballot(db.Model):
    """One submitted ballot.  No code, no time, no IP: just its round, its
    voter group, how it came in (web or paper) and the day."""

    __table_args__ = (NO_ROWID,)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("voter_group.id"))
    channel: Mapped[str] = mapped_column(String(10), default="web")
    received_on: Mapped[dt.date] = mapped_column(default=today)
    # Plain rounds (opened before ballots were encrypted): SHA-256 of the
    # receipt shown to the voter, so they can check it counted.
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Sealed rounds: the answers as ciphertexts with their proofs
    # (domain/ballot_box/sealing.py), never in plaintext; the tracker (the
    # SHA-256 of the group and those bytes) is the voter's receipt.  The
    # comment is encrypted to the round's key and erased once counted.
    tracker: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed_comment: Mapped[bytes | None] = mapped_column(LargeBinary)


class Answer(db.Model):
    __table_args__ = (NO_ROWID,)
    ballot_id: Mapped[str] = mapped_column(ForeignKey("ballot.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), primary_key=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), primary_key=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("scale_option.id"))  # NULL: blank


class BoardSum(db.Model):
    """A sum the bulletin board publishes: for a *unit* (a voter group whose
    turnout is shown, ``~hidden`` for all the others together, ``~all`` for
    every ballot) and a position of the ballot layout (cell × option), the
    sum of the unit's ciphertexts; and, only where the results show that
    count, the count and each present trustee's partial decryption with its
    proof.  A hidden count is not stored at all (services/counting.py)."""

    __tablename__ = "board_sum"
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)  # ΣA | ΣB
    count: Mapped[int | None]
    partials: Mapped[bytes | None] = mapped_column(LargeBinary)


class Comment(db.Model):
    """Free text, deliberately unlinked from any ballot (and from any voter
    group: comments are only ever shown pooled); listed by its random id, so
    in a random order that stays put."""

    __table_args__ = (NO_ROWID,)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subject.id"))
    text: Mapped[str] = mapped_column(Text)
    # The secretary's review (domain/comments.py): pending until decided;
    # ``shown_text`` is the redacted text when the decision is "redact".  Who
    # decided and when is in the audit log, never here.  A server default
    # only: plain rounds insert comments past the ORM (voting/casting.py).
    decision: Mapped[str] = mapped_column(String(10), server_default=comment_rules.PENDING)
    shown_text: Mapped[str | None] = mapped_column(Text)


class CommitteeDecision(db.Model):
    """The 支委会's (or 党员大会's) final 评定 of one subject, with its reason,
    kept beside the software's proposal (测评建议): the software proposes,
    people decide (不能简单地以票取人).  Who decided and when is in the audit
    log; ``option_key`` is a grade of the round's scale."""

    __tablename__ = "committee_decision"
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), primary_key=True)
    option_key: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class MemberLink(db.Model):
    """The person a subject of a counted round is, as its secretary confirmed
    it: the stable key (a staff number, say) that follows a member across
    rounds and campaigns (domain/records.py).  Never derived from voter data;
    proposed by the same subject key or the same name and unit in earlier
    rounds, and stored only once confirmed.  Who confirmed it and when is in
    the audit log."""

    __tablename__ = "member_link"
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id"), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id"), index=True)
    person_key: Mapped[str] = mapped_column(String(64), index=True)


class AuditEvent(db.Model):
    """What organisers did (create, open, close, issue, import, publish).
    Never a ballot's content and never a voter's code."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int | None] = mapped_column(ForeignKey("round.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    detail: Mapped[str] = mapped_column(Text, default="")
