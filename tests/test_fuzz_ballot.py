"""Arbitrary form posts at the ballot (hypothesis): never a 500, and never a
partial ballot.  Each post either stores one whole ballot (every question
answered with an offered grade, the code spent) or nothing at all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from surveyapp.database import db
from surveyapp.domain.ballot_box import sealing
from surveyapp.models import Answer, Ballot, Comment, VoterCode, VoterGroup
from surveyapp.services.rounds import get_round
from surveyapp.services.voting.structure import structure_of

from .conftest import csrf_token, issue, make_round

SUBJECTS, CRITERIA = 3, 2
OPTIONS = ["excellent", "qualified", "basic", "unknown"]


def spec(access: str) -> str:
    return (f'title = "模糊测试"\naccess = "{access}"\nanonymity_min = 1\n'
            "[scale]\noptions = [\n"
            '  { key = "excellent", label = "优秀", points = 100 },\n'
            '  { key = "qualified", label = "合格", points = 80 },\n'
            '  { key = "basic", label = "基本合格", points = 60 },\n'
            '  { key = "unknown", label = "不了解" },\n]\n'
            + "".join(f'[[criteria]]\nkey = "c{c}"\nlabel = "标准{c}"\n' for c in range(CRITERIA))
            + '[[groups]]\nkey = "members"\nlabel = "党员"\n'
            + '[[groups]]\nkey = "masses"\nlabel = "群众"\n'
            + "".join(f'[[subjects]]\nkey = "s{i}"\nname = "人{i}"\n' for i in range(SUBJECTS))
            # A plugin rule in play too: at most half of the grades may be 优秀.
            + "[rules]\nper_ballot_max = { excellent = 0.5 }\n")


QUESTIONS = [f"q-{s}-{c}" for s in range(SUBJECTS) for c in range(CRITERIA)]
names = st.one_of(
    st.sampled_from([*QUESTIONS, "comment", "comment", "group", "csrf_token", "q-0", "q--1-0",
                     "q-9-0", "q-0-0-0", "Q-0-0", "q-0-0 "]),
    st.text(max_size=12))
values = st.one_of(
    st.sampled_from([*OPTIONS, "", " ", "EXCELLENT", "excellent ", "members", "masses",
                     "'; DROP TABLE answer; --", "\u0000", "<script>", "𝕏" * 3]),
    st.text(max_size=40),
    st.text(min_size=990, max_size=1010))
# A full, valid ballot now and then, so accepted posts are fuzzed too.
complete = st.fixed_dictionaries({q: st.sampled_from(OPTIONS) for q in QUESTIONS})
posts = st.tuples(st.one_of(st.just({}), complete),
                  st.lists(st.tuples(names, values), max_size=12),
                  st.sampled_from(["valid", "missing", "garbage"]))

FUZZ = settings(max_examples=120, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])


def totals() -> tuple[int, int, int, int]:
    """Ballots, of them with a sealed comment of the one size every comment
    has (an empty one too), and plain answers and comments (never any)."""
    return tuple(db.session.scalar(select(func.count()).select_from(m).where(*where))
                 for m, *where in ((Ballot,), (Ballot, func.length(Ballot.sealed_comment)
                                               == sealing.SEALED_COMMENT),
                                   (Answer,), (Comment,)))


def body(base: dict, extra: list, token_mode: str, token: str) -> MultiDict:
    form = MultiDict(base)
    for name, value in extra:
        form.add(name, value)
    if token_mode == "valid" and "csrf_token" not in form:
        form.add("csrf_token", token)
    elif token_mode == "garbage":
        form.setlist("csrf_token", ["forged"])
    return form


def trackers() -> set[str]:
    return set(db.session.scalars(select(Ballot.tracker)))


def check_outcome(response, before, known: set[str], form: MultiDict, lock, token: str):
    """A 302 to the receipt with exactly one whole sealed ballot more (every
    cell answered, every proof holding), or a 4xx with nothing more at all.
    A post without this browser's form token is refused whatever else it
    holds (a 400 naming the token), so switching CSRF off fails here."""
    assert response.status_code < 500
    ballots, comments, plain_answers, plain_comments = totals()
    assert (plain_answers, plain_comments) == (0, 0)
    if form.get("csrf_token") != token:
        assert response.status_code == 400 and "表单已过期或来源不符" in response.get_data(
            as_text=True), response.status_code
        assert (ballots, comments) == before[:2]
        return False
    if response.status_code == 302 and response.headers["Location"].endswith("/done"):
        assert ballots == before[0] + 1 and comments == before[1] + 1
        [new] = trackers() - known
        group, sealed = db.session.execute(
            select(VoterGroup.key, Ballot.sealed).join(VoterGroup, VoterGroup.id == Ballot.group_id)
            .where(Ballot.tracker == new)).one()
        assert sealing.check(lock, sealed) is None
        return True
    assert 400 <= response.status_code < 500, response.status_code
    assert (ballots, comments) == before[:2]
    return False


@pytest.mark.parametrize("access", ["codes", "link"])
def test_arbitrary_ballot_posts_store_a_whole_ballot_or_nothing(app, access):
    outcomes: set[bool] = set()

    @FUZZ
    @given(post=posts)
    # Both outcomes every time, whatever else is drawn; and ballots that would
    # count but for their token.
    @example(post=({q: "qualified" for q in QUESTIONS}, [], "valid"))
    @example(post=({}, [], "valid"))
    @example(post=({q: "qualified" for q in QUESTIONS}, [], "missing"))
    @example(post=({q: "basic" for q in QUESTIONS}, [], "garbage"))
    def run(post):
        base, extra, token_mode = post
        round_ = get_round("fuzz") or make_round(spec(access), slug="fuzz")
        client = app.test_client()
        if access == "codes":
            [code] = issue(round_)
            client.get(f"/c/{code}")
            url = "/ballot"
        else:
            url = "/r/fuzz"
        token = csrf_token(client.get(url).get_data(as_text=True))
        if access == "link" and "group" not in base:
            base = {**base, "group": "members"}
        form = body(base, extra, token_mode, token)
        before, known = totals(), trackers()
        counted = check_outcome(client.post(url, data=form), before, known, form,
                                structure_of(round_).lock, token)
        outcomes.add(counted)
        if access == "codes":
            status = db.session.scalar(select(VoterCode.status)
                                       .where(VoterCode.id == db.session.scalar(
                                           select(func.max(VoterCode.id)))))
            assert status == ("used" if counted else "issued")

    run()
    assert outcomes == {True, False}  # both paths were exercised


@FUZZ
@given(typed=st.one_of(st.text(max_size=60), st.binary(max_size=60).map(
    lambda b: b.decode("latin-1"))))
def test_arbitrary_typed_codes_get_a_page_not_a_500(app, typed):
    client = app.test_client()
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/", data={"csrf_token": token, "code": typed})
    assert response.status_code in (302, 400, 404), response.status_code
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
