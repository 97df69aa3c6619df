"""A round's encrypted ballot box, as the database keeps it: the key made
at open and handed out as shares, and what sealing and counting its ballots
need (domain/ballot_box does the cryptography)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..domain.ballot_box import keys, sealing
from ..domain.ballot_box.keys import Share, Trustee
from ..domain.model import RoundSpec
from ..domain.spec import spec_to_dict
from ..models import Round

#: Who holds the key when a round names no 监票人: the secretary alone.
DEFAULT_TRUSTEE = "支部书记"


def trustee_names(round_: Round) -> list[str]:
    return json.loads(round_.trustee_names or "[]") or [DEFAULT_TRUSTEE]


def layout(round_: Round) -> sealing.Layout:
    return sealing.layout_of([s.key for s in round_.subjects], [c.key for c in round_.criteria],
                             [o.key for o in round_.options])


def make_key(round_: Round, spec: RoundSpec) -> list[Share]:
    """At open: a fresh key for the round, split among its 监票人; the
    public parts go into the round (not committed), the shares are returned
    to be handed out once and are kept nowhere."""
    names = trustee_names(round_)
    threshold = round_.threshold or 1
    key, shares = keys.split_new_key(names, threshold)
    round_.trustee_names = json.dumps(names, ensure_ascii=False)
    round_.threshold = threshold
    round_.public_key = key.public_key.hex()
    round_.trustee_keys = json.dumps([t.key.hex() for t in key.trustees])
    round_.spec_hash = sealing.spec_hash(spec_to_dict(spec))
    return shares


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


def box(round_: Round) -> Box | None:
    """The round's ballot box, or None for a round whose ballots are plain."""
    if round_.public_key is None:
        return None
    names = trustee_names(round_)
    verification = json.loads(round_.trustee_keys)
    trustees = tuple(Trustee(i, name, bytes.fromhex(key))
                     for i, (name, key) in enumerate(zip(names, verification, strict=True),
                                                     start=1))
    return Box(bytes.fromhex(round_.public_key), round_.spec_hash, round_.threshold or 1,
               trustees, layout(round_))
