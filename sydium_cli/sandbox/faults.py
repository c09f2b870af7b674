"""Fault switches for rehearsals and tests: latency, 429s, 5xx, dropped connections, hangs, no tokens.

Grammar (one or more, separated by commas; from `--fault` or SYDIUM_SANDBOX_FAULT):

    KIND[=VALUE][@[METHOD]PATH][#COUNT]

KIND is `latency=SECONDS`, `429` (no Retry-After), `429=SECONDS` (with Retry-After), `tokens` (429
"out of tokens", on spending calls only unless a path is given), `500`/`502`/`503`/`504`, `drop`
(close the connection without an answer) or `hang[=SECONDS]` (answer nothing; default 600 s).
PATH is exact, or a prefix when it ends in `*`; without one a fault applies to every /v1/ path.
COUNT limits how many requests it hits (default: all of them).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

KINDS = ("latency", "429", "tokens", "500", "502", "503", "504", "drop", "hang")
SPENDING = (("POST", "/v1/posts"), ("POST", "/v1/generate"))
_SPEC = re.compile(
    r"^(?P<kind>[a-z0-9]+)(?:=(?P<value>[0-9.]+))?(?:@(?P<method>[A-Z]+)?(?P<path>/[^#]*))?(?:#(?P<count>\d+))?$"
)


class FaultSpecError(ValueError):
    """A fault switch that does not follow the grammar (message says which)."""


class DroppedConnection(Exception):
    """Raised by the app: the server (or embedded transport) must close without answering."""


class HungResponse(Exception):
    """Raised by the app in embedded mode: the answer never comes (the transport times out)."""


@dataclass
class Fault:
    kind: str
    value: float | None = None
    method: str | None = None
    path: str | None = None
    remaining: int | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method:
            return False
        if self.path is None:
            if self.kind == "tokens":
                return (method, path) in SPENDING
            return path.startswith("/v1/")
        if self.path.endswith("*"):
            return path.startswith(self.path[:-1])
        return path == self.path


def parse_faults(spec: str | None) -> list[Fault]:
    """Parse a comma-separated list of fault switches; raises FaultSpecError naming the bad one."""
    faults: list[Fault] = []
    for raw in (spec or "").split(","):
        part = raw.strip()
        if not part:
            continue
        match = _SPEC.match(part)
        if not match or match.group("kind") not in KINDS:
            raise FaultSpecError(
                f"Unknown fault switch {part!r}: expected KIND[=VALUE][@PATH][#COUNT] with KIND one of "
                f"{', '.join(KINDS)} (e.g. 429=2@/v1/posts#1)."
            )
        value = float(match.group("value")) if match.group("value") else None
        if match.group("kind") == "latency" and value is None:
            raise FaultSpecError(f"Fault {part!r} needs seconds: latency=0.5.")
        count = match.group("count")
        faults.append(
            Fault(match.group("kind"), value, match.group("method"), match.group("path"), int(count) if count else None)
        )
    return faults


class FaultSet:
    """The faults of one app instance; counts are consumed under a lock (serve is multi-threaded)."""

    def __init__(self, faults: list[Fault]) -> None:
        self._faults = faults
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._faults)

    def pick(self, method: str, path: str) -> tuple[float, Fault | None]:
        """Total latency to add, and the one failing fault (first match) for this request, if any."""
        delay = 0.0
        chosen: Fault | None = None
        with self._lock:
            for fault in self._faults:
                if fault.remaining == 0 or not fault.matches(method, path):
                    continue
                if fault.kind == "latency":
                    delay += fault.value or 0.0
                elif chosen is None:
                    chosen = fault
                else:
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
        return delay, chosen
