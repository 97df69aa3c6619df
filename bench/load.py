"""Load benchmark: encrypted ballots per second through the real server,
beside the crypto-only rate, in the same run.

Every ballot is sealed (domain/ballot_box): exponential-ElGamal ciphertexts
of all its answers with zero-knowledge proofs, ~20 ms of curve arithmetic
for 20 people on a 5-grade scale.  So the server is measured against what
the same number of processes can seal doing nothing else:

* crypto-only: ``--workers`` processes sealing whole ballots in a loop
  (bench/crypto.py's ``crypto_only_rate``);
* sustained: ``surveyapp serve`` (gunicorn, ``--workers`` processes of
  ``--threads`` threads, no access log) with no kits made ahead
  (``SURVEYAPP_BALLOT_KITS=0``), client processes submitting ballots, each
  with its own code, for ``--seconds``.  The two are measured in turn,
  ``--rounds`` times, so a busy moment on the machine weighs on both alike;
* a meeting: the server as it runs by default, each worker keeping kits
  made ahead while voters fill in their ballots (services/voting/kits.py):
  voters scan (each worker loads the round), the server idles
  ``--think`` seconds as people read their ballots, then ``--burst``
  voters submit at once.  ``--rounds`` such bursts.

Each client's sessions are prepared beforehand as scanning a slip leaves
them (the code and a CSRF token in a session cookie signed with the
server's key), so the timed windows hold only ballot submissions.  The
rate limits are raised (every client shares 127.0.0.1) but the limiter
still runs.  Afterwards every accepted ballot must be stored once, sealed,
with its code spent, and a sample of them must pass their proofs.

Targets (issue 13): sustained at least 0.6 of crypto-only on the same
processes; at least 100 ballots/s through the server (in the meeting).
Exit status 1 otherwise, or on any error.

Usage: ``.venv/bin/python bench/load.py [--seconds 5] [--rounds 3] [--clients 8]
[--workers N] [--threads 1] [--burst 256] [--think 8]``
(``--database-url postgresql+psycopg://...`` runs surveyapp on an empty
PostgreSQL database).
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchkit import wait_ready  # noqa: E402
from crypto import OPTIONS, crypto_only_rate  # noqa: E402

RATIO_TARGET = 0.6
RATE_TARGET = 100
SECRET = "bench-" + secrets.token_hex(8)
UNLIMITED = "1000000 per minute"


def spec_text(answers: int) -> str:
    return ('title = "负载测试"\nanonymity_min = 1\n[scale]\noptions = [\n'
            '  { key = "excellent", label = "优秀", points = 100 },\n'
            '  { key = "qualified", label = "合格", points = 80 },\n'
            '  { key = "basic", label = "基本合格", points = 60 },\n'
            '  { key = "unqualified", label = "不合格", points = 0 },\n'
            '  { key = "unknown", label = "不了解" },\n]\n'
            '[[groups]]\nkey = "members"\nlabel = "党员"\n'
            + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i:02d}"\n'
                      for i in range(answers)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- set-up ---------------------------------------------------------------------

def prepare(database_url: str, answers: int, codes: int) -> list[tuple[str, str]]:
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
        round_id, group_id, slug = round_.id, round_.groups[0].id, round_.slug
        db.engine.dispose()
    signer = app.session_interface.get_signing_serializer(app)
    sessions = []
    for code in plain:
        with app.test_request_context():
            hold_code(CodeCheck(code, round_id, slug, group_id))
            token = generate_csrf()
            sessions.append((signer.dumps(dict(session)), token))
    return sessions


# -- clients --------------------------------------------------------------------

def client(port: int, jobs: list[tuple[str, str]], answers: int, start: float,
           stop: float | None, results) -> None:
    """Submit one ballot per job, in order, from ``start`` until ``stop``
    (None, a meeting: until the jobs are done, each from its own phone, i.e.
    its own connection); report (done, errors, first error, ran out of jobs,
    seconds taken)."""
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    done = errors = 0
    first_error = ""
    exhausted = True
    while time.time() < start:
        time.sleep(0.001)
    for n, (cookie, token) in enumerate(jobs):
        if stop is not None and time.time() >= stop:
            exhausted = False
            break
        body = urllib.parse.urlencode(
            {"csrf_token": token,
             **{f"q-{i}-0": OPTIONS[(n + i) % len(OPTIONS)] for i in range(answers)}})
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "Cookie": f"session={cookie}"}
        try:
            con.request("POST", "/ballot", body=body, headers=headers)
            response = con.getresponse()
            response.read()
            ok = response.status == 302 and response.getheader("Location", "").endswith("/done")
            if stop is None or response.getheader("Connection", "").lower() == "close":
                con.close()
        except (OSError, http.client.HTTPException) as error:
            ok, response = False, error
            con.close()
        if ok:
            done += 1
        else:
            errors += 1
            first_error = first_error or str(getattr(response, "status", response))
    results.put((done, errors, first_error, exhausted and stop is not None,
                 time.time() - start))


def submit(port: int, sessions, args, *, seconds: float | None) -> tuple[int, int, str, float]:
    """The clients submit ``sessions`` (for ``seconds``, or all of them);
    returns accepted, errors, the first error and the seconds it took."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    share = len(sessions) // args.clients
    start = time.time() + 1.0
    stop = start + seconds if seconds is not None else None
    processes = [context.Process(target=client, args=(
        port, sessions[i * share:(i + 1) * share], args.answers, start, stop, results))
        for i in range(args.clients)]
    for process in processes:
        process.start()
    outcomes = [results.get(timeout=(seconds or 0) + 300) for _ in processes]
    for process in processes:
        process.join()
    done = sum(o[0] for o in outcomes)
    errors = sum(o[1] for o in outcomes)
    first = next((o[2] for o in outcomes if o[2]), "")
    if any(o[3] for o in outcomes):
        ran_out = next(o for o in outcomes if o[3])
        errors, first = errors + 1, (f"a client ran out of codes before the time was up "
                                     f"({ran_out[0]} accepted, {ran_out[1]} refused in "
                                     f"{ran_out[4]:.1f} s): raise --codes")
    return done, errors, first, seconds or max(o[4] for o in outcomes)


def _open_ballot(port: int, cookie: str) -> None:
    con = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    con.request("GET", "/ballot", headers={"Cookie": f"session={cookie}"})
    con.getresponse().read()
    con.close()


def scan(port: int, sessions) -> None:
    """Voters open their ballots, many at a time as in a meeting room, so
    every worker loads the round (and starts making kits for it)."""
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda s: _open_ballot(port, s[0]), sessions))


@dataclass
class Tally:
    """One measurement's windows added up."""

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

    def line(self, label: str) -> str:
        windows = " ".join(f"{r:.0f}" for r in self.rates)
        errors = f"  {self.errors} errors {self.first}" if self.done or self.errors else ""
        return f"  {label:<44} {self.rate:7.1f} ballots/s  ({windows}){errors}"


# -- servers --------------------------------------------------------------------



def serve(args, env: dict, log: Path, **extra: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", "from surveyapp.cli import main; main()", "serve",
         "--port", str(port), "--workers", str(args.workers), "--threads", str(args.threads)],
        env={**env, **extra}, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    wait_ready(port, process, log)
    return process, port


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


def stored(database_url: str, sample: int = 20) -> tuple[int, int, int, bool]:
    """Ballots, of them sealed, codes used, and whether a sample of the
    sealed ballots pass their proofs."""
    from sqlalchemy import create_engine, text

    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.domain.ballot_box import sealing
    from surveyapp.models import Round
    from surveyapp.services.ballot_box import box

    engine = create_engine(database_url)
    with engine.connect() as con:
        counts = tuple(con.execute(text(sql)).scalar() for sql in (
            "SELECT count(*) FROM ballot", "SELECT count(*) FROM ballot WHERE sealed IS NOT NULL",
            "SELECT count(*) FROM voter_code WHERE status = 'used'"))
        rows = con.execute(text("SELECT sealed FROM ballot ORDER BY tracker LIMIT :n"),
                           {"n": sample}).all()
    engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        lock = box(db.session.query(Round).one()).lock()
        proven = all(sealing.check(lock, row[0]) is None for row in rows)
        db.engine.dispose()
    return (*counts, proven)


def main() -> int:
    from surveyapp.cli.serve import default_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5, help="per sustained window")
    parser.add_argument("--rounds", type=int, default=3, help="windows (and bursts) of each")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--answers", type=int, default=20)
    parser.add_argument("--burst", type=int, default=256, help="voters submitting at once")
    parser.add_argument("--think", type=float, default=8,
                        help="seconds between scanning and submitting, in a meeting")
    parser.add_argument("--codes", type=int, default=10_000)
    parser.add_argument("--database-url", help="run surveyapp on this (empty) database")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="surveyapp-load-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(work / "instance")
    app_url = args.database_url or f"sqlite:///{work / 'app.sqlite'}"
    print(f"preparing {args.codes} codes and sessions ...", file=sys.stderr)
    sessions = prepare(app_url, args.answers, args.codes)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SURVEYAPP_DATABASE_URL": app_url,
           "SURVEYAPP_SECRET_KEY": SECRET,
           "SURVEYAPP_RATELIMIT_BALLOTS_PER_CLIENT": UNLIMITED,
           "SURVEYAPP_RATELIMIT_BALLOTS_PER_ROUND": UNLIMITED}

    crypto, sustained, meeting = Tally(), Tally(), Tally()
    used = 0

    def take(n: int):
        nonlocal used
        if used + n > len(sessions):
            sys.exit("not enough codes: raise --codes")
        used += n
        return sessions[used - n:used]

    server, port = serve(args, env, work / "sustained.log", SURVEYAPP_BALLOT_KITS="0")
    try:
        # More than the server can take in a window, even all on one client.
        expected = int(args.seconds * 600)
        for _ in range(args.rounds):
            crypto.rates.append(crypto_only_rate(args.answers, args.workers, args.seconds))
            sustained.add(*submit(port, take(expected), args, seconds=args.seconds))
    finally:
        stop(server)
    server, port = serve(args, env, work / "meeting.log")
    try:
        for _ in range(args.rounds):
            voters = take(args.burst)
            scan(port, voters)
            time.sleep(args.think)  # people read and fill in their ballots
            meeting.add(*submit(port, voters, args, seconds=None))
    finally:
        stop(server)

    done = sustained.done + meeting.done
    ballots, sealed, spent, proven = stored(app_url)
    backend = app_url.split(":", 1)[0].split("+")[0]
    print(f"load: {args.answers} people × {len(OPTIONS)} grades, sealed; {args.clients} client "
          f"processes; gunicorn {args.workers} workers × {args.threads} threads; "
          f"{os.cpu_count()} CPUs; {backend}")
    print(crypto.line(f"crypto only, {args.workers} processes"))
    print(sustained.line(f"surveyapp sustained, {args.seconds:g} s windows"))
    print(meeting.line(f"surveyapp meeting: {args.burst} at once after {args.think:g} s"))
    ratio = sustained.rate / crypto.rate if crypto.rate else 0.0
    intact = ballots == done == sealed == spent and proven
    print(f"  sustained / crypto-only {ratio:.2f} (target ≥ {RATIO_TARGET}); meeting "
          f"{meeting.rate:.0f}/s (target ≥ {RATE_TARGET}); stored {ballots} ballots, {sealed} "
          f"sealed, {spent} codes used for {done} accepted, sampled proofs "
          f"{'hold' if proven else 'FAIL'}: {'intact' if intact else 'MISMATCH'}")
    passed = (ratio >= RATIO_TARGET and meeting.rate >= RATE_TARGET and intact
              and sustained.errors == meeting.errors == 0)
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
