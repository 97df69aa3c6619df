"""Issue 14's console pages on a 360 px phone: the organisation tree, the
accounts, a draft's page with its test run and deadline, copying, test codes
and the test ballot they open (marked, not stored)."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import Ballot, VoterCode
from surveyapp.services.rounds import create_round

from ..conftest import SPEC


def no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{page.url} is {width}px wide on a 360px screen"


def log_in(page, name: str) -> None:
    page.goto("/admin/login")
    page.fill("#username", name)
    page.fill("#password", "password-" + name)
    page.locator("form button[type=submit]").click()
    # The login page has an h1 too: wait until it is left, or the next goto
    # can race the login's response and land on the login page again.
    expect(page).not_to_have_url(re.compile(r"/admin/login"))
    expect(page.locator("h1")).to_be_visible()


def test_issue_14_pages_fit_a_phone(new_page, screenshot, orgs):
    round_ = create_round(parse_spec(SPEC), actor="t", org=orgs["a"])
    admin = new_page()
    log_in(admin, "root")
    for name, url in [("orgs", "/admin/orgs"), ("users", "/admin/users"),
                      ("round", f"/admin/rounds/{round_.slug}"),
                      ("copy", f"/admin/rounds/{round_.slug}/copy")]:
        admin.goto(url)
        no_horizontal_scroll(admin)
        screenshot(admin, f"phone-{name}")
    admin.goto("/admin/orgs")
    admin.fill("#name", "第三党支部")
    admin.select_option("#parent", str(orgs["committee"].id))
    admin.get_by_role("button", name="创建", exact=True).click()
    expect(admin.locator(".org-tree")).to_contain_text("第三党支部")
    no_horizontal_scroll(admin)

    secretary = new_page()
    log_in(secretary, "a")
    secretary.goto(f"/admin/rounds/{round_.slug}")
    secretary.select_option("section.test-run select", "members")
    secretary.locator("section.test-run button[type=submit]").click()
    expect(secretary.locator(".test-banner")).to_be_visible()
    no_horizontal_scroll(secretary)
    screenshot(secretary, "phone-test-codes")
    [path] = re.findall(r"/c/[0-9A-Z-]{11}", secretary.content())[:1]

    voter = new_page()
    voter.goto(path)
    expect(voter.locator(".test-banner")).to_contain_text("试投")
    no_horizontal_scroll(voter)
    screenshot(voter, "phone-test-ballot")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(func.count()).select_from(VoterCode)
                             .where(VoterCode.test.is_(True))) == 2  # the default count
