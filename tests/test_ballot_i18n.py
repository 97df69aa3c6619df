"""Every voter page in both languages: English shows no Chinese UI text and
Chinese shows no English, apart from the round's own data (title, subject
names, grade labels as the organiser wrote them); and every voter string has
its Chinese translation."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po
from sqlalchemy import update

from surveyapp.database import db
from surveyapp.models import VoterCode

from .ballot_specs import ballot_spec
from .conftest import csrf_token, full_ballot, issue, make_round

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "surveyapp/translations/zh/LC_MESSAGES/messages.po"
VOTER_FILES = [ROOT / "templates/base.html", ROOT / "templates/error.html",
               *sorted((ROOT / "templates/ballot").glob("*.html")),
               *sorted((ROOT / "surveyapp/ballot").glob("*.py")),
               ROOT / "surveyapp/builtin.py"]  # its ballot rule's message
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# Allowed in Chinese pages: the other language's name, "IP", codes and
# receipts (letters and digits by design), and addresses (where to check one).
LATIN_OK = re.compile(r"English|\bIP\b|\b[0-9A-Z]{5}-[0-9A-Z]{5}\b|https?://\S+")


class VisibleText(HTMLParser):
    """Text a person sees or hears: text nodes (not script or style) and the
    attributes read out or shown (aria-label, placeholder, title, alt)."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.parts += [v for k, v in attrs if k in ("aria-label", "placeholder", "title", "alt")
                       and v]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str, data: list[str]) -> str:
    parser = VisibleText()
    parser.feed(html)
    text = "\n".join(parser.parts)
    for item in sorted(data, key=len, reverse=True):  # longest first: 基本合格 before 合格
        text = text.replace(item, " ")
    return text


def round_data(*rounds) -> list[str]:
    data = ["中文"]  # the language switch names Chinese in Chinese
    for r in rounds:
        data += [r.title, *(s.name for s in r.subjects), *(s.unit for s in r.subjects),
                 *(o.label for o in r.options), *(g.label for g in r.groups),
                 *(c.label for c in r.criteria), *(c.description for c in r.criteria)]
    return [d for d in data if d]


def voter_pages(app, language: str) -> tuple[dict[str, str], list[str]]:
    """Every page a voter can meet, fetched by a browser asking for
    ``language``; and the data strings they show."""
    pages: dict[str, str] = {}

    def browser():
        client = app.test_client()
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    def get(client, name, url, status=200):
        response = client.get(url)
        assert response.status_code == status, (name, response.status_code)
        if status != 302:
            pages[name] = response.get_data(as_text=True)
        return pages.get(name)

    def post(client, name, url, data, status):
        response = client.post(url, data=data)
        assert response.status_code == status, (name, response.status_code)
        if status != 302:
            pages[name] = response.get_data(as_text=True)

    voter = browser()
    start = get(voter, "enter code", "/")
    post(voter, "enter code, empty", "/", {"csrf_token": csrf_token(start), "code": ""}, 400)

    rule = "per_ballot_max = { excellent = 0.5 }"
    round_ = make_round(ballot_spec(4, criteria=True, rules=rule))
    [code, used, spare] = issue(round_, "g0", count=3)
    get(voter, "redeem", f"/c/{code}", 302)
    ballot = get(voter, "ballot", "/ballot")
    post(voter, "ballot, incomplete", "/ballot", {"csrf_token": csrf_token(ballot)}, 400)
    too_many = {**full_ballot(round_, "excellent"), "csrf_token": csrf_token(ballot)}
    post(voter, "ballot, rule broken", "/ballot", too_many, 400)
    post(voter, "ballot, forged form", "/ballot", {**too_many, "csrf_token": "forged"}, 400)
    post(voter, "ballot, submitted", "/ballot",
         {**full_ballot(round_), "csrf_token": csrf_token(ballot)}, 302)
    get(voter, "done", "/done")

    db.session.execute(update(VoterCode).where(VoterCode.id == 2).values(status="used"))
    db.session.commit()
    get(browser(), "used code", f"/c/{used}", 409)
    get(browser(), "bad code", "/c/xyz", 404)
    get(browser(), "unknown code", "/c/ABCDE-FGHJK", 404)
    draft = make_round(ballot_spec(1), status="draft")
    [early] = issue(draft, "g0")
    get(browser(), "not open", f"/c/{early}", 403)
    round_.status = "closed"
    db.session.commit()
    get(browser(), "closed", f"/c/{spare}", 409)

    link = make_round(ballot_spec(2, access="link", groups=2))
    linker = browser()
    page = get(linker, "link round", f"/r/{link.slug}")
    post(linker, "link round, incomplete", f"/r/{link.slug}", {"csrf_token": csrf_token(page)}, 400)
    get(browser(), "not found", "/no-such-page", 404)
    return pages, round_data(round_, draft, link)


def test_english_voter_pages_show_no_chinese_ui_text(app):
    pages, data = voter_pages(app, "en")
    assert "Submit ballot" in pages["ballot"]
    leftovers = {name: CJK.findall(visible_text(html, data)) for name, html in pages.items()}
    assert {name: chars for name, chars in leftovers.items() if chars} == {}


def test_chinese_voter_pages_show_no_english_ui_text(app):
    pages, data = voter_pages(app, "zh-CN,zh;q=0.9")
    assert "提交选票" in pages["ballot"]
    words = {name: re.findall(r"[A-Za-z]{2,}", LATIN_OK.sub(" ", visible_text(html, data)))
             for name, html in pages.items()}
    assert {name: found for name, found in words.items() if found} == {}


def test_every_voter_string_has_a_checked_chinese_translation():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    problems = []
    for path in VOTER_FILES:
        method = "jinja2" if path.suffix == ".html" else "python"
        for lineno, message, _comments, _context in extract_from_file(method, path, KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            where = f"{path.relative_to(ROOT)}:{lineno}"
            entry = catalog.get(msgid)
            if entry is None or not entry.string or entry.fuzzy:
                problems.append(f"{where}: no Chinese for {msgid!r}")
                continue
            problems += [f"{where}: {error}" for error in entry.check(catalog)]
    assert problems == []


@pytest.mark.parametrize("language, heading", [("en", "Enter your voter code"),
                                               ("zh-CN", "输入投票码"), ("fr", "输入投票码")])
def test_the_browser_language_picks_the_page_language(client, language, heading):
    page = client.get("/", headers={"Accept-Language": language}).get_data(as_text=True)
    assert heading in page
