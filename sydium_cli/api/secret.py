"""The API key as a secret type, plus redaction of anything shaped like a key."""

from __future__ import annotations

import re

KEY_PREFIXES = ("sk_live_", "sk_test_")
_KEY_SHAPED = re.compile(r"sk_(?:live|test)_[A-Za-z0-9_\-]+")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")


class SecretKey:
    """Holds an API key; only `reveal()` (called by the request builder) gives the whole value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def mode(self) -> str:
        """LIVE or TEST from the key's prefix (UNKNOWN for a key of another shape)."""
        if self._value.startswith("sk_live_"):
            return "LIVE"
        if self._value.startswith("sk_test_"):
            return "TEST"
        return "UNKNOWN"

    @property
    def masked(self) -> str:
        return mask(self._value)

    def __repr__(self) -> str:
        return f"SecretKey({self.masked!r})"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> str:  # never pickled into a file or a crash report
        raise TypeError("SecretKey cannot be pickled")


def mask(value: str) -> str:
    """`sk_live_…abcd`: the prefix and the last four characters, never more than that."""
    prefix = next((p for p in KEY_PREFIXES if value.startswith(p)), "")
    rest = value[len(prefix) :]
    tail = rest[-4:] if len(rest) >= 12 else ""
    return f"{prefix}…{tail}" if prefix else f"…{tail}" if tail else "…"


def redact(text: str) -> str:
    """Replace every key-shaped token and bearer credential in `text` by its mask."""
    text = _KEY_SHAPED.sub(lambda m: mask(m.group(0)), text)
    return _BEARER.sub(lambda m: m.group(1) + "[REDACTED]", text)
