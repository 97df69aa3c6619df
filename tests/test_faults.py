"""Faults (issue 7 §4): a failure or a crash between spending a code and
storing its ballot loses nothing and counts nothing; `surveyapp backup`
takes a consistent copy while ballots arrive, and the copy restores; a
missing, older or newer schema stops the commands and the server with a
clear line."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest
from sqlalchemy import func, select, text

from surveyapp import create_app
from surveyapp.database import db
from surveyapp.models import Answer, Ballot, Comment, VoterCode
from surveyapp.services.results import tally_json
from surveyapp.services.rounds import get_round, transition
from surveyapp.services.voting import casting as voting
from surveyapp.services.voting.structure import structure_of

from .conftest import SHARES, count_round, csrf_token, full_ballot, issue, make_round
from .live_server import ROOT, SURVEYAPP, LiveServer, server_environment


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def nothing_stored_and_code_unspent():
    db.session.expire_all()
    assert (count(Ballot), count(Answer), count(Comment)) == (0, 0, 0)
    assert db.session.scalar(select(VoterCode.status)) == "issued"


def sealed_ballots() -> int:
    return count(Ballot, Ballot.sealed.is_not(None), Ballot.sealed_comment.is_not(None))


class Boom(RuntimeError):
    pass


# A sealed ballot is one row (answers and comment inside it, encrypted): the
# write can fail at its insert or at the commit.
@pytest.mark.parametrize("where", ["ballot", "commit"])
def test_a_failure_after_the_code_is_spent_rolls_everything_back(client, monkeypatch,
                                                                  driver_statements, where):
    round_ = make_round()
    [code] = issue(round_)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)

    def failing_insert(sql):
        if where != "commit" and sql.startswith(f"insert into {where} "):
            raise Boom(f"disk full while storing the {where}")

    def failing_commit():
        raise Boom("connection lost at commit")

    spent = []

    def spy(sql, cursor):
        if sql.startswith("update voter_code"):
            spent.append(cursor.rowcount)  # the code was marked used before the failure

    driver_statements.before.append(failing_insert)
    driver_statements.after.append(spy)
    if where == "commit":
        monkeypatch.setattr(db.session, "commit", failing_commit)
    data = {"csrf_token": csrf_token(html), "comment": "意见", **full_ballot(round_)}
    with pytest.raises(Boom):
        client.post("/ballot", data=data)
    driver_statements.before.clear()
    driver_statements.after.clear()
    assert spent == [1]
    monkeypatch.undo()
    nothing_stored_and_code_unspent()

    # The voter tries again and is counted once.
    response = client.post("/ballot", data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/done")
    assert (count(Ballot), sealed_ballots(), count(Answer), count(Comment)) == (1, 1, 0, 0)


CRASH = textwrap.dedent("""
    import os, sys
    from surveyapp import create_app
    from surveyapp.services.voting import casting as voting
    from surveyapp.services.rounds import get_round
    from surveyapp.services.voting.structure import structure_of

    url, slug, code = sys.argv[1:]

    def dying_insert(connection, rows):
        # The code is spent; the sealed ballot is being written, uncommitted.
        os._exit(9)

    voting._INSERT_BALLOT.executemany = dying_insert

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        round_ = structure_of(get_round(slug))
        answers = {(s.key, round_.criteria[0].key): round_.options[0].key
                   for s in round_.subjects}
        voting.cast(round_, round_.groups[0], answers, code=code)
    sys.exit(0)
""")


def test_a_process_crash_mid_ballot_loses_nothing_and_counts_nothing(app, client, tmp_path):
    round_ = make_round()
    [code] = issue(round_)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASH, app.config["SQLALCHEMY_DATABASE_URI"], round_.slug, code],
        env=server_environment(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "i"),
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr
    nothing_stored_and_code_unspent()
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    assert client.post("/ballot", data={"csrf_token": csrf_token(html),
                                        **full_ballot(round_)}).status_code == 302
    assert count(Ballot) == 1


@pytest.mark.sqlite_only(reason="SQLite's own durability settings")
def test_sqlite_commits_wait_for_the_disk_in_wal_mode(app):
    """A ballot the voter was told is counted survives a power cut."""
    settings = [db.session.execute(text(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys")]
    assert settings == ["wal", 2, 1]  # 2 is FULL: every commit is synced


# -- backup and restore ----------------------------------------------------------

@pytest.mark.sqlite_only(reason="surveyapp backup uses SQLite's online backup")
def test_backup_while_ballots_arrive_is_consistent_and_restores(app, tmp_path, monkeypatch):
    round_ = make_round()
    voters = issue(round_, count=40)
    slug = round_.slug

    def vote_all():
        with app.app_context():
            r = structure_of(get_round(slug))
            answers = {(s.key, r.criteria[0].key): r.options[1].key for s in r.subjects}
            for code in voters:
                voting.cast(r, r.groups[0], answers, code=code)

    # An uncommitted write held open during the backup must not be in it.
    path = db.engine.url.database
    writer = sqlite3.connect(path, timeout=30)
    voting_thread = threading.Thread(target=vote_all)
    voting_thread.start()
    backups = []
    for i in range(3):
        target = tmp_path / f"backup-{i}.sqlite"
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        assert result.exit_code == 0, result.output
        backups.append(target)
    voting_thread.join(timeout=120)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE round SET title = 'uncommitted'")
    final = tmp_path / "final.sqlite"
    assert app.test_cli_runner().invoke(args=["backup", str(final)]).exit_code == 0
    writer.rollback()
    writer.close()

    for target in backups:  # each copy is one moment: every ballot whole, every code matched
        copy = sqlite3.connect(target)
        ballots, = copy.execute("SELECT count(*) FROM ballot").fetchone()
        sealed, = copy.execute("SELECT count(*) FROM ballot WHERE sealed IS NOT NULL").fetchone()
        used, = copy.execute("SELECT count(*) FROM voter_code WHERE status = 'used'").fetchone()
        copy.close()
        assert sealed == ballots and used == ballots

    transition(round_, "close", actor="test")
    count_round(round_)
    original = tally_json(round_)
    # The final copy predates the close: close it there too, then compare.
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "restored"))
    restored = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{final}", "SECRET_KEY": "x",
                           "RATELIMIT_ENABLED": False})
    with restored.app_context():
        copy_round = get_round(slug)
        assert copy_round.title != "uncommitted"
        assert count(Ballot) == 40
        transition(copy_round, "close", actor="test")
        count_round(copy_round, SHARES[round_.id])  # the same 监票人 count the copy
        assert tally_json(copy_round)["subjects"] == original["subjects"]
        listed = restored.test_cli_runner().invoke(args=["rounds", "list"])
        assert listed.exit_code == 0 and slug in listed.output
        db.session.remove()
        db.engine.dispose()


# -- schema checks ---------------------------------------------------------------

@pytest.fixture
def bare_app(tmp_path, monkeypatch):
    """An app on an empty SQLite file, with no app context pushed."""
    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    path = tmp_path / "bare.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x",
                      "RATELIMIT_ENABLED": False})
    yield app
    with app.app_context():
        db.engine.dispose()


def run_cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))  # .output has stderr too


def tables(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(text("SELECT name FROM sqlite_master WHERE type='table'")))


def set_revision(app, revision: str) -> None:
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        db.session.commit()


def test_commands_on_a_database_without_a_schema_say_to_upgrade(bare_app):
    result = run_cli(bare_app, "rounds", "list")
    assert result.exit_code == 2
    assert "has no surveyapp schema yet; run `surveyapp db upgrade` first" in result.output
    assert tables(bare_app) == set()  # nothing half-created
    assert run_cli(bare_app, "db", "upgrade").exit_code == 0  # `db` itself is never blocked
    assert run_cli(bare_app, "rounds", "list").exit_code == 0


def test_commands_on_an_older_schema_say_to_upgrade(bare_app):
    assert run_cli(bare_app, "db", "upgrade").exit_code == 0
    set_revision(bare_app, "0001")
    result = run_cli(bare_app, "codes", "issue", "x", "--group", "g", "--count", "1")
    assert result.exit_code == 2
    assert "is at revision 0001, this surveyapp needs" in result.output
    assert "run `surveyapp db upgrade`" in result.output


def test_commands_and_the_server_refuse_a_newer_schema(bare_app, tmp_path):
    assert run_cli(bare_app, "db", "upgrade").exit_code == 0
    set_revision(bare_app, "9999_from_the_future")
    for args in (["rounds", "list"], ["demo"], ["tally", "x"]):
        result = run_cli(bare_app, *args)
        assert result.exit_code == 2, args
        assert ("is at revision 9999_from_the_future, this surveyapp knows up to"
                in result.output), result.output
        assert "upgrade surveyapp" in result.output
    url = bare_app.config["SQLALCHEMY_DATABASE_URI"]
    served = subprocess.run([*SURVEYAPP, "serve", "--port", "9"], cwd=tmp_path,
                            env=server_environment(url, tmp_path / "instance"),
                            capture_output=True, text=True, timeout=120)
    assert served.returncode == 2
    assert "this surveyapp knows up to" in served.stderr
    assert "Starting gunicorn" not in served.stderr + served.stdout


def test_the_server_creates_a_missing_schema_and_serves(tmp_path):
    server = LiveServer(f"sqlite:///{tmp_path / 'new.sqlite'}", tmp_path, workers=1)
    try:
        import urllib.request

        with urllib.request.urlopen(server.url + "/", timeout=30) as page:
            assert page.status == 200
    finally:
        server.stop()
