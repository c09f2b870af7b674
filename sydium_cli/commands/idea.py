"""sydium idea: today's content idea (a read; never spends tokens)."""

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

HELP = "Show today's content idea, or say clearly that there is none in today's window." + examples(
    "sydium idea", "sydium idea --json | jq -r '.idea.topic // empty'"
)


def idea_impl(rt: Runtime) -> int:
    from sydium_cli.commands._show import emit
    from sydium_cli.views_api import idea_renderable

    idea = rt.client().idea_today()
    emit(
        rt,
        {"idea": idea.wire() if idea else None},
        lambda: idea_renderable(idea),
        lambda: [idea.topic] if idea else [],
    )
    if idea is None and not rt.out.interactive:
        rt.out.info("No idea in today's window yet.")
    return 0


def register(app: typer.Typer) -> None:
    @app.command("idea", help=HELP, context_settings=CONTEXT)
    def idea(ctx: typer.Context, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        run(ctx.obj, idea_impl, json_flag=json, quiet=quiet)
