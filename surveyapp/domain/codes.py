"""Voter codes: generation, normalisation and hashing.

A code is 10 characters of Crockford base32 (50 random bits), printed as
``ABCDE-FGHJK``.  The alphabet has no I, L, O or U, and typing is forgiving:
case, spaces, dashes and the look-alikes I/L→1, O→0 are normalised away.
"""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10
BITS = LENGTH * 5  # 50 bits, above the 40 the design asks for
_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code() -> str:
    # One draw of 50 bits, five per character (one system call, not ten).
    bits = secrets.randbits(BITS)
    raw = "".join(ALPHABET[(bits >> (5 * i)) & 31] for i in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise(text: str) -> str | None:
    """The canonical form of a typed or scanned code, or None if it cannot be one."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -_\t").translate(_LOOKALIKES)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return f"{cleaned[:5]}-{cleaned[5:]}"


def code_hash(code: str) -> str:
    """The only form in which a code is stored."""
    return hashlib.sha256(code.encode("ascii")).hexdigest()


#: Where a slip's QR code points: the ballot blueprint's ``/c/<code>``.
SLIP_PATH = "/c/"


def slip_url(base_url: str, code: str) -> str:
    """The address a slip's QR code encodes, on the service at ``base_url``."""
    return f"{base_url.rstrip('/')}{SLIP_PATH}{code}"
