"""Where bytes go: data on stdout (table on a terminal, JSON when piped or --json, ids with --quiet),
people's messages on stderr. Server and user strings are never interpreted as markup."""

from __future__ import annotations

import json
import os
import re
import sys
from enum import Enum
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console, RenderableType

# C0/C1 control characters and escape sequences other than tab/newline: a hostile caption or error
# from the server must not be able to move the cursor, retitle the terminal or hide text.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def neutralize(text: str) -> str:
    """Make server- or user-supplied text safe to print on a terminal (escape sequences removed)."""
    return _CONTROL.sub(lambda m: "\ufffd" if m.group(0).startswith("\x1b") else "", text)


class Mode(str, Enum):
    TABLE = "table"
    JSON = "json"
    QUIET = "quiet"


def _color_disabled() -> bool:
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM") == "dumb"


class Output:
    """One per invocation. Decides table vs JSON from `isatty()`, never from rich's colour detection."""

    def __init__(
        self,
        *,
        json_flag: bool = False,
        quiet: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        if quiet:
            self.mode = Mode.QUIET
        elif json_flag or not _isatty(self.stdout):
            self.mode = Mode.JSON
        else:
            self.mode = Mode.TABLE
        self._out: Console | None = None
        self._err: Console | None = None

    @property
    def interactive(self) -> bool:
        """True when stdout is a terminal showing tables (banners, colours and live views allowed)."""
        return self.mode is Mode.TABLE

    @property
    def stderr_is_tty(self) -> bool:
        return _isatty(self.stderr)

    # ---- consoles (rich imported only when something is rendered) ---------------------------

    def console(self) -> Console:
        if self._out is None:
            self._out = _make_console(self.stdout)
        return self._out

    def err_console(self) -> Console:
        if self._err is None:
            self._err = _make_console(self.stderr)
        return self._err

    # ---- data (stdout) ------------------------------------------------------------------------

    def json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        self.stdout.flush()

    def render(self, renderable: RenderableType) -> None:
        self.console().print(renderable)

    def lines(self, values: list[str]) -> None:
        for value in values:
            self.stdout.write(neutralize(value) + "\n")
        self.stdout.flush()

    def text(self, value: str) -> None:
        self.stdout.write(neutralize(value) + ("" if value.endswith("\n") else "\n"))
        self.stdout.flush()

    # ---- people (stderr) ----------------------------------------------------------------------

    def info(self, message: str) -> None:
        self._say(message, "")

    def success(self, message: str) -> None:
        self._say(message, "green")

    def warn(self, message: str) -> None:
        self._say(f"Warning: {message}", "yellow")

    def error(self, message: str, hint: str | None = None) -> None:
        self._say(f"Error: {message}", "bold red")
        if hint:
            self._say(f"Hint: {hint}", "cyan")

    def show_err(self, renderable: RenderableType) -> None:
        self.err_console().print(renderable)

    def _say(self, message: str, style: str) -> None:
        message = neutralize(message)
        if self._err is None and (not style or not self.stderr_is_tty or _color_disabled()):
            self.stderr.write(message + "\n")  # plain path: no rich import for a one-line message
            self.stderr.flush()
            return
        from rich.text import Text

        self.err_console().print(Text(message, style=style), soft_wrap=True)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _make_console(stream: TextIO) -> Console:
    from rich.console import Console

    return Console(
        file=stream,
        markup=False,
        emoji=False,
        highlight=False,
        no_color=_color_disabled() or None,
        soft_wrap=False,
    )
