"""Counting: from the stored ballots of a round to the domain's
:class:`~surveyapp.domain.model.Counts`, the only thing the tally reads."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from ..database import db
from ..domain.model import Counts
from ..models import Answer, Ballot, Round


def load_counts(round_: Round) -> Counts:
    groups = {g.id: g.key for g in round_.groups}
    subjects = {s.id: s.key for s in round_.subjects}
    criteria = {c.id: c.key for c in round_.criteria}
    options = {o.id: o.key for o in round_.options}
    counts = Counts()
    per_criterion: Counter[tuple[str, str, str]] = Counter()
    for group_id, n in db.session.execute(
            select(Ballot.group_id, func.count()).where(Ballot.round_id == round_.id)
            .group_by(Ballot.group_id)):
        counts.ballots[groups[group_id]] = n
    # Every ballot that includes a subject has one row per criterion (a NULL
    # option is a blank; the importers fill those in), so a single GROUP BY
    # yields both the counts and how many ballots include each subject.
    for group_id, subject_id, criterion_id, option_id, n in db.session.execute(
            select(Ballot.group_id, Answer.subject_id, Answer.criterion_id, Answer.option_id,
                   func.count())
            .join(Answer, Answer.ballot_id == Ballot.id)
            .where(Ballot.round_id == round_.id)
            .group_by(Ballot.group_id, Answer.subject_id, Answer.criterion_id,
                      Answer.option_id)):
        group, subject = groups[group_id], subjects[subject_id]
        per_criterion[(group, subject, criteria[criterion_id])] += n
        if option_id is not None:
            key = (group, subject, criteria[criterion_id])
            counts.answers.setdefault(key, {})[options[option_id]] = n
    for (group, subject, _), n in per_criterion.items():
        counts.cast[(group, subject)] = max(counts.cast.get((group, subject), 0), n)
    return counts
