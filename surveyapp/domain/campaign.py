"""Campaigns: a 党委's view of many branches' rounds (争创四强四优, 民主评议
across branches) that share a template and a period.

Two things live here, both plain data in, plain data out (no Flask, no
database), exact Fractions throughout:

* :func:`parse_campaign` reads a campaign spec (TOML) into a
  :class:`CampaignSpec`, every problem located like a round spec's.
* :func:`campaign_table` puts each branch's *shown* result side by side:
  its score, indicator (criterion) scores and group scores (群众评价),
  turnout, rank among the branches and which subjects meet the campaign's
  **absolute** standard (评比标准).  A standard is a set of floors, never a
  quota, so a weak year proposes nobody ("决不能采取'矮子里面拔大个'").

What it may read: only each round's result *as shown*, after its own
disclosure control (``Round.result_json``).  Every figure here is a function
of figures that the branch's own results already show; a hidden figure is
None and stays None (a branch figure is a mean over the shown ones, a
proposal needing a hidden figure is left to the committee, flagged).  So the
campaign view cannot tell more about a small group than the branch's own
results page does (tests/domain/test_campaign.py solves for one to check).
Proposals are advice: 不能简单地以票取人.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from .model import KEY_MUST, KEY_RE, NUMBER_TEXT, OVERALL, RoundSpec, SpecError, SpecErrors, show
from .records import decided_rows, differences
from .rule_settings import toml_value
from .rules import proposal_labels
from .spec import _toml_error as toml_error
from .tally import ranked

TOP_LEVEL_KEYS = ("title", "template", "period", "standard")
STANDARD_KEYS = ("label", "score", "criteria", "groups")
TITLE_MAX = 200

#: Branch flags: the round is not counted yet; some figure is hidden by the
#: round's disclosure control; whether a subject meets the standard cannot be
#: told because a figure the standard needs is hidden or missing.
NOT_COUNTED = "not_counted"
HIDDEN_FIGURES = "hidden_figures"
STANDARD_UNKNOWN = "standard_unknown"


@dataclass(frozen=True)
class Standard:
    """评比标准: the floors a subject must reach to be proposed as ``label``.
    ``score``: its score; ``criteria``: every indicator's score; ``groups``:
    a voter group's score (e.g. ``{"masses": 85}``, 群众评价).  None/empty:
    no floor of that kind.  A standard with no floor at all proposes nobody."""

    label: str = ""
    score: Fraction | None = None
    criteria: Fraction | None = None
    groups: Mapping[str, Fraction] = field(default_factory=dict)

    @property
    def has_floor(self) -> bool:
        return self.score is not None or self.criteria is not None or bool(self.groups)

    def as_dict(self) -> dict:
        return {"label": self.label, "score": self.score, "criteria": self.criteria,
                "groups": dict(self.groups)}


@dataclass(frozen=True)
class CampaignSpec:
    title: str
    template: str
    period: str
    standard: Standard


# -- the spec ------------------------------------------------------------------------------

def _line(text: str, key: str, table: str | None = None) -> int | None:
    """Best effort: the 1-based line of ``key =`` (inside ``[table]`` if given)."""
    inside = table is None
    for i, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("["):
            inside = table is not None and line.strip("[] ") == table
            if inside and key == table:
                return i
            continue
        if inside and line.split("=", 1)[0].strip() == key:
            return i
    return None


def _number(value: Any) -> Fraction | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
        return None  # "1e99999999" would take Fraction minutes
    try:
        number = Fraction(str(value)) if not isinstance(value, int) else Fraction(value)
    except (ValueError, ZeroDivisionError):
        return None
    return number if number >= 0 else None


def parse_campaign(text: str, *, source: str = "<campaign>",
                   templates: Mapping[str, Any] | None = None,
                   standards: Mapping[str, Mapping] | None = None) -> CampaignSpec:
    """Parse and check a campaign spec; raise :class:`SpecErrors` listing
    every problem with its line.  ``templates``: the round templates there
    are (the campaign's must be one of them when given); ``standards``: the
    plugins' default standards per template, which ``[standard]`` overrides
    key by key."""
    text = text.removeprefix("\ufeff")
    errors: list[SpecError] = []

    def add(message: str, at: str, table: str | None = None, **params) -> None:
        field_name = f"{table}.{at}" if table and at != table else at
        errors.append(SpecError(message, source=source, line=_line(text, at, table),
                                field=field_name, params=params))

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecErrors([toml_error(error, text, source)]) from None
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            add("unknown key %(key)s; a campaign has: %(known)s", key, key=show(key),
                known=", ".join(TOP_LEVEL_KEYS))
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > TITLE_MAX:
        add("title must be text of 1-%(max)d characters, got %(got)s", "title",
            max=TITLE_MAX, got=show(title))
    template = data.get("template")
    if not isinstance(template, str) or not template.strip():
        add("template must be the name of the rounds' template, got %(got)s", "template",
            got=show(template))
    elif templates is not None and template not in templates:
        add("unknown template %(name)s; known templates: %(known)s", "template",
            name=show(template), known=", ".join(sorted(templates)) or "none")
    period = data.get("period", "")
    if isinstance(period, int) and not isinstance(period, bool):
        period = str(period)
    if not isinstance(period, str) or len(period) > 40:
        add("period must be text such as \"2026\", got %(got)s", "period", got=show(period))
    given = data.get("standard", {})
    if not isinstance(given, Mapping):
        add("standard must be a table, got %(got)s", "standard", got=show(given))
        given = {}
    base = dict((standards or {}).get(template, {})) if isinstance(template, str) else {}
    merged = {**base, **given}
    for key in given:
        if key not in STANDARD_KEYS:
            add("unknown key %(key)s; a standard has: %(known)s", key, "standard",
                key=show(key), known=", ".join(STANDARD_KEYS))
    label = merged.get("label", "")
    if not isinstance(label, str) or len(label) > 80:
        add("label must be text, got %(got)s", "label", "standard", got=show(label))
    floors: dict[str, Fraction | None] = {}
    for key in ("score", "criteria"):
        value = merged.get(key)
        floors[key] = None if value is None else _number(value)
        if value is not None and floors[key] is None:
            add("%(key)s must be a number of points at least 0, got %(got)s", key, "standard",
                key=key, got=show(value))
    groups: dict[str, Fraction] = {}
    raw_groups = merged.get("groups", {})
    if not isinstance(raw_groups, Mapping):
        add("groups must be a table such as { masses = 85 }, got %(got)s", "groups",
            "standard", got=show(raw_groups))
        raw_groups = {}
    for key, value in raw_groups.items():
        if not KEY_RE.match(str(key)):
            add(KEY_MUST, "groups", "standard", got=show(key))
        elif (number := _number(value)) is None:
            add("groups.%(key)s must be a number of points at least 0, got %(got)s",
                "groups", "standard", key=key, got=show(value))
        else:
            groups[key] = number
    if errors:
        raise SpecErrors(errors)
    return CampaignSpec(title=title.strip(), template=template, period=period.strip(),
                        standard=Standard(label=label.strip(), score=floors["score"],
                                          criteria=floors["criteria"], groups=groups))


def campaign_toml(title: str, template: str, period: str, standard: Mapping) -> str:
    """A campaign spec as TOML text (what the console's form stores), so a
    campaign made in the browser reads like one made from a file.  Strings
    are written as TOML strings (``rule_settings.toml_value``)."""
    text = toml_value

    def number(value: Fraction | int | str) -> str:
        if isinstance(value, str) and not NUMBER_TEXT.fullmatch(value):
            return text(value)  # left for parse_campaign to refuse, with its line
        try:
            value = Fraction(str(value).strip())
        except (ValueError, ZeroDivisionError):
            return text(str(value))  # left for parse_campaign to refuse, with its line
        return str(value.numerator) if value.denominator == 1 else text(str(value))

    lines = [f"title = {text(title)}", f"template = {text(template)}",
             f"period = {text(period)}", "", "[standard]"]
    if standard.get("label"):
        lines.append(f"label = {text(standard['label'])}")
    for key in ("score", "criteria"):
        if standard.get(key) is not None:
            lines.append(f"{key} = {number(standard[key])}")
    if standard.get("groups"):
        inner = ", ".join(f"{key} = {number(v)}" for key, v in standard["groups"].items())
        lines.append(f"groups = {{ {inner} }}")
    return "\n".join(lines) + "\n"


def joined_campaign(text: str) -> str | None:
    """The ``campaign = "SLUG"`` a round spec names (the spec parser has
    checked it is text), or None."""
    try:
        value = tomllib.loads(text.removeprefix("\ufeff")).get("campaign")
    except tomllib.TOMLDecodeError:
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


# -- the branches side by side ---------------------------------------------------------------

@dataclass(frozen=True)
class Branch:
    """One branch's round in a campaign: who, which round, and its result
    as shown (exact, the round's disclosure control applied) with the
    round's spec; ``result`` None while the round is not counted."""

    org_id: int
    org: str
    slug: str
    title: str
    status: str
    spec: RoundSpec | None = None
    result: dict | None = None
    #: The committee's 评定 so far: subject key → (option key, reason).
    decisions: Mapping[str, tuple[str, str]] = field(default_factory=dict)


def _mean(values: Iterable[Fraction | None]) -> Fraction | None:
    shown = [v for v in values if v is not None]
    return sum(shown, Fraction(0)) / len(shown) if shown else None


def _figures(subject: dict) -> dict:
    """A subject's shown score, indicator scores and group scores."""
    return {"score": subject["score"],
            "criteria": {k: v["score"] for k, v in subject["criteria"].items()},
            "groups": {k: None if g["suppressed"] else g["score"]
                       for k, g in subject["groups"].items()}}


def meets(figures: dict, standard: Standard, criteria: Sequence[str]) -> bool | None:
    """Does a subject reach every floor?  None when a figure a floor needs
    is not shown (hidden, or its group had no ballots): the committee
    decides.  A standard without floors is met by nobody."""
    if not standard.has_floor:
        return False
    needed: list[tuple[Fraction | None, Fraction]] = []
    if standard.score is not None:
        needed.append((figures["score"], standard.score))
    if standard.criteria is not None:
        needed += [(figures["criteria"].get(c), standard.criteria) for c in criteria]
    needed += [(figures["groups"].get(g), floor) for g, floor in standard.groups.items()]
    if any(value is not None and value < floor for value, floor in needed):
        return False
    if any(value is None for value, _ in needed):
        return None
    return True


def _turnout(result: dict) -> dict[str, dict]:
    return {g: {"ballots": t["ballots"], "expected": t["expected"]}
            for g, t in result["turnout"].items()}


def branch_entry(branch: Branch, standard: Standard) -> dict:
    """One branch's row: its figures (a subject's own when the round rates one
    subject, e.g. the branch itself in 争创四强; otherwise the mean of the
    subjects' shown figures), turnout and the subjects meeting the standard."""
    entry: dict[str, Any] = {
        "org": branch.org, "org_id": branch.org_id, "round": branch.slug, "title": branch.title,
        "status": branch.status, "score": None, "rank": None, "criteria": {}, "groups": {},
        "turnout": {}, "subjects": 0, "scored": 0, "proposals": [], "undecided": [],
        "decided": [], "differences": [], "flags": []}
    if branch.result is None or branch.spec is None:
        entry["flags"].append(NOT_COUNTED)
        return entry
    subjects = branch.result["subjects"]
    figures = [_figures(s) for s in subjects]
    criteria = [c.key for c in branch.spec.criteria] or [OVERALL]
    groups = [g.key for g in branch.spec.groups]
    entry["score"] = _mean(f["score"] for f in figures)
    entry["criteria"] = {c: _mean(f["criteria"].get(c) for f in figures) for c in criteria}
    entry["groups"] = {g: _mean(f["groups"].get(g) for f in figures) for g in groups}
    entry["turnout"] = _turnout(branch.result)
    entry["subjects"] = len(subjects)
    entry["scored"] = sum(1 for f in figures if f["score"] is not None)
    hidden = any(f["score"] is None or None in f["criteria"].values()
                 or None in f["groups"].values() for f in figures)
    hidden = hidden or any(t["ballots"] is None for t in entry["turnout"].values())
    if hidden:
        entry["flags"].append(HIDDEN_FIGURES)
    for subject, figure in zip(subjects, figures, strict=True):
        verdict = meets(figure, standard, criteria)
        who = {"key": subject["key"], "name": subject["name"]}
        if verdict:
            entry["proposals"].append(who)
        elif verdict is None:
            entry["undecided"].append(who)
    if entry["undecided"]:
        entry["flags"].append(STANDARD_UNKNOWN)
    # The committee's 评定 beside the round's proposal (测评建议), and where
    # the two differ, with the reason, for the 党委's review.
    entry["decided"] = decided_rows(branch.result, proposal_labels(branch.spec),
                                    branch.decisions)
    entry["differences"] = differences(entry["decided"])
    return entry


def _labels(branches: Sequence[Branch], part: str) -> list[dict]:
    """Criteria or groups of the branches' rounds, in first-seen order."""
    seen: dict[str, str] = {}
    for branch in branches:
        if branch.spec is None:
            continue
        for item in getattr(branch.spec, part):
            seen.setdefault(item.key, item.label)
    return [{"key": k, "label": v} for k, v in seen.items()]


def campaign_table(spec: CampaignSpec, slug: str, branches: Sequence[Branch]) -> dict:
    """The campaign's figures: every branch side by side, ranked by the
    branch score among those shown (ties share a rank; unranked last,
    then by organisation)."""
    rows = [branch_entry(b, spec.standard) for b in branches]
    rows.sort(key=lambda r: (r["org"], r["round"]))
    rows = ranked(rows)
    return {
        "campaign": {"slug": slug, "title": spec.title, "template": spec.template,
                     "period": spec.period},
        "standard": spec.standard.as_dict(),
        "criteria": _labels(branches, "criteria"),
        "groups": _labels(branches, "groups"),
        "branches": rows,
        # The best points of the rounds' scales: what charts draw bars against.
        "top": max((o.points for b in branches if b.spec is not None
                    for o in b.spec.options if o.points is not None), default=None),
        "summary": {"branches": len(rows),
                    "counted": sum(1 for r in rows if NOT_COUNTED not in r["flags"]),
                    "proposed": sum(len(r["proposals"]) for r in rows),
                    "decided": sum(1 for r in rows for d in r["decided"] if d["decision"]),
                    "differences": sum(len(r["differences"]) for r in rows)},
    }


# -- a branch year over year --------------------------------------------------------------------

#: A subject key used for different names in different years: not linked.
KEY_REUSED = "key_reused"


def history(org: str, years: Sequence[tuple[CampaignSpec, str, Sequence[Branch]]],
            persons: Mapping[tuple[str, str], str] | None = None) -> dict:
    """One branch over several campaigns (``years``: each campaign's spec,
    slug and the branch's rounds in it, oldest first): its row in each, and
    each person's shown score, rank and proposal per year.

    People are linked across years by a stable key only: the subject key of
    the branch's rounds (the roster's key column, e.g. a staff number)
    *confirmed* by the same name.  Never by name alone (two 张三 are two
    people); a key that names someone else in another year is not linked
    and is flagged ``key_reused``.  Where the secretary confirmed who a
    subject is (``persons``: (round slug, subject key) → person key, see
    domain/records.py), that person key links the years instead, whatever
    the roster's keys and names, and the person is marked ``confirmed``.
    Every figure is a shown one, as in the campaign table."""
    persons = persons or {}
    periods, people = [], {}
    names_by_key: dict[str, set[str]] = {}
    for spec, slug, branches in years:
        for branch in branches:
            row = branch_entry(branch, spec.standard)
            periods.append({"campaign": slug, "title": spec.title, "period": spec.period,
                            "round": branch.slug, "row": row})
            if branch.result is None:
                continue
            criteria = [c.key for c in branch.spec.criteria] or [OVERALL]
            for subject in branch.result["subjects"]:
                confirmed = persons.get((branch.slug, subject["key"]))
                if confirmed is not None:
                    person = people.setdefault(("person", confirmed), {
                        "key": confirmed, "name": subject["name"], "years": {}, "flags": [],
                        "confirmed": True})
                    person["name"] = subject["name"]  # the latest
                else:
                    names_by_key.setdefault(subject["key"], set()).add(subject["name"])
                    person = people.setdefault(("subject", subject["key"], subject["name"]), {
                        "key": subject["key"], "name": subject["name"], "years": {},
                        "flags": [], "confirmed": False})
                person["years"][branch.slug] = {
                    "score": subject["score"], "rank": subject["rank"],
                    "proposal": subject["proposal"],
                    "meets": meets(_figures(subject), spec.standard, criteria)}
    for person in people.values():
        if not person["confirmed"] and len(names_by_key[person["key"]]) > 1:
            person["flags"].append(KEY_REUSED)
    return {"org": org, "periods": periods,
            "people": sorted(people.values(), key=lambda p: (p["key"], p["name"]))}
