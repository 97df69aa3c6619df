"""Tests of the paper ballot CSV reader: the happy path and each error kind."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from surveyapp.domain.model import (
    OVERALL,
    Criterion,
    Group,
    Option,
    RoundSpec,
    SpecError,
    SpecErrors,
    Subject,
)
from surveyapp.domain.paper import MAX_ERRORS, PaperBallot, parse_paper_ballots

OPTIONS = (Option("excellent", "优秀", F(100)), Option("qualified", "合格", F(80)),
           Option("unknown", "不了解", None))
GROUPS = (Group("members", "党员互评"), Group("masses", "群众评议"))
SUBJECTS = (Subject("zhangsan", "张三"), Subject("lisi", "李四"))

ONE_CRITERION = RoundSpec(title="t", options=OPTIONS, criteria=(Criterion(OVERALL, "总体评价"),),
                          groups=GROUPS, subjects=SUBJECTS)
TWO_CRITERIA = RoundSpec(title="t", options=OPTIONS,
                         criteria=(Criterion("de", "德"), Criterion("neng", "能")),
                         groups=GROUPS, subjects=SUBJECTS)
HEADER = "ballot,group,subject,criterion,option\n"


def errors_of(text: str, spec: RoundSpec = ONE_CRITERION) -> list[SpecError]:
    with pytest.raises(SpecErrors) as caught:
        parse_paper_ballots(text, spec, source="p.csv")
    assert all(e.source == "p.csv" for e in caught.value.errors)
    return caught.value.errors


def one_error(text: str, spec: RoundSpec = ONE_CRITERION) -> SpecError:
    errors = errors_of(text, spec)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_ballots_with_blanks_bom_crlf_and_whitespace():
    text = ("\ufeff Ballot , GROUP,subject,criterion,option\r\n"
            "B2, members ,zhangsan,, excellent\r\n"
            "B1,masses,zhangsan,,qualified\r\n"
            "\r\n"
            "B2,members,lisi,,\r\n"           # a blank
            "B1,masses,lisi,overall,unknown\r\n")
    ballots = parse_paper_ballots(text, ONE_CRITERION)
    assert [b.line for b in ballots] == [2, 3]  # each ballot's first row
    assert ballots == [
        PaperBallot("B2", "members", {("zhangsan", OVERALL): "excellent", ("lisi", OVERALL): None}),
        PaperBallot("B1", "masses", {("zhangsan", OVERALL): "qualified",
                                     ("lisi", OVERALL): "unknown"}),
    ]


def test_rows_of_a_ballot_need_not_be_contiguous_and_columns_may_be_reordered():
    text = ("option,criterion,subject,group,ballot\n"
            "优秀,de,zhangsan,members,1\n"
            ",neng,zhangsan,members,2\n"
            "合格,neng,张三,members,1\n")  # labels and names are understood too
    assert parse_paper_ballots(text, TWO_CRITERIA) == [
        PaperBallot("1", "members", {("zhangsan", "de"): "excellent",
                                     ("zhangsan", "neng"): "qualified"}),
        PaperBallot("2", "members", {("zhangsan", "neng"): None}),
    ]


def test_trailing_empty_cells_from_spreadsheets_are_ignored():
    text = "ballot,group,subject,criterion,option,,\n1,members,lisi,,,,\n"
    assert parse_paper_ballots(text, ONE_CRITERION) == [
        PaperBallot("1", "members", {("lisi", OVERALL): None})]


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("", None, None, "the file is empty"),
    (" \r\n\r\n", None, None, "the file is empty"),
    (HEADER, 1, None, "no ballots"),
    ("1,members,lisi,,excellent\n", 1, None, "the first line must be the header"),
    ("ballot,group,subject,option\n1,members,lisi,excellent\n", 1, "criterion",
     "missing column criterion"),
    ("ballot,group,subject,criterion,option,note\n1,members,lisi,,excellent,x\n", 1, "note",
     "unexpected column 'note'"),
    ("ballot,group,group,subject,criterion,option\n", 1, "group", "column group appears twice"),
    (HEADER + "1,members,lisi,,excellent,extra\n", 2, None, "6 cells, but the header has 5"),
    (HEADER + ",members,lisi,,excellent\n", 2, "ballot", "ballot label is empty"),
    (HEADER + "1,,lisi,,excellent\n", 2, "group", "group is empty"),
    (HEADER + "1,leaders,lisi,,excellent\n", 2, "group",
     "unknown group 'leaders'; expected one of: members, masses"),
    (HEADER + "1,members,wangwu,,excellent\n", 2, "subject",
     "unknown subject 'wangwu'; expected one of: zhangsan, lisi"),
    (HEADER + "1,members,lisi,de,excellent\n", 2, "criterion",
     "unknown criterion 'de'; expected one of: overall"),
    (HEADER + "1,members,lisi,,good\n", 2, "option",
     "unknown option 'good'; expected one of: excellent, qualified, unknown"),
    (HEADER + "1,members,lisi,,excellent\n1,masses,zhangsan,,excellent\n", 3, "group",
     "ballot '1' is for group 'members' (line 2), not 'masses'"),
    (HEADER + "1,members,lisi,,excellent\n2,members,lisi,,\n1,members,lisi,overall,\n", 4,
     "subject", "answers subject 'lisi', criterion 'overall' twice (also on line 2)"),
])
def test_each_error_kind(text, line, field, words):
    error = one_error(text)
    assert (error.line, error.field) == (line, field)
    assert words in error.message


def test_an_empty_criterion_needs_a_single_criterion_round():
    error = one_error(HEADER + "1,members,lisi,,excellent\n", TWO_CRITERIA)
    assert (error.line, error.field) == (2, "criterion")
    assert error.message == "criterion is empty, but this round has 2 criteria: de, neng"


def test_a_long_list_of_allowed_keys_is_truncated():
    many = RoundSpec(title="t", options=OPTIONS, criteria=ONE_CRITERION.criteria, groups=GROUPS,
                     subjects=tuple(Subject(f"s{i}", f"S{i}") for i in range(25)))
    error = one_error(HEADER + "1,members,nobody,,excellent\n", many)
    assert error.message.endswith("s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, … (25 in all)")


def test_every_problem_of_the_file_is_reported_at_once():
    text = (HEADER
            + "1,members,lisi,,excellent\n"
            + "2,members,wangwu,,good\n"        # two errors in one row
            + "1,masses,zhangsan,,excellent\n"
            + "3,members,lisi,,qualified\n")
    errors = errors_of(text)
    assert [(e.line, e.field) for e in errors] == [(3, "subject"), (3, "option"), (4, "group")]


def test_a_file_full_of_errors_is_summarised():
    text = HEADER + "1,nobody,lisi,,excellent\n" * (MAX_ERRORS + 7)
    errors = errors_of(text)
    assert len(errors) == MAX_ERRORS + 1
    assert errors[-1].message == "… and 7 more errors"
