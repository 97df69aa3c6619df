"""The plugin manager: the built-in plugin plus every installed one.

Plugins are found through the entry-point group ``surveyapp``.  The
environment variable ``SURVEYAPP_PLUGINS`` narrows that down: a comma list of
names to enable (``party-member-appraisal,cadre-evaluation``), or names
prefixed with ``-`` to disable.  A name that is not installed is an error, so
a typo never leaves a plugin silently on or off.

Hooks are called one implementation at a time so that when a plugin raises,
the error names it.  The registries (scales, criteria sets, templates,
exporters) are read and checked at start-up, so a broken plugin stops the
app before it can touch a round.
"""

from __future__ import annotations

import logging
import numbers
import re
from collections.abc import Iterator, Mapping
from fractions import Fraction
from functools import cache
from importlib.metadata import entry_points
from typing import Any

import click
import pluggy

from . import builtin, config, hookspecs
from .domain import rule_settings as rule_settings_
from .domain import rules as domain_rules
from .domain import tally as domain_tally
from .domain.model import Counts, RoundSpec, SpecError, SpecErrors
from .domain.spec import field_line, spec_from_dict
from .version import __version__

ENTRY_POINT_GROUP = "surveyapp"
BUILTIN_NAME = "surveyapp"
log = logging.getLogger(__name__)


class PluginError(click.ClickException):
    """A plugin failed; the message names it.  A ClickException, so the
    command line prints it as one line (``Error: plugin 'x' ...``) and exits
    with status 1; on the web it is a 500 and nothing is stored."""

    def __init__(self, plugin: str, message: str):
        # One line, even when pluggy's or a spec's message has several.
        super().__init__(re.sub(r"\s*\n\s*", "; ", f"plugin {plugin!r} {message}".strip()))
        self.plugin = plugin

    def __str__(self) -> str:
        return self.message


def _check_selection(enabled: set[str] | None, disabled: set[str], installed: set[str]) -> None:
    if BUILTIN_NAME in disabled:
        raise PluginError(BUILTIN_NAME, "is surveyapp's own behaviour and cannot be disabled "
                                        "(SURVEYAPP_PLUGINS)")
    known = installed | {BUILTIN_NAME}
    for name in sorted((enabled or set()) | disabled):
        if name not in known:
            listed = ", ".join(sorted(installed)) or "none"
            raise PluginError(name, f"is named in SURVEYAPP_PLUGINS but not installed; "
                                    f"installed plugins: {listed}")


def load_plugins(extra: list[tuple[str, object]] = ()) -> pluggy.PluginManager:
    """A fresh manager with the built-in plugin, the selected installed
    ones, and ``extra`` (name, plugin) pairs (for tests and embedding)."""
    pm = pluggy.PluginManager("surveyapp")
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name=BUILTIN_NAME)
    enabled, disabled = config.plugin_selection()
    # By name: a fixed order, so "a later plugin wins" does not depend on
    # how the file system lists site-packages.
    found = sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    _check_selection(enabled, disabled, {ep.name for ep in found})
    for ep in found:
        if ep.name in disabled or (enabled is not None and ep.name not in enabled):
            continue
        try:
            plugin = ep.load()
        except Exception as error:
            raise PluginError(ep.name, f"({ep.value}) failed to load: "
                                       f"{type(error).__name__}: {error}") from error
        _register(pm, ep.name, plugin)
    for name, plugin in extra:
        if pm.get_plugin(name) is not plugin:  # a test may name an installed plugin
            _register(pm, name, plugin)
    try:
        pm.check_pending()  # a misspelt hook name is an error, not silence
    except pluggy.PluginValidationError as error:
        raise PluginError(pm.get_name(error.plugin) or "?", f"is invalid: {error}") from error
    for hook_name, caller in vars(pm.hook).items():
        for impl in caller.get_hookimpls():
            if impl.hookwrapper or impl.wrapper:
                # call_each calls implementations one by one to name a failing
                # plugin; a wrapper around the others has no place in that.
                raise PluginError(impl.plugin_name, f"wraps {hook_name}; hook wrappers are "
                                                    "not supported")
    return pm


def _register(pm: pluggy.PluginManager, name: str, plugin: object) -> None:
    try:
        pm.register(plugin, name=name)
    except pluggy.PluginValidationError as error:  # e.g. an argument no hook has
        raise PluginError(name, f"is invalid: {error}") from error
    except ValueError as error:  # the same name or object twice
        raise PluginError(name, f"cannot be registered: {error}") from error


_manager: pluggy.PluginManager | None = None


def get_plugin_manager() -> pluggy.PluginManager:
    global _manager
    if _manager is None:
        _manager = load_plugins()
        registries.cache_clear()
    return _manager


def use_plugin_manager(pm: pluggy.PluginManager | None) -> None:
    """Replace the manager (tests); None reloads from the environment."""
    global _manager
    _manager = pm
    registries.cache_clear()


def _impls(hook_name: str) -> list:
    """Implementations in pluggy's call order (tryfirst ... trylast)."""
    return list(reversed(getattr(get_plugin_manager().hook, hook_name).get_hookimpls()))


def _call(impl, hook_name: str, kwargs: dict[str, Any]) -> Any:
    args = {name: kwargs[name] for name in impl.argnames}
    try:
        return impl.function(**args)
    except PluginError:
        raise
    except Exception as error:
        raise PluginError(impl.plugin_name, f"failed in {hook_name}: "
                                            f"{type(error).__name__}: {error}") from error


def call_each(hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """``(plugin_name, result)`` for each implementation, in pluggy's call
    order (last registered first); any exception becomes a PluginError
    naming the plugin."""
    for impl in _impls(hook_name):
        yield impl.plugin_name, _call(impl, hook_name, kwargs)


# -- registries -------------------------------------------------------------------------

def _merged(hook_name: str, origins: dict[str, str]) -> dict:
    """Merge dict-returning registry hooks; later plugins win on a name.
    ``origins`` records which plugin each name came from."""
    found: dict = {}
    for plugin, result in reversed(list(call_each(hook_name))):
        if result is None:
            continue
        if not isinstance(result, Mapping):
            raise PluginError(plugin, f"{hook_name} must return a dict, got "
                                      f"{type(result).__name__}")
        for name, value in result.items():
            if not isinstance(name, str) or not name:
                raise PluginError(plugin, f"{hook_name} returned a name that is not a "
                                          f"string: {name!r}")
            found[name] = value
            origins[name] = plugin
    return found


def _exporters() -> dict:
    exporters: dict = {}
    for plugin, batch in reversed(list(call_each("register_exporters"))):
        for exporter in batch or []:
            if not (isinstance(getattr(exporter, "name", None), str)
                    and callable(getattr(exporter, "export", None))):
                raise PluginError(plugin, "register_exporters returned something that is "
                                          f"not an Exporter: {exporter!r}")
            exporters[exporter.name] = exporter
    return exporters


# A throw-away round used to check each registered scale, criteria set and
# template at start-up: whatever a registration lacks, this supplies.
_PROBE = {"title": "probe", "groups": [{"key": "g", "label": "g"}],
          "subjects": [{"key": "s", "name": "s"}],
          "scale": {"options": [{"key": "a", "label": "a", "points": 1},
                                {"key": "b", "label": "b", "points": 0}]}}


def _probe_gaps(template: Any) -> dict:
    """What a template lacks to make a round, from the probe."""
    if not isinstance(template, Mapping):
        return {}  # spec_from_dict reports it
    has = set(template) | ({"subjects"} if "subjects_file" in template else set())
    return {k: v for k, v in _PROBE.items() if k not in has}


def _check_registrations(found: dict[str, dict], origins: dict[str, dict[str, str]]) -> None:
    """Each registration must make a valid round, or start-up stops naming
    the plugin that offered it."""
    context = _spec_context(found)
    checks = [("grade_scales", "scale", lambda n: {**_PROBE, "scale": n}),
              ("criteria_sets", "criteria set", lambda n: {**_PROBE, "criteria": n}),
              ("round_templates", "template",
               lambda n: {"template": n, **_probe_gaps(found["round_templates"][n])})]
    for registry, noun, probe in checks:
        for name in found[registry]:
            try:
                spec_from_dict(probe(name), source=f"{noun} {name}", **context)
            except (SpecError, SpecErrors) as error:
                raise PluginError(origins[registry][name],
                                  f"registers an invalid {noun} {name!r}: {error}") from None


@cache
def registries() -> dict[str, dict]:
    """Scales, criteria sets, templates, rule names and exporters of all
    plugins, checked: a broken registration raises PluginError naming its
    plugin."""
    origins: dict[str, dict[str, str]] = {}
    found = {name: _merged(name, origins.setdefault(name, {}))
             for name in ("grade_scales", "criteria_sets", "round_templates", "rule_names")}
    settings = {}
    for rule_name, declaration in found["rule_names"].items():
        try:
            settings[rule_name] = rule_settings_.declared(rule_name, declaration)
        except ValueError as error:
            raise PluginError(origins["rule_names"][rule_name], str(error)) from None
    # The parser reads descriptions; the console reads the settings' kinds.
    found["rule_names"] = {name: s.description for name, s in settings.items()}
    _check_registrations(found, origins)  # a template's rules, too, must be declared
    return {**found, "rule_settings": settings, "exporters": _exporters()}


def rule_names() -> dict[str, str]:
    """Every ``[rules]`` setting some plugin reads, with its description."""
    return registries()["rule_names"]


def rule_settings() -> dict[str, rule_settings_.RuleSetting]:
    """Every ``[rules]`` setting with its kind, default and help, by name
    (a plugin's ``rule_names`` table, or what its description implies)."""
    return registries()["rule_settings"]


def round_templates() -> dict:
    return registries()["round_templates"]


def grade_scales() -> dict:
    return registries()["grade_scales"]


def criteria_sets() -> dict:
    return registries()["criteria_sets"]


def exporters() -> dict:
    return registries()["exporters"]


def campaign_standards() -> dict:
    """Default campaign standards per round template (``campaign_standards`` hook)."""
    return _merged("campaign_standards", {})


def spec_context() -> dict:
    """Keyword arguments for :func:`surveyapp.domain.spec.parse_spec`."""
    return _spec_context(registries())


def _spec_context(registered: dict[str, dict]) -> dict:
    return {"templates": registered["round_templates"], "scales": registered["grade_scales"],
            "criteria_sets": registered["criteria_sets"],
            "rule_names": registered["rule_names"]}


# -- ballots, scores, classification -----------------------------------------------------

def validate_ballot(spec: RoundSpec, answers,
                    group: str | None = None) -> list[tuple[str | None, str]]:
    """Every plugin's objections to one ballot of ``group`` (a voter group's
    key; None when not known), as ``(subject_key | None, message)``."""
    problems: list[tuple[str | None, str]] = []
    for plugin, result in call_each("validate_ballot", spec=spec, answers=answers,
                                    group=group):
        for problem in result or []:
            if not (isinstance(problem, tuple | list) and len(problem) == 2
                    and (problem[0] is None or isinstance(problem[0], str))
                    and isinstance(problem[1], str)):
                raise PluginError(plugin, "validate_ballot must return (subject_key or None, "
                                          f"message) pairs, got {problem!r}")
            problems.append((problem[0], problem[1]))
    return problems


def score_subject(spec: RoundSpec, subject: dict) -> Fraction | None:
    """The first plugin's answer (firstresult); exact numbers only."""
    for plugin, result in call_each("score_subject", spec=spec, subject=subject):
        if result is None:
            continue
        if isinstance(result, bool) or not isinstance(result, numbers.Rational):
            raise PluginError(plugin, "score_subject must return an exact number (int or "
                                      f"Fraction) or None, got {type(result).__name__}")
        return Fraction(result)
    return None


def classify(spec: RoundSpec, result: dict) -> None:
    """Fill in proposals and flags, in place: each subject's, and the round's
    own flags (a verdict under the key None) in ``result["flags"]``.

    A verdict that has a "proposal" key decides the proposal, even as None
    (e.g. a tie for the committee); the first such plugin wins.
    """
    by_key = {s["key"]: s for s in result["subjects"]}
    round_flags = result.setdefault("flags", [])
    decided: set[str] = set()
    for plugin, verdicts in call_each("classify_subjects", spec=spec, result=result):
        if not isinstance(verdicts or {}, Mapping):
            raise PluginError(plugin, "classify_subjects must return a dict, got "
                                      f"{type(verdicts).__name__}")
        for key, verdict in (verdicts or {}).items():
            _check_verdict(plugin, key, verdict)
            if key is None:
                round_flags.extend(f for f in verdict.get("flags", []) if f not in round_flags)
                continue
            subject = by_key.get(key)
            if subject is None:
                raise PluginError(plugin, f"classify_subjects returned a verdict for "
                                          f"{key!r}, which is not a subject of the round")
            if "proposal" in verdict and key not in decided:
                subject["proposal"] = verdict["proposal"]
                decided.add(key)
            for flag in verdict.get("flags", []):
                if flag not in subject["flags"]:
                    subject["flags"].append(flag)


def _check_verdict(plugin: str, key: Any, verdict: Any) -> None:
    if not isinstance(verdict, Mapping) or set(verdict) - {"proposal", "flags"}:
        raise PluginError(plugin, f"classify_subjects: the verdict for {key!r} must be a dict "
                                  f'with "proposal" and/or "flags", got {verdict!r}')
    flags = verdict.get("flags", [])
    if not isinstance(flags, list | tuple) or not all(isinstance(f, str) for f in flags):
        raise PluginError(plugin, f"classify_subjects: flags for {key!r} must be a list of "
                                  f"strings, got {flags!r}")
    proposal = verdict.get("proposal")
    if proposal is not None and not isinstance(proposal, str):
        raise PluginError(plugin, f"classify_subjects: the proposal for {key!r} must be a "
                                  f"key or None, got {proposal!r}")


def proposal_labels(spec: RoundSpec) -> dict[str, str]:
    """Words for proposals (:func:`surveyapp.domain.rules.proposal_labels`)."""
    return domain_rules.proposal_labels(spec)


def tally(spec: RoundSpec, counts: Counts, hidden: dict | None = None,
          turnout_hidden=None) -> dict:
    """The exact tally with every plugin's ``score_subject`` and
    ``classify_subjects`` applied, before disclosure control (services run
    it through :func:`surveyapp.domain.disclosure.disclose`).  ``hidden``:
    the breakdowns to suppress (default: the threshold rule over every
    ballot), and ``turnout_hidden`` the groups whose turnout is not shown
    (default: by the same rule).  Plugin tests use it with hand-made
    :class:`Counts`."""
    result = domain_tally.tally(spec, counts, score=lambda subject: score_subject(spec, subject),
                                hidden=hidden, turnout_hidden=turnout_hidden)
    classify(spec, result)
    return result


def rehearse(spec: RoundSpec, *, source: str = "<spec>", text: str | None = None) -> None:
    """Apply every plugin's ballot, scoring and classification rules to
    made-up ballots (each group fully answered, ``anonymity_min`` times), so a
    rule value that cannot work (``per_ballot_max = {excellent = "x"}``) is
    refused when the round is created, not on its first ballot.  (A rule no
    plugin declares, a misspelling, is refused before this, by the parser:
    see :func:`spec_context`.)  With the spec's ``text``, the refusal names
    the rule's line too."""
    graded = next((o.key for o in spec.options if o.points is not None), spec.options[0].key)
    counts = Counts()
    try:
        for group in spec.groups:
            answers = {(s, c.key): graded for s in spec.rated(group.key) for c in spec.criteria}
            for _ in range(spec.anonymity_min):
                counts.add_ballot(group.key, answers)
            validate_ballot(spec, answers, group.key)
        tally(spec, counts)
    except (PluginError, ValueError, TypeError, KeyError) as error:
        # A rule's own message names it ("rules.veto_caps[0].cap ..."): say
        # which field, so the console can put it beside the rule.
        named = re.search(r"\brules\.[\w.\[\]-]*\w\]?", str(error))
        field = named[0] if named else None
        line = field_line(text, field) if field and text is not None else None
        raise SpecErrors([SpecError(f"the rules cannot be applied: {error}",
                                    source=source, line=line, field=field)]) from error


# -- lifecycle ------------------------------------------------------------------------------

def emit(event: str, round_info: dict, spec: RoundSpec) -> None:
    """Tell every plugin about a committed change.  A plugin that fails is
    logged with its name and the others are still told; the change stands."""
    for impl in _impls("round_event"):
        try:
            _call(impl, "round_event", {"event": event, "round": round_info, "spec": spec})
        except PluginError as error:
            log.error("%s (round %s stays %s)", error, round_info["slug"],
                      round_info["status"])


# -- listing ---------------------------------------------------------------------------------

def plugin_info() -> list[dict]:
    """Name, version and implemented hooks of each registered plugin."""
    pm = get_plugin_manager()
    versions = {ep.name: ep.dist.version for ep in entry_points(group=ENTRY_POINT_GROUP)
                if ep.dist is not None}
    versions[BUILTIN_NAME] = __version__
    return [{"name": name,
             "version": versions.get(name) or str(getattr(plugin, "__version__", "unknown")),
             "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or [])}
            for name, plugin in pm.list_name_plugin()]
