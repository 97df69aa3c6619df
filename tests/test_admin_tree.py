"""The console's side of issue 14: the organisation tree and the accounts
(administrators only), copying and deleting rounds, re-issuing a lost batch;
and the organisation boundary on every new page."""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import AuditEvent, Organisation, Round, User, VoterCode
from surveyapp.services import codes as codes_service
from surveyapp.services.rounds import create_round

from . import conftest
from .conftest import SPEC, csrf_token, open_round


def login(client, name):
    assert conftest.login(client, name).status_code == 302
    return client


def post(client, url, data=None):
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **(data or {})})


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


ADMIN_ONLY = [("GET", "/admin/orgs"), ("POST", "/admin/orgs/new"), ("POST", "/admin/orgs/move"),
              ("GET", "/admin/users"), ("POST", "/admin/users/new"),
              ("POST", "/admin/users/1/assign"), ("POST", "/admin/users/1/password"),
              ("POST", "/admin/users/1/disable"), ("POST", "/admin/users/1/enable")]


@pytest.mark.parametrize("name", ["a", "party"])
def test_the_tree_and_the_accounts_are_404_for_secretaries(client, orgs, name):
    login(client, name)
    token = csrf_token(text(client.get("/admin/")))
    for method, url in ADMIN_ONLY:
        response = client.open(url, method=method, data={"csrf_token": token, "name": "x",
                                                         "password": "long enough",
                                                         "confirm": "y"})
        assert response.status_code == 404, (method, url)
    assert "/admin/orgs" not in text(client.get("/admin/"))
    assert count(Organisation) == 4 and count(User) == 4
    assert not db.session.scalar(select(User).where(User.username == "a")).disabled


def test_an_admin_grows_the_tree_and_a_new_branch_secretary_sees_only_their_branch(client, orgs):
    login(client, "root")
    page = text(client.get("/admin/orgs"))
    assert "机关党委" in page and "第一党支部" in page and "a" in page
    response = post(client, "/admin/orgs/new", {"name": "第三党支部", "kind": "党支部",
                                                "parent": str(orgs["committee"].id)})
    assert response.status_code == 303
    third = db.session.scalar(select(Organisation).where(Organisation.name == "第三党支部"))
    assert third.parent_id == orgs["committee"].id
    duplicate = post(client, "/admin/orgs/new", {"name": "第三党支部", "kind": "党支部",
                                                 "parent": str(orgs["committee"].id)})
    assert duplicate.status_code == 400 and "已有名为" in text(duplicate)

    response = post(client, "/admin/users/new", {"name": "c", "role": "secretary",
                                                 "org": str(third.id),
                                                 "password": "password-c"})
    assert response.status_code == 303
    short = post(client, "/admin/users/new", {"name": "d", "role": "secretary",
                                              "org": str(third.id), "password": "short"})
    assert short.status_code == 400 and count(User, User.username == "d") == 0

    mine = create_round(parse_spec(SPEC.replace("2026年度", "第三支部")), actor="t", org=third)
    sibling = create_round(parse_spec(SPEC.replace("2026年度", "第一支部")), actor="t",
                           org=orgs["a"])
    client.post("/admin/logout", data={"csrf_token": csrf_token(text(client.get("/admin/")))})
    g.pop("_login_user", None)
    login(client, "c")
    listed = text(client.get("/admin/"))
    assert "第三支部" in listed and "第一支部" not in listed
    assert client.get(f"/admin/rounds/{sibling.slug}").status_code == 404
    assert client.get(f"/admin/rounds/{mine.slug}").status_code == 200
    # The 党委's account sees both, each with its branch named.
    client.post("/admin/logout", data={"csrf_token": csrf_token(text(client.get("/admin/")))})
    g.pop("_login_user", None)
    login(client, "party")
    listed = text(client.get("/admin/"))
    assert "第三支部" in listed and "第一支部" in listed and "党支部 第三党支部" in listed


def test_moving_a_branch_moves_who_sees_its_rounds(client, orgs):
    other = Organisation(name="生产党委", kind="党委", parent_id=orgs["company"].id)
    db.session.add(other)
    db.session.commit()
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    login(client, "root")
    response = post(client, "/admin/orgs/move", {"org": str(orgs["a"].id),
                                                 "parent": str(other.id)})
    assert response.status_code == 303
    loop = post(client, "/admin/orgs/move", {"org": str(orgs["committee"].id),
                                             "parent": str(orgs["b"].id)})
    assert loop.status_code == 400 and "不能移到它自己" in text(loop)
    client.post("/admin/logout", data={"csrf_token": csrf_token(text(client.get("/admin/")))})
    g.pop("_login_user", None)
    login(client, "party")
    assert client.get(f"/admin/rounds/{round_.slug}").status_code == 404
    assert {"org.move"} <= set(db.session.scalars(select(AuditEvent.action)))


def test_an_admin_assigns_resets_and_disables_accounts(client, orgs):
    login(client, "root")
    a = db.session.scalar(select(User).where(User.username == "a"))
    assert post(client, f"/admin/users/{a.id}/assign",
                {f"u{a.id}-org": str(orgs["b"].id)}).status_code == 303
    assert post(client, f"/admin/users/{a.id}/password",
                {f"p{a.id}-password": "a new password"}).status_code == 303
    short = post(client, f"/admin/users/{a.id}/password", {f"p{a.id}-password": "short"})
    assert short.status_code == 400 and "至少 8 个字符" in text(short)
    unconfirmed = post(client, f"/admin/users/{a.id}/disable")
    assert unconfirmed.status_code == 303 and not count(User, User.disabled.is_(True))
    assert post(client, f"/admin/users/{a.id}/disable", {"confirm": "y"}).status_code == 303
    root = db.session.scalar(select(User).where(User.username == "root"))
    post(client, f"/admin/users/{root.id}/disable", {"confirm": "y"})  # the last admin
    assert "最后一个启用的管理员" in text(client.get("/admin/users"))
    db.session.expire_all()
    assert a.disabled and a.org_id == orgs["b"].id and not root.disabled
    other = client.application.test_client()
    g.pop("_login_user", None)
    assert conftest.login(other, "a", "a new password").status_code == 400
    g.pop("_login_user", None)
    assert post(client, f"/admin/users/{a.id}/enable").status_code == 303
    g.pop("_login_user", None)
    assert conftest.login(other, "a", "a new password").status_code == 302


# -- rounds: copy, delete, re-issue ------------------------------------------------------------

def test_copy_a_round_into_next_years_draft(client, orgs):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    open_round(round_)
    login(client, "a")
    form = text(client.get(f"/admin/rounds/{round_.slug}/copy"))
    assert 'value="2027年度民主评议党员"' in form
    response = post(client, f"/admin/rounds/{round_.slug}/copy", {"title": "2027年度民主评议党员"})
    assert response.status_code == 303
    copy = db.session.scalar(select(Round).where(Round.status == "draft"))
    assert response.headers["Location"].endswith(f"/admin/rounds/{copy.slug}")
    assert copy.org_id == orgs["a"].id and [s.name for s in copy.subjects] == ["张三", "李四"]
    assert post(client, f"/admin/rounds/{round_.slug}/copy", {"title": ""}).status_code == 400


def test_delete_a_draft_after_confirming_but_never_an_opened_round(client, orgs):
    draft = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    opened = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    open_round(opened)
    login(client, "a")
    assert "删除草稿" in text(client.get(f"/admin/rounds/{draft.slug}"))
    assert "删除草稿" not in text(client.get(f"/admin/rounds/{opened.slug}"))
    assert post(client, f"/admin/rounds/{draft.slug}/delete").status_code == 303
    assert count(Round) == 2  # not confirmed
    assert post(client, f"/admin/rounds/{draft.slug}/delete", {"confirm": "y"}).status_code == 303
    assert count(Round) == 1
    assert post(client, f"/admin/rounds/{opened.slug}/delete", {"confirm": "y"}).status_code == 303
    assert count(Round) == 1
    assert "只有尚在准备中的评议才能删除" in text(client.get(f"/admin/rounds/{opened.slug}"))


def test_reissue_a_lost_batch_in_the_console(client, orgs):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    codes_service.issue(round_, "masses", 3, actor="t")
    login(client, "a")
    assert "reissue" in text(client.get(f"/admin/rounds/{round_.slug}/codes"))
    response = post(client, f"/admin/rounds/{round_.slug}/codes/reissue",
                    {"batch": "1", "confirm": "y"})
    assert response.status_code == 200
    fresh = re.findall(r"<code>([0-9A-Z-]{11})</code>", text(response))
    assert len(fresh) == 3
    assert count(VoterCode, VoterCode.status == "void") == 3
    assert count(VoterCode, VoterCode.status == "issued", VoterCode.batch == 2) == 3
    again = post(client, f"/admin/rounds/{round_.slug}/codes/reissue",
                 {"batch": "1", "confirm": "y"})
    assert again.status_code == 400  # no unused codes left in batch 1: not offered
    assert count(VoterCode) == 6


def test_new_round_pages_are_404_for_another_branch(client, orgs):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    codes_service.issue(round_, "members", 1, actor="t")
    login(client, "b")
    for url in ("copy", "delete", "codes/reissue"):
        assert post(client, f"/admin/rounds/{round_.slug}/{url}",
                    {"confirm": "y", "batch": "1", "title": "x"}).status_code == 404
    assert client.get(f"/admin/rounds/{round_.slug}/copy").status_code == 404
    assert count(Round) == 1 and count(VoterCode, VoterCode.status == "issued") == 1


def test_the_new_pages_carry_no_inline_code(client, orgs):
    from .test_security import inline_code

    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    login(client, "root")
    pages = ["/admin/orgs", "/admin/users", f"/admin/rounds/{round_.slug}",
             f"/admin/rounds/{round_.slug}/copy"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert inline_code(text(response)) == [], url
    issued = post(client, f"/admin/rounds/{round_.slug}/test-codes",
                  {"group": "members", "count": "1"})
    assert issued.status_code == 200 and inline_code(text(issued)) == []


def test_every_round_url_is_404_for_another_committee(client, orgs, app):
    """A 党委 sees its own branches' rounds, never those under another 党委:
    every round URL, the ones added for issue 14 included."""
    other = Organisation(name="生产党委", kind="党委", parent_id=orgs["company"].id)
    db.session.add(other)
    db.session.flush()
    branch = Organisation(name="生产一支部", kind="党支部", parent_id=other.id)
    db.session.add(branch)
    db.session.commit()
    round_ = create_round(parse_spec(SPEC), actor="t", org=branch)
    codes_service.issue(round_, "members", 1, actor="t")
    login(client, "party")
    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint.startswith("admin.") and "slug" in rule.arguments]
    assert {"admin.copy_round", "admin.delete_round", "admin.test_codes",
            "admin.reissue_batch", "admin.move_deadline"} <= {r.endpoint for r in rules}
    token = csrf_token(text(client.get("/admin/")))
    for rule in rules:
        values = {name: {"part": "groups", "fmt": "csv"}.get(name, "x")
                  for name in rule.arguments - set(rule.defaults or {})} | {"slug": round_.slug}
        url = app.url_map.bind("vote.example").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={
                "csrf_token": token, "confirm": "y", "batch": "1", "title": "x",
                "group": "members", "count": "1", "closes_at": "2036-12-01T18:00"})
            assert response.status_code == 404, (method, url, response.status_code)
    assert round_.slug not in text(client.get("/admin/"))
    db.session.expire_all()
    assert count(Round) == 1 and round_.closes_at is None
    assert count(VoterCode) == 1
