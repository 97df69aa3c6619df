"""The secretary's results page, its charts and its flag wording.

The round here (conftest SPEC, anonymity_min 2) gets three member ballots
and two from the masses:

* 张三: members 优秀, 优秀, 合格 → 280/3; masses 基本合格, 合格 → 70;
  60:40 → 84.00.  Pooled: 优秀 2, 合格 2, 基本合格 1 of 5 → 40/40/20 %.
* 李四: members 合格, 基本合格, 不了解 → 70; masses 不合格, 合格 → 40;
  60:40 → 58.00.  Pooled: 合格 2, 基本合格 1, 不合格 1, 不了解 1 of 5.
"""

from __future__ import annotations

import re

import pytest
from flask import g
from sqlalchemy import select

from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.exports import charts, summary
from surveyapp.exports.flags import flag_label
from surveyapp.models import AuditEvent, Organisation
from surveyapp.services import rounds as rounds_service
from surveyapp.services.results import tally_round
from surveyapp.services.rounds import create_round, round_spec
from surveyapp.services.voting.casting import cast
from surveyapp.services.voting.structure import structure_of

from . import conftest
from .conftest import SPEC, count_round, open_round

BANDS = """
[rules]
bands = [{ min = 80, option = "excellent" }, { min = 60, option = "qualified" },
         { min = 0, option = "basic" }]
review_share = { unqualified = 0.1 }
"""

VOTES = {
    "members": [{"zhangsan": "excellent", "lisi": "qualified"},
                {"zhangsan": "excellent", "lisi": "basic"},
                {"zhangsan": "qualified", "lisi": "unknown"}],
    "masses": [{"zhangsan": "basic", "lisi": "unqualified"},
               {"zhangsan": "qualified", "lisi": "qualified"}],
}

# anonymity_min 3: masses (1 ballot) is suppressed and members with it;
# 王五 is on two ballots only, so hidden as a whole.
SUPPRESSED_SPEC = SPEC.replace("anonymity_min = 2", "anonymity_min = 3") + """
[[subjects]]
key = "wangwu"
name = "王五"
unit = "综合办公室"
"""
SUPPRESSED_VOTES = {
    "members": [{"zhangsan": "excellent", "lisi": "qualified", "wangwu": "excellent"},
                {"zhangsan": "excellent", "lisi": "basic", "wangwu": "basic"},
                {"zhangsan": "qualified", "lisi": "qualified"}],
    "masses": [{"zhangsan": "basic", "lisi": "unqualified"}],
}


def vote(round_, votes: dict[str, list[dict[str, str | None]]]) -> list[str]:
    """Cast ballots straight through voting.cast; returns the receipts."""
    structure = structure_of(round_)
    criterion = round_.criteria[0].key
    receipts = []
    for group_key, ballots in votes.items():
        group = next(g for g in structure.groups if g.key == group_key)
        for ballot in ballots:
            receipts.append(cast(structure, group, {(s, criterion): o
                                                    for s, o in ballot.items()}))
    return receipts


@pytest.fixture(name="people")
def people_fixture(app):
    """Two branches; a secretary for each."""
    branch_a = Organisation(name="第一党支部", kind="党支部")
    branch_b = Organisation(name="第二党支部", kind="党支部")
    db.session.add_all([branch_a, branch_b])
    db.session.flush()
    for name, org in [("sec-a", branch_a), ("sec-b", branch_b)]:
        conftest.add_user(name, "secretary", org)
    db.session.commit()
    return {"a": branch_a, "b": branch_b}


def closed_round(org, spec=SPEC + BANDS, votes=VOTES, status="counted"):
    """A round with these ballots, left open, closed, or closed and counted."""
    round_ = create_round(parse_spec(spec), actor="test", org=org)
    open_round(round_)
    receipts = vote(round_, votes)
    if status in ("closed", "counted"):
        rounds_service.transition(round_, "close", actor="test")
    if status == "counted":
        count_round(round_)
    return round_, receipts


def login(client, name="sec-a"):
    assert conftest.login(client, name).status_code == 302


def results_url(round_, query: str = "") -> str:
    return f"/admin/rounds/{round_.slug}/results{query}"


def section(html: str, heading_id: str) -> str:
    """The HTML of the <section> labelled by ``heading_id``."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start:html.index("</section>", start)]


def row_of(html: str, name: str) -> str:
    """The table row (up to </tr>) in which ``name`` first appears."""
    at = html.index(f">{name}<")
    return html[html.rindex("<tr", 0, at):html.index("</tr>", at)]


def names_in_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda n: html.index(f">{n}<"))


# -- the page -------------------------------------------------------------------

def test_results_need_login_and_stay_inside_the_organisation(client, people):
    round_, _ = closed_round(people["a"])
    assert client.get(results_url(round_)).status_code == 302  # to the login
    login(client, "sec-b")
    assert client.get(results_url(round_)).status_code == 404
    assert client.get(f"/admin/rounds/{round_.slug}/results/export/xlsx").status_code == 404


def test_no_results_before_the_round_closes(client, people):
    round_, _ = closed_round(people["a"], status="open")
    login(client)
    response = client.get(results_url(round_))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "评议结束后才显示结果" in html and "张三" not in html
    assert client.get(f"/admin/rounds/{round_.slug}/results/export/csv").status_code == 409


def test_page_shows_turnout_counts_shares_scores_rank_proposal_and_flags(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    response = client.get(results_url(round_))
    assert response.status_code == 200
    html = response.get_data(as_text=True)

    turnout = section(html, "turnout-h")
    assert "3/5 (60.0%)" in turnout and "2/5 (40.0%)" in turnout  # denominator named
    summary_html = section(html, "summary-h")
    assert "票数 ÷ 测评人数" in summary_html  # the shares' denominator is named
    zhang = row_of(summary_html, "张三")
    cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", zhang, re.S)
    assert cells[0].strip() == "1" and "84.00" in zhang
    assert '2 <span class="share">40.0%</span>' in zhang          # 优秀 2 of 5
    assert '1 <span class="share">20.0%</span>' in zhang          # 基本合格 1 of 5
    assert ">5<" in zhang                                         # 测评人数
    assert "优秀" in cells[-2]                                     # band ≥ 80
    li = row_of(summary_html, "李四")
    assert "58.00" in li and "合格" in li
    assert "不合格票超过规定比例，需组织核实" in li                   # review:unqualified
    groups = section(html, "groups-h")
    assert "93.33" in groups and "70.00" in groups and "40.00" in groups
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None  # the CSP allows no inline script
    assert ' style="' not in html


def test_charts_are_inline_svg_that_fit_a_phone(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    charts_html = section(client.get(results_url(round_)).get_data(as_text=True), "charts-h")
    svgs = re.findall(r"<svg[^>]*>", charts_html)
    assert len(svgs) == 2
    for svg in svgs:
        assert 'width="100%"' in svg and 'viewBox="0 0 360 ' in svg and 'role="img"' in svg
    assert charts_html.count("<rect") >= 2 + 5  # two score bars, five grade segments


def test_sort_and_filter_by_query_parameters(client, people):
    spec = SPEC + BANDS + """
[[subjects]]
key = "wangwu"
name = "王五"
unit = "综合办公室"
"""
    votes = {g: [{**b, "wangwu": "qualified"} for b in ballots] for g, ballots in VOTES.items()}
    round_, _ = closed_round(people["a"], spec=spec, votes=votes)
    login(client)

    def table(query):
        response = client.get(results_url(round_, query))
        assert response.status_code == 200
        return section(response.get_data(as_text=True), "summary-h")

    everyone = ["张三", "李四", "王五"]
    assert names_in_order(table(""), everyone) == ["张三", "王五", "李四"]  # 84, 80, 58
    # Unicode order puts 张 (5F20) before 李 (674E) before 王 (738B).
    assert names_in_order(table("?sort=name"), everyone) == ["张三", "李四", "王五"]
    by_unit = table("?sort=unit")
    assert by_unit.index(">王五<") > by_unit.index(">李四<")     # 综合办公室 after 工程技术党支部
    only_office = table("?unit=综合办公室")
    assert ">王五<" in only_office and ">张三<" not in only_office
    proposed_basic = table("?proposal=basic")
    assert ">李四<" in proposed_basic and ">张三<" not in proposed_basic
    flagged = table("?flagged=1")
    assert ">李四<" in flagged and ">张三<" not in flagged and ">王五<" not in flagged
    assert "显示 1 / 共 3 人" in table("?flagged=1")
    assert names_in_order(table("?sort=bogus"), everyone) == ["张三", "王五", "李四"]


def test_htmx_gets_only_the_table(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    response = client.get(results_url(round_, "?sort=name"),
                          headers={"HX-Request": "true", "HX-Target": "results-table"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="results-table"' in html
    assert "<html" not in html and "张三" in html and "turnout-h" not in html


def test_suppressed_breakdowns_say_why_and_show_no_numbers(client, people):
    round_, _ = closed_round(people["a"], spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    login(client)
    html = client.get(results_url(round_)).get_data(as_text=True)
    wang = row_of(section(html, "summary-h"), "王五")
    assert "少于 3 张票，为保护匿名不显示" in wang
    assert 'class="share"' not in wang and "—" in wang  # no counts, no score, no rank
    groups = section(html, "groups-h")
    zhang = groups[groups.index(">张三<"):groups.index("</tbody>", groups.index(">张三<"))]
    assert "少于 3 张票，为保护匿名不显示" in zhang            # masses: 1 ballot
    assert "为防止推算出小组结果，一并不显示" in zhang            # members, hidden with it
    assert 'class="share"' not in zhang and "score" not in zhang


def test_page_in_english(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    # The test client shares one app context, where Flask-Babel caches the
    # locale of the first request; a browser's next request would not.
    g.pop("_flask_babel", None)
    html = client.get(results_url(round_, "?lang=en")).get_data(as_text=True)
    assert "Score ranking" in html and "Turnout" in html
    assert "不合格 votes above the set share; to be verified" in html


def test_back_link_goes_to_the_round_list_or_the_round_page(client, people, app):
    round_, _ = closed_round(people["a"])
    login(client)
    html = client.get(results_url(round_)).get_data(as_text=True)
    if "admin.round_detail" in app.view_functions:
        assert f'href="/admin/rounds/{round_.slug}"' in html
    else:
        assert 'class="back no-print"><a href="/admin/"' in html


def test_export_downloads_are_audited(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    response = client.get(f"/admin/rounds/{round_.slug}/results/export/csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    details = db.session.scalars(select(AuditEvent.detail).where(
        AuditEvent.action == "results.export", AuditEvent.round_id == round_.id)).all()
    assert details == ["format=csv"]
    assert client.get(f"/admin/rounds/{round_.slug}/results/export/nope").status_code == 404


def test_every_exporter_is_offered_on_the_page(client, people):
    round_, _ = closed_round(people["a"])
    login(client)
    downloads = section(client.get(results_url(round_)).get_data(as_text=True), "downloads-h")
    from surveyapp.plugins import exporters

    for name in exporters():
        assert f"/results/export/{name}" in downloads


# -- pieces, without the web -------------------------------------------------------

def table_rows(app, people, **kw):
    round_, _ = closed_round(people["a"], **kw)
    return summary.rows(tally_round(round_), round_spec(round_)), round_spec(round_)


def test_summary_rows_keep_exact_shares_and_hide_what_the_tally_hides(app, people):
    rows, spec = table_rows(app, people, spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    by_key = {r.key: r for r in rows}
    zhang = by_key["zhangsan"]
    from fractions import Fraction

    # 张三: members 优秀 优秀 合格, masses 基本合格 (60:40) → 80.  Totals 优2 合1 基1
    # beside the score would leave one split (masses 基本合格), so only the
    # score is shown: members 优优不 with masses 优 also gives 80.
    assert zhang.score == 80 and zhang.counts is None and zhang.shares is None
    assert zhang.ballots is None and "hidden_counts" in zhang.flags
    assert [(g.key, g.hidden, g.counts, g.score) for g in zhang.groups] == [
        ("members", "complementary", None, None), ("masses", "small", None, None)]
    wang = by_key["wangwu"]
    assert wang.hidden and wang.counts is None and wang.score is None and wang.rank is None
    assert summary.percent(Fraction(7, 8)) == "87.5%" and summary.percent(None) == "—"
    assert summary.points(Fraction(280, 3)) == "93.33"


def test_flag_labels_in_both_languages():
    spec = parse_spec(SPEC)
    cases = {
        "group_missing:masses": ("群众评议无人参评", "no ballots from 群众评议"),
        "suppressed_group:members": ("党员互评少于2张票", "fewer than 2 ballots"),
        "suppressed_complementary:masses": ("一并不单独显示", "also hidden"),
        "quota_tie:excellent": ("优秀名额处得分并列", "tie at the 优秀 quota"),
        "quota_exceeded:excellent": ("超出优秀名额", "beyond the 优秀 quota"),
        "review:unqualified": ("不合格票超过规定比例", "不合格 votes above"),
        "quorum_not_met:members": ("党员互评参评人数未达规定比例", "turnout below the quorum"),
        "suppressed": ("少于2张票，为保护匿名不显示", "fewer than 2 ballots"),
    }
    for flag, (zh, en) in cases.items():
        assert zh in flag_label(flag, spec), flag
        assert en in flag_label(flag, spec, "en"), flag
    assert flag_label("acme:special", spec) == "acme:special"


def test_charts_escape_names_and_draw_hidden_subjects_as_a_note(app, people):
    rows, spec = table_rows(app, people, spec=SUPPRESSED_SPEC, votes=SUPPRESSED_VOTES)
    rows[0].name = '<script>alert("x")</script>'
    options = [(o.key, o.label, o.points is None) for o in spec.options]
    svg = str(charts.grade_distribution(rows, options, title="等次<分布>", hidden_text="不显示"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "等次&lt;分布&gt;" in svg
    assert svg.count("不显示") == 3          # 王五, and 张三's and 李四's totals
    ranking = str(charts.score_ranking(rows, title="排名", top=summary.max_points(spec)))
    widths = [float(w) for w in re.findall(r'<rect x="96" y="[\d.]+" width="([\d.]+)"', ranking)]
    assert len(widths) == 2                                     # 王五 has no score: no bar
    scores = [float(summary.points(r.score)) for r in rows if r.score is not None]
    # Bars are to scale against the scale's 100 points, not against the best score.
    assert widths[0] / widths[1] == pytest.approx(scores[0] / scores[1], rel=1e-2)
    assert widths[0] < 360 - 96 - 44 + 0.01
