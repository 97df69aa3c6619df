"""Benchmark: tally a big round against a plain SQL GROUP BY of its answers.

Builds a round of 10,000 ballots × 50 subjects × 5 criteria (2.5 million
answers) in a temporary SQLite database, then times, in the same run:

* the baseline: one plain ``GROUP BY group, subject, criterion, option`` over
  the answers (what any tally must at least read);
* ``results.tally_round``: the full tally with the plugins' scores,
  proposals and flags;
* the XLSX export of that tally.

The round is a plain one (answers unsealed, as rounds opened before the
encrypted ballot box were) marked counted with no kept result, so every
``tally_round`` reads its answers and runs the disclosure control again:
the slowest path a result can take (a sealed round reads what counting kept).

Target: the tally within 3× the GROUP BY.  Each figure is the best of
``--repeat`` runs.  Usage: ``.venv/bin/python bench/tally.py [--ballots N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from benchkit import Timer

TARGET = 3.0
GROUPS = (("members", 60, 0.6), ("masses", 40, 0.4))  # key, weight, share of ballots
OPTIONS = (("excellent", "优秀", 100, 30), ("qualified", "合格", 80, 50),
           ("basic", "基本合格", 60, 12), ("unqualified", "不合格", 0, 3),
           ("unknown", "不了解", None, 5))                # key, label, points, % of answers


def spec_text(subjects: int, criteria: int, ballots: int) -> str:
    lines = ['title = "基准测试：民主评议党员"', "anonymity_min = 5", "", "[scale]", "options = ["]
    for key, label, points, _ in OPTIONS:
        extra = "" if points is None else f", points = {points}"
        lines.append(f'  {{ key = "{key}", label = "{label}"{extra} }},')
    lines.append("]")
    for c in range(criteria):
        lines += ["[[criteria]]", f'key = "c{c}"', f'label = "项目{c}"', f"weight = {c + 1}"]
    for key, weight, share in GROUPS:
        lines += ["[[groups]]", f'key = "{key}"', f'label = "{key}"', f"weight = {weight}",
                  f"expected = {int(ballots * share) + 10}"]
    for s in range(subjects):
        lines += ["[[subjects]]", f'key = "s{s}"', f'name = "成员{s:03d}"',
                  f'unit = "第{s % 7}车间"']
    lines += ["[rules]", "bands = [{ min = 90, option = \"excellent\" }, "
              "{ min = 70, option = \"qualified\" }, { min = 0, option = \"basic\" }]",
              "review_share = { unqualified = 0.3333 }", "quorum = 0.5"]
    return "\n".join(lines) + "\n"




def fill(path: Path, round_id: int, group_ids: list[int], subject_ids: list[int],
         criterion_ids: list[int], option_ids: dict[str, int], ballots: int) -> int:
    """Bulk-insert the ballots and answers with executemany; returns answers."""
    rng = random.Random(4)
    keys = [k for k, *_ in OPTIONS]
    weights = [w for *_, w in OPTIONS]
    con = sqlite3.connect(path)
    con.execute("PRAGMA synchronous=OFF")
    rows_b, rows_a = [], []
    for i in range(ballots):
        ballot_id = secrets.token_hex(16)
        group = group_ids[0] if i < ballots * GROUPS[0][2] else group_ids[1]
        rows_b.append((ballot_id, round_id, group, "web", "2026-01-15", None))
        picks = rng.choices(keys, weights, k=len(subject_ids) * len(criterion_ids))
        it = iter(picks)
        rows_a.extend((ballot_id, s, c, option_ids[next(it)])
                      for s in subject_ids for c in criterion_ids)
    rows_a.sort()  # primary-key order: the WITHOUT ROWID B-tree fills sequentially
    with con:
        con.executemany("INSERT INTO ballot (id, round_id, group_id, channel, received_on, "
                        "receipt_hash) VALUES (?, ?, ?, ?, ?, ?)", rows_b)
        con.executemany("INSERT INTO answer (ballot_id, subject_id, criterion_id, option_id) "
                        "VALUES (?, ?, ?, ?)", rows_a)
        con.execute("UPDATE round SET status = 'counted' WHERE id = ?", (round_id,))
    con.close()
    return len(rows_a)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--subjects", type=int, default=50)
    parser.add_argument("--criteria", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="surveyapp-bench-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(workdir / "instance")
    path = workdir / "bench.sqlite"

    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.domain.spec import parse_spec
    from surveyapp.plugins import exporters
    from surveyapp.services.results import tally_round
    from surveyapp.services.rounds import create_round, get_round, round_spec

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    with app.app_context():
        start = time.perf_counter()
        upgrade()
        round_ = create_round(parse_spec(spec_text(args.subjects, args.criteria, args.ballots)),
                              actor="bench")
        ids = (round_.id, [g.id for g in round_.groups], [s.id for s in round_.subjects],
               [c.id for c in round_.criteria], {o.key: o.id for o in round_.options})
        db.session.remove()
        db.engine.dispose()
        answers = fill(path, *ids, ballots=args.ballots)
        built = time.perf_counter() - start

        con = sqlite3.connect(path)
        baseline_sql = (
            "SELECT b.group_id, a.subject_id, a.criterion_id, a.option_id, count(*) "
            "FROM answer a JOIN ballot b ON b.id = a.ballot_id WHERE b.round_id = ? "
            "GROUP BY b.group_id, a.subject_id, a.criterion_id, a.option_id")
        round_ = get_round(round_.slug)
        spec = round_spec(round_)
        xlsx = exporters()["xlsx"]
        group_by, tally, export = Timer(), Timer(), Timer()
        for _ in range(args.repeat):
            group_by.run(lambda: con.execute(baseline_sql, (ids[0],)).fetchall())
            tally.run(lambda: tally_round(round_))
            export.run(lambda: xlsx.export(tally.result, spec))
        con.close()

    ratio = tally.wall / group_by.wall
    print(f"surveyapp tally benchmark (SQLite {sqlite3.sqlite_version}, Python "
          f"{sys.version.split()[0]}, best of {args.repeat}; wall clock, CPU in brackets)")
    print(f"round: {args.ballots:,} ballots × {args.subjects} subjects × {args.criteria} "
          f"criteria = {answers:,} answers; built in {built:.1f} s")
    print(f"  plain SQL GROUP BY     {group_by.wall:8.3f} s  ({group_by.cpu:.3f} s)  baseline, "
          f"{len(group_by.result):,} cells")
    print(f"  results.tally_round    {tally.wall:8.3f} s  ({tally.cpu:.3f} s)  "
          f"{ratio:.2f}× baseline ({tally.cpu / group_by.cpu:.2f}× in CPU)")
    print(f"  XLSX export            {export.wall:8.3f} s  ({export.cpu:.3f} s)  "
          f"{len(export.result):,} bytes")
    verdict = "met" if ratio <= TARGET else "NOT met"
    print(f"target: tally within {TARGET:g}× the GROUP BY: {verdict} ({ratio:.2f}×)")

if __name__ == "__main__":
    main()
