"""Media bytes: the presigned upload target (PUT, streamed to disk) and the public media URL (GET)."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from sydium_cli.sandbox.app import CHUNK, ApiError, StartResponse, _content_length, send_raw

if TYPE_CHECKING:
    from sydium_cli.sandbox.app import Request, SandboxApp


def _key(req: Request, prefix: str) -> str:
    key = req.path[len(prefix) :]
    if not key or "/" in key or key.startswith("."):
        raise ApiError(404, "not_found", "No such media.")
    return key


def store_upload(app: SandboxApp, req: Request, start_response: StartResponse) -> Iterable[bytes]:
    """Accept the bytes for an upload URL: streamed to a temp file, size checked against fileSize."""
    key = _key(req, "/_sandbox/upload/")
    record = app.store.get_media(key)
    if record is None or record["source_url"] is not None:
        raise ApiError(404, "not_found", f"No upload URL was minted for {key!r}.")
    if "CONTENT_LENGTH" not in req.environ or req.environ.get("CONTENT_LENGTH") in (None, ""):
        raise ApiError(411, "bad_request", "Send the bytes with a Content-Length header.")
    expected = int(record["file_size"])
    length = _content_length(req.environ)
    if length > expected:
        raise ApiError(413, "payload_too_large", f"The upload is {length} bytes; the upload URL allows {expected}.")
    app.media_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    final = app.media_dir / key
    partial = final.with_name(final.name + ".part")
    received = 0
    stream = req.environ["wsgi.input"]
    with partial.open("wb") as handle:
        while received < length:
            chunk = stream.read(min(CHUNK, length - received))
            if not chunk:
                break
            handle.write(chunk)
            received += len(chunk)
    if received != expected:
        partial.unlink(missing_ok=True)
        raise ApiError(400, "bad_request", f"Received {received} bytes; the upload URL expects exactly {expected}.")
    os.replace(partial, final)
    app.store.mark_uploaded(key)
    return send_raw(start_response, 200, b"", [])


def serve_media(app: SandboxApp, req: Request, start_response: StartResponse) -> Iterable[bytes]:
    """Serve uploaded bytes; a from-url record redirects to where it came from (never fetched)."""
    key = _key(req, "/media/")
    record = app.store.get_media(key)
    if record is None:
        raise ApiError(404, "not_found", f"No media {key!r}.")
    if record["source_url"]:
        return send_raw(start_response, 302, b"", [("Location", record["source_url"])])
    path = app.media_dir / key
    if not record["uploaded"] or not path.is_file():
        raise ApiError(404, "not_found", f"Media {key!r} has not been uploaded yet.")
    ctype = record["content_type"] or mimetypes.guess_type(key)[0] or "application/octet-stream"
    size = path.stat().st_size
    start_response("200 OK", [("Content-Type", ctype), ("Content-Length", str(size))])
    return [] if req.method == "HEAD" else _chunks(path)


def _chunks(path: os.PathLike[str]) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk
