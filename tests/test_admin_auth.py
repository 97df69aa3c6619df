"""Organiser login and the organisation boundary."""

from __future__ import annotations

from surveyapp.domain.spec import parse_spec
from surveyapp.services.orgs import subtree_ids
from surveyapp.services.rounds import create_round

from .conftest import SPEC, csrf_token, login


def test_console_needs_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_wrong_password_is_400_and_says_so(client, orgs):
    response = login(client, "a", "nope")
    assert response.status_code == 400
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert login(client, "nobody", "nope").status_code == 400


def test_secretary_sees_own_subtree_only(client, orgs):
    mine = create_round(parse_spec(SPEC.replace("2026年度民主评议党员", "一支部评议")),
                        actor="t", org=orgs["a"])
    theirs = create_round(parse_spec(SPEC.replace("2026年度民主评议党员", "二支部评议")),
                          actor="t", org=orgs["b"])
    assert login(client, "a").status_code == 302
    page = client.get("/admin/").get_data(as_text=True)
    assert "一支部评议" in page and "二支部评议" not in page
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})

    login(client, "party")  # the 党委 sees both branches below it
    page = client.get("/admin/").get_data(as_text=True)
    assert "一支部评议" in page and "二支部评议" in page
    assert {mine.org_id, theirs.org_id} <= subtree_ids(orgs["committee"].id)


def test_login_cookie_is_httponly_and_samesite(client, orgs):
    response = login(client, "a")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_login_never_redirects_off_site(client, orgs):
    page = client.get("/admin/login").get_data(as_text=True)
    response = client.post("/admin/login?next=https://evil.example/admin",
                           data={"csrf_token": csrf_token(page), "username": "a",
                                 "password": "password-a"})
    assert response.headers["Location"] == "/admin/"
