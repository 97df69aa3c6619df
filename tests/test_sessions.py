"""Console sessions (issue 16 §4): logout ends a session on the server
side, a login starts a new session with a new form token, cookies are
Secure and HSTS is sent behind a proxy that says HTTPS, and no console page
or export is kept in a cache."""

from __future__ import annotations

import re

import pytest

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent
from surveyapp.services import campaigns, members
from surveyapp.services.rounds import create_round

from .conftest import SPEC, Client, count_round, csrf_token, login, open_round


def copy_of(client) -> Client:
    """Another browser holding a copy of ``client``'s session cookie."""
    other = client.application.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def logged_in(client) -> bool:
    return client.get("/admin/").status_code == 200


def test_a_cookie_copied_before_logout_no_longer_works(client, orgs):
    assert login(client, "a").status_code == 302
    stolen = copy_of(client)
    assert logged_in(stolen)
    page = client.get("/admin/").get_data(as_text=True)
    assert client.post("/admin/logout", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert not logged_in(client) and not logged_in(stolen)
    assert db.session.query(AuditEvent).filter_by(action="user.logout").count() == 1
    # Logging in again works, and the old copy stays dead.
    assert login(client, "a").status_code == 302 and logged_in(client)
    assert not logged_in(stolen)


def test_logout_ends_every_session_of_the_user_and_no_one_elses(client, app, orgs):
    assert login(client, "a").status_code == 302
    laptop = app.test_client()
    assert login(laptop, "a").status_code == 302
    colleague = app.test_client()
    assert login(colleague, "b").status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    assert not logged_in(laptop) and logged_in(colleague)


def session_of(client, app) -> dict:
    cookie = client.get_cookie("session").value
    return dict(app.session_interface.get_signing_serializer(app).loads(cookie))


def test_login_starts_a_new_session_with_a_new_form_token(client, app, orgs):
    before = client.get("/admin/login?lang=en").get_data(as_text=True)
    token_before = csrf_token(before)
    secret_before = session_of(client, app)["csrf_token"]
    response = client.post("/admin/login", data={"csrf_token": token_before, "username": "a",
                                                 "password": "password-a"})
    assert response.status_code == 302
    after = client.get("/admin/").get_data(as_text=True)
    state = session_of(client, app)
    assert state["csrf_token"] != secret_before and csrf_token(after) != token_before
    assert state["lang"] == "en"  # the language chosen before carries over
    # A form token that a page showed before the login no longer works.
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    db.session.commit()
    stale = client.post(f"/admin/rounds/{round_.slug}/open",
                        data={"csrf_token": token_before, "confirm": "y"})
    assert stale.status_code == 400
    assert db.session.get(type(round_), round_.id).status == "draft"


@pytest.fixture
def app_config():
    return {"RATELIMIT_TRUSTED_PROXIES": 1}


HTTPS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.4"}


def test_behind_a_proxy_that_says_https_cookies_are_secure_and_hsts_is_sent(client, orgs):
    for url in ("/", "/admin/login"):
        response = client.application.test_client().get(url, headers=HTTPS)
        assert "Secure" in response.headers["Set-Cookie"]
        assert re.fullmatch(r"max-age=\d{8,}", response.headers["Strict-Transport-Security"])
    page = client.get("/admin/login", headers=HTTPS).get_data(as_text=True)
    # Browsers send no Referer (Referrer-Policy: no-referrer): the token is the check.
    response = client.post("/admin/login", headers=HTTPS, data={
        "csrf_token": csrf_token(page), "username": "a", "password": "password-a"})
    assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    forged = client.application.test_client().post("/admin/login", headers=HTTPS, data={
        "csrf_token": csrf_token(page), "username": "a", "password": "password-a"})
    assert forged.status_code == 400  # another browser's token still fails
    plain = client.application.test_client().get("/admin/login")  # plain HTTP: as it says
    assert "Secure" not in plain.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in plain.headers


def test_without_a_trusted_proxy_the_header_is_not_believed(app, orgs):
    from surveyapp import create_app

    bare = create_app({**app.config, "RATELIMIT_TRUSTED_PROXIES": 0})
    response = bare.test_client().get("/admin/login", headers=HTTPS)
    assert "Secure" not in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


def test_every_console_page_and_export_is_kept_in_no_cache(client, app, orgs):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    open_round(round_)
    from surveyapp.services.rounds import transition

    transition(round_, "close", actor="t")
    count_round(round_)
    db.session.commit()
    campaign = campaigns.create('title = "2026年争创四强四优"\n'
                                'template = "four-strong-organisation"\nperiod = "2026"\n',
                                actor="t", org=orgs["a"])
    members.confirm_proposals(round_, actor="t")  # the person "zhangsan" has a record
    assert login(client, "a").status_code == 302
    values = {"slug": round_.slug, "step": "groups", "part": "basics", "fmt": "csv",
              "campaign": campaign.slug, "org": orgs["a"].id, "person": "zhangsan"}
    seen = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.") or "GET" not in rule.methods:
            continue
        formats = ["csv", "json", "xlsx", "pdf"] if "fmt" in rule.arguments else [None]
        for fmt in formats:
            url = rule.build({k: v for k, v in {**values, "fmt": fmt}.items()
                              if k in rule.arguments})[1]
            response = client.get(url)
            seen.append((url, response.status_code))
            assert "no-store" in response.headers.get("Cache-Control", ""), (url, response)
    assert any(url.endswith("/results/export/xlsx") and status == 200 for url, status in seen)
    assert any(url.endswith("/results") and status == 200 for url, status in seen)
    assert any(url.endswith("/audit") and status == 200 for url, status in seen)
    campaign_pages = [url for url, status in seen if "/campaigns" in url and status == 200]
    assert {f"/admin/campaigns/{campaign.slug}", f"/admin/campaigns/{campaign.slug}/export/csv",
            f"/admin/campaigns/{campaign.slug}/branches/{orgs['a'].id}"} <= set(campaign_pages)
    assert {"/admin/members/zhangsan", "/admin/members/zhangsan/export/xlsx",
            f"/admin/rounds/{round_.slug}/report/pdf",
            f"/admin/rounds/{round_.slug}/members"} <= {url for url, status in seen
                                                     if status == 200}
    assert len(seen) >= 20
