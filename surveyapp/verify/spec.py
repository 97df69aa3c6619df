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
#: A subject's commitment items (承诺兑现) are cells "commitment:<n>" after every
#: (subject, criterion) cell, on this scale (points 1, 1/2, 0; "unknown" an abstention).
COMMITMENT_PREFIX = "commitment:"
COMMITMENT_SCALE = (("fulfilled", Fraction(1)), ("partly", Fraction(1, 2)),
                    ("not", Fraction(0)), ("unknown", None))


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
    #: How many commitment items each subject has (in spec order).
    commitments: tuple[int, ...] = ()

    @property
    def cells(self) -> tuple[tuple[str, str], ...]:
        """Every (subject, criterion), subjects in spec order, criteria within them; then
        every subject's commitment items, "commitment:1", "commitment:2", …"""
        extra = tuple((s, f"{COMMITMENT_PREFIX}{i + 1}")
                      for s, n in zip(self.subjects, self.commitments, strict=False)
                      for i in range(n))
        return tuple((s, c) for s in self.subjects for c, _ in self.criteria) + extra

    @property
    def positions(self) -> tuple[str, ...]:
        return (*(o for o, _ in self.options), BLANK)

    @property
    def commitment_positions(self) -> tuple[str, ...]:
        """A commitment cell's positions; () when the round has no commitments."""
        return (*(o for o, _ in COMMITMENT_SCALE), BLANK) if any(self.commitments) else ()

    @property
    def cell_positions(self) -> tuple[tuple[str, ...], ...]:
        return tuple(self.commitment_positions if c.startswith(COMMITMENT_PREFIX)
                     else self.positions for _s, c in self.cells)

    @property
    def offsets(self) -> tuple[int, ...]:
        """Each cell's first position among the ballot's positions."""
        out, at = [], 0
        for positions in self.cell_positions:
            out.append(at)
            at += len(positions)
        return tuple(out)

    @property
    def total_positions(self) -> int:
        return sum(len(p) for p in self.cell_positions)


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
        commitments=tuple(_commitments(s, f"spec.subjects[{i}]")
                          for i, s in enumerate(_list(spec, "subjects"))),
    )


def _commitments(entry: dict, where: str) -> int:
    value = entry.get("commitments", [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise NotABoard(f"not a board: {where}.commitments is not a list of texts")
    return len(value)


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
