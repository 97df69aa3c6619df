"""The voter's ballot in Chromium on a 360×640 phone: fill in and submit with
JavaScript and without, the review step, a double tap, a failed request, both
languages, the refusal pages; each checked for horizontal scrolling and (with
JavaScript) by axe-core, with screenshots in test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.hookspecs import hookimpl
from surveyapp.models import Ballot, VoterCode
from surveyapp.web.ballot import views

from ..ballot_specs import FOUR_GRADES, ballot_spec, subject_name
from ..conftest import issue, make_round

PHONE_WIDTH = 360


def stored_ballots() -> int:
    db.session.rollback()  # see what the server's threads committed
    return db.session.scalar(select(func.count()).select_from(Ballot))


def assert_no_horizontal_scroll(page, width: int = PHONE_WIDTH) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"page is {scroll}px wide on a {width}px screen"


def grade(page, index: int, label: str) -> None:
    """Tap a grade button on subject ``index``'s card (the radio covers it)."""
    page.locator(f"#subject-{index}").get_by_role("radio", name=label, exact=True).click()


def open_ballot(page, code: str) -> None:
    page.goto(f"/c/{code}")
    expect(page).to_have_url(re.compile(r"/ballot$"))


def test_fill_in_and_submit_with_javascript(page, screenshot, accessibility_violations):
    round_ = make_round(ballot_spec(12))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    progress = page.locator(".progress p")
    expect(progress).to_have_text("已评 0/12")
    assert_no_horizontal_scroll(page)
    assert accessibility_violations(page) == []
    screenshot(page, "ballot-zh-js-empty")
    screenshot(page, "ballot-zh-js-first-screen", full_page=False)

    for i in range(10):
        grade(page, i, ["优秀", "合格", "基本合格", "不合格", "不了解"][i % 5])
    expect(progress).to_have_text("已评 10/12")
    screenshot(page, "ballot-zh-js-10-of-12", full_page=False)

    # The review step: submitting now sends nothing and names who is left.
    page.get_by_role("button", name="提交选票").click()
    review = page.locator("[data-review]")
    expect(review).to_contain_text("请先完成以下对象的评议")
    todo = review.locator("[data-review-todo] li:visible")
    expect(todo).to_have_text([subject_name(10), subject_name(11)])
    expect(page.locator("#subject-10")).to_have_class(re.compile(r"\bmissing\b"))
    screenshot(page, "ballot-zh-js-review", full_page=False)
    assert stored_ballots() == 0

    todo.first.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#subject-10$"))
    grade(page, 10, "合格")
    grade(page, 11, "优秀")
    expect(progress).to_have_text("已评 12/12")
    expect(review.locator("[data-review-done]")).to_be_visible()
    page.get_by_role("button", name="提交选票").click()

    expect(page.locator("h1")).to_have_text("感谢参与")
    expect(page.locator(".receipt")).to_have_text(re.compile(r"^[A-Z0-9]{5}(-[A-Z0-9]{5}){3}$"))
    expect(page.get_by_text("不保存什么")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert accessibility_violations(page) == []
    screenshot(page, "done-zh")
    assert stored_ballots() == 1
    # A shared phone keeps nothing of the ballot: htmx's history cache is off,
    # and the answers kept while voting went with the cast.
    page.wait_for_function("() => !Object.keys(sessionStorage).some("
                           "k => k.startsWith('surveyapp:ballot:'))", timeout=5000)
    storage = page.evaluate("JSON.stringify([{...localStorage}, {...sessionStorage}])")
    assert "q-0-0" not in storage and "subject-" not in storage, storage


def test_fill_in_and_submit_without_javascript(new_page, screenshot):
    page = new_page(javascript=False)
    round_ = make_round(ballot_spec(12))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    assert_no_horizontal_scroll(page)
    screenshot(page, "ballot-zh-nojs-empty")
    for i in range(12):
        if i not in (4, 9):
            grade(page, i, "合格")
    # One criterion per subject: a CSS counter keeps the visible count live
    # (screenshot); the page's text is the server's count until it answers.
    screenshot(page, "ballot-zh-nojs-10-of-12", full_page=False)
    expect(page.locator("[data-review]")).to_be_hidden()  # the review step needs JS...
    page.get_by_role("button", name="提交选票").click()

    # ...without it the server's answer is the review: who is left, with links.
    summary = page.locator("#problems")
    expect(summary).to_contain_text("选票尚未提交")
    links = summary.get_by_role("link")
    expect(links).to_have_text([subject_name(4), subject_name(9)])
    expect(page.locator("#subject-4")).to_have_class(re.compile(r"\bmissing\b"))
    expect(page.locator("#subject-0").get_by_role("radio", name="合格", exact=True)).to_be_checked()
    expect(page.locator(".progress p")).to_have_text("已评 10/12")
    assert_no_horizontal_scroll(page)
    screenshot(page, "ballot-zh-nojs-refused")
    assert stored_ballots() == 0

    links.nth(1).click()
    expect(page).to_have_url(re.compile(r"#subject-9$"))
    grade(page, 4, "优秀")
    grade(page, 9, "不了解")
    page.get_by_role("button", name="提交选票").click()
    expect(page).to_have_url(re.compile(r"/done$"))
    expect(page.locator(".receipt")).to_be_visible()
    screenshot(page, "done-zh-nojs")
    assert stored_ballots() == 1


def slow_casting(monkeypatch, seconds: float = 0.8) -> None:
    """Make storing a ballot take a while, so a second tap lands while the
    first is still on its way."""
    import time

    cast = views.cast

    def slow_cast(*args, **kwargs):
        time.sleep(seconds)
        return cast(*args, **kwargs)

    monkeypatch.setattr(views, "cast", slow_cast)


def test_double_tap_on_submit_sends_one_ballot(page, monkeypatch):
    round_ = make_round(ballot_spec(3))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    for i in range(3):
        grade(page, i, "合格")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    slow_casting(monkeypatch)
    button = page.locator("button[type=submit]")
    button.dblclick()
    expect(button).to_be_disabled()  # while the first tap is being sent
    expect(button).to_have_text("正在提交…", use_inner_text=True)
    expect(page.locator("h1")).to_have_text("感谢参与")
    assert len(posts) == 1
    assert stored_ballots() == 1


def test_double_tap_without_javascript_stores_one_ballot_and_says_so(new_page, monkeypatch,
                                                                      screenshot):
    page = new_page(javascript=False)
    round_ = make_round(ballot_spec(3))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    for i in range(3):
        grade(page, i, "合格")
    slow_casting(monkeypatch)
    page.get_by_role("button", name="提交选票").dblclick()
    # Whichever answer the browser shows last, it is a friendly one.
    page.wait_for_load_state()
    heading = page.locator("h1")
    expect(heading).to_have_text(re.compile("感谢参与|该投票码已使用"))
    if heading.inner_text() != "感谢参与":
        expect(page.locator(".refused")).to_contain_text("只计入一次")
        screenshot(page, "double-tap-nojs-second-answer")
    assert stored_ballots() == 1


@pytest.mark.parametrize("failure", ["network", "server"])
def test_a_failed_submit_keeps_every_answer_and_offers_a_retry(page, screenshot, failure):
    round_ = make_round(ballot_spec(4))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    for i, label in enumerate(["优秀", "合格", "不合格", "不了解"]):
        grade(page, i, label)
    page.get_by_label("意见建议（选填）").fill("希望多开展业务培训")

    def fail(route):
        if route.request.method != "POST":
            return route.continue_()
        if failure == "network":
            return route.abort("internetdisconnected")
        return route.fulfill(status=502, body="Bad Gateway")

    page.route("**/ballot", fail)
    page.get_by_role("button", name="提交选票").click()
    toast = page.locator("#send-failed")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("您填写的内容都还在本页")
    # Nothing was lost and the button works again.
    kept = page.locator("#subject-2").get_by_role("radio", name="不合格", exact=True)
    expect(kept).to_be_checked()
    expect(page.get_by_label("意见建议（选填）")).to_have_value("希望多开展业务培训")
    expect(page.get_by_role("button", name="提交选票")).to_be_enabled()
    screenshot(page, f"submit-failed-{failure}", full_page=False)
    assert stored_ballots() == 0

    page.unroute("**/ballot")
    toast.get_by_role("button", name="重试").click()
    expect(page.locator("h1")).to_have_text("感谢参与")
    assert stored_ballots() == 1


class SameGradeRule:
    """A plugin's ballot rule the page knows nothing about (the built-in 优秀
    cap is refused at the tap already): not everyone may get one grade."""

    @staticmethod
    @hookimpl
    def validate_ballot(spec, answers):
        if len(set(answers.values())) == 1 and len(answers) > 2:
            return [(None, "请不要给所有人评同一个等次。")]
        return []


@pytest.fixture
def same_grade_rule():
    plugins.use_plugin_manager(plugins.load_plugins(extra=[("same-grade", SameGradeRule)]))
    yield
    plugins.use_plugin_manager(None)


def test_a_plugin_rule_refusal_comes_back_in_place_with_answers_kept(
        page, screenshot, accessibility_violations, same_grade_rule):
    round_ = make_round(ballot_spec(4, options=FOUR_GRADES))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    for i in range(4):
        grade(page, i, "合格")
    page.get_by_role("button", name="提交选票").click()
    summary = page.locator("#problems")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请不要给所有人评同一个等次。")
    expect(page.locator("#subject-1").get_by_role("radio", name="合格", exact=True)).to_be_checked()
    expect(page.locator(".progress p")).to_have_text("已评 4/4")
    assert accessibility_violations(page) == []
    screenshot(page, "plugin-rule-refused", full_page=False)
    assert stored_ballots() == 0

    grade(page, 1, "优秀")
    page.get_by_role("button", name="提交选票").click()
    expect(page.locator("h1")).to_have_text("感谢参与")
    assert stored_ballots() == 1


def test_english_ballot_chosen_by_the_browser(new_page, screenshot, accessibility_violations):
    page = new_page(locale="en-GB")
    round_ = make_round(ballot_spec(3))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".progress p")).to_have_text("Graded 0/3")
    grade(page, 0, "合格")  # grade labels are the round's data, as the organiser wrote them
    expect(page.locator(".progress p")).to_have_text("Graded 1/3")
    assert accessibility_violations(page) == []
    assert_no_horizontal_scroll(page)
    screenshot(page, "ballot-en-js")
    page.get_by_role("button", name="Submit ballot").click()
    expect(page.locator("[data-review]")).to_contain_text("please grade these first")
    grade(page, 1, "合格")
    grade(page, 2, "合格")
    page.get_by_role("button", name="Submit ballot").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    expect(page.get_by_text("What is not stored")).to_be_visible()
    screenshot(page, "done-en")


def test_language_switch_is_remembered(page, screenshot, accessibility_violations):
    page.goto("/")
    expect(page.locator("h1")).to_have_text("输入投票码")
    assert accessibility_violations(page) == []
    screenshot(page, "enter-code-zh", full_page=False)
    page.get_by_role("link", name="English").click()
    expect(page.locator("h1")).to_have_text("Enter your voter code")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Enter your voter code")
    page.get_by_role("link", name="中文").click()
    expect(page.locator("h1")).to_have_text("输入投票码")


def test_criteria_descriptions_show_on_tap(page, screenshot, accessibility_violations):
    round_ = make_round(ballot_spec(3, criteria=True, options=FOUR_GRADES))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    card = page.locator("#subject-0")
    description = card.get_by_text("理想信念坚定")
    expect(description).to_be_hidden()
    card.get_by_text("政治素质优").click()
    expect(description).to_be_visible()
    # A subject counts as graded once every criterion has a grade.
    for label in ["优秀", "合格"]:
        card.locator(".question").nth(["优秀", "合格"].index(label)).get_by_role(
            "radio", name=label, exact=True).click()
    expect(page.locator(".progress p")).to_have_text("已评 0/3")
    card.locator(".question").nth(2).get_by_role("radio", name="合格", exact=True).click()
    expect(page.locator(".progress p")).to_have_text("已评 1/3")
    assert accessibility_violations(page) == []
    assert_no_horizontal_scroll(page)
    screenshot(page, "criteria-with-descriptions", full_page=False)


@pytest.mark.parametrize("width", [320, 360])
def test_no_horizontal_scroll_on_narrow_phones_with_long_names(new_page, width, screenshot):
    long_unit = "中国石油天然气股份有限公司某某油田分公司第三采油厂机关第二党支部"
    spec = ballot_spec(2).replace('unit = "工程技术党支部"', f'unit = "{long_unit}"')
    round_ = make_round(spec)
    [code] = issue(round_, "g0")
    page = new_page(viewport=(width, 640))
    open_ballot(page, code)
    assert_no_horizontal_scroll(page, width)
    boxes = page.locator("#subject-0 .option span").evaluate_all(
        "spans => spans.map(s => s.getBoundingClientRect().height)")
    assert min(boxes) >= 44
    screenshot(page, f"ballot-{width}px", full_page=False)


def test_link_round_asks_the_group_and_counts_it_in_the_review(page, screenshot):
    round_ = make_round(ballot_spec(2, access="link", groups=2))
    page.goto(f"/r/{round_.slug}")
    expect(page.locator(".notice")).to_contain_text("公共链接")
    grade(page, 0, "合格")
    grade(page, 1, "合格")
    page.get_by_role("button", name="提交选票").click()
    expect(page.locator("[data-review-todo] li:visible")).to_have_text(["我的参评身份"])
    page.locator("#group").get_by_role("radio", name="群众评议").click()
    page.get_by_role("button", name="提交选票").click()
    expect(page.locator("h1")).to_have_text("感谢参与")
    assert stored_ballots() == 1


REFUSALS = {  # reason: (Chinese heading, English heading)
    "unknown_code": ("找不到该投票码", "Code not found"),
    "used_code": ("该投票码已使用", "This code has already been used"),
    "not_open": ("投票尚未开始", "Voting has not started yet"),
    "closed": ("投票已结束", "Voting has ended"),
}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
@pytest.mark.parametrize("reason", list(REFUSALS))
def test_each_refusal_has_its_own_friendly_page(new_page, screenshot, accessibility_violations,
                                                reason, locale):
    if reason == "unknown_code":
        code = "ABCDE-FGHJK"
    else:
        round_ = make_round(ballot_spec(2), status="draft" if reason == "not_open" else "open")
        [code] = issue(round_, "g0")
        if reason == "used_code":
            db.session.execute(VoterCode.__table__.update().values(status="used"))
        elif reason == "closed":
            round_.status = "closed"
        db.session.commit()
    page = new_page(locale=locale)
    page.goto(f"/c/{code}")
    heading = REFUSALS[reason][0 if locale == "zh-CN" else 1]
    expect(page.locator("h1")).to_have_text(heading)
    if locale == "zh-CN":  # the same markup in English; one scan is enough
        assert accessibility_violations(page) == []
    assert_no_horizontal_scroll(page)
    screenshot(page, f"refused-{reason}-{locale}", full_page=False)


def test_the_privacy_note_opens_from_the_link_under_the_title(page):
    round_ = make_round(ballot_spec(2))
    [code] = issue(round_, "g0")
    open_ballot(page, code)
    note = page.locator("#privacy")
    expect(note).to_be_hidden()
    page.get_by_role("link", name="如何保证？").click()
    expect(note).to_be_visible()
    expect(note).to_contain_text("系统不记录哪个投票码投了哪张票")
