"""What someone who reads the database files learns, tried as an outside
reviewer would: copies of the SQLite file and its -wal taken while a live
server takes ballots, the output of ``surveyapp backup``, and on PostgreSQL
every row with its ``xmin`` (rows one transaction writes share it, so a
spent code's row and its ballot's rows are joined by it).

Each voter writes a marker comment no one else writes, on a scale whose
option keys are distinctive strings.  A plaintext ballot anywhere would put
its comment there, and its answers (option ids) in an answer row; neither
may be found, and every ballot row must hold only its sealed bytes.
"""

from __future__ import annotations

import pathlib
import secrets
import shutil
import threading

import pytest
from sqlalchemy import inspect, select, text

from surveyapp.database import db
from surveyapp.models import Answer, Ballot, Comment
from surveyapp.services import rounds as rounds_service

from .conftest import count_round, issue, make_round
from .databases import on_postgresql
from .live_server import Device, LiveServer

OPTIONS = ("zqxjexcellentzqxj", "zqxjqualifiedzqxj", "zqxjunknownzqxj")
SPEC = f"""
title = "取证测试"
anonymity_min = 1
[scale]
options = [
  {{ key = "{OPTIONS[0]}", label = "优秀", points = 100 }},
  {{ key = "{OPTIONS[1]}", label = "合格", points = 80 }},
  {{ key = "{OPTIONS[2]}", label = "不了解" }},
]
[[groups]]
key = "members"
label = "党员"
[[subjects]]
key = "zhangsan"
name = "张三"
[[subjects]]
key = "lisi"
name = "李四"
"""
VOTERS = 24


@pytest.fixture
def server(app, tmp_path):
    live = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    yield live
    live.stop()


def cast_with_markers(server, codes) -> tuple[list[str], list[threading.Thread]]:
    """Every voter casts a ballot with their own marker comment, on their own
    phone, all at once (threads still running when this returns); returns
    the markers and the threads."""
    markers = [f"MARKER-{secrets.token_hex(8)}" for _ in codes]

    def vote(code, marker, i):
        phone = Device(server.url)
        phone.scan(code)
        answers = {"q-0-0": OPTIONS[i % 3], "q-1-0": OPTIONS[(i + 1) % 3], "comment": marker}
        assert phone.submit(answers) == "done"

    threads = [threading.Thread(target=vote, args=(code, marker, i))
               for i, (code, marker) in enumerate(zip(codes, markers, strict=True))]
    for thread in threads:
        thread.start()
    return markers, threads


def assert_no_plaintext(data: bytes, markers: list[str], where: str) -> None:
    for marker in markers:
        assert marker.encode() not in data, f"{marker} in {where}"
        assert marker.encode("utf-16-le") not in data, f"{marker} (UTF-16) in {where}"


def assert_rows_hold_no_ballot(markers: list[str]) -> None:
    db.session.rollback()
    assert db.session.scalars(select(Answer)).all() == []
    assert db.session.scalars(select(Comment)).all() == []
    for ballot in db.session.scalars(select(Ballot)):
        assert ballot.sealed and ballot.tracker and ballot.receipt_hash is None
        assert_no_plaintext(ballot.sealed + ballot.sealed_comment, markers, "a ballot row")
        assert not any(key.encode() in ballot.sealed for key in OPTIONS)


@pytest.mark.sqlite_only(reason="reads SQLite's files, -wal included")
def test_the_database_files_copied_mid_vote_hold_no_answer_or_comment(app, server, tmp_path,
                                                                       cli):
    round_ = make_round(SPEC)
    codes = issue(round_, count=VOTERS)
    path = db.engine.url.database
    markers, threads = cast_with_markers(server, codes)
    copies = []
    while any(t.is_alive() for t in threads) or not copies:
        # Copied as a thief would, file by file while it is written.
        for suffix in ("", "-wal"):
            target = tmp_path / f"copy-{len(copies)}{suffix or '-main'}"
            try:
                shutil.copyfile(path + suffix, target)
            except FileNotFoundError:
                continue
            copies.append(target)
    for thread in threads:
        thread.join(timeout=120)
    for suffix in ("", "-wal"):
        final = tmp_path / f"final{suffix or '-main'}"
        if pathlib.Path(path + suffix).exists():
            shutil.copyfile(path + suffix, final)
            copies.append(final)
    backup = tmp_path / "backup.sqlite"
    assert cli("backup", backup).exit_code == 0
    copies.append(backup)
    assert any(c.name.endswith("-wal") for c in copies)  # the -wal was there to read
    for copy in copies:
        assert_no_plaintext(copy.read_bytes(), markers, copy.name)
    assert_no_plaintext(server.log.read_bytes(), markers, "the server's log")
    assert_rows_hold_no_ballot(markers)
    # The ballots are all there, sealed: counted, every marker comes back.
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    assert sorted(db.session.scalars(select(Comment.text))) == sorted(markers)


@pytest.mark.skipif(not on_postgresql(), reason="reads PostgreSQL's rows and xmin")
def test_postgresql_rows_and_their_xmin_hold_no_answer_or_comment(app, server):
    round_ = make_round(SPEC)
    codes = issue(round_, count=VOTERS)
    markers, threads = cast_with_markers(server, codes)
    for thread in threads:
        thread.join(timeout=120)
    db.session.rollback()
    tables = inspect(db.engine).get_table_names()
    by_transaction: dict[str, list[str]] = {}
    for table in tables:
        for xmin, row in db.session.execute(text(
                f'SELECT xmin::text, row_to_json(t)::text FROM "{table}" t')):
            by_transaction.setdefault(xmin, []).append(f"{table}: {row}")
            assert_no_plaintext(row.encode(), markers, f"{table} (xmin {xmin})")
    # Each ballot's transaction holds the spent code and the sealed ballot, nothing else.
    spent = [rows for rows in by_transaction.values()
             if any(r.startswith("voter_code:") and '"used"' in r for r in rows)]
    assert len(spent) == VOTERS
    for rows in spent:
        assert sorted(r.split(":")[0] for r in rows) == ["ballot", "voter_code"]
    assert_rows_hold_no_ballot(markers)
