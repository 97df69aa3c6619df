"""Reading a board file: its JSON shape (docs/board.md, "The file"), nothing about whether
what it says holds.

Anything missing or of the wrong JSON type means the file is not a board (exit status 2);
a value of the right type that is wrong (a bad point, a sum that does not add up) is a
failed check, left to the other modules.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import NotABoard

FORMAT = "surveyapp-board"
VERSION = 1
ALL = "~all"
HIDDEN = "~hidden"


@dataclass(frozen=True)
class Trustee:
    index: int
    name: str
    key: str


@dataclass(frozen=True)
class Unit:
    key: str
    groups: tuple[str, ...]


@dataclass(frozen=True)
class Decryption:
    trustee: int
    share: str
    proof: str


@dataclass(frozen=True)
class Sum:
    unit: str
    position: int
    ciphertext: str
    count: int | None
    decryptions: tuple[Decryption, ...] | None

    def name(self) -> str:
        return f"the sum of unit {self.unit!r} at position {self.position}"


@dataclass(frozen=True)
class Board:
    slug: str
    title: str
    spec: dict
    spec_hash: str
    public_key: str
    threshold: int
    trustees: tuple[Trustee, ...]
    cells: tuple[tuple[str, str], ...]
    positions: tuple[str, ...]
    units: tuple[Unit, ...]
    #: (tracker, unit, sealed as base64), in board order
    ballots: list[tuple[str, str, str]]
    sums: tuple[Sum, ...]
    results: dict
    #: subject key -> "mean" or "plugin"
    checks: dict[str, str]
    #: A commitment item's cell's positions; () when the round has no commitments.
    commitment_positions: tuple[str, ...] = ()


def load(path: Path) -> Board:
    """The board in ``path``; NotABoard, with one line saying why, if it is not one."""
    try:
        with open(path, "rb") as file:
            data = json.load(file)
    except OSError as error:
        raise NotABoard(f"cannot be read: {error.strerror}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotABoard(f"not JSON ({error})") from None
    except RecursionError:
        raise NotABoard("not JSON a board could be: nested too deeply") from None
    return parse(data)


def parse(data: Any) -> Board:
    if not isinstance(data, dict):
        raise NotABoard("not a board: the file is not a JSON object")
    if data.get("format") != FORMAT:
        raise NotABoard(f"not a board: its format is {data.get('format')!r}, not {FORMAT!r}")
    if _need(data, "version", int, "") != VERSION:
        raise NotABoard(f"a board of version {data['version']}; this verifier reads version "
                        f"{VERSION}")
    round_ = _need(data, "round", dict, "")
    layout = _need(data, "layout", dict, "")
    cells = tuple(_pair(cell, f"layout.cells[{i}]")
                  for i, cell in enumerate(_need(layout, "cells", list, "layout")))
    positions = tuple(_item(p, str, f"layout.positions[{i}]")
                      for i, p in enumerate(_need(layout, "positions", list, "layout")))
    commitment_positions = tuple(
        _item(p, str, f"layout.commitment_positions[{i}]")
        for i, p in enumerate(_need(layout, "commitment_positions", list, "layout")
                              if "commitment_positions" in layout else ()))
    return Board(
        slug=_need(round_, "slug", str, "round"),
        title=_need(round_, "title", str, "round"),
        spec=_need(data, "spec", dict, ""),
        spec_hash=_need(data, "spec_hash", str, ""),
        public_key=_need(data, "public_key", str, ""),
        threshold=_need(data, "threshold", int, ""),
        trustees=tuple(_trustee(t, f"trustees[{i}]")
                       for i, t in enumerate(_need(data, "trustees", list, ""))),
        cells=cells,
        positions=positions,
        commitment_positions=commitment_positions,
        units=tuple(_unit(u, f"units[{i}]") for i, u in enumerate(_need(data, "units", list, ""))),
        ballots=[_ballot(b, f"ballots[{i}]") for i, b in enumerate(_need(data, "ballots", list,
                                                                           ""))],
        sums=tuple(_sum(s, f"sums[{i}]") for i, s in enumerate(_need(data, "sums", list, ""))),
        results=_need(data, "results", dict, ""),
        checks=_checks(_need(data, "checks", dict, "")),
    )


def _need(obj: dict, key: str, kind: type | tuple, where: str) -> Any:
    """``obj[key]``, which must be of ``kind`` (a bool is not an int)."""
    name = f"{where}.{key}" if where else key
    if key not in obj:
        raise NotABoard(f"not a board: {name} is missing")
    return _item(obj[key], kind, name)


def _item(value: Any, kind: type | tuple, name: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        wanted = " or ".join("null" if k is type(None) else _JSON[k] for k in kinds)
        raise NotABoard(f"not a board: {name} is not {wanted}")
    return value


_JSON = {str: "a string", int: "an integer", list: "a list", dict: "an object"}


def _pair(value: Any, name: str) -> tuple[str, str]:
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(x, str)
                                                                 for x in value):
        raise NotABoard(f"not a board: {name} is not [subject, criterion]")
    return value[0], value[1]


def _trustee(value: Any, name: str) -> Trustee:
    value = _item(value, dict, name)
    return Trustee(_need(value, "index", int, name), _need(value, "name", str, name),
                   _need(value, "key", str, name))


def _unit(value: Any, name: str) -> Unit:
    value = _item(value, dict, name)
    groups = _need(value, "groups", list, name)
    return Unit(_need(value, "key", str, name),
                tuple(_item(g, str, f"{name}.groups[{i}]") for i, g in enumerate(groups)))


def _ballot(value: Any, name: str) -> tuple[str, str, str]:
    value = _item(value, dict, name)
    return (_need(value, "tracker", str, name), _need(value, "unit", str, name),
            _need(value, "sealed", str, name))


def _sum(value: Any, name: str) -> Sum:
    value = _item(value, dict, name)
    decryptions = _need(value, "decryptions", (list, type(None)), name)
    if decryptions is not None:
        decryptions = tuple(_decryption(d, f"{name}.decryptions[{i}]")
                            for i, d in enumerate(decryptions))
    return Sum(_need(value, "unit", str, name), _need(value, "position", int, name),
               _need(value, "ciphertext", str, name),
               _need(value, "count", (int, type(None)), name), decryptions)


def _decryption(value: Any, name: str) -> Decryption:
    value = _item(value, dict, name)
    return Decryption(_need(value, "trustee", int, name), _need(value, "share", str, name),
                      _need(value, "proof", str, name))


def _checks(value: dict) -> dict[str, str]:
    subjects = _need(value, "subjects", dict, "checks")
    out = {}
    for key, entry in subjects.items():
        name = f"checks.subjects.{key}"
        score = _need(_item(entry, dict, name), "score", str, name)
        if score not in ("mean", "plugin"):
            raise NotABoard(f"not a board: {name}.score is {score!r}, not \"mean\" or "
                            "\"plugin\"")
        out[key] = score
    return out


def hex_bytes(text: str, size: int) -> bytes | None:
    """``size`` bytes from lowercase hex, or None if the text is not that."""
    if len(text) != 2 * size or text != text.lower():
        return None
    try:
        data = bytes.fromhex(text)
    except ValueError:
        return None
    return data if len(data) == size else None  # fromhex skips spaces
