"""sydium health: is the API up, and which version is it. Needs no key."""

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

HELP = "Check that the API is up and show its version (no key needed)." + examples(
    "sydium health", "sydium --base-url http://127.0.0.1:8080 health --json"
)


def health_impl(rt: Runtime) -> int:
    from sydium_cli.commands._show import emit
    from sydium_cli.views_api import health_table

    client = rt.client()  # never resolves a key: /v1/health is sent without Authorization
    result = client.health()
    emit(
        rt,
        result.wire(),
        lambda: health_table(result.status, result.version, client.base_url),
        lambda: [result.status],
    )
    return 0


def register(app: typer.Typer) -> None:
    @app.command("health", help=HELP, context_settings=CONTEXT)
    def health(ctx: typer.Context, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        run(ctx.obj, health_impl, json_flag=json, quiet=quiet)
