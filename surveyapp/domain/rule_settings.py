"""What a ``[rules]`` setting is, so a form can offer it: its kind, its
default and its help, as the plugins declare them (``rule_names``), and a
typed value read back from the text a person entered.

A plugin's ``rule_names`` maps each name to a description (a string, as
before) or to a table ``{"help", "type"?, "default"?, "choices"?}``.  A plain
description is read for its kind: one beginning ``{option = `` is a table
keyed by option, ``true``/``true or false`` a boolean, ``[`` a list.  What a
value means is never checked here: the spec parser and the plugins' own
rules do that, on the form and the spec file alike.  Plain data in and out.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .model import NUMBER_TEXT

#: The kinds of value a setting takes.
#: number: a whole or decimal number; share: a fraction (``1/3``, ``0.3``,
#: ``30%``); boolean: true or false; choice: one of ``choices``; options: a
#: table keyed by the scale's options; list and table: anything else, typed
#: as a TOML value (``["excellent", "qualified"]``, ``{ min = "1/2" }``); value:
#: a TOML value, or plain text when it is not one (a criterion's key).
KINDS = ("number", "share", "boolean", "choice", "options", "list", "table", "value")
OPTION_KEYED = "{option = "


@dataclass(frozen=True)
class RuleSetting:
    name: str
    help: str
    kind: str
    default: Any = None  # None: off unless the round (or its template) sets it
    choices: tuple[str, ...] = ()
    label: Any = None  # a short name in words (may be a lazy translation); None: the name
    hint: Any = None  # what the console says about it in words; None: the help
    choice_labels: tuple[Any, ...] = ()  # each choice in words, in the order of choices

    def choice_label(self, choice: str) -> Any:
        """A choice in words (its value when the plugin gave none)."""
        if choice in self.choices and self.choice_labels:
            return self.choice_labels[self.choices.index(choice)]
        return choice

    @property
    def description(self) -> str:
        """The description the spec parser reads (an option-keyed rule's
        begins with ``{option = ``, so a misspelt option is refused)."""
        if self.kind == "options" and not self.help.startswith(OPTION_KEYED):
            return f"{OPTION_KEYED}value}}: {self.help}"
        return self.help


def declared(name: str, value: Any) -> RuleSetting:
    """A plugin's declaration of ``name``: a description or a table.
    Raises ValueError saying what is wrong with it."""
    if isinstance(value, str):
        return RuleSetting(name, value, guess_kind(value))
    if not isinstance(value, Mapping):
        raise ValueError(f"rule_names must map {name!r} to a description or a table "
                         f"{{help, type, default, choices, label}}, got {value!r}")
    unknown = set(value) - {"help", "type", "default", "choices", "label", "hint"}
    if unknown:
        raise ValueError(f"rule_names[{name!r}] has unknown keys: {', '.join(sorted(unknown))}")
    text = value.get("help")
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"rule_names[{name!r}] needs a help text")
    kind = value.get("type", guess_kind(text))
    if kind not in KINDS:
        raise ValueError(f"rule_names[{name!r}] type must be one of {', '.join(KINDS)}, "
                         f"got {kind!r}")
    choices = value.get("choices", ())
    # A list of values, or {value: words} to show each in words.
    labels = tuple(choices.values()) if isinstance(choices, Mapping) else ()
    choices = tuple(choices) if isinstance(choices, Mapping | list | tuple) else None
    if kind == "choice" and (not choices or not all(isinstance(c, str) for c in choices)):
        raise ValueError(f"rule_names[{name!r}] of type choice needs a list of choices")
    for key in ("label", "hint"):
        if value.get(key) is not None and not str(value[key]).strip():
            raise ValueError(f"rule_names[{name!r}] {key} must be a non-empty text")
    return RuleSetting(name, text, kind, value.get("default"), choices or (),
                       value.get("label"), value.get("hint"), labels)


def guess_kind(description: str) -> str:
    text = description.lstrip()
    if text.startswith(OPTION_KEYED):
        return "options"
    if re.match(r"(true|false)\b", text):
        return "boolean"
    if text.startswith("["):
        return "list"
    if text.startswith("{"):
        return "table"
    if text.startswith("share") or re.search(r"\bshare\b", text):
        return "share"
    return "value"


def shown(setting: RuleSetting, value: Any) -> str:
    """A value as the form shows it, so that :func:`read` reads it back."""
    if value is None:
        return ""
    if setting.kind == "boolean":
        return "true" if value else "false"
    if setting.kind in ("number", "share", "choice", "value") \
            and isinstance(value, int | float | str) and not isinstance(value, bool):
        return str(value)
    return toml_value(value)


def toml_value(value: Any) -> str:
    """A rule value as an inline TOML value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        # JSON's string escapes are TOML's (\\n, \\", \\uXXXX); DEL is not allowed raw.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, Mapping):
        inner = ", ".join(f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }" if inner else "{}"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return toml_value(str(value))


def toml_key(key: Any) -> str:
    """A key bare where TOML allows it (letters, digits, ``_``, ``-``), else quoted."""
    key = str(key)
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else toml_value(key)


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")


def read(setting: RuleSetting, text: str) -> Any:
    """The typed value of ``text`` for ``setting``; None when empty (the
    round then takes the default).  Raises ValueError with a short reason."""
    text = text.strip()
    if not text:
        return None
    if setting.kind == "boolean":
        if text.lower() in ("true", "yes", "1", "on"):
            return True
        if text.lower() in ("false", "no", "0", "off"):
            return False
        raise ValueError("true or false")
    if setting.kind == "choice":
        if text not in setting.choices:
            raise ValueError("one of " + ", ".join(setting.choices))
        return text
    if setting.kind in ("number", "share"):
        return number(text)
    if setting.kind == "options" and "=" not in text and not text.startswith("{"):
        raise ValueError("a table such as { excellent = \"1/3\" }")
    if setting.kind == "value":
        return loose_value(text)
    return value_of(text)


def number(text: str) -> int | str:
    """``4`` → 4; ``1/3``, ``0.3`` → that text; ``30%`` → ``"3/10"``."""
    percent = _PERCENT.fullmatch(text)
    if not percent and not NUMBER_TEXT.fullmatch(text):
        raise ValueError("a number such as 4, 0.3, 1/3 or 30%")
    try:
        value = Fraction(percent[1]) / 100 if percent else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError("a number such as 4, 0.3, 1/3 or 30%") from None
    if value.denominator == 1 and not percent and "." not in text:
        return int(value)
    return str(value) if percent else text


def value_of(text: str) -> Any:
    """An inline TOML value (``{ excellent = 1 }``, ``["a", "b"]``, ``true``)."""
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except tomllib.TOMLDecodeError as error:
        reason = str(error).split(" (at ")[0]
        raise ValueError(f"not a TOML value ({reason})") from None


def assignment(text: str) -> tuple[str, Any]:
    """``name=value`` as typed on a command line: the value read as TOML
    (``excellent_quota=0.3``, ``per_ballot_max={ excellent = "1/3" }``), or
    as text when it is not TOML (``per_ballot_basis=ballot``); an empty
    value unsets the rule (None)."""
    name, sep, raw = text.partition("=")
    name = name.strip().removeprefix("rules.")
    if not sep or not re.fullmatch(r"[A-Za-z_][\w-]*", name):
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    raw = raw.strip()
    if not raw:
        return name, None
    try:
        return name, loose_value(raw)
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def loose_value(text: str) -> Any:
    """A TOML value, or the text itself when it is plainly a word."""
    try:
        return value_of(text)
    except ValueError:
        if re.search(r"[\[\]{}\"'=]", text):
            raise
        return text


__all__ = ["KINDS", "RuleSetting", "assignment", "declared", "guess_kind", "loose_value", "number",
           "read",
           "shown", "toml_value", "value_of"]
