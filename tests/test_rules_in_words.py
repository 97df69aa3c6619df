"""A round's rules in words on its page (issue 17, item 2): the 优秀 limit
and every other rule of the shipped plugins, in the page's language, with
no rule or option key showing."""

from __future__ import annotations

import re

import pytest
from flask_babel import refresh

from surveyapp import plugins
from surveyapp.domain.spec import parse_spec
from surveyapp.services.rounds import create_round

from .test_admin_console import login, text

SPECS = {
    "party-member-appraisal": 'template = "party-member-appraisal"\n[[groups]]\nkey = "m"\n'
                              'label = "党员互评"\nexpected = 6\n',
    "cadre-evaluation": 'template = "cadre-evaluation"\n',
}


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("template", list(SPECS))
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_round_page_lists_its_rules_in_words(client, orgs, template, lang):
    people = "".join(f'[[subjects]]\nkey = "s{i}"\nname = "成员{i}"\n' for i in range(6))
    spec = parse_spec(SPECS[template] + people, **plugins.spec_context())
    round_ = create_round(spec, actor="t", org=orgs["a"])
    login(client, "a")
    refresh()  # the tests' requests share one g, where Flask-Babel keeps the locale
    page = text(client.get(f"/admin/rounds/{round_.slug}?lang={lang}"))
    rules = re.search(r'<ul class="rules">(.*?)</ul>', page, re.S)[1]
    if template == "party-member-appraisal" and lang == "zh_CN":
        assert "每张选票“优秀”不超过评议对象的 1/3：6 人中至多 2 人。" in rules
        assert "建议“优秀”的不超过评议对象的 1/3（6 人中至多 2 人）" in rules
        assert "90 分及以上为优秀" in rules
    if template == "cadre-evaluation" and lang == "en":
        assert "; 称职 from 80;" in rules  # a band's own label, not its key
        assert "Flagged when fewer than 3/5 of the answers are “好”, “较好”." in rules
    for key in [*spec.rules, *(o.key for o in spec.options), "competent", "incompetent"]:
        assert not re.search(rf"\b{re.escape(key)}\b", visible(rules)), key
