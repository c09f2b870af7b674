"""What every command shares: context settings, the --json/--quiet options, building the runtime."""

from typing import TYPE_CHECKING, Annotated

import typer

from sydium_cli.output import Output
from sydium_cli.runtime import Runtime, boundary

if TYPE_CHECKING:
    from sydium_cli.settings import GlobalOptions

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the default when stdout is not a terminal).")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only ids, one per line.")]


def examples(*lines: str) -> str:
    """An example block for a command's help (kept verbatim by typer's \\b marker)."""
    return "\n\n\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def build_runtime(options: "GlobalOptions") -> Runtime:
    out = Output()
    with boundary(out, debug=options.debug):
        from sydium_cli.settings import resolve_settings

        settings = resolve_settings(options)
        if options.api_key:
            out.warn(
                "--api-key puts the key in the process list (visible to other users) and in shell history; "
                "prefer SYDIUM_API_KEY or `sydium auth login`."
            )
    return Runtime(settings=settings, out=out)
