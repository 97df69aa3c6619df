"""Benchmark: what one request from a logged-in secretary can cost the
server, for the inputs of issue 16 beside ordinary ones, in the same run.

``surveyapp serve`` runs with one single-threaded worker (``--workers``), so
that every request lands on the worker measured and the ordinary requests
have loaded what the hostile ones use.  A secretary logs in and sends, one
at a time, the
ordinary requests first (a list of 20 names, a roster workbook of 300
people, a paper CSV of 50 ballots) and then the hostile ones: a typed list
of 99,999 names (multipart, as the page sends it, and URL-encoded), a 1.9 MB
workbook holding 546 MB of sheet XML, the same lying about its size in its
zip headers, a roster CSV of 20,000 rows and a paper CSV of 190,000 rows.
For each: the answer, the seconds it took, how much the worker grew (the
rise in its peak resident memory, VmHWM) and that peak.

Targets: every hostile input is refused (4xx) within 5 s and grows a worker
by at most 64 MB.  They used to take from 52 s to over 10 minutes and up to
8 GB.  Exit status 1 otherwise.

Usage: ``.venv/bin/python bench/hostile.py [--bomb-mb 546]``
"""

from __future__ import annotations

import argparse
import http.cookiejar
import io
import os
import re
import secrets
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load import serve, stop  # noqa: E402

from tests.hostile_inputs import (  # noqa: E402
    PAPER_SPEC,
    lying_xlsx_bomb,
    paper_rows,
    subject_lines,
    xlsx_bomb,
)

SECONDS_TARGET = 5.0
GROWTH_TARGET_MB = 64
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "bench-" + secrets.token_hex(6)


def prepare(url: str) -> str:
    """A secretary of a branch, and an open round of the branch for paper ballots."""
    from flask_migrate import upgrade

    from surveyapp import create_app
    from surveyapp.database import db
    from surveyapp.domain.spec import parse_spec
    from surveyapp.services import orgs, users
    from surveyapp.services import rounds as rounds_service

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "prepare"})
    with app.app_context():
        upgrade()
        branch = orgs.named("第一党支部")
        users.create("sec", "secretary", branch, PASSWORD, actor="bench")
        round_ = rounds_service.create_round(parse_spec(PAPER_SPEC), actor="bench", org=branch)
        rounds_service.open_round(round_, actor="bench")
        db.session.commit()
        slug = round_.slug
        db.engine.dispose()
    return slug


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect())

    def send(self, path: str, fields: dict | None = None,
             files: dict[str, tuple[str, bytes]] | None = None) -> tuple[int, str]:
        headers, data = {}, None
        if files:
            boundary = secrets.token_hex(12)
            data = _multipart(boundary, fields or {}, files)
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif fields is not None:
            data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=1200) as page:
                return page.status, page.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _multipart(boundary: str, fields: dict, files: dict) -> bytes:
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                  f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                  f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                  .encode() + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


def workers_of(pid: int) -> list[int]:
    return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def peaks(pids: list[int]) -> dict[int, int]:
    """Each worker's peak resident memory so far, in kB."""
    found = {}
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        found[pid] = int(re.search(r"VmHWM:\s+(\d+)", status)[1])
    return found


def roster_xlsx(people: int) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["工号", "姓名", "部门"] + [f"列{i}" for i in range(20)])
    for i in range(people):
        sheet.append([f"{1000 + i}", f"成员{i}", "生产车间"] + ["x" * 8] * 20)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bomb-mb", type=int, default=546,
                        help="sheet XML inside the workbook bomb")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="surveyapp-hostile-"))
    os.environ["SURVEYAPP_INSTANCE_PATH"] = str(work / "instance")
    url = f"sqlite:///{work / 'app.sqlite'}"
    print("preparing the inputs ...", file=sys.stderr)
    slug = prepare(url)
    bomb = xlsx_bomb(args.bomb_mb * 1024 * 1024)
    lying = lying_xlsx_bomb(args.bomb_mb * 1024 * 1024)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SURVEYAPP_DATABASE_URL": url,
           "SURVEYAPP_SECRET_KEY": "bench-" + secrets.token_hex(8)}
    server, port = serve(args, env, work / "server.log")
    rows = []
    try:
        pids = workers_of(server.pid)
        browser = Browser(f"http://127.0.0.1:{port}")
        token = TOKEN.search(browser.send("/admin/login")[1])[1]
        assert browser.send("/admin/login", {"csrf_token": token, "username": "sec",
                                             "password": PASSWORD})[0] == 302
        token = TOKEN.search(browser.send("/admin/")[1])[1]

        def subjects_step():
            browser.send("/admin/new", {"csrf_token": token, "title": "边界", "template": "",
                                        "scale": "four-grade", "access": "codes",
                                        "anonymity_min": "3"})
            browser.send("/admin/new/groups", {"csrf_token": token, "rows-0-key": "m",
                                               "rows-0-label": "党员"})
            browser.send("/admin/new/criteria", {"csrf_token": token})

        def typed(lines: str, *, encoded: bool = False):
            """As the page's form sends them (multipart), or URL-encoded."""
            subjects_step()
            fields = {"csrf_token": token, "subjects": lines, "action": "finish"}
            if encoded:
                return browser.send("/admin/new/subjects", fields)
            return browser.send("/admin/new/subjects", fields, {"none": ("", b"")})

        def uploaded(name: str, data: bytes):
            subjects_step()
            return browser.send("/admin/new/subjects",
                                {"csrf_token": token, "subjects": "", "action": "preview"},
                                {"subjects_file": (name, data)})

        def paper(data: bytes):
            return browser.send(f"/admin/rounds/{slug}/paper/import", {"csrf_token": token},
                                {"file": ("paper.csv", data)})

        roster_csv = ("key,name\n" + "".join(f"k{i},人{i}\n" for i in range(20_000))).encode()
        requests = [
            ("ordinary", "20 typed names", lambda: typed("".join(f"人{i}\n" for i in range(20)))),
            ("ordinary", "roster .xlsx, 300 people × 23 columns",
             lambda: uploaded("members.xlsx", roster_xlsx(300))),
            ("ordinary", "paper CSV, 50 ballots of 10 people", lambda: paper(paper_rows(500))),
            ("hostile", "99,999 typed names", lambda: typed(subject_lines(99_999))),
            ("hostile", "the same, URL-encoded (1.2 MB of escapes)",
             lambda: typed(subject_lines(99_999), encoded=True)),
            ("hostile", f"{len(bomb) / 1e6:.1f} MB .xlsx holding {args.bomb_mb} MB of XML",
             lambda: uploaded("members.xlsx", bomb)),
            ("hostile", "the same, its zip headers lying",
             lambda: uploaded("members.xlsx", lying)),
            ("hostile", "roster CSV of 20,000 rows", lambda: uploaded("members.csv", roster_csv)),
            ("hostile", "paper CSV of 190,000 rows", lambda: paper(paper_rows(190_000))),
        ]
        for kind, label, send in requests:
            before = peaks(pids)
            began = time.perf_counter()
            status, _page = send()
            seconds = time.perf_counter() - began
            after = peaks(pids)
            growth = max(after[p] - before[p] for p in pids) / 1024
            rows.append((kind, label, status, seconds, growth, max(after.values()) / 1024))
    finally:
        stop(server)

    print(f"hostile: one secretary's requests to gunicorn {args.workers} workers × "
          f"{args.threads} threads; {os.cpu_count()} CPUs; sqlite")
    for kind, label, status, seconds, growth, peak in rows:
        print(f"  {kind:<9} {label:<44} {status}  {seconds:7.2f} s  worker +{growth:6.1f} MB "
              f"(peak {peak:.0f} MB)")
    hostile = [r for r in rows if r[0] == "hostile"]
    passed = all(400 <= r[2] < 500 and r[3] <= SECONDS_TARGET and r[4] <= GROWTH_TARGET_MB
                 for r in hostile) and all(r[2] < 400 for r in rows if r[0] == "ordinary")
    print(f"  targets: hostile inputs refused within {SECONDS_TARGET:g} s, each growing a worker "
          f"by at most {GROWTH_TARGET_MB} MB; ordinary ones accepted")
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
