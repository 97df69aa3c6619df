"""The 党委's campaign page on a 360 px phone: the branches side by side
without the page scrolling sideways (the wide table scrolls in its card),
sorting swapped in by htmx, and a branch's drill-down to its own results.
Screenshots go to test-artifacts/test_campaign_browser/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from werkzeug.security import generate_password_hash

from surveyapp.database import db
from surveyapp.models import Organisation, User

from ..test_campaigns import (
    branch_round,
    counted,
    make_campaign,
    manager,  # noqa: F401  (autouse: this checkout's 四强 plugin)
)
from .conftest import ARTIFACTS
from .test_admin_round import assert_no_horizontal_scroll, log_in


@pytest.fixture
def campaign(app):
    committee = Organisation(name="机关党委", kind="党委")
    db.session.add(committee)
    db.session.flush()
    db.session.add(User(username="shuji", role="secretary", org_id=committee.id,
                        password_hash=generate_password_hash("password-shuji")))
    found = make_campaign(committee)
    grades = [(["good"] * 5, ["good"] * 5), (["good"] * 3 + ["average"] * 2, ["fairly_good"] * 5),
              (["fairly_good"] * 5, ["good"] * 2)]
    for name, (members, masses) in zip(("第一党支部", "第二党支部", "第三党支部"), grades,
                                       strict=True):
        branch = Organisation(name=name, kind="党支部", parent_id=committee.id)
        db.session.add(branch)
        db.session.flush()
        counted(branch_round(branch, found, name), members, masses)
    db.session.commit()
    return found


def test_the_campaign_page_on_a_phone(new_page, campaign):
    folder = ARTIFACTS / "test_campaign_browser"
    folder.mkdir(parents=True, exist_ok=True)
    page = new_page()
    log_in(page)
    page.get_by_role("link", name="评比活动").click()
    page.get_by_role("link", name=campaign.title).click()
    expect(page.locator("h1")).to_contain_text(campaign.title)
    assert_no_horizontal_scroll(page, 360)
    rows = page.locator("#campaign-table tbody th")
    expect(rows.first).to_contain_text("第一党支部")
    page.screenshot(path=str(folder / "campaign.png"), full_page=True, caret="initial")
    page.select_option("#c-sort", "org")          # htmx swaps the table alone
    expect(rows.nth(2)).to_contain_text("第三党支部")
    assert_no_horizontal_scroll(page, 360)
    page.locator("#campaign-table tbody th a", has_text="第二党支部").first.click()
    expect(page.locator("h1")).to_contain_text("第二党支部争创四强评议")
    assert_no_horizontal_scroll(page, 360)
