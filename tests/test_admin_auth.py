"""Organiser login and the organisation boundary."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash

from surveyapp.admin.access import subtree_ids
from surveyapp.domain.spec import parse_spec
from surveyapp.extensions import db
from surveyapp.models import Organisation, User
from surveyapp.rounds import create_round

from .conftest import SPEC, csrf_token


@pytest.fixture
def orgs(app):
    company = Organisation(name="示例集团", kind="企业")
    db.session.add(company)
    db.session.flush()
    committee = Organisation(name="机关党委", kind="党委", parent_id=company.id)
    db.session.add(committee)
    db.session.flush()
    branch_a = Organisation(name="第一党支部", kind="党支部", parent_id=committee.id)
    branch_b = Organisation(name="第二党支部", kind="党支部", parent_id=committee.id)
    db.session.add_all([branch_a, branch_b])
    db.session.flush()
    for name, role, org in [("a", "secretary", branch_a), ("b", "secretary", branch_b),
                            ("party", "secretary", committee), ("root", "admin", None)]:
        db.session.add(User(username=name, role=role, org_id=org.id if org else None,
                            password_hash=generate_password_hash("password-" + name)))
    db.session.commit()
    return {"company": company, "committee": committee, "a": branch_a, "b": branch_b}


def login(client, name, password=None):
    page = client.get("/admin/login").get_data(as_text=True)
    return client.post("/admin/login", data={"csrf_token": csrf_token(page), "username": name,
                                             "password": password or "password-" + name})


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
