"""A round's spec written back as a TOML file that ``load_spec`` reads to
the same round: what ``surveyapp rounds spec SLUG`` prints, to be edited and
given to ``surveyapp rounds update SLUG SPEC.toml``.  Plain data in, text out."""

from __future__ import annotations

from typing import Any

from .model import RoundSpec
from .rule_settings import toml_key, toml_value
from .spec import RESOLVED, spec_to_dict


def spec_to_toml(spec: RoundSpec) -> str:
    """The spec as TOML.  A template's name is kept as a comment: its
    defaults are already in the spec, and naming it would merge them in
    again (a rule the round unset would come back)."""
    data = spec_to_dict(spec)
    data.pop(RESOLVED, None)
    lines = []
    template = data.pop("template", None)
    if template is not None:
        lines.append(f"# template = {toml_value(template)}  (its settings are below)")
    tables = {}
    for key, value in data.items():
        if isinstance(value, dict) or (isinstance(value, list) and value
                                       and all(isinstance(v, dict) for v in value)):
            tables[key] = value
        else:
            lines.append(f"{toml_key(key)} = {toml_value(value)}")
    for key, value in tables.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]"] + [f"{toml_key(k)} = {_long(v)}" for k, v in value.items()]
        else:
            for entry in value:
                lines += ["", f"[[{key}]]"] + [f"{toml_key(k)} = {toml_value(v)}"
                                               for k, v in entry.items()]
    return "\n".join(lines) + "\n"


def _long(value: Any) -> str:
    """A list of tables one to a line (the scale's options), else inline."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return "[\n" + "".join(f"  {toml_value(v)},\n" for v in value) + "]"
    return toml_value(value)


