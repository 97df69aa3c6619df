"""Campaigns end to end: a 党委 creates one, its branches' rounds join it
from their specs, and `surveyapp campaigns tally` puts the counted rounds
side by side from their shown results."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest
from flask_babel import refresh
from openpyxl import load_workbook
from pypdf import PdfReader

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain.rules import proposal_labels
from surveyapp.domain.spec import parse_spec
from surveyapp.domain.tally import present
from surveyapp.models import Campaign, Organisation, Round, User
from surveyapp.services import campaigns, decisions, members
from surveyapp.services import rounds as rounds_service
from surveyapp.services.voting.casting import cast
from surveyapp.services.voting.structure import structure_of

from .conftest import add_user, count_round, csrf_token, login, open_round

CAMPAIGN = """
title = "2026年争创四强四优"
template = "four-strong-organisation"
period = "2026"

[standard]
score = 90
criteria = 85
groups = { masses = 85 }
"""

ROUND = """
title = "{name}争创四强评议"
template = "four-strong-organisation"
anonymity_min = 3
{campaign}

[[groups]]
key = "members"
label = "党员评议"
weight = 70
expected = 10

[[groups]]
key = "masses"
label = "群众评议"
weight = 30
expected = 10

[[subjects]]
key = "branch"
name = "{name}"
"""


ROOT = Path(__file__).resolve().parents[1]
FOUR_STRONG = (ROOT / "plugins/four-strong-four-excellent/surveyapp_four_strong_four_excellent"
               / "__init__.py")


def this_checkouts_plugin():
    """The 四强/四优 plugin as it is in this checkout (an installed copy may
    be older and lack its campaign standards)."""
    found = importlib.util.spec_from_file_location("four_strong_here", FOUR_STRONG)
    module = importlib.util.module_from_spec(found)
    found.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def manager(monkeypatch):
    monkeypatch.delenv("SURVEYAPP_PLUGINS", raising=False)
    plugins.use_plugin_manager(plugins.load_plugins(
        extra=[("four-strong-here", this_checkouts_plugin())]))
    yield
    plugins.use_plugin_manager(None)


def round_text(name: str, campaign: str | None = None) -> str:
    return ROUND.format(name=name, campaign=f'campaign = "{campaign}"' if campaign else "")


def vote(round_, group: str, grades: list[str]) -> None:
    """One ballot per grade, the same grade on every criterion."""
    structure = structure_of(round_)
    target = next(g for g in structure.groups if g.key == group)
    for grade in grades:
        cast(structure, target, {("branch", c.key): grade for c in round_.criteria})


def counted(round_, members: list[str], masses: list[str]) -> Round:
    open_round(round_)
    vote(round_, "members", members)
    vote(round_, "masses", masses)
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    db.session.commit()
    return round_


def branch_round(org, campaign: Campaign | None, name: str) -> Round:
    spec = parse_spec(round_text(name), **plugins.spec_context())
    return rounds_service.create_round(spec, actor="test", org=org,
                                       campaign_id=campaign.id if campaign else None)


def make_campaign(org, text: str = CAMPAIGN) -> Campaign:
    return campaigns.create(text, actor="test", org=org)


def test_the_command_line_from_campaign_to_tally(cli, tmp_path, orgs):
    spec = tmp_path / "campaign.toml"
    spec.write_text(CAMPAIGN, encoding="utf-8")
    created = cli("campaigns", "create", spec, "--org", "机关党委")
    assert created.exit_code == 0, created.output
    slug = created.output.strip()
    slugs = {}
    for branch in ("第一党支部", "第二党支部"):
        path = tmp_path / f"{branch}.toml"
        path.write_text(round_text(branch, slug), encoding="utf-8")
        result = cli("rounds", "create", path, "--org", branch)
        assert result.exit_code == 0, result.output
        slugs[branch] = result.output.strip()
    first = rounds_service.get_round(slugs["第一党支部"])
    second = rounds_service.get_round(slugs["第二党支部"])
    assert campaigns.campaign_of(first) == campaigns.campaign_of(second) == campaigns.get(slug)
    counted(first, ["good"] * 5, ["good"] * 4 + ["fairly_good"])
    counted(second, ["good"] * 3 + ["average"] * 2, ["fairly_good"] * 5)

    listed = cli("campaigns", "list").output
    assert f"{slug}\t2026\tfour-strong-organisation\t2\t2026年争创四强四优" in listed
    shown = cli("campaigns", "show", slug).output
    assert "四强党组织：得分≥90.00，各指标≥85.00，masses≥85.00" in shown
    assert slugs["第二党支部"] in shown

    result = cli("campaigns", "tally", slug)
    assert result.exit_code == 0, result.output
    tally = json.loads(result.output)
    assert tally["campaign"] == {"slug": slug, "title": "2026年争创四强四优",
                                 "template": "four-strong-organisation", "period": "2026"}
    top, bottom = tally["branches"]
    assert (top["org"], top["rank"], top["score"]) == ("第一党支部", 1, 98.8)
    assert top["groups"]["masses"] == 96.0
    assert top["criteria"] == {"leading": 98.8, "developing": 98.8, "innovating": 98.8,
                               "cohesive": 98.8}
    assert top["proposals"] == [{"key": "branch", "name": "第一党支部"}]
    assert top["turnout"] == {"members": {"ballots": 5, "expected": 10},
                              "masses": {"ballots": 5, "expected": 10}}
    assert (bottom["org"], bottom["rank"], bottom["proposals"]) == ("第二党支部", 2, [])
    assert tally["summary"] == {"branches": 2, "counted": 2, "proposed": 1, "decided": 0,
                                "differences": 0}

    out = tmp_path / "campaign.csv"
    assert cli("campaigns", "tally", slug, "--format", "csv", "-o", out).exit_code == 0
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "党组织", "评议", "得分"]
    assert rows[1][:2] == ["1", "第一党支部"] and "第一党支部" in rows[1][-3]
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        path = tmp_path / f"campaign.{fmt}"
        assert cli("campaigns", "tally", slug, "--format", fmt, "-o", path).exit_code == 0
        assert path.read_bytes().startswith(magic)


def test_a_round_joins_only_a_campaign_of_its_template_and_its_organisation(cli, tmp_path,
                                                                            orgs):
    campaign = make_campaign(orgs["committee"])
    outside = tmp_path / "outside.toml"
    outside.write_text(round_text("别处支部", campaign.slug), encoding="utf-8")
    result = cli("rounds", "create", outside, "--org", "别的党委")
    assert result.exit_code == 2
    assert "别的党委 is not part of the organisation running campaign" in result.output
    other = tmp_path / "other.toml"
    other.write_text(f'title = "民主评议"\ntemplate = "party-member-appraisal"\n'
                     f'campaign = "{campaign.slug}"\n[[subjects]]\nkey = "a"\nname = "甲"\n',
                     encoding="utf-8")
    result = cli("rounds", "create", other, "--org", "第一党支部")
    assert result.exit_code == 2 and "compares rounds of template" in result.output
    missing = tmp_path / "missing.toml"
    missing.write_text(round_text("第一党支部", "nosuch"), encoding="utf-8")
    assert "no campaign with slug 'nosuch'" in cli("rounds", "create", missing).output
    assert db.session.query(Round).count() == 0


def test_campaign_spec_errors_exit_2_and_write_nothing(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "x"\ntemplate = "no-such-template"\n', encoding="utf-8")
    result = cli("campaigns", "create", bad)
    assert result.exit_code == 2
    assert f"{bad}:2 [template]: unknown template" in result.output
    assert campaigns.all_campaigns() == []


def test_the_templates_default_standard_applies_without_one_in_the_spec(app, orgs):
    campaign = make_campaign(orgs["committee"],
                             'title = "争创四强"\ntemplate = "four-strong-organisation"\n')
    standard = campaigns.spec_of(campaign).standard
    assert (standard.label, standard.score, dict(standard.groups)) == ("四强党组织", 90,
                                                                         {"masses": 85})
    # Stored resolved: without the plugin, or with other defaults, it stays.
    plugins.use_plugin_manager(plugins.load_plugins())
    assert campaigns.spec_of(campaign).standard == standard
    assert "score = 90" in campaign.spec_text


def test_the_figures_gather_the_viewers_part_of_the_tree_only(app, orgs):
    campaign = make_campaign(orgs["committee"])
    counted(branch_round(orgs["a"], campaign, "第一党支部"), ["good"] * 4, ["good"] * 4)
    counted(branch_round(orgs["b"], campaign, "第二党支部"), ["good"] * 4, ["good"] * 4)
    branch_round(orgs["b"], None, "不在评比中")
    users = {u: db.session.query(User).filter_by(username=u).one()
             for u in ("a", "party", "root")}
    assert [b["org"] for b in campaigns.table(campaign, users["party"])["branches"]] == [
        "第一党支部", "第二党支部"]
    assert len(campaigns.table(campaign, users["root"])["branches"]) == 2
    # A branch secretary does not see the committee's campaign at all...
    assert campaigns.campaign_for(users["a"], campaign.slug) is None
    assert campaigns.visible(users["a"]) == []
    # ...and even asked directly, the figures would hold their own branch only.
    assert [b["org"] for b in campaigns.table(campaign, users["a"])["branches"]] == [
        "第一党支部"]


# -- the console -----------------------------------------------------------------------------

def campaign_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint.startswith("admin.") and "campaign" in rule.arguments]


@pytest.fixture
def two_branches(app, orgs):
    campaign = make_campaign(orgs["committee"])
    first = counted(branch_round(orgs["a"], campaign, "第一党支部"), ["good"] * 5,
                    ["good"] * 4 + ["fairly_good"])
    second = counted(branch_round(orgs["b"], campaign, "第二党支部"), ["good"] * 4,
                     ["good"] * 2)  # 群众 2 < anonymity_min 3: hidden
    return campaign, first, second


def test_the_committee_reads_its_branches_side_by_side(client, two_branches):
    campaign, first, second = two_branches
    assert login(client, "party").status_code == 302
    listed = client.get("/admin/campaigns").get_data(as_text=True)
    assert f"/admin/campaigns/{campaign.slug}" in listed
    page = client.get(f"/admin/campaigns/{campaign.slug}").get_data(as_text=True)
    assert "第一党支部" in page and "第二党支部" in page
    assert "政治引领力强" in page and "群众评议" in page
    # Drill-down to each branch's own results page, which the committee may read.
    for round_ in (first, second):
        assert f"/admin/rounds/{round_.slug}/results" in page
        assert client.get(f"/admin/rounds/{round_.slug}/results").status_code == 200
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="campaign-ranking"' in page
    assert 'stroke-dasharray="4 3"' in page  # the standard's line
    # 第二党支部's 群众 had too few ballots: hidden here as on its own page.
    table = page.split('<div id="campaign-table">', 1)[1]
    row = table.split("第二党支部", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">—</td>' in row and "人数较少" in row
    assert "98.80" in page  # 第一党支部's score
    partial = client.get(f"/admin/campaigns/{campaign.slug}?sort=org",
                         headers={"HX-Request": "true", "HX-Target": "campaign-table"})
    body = partial.get_data(as_text=True)
    assert body.lstrip().startswith("{#") is False and '<div id="campaign-table">' in body
    assert "<html" not in body
    download = client.get(f"/admin/campaigns/{campaign.slug}/export/xlsx")
    assert download.status_code == 200 and download.data.startswith(b"PK")
    assert "attachment" in download.headers["Content-Disposition"]


def test_every_campaign_url_is_404_for_a_branch_secretary(client, app, two_branches):
    campaign, first, _second = two_branches
    assert login(client, "a").status_code == 302
    rules = campaign_rules(app)
    assert len(rules) >= 3
    for rule in rules:
        values = {name: {"fmt": "csv", "org": first.org_id}.get(name, "x")
                  for name in rule.arguments - set(rule.defaults or {})}
        url = app.url_map.bind("vote.example").build(
            rule.endpoint, values | {"campaign": campaign.slug})
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            assert response.status_code == 404, (method, url, response.status_code)
    listed = client.get("/admin/campaigns").get_data(as_text=True)
    assert campaign.slug not in listed
    # Their own round's results stay theirs; the sibling's stay hidden.
    assert client.get(f"/admin/rounds/{first.slug}/results").status_code == 200
    assert client.get(f"/admin/rounds/{_second.slug}/results").status_code == 404


def test_another_committee_never_sees_the_campaign(client, app, two_branches, orgs):
    campaign = two_branches[0]
    other = Organisation(name="另一党委", kind="党委", parent_id=orgs["company"].id)
    db.session.add(other)
    db.session.flush()
    add_user("other", "secretary", other)
    db.session.commit()
    assert login(client, "other").status_code == 302
    for rule in campaign_rules(app):
        values = {name: {"fmt": "json", "org": orgs["a"].id}.get(name, "x")
                  for name in rule.arguments - set(rule.defaults or {})}
        url = app.url_map.bind("vote.example").build(
            rule.endpoint, values | {"campaign": campaign.slug})
        assert client.get(url).status_code == 404, url


def test_the_campaign_page_in_english(client, two_branches):
    campaign = two_branches[0]
    login(client, "party")
    refresh()
    page = client.get(f"/admin/campaigns/{campaign.slug}?lang=en").get_data(as_text=True)
    assert "Branches side by side" in page and "Standard" in page


def test_a_committee_secretary_creates_a_campaign_in_the_console(client, orgs):
    login(client, "party")
    page = client.get("/admin/campaigns/new").get_data(as_text=True)
    assert "机关党委" in page and "第一党支部" in page and "示例集团" not in page
    form = {"csrf_token": csrf_token(page), "title": "2026年争创四强", "period": "2026",
            "template": "four-strong-organisation", "org": orgs["committee"].id,
            "label": "", "score": "92", "criteria": "", "masses": ""}
    bad = client.post("/admin/campaigns/new", data=form | {"score": "高"})
    assert bad.status_code == 400 and "score" in bad.get_data(as_text=True)
    assert campaigns.all_campaigns() == []
    done = client.post("/admin/campaigns/new", data=form)
    assert done.status_code == 303
    [campaign] = campaigns.all_campaigns()
    assert campaign.org_id == orgs["committee"].id
    standard = campaigns.spec_of(campaign).standard
    # The score given; the rest from the template's default.
    assert (standard.label, standard.score, standard.criteria) == ("四强党组织", 92, 85)
    assert done.headers["Location"].endswith(f"/admin/campaigns/{campaign.slug}")
    # A secretary may start one only for their own part of the tree.
    other = client.post("/admin/campaigns/new", data=form | {"org": orgs["company"].id})
    assert other.status_code == 400 and len(campaigns.all_campaigns()) == 1


def test_a_branch_year_over_year(client, app, orgs):
    old = campaigns.create(CAMPAIGN.replace("2026", "2025"), actor="t", org=orgs["committee"])
    new = make_campaign(orgs["committee"])
    counted(branch_round(orgs["a"], old, "第一党支部"), ["fairly_good"] * 4, ["good"] * 4)
    counted(branch_round(orgs["a"], new, "第一党支部"), ["good"] * 4, ["good"] * 4)
    counted(branch_round(orgs["b"], new, "第二党支部"), ["good"] * 4, ["good"] * 4)
    login(client, "party")
    url = f"/admin/campaigns/{new.slug}/branches/{orgs['a'].id}"
    assert url in client.get(f"/admin/campaigns/{new.slug}").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    periods = page.split('id="periods-h"', 1)[1]
    assert periods.index("2025") < periods.index("2026") and "第二党支部" not in page
    people = page.split('id="people-h"', 1)[1]
    assert people.index("86.00") < people.index("100.00 ✓")  # 2025 missed, 2026 met
    # Outside the campaign's tree, or for a branch secretary: 404.
    assert client.get(f"/admin/campaigns/{new.slug}/branches/{orgs['company'].id}"
                      ).status_code == 404
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    login(client, "a")
    assert client.get(url).status_code == 404


def test_a_rounds_page_names_its_campaign_and_links_it_for_those_who_see_it(client, orgs,
                                                                             two_branches):
    campaign, first, _second = two_branches
    login(client, "a")
    page = client.get(f"/admin/rounds/{first.slug}").get_data(as_text=True)
    assert campaign.title in page and f"/admin/campaigns/{campaign.slug}" not in page
    client.post("/admin/logout", data={"csrf_token": csrf_token(page)})
    login(client, "party")
    page = client.get(f"/admin/rounds/{first.slug}").get_data(as_text=True)
    assert f'<a href="/admin/campaigns/{campaign.slug}">{campaign.title}</a>' in page


# -- the committees' decisions beside the proposals (测评建议) --------------------------------

def test_the_decisions_beside_the_proposals_and_their_differences(client, cli, two_branches):
    campaign, first, second = two_branches
    proposal = {d.subject: d.proposal for d in decisions.decisions(first)}["branch"]
    labels = proposal_labels(campaigns.round_spec(first, with_subjects=False))
    other = next(o.key for o in first.options if o.key != proposal and o.points is not None)
    assert proposal == "five_stars" and labels[proposal] == "五星"  # a band, not a grade
    decisions.decide(first, "branch", other, "整改任务尚未完成，经支委会研究", actor="t")
    table = campaigns.tally_json(campaign)
    rows = {b["org"]: b for b in table["branches"]}
    [differs] = rows["第一党支部"]["differences"]
    assert (differs["decision_label"], differs["reason"]) == (
        labels[other], "整改任务尚未完成，经支委会研究")
    assert differs["proposal_label"] == (labels.get(proposal) if proposal else None)
    assert table["summary"]["differences"] == 1
    assert rows["第二党支部"]["differences"] == []

    login(client, "party")
    page = client.get(f"/admin/campaigns/{campaign.slug}").get_data(as_text=True)
    section = page.split('id="campaign-decisions"', 1)[1]
    assert "测评建议" in section and "整改任务尚未完成，经支委会研究" in section
    review = section.split('id="differences-h"', 1)[1].split("</table>", 1)[0]
    assert "第一党支部" in review and "第二党支部" not in review

    data = client.get(f"/admin/campaigns/{campaign.slug}/export/csv").data.decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(data)))
    first_row = dict(zip(header, next(r for r in lines if r[1] == "第一党支部"), strict=True))
    assert first_row["评定（测评建议）"].startswith(f"第一党支部 {labels[other]}（测评建议 ")
    assert "整改任务尚未完成" in first_row["评定与测评建议不同"]
    book = load_workbook(io.BytesIO(
        client.get(f"/admin/campaigns/{campaign.slug}/export/xlsx").data))
    sheet = [[c.value for c in row] for row in book["评定与建议不同"].iter_rows()]
    assert sheet[1] == ["党组织", "姓名", "得分", "测评建议", "评定", "评定理由"]
    assert sheet[2][0] == "第一党支部" and sheet[2][4:] == [labels[other],
                                                         "整改任务尚未完成，经支委会研究"]
    assert len(sheet) == 3
    pdf = client.get(f"/admin/campaigns/{campaign.slug}/export/pdf").data
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "评定与测评建议不同的情况" in text and "整改任务尚未完成，经支委会研究" in text


def test_a_branch_year_over_year_on_the_command_line(cli, orgs):
    old = campaigns.create(CAMPAIGN.replace("2026", "2025"), actor="t", org=orgs["committee"])
    new = make_campaign(orgs["committee"])
    counted(branch_round(orgs["a"], old, "第一党支部"), ["fairly_good"] * 4, ["good"] * 4)
    counted(branch_round(orgs["a"], new, "第一党支部"), ["good"] * 4, ["good"] * 4)
    shown = cli("campaigns", "history", "第一党支部")
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert lines[1].startswith(f"2025\t{old.slug}\t") and "\t86.00\t" in lines[1]
    assert lines[2].startswith(f"2026\t{new.slug}\t") and "\t100.00\t" in lines[2]
    as_json = json.loads(cli("campaigns", "history", "第一党支部", "--campaign", new.slug,
                             "--format", "json").output)
    assert [p["period"] for p in as_json["periods"]] == ["2025", "2026"]
    assert cli("campaigns", "history", "第二党支部").exit_code == 0
    bad = cli("campaigns", "history", "没有这个支部")
    assert bad.exit_code == 2 and bad.output.count("\n") == 1


def test_confirmed_person_keys_link_a_branch_history_across_roster_keys(client, orgs):
    old = campaigns.create(CAMPAIGN.replace("2026", "2025"), actor="t", org=orgs["committee"])
    new = make_campaign(orgs["committee"])
    first = counted(branch_round(orgs["a"], old, "第一党支部"), ["fairly_good"] * 4, ["good"] * 4)
    text = round_text("第一党支部").replace('key = "branch"', 'key = "zb1"')
    second = rounds_service.create_round(parse_spec(text, **plugins.spec_context()),
                                         actor="t", org=orgs["a"], campaign_id=new.id)
    open_round(second)
    structure = structure_of(second)
    for group in structure.groups:
        for _ in range(4):
            cast(structure, group, {("zb1", c.key): "good" for c in second.criteria})
    rounds_service.transition(second, "close", actor="t")
    count_round(second)
    db.session.commit()
    before = campaigns.history(new, orgs["a"].id)
    assert sorted(p["key"] for p in before["people"]) == ["branch", "zb1"]  # two rows
    members.confirm(first, {"branch": "ORG-A"}, actor="t")
    members.confirm(second, {"zb1": "ORG-A"}, actor="t")
    [person] = campaigns.history(new, orgs["a"].id)["people"]
    assert (person["key"], person["confirmed"]) == ("ORG-A", True)
    assert [present(y["score"]) for y in person["years"].values()] == [86.0, 100.0]
    login(client, "party")
    page = client.get(f"/admin/campaigns/{new.slug}/branches/{orgs['a'].id}")
    assert '<a href="/admin/members/ORG-A">ORG-A</a>' in page.get_data(as_text=True)
