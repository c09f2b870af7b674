"""Helpers for command tests: a contract-checking loopback API (pytest-httpserver) and CLI runners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.contract import validate_request, validate_response

KEY = "sk_test_" + "k" * 24
OP_ID = "op_6d28cc8ebc8dde89f1f3fa19"
ROOT = Path(__file__).resolve().parent.parent


def ok(data: Any, status: int = 200) -> Response:
    return Response(json.dumps({"success": True, "data": data, "meta": {}}), status, content_type="application/json")


def fail(status: int, code: str, message: str) -> Response:
    body = {"success": False, "error": {"code": code, "message": message}, "meta": {}}
    return Response(json.dumps(body), status, content_type="application/json")


def target(platform: str, status: str, **extra: Any) -> dict[str, Any]:
    return {"platform": platform, "status": status, "postId": None, "url": None, "error": None, **extra}


def operation(status: str, *targets: dict[str, Any], op_id: str = OP_ID) -> dict[str, Any]:
    return {"id": op_id, "status": status, "targets": list(targets)}


CAPS = [
    {"platform": "x", "captionLimit": 280, "maxMediaItems": 4, "mediaTypes": ["image", "video", "gif"],
     "media": {"postTypes": ["post"]}},
    {"platform": "linkedin", "captionLimit": 3000, "maxMediaItems": 20, "mediaTypes": ["image", "video"],
     "media": {"postTypes": ["post"]}},
    {"platform": "youtube", "captionLimit": 5000, "titleLimit": 100, "descriptionLimit": 5000, "maxMediaItems": 1,
     "mediaTypes": ["video"], "media": {"postTypes": ["video", "short"]}},
]  # fmt: skip


class ContractApi:
    """pytest-httpserver where every request and every JSON answer is checked against the contract."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.seen: list[tuple[str, str, dict[str, str], Any]] = []
        self.uploads: list[tuple[str, int, str]] = []

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def route(self, method: str, path: str, response: Response | list[Response], *, newer: bool = False) -> None:
        """Answer `path`; `newer=True` allows answers a newer server may give (unknown enum values)."""
        queue = list(response) if isinstance(response, list) else None

        def handler(request: Request) -> Response:
            body = json.loads(request.data) if request.data else None
            self.seen.append((request.method, request.path, dict(request.args), body))
            validate_request(
                request.method, request.path, query=dict(request.args), body=body, headers=dict(request.headers)
            )
            answer = (queue.pop(0) if len(queue) > 1 else queue[0]) if queue else response
            assert isinstance(answer, Response)
            if not newer:
                validate_response(request.method, request.path, answer.status_code, json.loads(answer.get_data()))
            return answer

        self.server.expect_request(path, method=method).respond_with_handler(handler)

    def accept_uploads(self, path: str = "/upload/put") -> str:
        """A presigned-URL stand-in: counts bytes streamed to it (never the API key)."""

        def handler(request: Request) -> Response:
            assert "Authorization" not in request.headers
            total = len(request.get_data(cache=False))  # pytest-httpserver has already buffered the body
            self.uploads.append((request.path, total, request.headers.get("Content-Type", "")))
            return Response("", 200)

        self.server.expect_request(path, method="PUT").respond_with_handler(handler)
        return self.base_url + path

    def paths(self) -> list[tuple[str, str]]:
        return [(m, p) for m, p, _q, _b in self.seen]


def start_api(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> ContractApi:
    """The body of each test module's `api` fixture: point the CLI at the server, with a test key."""
    fake = ContractApi(httpserver)
    monkeypatch.setenv("SYDIUM_BASE_URL", fake.base_url)
    monkeypatch.setenv("SYDIUM_API_KEY", KEY)
    return fake


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def cli(*args: str, tty: bool = False, monkeypatch: pytest.MonkeyPatch | None = None, input: str = "") -> Result:
    """Run the app in-process; `tty=True` makes stdout and stderr count as terminals (tables, live)."""
    from typer.testing import CliRunner

    from sydium_cli.commands.root import app

    if tty:
        assert monkeypatch is not None
        monkeypatch.setattr("sydium_cli.output._isatty", lambda _stream: True)
    runner = CliRunner()
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def sydium(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    """Run the installed CLI as a subprocess (python -m sydium_cli), stdout piped (JSON mode)."""
    proc = subprocess.run(
        [sys.executable, "-m", "sydium_cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=ROOT,
        timeout=timeout,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
