"""Reading a posted ballot (ballot/posted.py): plain form data against the
round's structure, and what the voter sees when something is missing."""

from __future__ import annotations

import re
from types import MappingProxyType

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from surveyapp.database import db
from surveyapp.models import Ballot, VoterCode
from surveyapp.services.voting.structure import (
    CriterionView,
    GroupView,
    OptionView,
    RoundStructure,
    SubjectView,
)
from surveyapp.web.ballot.posted import COMMENT_MAX, read_ballot

from .conftest import csrf_token, full_ballot, issue, make_round

OPTIONS = (OptionView(11, "good", "好"), OptionView(12, "poor", "差"))


def structure(criteria: int = 1, groups: int = 1) -> RoundStructure:
    return RoundStructure(
        id=1, slug="r", title="t", access="code", options=OPTIONS,
        criteria=tuple(CriterionView(20 + i, f"c{i}", f"C{i}", "") for i in range(criteria)),
        groups=tuple(GroupView(30 + i, f"g{i}", f"G{i}") for i in range(groups)),
        subjects=(SubjectView(40, "alice", "Alice", ""), SubjectView(41, "bob", "Bob", "")),
        spec=None, option_ids=MappingProxyType({o.key: o.id for o in OPTIONS}))


def test_a_complete_post_reads_as_keys_for_the_rules_and_the_seal():
    posted = read_ballot(structure(criteria=2), {
        "q-0-0": "good", "q-0-1": "poor", "q-1-0": "poor", "q-1-1": "good",
        "comment": "ok", "unasked": "ignored"}, choose_group=False)
    assert posted.complete and posted.missing == ()
    assert posted.keyed == {("alice", "c0"): "good", ("alice", "c1"): "poor",
                            ("bob", "c0"): "poor", ("bob", "c1"): "good"}
    assert posted.comment == "ok" and posted.group_key is None


def test_missing_and_foreign_values_are_missing_in_ballot_order():
    posted = read_ballot(structure(), {"q-1-0": "excellent' OR 1=1 --"}, choose_group=False)
    assert not posted.complete
    assert posted.missing == ("q-0-0", "q-1-0")
    assert posted.keyed == {}


def test_the_first_of_a_repeated_field_counts():
    posted = read_ballot(structure(), MultiDict([("q-0-0", "poor"), ("q-0-0", "good"),
                                                 ("q-1-0", "good")]), choose_group=False)
    assert posted.complete and posted.keyed["alice", "c0"] == "poor"


def test_a_group_choice_must_be_one_of_the_rounds_groups():
    answered = {"q-0-0": "good", "q-1-0": "good"}
    two = structure(groups=2)
    assert read_ballot(two, answered, choose_group=True).missing == ("group",)
    assert read_ballot(two, {**answered, "group": "g9"}, choose_group=True).missing == ("group",)
    chosen = read_ballot(two, {**answered, "group": "g1"}, choose_group=True)
    assert chosen.complete and chosen.group_key == "g1"


def test_a_comment_may_fill_but_not_exceed_its_limit():
    answered = {"q-0-0": "good", "q-1-0": "good"}
    assert read_ballot(structure(), {**answered, "comment": "长" * COMMENT_MAX},
                       choose_group=False).complete
    too_long = read_ballot(structure(), {**answered, "comment": "长" * (COMMENT_MAX + 1)},
                           choose_group=False)
    assert too_long.comment_too_long and not too_long.complete and too_long.missing == ()


def test_the_page_puts_each_problem_beside_its_field_and_keeps_the_answers(client):
    round_ = make_round()
    [code] = issue(round_)
    client.get(f"/c/{code}")
    html = client.get("/ballot").get_data(as_text=True)
    answers = {**full_ballot(round_, "excellent"), "q-1-0": "nonsense"}
    response = client.post("/ballot", data={"csrf_token": csrf_token(html), **answers,
                                            "comment": "长" * (COMMENT_MAX + 1)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    name = round_.subjects[1].name
    assert f'<p class="error" id="q-1-0-error">请为“{name}”选择一项。</p>' in page
    assert f"意见建议请不超过 {COMMENT_MAX} 字。" in page
    assert re.search(r'<input checked[^>]*name="q-0-0"[^>]*value="excellent"', page)  # kept
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(VoterCode.status)) == "issued"
