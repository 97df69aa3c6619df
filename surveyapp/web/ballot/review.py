"""What the ballot page says about the answers so far: the progress count and,
after a refused submit, the review list (which subjects are still ungraded,
which other problems there are, each with the id of the card to jump to).

Without JavaScript this is the review step: the server's answer to an
incomplete ballot lists the missing subjects by name with links to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .forms import BallotForm


@dataclass
class Review:
    total: int
    answered: set[int] = field(default_factory=set)  # subject indexes
    unanswered: list[tuple[str, str]] = field(default_factory=list)  # (anchor, name)
    missing: set[int] = field(default_factory=set)  # ungraded after a submit
    # (anchor, subject name or None, message)
    problems: list[tuple[str | None, str | None, str]] = field(default_factory=list)
    # Per ballot limit (form.limits): how many have the option so far, on
    # the criterion where most have it.
    limit_counts: list[int] = field(default_factory=list)

    @property
    def done(self) -> int:
        return len(self.answered)


def subject_anchor(index: int) -> str:
    return f"subject-{index}"


def is_answered(row) -> bool:
    """Every criterion of the subject has one of the offered options."""
    return all(f.data in {c.value for c in f.choices} for _, f in row)


def review(form: BallotForm, *, submitted: bool) -> Review:
    questions = form.questions()
    result = Review(total=len(questions))
    for index, (subject, row) in enumerate(questions):
        if is_answered(row):
            result.answered.add(index)
            # An answered subject can still break a plugin's rule.
            result.problems += [(subject_anchor(index), subject.name, message)
                                for _, f in row for message in f.errors]
        elif submitted:
            result.missing.add(index)
            result.unanswered.append((subject_anchor(index), subject.name))
    for limit in form.limits:
        per_criterion: dict[int, int] = {}
        for _subject, row in questions:
            for ci, (criterion, f) in enumerate(row):
                if criterion.commitment:
                    continue
                per_criterion[ci] = per_criterion.get(ci, 0) + (f.data == limit.option)
        result.limit_counts.append(max(per_criterion.values(), default=0))
    if submitted:
        if "group" in form:
            result.problems[:0] = [("group", None, m) for m in form["group"].errors]
        result.problems[:0] = [(None, None, m) for m in form.form_errors]
        result.problems += [("comment", None, m) for m in form.comment.errors]
    return result
