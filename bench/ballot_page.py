"""Ballot page benchmark: a meeting of hundreds scanning at once, i.e. GET
/ballot with a held code, beside a bare Flask "hello" under the same
gunicorn settings, in one run.

Both are served by ``surveyapp.cli.serve.run`` (gunicorn, ``--workers``
processes of ``--threads`` threads, no access log): surveyapp on a temporary
SQLite database with an open round of ``--subjects`` people on a five-grade
scale (the 民主评议党员 template's 优秀 limit included), and a bare Flask app
answering "hello".  ``--connections`` keep-alive connections (from
``--clients`` processes) request as fast as answers come, for ``--seconds``,
the two servers in turn, ``--rounds`` times, so a busy moment on the machine
weighs on both alike.  Each ballot request carries the session cookie that
scanning a slip leaves (a held code), one per connection.  Ballot kits
(services/voting/kits.py: sealing work each worker makes once per open
round while no ballot arrives, 100 × ~20 ms) are switched off here: they are
the ballot post's business and would take the CPU from the first windows.

Before timing, the page is checked to be what a voter gets: the form token
of the voter's own session, the page's language, the round's cards and its
limit, and the sheet number the phone keeps its answers under.

Target (issue 17): the ballot page at least 0.25 of the bare endpoint's rate.
Exit status 1 otherwise, or on any error.

Usage: ``.venv/bin/python bench/ballot_page.py [--seconds 5] [--rounds 3]
[--connections 16] [--clients 4] [--workers N] [--threads 1] [--subjects 20]``
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchkit import wait_ready  # noqa: E402

TARGET = 0.25
SECRET = "bench-" + secrets.token_hex(8)

HELLO = """
from flask import Flask
from surveyapp.cli.serve import run
app = Flask("hello")

@app.route("/hello")
def hello():
    return "hello"

run(app, host="127.0.0.1", port={port}, workers={workers}, threads={threads})
"""


def spec_text(subjects: int) -> str:
    return ('title = "2026年度民主评议党员"\ntemplate = "party-member-appraisal"\n'
            'scale = "four-grade-with-unknown"\n'
            '[[groups]]\nkey = "members"\nlabel = "党员互评"\n'
            + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i:02d}"\n'
                      f'unit = "第{i % 3 + 1}党支部"\n' for i in range(subjects)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(database_url: str, subjects: int, sessions: int) -> list[str]:
    """Migrate, create and open a round, issue codes, and make for each code
    the session cookie scanning its slip and opening the ballot once leave
    (its code, round, group, sheet number and form token)."""
    from flask import session
    from flask_migrate import upgrade
    from flask_wtf.csrf import generate_csrf

    from surveyapp import create_app, plugins
    from surveyapp.database import db
    from surveyapp.domain.spec import parse_spec
    from surveyapp.services import codes as codes_service
    from surveyapp.services import rounds as rounds_service
    from surveyapp.services.voting.casting import CodeCheck
    from surveyapp.web.ballot.views import hold_code

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": SECRET})
    with app.app_context():
        upgrade()
        spec = parse_spec(spec_text(subjects), **plugins.spec_context())
        round_ = rounds_service.create_round(spec, actor="bench")
        rounds_service.open_round(round_, actor="bench")
        plain = codes_service.issue(round_, "members", sessions, actor="bench")[0]
        db.session.commit()
        round_id, group_id, slug = round_.id, round_.groups[0].id, round_.slug
        db.engine.dispose()
    signer = app.session_interface.get_signing_serializer(app)
    cookies = []
    for code in plain:
        with app.test_request_context():
            hold_code(CodeCheck(code, round_id, slug, group_id))
            generate_csrf()
            cookies.append(signer.dumps(dict(session)))
    return cookies


# -- a lean keep-alive client ---------------------------------------------------------

def _read_response(sock: socket.socket, buffer: bytes) -> tuple[int, bytes, bytes]:
    """(status, body, what is left over) of one HTTP/1.1 response."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)[1])
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return status, rest[:length], rest[length:]


def fetch(port: int, path: str, cookie: str | None = None) -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(_request(path, cookie))
        status, body, _ = _read_response(sock, b"")
    return status, body


def _request(path: str, cookie: str | None) -> bytes:
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Accept-Language: zh-CN"]
    if cookie:
        lines.append(f"Cookie: session={cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def client(port: int, path: str, cookies: list[str | None], start: float, stop: float,
           results) -> None:
    """Keep-alive connections, one per cookie, each asking again as soon as
    its answer is in (a thread each); report (answers, errors)."""
    import threading

    counts = []

    def connection(cookie):
        done = errors = 0
        request = _request(path, cookie)
        sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        buffer = b""
        while time.time() < start:
            time.sleep(0.001)
        while time.time() < stop:
            try:
                sock.sendall(request)
                status, _, buffer = _read_response(sock, buffer)
                if status == 200:
                    done += 1
                else:
                    errors += 1
            except (OSError, ConnectionError):
                errors += 1
                sock.close()
                sock = socket.create_connection(("127.0.0.1", port), timeout=30)
                buffer = b""
        sock.close()
        counts.append((done, errors))

    threads = [threading.Thread(target=connection, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results.put((sum(c[0] for c in counts), sum(c[1] for c in counts)))


def measure(port: int, path: str, cookies: list[str | None], args) -> tuple[float, int]:
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start = time.time() + 0.5
    stop = start + args.seconds
    share = [cookies[i::args.clients] for i in range(args.clients)]
    processes = [context.Process(target=client, args=(port, path, part, start, stop, results))
                 for part in share if part]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=args.seconds + 120) for _ in processes]
    for p in processes:
        p.join()
    return sum(o[0] for o in outcomes) / args.seconds, sum(o[1] for o in outcomes)


# -- servers --------------------------------------------------------------------------



def start(command: list[str], env: dict, log: Path, port: int) -> subprocess.Popen:
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT)
    wait_ready(port, process, log)
    return process


def check_page(port: int, cookies: list[str]) -> list[str]:
    """What a voter must get, checked on the pages of two voters: each its
    own form token (made for its session, not cached with the page)."""
    problems = []
    pages = [fetch(port, "/ballot", cookie) for cookie in cookies[:2]]
    tokens = []
    for status, body in pages:
        html = body.decode()
        if status != 200:
            problems.append(f"GET /ballot answered {status}")
            continue
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        tokens.append(token[1] if token else None)
        for what, pattern in [("the Chinese page", r'<html lang="zh-CN">'),
                              ("the round's cards", r'id="subject-0"'),
                              ("the limit", r'class="limit"'),
                              ("the kept-answers sheet", r'data-keep="[^"]+:[^"]+"')]:
            if not re.search(pattern, html):
                problems.append(f"the ballot page lacks {what}")
    if len(tokens) == 2 and (None in tokens or tokens[0] == tokens[1]):
        problems.append("two voters got the same form token")
    return problems


def main() -> int:
    from surveyapp.cli.serve import default_workers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--subjects", type=int, default=20)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="surveyapp-bench-") as folder:
        folder = Path(folder)
        database_url = f"sqlite:///{folder / 'bench.sqlite'}"
        cookies = prepare(database_url, args.subjects, args.connections)
        env = {**os.environ, "SURVEYAPP_DATABASE_URL": database_url,
               "SURVEYAPP_SECRET_KEY": SECRET, "SURVEYAPP_INSTANCE_PATH": str(folder),
               "SURVEYAPP_RATELIMIT_CODE_ATTEMPTS": "1000000 per minute",
               "SURVEYAPP_BALLOT_KITS": "0",
               "PYTHONPATH": str(ROOT)}
        app_port, hello_port = free_port(), free_port()
        surveyapp = start([sys.executable, "-c", "from surveyapp.cli import main; main()",
                           "serve", "--port", str(app_port), "--workers", str(args.workers),
                           "--threads", str(args.threads)], env, folder / "app.log", app_port)
        hello = start([sys.executable, "-c", HELLO.format(
            port=hello_port, workers=args.workers, threads=args.threads)], env,
            folder / "hello.log", hello_port)
        try:
            problems = check_page(app_port, cookies)
            for _ in range(3):  # every worker warm: the round's structure and page cached
                for cookie in cookies:
                    fetch(app_port, "/ballot", cookie)
            pages, hellos, errors = [], [], 0
            for _ in range(args.rounds):
                rate, failed = measure(app_port, "/ballot", cookies, args)
                pages.append(rate)
                errors += failed
                rate, failed = measure(hello_port, "/hello", [None] * args.connections, args)
                hellos.append(rate)
                errors += failed
        finally:
            for process in (surveyapp, hello):
                process.terminate()
                process.wait(timeout=30)

    ratios = [p / h for p, h in zip(pages, hellos, strict=True)]
    ratio = sum(pages) / sum(hellos)
    print(f"ballot page vs bare Flask, {args.workers} workers x {args.threads} threads, "
          f"{args.connections} connections, {args.subjects} people, {args.seconds:g} s x "
          f"{args.rounds}:")
    print(f"  ballot page (GET, held code)  {sum(pages) / len(pages):8.0f} pages/s  "
          f"({' '.join(f'{r:.0f}' for r in pages)})")
    print(f"  bare Flask hello              {sum(hellos) / len(hellos):8.0f} answers/s  "
          f"({' '.join(f'{r:.0f}' for r in hellos)})")
    print(f"  ratio {ratio:.3f} (windows: {' '.join(f'{r:.3f}' for r in ratios)}); "
          f"target >= {TARGET}; errors {errors}")
    for problem in problems:
        print(f"  FAILED: {problem}")
    return 0 if ratio >= TARGET and not errors and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
