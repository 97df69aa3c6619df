"""Who rates whom (评价关系, issue 14 part 1): a group's ``rates`` in the spec,
what it does to the tally and to paper ballots, and per-ballot limits on a
ballot that leaves the voter's own name out (本人不评).  Numbers by hand."""

from __future__ import annotations

from fractions import Fraction as F

import pytest

from surveyapp.domain.model import Counts, SpecErrors
from surveyapp.domain.paper import parse_paper_ballots
from surveyapp.domain.spec import parse_spec, spec_from_dict, spec_to_dict
from surveyapp.domain.tally import tally

# A department: its head 王五 (unit 机关), two staff in 机关 and one in 车间.
SPEC = """\
title = "2026年度干部民主测评"
anonymity_min = 1

[scale]
options = [
  { key = "good", label = "好", points = 100 },
  { key = "fair", label = "较好", points = 80 },
  { key = "poor", label = "一般", points = 60 },
  { key = "unknown", label = "不了解" },
]

[[groups]]
key = "superiors"
label = "上级"
weight = 2

[[groups]]
key = "peers"
label = "同级"
weight = 1
rates = ["unit:机关"]

[[groups]]
key = "juniors"
label = "下级"
weight = 1
rates = ["wangwu"]

[[subjects]]
key = "wangwu"
name = "王五"
unit = "机关"

[[subjects]]
key = "zhaoliu"
name = "赵六"
unit = "机关"

[[subjects]]
key = "sunqi"
name = "孙七"
unit = "车间"
"""


def spec(text: str = SPEC, **kwargs):
    return parse_spec(text, source="round.toml", **kwargs)


def errors(text: str, **kwargs) -> list:
    with pytest.raises(SpecErrors) as raised:
        spec(text, **kwargs)
    return raised.value.errors


def test_rates_by_key_and_by_unit_default_every_subject():
    s = spec()
    assert s.rated("superiors") == ("wangwu", "zhaoliu", "sunqi")  # no rates: everyone
    assert s.rated("peers") == ("wangwu", "zhaoliu")                # by unit, spec order
    assert s.rated("juniors") == ("wangwu",)
    assert s.rates("juniors", "wangwu") and not s.rates("juniors", "sunqi")
    assert s.group("juniors").rates == ("wangwu",)
    assert s.group("superiors").rates is None
    # Stored and read back unchanged; a spec without rates writes none (so
    # the frozen spec, and its hash, of older rounds stay as they were).
    data = spec_to_dict(s)
    assert spec_from_dict(data) == s
    assert "rates" not in data["groups"][0] and data["groups"][2]["rates"] == ["wangwu"]


def test_a_misspelt_subject_or_unit_in_rates_is_refused_with_line_and_field():
    text = SPEC.replace('rates = ["wangwu"]', 'rates = ["wangwv", "unit:车 间", 7]')
    found = {e.field: e for e in errors(text)}
    assert set(found) == {"groups[2].rates[0]", "groups[2].rates[1]", "groups[2].rates[2]"}
    line = text.splitlines().index('rates = ["wangwv", "unit:车 间", 7]') + 1
    assert all(e.line == line and e.source == "round.toml" for e in found.values())
    assert 'did you mean "wangwu"?' in found["groups[2].rates[0]"].message
    assert "no subject is in it" in found["groups[2].rates[1]"].message
    assert "subject keys" in found["groups[2].rates[2]"].message
    [empty] = errors(SPEC.replace('rates = ["wangwu"]', "rates = []"))
    assert empty.field == "groups[2].rates"


def counts_for(s) -> Counts:
    """上级 2 ballots on everyone, 同级 3 on the 机关 pair, 下级 4 on 王五."""
    counts = Counts()
    for answers in ({"wangwu": "good", "zhaoliu": "fair", "sunqi": "good"},
                    {"wangwu": "fair", "zhaoliu": "fair", "sunqi": "poor"}):
        counts.add_ballot("superiors", {(k, "overall"): v for k, v in answers.items()})
    for answers in ({"wangwu": "good", "zhaoliu": "poor"}, {"wangwu": "good", "zhaoliu": "fair"},
                    {"wangwu": "unknown", "zhaoliu": "poor"}):
        counts.add_ballot("peers", {(k, "overall"): v for k, v in answers.items()})
    for option in ("good", "poor", "poor", "fair"):
        counts.add_ballot("juniors", {("wangwu", "overall"): option})
    return counts


def test_a_group_that_does_not_rate_a_subject_is_not_missing_for_it():
    s = spec()
    result = {e["key"]: e for e in tally(s, counts_for(s))["subjects"]}
    # 王五: 上级 (100+80)/2 = 90, 同级 (100+100)/2 = 100 (不了解 not scored),
    # 下级 (100+60+60+80)/4 = 75; weighted 2:1:1 → (180 + 100 + 75)/4 = 355/4.
    assert result["wangwu"]["score"] == F(355, 4)
    # 赵六: 上级 80, 同级 (60+80+60)/3 = 200/3; 下级 does not rate him, so the
    # weights renormalise over 2:1 → (160 + 200/3)/3 = 680/9, and no flag.
    assert result["zhaoliu"]["score"] == F(680, 9)
    assert result["zhaoliu"]["flags"] == []
    # 孙七: only 上级 rates him: (100+60)/2 = 80.
    assert result["sunqi"]["score"] == F(80) and result["sunqi"]["flags"] == []
    assert result["sunqi"]["groups"]["juniors"]["ballots"] == 0
    # A group that rates a subject and sent nothing is still missing.
    counts = counts_for(s)
    del counts.ballots["juniors"], counts.cast[("juniors", "wangwu")]
    del counts.answers[("juniors", "wangwu", "overall")]
    wangwu = next(e for e in tally(s, counts)["subjects"] if e["key"] == "wangwu")
    assert wangwu["flags"] == ["group_missing:juniors"]


def test_paper_ballots_may_not_grade_whom_their_group_does_not_rate():
    s = spec()
    text = ("ballot,group,subject,criterion,option\n"
            "1,juniors,王五,,好\n"
            "2,peers,wangwu,,较好\n"
            "2,peers,sunqi,,好\n")
    with pytest.raises(SpecErrors) as raised:
        parse_paper_ballots(text, s, source="paper.csv")
    [error] = raised.value.errors
    assert (error.line, error.field) == (4, "subject")
    assert "does not rate 'sunqi'" in error.message
    # Leaving a subject the group rates off a ballot (本人不评) is allowed:
    # it is simply not on that ballot.
    ballots = parse_paper_ballots(text.replace("2,peers,sunqi,,好\n", ""), s)
    assert ballots[1].answers == {("wangwu", "overall"): "fair"}


def test_disclosure_hides_a_small_group_only_where_it_rates():
    from surveyapp.domain.disclosure import disclose
    s = spec(SPEC.replace("anonymity_min = 1", "anonymity_min = 3"))
    counts = Counts()
    # 上级 6 ballots on everyone; 下级 (who rate only 王五) 2 ballots.
    for option in ("good", "fair", "good", "poor", "fair", "good"):
        counts.add_ballot("superiors", {(k, "overall"): option
                                        for k in ("wangwu", "zhaoliu", "sunqi")})
    for option in ("good", "poor"):
        counts.add_ballot("juniors", {("wangwu", "overall"): option})
    shown = disclose(s, counts, None, lambda sp, c, h, t: tally(sp, c, hidden=h, turnout_hidden=t))
    subjects = {e["key"]: e for e in shown.result["subjects"]}
    # 王五: the two 下级 ballots are hidden, and nothing shown pins them down.
    assert subjects["wangwu"]["groups"]["juniors"]["suppressed"] is True
    assert "suppressed_group:juniors" in subjects["wangwu"]["flags"]
    # 赵六 and 孙七: 下级 do not rate them; nothing to hide, and 下级 are not
    # missing.  同级 rate 赵六 (机关) and sent nothing: they are missing there,
    # but not for 孙七 (车间), whom they do not rate.
    # Their counts are hidden, though (level 1): 下级's 2 ballots hide their
    # turnout, pooled with 上级's (8 in all), and 赵六's and 孙七's counts sum
    # to 上级's 6 alone, so 8 - 6 would be 下级's turnout.
    assert shown.turnout == {"juniors", "superiors"}
    for key in ("zhaoliu", "sunqi"):
        assert subjects[key]["groups"]["juniors"]["suppressed"] is False
        assert shown.levels[key] == 1
        assert subjects[key]["criteria"]["overall"]["counts"] is None
    # Nor 上级's breakdown, whose 6 ballots are its hidden turnout.
    assert subjects["zhaoliu"]["flags"] == ["group_missing:peers",
                                            "suppressed_complementary:superiors",
                                            "hidden_counts"]
    assert subjects["sunqi"]["flags"] == ["suppressed_complementary:superiors",
                                          "hidden_counts"]
    # 孙七 from 上级 alone: (100 + 80 + 100 + 60 + 80 + 100)/6 = 520/6 → 86.67 shown.
    assert subjects["sunqi"]["score"] == F(8667, 100)
