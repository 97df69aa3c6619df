"""Ballot writers take turns on an SQLite file (writers.py): one at a time
across the threads of a process and across processes, and no queue at all
where the database locks rows itself."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from contextlib import nullcontext

from sqlalchemy import create_engine

from surveyapp.services.voting.writers import SUFFIX, writer_turn


def take_turns(url: str, log: str, threads: int, turns: int) -> None:
    engine = create_engine(url)

    def work():
        for _ in range(turns):
            with writer_turn(engine):
                with open(log, "a") as out:
                    out.write(f"in {os.getpid()}\n")
                time.sleep(0.002)  # long enough for another writer to barge in
                with open(log, "a") as out:
                    out.write(f"out {os.getpid()}\n")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_turns_never_overlap_across_threads_and_processes(tmp_path):
    url, log = f"sqlite:///{tmp_path / 'app.sqlite'}", str(tmp_path / "turns.log")
    take_turns(url, log, threads=1, turns=1)  # the parent has used its queue before forking
    fork = multiprocessing.get_context("fork")
    processes = [fork.Process(target=take_turns, args=(url, log, 3, 10)) for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
        assert process.exitcode == 0
    events = [line.split() for line in open(log)]
    assert len(events) == 2 * (1 + 3 * 3 * 10)
    # Strictly in, out, in, out...: nobody entered while another was inside.
    assert [kind for kind, _ in events] == ["in", "out"] * (len(events) // 2)
    assert all(events[i][1] == events[i + 1][1] for i in range(0, len(events), 2))
    assert len({pid for _, pid in events}) == 4
    assert (tmp_path / f"app.sqlite{SUFFIX}").exists()  # beside the database, not in it


def test_other_databases_need_no_turn(tmp_path):
    for url in ("postgresql+psycopg://surveyapp@localhost/surveyapp", "sqlite://",
                "sqlite:///:memory:"):
        assert isinstance(writer_turn(create_engine(url)), nullcontext), url
