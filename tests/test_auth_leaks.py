"""A sentinel key pushed through every error path never appears in any output byte."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.test_auth_cli import failure

MARK = "SENTINELq7Zx"
SENTINEL = "sk_test_" + MARK + "9" * 16 + "w0rd"
BAD_SHAPES = [
    "pk_test_" + MARK + "9" * 16,  # wrong prefix
    "sk_test_" + MARK + " 9999",  # space inside
    "sk_tset_" + MARK + "9" * 16,  # typo
    MARK + "9" * 16,  # no prefix at all
]


@pytest.fixture(autouse=True)
def shared_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYDIUM_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))


def run(*args: str, input: str = "", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "sydium_cli", *args],
        input=input.encode(),
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def assert_clean(result: subprocess.CompletedProcess[bytes], code: int | None = None) -> None:
    everything = result.stdout + result.stderr
    assert MARK.encode() not in everything, everything.decode(errors="replace")
    assert b"Traceback" not in result.stderr or "--debug" in result.args  # tracebacks only with --debug
    if code is not None:
        assert result.returncode == code, result.stderr.decode(errors="replace")


def respond(server: HTTPServer, status: int, body: object, headers: dict[str, str] | None = None) -> None:
    def handler(request: Request) -> Response:
        return Response(json.dumps(body), status=status, content_type="application/json", headers=headers)

    server.expect_request("/v1/accounts").respond_with_handler(handler)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (kernel backlog) but never answers: read timeouts."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


CASES = [
    (401, failure(401, "unauthorized", "Invalid API key"), 4),
    (403, failure(403, "forbidden", "Key lacks scope"), 4),
    (500, failure(500, "internal_error", "boom"), 1),
    (200, {"unexpected": "shape"}, 1),
]


@pytest.mark.parametrize(("status", "body", "code"), CASES, ids=["401", "403", "500", "malformed"])
def test_sentinel_never_leaks_from_api_errors(httpserver: HTTPServer, status: int, body: object, code: int) -> None:
    respond(httpserver, status, body, {"Retry-After": "0"})
    url = httpserver.url_for("").rstrip("/")
    assert_clean(run("--base-url", url, "auth", "login", input=SENTINEL), code)
    # --debug logs every request and answer and prints tracebacks: still nothing.
    assert_clean(run("--debug", "--base-url", url, "auth", "login", input=SENTINEL), code)
    assert_clean(run("--debug", "--base-url", url, "auth", "status", env={"SYDIUM_API_KEY": SENTINEL}), code)
    assert_clean(run("--debug", "--base-url", url, "--api-key", SENTINEL, "auth", "status", "--json"), code)
    assert_clean(run("--debug", "--base-url", url, "auth:login", "--key", SENTINEL), code)


def test_sentinel_never_leaks_on_timeouts_or_unreachable_hosts(silent_port: int) -> None:
    extra = ("--debug",)
    url = f"http://127.0.0.1:{silent_port}"
    assert_clean(run(*extra, "--timeout", "0.2", "--base-url", url, "auth", "login", input=SENTINEL), 1)
    assert_clean(
        run(*extra, "--timeout", "0.2", "--base-url", url, "auth", "status", env={"SYDIUM_API_KEY": SENTINEL}), 1
    )
    # Plain HTTP to a non-loopback host: refused before anything is sent.
    assert_clean(run(*extra, "--base-url", "http://sydium.invalid", "auth", "login", input=SENTINEL), 2)


@pytest.mark.parametrize("bad", BAD_SHAPES)
def test_sentinel_never_leaks_from_bad_input(bad: str, tmp_path: Path) -> None:
    base = ("--debug", "--base-url", "http://127.0.0.1:9")
    key_file = tmp_path / "key.txt"
    key_file.write_text(bad)
    assert_clean(run(*base, "auth", "login", input=bad), 2)
    assert_clean(run(*base, "auth", "login", "--key-file", str(key_file)), 2)
    assert_clean(run(*base, "auth", "status", env={"SYDIUM_API_KEY": bad}), 4)
    assert_clean(run(*base, "--api-key", bad, "auth", "status"), 4)


def test_sentinel_never_leaks_from_keyring_failures_or_the_file_store(tmp_path: Path) -> None:
    env = {"PYTHON_KEYRING_BACKEND": "tests.fakes.keyring_memory.RaisingKeyring"}
    base = ("--debug", "--base-url", "http://127.0.0.1:9")
    assert_clean(run(*base, "auth", "login", "--no-verify", input=SENTINEL, env=env), 4)
    assert_clean(run(*base, "auth", "login", "--no-verify", "--insecure-storage", input=SENTINEL, env=env), 0)
    assert_clean(run(*base, "auth", "status", "--no-verify", env=env), 0)
    assert_clean(run(*base, "auth", "list", env=env), 0)
    os.chmod(Path(os.environ["SYDIUM_CONFIG_DIR"]) / "credentials.json", 0o644)
    assert_clean(run(*base, "auth", "status", env=env), 4)
    config = (Path(os.environ["SYDIUM_CONFIG_DIR"]) / "config.json").read_text()
    assert MARK not in config
