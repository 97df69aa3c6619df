"""Reading a posted ballot: the form data checked against the round's
structure, as plain data.

This is the one place a ballot post is validated.  A complete ballot goes
straight to ``voting.cast`` (which seals it) without building a form: a generated WTForms
form of 20 radio groups costs more than storing the ballot, and the voter
path must stay fast (bench/load.py).  Only when something is missing is the
form built, to show the page again with every answer kept and each problem
beside its field (``forms.ballot_form`` and ``views.show_ballot``).

The token is checked before this, by CSRFProtect, for every post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ...domain import rule_checks
from ...domain.model import COMMITMENT_OPTIONS, commitment_key
from ...services.voting.structure import RoundStructure

COMMENT_MAX = 1000  # characters; the textarea says so too (maxlength)

#: The choice "myself, not rated" (本人不评) where the round allows it
#: (``leave_own_name_out``): the subject is not on this ballot at all.
LEFT_OUT = "_absent"


def offers_left_out(round_: RoundStructure) -> bool:
    spec = round_.spec
    return spec is not None and rule_checks.setting(spec.rules, "leave_own_name_out") is True


def field_name(subject_index: int, criterion_index: int) -> str:
    """The form field of one subject's grade on one criterion."""
    return f"q-{subject_index}-{criterion_index}"


def commitment_field(subject_index: int, item_index: int) -> str:
    """The form field of one subject's commitment item (承诺兑现)."""
    return f"k-{subject_index}-{item_index}"


@dataclass(frozen=True)
class PostedBallot:
    # (subject_key, criterion_key) -> option_key, as the plugins' rules see it
    keyed: dict[tuple[str, str], str]
    group_key: str | None  # the group chosen on the ballot, if it offers a choice
    comment: str
    # Field names without one of the offered options: "q-<s>-<c>", "k-<s>-<i>" or "group".
    missing: tuple[str, ...]
    comment_too_long: bool
    # (subject_key, "commitment:<n>") -> commitment option: kept apart from
    # ``keyed``, which the plugins' ballot rules read (their scale, not this one).
    commitments: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def answers(self) -> dict[tuple[str, str], str]:
        """Everything the ballot says, commitment items included: what is sealed."""
        return {**self.keyed, **self.commitments}

    @property
    def complete(self) -> bool:
        return not self.missing and not self.comment_too_long


def read_ballot(round_: RoundStructure, formdata: Mapping[str, str], *,
                choose_group: bool, group_key: str | None = None) -> PostedBallot:
    """What a posted form says, field by field.  Values other than the
    round's option keys count as missing; keys the ballot does not ask for
    are ignored (a subject the voter's group ``group_key`` does not rate is
    not on its ballot).  For a repeated field the first value counts, as in
    WTForms."""
    option_ids = round_.option_ids
    subjects = round_.subjects_of(group_key)
    keyed: dict[tuple[str, str], str] = {}
    commitments: dict[tuple[str, str], str] = {}
    missing: list[str] = []
    group_key = None
    if choose_group:
        group_key = formdata.get("group")
        if group_key not in {g.key for g in round_.groups}:
            group_key = None
            missing.append("group")
    left_out = offers_left_out(round_)
    for si, subject in subjects:
        names = [field_name(si, ci) for ci in range(len(round_.criteria))]
        if left_out and any(formdata.get(name) == LEFT_OUT for name in names):
            continue  # 本人不评: not on this ballot, so nothing is missing either
        for name, criterion in zip(names, round_.criteria, strict=True):
            value = formdata.get(name)
            if value is None or value not in option_ids:
                missing.append(name)
            else:
                keyed[subject.key, criterion.key] = value
        for i in range(len(subject.commitments)):
            name, value = commitment_field(si, i), formdata.get(commitment_field(si, i))
            if value not in COMMITMENT_OPTIONS:
                missing.append(name)
            else:
                commitments[subject.key, commitment_key(i)] = value
    comment = formdata.get("comment") or ""
    return PostedBallot(keyed=keyed, group_key=group_key, comment=comment,
                        missing=tuple(missing), comment_too_long=len(comment) > COMMENT_MAX,
                        commitments=commitments)
