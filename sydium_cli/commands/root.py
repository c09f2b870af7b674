"""The root Typer app: global options (before the command) and command registration."""

import importlib
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer import _click as click
from typer._click.shell_completion import CompletionItem
from typer._click.utils import make_default_short_help
from typer.core import TyperGroup

from sydium_cli import __version__
from sydium_cli.commands import COMMAND_MODULES, COMMANDS, HIDDEN, module_for
from sydium_cli.commands._common import CONTEXT
from sydium_cli.commands._fast_params import install as _install_fast_params
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

_install_fast_params()


class LazyGroup(TyperGroup):
    """The root group: a command's module is imported only when that command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [*COMMANDS, *HIDDEN]

    def get_command(self, ctx: click.Context, cmd_name: str) -> Optional[click.Command]:
        if cmd_name not in self.commands:
            module = module_for(cmd_name)
            if module is None:
                return None
            self._load(module)
        return self.commands.get(cmd_name)

    def load_all(self) -> None:
        for module in COMMAND_MODULES:
            self._load(module)

    def _load(self, module: str) -> None:
        holder = typer.Typer(context_settings=CONTEXT, rich_markup_mode=None)
        importlib.import_module(f"sydium_cli.commands.{module}").register(holder)
        for name, command in typer.main.get_group(holder).commands.items():
            self.commands.setdefault(name, command)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max(len(name) for name in COMMANDS)
        rows = [(name, make_default_short_help(text, limit)) for name, (_m, text) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        names = [
            CompletionItem(name, help=text) for name, (_m, text) in COMMANDS.items() if name.startswith(incomplete)
        ]
        return names + click.Command.shell_complete(self, ctx, incomplete)


app = typer.Typer(
    cls=LazyGroup,
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
    from sydium_cli.settings import GlobalOptions

    ctx.obj = build_runtime(
        GlobalOptions(
            base_url=base_url,
            profile=profile,
            sandbox=sandbox,
            timeout=timeout,
            api_key=api_key,
            ledger=ledger,
            sandbox_state=sandbox_state,
            debug=debug,
        )
    )
