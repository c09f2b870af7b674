"""Entry point: main() and the fast path for --version (answered before typer is even imported).

The root Typer app itself lives in `sydium_cli.commands.root`, imported only when a command runs,
so `sydium --version` costs little more than starting Python.

Two garbage-collector settings make every other command start and end faster (measured in
tests/benchmarks/bench_startup.py): collection is off while typer and the root app are imported (tens of
thousands of long-lived objects that a collection could never free), and when the command is done the
heap is frozen, so the interpreter's final full collection has nothing to walk (~25 ms on `post`). Objects
are still released at exit as usual; only cycle detection is skipped, on a process that is ending.
"""

from __future__ import annotations

import gc
import sys

from sydium_cli import __version__


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"sydium {__version__}\n")
        return
    gc.disable()
    try:
        from sydium_cli.commands.root import app
    finally:
        gc.enable()
    try:
        app(args=args, prog_name="sydium")
    finally:
        gc.freeze()
