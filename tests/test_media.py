"""The media pipeline: classify refs, validate local files, sniff types, upload streamed and cached."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from sydium_cli.api.client import SydiumClient
from sydium_cli.api.errors import UsageError
from sydium_cli.api.secret import SecretKey
from sydium_cli.compose.media import (
    MediaKind,
    UploadCache,
    classify,
    resolve_media,
    sniff_content_type,
    validate_local,
)
from sydium_cli.compose.plan import MediaRef, SourceLocation
from tests.api_fake import KEY, ROOT, ContractApi, ok, start_api


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("photo.jpg", MediaKind.LOCAL),
        ("./dir/clip.mp4", MediaKind.LOCAL),
        ("https://example.com/a.png", MediaKind.PUBLIC_URL),
        ("http://cdn.example.org/a.png", MediaKind.PUBLIC_URL),
        ("https://sydium.com/m/a.png", MediaKind.HOSTED),
        ("https://media.sydium.com/m/a.png", MediaKind.HOSTED),
        ("https://sandbox.sydium.invalid/media/a.png", MediaKind.HOSTED),
        ("http://127.0.0.1:9999/media/a.png", MediaKind.HOSTED),  # the API's own host
        ("https://notsydium.com/a.png", MediaKind.PUBLIC_URL),
    ],
)
def test_classify(raw: str, kind: MediaKind) -> None:
    assert classify(raw, "http://127.0.0.1:9999") is kind


@pytest.mark.parametrize(
    ("head", "name", "ctype"),
    [
        (PNG, "x.bin", "image/png"),
        (JPEG, "x.png", "image/jpeg"),  # bytes win over a misleading extension
        (MP4, "clip", "video/mp4"),
        (b"GIF89a" + b"\x00" * 10, "a", "image/gif"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "a", "image/webp"),
        (b"\x00\x00\x00\x14ftypqt  ", "a", "video/quicktime"),
        (b"\x1a\x45\xdf\xa3\x00", "a", "video/webm"),
        (b"hello", "notes.txt", "text/plain"),
        (b"\x01\x02", "blob", "application/octet-stream"),
    ],
)
def test_sniff_content_type(tmp_path: Path, head: bytes, name: str, ctype: str) -> None:
    path = tmp_path / name
    path.write_bytes(head)
    assert sniff_content_type(path) == ctype


def test_validate_local_reports_size_and_type(tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(PNG)
    local = validate_local(str(path))
    assert (local.size, local.content_type) == (len(PNG), "image/png")


def _fifo(tmp_path: Path) -> str:
    path = tmp_path / "pipe"
    os.mkfifo(path)
    return str(path)


def _loop(tmp_path: Path) -> str:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    return str(tmp_path / "a")


def _empty(tmp_path: Path) -> str:
    (tmp_path / "empty.png").write_bytes(b"")
    return str(tmp_path / "empty.png")


def _unreadable(tmp_path: Path) -> str:
    path = tmp_path / "secret.png"
    path.write_bytes(PNG)
    path.chmod(0)
    return str(path)


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda p: str(p / "missing.png"), "no such file"),
        (lambda p: str(p), "is a directory"),
        (_fifo, "FIFO"),
        (lambda p: "/dev/zero", "device or special file"),
        (_loop, "symbolic links"),
        (_empty, "is empty"),
    ],
)
def test_validate_local_refuses_non_files_with_exit_2(tmp_path: Path, make: object, why: str) -> None:
    raw = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(UsageError) as caught:
        validate_local(raw, SourceLocation("post.yaml", 4, 9))
    assert why in caught.value.message
    assert "post.yaml:4:9" in caught.value.message
    assert caught.value.exit_code == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_validate_local_refuses_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"not readable|permission denied"):
        validate_local(_unreadable(tmp_path))


def _client(server: ContractApi) -> SydiumClient:
    return SydiumClient(server.base_url, key_provider=lambda: SecretKey(KEY))


def _mint(server: ContractApi, name: str = "a") -> None:
    put = server.accept_uploads(f"/upload/{name}")
    server.route(
        "POST",
        "/v1/media/upload-url",
        ok({"uploadUrl": put, "publicUrl": f"https://media.sydium.com/{name}.png", "key": f"k/{name}"}, 201),
    )


def test_resolve_media_uploads_imports_and_passes_hosted_urls_through(api: ContractApi, tmp_path: Path) -> None:
    photo = tmp_path / "p.png"
    photo.write_bytes(PNG)
    _mint(api)
    api.route(
        "POST", "/v1/media/from-url", ok({"publicUrl": "https://media.sydium.com/imported.jpg", "key": "k/imp"}, 201)
    )
    refs = [
        MediaRef(str(photo), SourceLocation("--media")),
        MediaRef("https://example.com/cat.jpg", SourceLocation("--media")),
        MediaRef("https://media.sydium.com/already.png", SourceLocation("--media")),
        MediaRef(str(photo), SourceLocation("--media")),  # the same ref twice is resolved once
    ]
    with _client(api) as client:
        hosted = resolve_media(refs, client, base_url=api.base_url)
    assert hosted == {
        str(photo): "https://media.sydium.com/a.png",
        "https://example.com/cat.jpg": "https://media.sydium.com/imported.jpg",
        "https://media.sydium.com/already.png": "https://media.sydium.com/already.png",
    }
    assert api.uploads == [("/upload/a", len(PNG), "image/png")]
    assert ("POST", "/v1/media/upload-url", {}, {"contentType": "image/png", "fileSize": len(PNG)}) in api.seen
    assert ("POST", "/v1/media/from-url", {}, {"url": "https://example.com/cat.jpg"}) in api.seen


def test_upload_cache_hit_means_the_server_sees_one_upload(api: ContractApi, tmp_path: Path) -> None:
    first, copy = tmp_path / "one.png", tmp_path / "copy-of-one.png"
    first.write_bytes(PNG)
    copy.write_bytes(PNG)
    _mint(api)
    with _client(api) as client:
        a = resolve_media([str(first)], client, base_url=api.base_url)
        b = resolve_media([str(copy)], client, base_url=api.base_url)  # new cache object: read from disk
    assert a[str(first)] == b[str(copy)]
    assert len(api.uploads) == 1
    assert api.paths().count(("POST", "/v1/media/upload-url")) == 1
    cache_file = UploadCache().path
    assert stat.S_IMODE(cache_file.stat().st_mode) == 0o600
    assert json.loads(cache_file.read_text())["uploads"]


def test_upload_cache_is_per_api_host(tmp_path: Path) -> None:
    cache = UploadCache(tmp_path / "u.json")
    cache.put("abc", "https://api.sydium.com", "https://media.sydium.com/x", size=1, content_type="image/png")
    assert UploadCache(tmp_path / "u.json").get("abc", "https://api.sydium.com") == "https://media.sydium.com/x"
    assert cache.get("abc", "http://127.0.0.1:8080") is None


def test_damaged_cache_only_costs_a_reupload(tmp_path: Path) -> None:
    path = tmp_path / "u.json"
    path.write_text("{not json")
    assert UploadCache(path).get("abc", "https://api.sydium.com") is None


def test_one_bad_path_stops_everything_before_any_upload(api: ContractApi, tmp_path: Path) -> None:
    good = tmp_path / "good.png"
    good.write_bytes(PNG)
    with _client(api) as client, pytest.raises(UsageError, match="no such file"):
        resolve_media([str(good), str(tmp_path / "nope.png")], client, base_url=api.base_url)
    assert api.seen == [] and api.uploads == []


UPLOAD_SCRIPT = """
import json, resource, sys
from sydium_cli.app import main
try:
    main(["media", "upload", sys.argv[1], "--json"])
except SystemExit as exc:
    code = exc.code
with open(sys.argv[2], "w") as fh:
    json.dump({"code": code, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, fh)
"""


def test_streaming_upload_of_a_200mb_file_stays_far_below_its_size_in_memory(api: ContractApi, tmp_path: Path) -> None:
    size = 200 * 1024 * 1024
    big = tmp_path / "big.mp4"
    with big.open("wb") as handle:
        handle.write(MP4)
        handle.truncate(size)  # sparse: costs no disk
    _mint(api, "big")
    report = tmp_path / "rss.json"
    proc = subprocess.run(
        [sys.executable, "-c", UPLOAD_SCRIPT, str(big), str(report)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    measured = json.loads(report.read_text())
    assert measured["code"] in (0, None), proc.stderr
    assert api.uploads == [("/upload/big", size, "video/mp4")]
    peak_mb = measured["maxrss_kb"] / 1024  # Linux reports kilobytes
    print(f"peak RSS of the uploading process: {peak_mb:.0f} MB")
    assert peak_mb < 150, f"peak RSS {peak_mb:.0f} MB for a 200 MB upload"
    assert json.loads(proc.stdout)["media"][0]["size"] == size
