"""The empty ballot page is made once per round, group, language and address
and served to every voter with their own form token and sheet number
(web/ballot/views.fresh_page, issue 17's bench/ballot_page.py): it must be
exactly the page rendered field by field, and each voter's token must work."""

from __future__ import annotations

import re

import pytest
from flask import session
from flask_babel import refresh

from surveyapp.services.voting import round_structure
from surveyapp.web.ballot import views
from surveyapp.web.ballot.forms import ballot_form

from .ballot_specs import FOUR_GRADES, ballot_spec
from .conftest import csrf_token, issue, make_round

TOKEN = re.compile(r'(name="csrf_token" type="hidden" value=")[^"]+(")')


def rendered_anew(app, client, path: str, lang: str) -> str:
    """The page as show_ballot renders it, field by field, for the session the
    client holds."""
    with client.session_transaction() as held:
        stored = dict(held)
    with app.test_request_context(path, headers={"Accept-Language": lang}):
        refresh()
        session.update(stored)
        if "held" in stored:
            round_id, slug, group_id = stored["held"]
            structure = round_structure(round_id, slug)
            group = structure.group(group_id)
            choose = False
        else:
            structure = round_structure(*_link_round(path))
            group, choose = None, len(structure.groups) > 1
        form = ballot_form(structure, choose_group=choose, formdata=None)
        html, status = views.show_ballot(structure, group, form, submitted=False)
    assert status == 200
    return html


_LINKS: dict[str, tuple[int, str]] = {}


def _link_round(path: str) -> tuple[int, str]:
    return _LINKS[path]


def same_page(a: str, b: str) -> bool:
    return TOKEN.sub(r"\1TOKEN\2", a) == TOKEN.sub(r"\1TOKEN\2", b)


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_page_served_from_the_cache_is_the_page_rendered_anew(app, lang):
    round_ = make_round(ballot_spec(5, options=FOUR_GRADES, criteria=True, groups=2,
                                    rules='per_ballot_max = { excellent = "1/3" }'))
    pages = {}
    for group in ("g0", "g1"):
        [code] = issue(round_, group)
        client = app.test_client()
        client.get(f"/c/{code}")
        refresh()  # the tests' requests share one g, where Flask-Babel keeps the locale
        first = client.get("/ballot", headers={"Accept-Language": lang}).get_data(as_text=True)
        again = client.get("/ballot", headers={"Accept-Language": lang}).get_data(as_text=True)
        anew = rendered_anew(app, client, "/ballot", lang)
        assert same_page(first, anew) and same_page(again, anew)
        with client.session_transaction() as held:
            assert f'data-keep="{round_.slug}:{held["sheet"]}"' in first
        pages[group] = first
        # The token in the page is this session's: the ballot goes in.
        data = {"csrf_token": csrf_token(again),
                **{f"q-{s}-{c}": "qualified" for s in range(5) for c in range(3)}}
        assert client.post("/ballot", data=data).status_code == 302
    assert pages["g0"] != pages["g1"]  # "you vote as" differs: one page per group
    assert ("Submit ballot" in pages["g0"]) == (lang == "en")


def test_a_shared_link_page_too(app):
    round_ = make_round(ballot_spec(3, access="link", groups=2))
    path = f"/r/{round_.slug}"
    _LINKS[path] = (round_.id, round_.slug)
    voters = [app.test_client() for _ in range(2)]
    pages = [v.get(path).get_data(as_text=True) for v in voters]
    for voter, page in zip(voters, pages, strict=True):
        assert same_page(page, rendered_anew(app, voter, path, "zh-CN"))
        with voter.session_transaction() as held:
            assert held["sheet"] in page
    assert csrf_token(pages[0]) != csrf_token(pages[1])  # each voter's own
