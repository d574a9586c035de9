"""Verification codes of signed decisions and certificates (issue 7 item 5).

A code is 12 characters of Crockford's base 32 (no I, L, O or U), random (60 bits: not guessable, so the
verification page cannot be walked), shown in groups of four: ``7K2M-Q9XD-3PRT``. Reading one back forgives case,
spaces, dashes and the letters people confuse with digits (O → 0, I and L → 1).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
_CONFUSED = str.maketrans({"O": "0", "I": "1", "L": "1"})


def new_code() -> str:
    """A fresh random code (unique columns catch the one-in-10^18 clash)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(text: str) -> str:
    """The stored form of what someone typed or scanned: upper case, no separators, confusable letters mapped;
    empty when it cannot be a code."""
    cleaned = "".join(ch for ch in (text or "").upper() if ch.isalnum()).translate(_CONFUSED)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def display_code(code: str | None) -> str:
    """``7K2MQ9XD3PRT`` → ``7K2M-Q9XD-3PRT``."""
    if not code:
        return ""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))
