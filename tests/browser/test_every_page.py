"""Every page and every export, in both languages (issue 17): none shows an
internal key (a rule's, an option's, a flag's, a scale's or a template's
name), and axe-core finds no serious or critical violation on any page, the
console included.  Console pages are walked on a 1366×768 desktop and on a
390 px phone, where none may scroll sideways; voter pages on a 360 px phone.

The world: a counted and published 民主评议党员 round (two groups, one too
small to show, a paper 废票, a committee's 评定 published with its reason), a
counted 干部民主测评 (proposals such as 称职 that are not on its scale), an open
round with codes, a draft and a shared-link round, and a campaign (争创四强)
its counted 四强 round joined, whose 群众 group is too small to show."""

from __future__ import annotations

import io
import json
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import update

from surveyapp import plugins
from surveyapp.database import db
from surveyapp.domain.spec import parse_spec
from surveyapp.models import VoterGroup
from surveyapp.services import campaigns as campaigns_service
from surveyapp.services import codes as codes_service
from surveyapp.services import decisions, members, publication
from surveyapp.services import rounds as rounds_service
from surveyapp.services.voting.casting import cast
from surveyapp.services.voting.structure import structure_of

from ..conftest import count_round, open_round
from ..test_campaigns import CAMPAIGN, counted, round_text
from .test_admin_round import log_in

DESKTOP, PHONE = (1366, 768), (390, 844)
LANGS = ("zh_CN", "en")


def people(n: int) -> str:
    names = "王建国 李秀英 张伟 刘洋 陈静 杨帆 赵磊 黄敏".split()
    return "".join(f'[[subjects]]\nkey = "p{i}"\nname = "{names[i]}"\nunit = "工程技术部"\n'
                   f'post = "{"党支部书记" if i == 0 else "党员"}"\n' for i in range(n))


PARTY = ('template = "party-member-appraisal"\ntitle = "2026年度民主评议党员"\n'
         '[[groups]]\nkey = "members"\nlabel = "党员互评"\nweight = 70\nexpected = 8\n'
         '[[groups]]\nkey = "masses"\nlabel = "群众评议"\nweight = 30\nexpected = 6\n'
         + people(6))
CADRE = ('template = "cadre-evaluation"\ntitle = "2026年度干部民主测评"\nanonymity_min = 2\n'
         + people(2))
OPEN = ('template = "party-member-appraisal"\ntitle = "2026年度民主评议党员（进行中）"\n'
        '[[groups]]\nkey = "members"\nlabel = "党员互评"\nexpected = 6\n' + people(6))
LINK = ('title = "食堂满意度测评"\naccess = "link"\nscale = "satisfaction"\n'
        '[[groups]]\nkey = "staff"\nlabel = "职工"\n'
        '[[subjects]]\nkey = "c1"\nname = "第一食堂"\n')


def make(spec_text: str, org, status: str):
    round_ = rounds_service.create_round(parse_spec(spec_text, **plugins.spec_context()),
                                         actor="test", org=org)
    if status != "draft":
        open_round(round_)
    return round_


def votes(round_, group: str, grades: list[list[str]]) -> None:
    structure = structure_of(round_)
    g = next(x for x in structure.groups if x.key == group)
    subjects = [s.key for s in structure.subjects]
    criteria = [c.key for c in structure.criteria]
    for ballot in grades:
        cast(structure, g, {(s, c): ballot[i % len(ballot)] for i, s in enumerate(subjects)
                            for c in criteria})


def close_and_count(round_) -> None:
    rounds_service.transition(round_, "close", actor="test")
    count_round(round_)
    db.session.commit()


@pytest.fixture
def world(secretary_account):
    org = secretary_account
    party = make(PARTY, org, "open")
    votes(party, "members", [["excellent", "qualified", "qualified", "basic", "qualified",
                              "unqualified"]] * 5 + [["qualified"]])
    votes(party, "masses", [["qualified", "basic", "excellent"]] * 2)
    db.session.execute(update(VoterGroup).where(VoterGroup.round_id == party.id,
                                                VoterGroup.key == "members")
                       .values(spoiled=1))
    db.session.commit()
    close_and_count(party)
    decisions.decide(party, "p1", "basic", "日常表现一般，经支委会研究", actor="test")
    members.confirm_proposals(party, actor="test")  # each person's record
    publication.publish(party, ["unit", "rank", "score", "proposal", "decision", "counts",
                                "turnout"], actor="test")
    cadre = make(CADRE, org, "open")
    for group in ("superior", "peer", "subordinate", "masses"):
        votes(cadre, group, [["good", "fairly_good"], ["average", "poor"]])
    close_and_count(cadre)
    opened = make(OPEN, org, "open")
    codes = codes_service.issue(opened, "members", 4, actor="test")[0]
    draft = make(PARTY.replace("2026年度", "2027年度"), org, "draft")
    link = make(LINK, org, "open")
    campaign = campaigns_service.create(CAMPAIGN, actor="test", org=org)
    branch = rounds_service.create_round(
        parse_spec(round_text(org.name), **plugins.spec_context()), actor="test", org=org,
        campaign_id=campaign.id)
    counted(branch, ["good"] * 4 + ["fairly_good"], ["good", "good"])  # 群众 2 < 3: hidden
    db.session.commit()
    return {"party": party, "cadre": cadre, "open": opened, "draft": draft, "link": link,
            "codes": codes, "campaign": campaign, "branch": branch, "org": org}


def keys_of(spec_texts: list[str]) -> set[str]:
    """Every internal name a person must not see."""
    found = {"per_ballot_max", "excellent_quota", "presume_fail_share", "review_share",
             "quorum_strict", "approval_below_min", "rule_ignored", "quorum_not_met",
             "presume_fail", "quota_tie", "quota_exceeded", "group_missing",
             "suppressed_group", "suppressed_complementary"}
    found |= set(plugins.grade_scales()) | set(plugins.round_templates())
    found |= set(plugins.criteria_sets())
    for text in spec_texts:
        spec = parse_spec(text, **plugins.spec_context())
        found |= {o.key for o in spec.options} | set(spec.rules)
        for band in spec.rules.get("bands", []):
            found.add(band["option"])
    return found


# English words that are also option keys: shown as prose in the English
# pages ("Below the quorum", "average"?), never as keys.
ENGLISH_PROSE = {"quorum", "unknown", "good", "average", "poor", "bands", "approval",
                 "basic"}


def leaked(text: str, keys: set[str], lang: str) -> list[str]:
    """Keys visible in ``text`` as words of their own (case-sensitive)."""
    hits = []
    for key in sorted(keys):
        if lang == "en" and key in ENGLISH_PROSE:
            continue
        if re.search(rf"(?<![\w/.-]){re.escape(key)}(?![\w-])", text):
            hits.append(key)
    # A flag as its key ("quorum_not_met:g1") whatever its name.
    hits += re.findall(r"\b[a-z]+(?:_[a-z]+)+:[\w.-]+", text)
    return hits


VISIBLE = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const said = [...document.querySelectorAll('[aria-label],[title],[placeholder],[alt]')]
    .map(e => [e.getAttribute('aria-label'), e.getAttribute('title'),
               e.getAttribute('placeholder'), e.getAttribute('alt')].filter(Boolean).join(' '));
  return document.body.innerText + '\\n' + said.join('\\n') + '\\n' + document.title;
}"""


class Walk:
    """Checks each page as it is shown and says which failed how."""

    def __init__(self, keys, scan):
        self.keys, self.scan, self.problems, self.seen = keys, scan, [], []

    def check(self, page, lang: str, name: str, *, width: int | None = None,
              axe: bool = True) -> None:
        self.seen.append(f"{lang} {name}")
        if hits := leaked(page.evaluate(VISIBLE), self.keys, lang):
            self.problems.append(f"{lang} {name} ({page.url}): shows {hits}")
        if axe and (violations := self.scan(page)):
            self.problems.append(f"{lang} {name}: axe {violations}")
        if width is not None:
            scroll = page.evaluate("document.documentElement.scrollWidth")
            if scroll > width:
                self.problems.append(f"{lang} {name}: {scroll}px wide on a {width}px screen")


def console_urls(w) -> list[tuple[str, str]]:
    party, cadre, opened, draft, link = (w[k] for k in ("party", "cadre", "open", "draft",
                                                        "link"))
    return [
        ("rounds", "/admin/"),
        ("wizard basics", "/admin/new"),
        ("round draft", f"/admin/rounds/{draft.slug}"),
        ("edit basics", f"/admin/rounds/{draft.slug}/edit/basics"),
        ("edit groups", f"/admin/rounds/{draft.slug}/edit/groups"),
        ("edit criteria", f"/admin/rounds/{draft.slug}/edit/criteria"),
        ("edit people", f"/admin/rounds/{draft.slug}/edit/subjects"),
        ("edit rules", f"/admin/rounds/{draft.slug}/rules"),
        ("edit who rates whom", f"/admin/rounds/{draft.slug}/rates"),
        ("edit sub-items", f"/admin/rounds/{draft.slug}/items"),
        ("open confirm", f"/admin/rounds/{draft.slug}/open"),
        ("round open", f"/admin/rounds/{opened.slug}"),
        ("codes", f"/admin/rounds/{opened.slug}/codes"),
        ("paper", f"/admin/rounds/{opened.slug}/paper?group=members"),
        ("turnout screen", f"/admin/rounds/{opened.slug}/turnout/screen"),
        ("close confirm", f"/admin/rounds/{opened.slug}/close"),
        ("poster", f"/admin/rounds/{link.slug}/poster"),
        ("round counted", f"/admin/rounds/{party.slug}"),
        ("results party", f"/admin/rounds/{party.slug}/results"),
        ("results cadre", f"/admin/rounds/{cadre.slug}/results"),
        ("audit", f"/admin/rounds/{party.slug}/audit"),
        ("audit all", "/admin/audit"),
        ("campaigns", "/admin/campaigns"),
        ("campaign new", "/admin/campaigns/new"),
        ("campaign", f"/admin/campaigns/{w['campaign'].slug}"),
        ("campaign history", f"/admin/campaigns/{w['campaign'].slug}/branches/{w['org'].id}"),
        ("round in campaign", f"/admin/rounds/{w['branch'].slug}"),
        ("results in campaign", f"/admin/rounds/{w['branch'].slug}/results"),
        ("member links", f"/admin/rounds/{party.slug}/members"),
        ("members", "/admin/members"),
        ("member record", "/admin/members/p1"),
    ]


def test_every_page_and_export_in_both_languages(new_page, world, accessibility_violations,
                                                 tmp_path):
    keys = keys_of([PARTY, CADRE, OPEN, LINK, round_text("branch")])
    walk = Walk(keys, accessibility_violations)
    for lang in LANGS:
        admin = new_page(viewport=DESKTOP)
        log_in(admin)
        admin.goto(f"/admin/?lang={lang}")
        walk.check(admin, lang, "login done")
        for name, url in console_urls(world):
            admin.goto(url)
            walk.check(admin, lang, name)
        # Pages reached by a post: codes issued, the publish preview, the wizard's steps.
        admin.goto(f"/admin/rounds/{world['open'].slug}/codes")
        admin.locator("#count").fill("2")
        admin.locator("form:has(#count) button[type=submit]").click()
        expect(admin.locator("[data-download]").first).to_be_visible()
        walk.check(admin, lang, "codes issued")
        admin.goto(f"/admin/rounds/{world['cadre'].slug}/results")
        admin.locator("section:has(#publish-h) button[type=submit]").click()
        expect(admin.locator(".preview-page")).to_be_visible()
        walk.check(admin, lang, "publish preview")
        admin.goto("/admin/new")
        admin.fill("#title", "walk")
        admin.select_option("#template", "party-member-appraisal")
        admin.locator("form button.primary").click()
        expect(admin.locator(".wizard-steps [aria-current=step]")).to_contain_text("2.")
        walk.check(admin, lang, "wizard groups")
        admin.goto("/admin/login")  # logged in: the login page still renders
        walk.check(admin, lang, "login")

        phone = new_page(viewport=PHONE)
        log_in(phone)
        phone.goto(f"/admin/?lang={lang}")
        for name, url in console_urls(world):
            phone.goto(url)
            walk.check(phone, lang, f"{name} (phone)", width=PHONE[0], axe=False)

        # The public pages and the voter's.
        voter = new_page()
        voter.goto(f"/p/{world['party'].slug}?lang={lang}")
        walk.check(voter, lang, "public results", width=360)
        voter.goto(f"/p/{world['party'].slug}/receipt")
        walk.check(voter, lang, "receipt check", width=360)
        voter.goto("/")
        walk.check(voter, lang, "enter code", width=360)
        voter.goto("/c/ABCDE-FGHJK")
        walk.check(voter, lang, "unknown code", width=360)
        voter.goto(f"/c/{world['codes'][LANGS.index(lang)]}")
        walk.check(voter, lang, "ballot", width=360)
        voter.locator("#subject-0").get_by_role("radio").first.click()
        voter.locator("button[type=submit]").click()
        walk.check(voter, lang, "ballot review", width=360)
        for i in range(6):
            voter.locator(f"#subject-{i}").get_by_role("radio").nth(1).click()
        voter.locator("button[type=submit]").click()
        expect(voter.locator(".receipt")).to_be_visible()
        walk.check(voter, lang, "done", width=360)
        voter.goto(f"/r/{world['link'].slug}")
        walk.check(voter, lang, "link ballot", width=360)
        voter.goto("/no-such-page")
        walk.check(voter, lang, "not found", width=360)

        # Every export, from the console in this language.
        for round_ in (world["party"], world["cadre"]):
            for fmt in plugins.exporters():
                with admin.expect_download() as download:
                    admin.goto(f"/admin/rounds/{round_.slug}/results")
                    admin.evaluate("url => { const a = document.createElement('a');"
                                   " a.href = url; document.body.append(a); a.click(); }",
                                   f"/admin/rounds/{round_.slug}/results/export/{fmt}")
                data = download.value.path().read_bytes()
                text = export_text(fmt, data)
                if fmt in ("json", "csv"):
                    # Data for other programs: keys by contract (the results page says
                    # so), but each flag and proposal also in words where people read.
                    continue
                if hits := leaked(text, keys, "zh"):
                    walk.problems.append(f"{lang} export {fmt} of {round_.title}: {hits}")
                if "发出" not in text or "废票" not in text:
                    walk.problems.append(f"{lang} export {fmt}: no 发出/收回/有效/废票")
        for fmt in ("xlsx", "pdf"):  # the draft report, from the results page
            with admin.expect_download() as download:
                admin.goto(f"/admin/rounds/{world['party'].slug}/results")
                admin.locator(f"a[href$='/report/{fmt}']").click()
            text = export_text(fmt, download.value.path().read_bytes())
            if hits := leaked(text, keys, "zh"):
                walk.problems.append(f"{lang} report {fmt}: {hits}")
            if "日常表现一般，经支委会研究" not in re.sub(r"\s+", "", text):
                walk.problems.append(f"{lang} report {fmt}: no 评定 reason")
        with admin.expect_download() as download:  # a member's record
            admin.goto("/admin/members/p1")
            admin.locator("a[href$='/export/xlsx']").click()
        if hits := leaked(export_text("xlsx", download.value.path().read_bytes()), keys, "zh"):
            walk.problems.append(f"{lang} member record xlsx: {hits}")
        for fmt in ("xlsx", "pdf"):  # the campaign's files people read
            with admin.expect_download() as download:
                admin.goto(f"/admin/campaigns/{world['campaign'].slug}")
                admin.evaluate("url => { const a = document.createElement('a');"
                               " a.href = url; document.body.append(a); a.click(); }",
                               f"/admin/campaigns/{world['campaign'].slug}/export/{fmt}")
            text = export_text(fmt, download.value.path().read_bytes())
            if hits := leaked(text, keys, "zh"):
                walk.problems.append(f"{lang} campaign export {fmt}: {hits}")
    assert len(walk.seen) > 70
    assert walk.problems == []


def export_text(fmt: str, data: bytes) -> str:
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data))
        return "\n".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows()
                         for c in row if c.value is not None)
    if fmt == "pdf":
        return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    if fmt == "json":
        return json.dumps(json.loads(data), ensure_ascii=False)
    return data.decode("utf-8-sig")
