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


def test_the_settings_run_single_threaded_workers_that_a_timeout_stops():
    options = serve.settings(host="127.0.0.1", port=5000, workers=4)
    assert options["worker_class"] == "sync" and options["timeout"] == serve.TIMEOUT <= 30
    assert serve.settings(host="h", port=1, workers=1, threads=4)["worker_class"] == "gthread"


def test_the_real_server_writes_no_access_log(app, tmp_path):
    """No log line may put an address and a time beside a ballot (SECURITY.md).
    The real gunicorn runs with the real settings; whatever it prints and
    whatever files it leaves in its folder are searched for the requests."""
    from gunicorn.config import Config

    from .conftest import csrf_token, full_ballot, issue, make_round
    from .live_server import Device, LiveServer

    options = serve.settings(host="127.0.0.1", port=1, workers=2)
    effective = serve._Server(app, options).cfg
    assert isinstance(effective, Config)
    assert effective.accesslog is None and not effective.syslog
    assert "accesslog" in options  # said explicitly, not left to a default

    round_ = make_round()
    [code] = issue(round_)
    unknown = "UNKNOWNMARKER1"
    live = LiveServer(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path, workers=2, threads=1)
    try:
        phone = Device(live.url)
        phone.scan(code)
        assert phone.submit(full_ballot(round_)) == "done"
        stranger = Device(live.url)
        try:
            stranger.opener.open(f"{live.url}/c/{unknown}", timeout=30)
        except Exception:  # noqa: BLE001 (a 404 page: what matters is the log)
            pass
        csrf_token(stranger.opener.open(f"{live.url}/", timeout=30).read().decode())
    finally:
        live.stop()
    written = [path for path in tmp_path.rglob("*") if path.is_file()
               and path.suffix not in (".sqlite", ".sqlite-wal", ".sqlite-shm")]
    assert live.log in written
    for path in written:
        text = path.read_bytes().decode("utf-8", "replace")
        for marker in ("/ballot", "/c/", unknown, "GET /", "POST ", '" 200', '" 302'):
            assert marker not in text, (path, marker)
