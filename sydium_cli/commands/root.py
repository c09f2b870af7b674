"""The root Typer app: global options (before the command) and command registration."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from sydium_cli import __version__
from sydium_cli.commands._common import CONTEXT
from sydium_cli.completion_values import complete_path, complete_profile
from sydium_cli.config import (
    ENV_BASE_URL,
    ENV_DEBUG,
    ENV_LEDGER,
    ENV_PROFILE,
    ENV_SANDBOX,
    ENV_SANDBOX_STATE,
    ENV_TIMEOUT,
)

app = typer.Typer(
    name="sydium",
    help="Publish and schedule social-media posts through the Sydium API.\n\n"
    'Try it without an account:  sydium --sandbox post --to x --to linkedin "Hello"',
    context_settings=CONTEXT,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
    add_completion=True,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sydium {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    base_url: Annotated[
        Optional[str], typer.Option("--base-url", envvar=ENV_BASE_URL, help="API base URL.", show_envvar=True)
    ] = None,
    profile: Annotated[
        Optional[str],
        typer.Option(
            "--profile",
            envvar=ENV_PROFILE,
            help="Profile to use.",
            show_envvar=True,
            autocompletion=complete_profile,
        ),
    ] = None,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox", envvar=ENV_SANDBOX, help="Use the built-in local simulator (no key).", show_envvar=True
        ),
    ] = False,
    timeout: Annotated[
        Optional[str],
        typer.Option(
            "--timeout", envvar=ENV_TIMEOUT, help="Network timeout in seconds [default: 30].", show_envvar=True
        ),
    ] = None,
    api_key: Annotated[
        Optional[str],
        typer.Option("--api-key", help="API key (visible to other users; prefer SYDIUM_API_KEY or auth login)."),
    ] = None,
    ledger: Annotated[
        Optional[Path],
        typer.Option(
            "--ledger",
            envvar=ENV_LEDGER,
            help="Duplicate-protection ledger file.",
            show_envvar=True,
            autocompletion=complete_path,
        ),
    ] = None,
    sandbox_state: Annotated[
        Optional[Path],
        typer.Option("--sandbox-state", envvar=ENV_SANDBOX_STATE, help="Sandbox state file.", hidden=True),
    ] = None,
    debug: Annotated[
        bool, typer.Option("--debug", envvar=ENV_DEBUG, help="Log requests (keys redacted) and tracebacks.")
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Publish and schedule social-media posts through the Sydium API."""
    from sydium_cli.commands._common import build_runtime

    ctx.obj = build_runtime(
        base_url=base_url,
        profile=profile,
        sandbox=sandbox,
        timeout=timeout,
        api_key=api_key,
        ledger=ledger,
        sandbox_state=sandbox_state,
        debug=debug,
    )


def _register() -> None:
    import importlib

    from sydium_cli.commands import COMMAND_MODULES

    for name in COMMAND_MODULES:
        importlib.import_module(f"sydium_cli.commands.{name}").register(app)


_register()
