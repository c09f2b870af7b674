"""sydium platforms: capability limits per platform (also refreshes the offline-check cache)."""

from typing import Annotated, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

HELP = (
    "Show platform limits: caption/title/description lengths, media count and types, post types.\n\n"
    "The list is cached for a day (it is what `post` checks against offline); --refresh fetches it again."
    + examples("sydium platforms", "sydium platforms x", "sydium platforms --refresh --json")
)


def _suggest(rt: Runtime, name: str) -> Optional[str]:
    from sydium_cli.compose.capabilities import load_capabilities
    from sydium_cli.compose.checks import suggest_platform

    try:
        caps = load_capabilities(rt.client, base_url=rt.client().base_url)
    except Exception:  # a suggestion is a nicety; the 404 is what matters
        return None
    return suggest_platform(name, caps.names)


def platform_impl(rt: Runtime, name: str) -> int:
    from sydium_cli.api.errors import NotFoundError
    from sydium_cli.commands._show import emit
    from sydium_cli.views_api import platform_detail

    try:
        cap = rt.client().get_platform(name)
    except NotFoundError as exc:
        suggestion = _suggest(rt, name)
        exc.hint = (f"Did you mean {suggestion!r}? " if suggestion else "") + "`sydium platforms` lists them all."
        raise
    emit(rt, cap.wire(), lambda: platform_detail(cap), lambda: [cap.platform])
    return 0


def platforms_impl(rt: Runtime, refresh: bool) -> int:
    from sydium_cli.commands._show import emit
    from sydium_cli.compose.capabilities import load_capabilities
    from sydium_cli.views_api import platforms_table

    caps = load_capabilities(rt.client, base_url=rt.client().base_url, refresh=refresh)
    for warning in caps.warnings:
        rt.out.warn(warning)
    items = [caps.platforms[n] for n in caps.names]
    emit(rt, {"platforms": [p.wire() for p in items]}, lambda: platforms_table(items), lambda: caps.names)
    if caps.source == "cache" and rt.out.interactive:
        rt.out.info(f"(cached {caps.fetched_at:%Y-%m-%d %H:%M} UTC; --refresh fetches it again)")
    return 0


def register(app: typer.Typer) -> None:
    @app.command("platforms", help=HELP, context_settings=CONTEXT)
    def platforms(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(metavar="[NAME]", help="One platform, e.g. x.")] = None,
        refresh: Annotated[bool, typer.Option("--refresh", help="Fetch the list again (ignore the cache).")] = False,
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        body = (lambda rt: platform_impl(rt, name)) if name else (lambda rt: platforms_impl(rt, refresh))
        run(ctx.obj, body, json_flag=json, quiet=quiet)
