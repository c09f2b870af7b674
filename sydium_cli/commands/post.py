"""`sydium post`: publish or schedule a post from flags or YAML post files."""

from typing import Annotated, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.completion_values import complete_path, complete_platform
from sydium_cli.runtime import run

HELP = (
    "Publish or schedule a post on one or more platforms.\n\n"
    "The caption comes from CAPTION, from stdin when CAPTION is '-', or from --caption-file. "
    "Targets whose caption or media differ are sent as separate operations. "
    "--at takes ISO 8601 (with or without an offset), 'in 2h', '+1d2h', 'today 18:30', "
    "'tomorrow 09:00', 'mon 09:00' or 'now'. With -f, --at/--tz override the file, --to fills posts "
    "without targets, and --type/--option/--caption-for apply to that platform in every post.\n\n"
    "Batches: -f takes files and directories (every *.yaml/*.yml inside). Everything is validated first "
    "(nothing is sent if anything is invalid), then sent 4 at a time, pausing all sends on a rate limit; "
    "after an unknown outcome, an authentication failure or a rate limit no new send starts. One summary "
    "(--json: one array). Exit code: 3 if any outcome is unknown, else the code of the first failed send "
    "in file order, else 6 if any target failed, else 0. A post sent before is refused (exit 7, nothing sent) "
    "unless --skip-sent leaves it out."
    + examples(
        'sydium post "Hello" --to x,linkedin',
        'sydium post "Launch day" --to x --to youtube --type youtube=short --media https://media.sydium.com/a.mp4',
        'sydium post "Later" --to linkedin --at "tomorrow 09:00" --tz Europe/Paris',
        "sydium post -f launch.yaml --dry-run",
        "sydium post -f posts/ --json > results.json",
        "sydium post -f calendar/ --skip-sent",
        "git log -1 --format=%s | sydium post - --to x",
    )
)

ListOpt = Optional[list[str]]


def post(
    ctx: typer.Context,
    caption: Annotated[
        Optional[str],
        typer.Argument(metavar="CAPTION", help="The caption; '-' reads it from stdin.", show_default=False),
    ] = None,
    to: Annotated[
        ListOpt,
        typer.Option(
            "--to",
            "-t",
            metavar="PLATFORM",
            help="Target platform (repeatable, or comma-separated).",
            autocompletion=complete_platform,
        ),
    ] = None,
    media: Annotated[
        ListOpt, typer.Option("--media", "-m", metavar="URL", help="Sydium-hosted media URL (repeatable, up to 35).")
    ] = None,
    caption_file: Annotated[
        Optional[str],
        typer.Option(
            "--caption-file",
            metavar="PATH",
            help="Read the caption from a file (up to 1 MiB).",
            autocompletion=complete_path,
        ),
    ] = None,
    at: Annotated[
        Optional[str], typer.Option("--at", "--schedule-at", metavar="WHEN", help="When to publish (default: now).")
    ] = None,
    tz: Annotated[
        Optional[str],
        typer.Option("--tz", metavar="ZONE", help="IANA zone for times without an offset (default: local)."),
    ] = None,
    post_type: Annotated[
        ListOpt,
        typer.Option("--type", metavar="PLATFORM=TYPE", help="PLATFORM=POSTTYPE, e.g. youtube=short (repeatable)."),
    ] = None,
    option: Annotated[
        ListOpt,
        typer.Option(
            "--option",
            metavar="PLATFORM.KEY=VALUE",
            help="PLATFORM.KEY=VALUE; VALUE is JSON when it parses (repeatable).",
        ),
    ] = None,
    caption_for: Annotated[
        ListOpt,
        typer.Option(
            "--caption-for", metavar="PLATFORM=TEXT", help="PLATFORM=TEXT: a caption for one platform (repeatable)."
        ),
    ] = None,
    file: Annotated[
        ListOpt,
        typer.Option(
            "--file",
            "-f",
            metavar="PATH",
            help="YAML post file or directory of them ('-' for stdin; repeatable).",
            autocompletion=complete_path,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate and print the request bodies; send nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send even if this post was already sent (duplicate protection).")
    ] = False,
    skip_sent: Annotated[
        bool,
        typer.Option(
            "--skip-sent",
            help="Leave out posts already published or scheduled (ledger, or the API's scheduled list) and send "
            "the rest: re-runs of a content calendar only send what is new. A post whose earlier attempt had an "
            "unknown outcome is still refused (exit 7).",
        ),
    ] = False,
    wait: Annotated[
        bool,
        typer.Option(
            "--wait",
            help="Poll until every target is published or failed (exit 0, 6, or 8 on timeout). A post scheduled "
            "later than --wait-timeout is not waited on: holding a terminal or CI job for hours helps nobody.",
        ),
    ] = False,
    wait_timeout: Annotated[
        Optional[str],
        typer.Option("--wait-timeout", metavar="DURATION", help="Give up waiting after this (default 10m)."),
    ] = None,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Re-fetch platform limits instead of using the day-old cache.")
    ] = False,
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    import sys

    from sydium_cli.compose.flags import PostFlags

    flags = PostFlags(
        caption=caption,
        caption_file=caption_file,
        to=list(to or []),
        media=list(media or []),
        at=at,
        tz=tz,
        types=list(post_type or []),
        options=list(option or []),
        captions_for=list(caption_for or []),
        files=list(file or []),
        allow_past=skip_sent,
    )

    def body(rt: object) -> int:
        from sydium_cli import publishing
        from sydium_cli.runtime import Runtime
        from sydium_cli.waiting import wait_timeout_option

        assert isinstance(rt, Runtime)
        return publishing.post(
            rt,
            flags,
            dry_run=dry_run,
            stdin=getattr(sys.stdin, "buffer", None),
            force=force,
            skip_sent=skip_sent,
            wait=wait,
            wait_timeout=wait_timeout_option(wait, wait_timeout),
            refresh=refresh,
        )

    run(ctx.obj, body, json_flag=json, quiet=quiet)


def register(app: typer.Typer) -> None:
    app.command("post", help=HELP, context_settings=CONTEXT, no_args_is_help=False)(post)
