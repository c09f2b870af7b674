"""`sydium sandbox serve|reset|status`: the local Sydium API simulator."""

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

FAULT_HELP = (
    "Fault switch KIND[=VALUE][@[METHOD]PATH][#COUNT], repeatable: latency=SECONDS, 429, 429=RETRY_AFTER, "
    "tokens (out of tokens), 500/502/503/504, drop (close without answering), hang[=SECONDS]. "
    "E.g. 429=2@/v1/posts#1. Also read from SYDIUM_SANDBOX_FAULT."
)

sandbox_app = typer.Typer(
    name="sandbox",
    help="Run, inspect or clear the local Sydium API simulator (no account needed)."
    + examples("sydium sandbox serve --port 8787", "sydium sandbox status", "sydium sandbox reset"),
    context_settings=CONTEXT,
    no_args_is_help=True,
    rich_markup_mode=None,
)

StateOpt = Annotated[
    Optional[Path],
    typer.Option("--state", help="Sandbox state file [default: the user data dir's sandbox.sqlite3]."),
]


def _state(rt: Runtime, state: Optional[Path]) -> Optional[Path]:
    return state or rt.settings.sandbox_state


@sandbox_app.command(
    "serve",
    help="Serve the sandbox over HTTP for curl, other tools and CI rehearsals (Ctrl-C stops it)."
    + examples(
        "sydium sandbox serve",
        "sydium sandbox serve --port 0 --state ./sandbox.sqlite3",
        "sydium sandbox serve --fault 429=2@/v1/posts#1 --fault latency=0.3",
        "SYDIUM_BASE_URL=http://127.0.0.1:8787 SYDIUM_API_KEY=sk_test_... sydium posts list",
    ),
)
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0 picks a free one).")] = 8787,
    state: StateOpt = None,
    fault: Annotated[Optional[list[str]], typer.Option("--fault", help=FAULT_HELP)] = None,
    publish_delay: Annotated[
        Optional[float],
        typer.Option("--publish-delay", min=0, help="Seconds a publish stays processing [default: 2]."),
    ] = None,
    public: Annotated[bool, typer.Option("--public", help="Allow listening on a non-loopback interface.")] = False,
) -> None:
    run(ctx.obj, lambda rt: _serve(rt, host, port, _state(rt, state), fault or [], publish_delay, public))


def _serve(
    rt: Runtime,
    host: str,
    port: int,
    state: Optional[Path],
    faults: list[str],
    publish_delay: Optional[float],
    public: bool,
) -> int:
    import os
    import signal

    from sydium_cli.api.errors import SydiumError, UsageError
    from sydium_cli.config import ENV_SANDBOX_FAULT
    from sydium_cli.sandbox import default_state_path, make_app
    from sydium_cli.sandbox.server import is_loopback_host, make_server

    if not public and not is_loopback_host(host):
        raise UsageError(
            f"Refusing to serve the sandbox on {host}: anyone on that network could reach it.",
            hint="Use --host 127.0.0.1, or add --public if you really mean it.",
        )
    spec = ",".join(faults) if faults else os.environ.get(ENV_SANDBOX_FAULT)
    app = make_app(state, publish_delay=publish_delay, faults=spec or "")
    try:
        server = make_server(host, port, app)
    except OSError as exc:
        raise SydiumError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.", hint="Try --port 0.") from None
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{server.port}"
    rt.out.text(url)
    rt.out.info(f"Sydium sandbox listening on {url} (state: {state or default_state_path()})")
    if spec:
        rt.out.info(f"Fault switches: {spec}")
    rt.out.info(f"Point the CLI at it:  SYDIUM_BASE_URL={url} SYDIUM_API_KEY=sk_test_{'x' * 24} sydium ...")
    rt.out.info("Press Ctrl-C to stop.")
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        app.store.close()
    rt.out.info("Sandbox stopped.")
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


@sandbox_app.command(
    "reset",
    help="Delete the sandbox's state: every post, operation and uploaded file."
    + examples("sydium sandbox reset", "sydium sandbox reset --state ./sandbox.sqlite3"),
)
def reset(ctx: typer.Context, state: StateOpt = None, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    run(ctx.obj, lambda rt: _reset(rt, _state(rt, state)), json_flag=json, quiet=quiet)


def _reset(rt: Runtime, state: Optional[Path]) -> int:
    from sydium_cli.output import Mode
    from sydium_cli.sandbox import default_state_path, reset_state

    path = state or default_state_path()
    removed = reset_state(path)
    if rt.out.mode is Mode.JSON:
        rt.out.json({"stateFile": str(path), "removed": [str(p) for p in removed]})
    rt.out.success(f"Sandbox state cleared ({path})." if removed else f"Sandbox state was already empty ({path}).")
    return 0


@sandbox_app.command(
    "status",
    help="Show what the sandbox holds: operations by status, media, and where its state file is."
    + examples("sydium sandbox status", "sydium sandbox status --json | jq .operations"),
)
def status(ctx: typer.Context, state: StateOpt = None, json: JsonOpt = False, quiet: QuietOpt = False) -> None:
    run(ctx.obj, lambda rt: _status(rt, _state(rt, state)), json_flag=json, quiet=quiet)


def _status(rt: Runtime, state: Optional[Path]) -> int:
    from sydium_cli.output import Mode
    from sydium_cli.sandbox import summary

    info = summary(state)
    if rt.out.mode is Mode.JSON:
        rt.out.json(info)
        return 0
    if rt.out.mode is Mode.QUIET:
        rt.out.lines([info["stateFile"]])
        return 0
    lines = [f"State file:  {info['stateFile']}" + ("" if info["exists"] else "  (empty: nothing stored yet)")]
    ops = info["operations"]
    lines.append(f"Operations:  {sum(ops.values())}")
    lines.extend(f"  {name:<20} {count}" for name, count in ops.items())
    media = info["media"]
    if media:
        lines.append(
            f"Media:       {media['uploaded']} uploaded, {media['fromUrl']} from URL, "
            f"{media['awaitingUpload']} awaiting upload"
        )
    rt.out.lines(lines)
    return 0


def register(app: typer.Typer) -> None:
    app.add_typer(sandbox_app, name="sandbox")
