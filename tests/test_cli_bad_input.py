"""The command line never prints a traceback for bad input (issue 16 §5):
one line, exit status 2, whatever the file, argument, standard input or
setting.  The real ``surveyapp`` console entry point runs in a process of
its own, as a user would run it; a deeply nested TOML used to print a
2,999-line RecursionError and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import SPEC, make_round
from .hostile_inputs import dotted_toml, nested_toml, xlsx_bomb
from .live_server import ROOT

COMMAND = [sys.executable, "-c", "from surveyapp.cli import main; main()"]


@pytest.fixture
def run(app, tmp_path):
    def run(*args, stdin: bytes = b"", **env: str):
        environment = {**os.environ,
                       "SURVEYAPP_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                       "SURVEYAPP_INSTANCE_PATH": str(tmp_path / "instance"),
                       "PYTHONPATH": str(ROOT), **env}
        done = subprocess.run([*COMMAND, *args], input=stdin, capture_output=True, env=environment,
                              cwd=tmp_path, timeout=120)
        return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(
            errors="replace")
    return run


def refused_in_one_line(result) -> str:
    code, out, err = result
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("INFO ")]
    assert "Traceback" not in err + out, err[-2000:]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err[-2000:])
    return lines[0]


def write(path, data) -> str:
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


def test_specs_that_cannot_be_read_are_one_line_each(run, tmp_path):
    zero = tmp_path / "zero.xlsx"
    zero.symlink_to("/dev/zero")
    write(tmp_path / "bomb.xlsx", xlsx_bomb(32 * 1024 * 1024))
    cases = {
        "nest more than": write(tmp_path / "deep.toml", nested_toml(100_000)),
        "nest more than ": write(tmp_path / "dotted.toml", dotted_toml(5_000)),
        "cannot read the text": write(tmp_path / "latin.toml", b'title = "\xff\xfe"\n'),
        "larger than": write(tmp_path / "big.toml", b"# padding\n" * 300_000),
        "once unpacked": write(tmp_path / "bombed.toml",
                               'subjects_file = "bomb.xlsx"\n' + SPEC.split("[[subjects]]")[0]),
        "no such file": write(tmp_path / "zero.toml",
                              'subjects_file = "zero.xlsx"\n' + SPEC.split("[[subjects]]")[0]),
        "no such file ": str(tmp_path / "missing.toml"),
    }
    for expected, path in cases.items():
        assert expected.strip() in refused_in_one_line(run("rounds", "create", path)), path
    spec = write(tmp_path / "ok.toml", SPEC)
    assert "organisation" in refused_in_one_line(run("rounds", "create", spec, "--org", "x" * 300))


def test_files_given_to_a_round_are_bounded_and_must_be_text(run, tmp_path):
    open_ = make_round(slug="open1")
    closed = make_round(status="closed", slug="closed1")
    zero = tmp_path / "zero.txt"
    zero.symlink_to("/dev/zero")
    latin = write(tmp_path / "latin.txt", b"share: \xff\xfe\n")
    assert "larger than" in refused_in_one_line(
        run("rounds", "count", closed.slug, "--share", str(zero)))
    assert "cannot read the text" in refused_in_one_line(
        run("rounds", "count", closed.slug, "--share", latin))
    assert "cannot read the text" in refused_in_one_line(
        run("ballots", "import", open_.slug, latin))
    big = write(tmp_path / "big.csv", b"ballot,group,subject,criterion,option\n" + b"x" * 3_000_000)
    assert "larger than" in refused_in_one_line(run("ballots", "import", open_.slug, big))


def test_arguments_and_standard_input_that_are_wrong_are_one_line(run, tmp_path):
    round_ = make_round(slug="open2")
    assert "not UTF-8" in refused_in_one_line(run("rounds", "show", b"\xff\xfe".decode(
        "utf-8", "surrogateescape")))
    assert "--count" in refused_in_one_line(
        run("codes", "issue", round_.slug, "--group", "members", "--count", "abc"))
    assert "--count" in refused_in_one_line(
        run("codes", "issue", round_.slug, "--group", "members", "--count", "0"))
    assert "not UTF-8" in refused_in_one_line(
        run("users", "create", "bob", "--secretary", "--password-stdin", stdin=b"\xff\xfe\n"))
    assert "user name" in refused_in_one_line(
        run("users", "create", "a" * 100, "--secretary", "--password-stdin",
            stdin=b"long enough\n"))
    assert "--port" in refused_in_one_line(run("serve", "--port", "70000"))
    # On PostgreSQL (the CI's second run) backup itself is refused, in one line too.
    expected = ("for PostgreSQL use pg_dump" if os.environ.get("SURVEYAPP_TEST_DATABASE_URL")
                else "no such folder")
    assert expected in refused_in_one_line(
        run("backup", str(tmp_path / "missing" / "copy.sqlite")))
    assert "No such command" in refused_in_one_line(run("nosuchcommand"))


def test_settings_that_cannot_work_are_one_line(run):
    assert "SURVEYAPP_RATELIMIT_LOGINS" in refused_in_one_line(
        run("rounds", "list", SURVEYAPP_RATELIMIT_LOGINS="often"))
    assert "SURVEYAPP_BALLOT_KITS" in refused_in_one_line(
        run("rounds", "list", SURVEYAPP_BALLOT_KITS="many"))
    assert "SURVEYAPP_DATABASE_URL" in refused_in_one_line(
        run("rounds", "list", SURVEYAPP_DATABASE_URL="nonsense"))
    assert "cannot use database" in refused_in_one_line(
        run("db", "upgrade", SURVEYAPP_DATABASE_URL="sqlite:////nonexistent/dir/x.sqlite"))
