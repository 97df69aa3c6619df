"""Benchmark: voters beside an attacker, against a run without the attacker,
in the same run (issue 16 §3).

``surveyapp serve`` runs with its default limits and store (gunicorn, two
single-threaded workers per CPU, ``machine://``).  Voters come from their
own addresses (127.0.1.x), each as a phone would: scan the slip
(``/c/<code>``), open the ballot, submit it complete, paced at
``--rate`` ballots a second in all.  The attacker, from other addresses
(127.0.2.x), sends as fast as the server answers, half wrong codes (each
from a fresh browser, as a script that drops its cookies) and half
incomplete ballot posts with a code it holds (the issue's 4,700 posts).
Windows of ``--seconds`` alone and attacked are taken in turn, ``--rounds``
times, so a busy moment on the machine weighs on both alike.

Last, four processes flood the server with wrong codes alone, to show how
many a second it answers (each one checked: SECURITY.md, "guess").

Targets: at least 99% of the voters' ballots accepted under attack, and
their median submit latency at most 2× that of the windows without it.
Exit status 1 otherwise.

Usage: ``.venv/bin/python bench/attack.py [--seconds 15] [--rounds 2] [--rate 6]
[--voter-processes 4] [--attackers 2]``
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import secrets
import statistics
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import serve, spec_text, stop  # noqa: E402

ACCEPTED_TARGET = 0.99
LATENCY_TARGET = 2.0
SUBJECTS = 20
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def prepare(database_url: str, codes: int) -> list[str]:
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.domain.spec import parse_spec
    from surveyapp.services import codes as codes_service
    from surveyapp.services import rounds as rounds_service

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "prepare"})
    with app.app_context():
        upgrade()
        round_ = rounds_service.create_round(parse_spec(spec_text(SUBJECTS)), actor="bench")
        rounds_service.open_round(round_, actor="bench")
        plain = codes_service.issue(round_, "members", codes, actor="bench")[0]
        db.session.commit()
        db.engine.dispose()
    return plain


class Phone:
    """One browser from one address: its own connection and cookie."""

    def __init__(self, port: int, address: str):
        self.port, self.address, self.cookie = port, address, ""

    def request(self, method: str, path: str, body: dict | None = None):
        con = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120,
                                         source_address=(self.address, 0))
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            con.request(method, path, body=data, headers=headers)
            response = con.getresponse()
            page = response.read().decode("utf-8", "replace")
            if cookie := response.getheader("Set-Cookie"):
                self.cookie = cookie.split(";", 1)[0].split("=", 1)[1]
            return response.status, response.getheader("Location", ""), page
        finally:
            con.close()

    def token(self, page: str) -> str:
        match = TOKEN.search(page)
        return match[1] if match else ""


def voter_process(port: int, address: str, codes: list[str], interval: float, start: float,
                  stop_at: float, results) -> None:
    """Voters one after another from ``address``, one every ``interval``
    seconds: (scan status, submit status, submit seconds) each."""
    outcomes = []
    due = start
    for code in codes:
        due += interval
        while time.time() < due:
            time.sleep(0.001)
        if time.time() >= stop_at:
            break
        phone = Phone(port, address)
        scanned, _, _ = phone.request("GET", f"/c/{code}")
        status, _, page = phone.request("GET", "/ballot")
        answers = {f"q-{i}-0": "qualified" for i in range(SUBJECTS)}
        began = time.perf_counter()
        status, location, _ = phone.request("POST", "/ballot",
                                            {"csrf_token": phone.token(page), **answers})
        seconds = time.perf_counter() - began
        ok = status == 302 and location.endswith("/done")
        outcomes.append((scanned, status if not ok else "accepted", seconds))
    results.put(("voters", outcomes))


def attacker_process(port: int, addresses: list[str], held: list[str], start: float,
                     stop_at: float, results) -> None:
    """Wrong codes from fresh browsers and incomplete posts with a held
    code, in turn, as fast as the server answers."""
    posters = []
    for address, code in zip(addresses, held, strict=True):
        phone = Phone(port, address)
        phone.request("GET", f"/c/{code}")
        _, _, page = phone.request("GET", "/ballot")
        posters.append((phone, phone.token(page)))
    statuses: Counter = Counter()
    while time.time() < start:
        time.sleep(0.001)
    n = 0
    while time.time() < stop_at:
        address = addresses[n % len(addresses)]
        if n % 2 == 0:
            status, _, _ = Phone(port, address).request("GET", f"/c/{secrets.token_hex(5)}")
            statuses[f"wrong code {status}"] += 1
        else:
            phone, token = posters[n % len(posters)]
            status, _, _ = phone.request("POST", "/ballot", {"csrf_token": token,
                                                            "q-0-0": "qualified"})
            statuses[f"incomplete post {status}"] += 1
        n += 1
    results.put(("attacker", statuses))


def flood_process(port: int, address: str, stop_at: float, results) -> None:
    """Wrong codes only, each from a fresh browser, back to back."""
    answered = 0
    while time.time() < stop_at:
        Phone(port, address).request("GET", f"/c/{secrets.token_hex(5)}")
        answered += 1
    results.put(answered)


def flood(port: int, processes: int, seconds: float) -> float:
    """Wrong codes a second the server answers (each checked: SECURITY.md)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    stop_at = time.time() + seconds
    workers = [context.Process(target=flood_process, args=(
        port, f"127.0.3.{i + 1}", stop_at, results)) for i in range(processes)]
    for worker in workers:
        worker.start()
    answered = sum(results.get(timeout=seconds + 60) for _ in workers)
    for worker in workers:
        worker.join()
    return answered / seconds


def window(port: int, codes: list[str], args, *, attacked: bool, held: list[str]):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.time() + 1.0
    stop_at = start + args.seconds
    interval = args.voter_processes / args.rate
    share = len(codes) // args.voter_processes
    processes = [context.Process(target=voter_process, args=(
        port, f"127.0.1.{i + 1}", codes[i * share:(i + 1) * share], interval, start, stop_at,
        results)) for i in range(args.voter_processes)]
    if attacked:
        per = len(held) // args.attackers
        processes += [context.Process(target=attacker_process, args=(
            port, [f"127.0.2.{i * per + k + 1}" for k in range(per)],
            held[i * per:(i + 1) * per], start, stop_at, results))
            for i in range(args.attackers)]
    for process in processes:
        process.start()
    voters, attack = [], Counter()
    for _ in processes:
        kind, found = results.get(timeout=args.seconds + 300)
        if kind == "voters":
            voters += found
        else:
            attack.update(found)
    for process in processes:
        process.join()
    return voters, attack


def summary(label: str, voters: list) -> tuple[float, float]:
    accepted = [v for v in voters if v[1] == "accepted"]
    share = len(accepted) / len(voters) if voters else 0.0
    latencies = sorted(v[2] for v in accepted)
    median = statistics.median(latencies) if latencies else float("inf")
    p90 = latencies[int(0.9 * (len(latencies) - 1))] if latencies else float("inf")
    refused = Counter(f"scan {v[0]} submit {v[1]}" for v in voters if v[1] != "accepted")
    print(f"  {label:<10} {len(accepted):4d}/{len(voters):<4d} accepted ({share:6.1%}); submit "
          f"median {median * 1000:6.1f} ms, p90 {p90 * 1000:6.1f} ms"
          + (f"; refused: {dict(refused)}" if refused else ""))
    return share, median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="per window")
    parser.add_argument("--rounds", type=int, default=2, help="windows of each kind")
    parser.add_argument("--rate", type=float, default=6, help="voters' ballots a second")
    parser.add_argument("--voter-processes", type=int, default=4)
    parser.add_argument("--attackers", type=int, default=2, help="attacker processes")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    from surveyapp.cli.serve import default_workers

    args.workers = args.workers or default_workers()
    per_window = int(args.rate * args.seconds) + 2 * args.voter_processes
    held_count = 4 * args.attackers
    work = Path(tempfile.mkdtemp(prefix="surveyapp-attack-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(work / "instance")
    url = f"sqlite:///{work / 'app.sqlite'}"
    print("preparing ...", file=sys.stderr)
    codes = prepare(url, per_window * 2 * args.rounds + held_count)
    held, codes = codes[:held_count], codes[held_count:]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SURVEYAPP_DATABASE_URL": url,
           "SURVEYAPP_SECRET_KEY": "bench-" + secrets.token_hex(8),
           # Comparable windows: every ballot is sealed when it comes.
           "SURVEYAPP_BALLOT_KITS": "0"}
    server, port = serve(args, env, work / "server.log")
    alone, attacked, attack = [], [], Counter()
    try:
        for r in range(args.rounds):
            batch = codes[2 * r * per_window:(2 * r + 2) * per_window]
            alone += window(port, batch[:per_window], args, attacked=False, held=held)[0]
            voters, statuses = window(port, batch[per_window:], args, attacked=True,
                                      held=held)
            attacked += voters
            attack.update(statuses)
        flooded = flood(port, 4, args.seconds / 2)
    finally:
        stop(server)
    print(f"attack: {args.rate:g} voters' ballots/s from {args.voter_processes} addresses "
          f"({SUBJECTS} people, sealed); {args.attackers} attacker processes from "
          f"{held_count} other addresses; gunicorn {args.workers} workers × {args.threads} "
          f"threads; {os.cpu_count()} CPUs; {args.rounds} × {args.seconds:g} s windows each")
    _share, alone_median = summary("alone", alone)
    share, attacked_median = summary("attacked", attacked)
    sent = sum(attack.values())
    print(f"  attacker   {sent} requests ({sent / (args.rounds * args.seconds):.0f}/s): "
          + ", ".join(f"{k} ×{n}" for k, n in sorted(attack.items())))
    print(f"  a flood of wrong codes alone, from 4 processes: {flooded:.0f} answered/s")
    ratio = attacked_median / alone_median
    print(f"  accepted under attack {share:.1%} (target ≥ {ACCEPTED_TARGET:.0%}); median "
          f"latency attacked / alone {ratio:.2f} (target ≤ {LATENCY_TARGET:g})")
    passed = share >= ACCEPTED_TARGET and ratio <= LATENCY_TARGET
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
