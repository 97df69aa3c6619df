"""The codes page after a refused void (issue 17, item 1): only the posted form
reads the post, a confirmation box never comes back ticked, the refusal is
at the top of the page, and voiding nothing is an error, not a success."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from surveyapp.database import db
from surveyapp.models import VoterCode
from surveyapp.services import codes as codes_service

from .test_admin_console import branch_round, login, post, text


@pytest.fixture
def secretary(client, orgs):
    return login(client, "a")


def ticked_boxes(html: str) -> list[str]:
    return [m[0] for m in re.finditer(r"<input[^>]*type=\"checkbox\"[^>]*>", html)
            if "checked" in m[0]]


def void_count() -> int:
    return db.session.scalar(select(func.count()).select_from(VoterCode)
                             .where(VoterCode.status == "void"))


def test_a_refused_single_void_leaves_the_batch_box_unticked(secretary, orgs):
    round_ = branch_round(orgs, status="open")
    codes_service.issue(round_, "members", 3, actor="t")
    db.session.commit()
    for typed in ("not a code", "ZZZZZ-ZZZZZ"):  # mistyped, and well-formed but unknown
        response = post(secretary, f"/admin/rounds/{round_.slug}/codes/void",
                        {"codes": typed, "confirm": "y"})
        assert response.status_code == 400
        page = text(response)
        assert ticked_boxes(page) == []  # neither this form's box nor the batch's
        # The refusal leads the page, before the forms, and links to the field.
        summary = page.index('id="problems"')
        assert summary < page.index('action="/admin/rounds/')
        assert re.search(r'id="problems".*?href="#codes"', page, re.S)
        assert typed in page  # what was typed stays, to be corrected
        assert "flash" not in page  # no "0 codes voided" success
    assert void_count() == 0


def test_a_refused_batch_void_is_asked_again(secretary, orgs):
    round_ = branch_round(orgs, status="open")
    codes_service.issue(round_, "members", 2, actor="t")
    db.session.commit()
    response = post(secretary, f"/admin/rounds/{round_.slug}/codes/void-batch",
                    {"batch": "9", "confirm": "y"})  # no such batch
    assert response.status_code == 400
    assert ticked_boxes(text(response)) == []
    assert void_count() == 0


def test_voiding_some_codes_that_are_not_unused_warns(secretary, orgs):
    round_ = branch_round(orgs, status="open")
    [code] = codes_service.issue(round_, "members", 1, actor="t")[0]
    db.session.commit()
    response = post(secretary, f"/admin/rounds/{round_.slug}/codes/void",
                    {"codes": f"{code}\nZZZZZ-ZZZZZ", "confirm": "y"}, follow_redirects=True)
    page = text(response)
    assert 'class="flash flash-warning"' in page and "1 / 2" not in page
    assert void_count() == 1


def test_the_code_count_is_what_the_group_still_needs(secretary, orgs):
    round_ = branch_round(orgs, status="open")  # members expect 5, masses 5
    page = text(secretary.get(f"/admin/rounds/{round_.slug}/codes"))
    assert re.search(r'<input[^>]*id="count"[^>]*value="5"', page)
    assert re.search(r'<option[^>]*data-count="5"[^>]*value="members"', page)
    codes_service.issue(round_, "members", 5, actor="t")
    db.session.commit()
    page = text(secretary.get(f"/admin/rounds/{round_.slug}/codes"))
    # Members have theirs: the next group still short of codes comes first.
    assert re.search(r'<option[^>]*selected[^>]*value="masses"|'
                     r'<option[^>]*value="masses"[^>]*selected', page)
    assert re.search(r'<input[^>]*id="count"[^>]*value="5"', page)
