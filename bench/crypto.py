"""Crypto benchmark: what the encrypted ballot box costs on this machine.

Prints, for a ballot of ``--subjects`` people on a 5-grade scale (six
positions a cell, blank included):

* the CPU time to seal one ballot alone (encrypt and prove every position
  and cell), split into making its kit (the part that can be done ahead)
  and finishing it once the answers are known;
* the time to check one sealed ballot's proofs;
* the crypto-only rate: ``--processes`` processes sealing ballots for
  ``--seconds``, nothing else (the rate bench/load.py compares the server to);
* counting ``--ballots`` ballots through the real service on a temporary
  SQLite database: reading, summing, decrypting the sums with two of three
  trustees' shares and proving each decryption.  The ballots stored for it
  carry real ciphertexts but zero bytes where their proofs go (counting reads
  only the ciphertexts; proving 10,000 ballots would take minutes), made by
  additions from one encryption per position, so the sums are known.

Target (issue 13): counting 10,000 ballots in under 30 s.  Exit status 1 if not.

Usage: ``.venv/bin/python bench/crypto.py [--subjects 20] [--ballots 10000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from surveyapp.domain.ballot_box import curve, keys, proofs, sealing  # noqa: E402

OPTIONS = ("excellent", "qualified", "basic", "unqualified", "unknown")
COUNT_TARGET = 30.0


def make_lock(subjects: int) -> tuple[sealing.RoundLock, list]:
    key, shares = keys.split_new_key(["甲", "乙", "丙"], 2)
    layout = sealing.layout_of([f"s{i}" for i in range(subjects)], ["overall"], OPTIONS)
    context = sealing.context(sealing.spec_hash({"bench": True}), key.public_key)
    return sealing.RoundLock.make(context, layout, key.public_key), shares


def choices(lock: sealing.RoundLock, n: int) -> dict:
    return {cell: OPTIONS[(n + i) % len(OPTIONS)] for i, cell in enumerate(lock.layout.cells)}


def timed(function, repeat: int) -> float:
    """Median seconds of ``repeat`` calls."""
    samples = []
    for _ in range(repeat):
        start = time.process_time()
        function()
        samples.append(time.process_time() - start)
    return statistics.median(samples)


def _sealer(subjects: int, start_at: float, stop_at: float, results) -> None:
    lock, _ = make_lock(subjects)
    curve.g_table()  # the tables are built before the window opens
    while time.time() < start_at:
        time.sleep(0.001)
    done = 0
    while time.time() < stop_at:
        sealing.seal(lock, choices(lock, done))
        done += 1
    results.put(done)


def crypto_only_rate(subjects: int, processes: int, seconds: float) -> float:
    """Ballots sealed per second by ``processes`` processes doing nothing
    else, each sealing whole ballots (no kits made ahead)."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 2.0
    workers = [context.Process(target=_sealer, args=(subjects, start_at, start_at + seconds,
                                                     results))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    total = sum(results.get(timeout=seconds + 120) for _ in workers)
    for worker in workers:
        worker.join()
    return total / seconds


def fake_ballots(lock: sealing.RoundLock, count: int):
    """``count`` (group, sealed bytes) with real ciphertexts of a known
    pattern and zero bytes for proofs, made by additions."""
    layout = lock.layout
    g = curve.g_table()
    k = len(layout.positions)
    zeros = bytes(proofs.DisjunctiveProof.SIZE)
    cell_zero = bytes(proofs.DisjunctiveProof.SIZE)
    r0 = curve.random_scalars(len(layout.cells) * k)
    a = [g.mul(r) for r in r0]
    b = [lock.h.mul(r) for r in r0]
    h_point = lock.h.point
    for n in range(count):
        chosen = n % k  # ballot n picks position n mod k in every cell
        parts = [sealing.MAGIC]
        for cell in range(len(layout.cells)):
            for p in range(k):
                i = cell * k + p
                a[i] = curve.add([a[i], curve.G])      # r + 1: a fresh but related r
                b[i] = curve.add([b[i], h_point])
                point = curve.add([b[i], curve.G]) if p == chosen else b[i]
                parts += [curve.encode(a[i]), curve.encode(point), zeros]
            parts.append(cell_zero)
        yield "members", b"".join(parts)


def count_through_the_service(subjects: int, ballots: int) -> tuple[float, bool]:
    """Seconds to count ``ballots`` ballots with count_round, and whether the
    decrypted counts are the ones stored."""
    work = Path(tempfile.mkdtemp(prefix="surveyapp-crypto-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(work / "instance")
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.domain.spec import parse_spec
    from surveyapp.models import Ballot
    from surveyapp.services import counting, rounds
    from surveyapp.services.ballot_box import box
    from surveyapp.services.results import tally_round

    spec = ('title = "计票测试"\nanonymity_min = 1\n[scale]\noptions = [\n'
            + "".join(f'  {{ key = "{o}", label = "{o}"'
                      + (", points = 1" if o != "unknown" else "") + " },\n" for o in OPTIONS)
            + ']\n[[groups]]\nkey = "members"\nlabel = "党员"\n'
            + '[trustees]\nnames = ["甲", "乙", "丙"]\nthreshold = 2\n'
            + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i}"\n' for i in range(subjects)))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'count.sqlite'}",
                      "SECRET_KEY": "bench", "BALLOT_KITS": 0})
    with app.app_context():
        upgrade()
        round_ = rounds.create_round(parse_spec(spec), actor="bench")
        shares = rounds.open_round(round_, actor="bench")
        lock = box(round_).lock()
        group_id = round_.groups[0].id
        today = dt.date.today()
        print(f"  storing {ballots} ballots to count ...", file=sys.stderr)
        batch = []
        for _group, sealed in fake_ballots(lock, ballots):
            batch.append({"id": secrets.token_hex(16), "round_id": round_.id,
                          "group_id": group_id, "channel": "web", "received_on": today,
                          "tracker": sealing.tracker(sealed), "sealed": sealed})
            if len(batch) == 500:
                db.session.execute(insert(Ballot), batch)
                batch = []
        if batch:
            db.session.execute(insert(Ballot), batch)
        db.session.commit()
        rounds.transition(round_, "close", actor="bench")
        texts = [(f"share {s.index}", keys.share_text(s)) for s in shares[::2]]
        start = time.perf_counter()
        counting.count_round(round_, counting.check_shares(round_, texts), actor="bench")
        seconds = time.perf_counter() - start
        shown = {s["key"]: s for s in tally_round(round_)["subjects"]}
        k = len(OPTIONS) + 1
        expected = {o: sum(1 for n in range(ballots) if n % k == i)
                    for i, o in enumerate(OPTIONS)}
        right = all({o: n for o, n in shown[f"s{i}"]["criteria"]["overall"]["counts"].items()
                     if o in expected} == expected for i in range(subjects))
        db.session.remove()
        db.engine.dispose()
    return seconds, right


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subjects", type=int, default=20)
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    lock, _shares = make_lock(args.subjects)
    curve.g_table()
    positions = len(lock.layout.cells) * (len(lock.layout.positions) + 1)
    kit = sealing.ballot_kit(lock)
    full = timed(lambda: sealing.seal(lock, choices(lock, 1)), args.repeat)
    ahead = timed(lambda: sealing.ballot_kit(lock), args.repeat)
    kits = iter([sealing.ballot_kit(lock) for _ in range(args.repeat)])
    finish = timed(lambda: sealing.seal(lock, choices(lock, 1), next(kits)),
                   args.repeat)
    sealed = sealing.seal(lock, choices(lock, 1), kit)
    check = timed(lambda: sealing.check(lock, sealed), max(3, args.repeat // 4))
    print(f"crypto: {args.subjects} people × {len(OPTIONS)} grades (+ blank): "
          f"{positions} proofs a ballot, {len(sealed):,} bytes sealed, {os.cpu_count()} CPUs")
    print(f"  seal one ballot alone        {full * 1000:7.1f} ms CPU")
    print(f"    of which its kit (ahead)   {ahead * 1000:7.1f} ms")
    print(f"    finishing with a kit       {finish * 1000:7.1f} ms")
    print(f"  check one ballot's proofs    {check * 1000:7.1f} ms CPU")
    rate = crypto_only_rate(args.subjects, args.processes, args.seconds)
    print(f"  crypto-only rate             {rate:7.1f} ballots/s on {args.processes} processes")
    seconds, right = count_through_the_service(args.subjects, args.ballots)
    print(f"  count {args.ballots:,} ballots        {seconds:7.1f} s "
          f"(target < {COUNT_TARGET:g} s); counts {'right' if right else 'WRONG'}")
    passed = seconds < COUNT_TARGET and right
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
