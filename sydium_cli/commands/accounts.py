"""sydium accounts: the social accounts connected to the team."""

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

HELP = "List connected accounts (platform, handle, display name)." + examples(
    "sydium accounts", "sydium accounts --json | jq -r '.accounts[].platform'"
)


def accounts_impl(rt: Runtime) -> int:
    from sydium_cli.commands._show import emit
    from sydium_cli.views_api import accounts_table

    accounts = rt.client().list_accounts()
    emit(
        rt,
        {"accounts": [a.wire() for a in accounts]},
        lambda: accounts_table(accounts),
        lambda: [a.platform for a in accounts],
    )
    return 0


def register(app: typer.Typer) -> None:
    @app.command("accounts", help=HELP, context_settings=CONTEXT)
    def accounts(ctx: typer.Context, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        run(ctx.obj, accounts_impl, json_flag=json, quiet=quiet)
