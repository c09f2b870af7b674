"""sydium generate: draft a caption with Sydium's generator (spends tokens)."""

from typing import Annotated, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

HELP = (
    "Draft a caption about TOPIC. Tokens used go to stderr; when piped, stdout is the text alone.\n\n"
    "Each call spends tokens and is never retried once it may have reached the API."
    + examples(
        "sydium generate 'our new release' --platform linkedin --tone friendly",
        "sydium generate 'launch day' --platform x | sydium post --to x -",
        "sydium generate 'launch day' --json | jq -r .text",
    )
)
MAX_TOPIC = 2000


def generate_impl(
    rt: Runtime,
    topic: Optional[str],
    *,
    platform: Optional[str],
    tone: Optional[str],
    language: Optional[str],
    json_flag: bool,
) -> int:
    from sydium_cli.api.errors import UsageError
    from sydium_cli.api.models import GenerateRequest

    topic = (topic or "").strip()
    if not topic:
        raise UsageError("Give a topic to write about.", hint="sydium generate 'our new release'")
    if len(topic) > MAX_TOPIC:
        raise UsageError(f"The topic is {len(topic)} characters; the API takes at most {MAX_TOPIC}.")
    request = GenerateRequest(topic=topic, platform=platform, tone=tone, language=language)
    result = rt.client().generate(request)
    if result.tokens_used is not None:
        rt.out.info(f"Tokens used: {result.tokens_used}")
    if json_flag:
        rt.out.json(result.wire())
    else:
        rt.out.text(result.text)
    return 0


def register(app: typer.Typer) -> None:
    @app.command("generate", help=HELP, context_settings=CONTEXT)
    def generate(
        ctx: typer.Context,
        topic: Annotated[Optional[str], typer.Argument(metavar="TOPIC", help="What to write about.")] = None,
        topic_opt: Annotated[Optional[str], typer.Option("--topic", hidden=True)] = None,
        platform: Annotated[Optional[str], typer.Option("--platform", "-p", help="Write for this platform.")] = None,
        tone: Annotated[Optional[str], typer.Option("--tone", help="e.g. friendly, formal, playful.")] = None,
        language: Annotated[Optional[str], typer.Option("--language", help="e.g. en, fr, de.")] = None,
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        def body(rt: Runtime) -> int:
            return generate_impl(
                rt, topic or topic_opt, platform=platform, tone=tone, language=language, json_flag=json
            )

        run(ctx.obj, body, json_flag=json, quiet=quiet)
