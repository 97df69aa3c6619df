"""The per-process snapshot of a frozen round's structure (ballot/structure.py):
reused while the round is frozen, never taken for a draft, and never a way
round the status check when a ballot is stored."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, update

from surveyapp.database import db
from surveyapp.models import Ballot, Round, Subject, VoterCode
from surveyapp.services.voting.structure import round_structure
from surveyapp.web.ballot import views

from .conftest import csrf_token, full_ballot, issue, make_round

STRUCTURE_TABLES = ("scale_option", "criterion", "voter_group", "subject")


@pytest.fixture
def statements(app):
    """The SQL statements run while the fixture is live."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()).lower())

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def reads_structure(sql: str) -> bool:
    return sql.startswith("select") and any(f"from {t}" in sql for t in STRUCTURE_TABLES)


def ballots() -> int:
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_a_frozen_rounds_structure_is_loaded_once_and_reused(client, statements,
                                                            driver_statements):
    round_ = make_round()
    first, second = issue(round_, count=2)
    client.get(f"/c/{first}")
    statements.clear()
    html = client.get("/ballot").get_data(as_text=True)
    assert any(reads_structure(sql) for sql in statements)  # the first page loads it
    assert round_structure(round_.id, round_.slug) is round_structure(round_.id, round_.slug)

    client.get(f"/c/{second}")  # a new session, so a new form token
    html = client.get("/ballot").get_data(as_text=True)
    statements.clear()
    driver_statements.seen.clear()
    response = client.post("/ballot", data={"csrf_token": csrf_token(html),
                                            **full_ballot(round_)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/done")
    assert not [sql for sql in statements if reads_structure(sql)]
    # No look-up of the code first: one UPDATE spends it, checking its round,
    # group and status and the round's status together (on the driver's cursor).
    assert not [sql for sql in statements if "voter_code" in sql]
    assert not [sql for sql in driver_statements.seen
                if sql.startswith("select") and "voter_code" in sql]
    [spend] = [sql for sql in driver_statements.seen if sql.startswith("update voter_code")]
    assert all(column in spend for column in (
        "voter_code.code_hash", "voter_code.round_id", "voter_code.group_id",
        "voter_code.status", "round.status"))
    assert ballots() == 1


def test_a_draft_round_is_never_cached(app):
    round_ = make_round(status="draft")
    with app.test_request_context():
        before = round_structure(round_.id, round_.slug)
        assert [s.name for s in before.subjects] == ["张三", "李四"]
        # Drafts may still be edited: the next read sees the edit.
        db.session.execute(update(Subject).where(Subject.key == "lisi").values(name="李四四"))
        db.session.commit()
        after = round_structure(round_.id, round_.slug)
    assert after is not before
    assert [s.name for s in after.subjects] == ["张三", "李四四"]
    assert not app.extensions.get("surveyapp.round_structures")


def test_a_cached_structure_never_lets_a_ballot_into_a_closed_round(client):
    round_ = make_round()
    [code] = issue(round_)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)  # the structure is cached now
    assert app_cache(client)
    round_.status = "closed"
    db.session.commit()
    response = client.post("/ballot", data={"csrf_token": csrf_token(html),
                                            **full_ballot(round_)})
    assert response.status_code == 409
    assert ballots() == 0
    assert db.session.scalar(select(VoterCode.status)) == "issued"


def test_a_close_between_the_check_and_the_store_is_refused(client, monkeypatch):
    """The code was checked while the round was open and the structure came
    from the cache; the round closes just before the ballot is stored."""
    round_ = make_round()
    first, second = issue(round_, count=2)
    client.get(f"/c/{first}")
    client.get("/ballot")  # the structure is cached now
    client.get(f"/c/{second}")
    html = client.get("/ballot").get_data(as_text=True)
    read = views.read_ballot

    def close_then_read(structure, formdata, **kwargs):
        db.session.execute(update(Round).where(Round.id == structure.id)
                           .values(status="closed"))
        db.session.commit()
        return read(structure, formdata, **kwargs)

    monkeypatch.setattr(views, "read_ballot", close_then_read)
    response = client.post("/ballot", data={"csrf_token": csrf_token(html),
                                            **full_ballot(round_)})
    assert response.status_code == 409
    assert "投票已结束" in response.get_data(as_text=True)
    assert ballots() == 0
    assert set(db.session.scalars(select(VoterCode.status))) == {"issued"}


def app_cache(client) -> dict:
    return client.application.extensions.get("surveyapp.round_structures") or {}
