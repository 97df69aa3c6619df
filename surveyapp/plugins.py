"""The plugin manager: the built-in plugin plus every installed one.

Plugins are found through the entry-point group ``surveyapp``.  The
environment variable ``SURVEYAPP_PLUGINS`` narrows that down: a comma list of
names to enable (``party-member-appraisal,cadre-evaluation``), or names
prefixed with ``-`` to disable.

Hooks are called one implementation at a time so that when a plugin raises,
the error names it.  The registries (scales, criteria sets, templates,
exporters) are read at start-up, so a broken plugin stops the app before it
can touch a round.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from fractions import Fraction
from functools import cache
from importlib.metadata import entry_points
from typing import Any

import click
import pluggy

from . import builtin, hookspecs

ENTRY_POINT_GROUP = "surveyapp"
BUILTIN_NAME = "surveyapp"
log = logging.getLogger(__name__)


class PluginError(RuntimeError):
    """A plugin failed; the message names it."""

    def __init__(self, plugin: str, message: str):
        super().__init__(f"plugin {plugin!r} {message}")
        self.plugin = plugin


def _selection() -> tuple[set[str] | None, set[str]]:
    raw = [p.strip() for p in os.environ.get("SURVEYAPP_PLUGINS", "").split(",") if p.strip()]
    disabled = {p[1:] for p in raw if p.startswith("-")}
    enabled = {p for p in raw if not p.startswith("-")}
    return (enabled or None), disabled


def load_plugins(extra: list[tuple[str, object]] = ()) -> pluggy.PluginManager:
    """A fresh manager with the built-in plugin, the selected installed
    ones, and ``extra`` (name, plugin) pairs (for tests and embedding)."""
    pm = pluggy.PluginManager("surveyapp")
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name=BUILTIN_NAME)
    enabled, disabled = _selection()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name in disabled or (enabled is not None and ep.name not in enabled):
            continue
        try:
            pm.register(ep.load(), name=ep.name)
        except Exception as error:
            raise PluginError(ep.name, f"({ep.value}) failed to load: "
                                       f"{type(error).__name__}: {error}") from error
    for name, plugin in extra:
        pm.register(plugin, name=name)
    try:
        pm.check_pending()  # a misspelt hook name is an error, not silence
    except pluggy.PluginValidationError as error:
        raise PluginError(pm.get_name(error.plugin) or "?", f"is invalid: {error}") from error
    return pm


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


def call_each(hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """``(plugin_name, result)`` for each implementation, in pluggy's call
    order (last registered first); any exception becomes a PluginError
    naming the plugin."""
    pm = get_plugin_manager()
    hook = getattr(pm.hook, hook_name)
    for impl in reversed(hook.get_hookimpls()):
        args = {name: kwargs[name] for name in impl.argnames}
        try:
            result = impl.function(**args)
        except PluginError:
            raise
        except Exception as error:
            raise PluginError(impl.plugin_name, f"failed in {hook_name}: "
                                                f"{type(error).__name__}: {error}") from error
        yield impl.plugin_name, result


def _merged(hook_name: str) -> dict:
    """Merge dict-returning registry hooks; later plugins win on a name."""
    found: dict = {}
    for plugin, result in reversed(list(call_each(hook_name))):
        if result is None:
            continue
        if not isinstance(result, dict):
            raise PluginError(plugin, f"{hook_name} must return a dict, got "
                                      f"{type(result).__name__}")
        found.update(result)
    return found


@cache
def registries() -> dict[str, dict]:
    """Scales, criteria sets, templates and exporters of all plugins."""
    exporters: dict = {}
    for plugin, batch in reversed(list(call_each("register_exporters"))):
        for exporter in batch or []:
            if not callable(getattr(exporter, "export", None)):
                raise PluginError(plugin, "register_exporters returned something that is "
                                          "not an Exporter")
            exporters[exporter.name] = exporter
    return {"grade_scales": _merged("grade_scales"),
            "criteria_sets": _merged("criteria_sets"),
            "round_templates": _merged("round_templates"),
            "exporters": exporters}


def round_templates() -> dict:
    return registries()["round_templates"]


def grade_scales() -> dict:
    return registries()["grade_scales"]


def criteria_sets() -> dict:
    return registries()["criteria_sets"]


def exporters() -> dict:
    return registries()["exporters"]


def spec_context() -> dict:
    """Keyword arguments for :func:`surveyapp.domain.spec.parse_spec`."""
    reg = registries()
    return {"templates": reg["round_templates"], "scales": reg["grade_scales"],
            "criteria_sets": reg["criteria_sets"]}


def validate_ballot(spec, answers) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    for _, result in call_each("validate_ballot", spec=spec, answers=answers):
        problems.extend(result or [])
    return problems


def score_subject(spec, subject: dict) -> Fraction | None:
    for _, result in call_each("score_subject", spec=spec, subject=subject):
        if result is not None:
            return result
    return None


def classify(spec, result: dict) -> None:
    """Fill in proposals and flags, in place: each subject's, and the round's
    own flags (a verdict under the key None) in ``result["flags"]``.

    A verdict that has a "proposal" key decides the proposal, even as None
    (e.g. a tie for the committee); the first such plugin wins.
    """
    by_key = {s["key"]: s for s in result["subjects"]}
    round_flags = result.setdefault("flags", [])
    decided: set[str] = set()
    for _, verdicts in call_each("classify_subjects", spec=spec, result=result):
        for key, verdict in (verdicts or {}).items():
            if key is None:
                round_flags.extend(f for f in verdict.get("flags", []) if f not in round_flags)
                continue
            subject = by_key.get(key)
            if subject is None:
                continue
            if "proposal" in verdict and key not in decided:
                subject["proposal"] = verdict["proposal"]
                decided.add(key)
            for flag in verdict.get("flags", []):
                if flag not in subject["flags"]:
                    subject["flags"].append(flag)


def emit(event: str, round_info: dict, spec) -> None:
    """Tell plugins about a committed change; a failure is logged, not raised."""
    try:
        for _ in call_each("round_event", event=event, round=round_info, spec=spec):
            pass
    except PluginError as error:
        log.error("%s (round %s stays %s)", error, round_info["slug"], round_info["status"])


def plugin_info() -> list[dict]:
    pm = get_plugin_manager()
    versions = {ep.name: ep.dist.version for ep in entry_points(group=ENTRY_POINT_GROUP)
                if ep.dist is not None}
    from . import __version__

    return [{"name": name,
             "version": versions.get(name, __version__),
             "hooks": sorted(h.name for h in pm.get_hookcallers(plugin) or [])}
            for name, plugin in pm.list_name_plugin()]


@click.group("plugins", help="Installed plugins.")
def plugins_cli():
    pass


@plugins_cli.command("list")
def plugins_list():
    """Each plugin with its version and the hooks it implements."""
    try:
        info = plugin_info()
    except PluginError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    for plugin in info:
        click.echo(f"{plugin['name']}\t{plugin['version']}\t{', '.join(plugin['hooks'])}")
