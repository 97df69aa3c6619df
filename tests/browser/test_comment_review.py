"""The comment review on a 360 px phone: a secretary reads a counted round's
comments on the results page, shows one, redacts a name out of another and
hides a third (htmx swaps each in place), publishes them, and the 公示 shows
the shown and redacted ones only.  The same review without JavaScript, with
plain forms.  Screenshots go to test-artifacts/test_comment_review/."""

from __future__ import annotations

from functools import partial

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import Comment
from surveyapp.services import rounds as rounds_service
from surveyapp.services.rounds import create_round
from surveyapp.services.voting.casting import cast
from surveyapp.services.voting.structure import structure_of

from ..conftest import SPEC, count_round, open_round
from .conftest import ARTIFACTS
from .test_admin_round import assert_no_horizontal_scroll, log_in

NAMED = "建议张三同志改进工作作风，开会经常迟到。"
REDACTED = "建议××同志改进工作作风，开会经常迟到。"
PLAIN = "食堂排队时间太长，希望增加窗口。"
RUDE = "某某某就是个骗子！！！"


@pytest.fixture
def screenshot():
    """As test_admin_round's snap: the caret left alone, or Chromium reports the
    next htmx swap as an inline-style CSP violation (an artefact of the tool)."""
    folder = ARTIFACTS / "test_comment_review"

    def take(page, name: str, part: str | None = None) -> None:
        """The whole page, or only the element ``part`` selects."""
        folder.mkdir(parents=True, exist_ok=True)
        shot = page.locator(part).screenshot if part else partial(page.screenshot,
                                                                   full_page=True)
        shot(path=str(folder / f"{name}.png"), caret="initial")

    return take


@pytest.fixture
def counted(secretary_account):  # noqa: F811  (the fixture imported above)
    round_ = create_round(parse_spec(SPEC), actor="test", org=secretary_account)
    open_round(round_)
    structure = structure_of(round_)
    answers = {(s.key, "overall"): "qualified" for s in round_.subjects}
    for i, text in enumerate([NAMED, PLAIN, RUDE, ""]):
        cast(structure, structure.groups[i % 2], answers, comment=text)
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    db.session.commit()
    return round_


def comment(text: str) -> str:
    """The list item of the comment written as ``text``."""
    db.session.rollback()  # see what the server's threads committed
    row = db.session.scalar(select(Comment).where(Comment.text == text))
    return f"#comment-{row.id}"


def decision(text: str) -> str:
    db.session.rollback()
    return db.session.scalar(select(Comment.decision).where(Comment.text == text))


def test_a_secretary_reviews_the_comments_on_a_phone(new_page, screenshot, counted,
                                                     accessibility_violations):
    page = new_page()
    log_in(page)
    page.goto(f"/admin/rounds/{counted.slug}/results")
    section = page.locator("#comments")
    expect(section.locator("li.comment")).to_have_count(3)
    expect(section.locator("#comment-tally")).to_contain_text("待审核 3")
    section.scroll_into_view_if_needed()
    assert_no_horizontal_scroll(page, 360)
    # The review's own parts (the results tables above are another page's concern).
    assert accessibility_violations(page, "#comments") == []
    screenshot(page, "01-pending", "#comments")
    page.evaluate("window.stillHere = true")  # gone if the page were loaded again

    # Show one: htmx swaps that comment and the counts, nothing else.
    plain = page.locator(comment(PLAIN))
    plain.get_by_role("button", name="显示", exact=True).click()
    expect(plain.locator(".badge")).to_have_text("显示")
    expect(plain.get_by_role("button", name="显示", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    expect(section.locator("#comment-tally")).to_contain_text("待审核 2")
    expect(page.locator("#comments-pending")).to_contain_text("2 条意见尚待审核")
    assert decision(PLAIN) == "show"

    # Redact a name out of another.
    named = page.locator(comment(NAMED))
    named.get_by_text("遮盖部分内容").click()
    box = named.get_by_label("公示的文本：把不应公开的部分（如姓名）改为 ××")
    expect(box).to_have_value(NAMED)
    box.fill("")
    named.get_by_role("button", name="显示遮盖后的文本").click()
    expect(named.locator(".error")).to_contain_text("遮盖后的文本为空")  # refused, in place
    named.locator("textarea").fill(REDACTED)
    screenshot(page, "02-redacting", comment(NAMED))
    named.get_by_role("button", name="显示遮盖后的文本").click()
    expect(named.locator(".badge")).to_have_text("部分遮盖")
    expect(named).to_contain_text(REDACTED)
    expect(named).to_contain_text(NAMED)  # the original, for the secretary only
    assert decision(NAMED) == "redact"

    # Hide the third.
    rude = page.locator(comment(RUDE))
    rude.get_by_role("button", name="隐藏", exact=True).click()
    expect(rude.locator(".badge")).to_have_text("隐藏")
    expect(page.locator("#comments-pending")).to_contain_text("只公示您选择显示的意见")
    assert page.evaluate("window.stillHere") is True
    assert_no_horizontal_scroll(page, 360)
    assert accessibility_violations(page, "#comments") == []
    assert accessibility_violations(page, "section[aria-labelledby=publish-h]") == []
    screenshot(page, "03-reviewed")
    screenshot(page, "03b-reviewed-comments", "#comments")
    screenshot(page, "03c-publish", "section[aria-labelledby=publish-h]")

    # Publish with the comments; the 公示 shows the shown and the redacted text only.
    page.get_by_label("您选择显示的意见建议").check()
    page.get_by_role("button", name="预览公示页面…").click()
    # The preview shows the comments as the public will read them, before anything is published.
    expect(page.locator(".preview-page")).to_contain_text(REDACTED)
    expect(page.locator(".preview-page")).not_to_contain_text(NAMED)
    page.get_by_role("button", name="确认公示").click()
    expect(page.locator(".flash")).to_contain_text("已公示")
    expect(page.locator("#comments")).to_contain_text("撤回公示")
    expect(page.locator("#comments form")).to_have_count(0)
    page.goto(f"/p/{counted.slug}")
    public = page.locator("section", has=page.locator("#comments-h"))
    expect(public.locator("li")).to_have_count(2)
    expect(public).to_contain_text(REDACTED)
    expect(public).to_contain_text(PLAIN)
    body = page.locator("body").inner_text()
    assert NAMED not in body and RUDE not in body
    assert_no_horizontal_scroll(page, 360)
    assert accessibility_violations(page) == []
    screenshot(page, "04-public-page")


def test_the_review_works_without_javascript(new_page, screenshot, counted):
    page = new_page(javascript=False)
    log_in(page)
    page.goto(f"/admin/rounds/{counted.slug}/results")
    named = page.locator(comment(NAMED))
    named.locator("summary").click()  # <details> opens without JavaScript
    named.locator("textarea").fill(NAMED)
    named.get_by_role("button", name="显示遮盖后的文本").click()
    named = page.locator(comment(NAMED))
    expect(named.locator(".error")).to_contain_text("与原文相同")  # the page again, 400
    named.locator("textarea").fill(REDACTED)
    named.get_by_role("button", name="显示遮盖后的文本").click()
    expect(page).to_have_url(f"{page.url.split('/admin')[0]}/admin/rounds/{counted.slug}"
                             f"/results{comment(NAMED)}")
    expect(page.locator(comment(NAMED)).locator(".badge")).to_have_text("部分遮盖")
    assert decision(NAMED) == "redact"
    assert_no_horizontal_scroll(page, 360)
    screenshot(page, "05-no-javascript")
