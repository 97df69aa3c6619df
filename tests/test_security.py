"""The attack surface (issue 7 §3): security headers, no inline script, CSRF
on every form, escaping of hostile names and comments, 4xx for SQL-ish and
oversized input, and the rate limits on guessing codes, posting ballots and
logging in.  SECURITY.md maps each promise to the test that keeps it."""

from __future__ import annotations

import json
import secrets
import urllib.parse
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from werkzeug.security import generate_password_hash

from surveyapp.database import db
from surveyapp.domain import codes
from surveyapp.domain.spec import load_spec
from surveyapp.models import Answer, Ballot, Comment, Round, User, VoterCode
from surveyapp.plugins import spec_context
from surveyapp.services import rounds as rounds_service

from .conftest import SPEC, count_round, csrf_token, full_ballot, issue, make_round, open_round

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'

HOSTILE_SPEC = f"""
title = "评议 {SCRIPT}"
anonymity_min = 1
[scale]
options = [
  {{ key = "excellent", label = "优秀 <svg onload=alert(1)>", points = 100 }},
  {{ key = "qualified", label = "合格", points = 80 }},
]
[[groups]]
key = "members"
label = "党员 <i>x</i>"
[[subjects]]
key = "evil"
name = "{SCRIPT}"
unit = '{ATTRIBUTE}'
[[subjects]]
key = "lisi"
name = "李四"
"""


@pytest.fixture
def app_config(request):
    """Rate-limit tests pass their limits with ``indirect=True``; the rest
    run with the limiter off, as the whole suite does."""
    return getattr(request, "param", {})


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def open_ballot(client, code) -> str:
    assert client.get(f"/c/{code}").status_code == 302
    return client.get("/ballot").get_data(as_text=True)


def admin_client(app):
    db.session.add(User(username="root", role="admin",
                        password_hash=generate_password_hash("root-password")))
    db.session.commit()
    client = app.test_client()
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post("/admin/login", data={"csrf_token": csrf_token(page),
                                                 "username": "root", "password": "root-password"})
    assert response.status_code == 302, response.status_code
    return client


# -- headers and page content ------------------------------------------------------

class InlineCode(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_script = True
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith(
                    "javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:40]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def assert_secure_headers(response, *, ballot_side: bool):
    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'", csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    if ballot_side:
        assert "no-store" in response.headers["Cache-Control"]


def test_every_voter_page_sends_the_security_headers_and_no_inline_code(client):
    round_ = make_round()
    [code, used] = issue(round_, count=2)
    pages = {"enter code": client.get("/")}
    pages["redeem"] = client.get(f"/c/{code}")
    pages["ballot"] = client.get("/ballot")
    html = pages["ballot"].get_data(as_text=True)
    pages["incomplete ballot"] = client.post("/ballot", data={"csrf_token": csrf_token(html)})
    pages["submitted"] = client.post("/ballot", data={"csrf_token": csrf_token(html),
                                                      **full_ballot(round_)})
    pages["done"] = client.get("/done")
    pages["unknown code"] = client.get("/c/AAAAA-AAAAA")
    pages["not found"] = client.get("/no/such/page")
    assert [r.status_code for r in pages.values()] == [200, 302, 200, 400, 302, 200, 404, 404]
    for name, response in pages.items():
        assert_secure_headers(response, ballot_side=name not in ("not found",))
        assert inline_code(response.get_data(as_text=True)) == [], name
    session_cookie = pages["redeem"].headers["Set-Cookie"]
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert code not in pages["redeem"].headers["Location"]  # the code leaves the address bar


def test_organiser_pages_send_the_headers_and_no_inline_code(app):
    make_round()
    client = admin_client(app)
    slug = db.session.scalar(select(Round.slug))
    for url in ("/admin/login", "/admin/", f"/admin/rounds/{slug}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response, ballot_side=False)
        assert inline_code(response.get_data(as_text=True)) == [], url


# -- CSRF --------------------------------------------------------------------------

def post_urls(app, slug: str) -> dict[str, str]:
    """Every route that accepts POST, with plausible URL arguments."""
    urls = {}
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        values = {arg: slug if arg == "slug" else "x" for arg in rule.arguments}
        _, path = rule.build({**(rule.defaults or {}), **values})
        urls[f"{rule.endpoint} {rule.rule}"] = path
    return urls


def test_every_form_refuses_a_post_without_its_token(app):
    round_ = make_round()
    [code] = issue(round_)
    admin = admin_client(app)  # an organiser who is logged in
    voter = app.test_client()
    voter.get(f"/c/{code}")  # a voter who holds a code: every view would act
    urls = post_urls(app, round_.slug)
    assert {"ballot.enter_code", "ballot.ballot", "ballot.link_ballot", "admin.login",
            "admin.logout"} <= {key.split()[0] for key in urls}
    before = (count(Ballot), count(VoterCode, VoterCode.status == "issued"), round_.status)
    for name, url in urls.items():
        data = {"code": code, "username": "root", "password": "root-password",
                **full_ballot(round_)}
        client = admin if name.startswith("admin.") else voter
        response = client.post(url, data=data)
        assert response.status_code == 400, (name, url, response.status_code)
        for forged in ("", "forged-token"):
            assert client.post(url, data={**data, "csrf_token": forged}).status_code == 400
    db.session.expire_all()
    assert (count(Ballot), count(VoterCode, VoterCode.status == "issued"),
            db.session.get(Round, round_.id).status) == before
    assert admin.get("/admin/").status_code == 200  # the tokenless logout did nothing


def test_a_token_from_another_browser_is_refused(app, client):
    round_ = make_round()
    [mine, theirs] = issue(round_, count=2)
    their_token = csrf_token(open_ballot(app.test_client(), theirs))
    open_ballot(client, mine)
    response = client.post("/ballot", data={"csrf_token": their_token, **full_ballot(round_)})
    assert response.status_code == 400
    assert count(Ballot) == 0


# -- escaping ------------------------------------------------------------------

def assert_inert(html: str):
    assert SCRIPT not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "<i>x</i>" not in html


def test_hostile_names_from_a_spec_are_escaped_on_the_ballot_page(client):
    round_ = make_round(HOSTILE_SPEC)
    [code] = issue(round_)
    html = open_ballot(client, code)
    assert_inert(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown, as text
    assert inline_code(html) == []


def test_hostile_names_from_an_imported_subjects_file_are_escaped(client, tmp_path):
    (tmp_path / "members.csv").write_text(
        f'key,name,unit\nevil,{SCRIPT},"{ATTRIBUTE.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8")
    spec = 'subjects_file = "members.csv"\n' + SPEC.split("[[subjects]]")[0]
    (tmp_path / "round.toml").write_text(spec, encoding="utf-8")
    round_ = rounds_service.create_round(load_spec(tmp_path / "round.toml", **spec_context()),
                                         actor="test")
    open_round(round_)
    assert round_.subjects[0].name == SCRIPT
    [code] = issue(round_)
    html = open_ballot(client, code)
    assert_inert(html)
    assert "&lt;script&gt;" in html


def test_a_hostile_comment_comes_back_escaped_and_is_stored_as_typed(client):
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    comment = f"</textarea>{SCRIPT}"
    refused = client.post("/ballot", data={"csrf_token": csrf_token(html), "comment": comment})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert SCRIPT not in page and "&lt;/textarea&gt;" in page
    client.post("/ballot", data={"csrf_token": csrf_token(page), "comment": comment,
                                 **full_ballot(round_)})
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    assert db.session.scalar(select(Comment.text)) == comment  # data, not markup


def test_results_page_and_exports_keep_hostile_names_inert(app):
    round_ = make_round(HOSTILE_SPEC)
    voters = issue(round_, count=2)
    for code in voters:
        voter = app.test_client()
        html = open_ballot(voter, code)
        voter.post("/ballot", data={"csrf_token": csrf_token(html),
                                    **full_ballot(round_, "excellent")})
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    client = admin_client(app)
    page = client.get(f"/admin/rounds/{round_.slug}/results")
    assert page.status_code == 200
    assert_inert(page.get_data(as_text=True))
    assert inline_code(page.get_data(as_text=True)) == []
    exported = client.get(f"/admin/rounds/{round_.slug}/results/export/json")
    assert exported.status_code == 200
    assert exported.headers["Content-Disposition"].startswith("attachment")
    assert exported.mimetype == "application/json"
    names = {s["key"]: s["name"] for s in json.loads(exported.data)["subjects"]}
    assert names["evil"] == SCRIPT  # the data is kept exactly, never rendered as HTML
    csv = client.get(f"/admin/rounds/{round_.slug}/results/export/csv")
    assert csv.headers["Content-Disposition"].startswith("attachment")


# -- SQL-ish and oversized input -------------------------------------------------------

SQLISH = ["' OR '1'='1", "1; DROP TABLE ballot; --", '" OR ""="', "%' --", "admin'--",
          "ABCDE-FGHJK' OR 1=1 --", "\u0000", "ＡＢＣＤＥ－ＦＧＨＪＫ", "../../etc/passwd"]


def test_sqlish_input_gets_a_4xx_and_changes_nothing(client):
    round_ = make_round()
    [code] = issue(round_)
    form = csrf_token(client.get("/").get_data(as_text=True))
    for text in SQLISH:
        quoted = urllib.parse.quote(text, safe="")
        assert client.post("/", data={"csrf_token": form, "code": text}).status_code in (400,
                                                                                         404)
        for url in (f"/c/{quoted}", f"/r/{quoted}", f"/p/{quoted}", f"/p/{quoted}/receipt",
                    f"/?lang={quoted}"):
            assert client.get(url).status_code in (200, 400, 404), (url, text)
    html = open_ballot(client, code)
    for text in SQLISH:
        data = {"csrf_token": csrf_token(html), **full_ballot(round_), "q-1-0": text}
        assert client.post("/ballot", data=data).status_code == 400, text
    assert count(Ballot) == 0 and count(VoterCode, VoterCode.status == "issued") == 1
    assert client.get(f"/c/{code}").status_code == 302  # the code still works


def test_oversized_input_gets_a_4xx_and_stores_nothing(app, client):
    round_ = make_round()
    [code] = issue(round_)
    limit = app.config["MAX_CONTENT_LENGTH"]
    token = csrf_token(client.get("/").get_data(as_text=True))
    assert client.post("/", data={"csrf_token": token, "code": "A" * (limit + 1)}
                       ).status_code == 413
    assert client.post("/", data={"csrf_token": token, "code": "A" * 10_000}).status_code == 400
    assert client.get("/c/" + "A" * 10_000).status_code == 404
    html = open_ballot(client, code)
    token = csrf_token(html)
    too_long = {"csrf_token": token, **full_ballot(round_), "comment": "长" * 1001}
    assert client.post("/ballot", data=too_long).status_code == 400
    huge = {"csrf_token": token, **full_ballot(round_), "comment": "x" * (limit + 1)}
    assert client.post("/ballot", data=huge).status_code == 413
    upload = MultiDict([("csrf_token", token), *full_ballot(round_).items(),
                        *((f"x{i}", "y") for i in range(2000))])
    assert client.post("/ballot", data=upload, content_type="multipart/form-data"
                       ).status_code == 413  # too many parts
    assert count(Ballot) == 0 and count(Comment) == 0 and count(Answer) == 0


def test_a_nul_character_anywhere_is_a_400_on_every_database(client):
    """PostgreSQL cannot hold NUL in text, so it is refused before any query."""
    round_ = make_round()
    [code] = issue(round_)
    html = open_ballot(client, code)
    data = {"csrf_token": csrf_token(html), **full_ballot(round_)}
    assert client.post("/ballot", data={**data, "comment": "好\x00"}).status_code == 400
    assert client.post("/ballot", data={**data, "q-0-0\x00": "x"}).status_code == 400
    assert client.get("/r/a%00b").status_code == 400
    assert client.get("/?lang=%00").status_code == 400
    assert count(Ballot) == 0 and count(Comment) == 0
    assert client.post("/ballot", data=data).status_code == 302


# -- rate limits ---------------------------------------------------------------------

LIMITED = {"RATELIMIT_ENABLED": True, "RATELIMIT_CODE_ATTEMPTS": "5 per minute",
           "RATELIMIT_CODE_ATTEMPTS_PER_BROWSER": "3 per minute",
           "RATELIMIT_BALLOTS_PER_ROUND": "3 per minute",
           "RATELIMIT_BALLOTS_PER_CLIENT": "2 per minute",
           "RATELIMIT_INVALID_BALLOTS": "4 per minute", "RATELIMIT_LOGINS": "3 per minute"}
limited = pytest.mark.parametrize("app_config", [LIMITED], indirect=True)


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def unknown_code() -> str:
    return codes.new_code()  # 50 random bits: not one of the few issued


def test_codes_carry_at_least_40_random_bits():
    assert len(set(codes.ALPHABET)) ** codes.LENGTH >= 2 ** 40 and codes.BITS >= 40
    sample = {codes.new_code() for _ in range(5000)}
    assert len(sample) == 5000
    assert all(codes.normalise(c) == c for c in sample)


@limited
def test_a_guessing_browser_spends_its_own_allowance(app):
    round_ = make_round()
    [code, other] = issue(round_, count=2)
    guesser = from_address(app, "203.0.113.9")  # keeps its cookies, as a phone does
    token = csrf_token(guesser.get("/").get_data(as_text=True))
    for _ in range(3):
        assert guesser.get(f"/c/{unknown_code()}").status_code == 404
    blocked = guesser.get(f"/c/{code}")  # even a real code: its own allowance is spent
    assert blocked.status_code == 429 and "Retry-After" in blocked.headers
    assert "尝试次数过多" in blocked.get_data(as_text=True)
    assert guesser.post("/", data={"csrf_token": token, "code": other}).status_code == 429
    assert count(VoterCode, VoterCode.status == "issued") == 2
    # Its neighbours behind the same address are not the guesser.
    assert from_address(app, "203.0.113.9").get(f"/c/{code}").status_code == 302


@limited
def test_an_address_full_of_wrong_codes_still_lets_a_valid_code_in(app):
    """The canteen's prankster (issue 16): wrong codes from one address, from
    fresh browsers each time, stop at the address's allowance (429 instead
    of 404), but a valid slip scanned behind that address still opens."""
    round_ = make_round()
    slips = issue(round_, count=3)
    answers = [from_address(app, "192.0.2.1").get(f"/c/{unknown_code()}").status_code
               for _ in range(12)]
    assert answers == [404] * 5 + [429] * 7
    for slip in slips:
        assert from_address(app, "192.0.2.1").get(f"/c/{slip}").status_code == 302
    typed = from_address(app, "192.0.2.1")
    token = csrf_token(typed.get("/").get_data(as_text=True))
    assert typed.post("/", data={"csrf_token": token, "code": unknown_code()}).status_code == 429
    assert from_address(app, "192.0.2.2").get(f"/c/{unknown_code()}").status_code == 404


@limited
def test_a_whole_canteen_behind_one_address_can_redeem_its_codes(app):
    round_ = make_round()
    slips = issue(round_, count=12)  # more than the 5 failed attempts allowed
    for slip in slips:
        assert from_address(app, "192.0.2.1").get(f"/c/{slip}").status_code == 302
    for _ in range(4):  # a few typos among them still leave room
        assert from_address(app, "192.0.2.1").get(f"/c/{unknown_code()}").status_code == 404
    assert from_address(app, "192.0.2.1").get(f"/c/{slips[0]}").status_code == 302


@limited
def test_wrong_receipts_count_as_guesses(app):
    from surveyapp.services import publication

    round_ = make_round(status="counted")
    publication.publish(round_, actor="test")
    guesser = from_address(app, "203.0.113.20")
    url = f"/p/{round_.slug}/receipt"
    statuses = []
    for _ in range(4):
        token = csrf_token(guesser.get(url).get_data(as_text=True))
        statuses.append(guesser.post(url, data={"csrf_token": token,
                                                "receipt": "ABCDE-FGHJK-MNPQR-STVWX"}).status_code)
    assert statuses == [404] * 3 + [429]


@limited
def test_ballot_posts_are_limited_per_round_and_per_client(app):
    busy, quiet = make_round(), make_round()
    busy_codes, quiet_codes = issue(busy, count=4), issue(quiet, count=3)

    refusals = []

    def vote(address, code, round_):
        voter = from_address(app, address)
        html = open_ballot(voter, code)
        response = voter.post("/ballot", data={"csrf_token": csrf_token(html),
                                               **full_ballot(round_)})
        if response.status_code == 429:
            refusals.append(response)
        return response.status_code

    # Per round: the fourth ballot within the minute is refused, whoever sends it.
    assert [vote(f"10.0.0.{i}", c, busy) for i, c in enumerate(busy_codes)] == [302] * 3 + [429]
    # A window of slices: refused for at most a minute and one slice.
    assert 1 <= int(refusals[0].headers["Retry-After"]) <= 70
    assert "请稍等一分钟再试" in refusals[0].get_data(as_text=True)
    assert count(VoterCode, VoterCode.round_id == busy.id, VoterCode.status == "issued") == 1
    # Another round is unaffected; one address is held to its own limit.
    assert [vote("10.0.1.1", c, quiet) for c in quiet_codes] == [302, 302, 429]
    assert count(Ballot) == 5


@limited
def test_posts_that_cannot_count_never_refuse_a_complete_ballot(app):
    """Issue 16: with one held code, thousands of incomplete posts from a few
    addresses made a fresh address get 429 and a complete ballot refused.
    Posts that cannot count spend only their own browser's allowance."""
    round_ = make_round()
    [held, *voters] = issue(round_, count=4)
    attackers = []
    for i in range(3):
        attacker = from_address(app, f"198.51.100.{i}")
        token = csrf_token(open_ballot(attacker, held))
        attackers.append((attacker, token))
    statuses = [attacker.post("/ballot", data={"csrf_token": token, "q-0-0": "qualified"})
                .status_code for attacker, token in attackers for _ in range(6)]
    assert statuses == ([400] * 4 + [429] * 2) * 3
    for i, code in enumerate(voters[:2]):  # fresh addresses, complete ballots: never refused
        voter = from_address(app, f"10.9.0.{i}")
        html = open_ballot(voter, code)
        assert voter.post("/ballot", data={"csrf_token": csrf_token(html),
                                           **full_ballot(round_)}).status_code == 302
    # Even the browser that spent its allowance gets its complete ballot in.
    attacker, token = attackers[0]
    assert attacker.post("/ballot", data={"csrf_token": token,
                                          **full_ballot(round_)}).status_code == 302
    assert count(Ballot) == 3


@limited
def test_a_replayed_cookie_of_a_spent_code_is_stopped_before_sealing(app, monkeypatch):
    from surveyapp.services.voting import casting

    round_ = make_round()
    [code] = issue(round_)
    voter = from_address(app, "10.8.0.1")
    html = open_ballot(voter, code)
    cookie = voter.get_cookie("session").value
    data = {"csrf_token": csrf_token(html), **full_ballot(round_)}
    assert voter.post("/ballot", data=data).status_code == 302
    sealed = []
    real = casting.ballot_rows
    monkeypatch.setattr(casting, "ballot_rows", lambda *a, **k: sealed.append(1) or real(*a, **k))
    statuses = []
    for _ in range(8):
        voter.set_cookie("session", cookie)  # the session from before the ballot, code and all
        statuses.append(voter.post("/ballot", data=data).status_code)
    assert statuses == [409] * 8 and count(Ballot) == 1
    assert len(sealed) == 4  # once the browser's allowance is spent, no more sealing


@limited
def test_failed_logins_are_limited_per_client(app):
    db.session.add(User(username="sec", role="secretary",
                        password_hash=generate_password_hash("right-password")))
    db.session.commit()

    def login(client, password):
        page = client.get("/admin/login").get_data(as_text=True)
        return client.post("/admin/login", data={"csrf_token": csrf_token(page),
                                                  "username": "sec", "password": password})

    attacker = from_address(app, "203.0.113.50")
    assert [login(attacker, f"guess-{i}").status_code for i in range(3)] == [400] * 3
    assert login(attacker, "right-password").status_code == 429
    assert login(from_address(app, "203.0.113.51"), "right-password").status_code == 302
    # A right password is not counted as a failure.
    for _ in range(4):
        assert login(app.test_client(), "right-password").status_code == 302


class SpyStore:
    def __init__(self, store):
        self.store, self.keys = store, []

    def add(self, key, amount, ttl, read=()):
        self.keys += [key, *read]
        return self.store.add(key, amount, ttl, read)

    def read(self, keys):
        self.keys += list(keys)
        return self.store.read(keys)


@limited
def test_the_limiter_store_never_holds_a_client_address(app):
    address = "203.0.113.77"
    limits = app.extensions["surveyapp.limits"]
    spy = SpyStore(limits.store)
    for allowance in limits.allowances.values():
        allowance.store = spy
    guesser = from_address(app, address)
    for _ in range(3):
        guesser.get(f"/c/{unknown_code()}")
    assert any("client:" in k for k in spy.keys)  # the guesses were counted ...
    assert any("browser:" in k for k in spy.keys)
    assert not any(address in k for k in spy.keys)  # ... under keyed hashes only
    browser_id = guesser.get_cookie("session") and app.session_interface.open_session(
        app, app.test_request_context(headers={
            "Cookie": f"session={guesser.get_cookie('session').value}"}).request)["browser"]
    assert not any(browser_id in k for k in spy.keys)
    stored = limits.store.path.read_bytes()
    assert address.encode() not in stored and browser_id.encode() not in stored


def test_limits_are_configured_from_the_environment(monkeypatch, tmp_path):
    from surveyapp import create_app

    monkeypatch.setenv("SURVEYAPP_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_CODE_ATTEMPTS", "7 per minute")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_STORAGE_URL", "redis://127.0.0.1:1")
    monkeypatch.setenv("SURVEYAPP_RATELIMIT_ENABLED", "off")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": secrets.token_hex()})
    assert app.config["RATELIMIT_CODE_ATTEMPTS"] == "7 per minute"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:1"
    assert app.config["RATELIMIT_ENABLED"] is False and "surveyapp.limits" not in app.extensions
