"""`sydium validate FILE_OR_DIR...`: check post files offline (no key, no network); exit 0 or 2."""

from typing import TYPE_CHECKING, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.completion_values import complete_path
from sydium_cli.runtime import Runtime, run

if TYPE_CHECKING:
    from sydium_cli.validation import FileReport

HELP = (
    "Check post files offline: schema, times, targets, local media files and, when cached, platform limits.\n\n"
    "Needs no key and no network. Directories mean every *.yaml/*.yml inside (recursively). Exits 0 when "
    "every file is valid, 2 otherwise. With GITHUB_ACTIONS=true each problem is also printed as an "
    "::error annotation on its file and line."
    + examples(
        "sydium validate posts/",
        "sydium validate launch.yaml teaser.yml",
        "sydium validate --allow-past calendar/",
        "sydium validate --json posts/ | jq '.[] | select(.valid | not)'",
    )
)


def validate(
    ctx: typer.Context,
    paths: list[str] = typer.Argument(
        ..., help="Post files or directories.", metavar="FILE_OR_DIR...", autocompletion=complete_path
    ),
    allow_past: bool = typer.Option(
        False,
        "--allow-past",
        help="A time that has passed is a warning, not an error: a content calendar keeps what it published "
        "(pair with `post --skip-sent`).",
    ),
    json: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    run(ctx.obj, lambda rt: _validate(rt, paths, allow_past), json_flag=json, quiet=quiet)


def _base_url(rt: Runtime) -> Optional[str]:
    if rt.settings.sandbox:
        from sydium_cli.runtime import SANDBOX_BASE_URL

        return SANDBOX_BASE_URL
    return rt.settings.base_url


def _validate(rt: Runtime, paths: list[str], allow_past: bool) -> int:
    from sydium_cli import ci
    from sydium_cli.api.errors import UsageError
    from sydium_cli.validation import offline_capabilities, validate_paths

    base_url = _base_url(rt)
    caps, note = offline_capabilities(base_url or "")
    if note:
        rt.out.warn(note)
    reports = validate_paths(paths, caps=caps, base_url=base_url, allow_past=allow_past)
    findings = [f for r in reports for f in r.findings]
    if ci.in_github_actions():
        for f in findings:
            level = "error" if f.severity == "error" else "warning"
            rt.out.stdout.write(ci.annotation(f.message, file=f.file, line=f.line, col=f.col, level=level) + "\n")
        rt.out.stdout.flush()
    _show(rt, reports)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        listed = "\n".join(f"  {f}" for f in errors)
        raise UsageError(
            f"{len(errors)} problem{'s' if len(errors) != 1 else ''} in "
            f"{sum(1 for r in reports if r.errors)} of {len(reports)} file(s):\n{listed}",
            hint=(len(errors) == 1 and errors[0].hint) or "Fix the problems above; nothing was sent.",
        )
    return 0


def _show(rt: Runtime, reports: "list[FileReport]") -> None:
    from sydium_cli.output import Mode

    for f in (f for r in reports for f in r.findings if f.severity != "error"):
        rt.out.warn(str(f))
    if rt.out.mode is Mode.JSON:
        rt.out.json([r.wire() for r in reports])
    elif rt.out.mode is Mode.QUIET:
        rt.out.lines([r.file for r in reports if not r.errors])
    elif not any(r.errors for r in reports):
        posts = sum(r.posts for r in reports)
        rt.out.success(f"{len(reports)} file(s), {posts} post(s): valid.")


def register(app: typer.Typer) -> None:
    app.command("validate", help=HELP, context_settings=CONTEXT)(validate)
