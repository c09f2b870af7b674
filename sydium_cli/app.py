"""Entry point: main() and the fast path for --version (answered before typer is even imported).

The root Typer app itself lives in `sydium_cli.commands.root`, imported only when a command runs,
so `sydium --version` costs little more than starting Python.
"""

from __future__ import annotations

import sys

from sydium_cli import __version__


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"sydium {__version__}\n")
        return
    from sydium_cli.commands.root import app

    app(args=args, prog_name="sydium")
