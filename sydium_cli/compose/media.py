"""Local media -> Sydium-hosted URLs: classify each ref, validate files, upload (cached by content hash).

The API takes only Sydium-hosted media URLs. A local path is uploaded through a presigned URL (the
bytes streamed from disk), a public http(s) URL is imported with /v1/media/from-url, and a URL that is
already Sydium-hosted is used as it is. Uploads are remembered by sha256 + API host, so re-running the
same command does not upload the same bytes again.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from sydium_cli.api.errors import UsageError
from sydium_cli.compose.plan import MediaRef
from sydium_cli.config import cache_dir
from sydium_cli.fsutil import atomic_write_text

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.output import Output

HASH_CHUNK = 1024 * 1024
CACHE_FILE = "uploads.json"


class MediaKind(str, Enum):
    LOCAL = "local"
    PUBLIC_URL = "public_url"
    HOSTED = "hosted"


def is_sydium_hosted(url: str, base_url: str | None = None) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if not host:
        return False
    api_host = (urlsplit(base_url).hostname or "").lower() if base_url else ""
    return (
        host == "sydium.com"
        or host.endswith(".sydium.com")
        or host.endswith(".sydium.invalid")
        or host == "sydium.invalid"
        or (bool(api_host) and host == api_host)
    )


def classify(raw: str, base_url: str | None = None) -> MediaKind:
    scheme = urlsplit(raw).scheme.lower()
    if scheme in ("http", "https"):
        return MediaKind.HOSTED if is_sydium_hosted(raw, base_url) else MediaKind.PUBLIC_URL
    return MediaKind.LOCAL


# ---- local files ------------------------------------------------------------------------------

# (offset, magic, content type) for the common image and video formats platforms take.
_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"BM", "image/bmp"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"\x1a\x45\xdf\xa3", "video/webm"),
    (0, b"%PDF-", "application/pdf"),
)
_FTYP_BRANDS = {
    b"qt  ": "video/quicktime",
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
    b"M4V ": "video/x-m4v",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}


def sniff_content_type(path: Path) -> str:
    """The content type from magic bytes, else from the extension, else application/octet-stream."""
    with path.open("rb") as handle:
        head = handle.read(32)
    for offset, magic, ctype in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return ctype
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[4:8] == b"ftyp":
        return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class LocalFile:
    raw: str
    path: Path
    size: int
    content_type: str


def _refuse(raw: str, why: str, where: object | None, hint: str | None = None) -> UsageError:
    origin = f" ({where})" if where else ""
    return UsageError(
        f"Media {raw!r}{origin}: {why}.",
        hint=hint or "Give a path to a regular image or video file, or an http(s) URL.",
    )


def validate_local(raw: str, where: object | None = None) -> LocalFile:
    """Check a local media path: exists, a readable regular file (no dirs, FIFOs, devices, loops)."""
    path = Path(os.path.expanduser(raw))
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _refuse(raw, "no such file", where) from None
    except PermissionError:
        raise _refuse(raw, "permission denied", where) from None
    except OSError as exc:  # ELOOP (symlink loop), ENAMETOOLONG, ENOTDIR ...
        raise _refuse(raw, exc.strerror or "cannot be read", where) from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(raw, "is a directory", where)
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else "a device or special file"
        raise _refuse(raw, f"is {kind}, not a regular file", where)
    if not os.access(path, os.R_OK):
        raise _refuse(raw, "is not readable (permission denied)", where)
    if info.st_size == 0:
        raise _refuse(raw, "is empty", where)
    try:
        content_type = sniff_content_type(path)
    except OSError as exc:
        raise _refuse(raw, exc.strerror or "cannot be read", where) from None
    return LocalFile(raw=raw, path=path, size=info.st_size, content_type=content_type)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# ---- the upload cache -------------------------------------------------------------------------


class UploadCache:
    """sha256 + API host -> the hosted URL, in a small JSON file written atomically."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or cache_dir() / CACHE_FILE
        self._entries: dict[str, dict[str, Any]] = self._load()

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # a missing or damaged cache only costs a re-upload
        entries = data.get("uploads") if isinstance(data, dict) else None
        return {k: v for k, v in (entries or {}).items() if isinstance(v, dict) and "publicUrl" in v}

    @staticmethod
    def key(digest: str, base_url: str) -> str:
        return f"{(urlsplit(base_url).netloc or base_url).lower()}:{digest}"

    def get(self, digest: str, base_url: str) -> str | None:
        entry = self._entries.get(self.key(digest, base_url))
        url = entry.get("publicUrl") if entry else None
        return url if isinstance(url, str) else None

    def put(self, digest: str, base_url: str, public_url: str, *, size: int, content_type: str) -> None:
        self._entries[self.key(digest, base_url)] = {
            "publicUrl": public_url,
            "size": size,
            "contentType": content_type,
            "uploadedAt": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        atomic_write_text(self.path, json.dumps({"uploads": self._entries}, indent=2, sort_keys=True) + "\n")


# ---- progress ---------------------------------------------------------------------------------


class UploadProgress(Protocol):
    def start(self, name: str, total: int) -> Callable[[int], None]: ...

    def done(self, name: str, url: str, *, cached: bool) -> None: ...


@dataclass
class QuietProgress:
    """No bar: one line per file on stderr (or nothing when `out` is None)."""

    out: Output | None = None

    def start(self, name: str, total: int) -> Callable[[int], None]:
        return lambda _n: None

    def done(self, name: str, url: str, *, cached: bool) -> None:
        if self.out is not None:
            self.out.info(f"{'Already uploaded' if cached else 'Uploaded'}: {name} -> {url}")


class RichProgress:
    """A progress bar per file on stderr (used only when stderr is a terminal)."""

    def __init__(self, out: Output) -> None:
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

        self.out = out
        self._bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=out.err_console(),
            transient=True,
        )

    def start(self, name: str, total: int) -> Callable[[int], None]:
        if not self._bar.live.is_started:
            self._bar.start()
        task = self._bar.add_task(name, total=total)
        return lambda n: self._bar.advance(task, n)

    def done(self, name: str, url: str, *, cached: bool) -> None:
        self._bar.stop()
        self.out.info(f"{'Already uploaded' if cached else 'Uploaded'}: {name} -> {url}")


def progress_for(out: Output) -> UploadProgress:
    return RichProgress(out) if out.stderr_is_tty else QuietProgress(out)


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


# ---- resolving --------------------------------------------------------------------------------


def validate_refs(refs: Iterable[MediaRef | str], base_url: str | None = None) -> dict[str, LocalFile]:
    """Validate every local file up front, so one bad path stops the run before any upload."""
    found: dict[str, LocalFile] = {}
    for ref in refs:
        raw, where = (ref.raw, ref.where) if isinstance(ref, MediaRef) else (ref, None)
        if raw not in found and classify(raw, base_url) is MediaKind.LOCAL:
            found[raw] = validate_local(raw, where)
    return found


def placeholder(raw: str, base_url: str | None = None) -> str:
    """What a --dry-run request body shows for media that would be uploaded or imported first."""
    kind = classify(raw, base_url)
    if kind is MediaKind.HOSTED:
        return raw
    return f"<upload {raw}>" if kind is MediaKind.LOCAL else f"<import {raw}>"


def upload_local(
    local: LocalFile,
    client: SydiumClient,
    *,
    base_url: str,
    cache: UploadCache,
    progress: UploadProgress | None = None,
) -> tuple[str, bool]:
    """(hosted URL, whether it came from the cache) for one validated local file."""
    progress = progress or QuietProgress()
    digest = sha256_file(local.path)
    cached = cache.get(digest, base_url)
    if cached:
        progress.done(local.raw, cached, cached=True)
        return cached, True
    minted = client.create_upload_url(local.content_type, local.size)
    if not minted.upload_url:
        from sydium_cli.api.errors import ResponseError

        raise ResponseError("The API gave no uploadUrl for the media upload.")
    advance = progress.start(local.raw, local.size)
    client.upload_file(
        minted.upload_url, local.path, content_type=local.content_type, size=local.size, progress=advance
    )
    cache.put(digest, base_url, minted.public_url, size=local.size, content_type=local.content_type)
    progress.done(local.raw, minted.public_url, cached=False)
    return minted.public_url, False


def resolve_media(
    refs: Iterable[MediaRef | str],
    client: SydiumClient,
    *,
    base_url: str,
    progress: UploadProgress | None = None,
    cache: UploadCache | None = None,
) -> dict[str, str]:
    """Map each ref's raw text to a Sydium-hosted URL (uploading or importing as needed)."""
    refs = list(refs)
    locals_ = validate_refs(refs, base_url)
    cache = cache or UploadCache()
    hosted: dict[str, str] = {}
    for ref in refs:
        raw = ref.raw if isinstance(ref, MediaRef) else ref
        if raw in hosted:
            continue
        kind = classify(raw, base_url)
        if kind is MediaKind.HOSTED:
            hosted[raw] = raw
        elif kind is MediaKind.PUBLIC_URL:
            hosted[raw] = client.media_from_url(raw).public_url
        else:
            hosted[raw], _ = upload_local(locals_[raw], client, base_url=base_url, cache=cache, progress=progress)
    return hosted
