"""The root group's static command table (used for fast --help and completion) matches the modules."""

from __future__ import annotations

import importlib

import typer
from typer.main import get_group

from sydium_cli.commands import COMMAND_MODULES, COMMANDS, HIDDEN


def _registered() -> dict[str, tuple[str, bool, str]]:
    found: dict[str, tuple[str, bool, str]] = {}
    for module in COMMAND_MODULES:
        holder = typer.Typer()
        importlib.import_module(f"sydium_cli.commands.{module}").register(holder)
        for name, command in get_group(holder).commands.items():
            assert name not in found, f"{name} registered twice"
            found[name] = (module, command.hidden, command.get_short_help_str(limit=500))
    return found


def test_static_command_table_matches_what_modules_register() -> None:
    registered = _registered()
    visible = {name: (module, text) for name, (module, hidden, text) in registered.items() if not hidden}
    hidden = {name: module for name, (module, is_hidden, _t) in registered.items() if is_hidden}
    assert visible == COMMANDS
    assert hidden == HIDDEN


def test_help_lists_every_command_without_importing_them() -> None:
    import subprocess
    import sys

    code = (
        "import sys\nfrom sydium_cli.app import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('sydium_cli.commands.') and m.count('.') == 2)\n"
        "print('LOADED', loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for name in COMMANDS:
        assert f"\n  {name} " in result.stdout
    expected = ["sydium_cli.commands._common", "sydium_cli.commands._fast_params", "sydium_cli.commands.root"]
    assert f"LOADED {expected}" in result.stdout
