"""voting.cast writes on the driver cursor of the session's connection
(statements.py), past the ORM: what is read back through the ORM is what was
meant, on SQLite and PostgreSQL alike.  In a round with a key that is a
sealed ballot (its proofs hold, its tracker names it, its comment is
encrypted) and nothing in plaintext; a round opened before ballots were
encrypted keeps storing plain answer rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from surveyapp.database import db
from surveyapp.domain.ballot_box import opening, sealing
from surveyapp.models import Answer, Ballot, Comment, Round, VoterCode, today
from surveyapp.services import ballot_box
from surveyapp.services import rounds as rounds_service
from surveyapp.services.voting import casting as voting
from surveyapp.services.voting.structure import round_structure

from .conftest import SHARES, SPEC, count_round, issue, make_round


def answers_of(structure):
    return {(s.key, structure.criteria[0].key): structure.options[i % 2].key
            for i, s in enumerate(structure.subjects)}


def test_a_cast_ballot_is_stored_sealed_and_reads_back_as_meant(app):
    round_ = make_round()
    [code] = issue(round_)
    structure = round_structure(round_.id, round_.slug)
    answers = answers_of(structure)
    receipt = voting.cast(structure, structure.groups[0], answers, code=code,
                          comment="  食堂排队太久  ")
    db.session.expire_all()
    ballot = db.session.scalar(select(Ballot))
    assert (ballot.round_id, ballot.group_id, ballot.channel) == (
        round_.id, structure.groups[0].id, "web")
    assert ballot.received_on == today() and ballot.receipt_hash is None
    assert ballot.tracker == sealing.tracker(ballot.sealed)
    assert receipt == sealing.receipt(ballot.tracker)
    assert sealing.check(ballot_box.box(round_).lock(), ballot.sealed) is None
    assert db.session.scalars(select(Answer)).all() == []
    assert db.session.scalars(select(Comment)).all() == []       # not until it is counted
    assert "食堂".encode() not in ballot.sealed_comment
    spent = db.session.scalar(select(VoterCode))
    assert (spent.status, spent.used_on) == ("used", today())
    # Spending the same code again changes nothing and says why.
    with pytest.raises(voting.VotingError) as refused:
        voting.cast(structure, structure.groups[0], answers, code=code)
    assert refused.value.reason == "used_code"
    assert len(db.session.scalars(select(Ballot)).all()) == 1
    # The trustees' shares open it to exactly the answers (a sum of one ballot).
    box = ballot_box.box(round_)
    table = opening.Counts(1)
    opened = [table.count_of(b, opening.shared_decryption(SHARES[round_.id], a))
              for a, b in sealing.ciphertexts(box.layout, ballot.sealed)]
    chosen = {box.layout.cells[p // len(box.layout.positions)]:
              box.layout.positions[p % len(box.layout.positions)]
              for p, n in enumerate(opened) if n}
    assert chosen == answers and sum(opened) == len(answers)
    # Counted: the comment comes back unlinked and trimmed.
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    comment = db.session.scalar(select(Comment))
    assert (comment.text, comment.subject_id, comment.round_id) == ("食堂排队太久", None,
                                                                     round_.id)
    assert db.session.scalar(select(Ballot.sealed_comment)) is None


def test_a_round_opened_before_the_ballot_box_keeps_storing_plain_answers(app):
    round_ = make_round()
    round_.public_key = None  # as a round opened before this version
    db.session.commit()
    structure = round_structure(round_.id, round_.slug)
    assert structure.lock is None
    answers = answers_of(structure)
    receipt = voting.cast(structure, structure.groups[0], answers, comment="意见")
    db.session.expire_all()
    ballot = db.session.scalar(select(Ballot))
    assert ballot.sealed is None and ballot.tracker is None
    assert ballot.receipt_hash == voting.codes.code_hash(receipt)
    ids = {(s.id, structure.criteria[0].id): structure.option_ids[answers[s.key, "overall"]]
           for s in structure.subjects}
    assert {(a.subject_id, a.criterion_id): a.option_id
            for a in db.session.scalars(select(Answer))} == ids
    assert db.session.scalar(select(Comment.text)) == "意见"


@pytest.mark.parametrize(("status", "reason"), [("closed", "closed"), ("draft", "not_open")])
def test_a_shared_link_ballot_is_refused_by_a_round_not_open(app, status, reason):
    """A link ballot spends no code, so cast checks the round itself: a
    ballot that raced a close stores nothing."""
    round_ = make_round('access = "link"\n' + SPEC)
    structure = round_structure(round_.id, round_.slug)
    db.session.get(Round, round_.id).status = status
    db.session.commit()
    with pytest.raises(voting.VotingError) as refused:
        voting.cast(structure, structure.groups[0], answers_of(structure))
    assert refused.value.reason == reason
    assert db.session.scalars(select(Ballot)).all() == []
