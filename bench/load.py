"""Load benchmark: ballots per second through the real server, beside a bare
baseline, in the same run.

Two servers are started on loopback with the same gunicorn settings
(``surveyapp.cli.serve.run``: gthread, ``--workers`` processes of ``--threads``
threads, by default those of ``surveyapp serve``: two per CPU, one thread;
no access log):

* the baseline: a bare Flask app whose one endpoint parses the same form and
  does one raw ``sqlite3`` insert of the same rows (a ballot and its answers)
  into a database of the same schema, in one transaction;
* surveyapp itself (``surveyapp serve``): ``POST /ballot`` with the session,
  CSRF check, ballot validation and plugin rules, the rate limiter, the code
  spent and the ballot and its answers stored in one transaction.

Both servers run side by side and are measured in turn, ``--rounds`` times
over (baseline, surveyapp, baseline, surveyapp, ...), so that a machine busier
in one moment than the next weighs on both alike; each figure is the mean over
its windows.  In each window, client processes submit ballots of ``--answers``
answers, each with its own distinct code, for ``--seconds``.  Each client's
sessions are prepared beforehand as scanning a slip leaves them (the code and
a CSRF token in a session cookie signed with the server's key), so the timed
windows hold only ballot submissions.  The rate limits are raised for the run (every client
shares 127.0.0.1) but the limiter still runs.

Target: surveyapp at least half the baseline's ballots per second, with zero
errors, and every accepted ballot stored once.  Exit status 1 otherwise.

Usage: ``.venv/bin/python bench/load.py [--seconds 5] [--rounds 3] [--clients 8] [--workers N]
[--threads 1]``
(``--database-url postgresql+psycopg://...`` runs surveyapp on an empty
PostgreSQL database; the baseline stays SQLite).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 0.5
SECRET = "bench-" + secrets.token_hex(8)
UNLIMITED = "1000000 per minute"


def spec_text(answers: int) -> str:
    return ('title = "负载测试"\nanonymity_min = 1\n[scale]\noptions = [\n'
            '  { key = "excellent", label = "优秀", points = 100 },\n'
            '  { key = "qualified", label = "合格", points = 80 },\n'
            '  { key = "basic", label = "基本合格", points = 60 },\n'
            '  { key = "unknown", label = "不了解" },\n]\n'
            '[[groups]]\nkey = "members"\nlabel = "党员"\n'
            + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i:02d}"\n'
                      for i in range(answers)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the baseline ---------------------------------------------------------------

def baseline_app(database: str, round_id: int, group_id: int, subject_ids: list[int],
                 criterion_id: int, option_ids: dict[str, int]):
    """A bare Flask app: parse the form, one raw insert of the same rows."""
    import datetime as dt

    from flask import Flask, redirect, request

    app = Flask("baseline")
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "con"):
            local.con = sqlite3.connect(database, timeout=30, isolation_level=None)
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000",
                           "foreign_keys=ON"):
                local.con.execute(f"PRAGMA {pragma}")
        return local.con

    @app.post("/baseline")
    def insert():
        form = request.form
        ballot_id = secrets.token_hex(16)
        rows = [(ballot_id, sid, criterion_id, option_ids[form[f"q-{i}-0"]])
                for i, sid in enumerate(subject_ids)]
        con = connection()
        con.execute("BEGIN")
        con.execute("INSERT INTO ballot (id, round_id, group_id, channel, received_on, "
                    "receipt_hash) VALUES (?, ?, ?, 'web', ?, ?)",
                    (ballot_id, round_id, group_id, dt.date.today().isoformat(),
                     secrets.token_hex(32)))
        con.executemany("INSERT INTO answer (ballot_id, subject_id, criterion_id, option_id) "
                        "VALUES (?, ?, ?, ?)", rows)
        con.execute("COMMIT")
        return redirect("/done")

    return app


def serve_baseline(port: int, workers: int, threads: int, database: str, layout: dict) -> None:
    from surveyapp.cli.serve import run

    run(baseline_app(database, **layout), host="127.0.0.1", port=port, workers=workers,
        threads=threads)


# -- set-up ---------------------------------------------------------------------

def prepare(database_url: str, answers: int, codes: int) -> tuple[dict, list[tuple[str, str]]]:
    """Migrate, create and open a round, issue codes, and make for each code
    the session cookie and form token that scanning its slip would leave."""
    from flask import session
    from flask_migrate import upgrade
    from flask_wtf.csrf import generate_csrf

    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.domain.spec import parse_spec
    from surveyapp.services import codes as codes_service
    from surveyapp.services import rounds as rounds_service
    from surveyapp.services.voting.casting import CodeCheck
    from surveyapp.web.ballot.views import hold_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        round_ = rounds_service.create_round(parse_spec(spec_text(answers)), actor="bench")
        rounds_service.open_round(round_, actor="bench")
        plain = codes_service.issue(round_, "members", codes, actor="bench")[0]
        db.session.commit()
        layout = {"round_id": round_.id, "group_id": round_.groups[0].id,
                  "subject_ids": [s.id for s in round_.subjects],
                  "criterion_id": round_.criteria[0].id,
                  "option_ids": {o.key: o.id for o in round_.options}}
        slug = round_.slug
        db.engine.dispose()
    signer = app.session_interface.get_signing_serializer(app)
    sessions = []
    for code in plain:
        with app.test_request_context():
            hold_code(CodeCheck(code, layout["round_id"], slug, layout["group_id"]))
            token = generate_csrf()
            sessions.append((signer.dumps(dict(session)), token))
    return layout, sessions


# -- clients --------------------------------------------------------------------

def client(port: int, path: str, jobs: list[tuple[str, str]], answers: int,
           start: float, stop: float, results) -> None:
    """Submit one ballot per job, in order, between ``start`` and ``stop``."""
    options = ["excellent", "qualified", "basic", "unknown"]
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    done = errors = 0
    first_error = ""
    exhausted = True
    while time.time() < start:
        time.sleep(0.001)
    for n, (cookie, token) in enumerate(jobs):
        if time.time() >= stop:
            exhausted = False
            break
        body = urllib.parse.urlencode(
            {"csrf_token": token,
             **{f"q-{i}-0": options[(n + i) % len(options)] for i in range(answers)}})
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": f"session={cookie}"}
        try:
            con.request("POST", path, body=body, headers=headers)
            response = con.getresponse()
            response.read()
            ok = response.status == 302 and response.getheader("Location", "").endswith("/done")
            if response.getheader("Connection", "").lower() == "close":
                con.close()
        except (OSError, http.client.HTTPException) as error:
            ok, response = False, error
            con.close()
        if ok:
            done += 1
        else:
            errors += 1
            first_error = first_error or str(getattr(response, "status", response))
    results.put((done, errors, first_error, exhausted))


def measure(port: int, path: str, sessions, args) -> tuple[int, int, str]:
    """Ballots accepted in one window of ``--seconds``, errors, and the first
    error (or a note that the codes ran out before the window closed)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    share = len(sessions) // args.clients
    start = time.time() + 1.0
    stop = start + args.seconds
    processes = [context.Process(target=client, args=(
        port, path, sessions[i * share:(i + 1) * share], args.answers, start, stop, results))
        for i in range(args.clients)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=args.seconds + 120) for _ in processes]
    for process in processes:
        process.join()
    done = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    first = next((o[2] for o in outcomes if o[2]), "")
    if any(o[3] for o in outcomes):
        errors, first = errors + 1, "ran out of codes before the time was up: raise --codes"
    return done, errors, first


@dataclass
class Tally:
    """One server's windows added up."""

    done: int = 0
    errors: int = 0
    first: str = ""
    rates: list[float] = field(default_factory=list)

    def add(self, done: int, errors: int, first: str, seconds: float) -> None:
        self.done += done
        self.errors += errors
        self.first = self.first or first
        self.rates.append(done / seconds)

    @property
    def rate(self) -> float:
        return sum(self.rates) / len(self.rates)


def wait_ready(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"server did not start:\n{log.read_text()}")


def start(command: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    wait_ready(port, process, log)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def stored(database_url: str) -> tuple[int, int, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.connect() as con:
        counts = tuple(con.execute(text(sql)).scalar() for sql in (
            "SELECT count(*) FROM ballot", "SELECT count(*) FROM answer",
            "SELECT count(*) FROM voter_code WHERE status = 'used'"))
    engine.dispose()
    return counts


def main() -> int:
    from surveyapp.cli.serve import default_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per window")
    parser.add_argument("--rounds", type=int, default=3,
                        help="windows per server, taken in turn")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--codes", type=int, default=60_000)
    parser.add_argument("--database-url", help="run surveyapp on this (empty) database")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="surveyapp-load-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(work / "instance")
    app_url = args.database_url or f"sqlite:///{work / 'app.sqlite'}"
    print(f"preparing {args.codes} codes and sessions ...", file=sys.stderr)
    layout, sessions = prepare(app_url, args.answers, args.codes)
    base_db = work / "baseline.sqlite"  # same schema and round, its own file
    base_layout, _ = prepare(f"sqlite:///{base_db}", args.answers, 1)
    python = sys.executable

    base_port = free_port()
    launch = ("import sys; sys.path.insert(0, 'bench'); import load; "
              f"load.serve_baseline({base_port}, {args.workers}, {args.threads}, {str(base_db)!r}, "
              f"{base_layout!r})")
    app_port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SURVEYAPP_DATABASE_URL": app_url,
           "SURVEYAPP_SECRET_KEY": SECRET,
           "SURVEYAPP_RATELIMIT_BALLOTS_PER_CLIENT": UNLIMITED,
           "SURVEYAPP_RATELIMIT_BALLOTS_PER_ROUND": UNLIMITED}
    baseline = start([python, "-c", launch], {**os.environ, "PYTHONPATH": str(ROOT)},
                     base_port, work / "baseline.log")
    base, app = Tally(), Tally()
    try:
        server = start([python, "-c", "from surveyapp.cli import main; main()", "serve",
                        "--port", str(app_port), "--workers", str(args.workers),
                        "--threads", str(args.threads)], env,
                       app_port, work / "server.log")
        try:
            # Each surveyapp window spends its own codes; the baseline stores
            # no codes, so it may reuse any of them.
            per_round = len(sessions) // args.rounds
            for n in range(args.rounds):
                base.add(*measure(base_port, "/baseline", sessions, args), args.seconds)
                app.add(*measure(app_port, "/ballot",
                                 sessions[n * per_round:(n + 1) * per_round], args),
                        args.seconds)
        finally:
            stop(server)
    finally:
        stop(baseline)
    done, errors = app.done, app.errors
    ballots, answers, used = stored(app_url)

    backend = app_url.split(":", 1)[0].split("+")[0]
    print(f"load: {args.answers} answers per ballot, {args.clients} client processes, "
          f"gunicorn {args.workers} workers × {args.threads} threads, "
          f"{args.rounds} × {args.seconds:g} s "
          f"windows each, taken in turn, {os.cpu_count()} CPUs")
    windows = " ".join(f"{r:.0f}" for r in base.rates)
    print(f"  baseline  bare Flask + one raw sqlite3 insert   {base.rate:8.1f} ballots/s  "
          f"({windows})  {base.errors} errors {base.first}")
    windows = " ".join(f"{r:.0f}" for r in app.rates)
    print(f"  surveyapp POST /ballot on {backend:<10}         {app.rate:8.1f} ballots/s  "
          f"({windows})  {errors} errors {app.first}")
    ratio = app.rate / base.rate if base.rate else 0.0
    intact = ballots == done and used == done and answers == done * args.answers
    print(f"  ratio {ratio:.2f} (target ≥ {TARGET:.2f}); stored {ballots} ballots, "
          f"{answers} answers, {used} codes used for {done} accepted: "
          f"{'intact' if intact else 'MISMATCH'}")
    passed = ratio >= TARGET and errors == 0 and base.errors == 0 and intact
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
