"""What every command shares: context settings, the --json/--quiet options, building the runtime."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from sydium_cli.output import Output
from sydium_cli.runtime import Runtime, boundary

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the default when stdout is not a terminal).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only ids, one per line.")]


def examples(*lines: str) -> str:
    """An example block for a command's help (kept verbatim by typer's \\b marker)."""
    return "\n\n\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def build_runtime(
    *,
    base_url: Optional[str],
    profile: Optional[str],
    sandbox: bool,
    timeout: Optional[str],
    api_key: Optional[str],
    ledger: Optional[Path],
    sandbox_state: Optional[Path],
    debug: bool,
) -> Runtime:
    out = Output()
    with boundary(out, debug=debug):
        from sydium_cli.settings import resolve_settings

        settings = resolve_settings(
            base_url=base_url,
            profile=profile,
            sandbox=sandbox,
            timeout=timeout,
            api_key=api_key,
            ledger=ledger,
            sandbox_state=sandbox_state,
            debug=debug,
        )
        if api_key:
            out.warn(
                "--api-key puts the key in the process list (visible to other users) and in shell history; "
                "prefer SYDIUM_API_KEY or `sydium auth login`."
            )
    return Runtime(settings=settings, out=out)
