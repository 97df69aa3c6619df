"""``surveyapp serve``: worker processes of one thread by default, two per CPU
(surveyapp/cli/serve.py says why); both can be set, and nonsense is refused."""

from __future__ import annotations

import os

import pytest

from surveyapp.cli import serve


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(serve, "run", lambda app, **options: calls.append(options))
    return calls


def test_the_defaults_are_two_single_threaded_processes_per_cpu(cli, started):
    result = cli("serve", "--port", "5999")
    assert result.exit_code == 0, result.output
    assert started == [{"host": "127.0.0.1", "port": 5999,
                        "workers": 2 * os.cpu_count(), "threads": 1}]


def test_workers_and_threads_can_be_set(cli, started):
    assert cli("serve", "--workers", "3", "--threads", "4").exit_code == 0
    assert (started[0]["workers"], started[0]["threads"]) == (3, 4)


@pytest.mark.parametrize("option", ["--workers", "--threads"])
def test_fewer_than_one_is_refused(cli, started, option):
    result = cli("serve", option, "0")
    assert result.exit_code == 2 and f"Invalid value for '{option}'" in result.output
    assert started == []
