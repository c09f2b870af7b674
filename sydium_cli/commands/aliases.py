"""Hidden aliases: the command names of Sydium's own documented CLI, so scripts written from those docs
run unchanged (`posts:get`, `posts:list`, `posts:cancel`, `accounts:list`, `platforms:list`,
`analytics:get`, `posts:create`; `idea` and `generate --topic` are the real commands)."""

from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt
from sydium_cli.runtime import Runtime, run

IdArg = Annotated[str, typer.Argument(metavar="ID")]
FromOpt = Annotated[Optional[str], typer.Option("--from")]
ToOpt = Annotated[Optional[str], typer.Option("--to")]


def register(app: typer.Typer) -> None:
    from sydium_cli.commands import accounts, analytics, platforms, posts

    def alias(name: str, target: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return app.command(name, hidden=True, context_settings=CONTEXT, help=f"Alias of `sydium {target}`.")

    @alias("posts:create", "post")
    def posts_create(
        ctx: typer.Context,
        platforms: Annotated[Optional[str], typer.Option("--platforms", help="x,linkedin")] = None,
        caption: Annotated[Optional[str], typer.Option("--caption")] = None,
        media: Annotated[Optional[str], typer.Option("--media", help="URL,URL")] = None,
        schedule_at: Annotated[Optional[str], typer.Option("--schedule-at")] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        from sydium_cli.compose.flags import PostFlags

        flags = PostFlags(
            caption=caption,
            to=[p for p in (platforms or "").split(",") if p.strip()],
            media=[m.strip() for m in (media or "").split(",") if m.strip()],
            at=schedule_at,
        )

        def body(rt: Runtime) -> int:
            from sydium_cli import publishing

            return publishing.post(rt, flags, dry_run=dry_run, stdin=None)

        run(ctx.obj, body, json_flag=json, quiet=quiet)

    @alias("posts:get", "posts show")
    def posts_get(ctx: typer.Context, op_id: IdArg, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        body = lambda rt: posts.show_impl(rt, op_id, wait=False, wait_timeout=None, exit_status=False)  # noqa: E731
        run(ctx.obj, body, json_flag=json, quiet=quiet)

    @alias("posts:list", "posts list")
    def posts_list(
        ctx: typer.Context, from_: FromOpt = None, to: ToOpt = None, json: JsonOpt = False, quiet: QuietOpt = False
    ) -> None:
        run(ctx.obj, lambda rt: posts.list_impl(rt, from_, to), json_flag=json, quiet=quiet)

    @alias("posts:cancel", "posts cancel")
    def posts_cancel(ctx: typer.Context, op_id: IdArg, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        run(ctx.obj, lambda rt: posts.cancel_impl(rt, op_id), json_flag=json, quiet=quiet)

    @alias("accounts:list", "accounts")
    def accounts_list(ctx: typer.Context, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        run(ctx.obj, accounts.accounts_impl, json_flag=json, quiet=quiet)

    @alias("platforms:list", "platforms")
    def platforms_list(ctx: typer.Context, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
        run(ctx.obj, lambda rt: platforms.platforms_impl(rt, False), json_flag=json, quiet=quiet)

    @alias("analytics:get", "analytics")
    def analytics_get(
        ctx: typer.Context, from_: FromOpt = None, to: ToOpt = None, json: JsonOpt = False, quiet: QuietOpt = False
    ) -> None:
        run(ctx.obj, lambda rt: analytics.analytics_impl(rt, from_, to, []), json_flag=json, quiet=quiet)
