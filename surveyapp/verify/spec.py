"""What the verifier reads of a round's frozen spec: its hash, its layout, and the weights,
points and threshold the published figures are computed with."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from .errors import NotABoard

BLANK = "_blank"
OVERALL = "overall"


def spec_hash(spec: dict) -> str:
    """SHA-256 of the spec as canonical JSON: sorted keys, no spaces, UTF-8 as itself."""
    text = json.dumps(spec, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Round:
    subjects: tuple[str, ...]
    criteria: tuple[tuple[str, Fraction], ...]    # key, weight
    groups: tuple[tuple[str, Fraction], ...]      # key, weight
    options: tuple[tuple[str, Fraction | None], ...]  # key, points (None: an abstention)
    anonymity_min: int

    @property
    def cells(self) -> tuple[tuple[str, str], ...]:
        """Every (subject, criterion), subjects in spec order, criteria within them."""
        return tuple((s, c) for s in self.subjects for c, _ in self.criteria)

    @property
    def positions(self) -> tuple[str, ...]:
        return (*(o for o, _ in self.options), BLANK)


def read(spec: dict) -> Round:
    """The round a spec describes; NotABoard if the spec has not the shape of one."""
    criteria = _list(spec, "criteria", required=False)
    return Round(
        subjects=tuple(_key(s, f"spec.subjects[{i}]")
                       for i, s in enumerate(_list(spec, "subjects"))),
        criteria=tuple((_key(c, f"spec.criteria[{i}]"), _number(c, "weight", f"spec.criteria[{i}]"))
                       for i, c in enumerate(criteria)) or ((OVERALL, Fraction(1)),),
        groups=tuple((_key(g, f"spec.groups[{i}]"), _number(g, "weight", f"spec.groups[{i}]"))
                     for i, g in enumerate(_list(spec, "groups"))),
        options=tuple((_key(o, f"spec.scale.options[{i}]"),
                       _number(o, "points", f"spec.scale.options[{i}]", default=None))
                      for i, o in enumerate(_list(_table(spec, "scale"), "options", "spec.scale"))),
        anonymity_min=_anonymity_min(spec),
    )


def _table(spec: dict, key: str) -> dict:
    value = spec.get(key)
    if not isinstance(value, dict):
        raise NotABoard(f"not a board: spec.{key} is not a table")
    return value


def _list(table: dict, key: str, where: str = "spec", *, required: bool = True) -> list:
    value = table.get(key, None if required else [])
    if not isinstance(value, list):
        raise NotABoard(f"not a board: {where}.{key} is not a list")
    return value


def _key(entry: Any, where: str) -> str:
    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        raise NotABoard(f"not a board: {where} has no key")
    return entry["key"]


def _number(entry: dict, key: str, where: str, *, default: Any = Fraction(1)) -> Any:
    """An int or an ``"a/b"`` string, as a Fraction; ``default`` if absent."""
    if key not in entry:
        return default
    value = entry[key]
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return Fraction(value)
        if isinstance(value, str):
            return Fraction(value)
    except (ValueError, ZeroDivisionError):
        pass
    raise NotABoard(f"not a board: {where}.{key} is not an integer or an \"a/b\" string")


def _anonymity_min(spec: dict) -> int:
    value = spec.get("anonymity_min")
    if not isinstance(value, int) or isinstance(value, bool):
        raise NotABoard("not a board: spec.anonymity_min is not an integer")
    return value
