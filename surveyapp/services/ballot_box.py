"""A round's encrypted ballot box, as the database keeps it: the key made
at open and handed out as shares, and what sealing and counting its ballots
need (domain/ballot_box does the cryptography)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from ..domain.ballot_box import keys, sealing
from ..domain.ballot_box.keys import Share, Trustee
from ..domain.model import RoundSpec, Trustees
from ..domain.spec import spec_to_dict
from ..models import Round

#: Who holds the key when a round names no 监票人: the secretary alone.
DEFAULT_TRUSTEE = "支部书记"


def trustee_names(round_: Round) -> list[str]:
    return json.loads(round_.trustee_names or "[]") or [DEFAULT_TRUSTEE]


def layout(round_: Round) -> sealing.Layout:
    return sealing.layout_of([s.key for s in round_.subjects], [c.key for c in round_.criteria],
                             [o.key for o in round_.options],
                             {s.key: len(s.commitments) for s in round_.subjects})


def frozen_spec(spec: RoundSpec, names: list[str], threshold: int) -> dict:
    """The spec as the key binds it and the board shows it: with the 监票人 who hold the key,
    default ones included (a spec naming none gets 支部书记 at open), without the deadlines
    (round settings that may move while it is open, and nothing the count depends on)."""
    return spec_to_dict(replace(spec, trustees=Trustees(tuple(names), threshold),
                                opens_at=None, closes_at=None))


def board_spec(round_: Round, spec: RoundSpec) -> dict | None:
    """The spec whose hash the round's key binds, or None when none fits.  Rounds opened before
    the hash covered default 监票人 bound the spec without them."""
    for data in (frozen_spec(spec, trustee_names(round_), round_.threshold or 1),
                 spec_to_dict(replace(spec, trustees=None, opens_at=None, closes_at=None))):
        if sealing.spec_hash(data) == round_.spec_hash:
            return data
    return None


@dataclass(frozen=True)
class KeyRecord:
    """A new key's public parts: what the round keeps once it opens.  It
    travels between the two steps of opening in the console (signed, so
    nobody swaps in a key of their own), then ``install`` writes it."""

    names: tuple[str, ...]
    threshold: int
    public_key: str
    trustee_keys: tuple[str, ...]
    spec_hash: str

    def to_dict(self) -> dict:
        return {"names": list(self.names), "threshold": self.threshold,
                "public_key": self.public_key, "trustee_keys": list(self.trustee_keys),
                "spec_hash": self.spec_hash}

    @classmethod
    def from_dict(cls, data: dict) -> KeyRecord:
        return cls(tuple(data["names"]), int(data["threshold"]), data["public_key"],
                   tuple(data["trustee_keys"]), data["spec_hash"])


def new_key(round_: Round, spec: RoundSpec) -> tuple[KeyRecord, list[Share]]:
    """A fresh key for the round, split among its 监票人: its public record
    and the shares, to be handed out once and kept nowhere.  The round is
    not touched."""
    names = trustee_names(round_)
    threshold = round_.threshold or 1
    key, shares = keys.split_new_key(names, threshold)
    record = KeyRecord(tuple(names), threshold, key.public_key.hex(),
                       tuple(t.key.hex() for t in key.trustees),
                       sealing.spec_hash(frozen_spec(spec, names, threshold)))
    return record, shares


def fits(record: KeyRecord, round_: Round, spec: RoundSpec) -> bool:
    """Whether a key made earlier still belongs to the round as it is now
    (same settings, same 监票人), so slips already handed out will count."""
    return (list(record.names) == trustee_names(round_)
            and record.threshold == (round_.threshold or 1)
            and record.spec_hash == sealing.spec_hash(
                frozen_spec(spec, list(record.names), record.threshold)))


def install(round_: Round, record: KeyRecord) -> None:
    """Give the round its key's public parts (not committed)."""
    round_.trustee_names = json.dumps(list(record.names), ensure_ascii=False)
    round_.threshold = record.threshold
    round_.public_key = record.public_key
    round_.trustee_keys = json.dumps(list(record.trustee_keys))
    round_.spec_hash = record.spec_hash


@dataclass(frozen=True)
class Box:
    """A sealed round's public parameters."""

    public_key: bytes
    spec_hash: str
    threshold: int
    trustees: tuple[Trustee, ...]
    layout: sealing.Layout

    @property
    def context(self) -> bytes:
        return sealing.context(self.spec_hash, self.public_key)

    @property
    def tag(self) -> str:
        return keys.key_tag(self.public_key)

    def lock(self) -> sealing.RoundLock:
        """What sealing ballots needs (builds the key's table: ~30 ms)."""
        return sealing.RoundLock.make(self.context, self.layout, self.public_key)


def box(round_: Round, record: KeyRecord | None = None) -> Box | None:
    """The round's ballot box (or the one ``record``, a key not yet
    installed, would make), or None for a round whose ballots are plain."""
    if record is None:
        if round_.public_key is None:
            return None
        record = KeyRecord(tuple(trustee_names(round_)), round_.threshold or 1,
                           round_.public_key, tuple(json.loads(round_.trustee_keys)),
                           round_.spec_hash)
    trustees = tuple(Trustee(i, name, bytes.fromhex(key))
                     for i, (name, key) in enumerate(zip(record.names, record.trustee_keys,
                                                         strict=True), start=1))
    return Box(bytes.fromhex(record.public_key), record.spec_hash, record.threshold,
               trustees, layout(round_))
