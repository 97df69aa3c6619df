"""Round specs: TOML text (or the same data as a dict) → a validated :class:`RoundSpec`.

Every problem is collected before anything is raised, so a secretary fixes a
spec in one pass: the :class:`SpecErrors` lists each error with the field's
dotted path (``groups[1].weight``, 0-based) and, where it can be found, the
1-based line of the TOML text.  :func:`spec_to_dict` is the inverse, for
storing a round as JSON and parsing it again with :func:`spec_from_dict`.
"""

from __future__ import annotations

import copy
import datetime
import difflib
import math
import pathlib
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import Any, NamedTuple

from . import rule_checks
from .bounds import (
    BALLOT_POSITIONS_MAX,
    COMMITMENT_MAX,
    COMMITMENTS_MAX,
    CRITERIA_MAX,
    DESCRIPTION_MAX,
    ERRORS_MAX,
    FILE_BYTES_MAX,
    GROUPS_MAX,
    LABEL_MAX,
    NAME_MAX,
    OPTIONS_MAX,
    SPEC_NESTING_MAX,
    SUBJECTS_MAX,
    UNIT_MAX,
)
from .model import (
    ACCESS_MODES,
    COMMITMENT_OPTIONS,
    KEY_MUST,
    KEY_RE,
    OVERALL,
    UNIT_PREFIX,
    Criterion,
    Group,
    Item,
    Option,
    RoundSpec,
    SpecError,
    SpecErrors,
    Subject,
    Trustees,
    show,
)
from .subjects import read_subjects_table
from .tables import read_text

TOP_LEVEL_KEYS = ("title", "template", "access", "anonymity_min", "opens_at", "closes_at",
                  "scale", "criteria", "groups", "subjects", "subjects_file", "trustees",
                  "rules", "campaign")
#: Most 监票人 a round may have (each gets a key slip; two digits number them).
TRUSTEES_MAX = 20
TITLE_MAX = 200
OVERALL_LABEL = "总体评价"
_ACCESS_MUST = "access must be " + " or ".join(f'"{m}"' for m in ACCESS_MODES) + ", got %(got)s"

#: Set by :func:`spec_to_dict` next to ``template``: the template is already
#: merged in, so its name is kept but not looked up again (the plugin that
#: offered it may be gone by the time a stored round is re-read).  Accepted
#: from dicts only, never from TOML.
RESOLVED = "resolved"

_NONE: Mapping = MappingProxyType({})


class _Registries(NamedTuple):
    """What plugins registered, by name."""

    templates: Mapping[str, Mapping]
    scales: Mapping[str, Sequence]
    criteria_sets: Mapping[str, Sequence]
    rule_names: Mapping[str, str] | None  # None: [rules] keys are not checked


# -- public API ------------------------------------------------------------------

def parse_spec(text: str, *, source: str = "<spec>", base_dir: pathlib.Path | None = None,
               templates: Mapping[str, Mapping] = _NONE, scales: Mapping[str, Sequence] = _NONE,
               criteria_sets: Mapping[str, Sequence] = _NONE,
               rule_names: Mapping[str, str] | None = None) -> RoundSpec:
    """Parse and validate a TOML round spec; raise :class:`SpecErrors` listing every problem.

    ``base_dir`` is where ``subjects_file`` is looked for; without it a spec
    may not name one (a spec typed into a form must not read server files).
    ``templates``, ``scales`` and ``criteria_sets`` are the plugins'
    registries: a spec may say ``template = "name"``, ``scale = "name"`` and
    ``criteria = "name"``.  ``rule_names`` are the ``[rules]`` keys plugins
    read: given, any other key (its own or its template's) is refused as
    unknown; without it (the domain core alone) rules are not checked.
    """
    text = text.removeprefix("\ufeff")
    if len(text) > FILE_BYTES_MAX:
        raise SpecErrors([SpecError("the file is larger than %(max)s MB", source=source,
                                    params={"max": FILE_BYTES_MAX // (1024 * 1024)})])
    # Before parsing: tomllib recurses once per level and would overflow the stack.
    _check_nesting(_bracket_depth(text), source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SpecErrors([_toml_error(error, text, source)]) from None
    # Dotted keys (a.b.c = 1) nest without brackets.
    _check_nesting((_data_depth(data), None), source)
    return _build(data, _Errors(source, _Locator(text).line), base_dir,
                  _Registries(templates, scales, criteria_sets, rule_names), from_text=True)


def load_spec(path: pathlib.Path, templates: Mapping[str, Mapping] = _NONE, *,
              scales: Mapping[str, Sequence] = _NONE,
              criteria_sets: Mapping[str, Sequence] = _NONE,
              rule_names: Mapping[str, str] | None = None) -> RoundSpec:
    """Read a spec file (UTF-8, BOM tolerated); ``subjects_file`` is relative to its folder."""
    path = pathlib.Path(path)
    text = read_text(path, str(path))
    return parse_spec(text, source=str(path), base_dir=path.parent, templates=templates,
                      scales=scales, criteria_sets=criteria_sets, rule_names=rule_names)


def spec_from_dict(data: Mapping, *, source: str = "<spec>",
                   base_dir: pathlib.Path | None = None,
                   templates: Mapping[str, Mapping] = _NONE,
                   scales: Mapping[str, Sequence] = _NONE,
                   criteria_sets: Mapping[str, Sequence] = _NONE,
                   rule_names: Mapping[str, str] | None = None) -> RoundSpec:
    """Validate TOML-shaped plain data (as from ``tomllib`` or :func:`spec_to_dict`)."""
    _check_nesting((_data_depth(data), None), source)
    return _build(data, _Errors(source), base_dir,
                  _Registries(templates, scales, criteria_sets, rule_names), from_text=False)


def spec_to_dict(spec: RoundSpec) -> dict:
    """The spec as TOML-shaped plain data, JSON-safe as long as its rules are.

    Numbers are ints when whole and ``"a/b"`` strings otherwise, so nothing is
    rounded; ``spec_from_dict(spec_to_dict(s)) == s``.
    """
    data: dict[str, Any] = {"title": spec.title}
    if spec.template is not None:
        data["template"] = spec.template
        data[RESOLVED] = True
    data["access"] = spec.access
    data["anonymity_min"] = spec.anonymity_min
    for name in ("opens_at", "closes_at"):
        if (moment := getattr(spec, name)) is not None:
            data[name] = moment.isoformat(timespec="minutes")
    data["scale"] = {"options": [
        {"key": o.key, "label": o.label}
        | ({} if o.points is None else {"points": _number_out(o.points)})
        for o in spec.options]}
    data["criteria"] = [
        {"key": c.key, "label": c.label, "weight": _number_out(c.weight),
         "description": c.description}
        | ({"items": [{"key": i.key, "label": i.label, "points": _number_out(i.points)}
                      for i in c.items]} if c.items else {})
        for c in spec.criteria]
    data["groups"] = [
        {"key": g.key, "label": g.label, "weight": _number_out(g.weight)}
        | ({} if g.expected is None else {"expected": g.expected})
        | ({} if g.rates is None else {"rates": list(g.rates)})
        for g in spec.groups]
    # A post only where there is one: a round opened before posts existed
    # keeps the spec (and so the spec hash its key was made for) it had.
    # Commitments likewise (a round without any keeps its spec hash).
    data["subjects"] = [{"key": s.key, "name": s.name, "unit": s.unit}
                        | ({"post": s.post} if s.post else {})
                        | ({"commitments": list(s.commitments)} if s.commitments else {})
                        for s in spec.subjects]
    if spec.trustees is not None:
        data["trustees"] = {"names": list(spec.trustees.names),
                            "threshold": spec.trustees.threshold}
    data["rules"] = copy.deepcopy(spec.rules)
    return data


def field_line(text: str, field: str) -> int | None:
    """The 1-based line of ``field`` (``rules.veto_caps[0].cap``) in spec
    TOML text, where it can be found: for errors found after parsing."""
    return _Locator(text.removeprefix("\ufeff")).line(field)


# -- error collection ----------------------------------------------------------------

class _Errors:
    """Collects errors, filling in the source and the line of each field."""

    def __init__(self, source: str, locate: Callable[[str], int | None] | None = None):
        self.source = source
        self.locate = locate or (lambda field: None)
        #: top-level keys a template supplied -> that template, as the source
        #: of their errors (their lines are not in the spec text).
        self.foreign: dict[str, str] = {}
        self.items: list[SpecError] = []

        #: errors beyond ERRORS_MAX, counted but not kept
        self.more = 0

    def __len__(self) -> int:
        return len(self.items) + self.more

    @property
    def full(self) -> bool:
        return len(self.items) >= ERRORS_MAX

    def add(self, message: str, field: str | None = None, /, **params: Any) -> None:
        """``message`` is an English template; with ``params`` it has
        %(name)s placeholders (see :class:`SpecError`)."""
        if self.full:
            self.more += 1
            return
        source = self.foreign.get(_top(field), self.source)
        self.items.append(SpecError(message, source=source, line=self.line(field), field=field,
                                    params=params))

    def line(self, field: str | None) -> int | None:
        if not field or _top(field) in self.foreign:
            return None
        return self.locate(field)

    def raise_if_any(self) -> None:
        if self.more:
            self.items.append(SpecError("… and %(count)s more errors", source=self.source,
                                        params={"count": self.more}))
            self.more = 0
        if self.items:
            raise SpecErrors(self.items)


# -- the spec ----------------------------------------------------------------------

def _build(data: Any, e: _Errors, base_dir: pathlib.Path | None, registries: _Registries, *,
           from_text: bool) -> RoundSpec:
    if not isinstance(data, Mapping):
        e.add("a spec must be a table of keys, got %(got)s", got=show(data))
        e.raise_if_any()
    allowed = TOP_LEVEL_KEYS if from_text else (*TOP_LEVEL_KEYS, RESOLVED)
    merged, template = _apply_template(e, data, registries.templates, allowed)
    if merged is None:
        # An unknown template leaves too much unknown to check the rest usefully.
        e.raise_if_any()
    d: Mapping = merged

    title = _text(e, d.get("title"), "title", max_len=TITLE_MAX)
    access = d.get("access", "codes")
    if access not in ACCESS_MODES:
        e.add(_ACCESS_MUST, "access", got=show(access))
    anonymity_min = _whole(e, d.get("anonymity_min", 5), "anonymity_min", minimum=1)
    opens_at = _moment(e, d.get("opens_at"), "opens_at")
    closes_at = _moment(e, d.get("closes_at"), "closes_at")
    if (opens_at and closes_at and (opens_at.tzinfo is None) == (closes_at.tzinfo is None)
            and closes_at <= opens_at):
        e.add("closes_at must come after opens_at (%(opens)s)", "closes_at",
              opens=opens_at.isoformat(sep=" ", timespec="minutes"))
    options = _scale(e, d.get("scale"), registries.scales)
    criteria = _criteria(e, d.get("criteria"), registries.criteria_sets)
    groups = _entries(e, d.get("groups"), "groups", _group,
                      need="at least one voter group is required", maximum=GROUPS_MAX)
    subjects = _subjects(e, d, base_dir)
    positions = len(subjects) * len(criteria) * (len(options) + 1) + sum(
        len(s.commitments) for s in subjects) * (len(COMMITMENT_OPTIONS) + 1)
    if positions > BALLOT_POSITIONS_MAX:
        e.add("a ballot would hold %(positions)s answers' positions (%(subjects)s people × "
              "%(criteria)s criteria × %(options)s grades and blank); at most %(max)s: "
              "split the round", "subjects", positions=positions, subjects=len(subjects),
              criteria=len(criteria), options=len(options) + 1, max=BALLOT_POSITIONS_MAX)
    _check_rates(e, d.get("groups"), subjects)
    trustees = _trustees(e, d.get("trustees"))
    rules = d.get("rules", {})
    if not isinstance(rules, Mapping):
        e.add("rules must be a table, got %(got)s", "rules", got=show(rules))
    else:
        if registries.rule_names is not None:
            for key in rules:
                if key not in registries.rule_names:
                    _unknown_key(e, key, sorted(registries.rule_names), f"rules.{key}")
        _check_rule_values(e, rules, options, groups, registries.rule_names)

    # Which campaign the round joins (domain/campaign.py): not a setting of
    # the round itself, so it is checked here and read by whoever stores it.
    campaign = d.get("campaign")
    if campaign is not None and not (isinstance(campaign, str) and KEY_RE.match(campaign)):
        e.add("campaign must be a campaign's slug (see `surveyapp campaigns list`), "
              "got %(got)s", "campaign", got=show(campaign))

    e.raise_if_any()
    return RoundSpec(title=title, options=options, criteria=criteria, groups=groups,
                     subjects=subjects, template=template, access=access,
                     anonymity_min=anonymity_min, rules=copy.deepcopy(dict(rules)),
                     trustees=trustees, opens_at=opens_at, closes_at=closes_at)


def _apply_template(e: _Errors, data: Mapping, templates: Mapping[str, Mapping],
                    allowed: tuple[str, ...]) -> tuple[Mapping | None, str | None]:
    """Merge the spec over its template: missing top-level keys come from the
    template, ``rules`` merge key by key (the spec wins).  Returns
    ``(merged, name)``, or ``(None, None)`` when the template is unknown."""
    for key in data:
        if key not in allowed:
            _unknown_key(e, key, TOP_LEVEL_KEYS, str(key))
    resolved = data.get(RESOLVED, False) if RESOLVED in allowed else False
    if not isinstance(resolved, bool):
        e.add("resolved must be true or false, got %(got)s", RESOLVED, got=show(resolved))
    name = data.get("template")
    if name is None:
        return data, None
    if not isinstance(name, str) or not name.strip():
        e.add("template must be a template name, got %(got)s", "template", got=show(name))
        return None, None
    if resolved is True:
        return data, name
    base = templates.get(name)
    if base is None:
        if templates:
            e.add("unknown template %(name)s; known templates: %(known)s", "template",
                  name=show(name), known=", ".join(sorted(templates)))
        else:
            e.add("unknown template %(name)s; known templates: none are installed",
                  "template", name=show(name))
        return None, None
    if not isinstance(base, Mapping):
        e.add("template %(name)s is not a table (a bug in the plugin offering it)",
              "template", name=show(name))
        return None, None

    origin = f"template {name}"
    inherited = {k: v for k, v in base.items() if k not in data and k not in ("template", RESOLVED)}
    if "subjects" in data or "subjects_file" in data:
        # Both name the subjects: the spec's choice replaces the template's.
        inherited.pop("subjects", None)
        inherited.pop("subjects_file", None)
    e.foreign.update(dict.fromkeys(inherited, origin))
    for key in inherited:
        if key not in TOP_LEVEL_KEYS:
            _unknown_key(e, key, TOP_LEVEL_KEYS, str(key))
    merged = {**inherited, **data}
    if isinstance(base.get("rules"), Mapping) and isinstance(data.get("rules"), Mapping):
        merged["rules"] = {**base["rules"], **data["rules"]}
    return merged, name


def _scale(e: _Errors, value: Any, scales: Mapping[str, Sequence]) -> tuple[Option, ...]:
    if value is None:
        e.add("scale is required: a table with options = [{ key, label, points }, ...] "
              "or the name of a scale", "scale")
        return ()
    if isinstance(value, str):
        return _registered(e, "scale", value, scales, _options)
    scale = _table(e, value, "scale", ("options",))
    return () if scale is None else _options(e, scale.get("options"))


def _options(e: _Errors, raw: Any) -> tuple[Option, ...]:
    options = _entries(e, raw, "scale.options", _option,
                       need="the scale needs at least 2 options", minimum=2,
                       maximum=OPTIONS_MAX)
    if (isinstance(raw, list | tuple) and len(raw) >= 2
            and not any(isinstance(o, Mapping) and "points" in o for o in raw)):
        e.add("at least one option must have points (an option without points "
              "is an abstention)", "scale.options")
    return options


def _criteria(e: _Errors, value: Any,
              criteria_sets: Mapping[str, Sequence]) -> tuple[Criterion, ...]:
    if value is None or (isinstance(value, list | tuple) and not value):
        return (Criterion(OVERALL, OVERALL_LABEL),)
    if isinstance(value, str):
        return _registered(e, "criteria", value, criteria_sets, _criteria_list)
    return _criteria_list(e, value)


def _criteria_list(e: _Errors, value: Any) -> tuple[Criterion, ...]:
    return _entries(e, value, "criteria", _criterion, need="at least one criterion is required",
                    maximum=CRITERIA_MAX)


def _registered(e: _Errors, field: str, name: str, registry: Mapping[str, Sequence],
                build: Callable[[_Errors, Any], tuple]) -> tuple:
    """A scale or criteria set that a plugin registered, named by ``field = "name"``.
    Errors inside it are the plugin's: their source names it, not the spec."""
    noun = "scale" if field == "scale" else "criteria set"
    if name not in registry:
        # One template per noun and case, so each reads naturally when translated.
        templates = {("scale", True): "unknown scale %(name)s; known: %(known)s",
                     ("scale", False): "unknown scale %(name)s; known: none are installed",
                     ("criteria set", True): "unknown criteria set %(name)s; known: %(known)s",
                     ("criteria set", False):
                         "unknown criteria set %(name)s; known: none are installed"}
        params = {"known": ", ".join(sorted(registry))} if registry else {}
        e.add(templates[noun, bool(registry)], field, name=show(name), **params)
        return ()
    inner = _Errors(f"{noun} {name}")
    built = build(inner, registry[name])
    e.items.extend(inner.items)
    return built


def _subjects(e: _Errors, d: Mapping, base_dir: pathlib.Path | None) -> tuple[Subject, ...]:
    inline, file = d.get("subjects"), d.get("subjects_file")
    if inline is not None and file is not None:
        e.add("give either subjects or subjects_file, not both", "subjects_file")
        return ()
    if file is None:
        return _entries(e, inline, "subjects", _subject,
                        need="at least one subject is required (subjects or subjects_file)",
                        maximum=SUBJECTS_MAX)
    if not isinstance(file, str) or not file.strip():
        e.add('subjects_file must be a file name such as "members.xlsx", got %(got)s',
              "subjects_file", got=show(file))
        return ()
    if base_dir is None:
        e.add("subjects_file can only be used in a spec read from a file; "
              "list the subjects or import them instead", "subjects_file")
        return ()
    path = pathlib.Path(base_dir) / file
    if not path.is_file():
        e.add("subjects_file %(file)s: no such file in %(folder)s", "subjects_file",
              file=show(file), folder=str(base_dir))
        return ()
    try:
        return tuple(read_subjects_table(path))
    except SpecErrors as errors:
        e.items.extend(errors.errors)
        return ()


def _trustees(e: _Errors, value: Any) -> Trustees | None:
    """``[trustees] names = [...], threshold = t``; absent: None (the secretary alone)."""
    if value is None:
        return None
    table = _table(e, value, "trustees", ("names", "threshold"))
    if table is None:
        return None
    names = table.get("names")
    if not isinstance(names, list | tuple) or not names:
        e.add("trustees.names must be a list of the trustees' names, got %(got)s",
              "trustees.names", got=show(names))
        return None
    if len(names) > TRUSTEES_MAX:
        e.add("at most %(max)s trustees, got %(count)s", "trustees.names", max=TRUSTEES_MAX,
              count=len(names))
        return None
    checked = [_text(e, name, f"trustees.names[{i}]", max_len=80)
               for i, name in enumerate(names)]
    if None in checked:
        return None
    if len(set(checked)) != len(checked):
        e.add("each trustee must be named once", "trustees.names")
        return None
    if "threshold" not in table:
        e.add("trustees.threshold is required: how many of the %(count)s trustees must come "
              "together to count the round", "trustees.threshold", count=len(checked))
        return None
    threshold = table["threshold"]
    if (isinstance(threshold, bool) or not isinstance(threshold, int)
            or not 1 <= threshold <= len(checked)):
        e.add("trustees.threshold must be a whole number from 1 to %(count)s, got %(got)s",
              "trustees.threshold", count=len(checked), got=show(threshold))
        return None
    return Trustees(tuple(checked), threshold)


# -- entries of arrays: options, criteria, groups, subjects ---------------------------------

def _option(e: _Errors, t: Mapping, f: str) -> Option:
    key = _key(e, t.get("key"), f"{f}.key")
    label = _text(e, t.get("label"), f"{f}.label", max_len=LABEL_MAX)
    points = _points(e, t["points"], f"{f}.points") if "points" in t else None
    return Option(key, label, points)


def _criterion(e: _Errors, t: Mapping, f: str) -> Criterion:
    items = ()
    if "items" in t:
        items = _entries(e, t["items"], f"{f}.items", _item,
                         need="items needs at least one sub-item", maximum=CRITERIA_MAX)
    return Criterion(_key(e, t.get("key"), f"{f}.key"),
                     _text(e, t.get("label"), f"{f}.label", max_len=LABEL_MAX),
                     _weight(e, t.get("weight", 1), f"{f}.weight"),
                     _text(e, t.get("description", ""), f"{f}.description", required=False,
                           max_len=DESCRIPTION_MAX),
                     items)


def _item(e: _Errors, t: Mapping, f: str) -> Item:
    """A criterion's sub-item (the 四强/四优 indicator tree) and its points."""
    return Item(_key(e, t.get("key"), f"{f}.key"),
                _text(e, t.get("label"), f"{f}.label", max_len=LABEL_MAX),
                _weight(e, t.get("points"), f"{f}.points"))


def _group(e: _Errors, t: Mapping, f: str) -> Group:
    expected = t.get("expected")
    if expected is not None:
        expected = _whole(e, expected, f"{f}.expected", minimum=0)
    return Group(_key(e, t.get("key"), f"{f}.key"),
                 _text(e, t.get("label"), f"{f}.label", max_len=LABEL_MAX),
                 _weight(e, t.get("weight", 1), f"{f}.weight"), expected,
                 _rates(e, t.get("rates"), f"{f}.rates"))


def _rates(e: _Errors, value: Any, field: str) -> tuple[str, ...] | None:
    """``rates = ["zhangsan", "unit:工程技术党支部"]``: whom a group rates
    (评价关系), by subject key or by unit; absent: every subject."""
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not value:
        e.add('rates must be a list of subject keys or "unit:<unit>" entries, got %(got)s',
              field, got=show(value))
        return None
    entries = []
    for i, entry in enumerate(value):
        if isinstance(entry, str) and entry.startswith(UNIT_PREFIX):
            if entry[len(UNIT_PREFIX):].strip():
                entries.append(entry)
                continue
        elif isinstance(entry, str) and KEY_RE.fullmatch(entry):
            entries.append(entry)
            continue
        e.add('rates entries must be subject keys or "unit:<unit>", got %(got)s',
              f"{field}[{i}]", got=show(entry))
    return tuple(dict.fromkeys(entries))


def _check_rates(e: _Errors, raw: Any, subjects: Sequence[Subject]) -> None:
    """Every ``rates`` entry names a subject (or a unit of one), so a
    misspelt name never silently leaves a subject unrated."""
    if not subjects or not isinstance(raw, list | tuple):
        return
    keys = [s.key for s in subjects]
    units = {s.unit for s in subjects if s.unit}
    for i, table in enumerate(raw):
        entries = table.get("rates") if isinstance(table, Mapping) else None
        for j, entry in enumerate(entries if isinstance(entries, list | tuple) else ()):
            field = f"groups[{i}].rates[{j}]"
            if not isinstance(entry, str):
                continue  # reported by _rates
            if entry.startswith(UNIT_PREFIX):
                unit = entry[len(UNIT_PREFIX):]
                if unit.strip() and unit not in units:
                    e.add("rates names the unit %(unit)s, but no subject is in it; units: "
                          "%(known)s", field, unit=show(unit),
                          known=", ".join(sorted(units)) or "none")
            elif KEY_RE.fullmatch(entry) and entry not in keys:
                close = difflib.get_close_matches(entry, keys, n=1)
                if close:
                    e.add("rates names %(key)s, which is not a subject (did you mean "
                          "%(close)s?)", field, key=show(entry), close=show(close[0]))
                else:
                    e.add("rates names %(key)s, which is not a subject", field,
                          key=show(entry))


#: A rule whose description (``rule_names``) begins with this takes a table
#: keyed by option keys (``per_ballot_max = { excellent = 1 }``): each key
#: must be an option of the scale, so a misspelt one is refused.
OPTION_KEYED = "{option = "


def _check_rule_values(e: _Errors, rules: Mapping, options: Sequence[Option],
                       groups: Sequence[Group], rule_names: Mapping[str, str] | None) -> None:
    """The rule values the spec itself can check: option keys inside
    option-keyed rules, and surveyapp's own settings."""
    keys = [o.key for o in options]
    keyed = {name for name, text in (rule_names or {}).items()
             if isinstance(text, str) and text.startswith(OPTION_KEYED)}
    for name in sorted(keyed & set(rules)):
        value = rules[name]
        if not isinstance(value, Mapping):
            e.add("rules.%(name)s must be a table such as { %(option)s = ... }, got %(got)s",
                  f"rules.{name}", name=name, option=keys[0] if keys else "excellent",
                  got=show(value))
            continue
        for option in value:
            if keys and option not in keys:
                _unknown_option(e, option, keys, f"rules.{name}.{option}")
    for problem in rule_checks.check(rules, keys, [g.key for g in groups]):
        e.add(problem.message, problem.field, **problem.params)


def _unknown_option(e: _Errors, key: Any, keys: Sequence[str], field: str) -> None:
    close = difflib.get_close_matches(str(key), keys, n=1)
    if close:
        e.add("unknown option %(key)s (did you mean %(close)s?)", field, key=show(key),
              close=show(close[0]))
    else:
        e.add("unknown option %(key)s; the scale's options: %(known)s", field,
              key=show(key), known=", ".join(keys))


def _subject(e: _Errors, t: Mapping, f: str) -> Subject:
    return Subject(_key(e, t.get("key"), f"{f}.key"),
                   _text(e, t.get("name"), f"{f}.name", max_len=NAME_MAX),
                   _text(e, t.get("unit", ""), f"{f}.unit", required=False, max_len=UNIT_MAX),
                   _text(e, t.get("post", ""), f"{f}.post", required=False, max_len=80),
                   _commitments(e, t.get("commitments", []), f"{f}.commitments"))


def _commitments(e: _Errors, value: Any, field: str) -> tuple[str, ...]:
    """``commitments = ["…", "…"]``: the subject's own commitment items (承诺事项)."""
    if not isinstance(value, list | tuple):
        e.add("commitments must be a list of texts, got %(got)s", field, got=show(value))
        return ()
    if len(value) > COMMITMENTS_MAX:
        e.add("at most %(max)s commitments, got %(count)s", field, max=COMMITMENTS_MAX,
              count=len(value))
        return ()
    items = [_text(e, item, f"{field}[{i}]", max_len=COMMITMENT_MAX)
             for i, item in enumerate(value)]
    return tuple(i for i in items if i is not None)


_ENTRY_KEYS = {
    _option: ("key", "label", "points"),
    _criterion: ("key", "label", "weight", "description", "items"),
    _group: ("key", "label", "weight", "expected", "rates"),
    _item: ("key", "label", "points"),
    _subject: ("key", "name", "unit", "post", "commitments"),
}


def _entries(e: _Errors, value: Any, field: str, build: Callable, *, need: str,
             minimum: int = 1, maximum: int) -> tuple:
    """An array of tables with unique keys, each checked and built by ``build``;
    more than ``maximum`` of them are refused before any is looked at."""
    if value is None:
        e.add(need, field)
        return ()
    if isinstance(value, list | tuple) and len(value) < minimum:
        e.add(need + ", got %(count)s", field, count=len(value))
        return ()
    if isinstance(value, list | tuple) and len(value) > maximum:
        e.add("at most %(max)s entries, got %(count)s", field, max=maximum, count=len(value))
        return ()
    if not isinstance(value, list | tuple):
        e.add("%(name)s must be an array of tables, got %(got)s", field, name=_leaf(field),
              got=show(value))
        return ()
    built, seen = [], {}
    for i, raw in enumerate(value):
        f = f"{field}[{i}]"
        before = len(e)
        table = _table(e, raw, f, _ENTRY_KEYS[build])
        if table is None:
            continue
        item = build(e, table, f)
        key = table.get("key")
        if isinstance(key, str) and key in seen:
            first = seen[key]
            if line := e.line(f"{first}.key"):
                e.add("duplicate key %(key)s, also used by %(first)s on line %(line)s",
                      f"{f}.key", key=show(key), first=first, line=line)
            else:
                e.add("duplicate key %(key)s, also used by %(first)s", f"{f}.key",
                      key=show(key), first=first)
        elif isinstance(key, str):
            seen[key] = f
        if len(e) == before:
            built.append(item)
    return tuple(built)


# -- single values -------------------------------------------------------------------

def _table(e: _Errors, value: Any, field: str, allowed: tuple[str, ...]) -> Mapping | None:
    """``value`` if it is a table with no keys beyond ``allowed`` (typos would
    otherwise be silently ignored, e.g. a ``wieght`` leaving the weight at 1)."""
    if not isinstance(value, Mapping):
        e.add("%(path)s must be a table, got %(got)s", field, path=field, got=show(value))
        return None
    for key in value:
        if key not in allowed:
            _unknown_key(e, key, allowed, f"{field}.{key}")
    return value


def _key(e: _Errors, value: Any, field: str) -> str | None:
    if value is None:
        e.add("key is required", field)
    elif not isinstance(value, str) or not KEY_RE.fullmatch(value):
        e.add(KEY_MUST, field, got=show(value))
    else:
        return value
    return None


def _text(e: _Errors, value: Any, field: str, *, required: bool = True,
          max_len: int | None = None) -> str | None:
    """Text with surrounding whitespace removed; ``required`` means non-empty."""
    name = _leaf(field)
    if value is None:
        e.add("%(name)s is required", field, name=name)
        return None
    if not isinstance(value, str):
        e.add("%(name)s must be text, got %(got)s", field, name=name, got=show(value))
        return None
    text = value.strip()
    if required and not text:
        e.add("%(name)s must not be empty", field, name=name)
        return None
    if max_len is not None and len(text) > max_len:
        e.add("%(name)s must be at most %(max)s characters, got %(length)s", field,
              name=name, max=max_len, length=len(text))
        return None
    return text


def _whole(e: _Errors, value: Any, field: str, *, minimum: int) -> int | None:
    # bool is an int subclass; `expected = true` is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        e.add("%(name)s must be a whole number of at least %(minimum)s, got %(got)s", field,
              name=_leaf(field), minimum=minimum, got=show(value))
        return None
    return value


def _moment(e: _Errors, value: Any, field: str) -> datetime.datetime | None:
    """A date and time: a TOML datetime (``2026-12-01T18:00:00+08:00``, or
    without the offset for local time) or the same as a string ("2026-12-01
    18:00").  A bare date is refused: which moment of the day would it be?"""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) > len("2026-12-01"):
        try:
            value = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, datetime.datetime):
        return value.replace(second=0, microsecond=0)
    e.add("%(field)s must be a date and time like 2026-12-01T18:00, got %(got)s",
          field, field=field, got=show(value))
    return None


def _weight(e: _Errors, value: Any, field: str) -> Fraction | None:
    number = _fraction(value)
    if number is None or number <= 0:
        e.add("%(name)s must be a positive number, got %(got)s", field, name=_leaf(field),
              got=show(value))
        return None
    return number


def _points(e: _Errors, value: Any, field: str) -> Fraction | None:
    number = _fraction(value)
    if number is None:
        e.add("points must be a number (leave it out for an abstention), got %(got)s",
              field, got=show(value))
    return number


# Text form of numbers, as spec_to_dict writes fractions ("1/3"); also "0.5".
_NUMBER_TEXT = re.compile(r"\s*[-+]?\d+(?:\.\d+)?(?:/\d+)?\s*")


def _fraction(value: Any) -> Fraction | None:
    """``value`` as an exact Fraction, or None if it is not a finite number.
    Floats go through their shortest repr, so 0.1 is 1/10, not 3602879701896397/2**55."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value)) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        try:
            return Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            return None
    return None


def _number_out(number: Fraction) -> int | str:
    return int(number) if number.denominator == 1 else str(number)


def _top(field: str | None) -> str:
    """The top-level key of a dotted path: ``groups[1].weight`` → ``groups``."""
    return re.match(r"[^.\[]*", field or "")[0]


def _leaf(field: str) -> str:
    """The last name of a dotted path: ``groups[1].weight`` → ``weight``."""
    return re.sub(r"\[\d+\]$", "", field.rsplit(".", 1)[-1])


def _unknown_key(e: _Errors, key: Any, allowed: Iterable[str], field: str) -> None:
    if e.full:  # counted only: spare the close-match search
        e.more += 1
        return
    allowed = list(allowed)
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        e.add("unknown key %(key)s (did you mean %(close)s?)", field, key=show(key),
              close=show(close[0]))
    else:
        e.add("unknown key %(key)s; allowed: %(allowed)s", field, key=show(key),
              allowed=", ".join(allowed) or "none")


def _toml_error(error: tomllib.TOMLDecodeError, text: str, source: str) -> SpecError:
    message = str(error)
    at = re.search(r"\s*\(at line (\d+), column (\d+)\)$", message)
    if at:
        return SpecError("invalid TOML: %(problem)s (column %(column)s)", source=source,
                         line=int(at[1]), params={"problem": message[:at.start()],
                                                  "column": at[2]})
    end = re.search(r"\s*\(at end of document\)$", message)
    if end:
        return SpecError("invalid TOML: %(problem)s at the end of the file", source=source,
                         line=max(1, len(text.splitlines())),
                         params={"problem": message[:end.start()]})
    return SpecError("invalid TOML: %(problem)s", source=source, params={"problem": message})


# -- nesting ------------------------------------------------------------------------------

# What can hold a bracket that is not one: strings (basic, literal, multi-line) and comments.
_BRACKETS = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                       r"|'[^'\n]*'|#[^\n]*|[\[\]{}]", re.S)


def _bracket_depth(text: str) -> tuple[int, int | None]:
    """How deeply ``[`` and ``{`` nest in TOML text, and the line where the
    deepest first opens; the scan stops once past SPEC_NESTING_MAX."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        token = match[0]
        if token in "[{":
            depth += 1
            if depth > SPEC_NESTING_MAX:
                return depth, text.count("\n", 0, match.start()) + 1
        elif token in "]}":
            depth = max(0, depth - 1)
    return depth, None


def _data_depth(data: Any) -> int:
    """How deeply tables and lists nest in plain data (iteratively: the
    data may be deeper than the stack); stops once past SPEC_NESTING_MAX."""
    deepest, stack = 0, [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > SPEC_NESTING_MAX:
            break
        stack.extend((child, depth) for child in children)
    return deepest


def _check_nesting(found: tuple[int, int | None], source: str) -> None:
    depth, line = found
    if depth > SPEC_NESTING_MAX:
        raise SpecErrors([SpecError("tables and arrays nest more than %(max)s deep",
                                    source=source, line=line,
                                    params={"max": SPEC_NESTING_MAX})])


# -- line numbers ------------------------------------------------------------------------

_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(?:#.*)?")
_PART = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")
_STRING_OR_COMMENT = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|#.*')


class _Locator:
    """Best-effort 1-based line numbers for field paths in TOML text.

    Handles what specs look like: ``[table]`` and ``[[array]]`` headers,
    ``key = value`` lines, and arrays of inline tables such as
    ``options = [{...}, {...}]``.  Anything cleverer gets the nearest line
    found, or None.
    """

    def __init__(self, text: str):
        self.lines = text.splitlines()
        self.headers = []  # (line index, dotted name, is [[array]])
        for i, line in enumerate(self.lines):
            if m := _HEADER.fullmatch(line):
                self.headers.append((i, m[2].replace(" ", ""), m[1] == "[["))

    def line(self, field: str) -> int | None:
        parts = [(m[1], None if m[2] is None else int(m[2])) for m in _PART.finditer(field)]
        found, depth = None, 0
        for k in range(len(parts), 0, -1):  # the deepest header the path names
            found = self._header(parts[:k])
            if found is not None:
                depth = k
                break
        start = 0 if found is None else found + 1
        end = next((i for i, _, _ in self.headers if i >= start), len(self.lines))
        best = found
        if depth < len(parts):
            name, index = parts[depth]
            key_line = self._key_line(name, start, end)
            if key_line is not None:
                best = key_line
                if index is not None:
                    best = self._inline_table(key_line, index) or key_line
        return None if best is None else best + 1

    def _header(self, parts: list[tuple[str, int | None]]) -> int | None:
        if any(index is not None for _, index in parts[:-1]):
            return None  # sub-tables of array elements: not worth it
        name, index = ".".join(p for p, _ in parts), parts[-1][1]
        arrays = [i for i, n, is_array in self.headers if n == name and is_array]
        if index is not None:
            return arrays[index] if index < len(arrays) else None
        tables = [i for i, n, is_array in self.headers if n == name and not is_array]
        return (tables or arrays or [None])[0]

    def _key_line(self, name: str, start: int, end: int) -> int | None:
        pattern = re.compile(rf"\s*(?:{re.escape(name)}|\"{re.escape(name)}\")\s*=")
        return next((i for i in range(start, end) if pattern.match(self.lines[i])), None)

    def _inline_table(self, key_line: int, index: int) -> int | None:
        """The line where the index-th ``{`` of the array after ``key =`` opens."""
        squares = braces = count = 0
        for i in range(key_line, len(self.lines)):
            code = _STRING_OR_COMMENT.sub('""', self.lines[i])
            if i == key_line:
                code = code.split("=", 1)[1]
            for ch in code:
                if ch == "[":
                    squares += 1
                elif ch == "]":
                    squares -= 1
                    if squares == 0:
                        return None
                elif ch == "{":
                    if braces == 0 and squares == 1:
                        if count == index:
                            return i
                        count += 1
                    braces += 1
                elif ch == "}":
                    braces -= 1
        return None
