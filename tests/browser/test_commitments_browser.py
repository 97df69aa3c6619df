"""A ballot with commitment items (承诺兑现) in Chromium on a 360×640 phone:
the items under their subject, four big answers each, the progress count
waiting for every item, no horizontal scroll, no accessibility violation."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.models import Ballot

from ..conftest import issue, make_round
from ..test_commitments import SPEC
from .test_ballot_browser import assert_no_horizontal_scroll, grade, open_ballot

LONG = SPEC.replace('"年内完成技改项目"',
                    '"年内完成二号车间技改项目并通过验收，' + "做好安全生产" * 6 + '"')


def test_commitments_on_a_phone(page, screenshot, accessibility_violations):
    round_ = make_round(LONG)
    [code] = issue(round_)
    open_ballot(page, code)
    card = page.locator("#subject-0")
    expect(card.locator(".commitments-title")).to_have_text("承诺兑现")
    expect(card.locator(".question.commitment")).to_have_count(2)
    assert_no_horizontal_scroll(page)
    assert accessibility_violations(page) == []
    screenshot(page, "ballot-zh-commitments")

    progress = page.locator(".progress p")
    grade(page, 0, "好")
    grade(page, 1, "一般")
    expect(progress).to_have_text("已评 1/2")  # 张三's items are still open
    items = card.locator(".question.commitment")
    items.nth(0).get_by_role("radio", name="已兑现", exact=True).click()
    items.nth(1).get_by_role("radio", name="部分兑现", exact=True).click()
    expect(progress).to_have_text("已评 2/2")
    page.get_by_role("button", name="提交选票").click()
    expect(page.locator("h1")).to_have_text("感谢参与")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    assert re.search(r"/done$", page.url)
