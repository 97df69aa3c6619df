"""The voter's day where a real walk stumbled (issue 17), on a 360×640 phone
in Chromium: the 优秀 limit stated up front and kept where it is tapped,
answers that survive a reload and a language switch (and are wiped once
cast), a slip link with ?lang=en, a mistyped code corrected in place, and a
receipt the voter can keep and check."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.models import Ballot

from ..ballot_specs import FOUR_GRADES, ballot_spec, subject_name
from ..conftest import issue, make_round
from .test_ballot_browser import assert_no_horizontal_scroll, grade, open_ballot

CAPPED = ballot_spec(6, options=FOUR_GRADES, rules='per_ballot_max = { excellent = "1/3" }')


def stored_ballots() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Ballot))


def test_the_limit_is_stated_up_front_counted_live_and_kept_where_it_is_tapped(
        page, screenshot, accessibility_violations):
    round_ = make_round(CAPPED)
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    limit = page.locator(".limit")
    expect(limit).to_have_text("每张选票“优秀”不超过 2 人（共 6 人）。")
    # Before the first person, so nobody grades 30 people before learning it.
    assert limit.bounding_box()["y"] < page.locator("#subject-0").bounding_box()["y"]
    counter = page.locator("[data-limit-count]")
    expect(counter).to_have_text("优秀 0/2")
    grade(page, 0, "优秀")
    grade(page, 3, "优秀")
    expect(counter).to_have_text("优秀 2/2")
    # The third 优秀 is refused on the spot, on that card, and nothing changes.
    grade(page, 5, "优秀")
    card = page.locator("#subject-5")
    expect(card.get_by_role("radio", name="优秀", exact=True)).not_to_be_checked()
    expect(card.locator(".limit-note")).to_contain_text("已经选满 2 人")
    expect(counter).to_have_text("优秀 2/2")
    assert_no_horizontal_scroll(page)
    assert accessibility_violations(page) == []
    screenshot(page, "limit-refused-tap", full_page=False)
    # Changing someone else's frees the place.
    grade(page, 0, "合格")
    expect(counter).to_have_text("优秀 1/2")
    grade(page, 5, "优秀")
    expect(card.get_by_role("radio", name="优秀", exact=True)).to_be_checked()
    expect(card.locator(".limit-note")).to_have_count(0)


def test_without_javascript_the_limit_is_stated_and_the_refusal_says_the_same(
        new_page, screenshot):
    page = new_page(javascript=False)
    round_ = make_round(CAPPED)
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    expect(page.locator(".limit")).to_have_text("每张选票“优秀”不超过 2 人（共 6 人）。")
    for i in range(6):
        grade(page, i, "优秀" if i < 3 else "合格")
    screenshot(page, "limit-nojs-before-submit", full_page=False)  # the CSS count: 3/2
    page.get_by_role("button", name="提交选票").click()
    summary = page.locator("#problems")
    expect(summary).to_contain_text(
        f"每张选票“优秀”不超过 2 人（共 6 人），这张选票评了 3 人："
        f"{subject_name(0)}、{subject_name(1)}、{subject_name(2)}。请改掉其中 1 人。")
    # About the ballot: no card is marked as the one at fault.
    expect(page.locator("fieldset.subject.invalid")).to_have_count(0)
    expect(page.locator("#subject-2").get_by_role("radio", name="优秀", exact=True)).to_be_checked()
    expect(page.locator("[data-limit-count]")).to_have_text("优秀 3/2")
    screenshot(page, "limit-nojs-refused", full_page=False)
    assert stored_ballots() == 0
    grade(page, 2, "合格")
    page.get_by_role("button", name="提交选票").click()
    expect(page).to_have_url(re.compile(r"/done$"))
    assert stored_ballots() == 1
