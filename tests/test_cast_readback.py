"""voting.cast writes on the driver cursor of the session's connection
(prepared.py), past the ORM: what is read back through the ORM is what was
meant (ids, dates, a trimmed comment apart from the ballot), on SQLite and
PostgreSQL alike."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.database import db
from surveyapp.models import Answer, Ballot, Comment, VoterCode, today
from surveyapp.services.voting import casting as voting
from surveyapp.services.voting.structure import round_structure

from .conftest import SPEC, issue, make_round


def test_a_cast_ballot_reads_back_as_written(app):
    round_ = make_round()
    [code] = issue(round_)
    structure = round_structure(round_.id, round_.slug)
    answers = {(s.id, structure.criteria[0].id): structure.options[i % 2].id
               for i, s in enumerate(structure.subjects)}
    receipt = voting.cast(structure, structure.groups[0], answers, code=code,
                          comment="  食堂排队太久  ")
    db.session.expire_all()
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.round_id, ballot.group_id, ballot.channel) == (
        round_.id, structure.groups[0].id, "web")
    assert ballot.received_on == today() and ballot.receipt_hash == voting.codes.code_hash(
        receipt)
    stored = {(a.subject_id, a.criterion_id): a.option_id
              for a in db.session.scalars(select(Answer))}
    assert stored == answers and all(a.ballot_id == ballot.id
                                     for a in db.session.scalars(select(Answer)))
    spent = db.session.scalar(select(VoterCode))
    assert (spent.status, spent.used_on) == ("used", today())
    comment = db.session.scalar(select(Comment))
    assert (comment.text, comment.subject_id, comment.round_id) == ("食堂排队太久", None,
                                                                     round_.id)
    # Spending the same code again changes nothing and says why.
    with pytest.raises(voting.VotingError) as refused:
        voting.cast(structure, structure.groups[0], answers, code=code)
    assert refused.value.reason == "used_code"
    assert len(db.session.scalars(select(Ballot)).all()) == 1


@pytest.mark.parametrize(("status", "reason"), [("closed", "closed"), ("draft", "not_open")])
def test_a_shared_link_ballot_is_refused_by_a_round_not_open(app, status, reason):
    """A link ballot spends no code, so cast checks the round itself: a
    ballot that raced a close stores nothing."""
    from surveyapp.models import Round

    round_ = make_round('access = "link"\n' + SPEC)
    structure = round_structure(round_.id, round_.slug)
    db.session.get(Round, round_.id).status = status
    db.session.commit()
    answers = {(s.id, structure.criteria[0].id): structure.options[0].id
               for s in structure.subjects}
    with pytest.raises(voting.VotingError) as refused:
        voting.cast(structure, structure.groups[0], answers)
    assert refused.value.reason == reason
    assert db.session.scalars(select(Ballot)).all() == []
