"""`sydium media upload/import` against a contract-checking loopback API."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.api_fake import ContractApi, cli, ok, start_api, sydium

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100


@pytest.fixture
def api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    return start_api(httpserver, monkeypatch)


def _mint(server: ContractApi) -> None:
    put = server.accept_uploads("/upload/x")
    server.route("POST", "/v1/media/upload-url", ok({"uploadUrl": put, "publicUrl": "https://m.sydium.com/x.png",
                                                    "key": "k/x"}, 201))  # fmt: skip


def test_upload_prints_hosted_urls_and_reports_type_and_size(api: ContractApi, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    _mint(api)
    result = sydium("media", "upload", str(photo))
    assert result.code == 0, result.stderr
    (row,) = result.json()["media"]
    assert row["publicUrl"] == "https://m.sydium.com/x.png"
    assert (row["contentType"], row["size"], row["cached"]) == ("image/png", len(PNG), False)
    assert "image/png, 108 B" in result.stderr
    assert api.uploads == [("/upload/x", len(PNG), "image/png")]


def test_second_upload_of_same_bytes_is_a_cache_hit(api: ContractApi, tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    _mint(api)
    assert cli("media", "upload", str(photo)).code == 0
    again = cli("media", "upload", str(photo), "-q")
    assert again.stdout == "https://m.sydium.com/x.png\n"
    assert "Already uploaded" in again.stderr
    assert len(api.uploads) == 1


def test_upload_table_on_a_terminal(api: ContractApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    _mint(api)
    result = cli("media", "upload", str(photo), tty=True, monkeypatch=monkeypatch)
    assert result.code == 0
    assert "https://m.sydium.com/x.png" in result.stdout and "image/png" in result.stdout


@pytest.mark.parametrize("bad", ["/dev/zero", "missing.png", "."])
def test_upload_refuses_non_files_with_exit_2_before_any_request(api: ContractApi, bad: str) -> None:
    result = cli("media", "upload", bad)
    assert result.code == 2
    assert result.stderr.startswith("Error: Media") and "Hint:" in result.stderr
    assert api.seen == []


def test_import_public_urls_and_keeps_hosted_ones(api: ContractApi) -> None:
    api.route("POST", "/v1/media/from-url", ok({"publicUrl": "https://m.sydium.com/cat.jpg", "key": "k/c"}, 201))
    result = cli("media", "import", "https://example.com/cat.jpg", "https://m.sydium.com/already.png")
    assert result.code == 0
    assert result.json()["media"] == [
        {"source": "https://example.com/cat.jpg", "publicUrl": "https://m.sydium.com/cat.jpg", "key": "k/c"},
        {"source": "https://m.sydium.com/already.png", "publicUrl": "https://m.sydium.com/already.png"},
    ]
    assert len(api.seen) == 1


def test_import_refuses_non_urls(api: ContractApi) -> None:
    result = cli("media", "import", "photo.png")
    assert result.code == 2 and "media upload" in result.stderr
    assert api.seen == []
