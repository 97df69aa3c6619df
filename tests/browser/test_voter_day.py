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


def kept_on_the_phone(page) -> str:
    return page.evaluate("JSON.stringify({...sessionStorage})")


def test_answers_survive_a_reload_and_a_language_switch_and_go_at_cast(page, screenshot):
    round_ = make_round(ballot_spec(4))
    [code, next_code] = issue(round_, "g0", count=2)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    open_ballot(page, code)
    grade(page, 0, "优秀")
    grade(page, 2, "不了解")
    page.get_by_label("意见建议（选填）").fill("多开展培训")
    page.reload()
    expect(page.locator("#subject-0").get_by_role("radio", name="优秀", exact=True)).to_be_checked()
    expect(page.locator("#subject-2").get_by_role("radio", name="不了解",
                                                  exact=True)).to_be_checked()
    expect(page.get_by_label("意见建议（选填）")).to_have_value("多开展培训")
    expect(page.locator(".progress p").first).to_have_text("已评 2/4")

    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text(re.compile("2026"))
    expect(page.locator(".progress p").first).to_have_text("Graded 2/4")
    expect(page.locator("#subject-0").get_by_role("radio", name="优秀", exact=True)).to_be_checked()
    expect(page.get_by_label("Opinions and suggestions (optional)")).to_have_value("多开展培训")
    screenshot(page, "answers-kept-after-language-switch", full_page=False)
    assert posts == []  # nothing went to the server before the ballot
    assert "多开展培训" in kept_on_the_phone(page)

    # A shared phone: the next voter scans their own slip and sees none of it.
    open_ballot(page, next_code)
    expect(page.locator("#subject-0").get_by_role("radio", name="优秀",
                                                  exact=True)).not_to_be_checked()
    expect(page.get_by_label("Opinions and suggestions (optional)")).to_have_value("")
    assert "多开展培训" not in kept_on_the_phone(page)
    for i in range(4):
        grade(page, i, "合格")
    assert "q-3-0" in kept_on_the_phone(page)
    page.get_by_role("button", name="Submit ballot").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    # Cast: nothing of the ballot is left on the phone (once the page settled).
    page.wait_for_function("() => !Object.keys(sessionStorage).some("
                           "k => k.startsWith('surveyapp:ballot:'))", timeout=5000)
    assert "q-" not in kept_on_the_phone(page) and "培训" not in kept_on_the_phone(page)


def test_a_slip_link_with_lang_en_opens_an_english_ballot(new_page):
    page = new_page(locale="zh-CN")
    round_ = make_round(ballot_spec(2))
    [code] = issue(round_, "g0")
    page.goto(f"/c/{code}?lang=en")
    expect(page).to_have_url(re.compile(r"/ballot$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Submit ballot")).to_be_visible()


def test_a_mistyped_code_comes_back_to_be_corrected(new_page, screenshot,
                                                    accessibility_violations):
    round_ = make_round(ballot_spec(2))
    [code] = issue(round_, "g0")
    typo = ("X" if code[0] != "X" else "Y") + code[1:]
    for javascript in (True, False):
        page = new_page(javascript=javascript)
        page.goto("/")
        page.get_by_label("投票码").fill(typo)
        page.get_by_role("button", name="继续").click()
        expect(page.locator("h1")).to_have_text("找不到该投票码")
        field = page.get_by_label("请修改投票码后重试")
        expect(field).to_have_value(typo)  # not to be typed again from the start
        if javascript:
            assert accessibility_violations(page) == []
            assert_no_horizontal_scroll(page)
            screenshot(page, "mistyped-code", full_page=False)
        field.press("Home")
        field.press("Delete")
        field.type(code[0])
        page.get_by_role("button", name="继续").click()
        expect(page).to_have_url(re.compile(r"/ballot$"))
        db.session.rollback()


def test_the_receipt_can_be_copied_saved_and_checked(new_page, screenshot,
                                                     accessibility_violations):
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    round_ = make_round(ballot_spec(2))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    grade(page, 0, "合格")
    grade(page, 1, "合格")
    page.get_by_role("button", name="提交选票").click()
    receipt = page.locator(".receipt").inner_text()
    page.get_by_role("button", name="复制回执码").click()
    expect(page.locator("[data-copy-status]")).to_have_text("已复制")
    assert page.evaluate("navigator.clipboard.readText()") == receipt
    with page.expect_download() as download:
        page.get_by_role("link", name="保存为文件").click()
    saved = download.value.path().read_text(encoding="utf-8")
    assert receipt in saved and f"/p/{round_.slug}/receipt" in saved
    assert accessibility_violations(page) == []
    assert_no_horizontal_scroll(page)
    screenshot(page, "done-receipt", full_page=False)
    check = page.locator("a.check-link")
    assert check.inner_text() == f"http://vote.example/p/{round_.slug}/receipt"
    page.goto(f"/p/{round_.slug}/receipt")
    page.get_by_label("回执码").fill(receipt)
    page.get_by_role("button", name="查验").click()
    expect(page.locator(".card.ok")).to_contain_text("已收到")  # open: received, counted later
