"""Verifier benchmark: ``surveyapp verify`` on a real board of ``--ballots`` ballots.

The board is made once and cached in the temporary directory, keyed by its parameters: real
sealed ballots with real proofs (sealing.seal over a pool of processes, ~20 ms a ballot of
20 people), the sums, their decryptions by 2 of 3 trustees and the real tally of the
answers, assembled as docs/board.md says by tests/verify/boards.py (the verifier's tests'
own board maker).  Three groups: two shown, one of 3 ballots whose turnout is hidden.

Then, in the same run:

* the baseline: the verifier's one-proof-at-a-time check (two multiplications an equation)
  on a sample of ballots, in this process;
* the batch check (one randomly weighted equation a chunk) on the same sample;
* ``surveyapp verify BOARD.json`` as a user runs it (reading the file, one process per CPU),
  timed on the wall clock.

Target (issue 15): 10,000 ballots of 20 subjects verified in under 2 minutes on the two cores
of the reference machine.  Exit status 1 if not, or if the board does not verify.  On a
shared machine the figures move with the other load: the load average is printed with them.

Usage: ``.venv/bin/python bench/verify.py [--ballots 10000] [--subjects 20] [--sample 50]``
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from surveyapp.domain.ballot_box import sealing  # noqa: E402
from surveyapp.verify import ballots as checks  # noqa: E402
from surveyapp.verify import board as board_file  # noqa: E402
from surveyapp.verify.verifier import _round  # noqa: E402
from tests.verify import boards  # noqa: E402

OPTIONS = ("excellent", "qualified", "basic", "unqualified", "unknown")
TARGET = 120.0
#: Bump when the board maker changes, so that a cached board is made again.
MAKER = 1


def spec(subjects: int) -> dict:
    return {
        "title": "验证基准", "access": "codes", "anonymity_min": 5,
        "scale": {"options": [{"key": o, "label": o} | ({} if o == "unknown" else
                                                        {"points": 100 - 20 * i})
                              for i, o in enumerate(OPTIONS)]},
        "criteria": [],
        "groups": [{"key": "members", "label": "党员", "weight": 70},
                   {"key": "masses", "label": "群众", "weight": 30},
                   {"key": "retired", "label": "离退休", "weight": 10}],
        "subjects": [{"key": f"s{i:02d}", "name": f"对象{i}", "unit": ""}
                     for i in range(subjects)],
        "trustees": {"names": ["甲", "乙", "丙"], "threshold": 2},
        "rules": {},
    }


_LOCK: sealing.RoundLock | None = None


def _start(context: bytes, layout: sealing.Layout, public_key: bytes) -> None:
    global _LOCK
    _LOCK = sealing.RoundLock.make(context, layout, public_key)


def _seal(answers: list[dict]) -> list[bytes]:
    return [sealing.seal(_LOCK, a) for a in answers]


def parallel_sealer(processes: int):
    def seal_all(lock: sealing.RoundLock, answers: list[dict]) -> list[bytes]:
        chunks = [answers[i:i + 100] for i in range(0, len(answers), 100)]
        out: list[bytes] = []
        started = time.monotonic()
        context = multiprocessing.get_context("fork")
        with context.Pool(processes, initializer=_start,
                          initargs=(lock.context, lock.layout, lock.public_key)) as pool:
            for sealed in pool.imap(_seal, chunks):
                out += sealed
                rate = len(out) / (time.monotonic() - started)
                print(f"\r  sealing: {len(out):,}/{len(answers):,} ballots "
                      f"({rate:.0f}/s)", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        return out
    return seal_all


def make_board(ballots: int, subjects: int, processes: int) -> Path:
    """The cached board file for these parameters, made if it is not there."""
    key = hashlib.sha256(json.dumps([MAKER, ballots, subjects, OPTIONS]).encode()).hexdigest()
    path = Path(tempfile.gettempdir()) / f"surveyapp-bench-verify-{key[:16]}.json"
    if path.exists():
        print(f"board: cached {path}")
        return path
    print(f"board: making {ballots:,} ballots of {subjects} subjects (cached afterwards)")
    started = time.monotonic()
    data = spec(subjects)
    hidden = 3  # retired: below anonymity_min, so its turnout is hidden
    members = (ballots - hidden) * 7 // 10
    cast = (boards.votes("members", members, OPTIONS + (None,), spec_data=data)
            + boards.votes("masses", ballots - hidden - members, OPTIONS, start=1,
                           spec_data=data)
            + boards.votes("retired", hidden, OPTIONS, start=2, spec_data=data))
    made = boards.build(data, cast, sealer=parallel_sealer(processes))
    partial = path.with_suffix(".partial")
    with open(partial, "w", encoding="utf-8") as file:
        json.dump(made.board, file, ensure_ascii=False)
    partial.replace(path)
    print(f"board: made in {time.monotonic() - started:.0f} s, {path.stat().st_size / 1e6:.0f} MB")
    return path


def per_ballot(path: Path, sample: int) -> tuple[float, float]:
    """CPU ms a ballot on one core: one proof at a time, and in one batch, on ``sample``."""
    board = board_file.load(path)
    from surveyapp.verify.spec import read

    round_ = read(board.spec)
    context, _ = _round(board, round_)
    setup = checks.Setup(context, bytes.fromhex(board.public_key), round_.cells,
                         round_.positions, frozenset(u.key for u in board.units))
    checker = checks._Checker(setup)
    chosen = board.ballots[:sample]
    started = time.process_time()
    for _tracker, _unit, text in chosen:
        assert checker.first_false_proof(base64.b64decode(text)) is None
    naive = (time.process_time() - started) / len(chosen)
    started = time.process_time()
    outcome = checker.chunk(0, chosen)
    batch = (time.process_time() - started) / len(chosen)
    assert outcome.failure is None, outcome.failure
    return naive * 1000, batch * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=20)
    parser.add_argument("--sample", type=int, default=50, help="ballots for the baseline")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    path = make_board(args.ballots, args.subjects, args.processes)
    proofs = args.subjects * (len(OPTIONS) + 2)
    print(f"  {args.ballots:,} ballots × {args.subjects} subjects × {len(OPTIONS) + 1} "
          f"positions: {proofs} proofs a ballot, {path.stat().st_size / 1e6:.0f} MB; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    naive, batch = per_ballot(path, min(args.sample, args.ballots))
    cores = args.processes
    print(f"  one proof at a time   {naive:6.1f} ms CPU a ballot  → {args.ballots:,} ballots "
          f"≈ {naive * args.ballots / 1000 / cores:.0f} s on {cores} processes")
    print(f"  batch of {min(args.sample, args.ballots)} ballots    {batch:6.1f} ms CPU a ballot  "
          f"({naive / batch:.1f}× faster) → ≈ {batch * args.ballots / 1000 / cores:.0f} s "
          f"on {cores} processes")

    command = shutil.which("surveyapp", path=str(Path(sys.executable).parent))
    argv = [command, "verify"] if command else [sys.executable, "-m", "surveyapp.verify"]
    started = time.monotonic()
    result = subprocess.run([*argv, str(path), "--jobs", str(cores)], capture_output=True,
                            text=True)
    seconds = time.monotonic() - started
    print(f"  surveyapp verify      {seconds:6.1f} s on the wall clock, exit status "
          f"{result.returncode}, load average after {os.getloadavg()[0]:.1f}")
    if result.returncode != 0:
        print(result.stdout + result.stderr[-2000:])
    passed = result.returncode == 0 and seconds < TARGET
    print(f"target < {TARGET:.0f} s: {'PASS' if passed else 'FAIL'} "
          "(a shared machine makes this noisy: rerun on a quiet one)")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
