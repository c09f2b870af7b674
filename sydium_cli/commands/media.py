"""sydium media: upload local files or import public URLs; print the Sydium-hosted URLs."""

from typing import Annotated, Any

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, QuietOpt, examples
from sydium_cli.runtime import Runtime, run

UPLOAD_HELP = (
    "Upload local files (streamed from disk, progress bar on a terminal) and print their Sydium URLs.\n\n"
    "The content type is detected from the file's bytes; uploads are cached by content hash, so the "
    "same file is never uploaded twice to the same API."
    + examples("sydium media upload photo.jpg clip.mp4", "sydium media upload photo.jpg -q")
)
IMPORT_HELP = "Import public http(s) URLs into Sydium and print the hosted URLs." + examples(
    "sydium media import https://example.com/photo.jpg"
)


def _finish(rt: Runtime, rows: list[dict[str, Any]]) -> int:
    from sydium_cli.commands._show import emit
    from sydium_cli.views_api import media_table

    emit(rt, {"media": rows}, lambda: media_table(rows), lambda: [str(r["publicUrl"]) for r in rows])
    return 0


def upload_impl(rt: Runtime, paths: list[str]) -> int:
    from sydium_cli.compose.media import UploadCache, human_size, progress_for, upload_local, validate_local

    files = [validate_local(p) for p in dict.fromkeys(paths)]  # every path checked before any upload
    client = rt.client()
    cache, progress = UploadCache(), progress_for(rt.out)
    rows: list[dict[str, Any]] = []
    for local in files:
        rt.out.info(f"{local.raw}: {local.content_type}, {human_size(local.size)}")
        url, cached = upload_local(local, client, base_url=client.base_url, cache=cache, progress=progress)
        rows.append(
            {
                "source": local.raw,
                "publicUrl": url,
                "contentType": local.content_type,
                "size": local.size,
                "sizeText": human_size(local.size),
                "cached": cached,
            }
        )
    return _finish(rt, rows)


def import_impl(rt: Runtime, urls: list[str]) -> int:
    from sydium_cli.api.errors import UsageError
    from sydium_cli.compose.media import MediaKind, classify

    client = rt.client()
    kinds = {u: classify(u, client.base_url) for u in dict.fromkeys(urls)}
    for url, kind in kinds.items():
        if kind is MediaKind.LOCAL:
            raise UsageError(f"{url!r} is not an http(s) URL.", hint="Local files go through `sydium media upload`.")
    rows: list[dict[str, Any]] = []
    for url, kind in kinds.items():
        if kind is MediaKind.HOSTED:
            rt.out.info(f"{url} is already Sydium-hosted; used as it is.")
            rows.append({"source": url, "publicUrl": url})
            continue
        rows.append({"source": url, **client.media_from_url(url).wire()})
    return _finish(rt, rows)


def register(app: typer.Typer) -> None:
    media = typer.Typer(
        help="Upload or import media for posts.", context_settings=CONTEXT, no_args_is_help=True, rich_markup_mode=None
    )

    @media.command("upload", help=UPLOAD_HELP)
    def upload(
        ctx: typer.Context,
        paths: Annotated[list[str], typer.Argument(metavar="PATH...", help="Local image or video files.")],
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        run(ctx.obj, lambda rt: upload_impl(rt, paths), json_flag=json, quiet=quiet)

    @media.command("import", help=IMPORT_HELP)
    def import_(
        ctx: typer.Context,
        urls: Annotated[list[str], typer.Argument(metavar="URL...", help="Public http(s) URLs.")],
        json: JsonOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        run(ctx.obj, lambda rt: import_impl(rt, urls), json_flag=json, quiet=quiet)

    app.add_typer(media, name="media")
