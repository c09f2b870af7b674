"""`sydium post` end to end against a real HTTP server on 127.0.0.1 that checks every request against
the contract and answers with schema-valid (but unfamiliar) data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

from tests.contract import validate_request, validate_response

KEY = "sk_test_" + "a1b2c3d4" * 3
MEDIA = "https://media.sydium.com/u/launch.png"


def operation(op_id: str, body: dict[str, Any], *, failed: tuple[str, ...] = ()) -> dict[str, Any]:
    scheduled = "scheduleAt" in body
    targets = []
    for target in body["targets"]:
        platform = target["platform"]
        if platform in failed:
            targets.append(
                {
                    "platform": platform,
                    "status": "failed",
                    "postId": None,
                    "url": None,
                    "error": {"code": "media_rejected", "message": "Video too long"},
                    "retries": 2,
                }
            )
        elif scheduled:
            targets.append({"platform": platform, "status": "scheduled", "postId": None, "url": None, "error": None})
        else:
            targets.append(
                {
                    "platform": platform,
                    "status": "published",
                    "postId": f"{platform}-77",
                    "url": f"https://{platform}.example/p/77",
                    "error": None,
                    "futureField": [1],
                }
            )
    status = "scheduled" if scheduled else ("partially_failed" if failed else "completed")
    return {"id": op_id, "status": status, "targets": targets, "createdVia": "api"}


class Api:
    """A contract-checking fake of POST /v1/posts; `fault` may replace the answer."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.bodies: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.failed: tuple[str, ...] = ()
        self.fault: Callable[[int], Response | None] | None = None
        server.expect_request("/v1/posts", method="POST").respond_with_handler(self.handle)
        server.expect_request("/v1/posts", method="GET").respond_with_handler(self.scheduled)
        server.expect_request("/v1/platforms", method="GET").respond_with_handler(self.platforms)
        self.reads = 0

    def platforms(self, request: Request) -> Response:
        """GET /v1/platforms (the offline checks fetch capabilities once): generous, unfamiliar limits."""
        validate_request("GET", "/v1/platforms", headers=dict(request.headers))
        caps = [
            {"platform": name, "captionLimit": 5000, "maxMediaItems": 10, "mediaTypes": ["image", "video"]}
            for name in ("x", "linkedin", "youtube", "mastodon")
        ]
        envelope = {"success": True, "data": {"platforms": caps}, "meta": {}}
        validate_response("GET", "/v1/platforms", 200, envelope)
        return Response(json.dumps(envelope), status=200, content_type="application/json")

    def scheduled(self, request: Request) -> Response:
        """GET /v1/posts (the duplicate check may look at upcoming posts): nothing scheduled."""
        self.reads += 1
        try:
            validate_request("GET", "/v1/posts", query=dict(request.args), headers=dict(request.headers))
        except AssertionError as exc:
            self.violations.append(str(exc))
        envelope = {"success": True, "data": {"posts": []}, "meta": {}}
        validate_response("GET", "/v1/posts", 200, envelope)
        return Response(json.dumps(envelope), status=200, content_type="application/json")

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def handle(self, request: Request) -> Response:
        body = json.loads(request.get_data() or b"null")
        try:
            validate_request("POST", "/v1/posts", body=body, headers=dict(request.headers))
        except AssertionError as exc:
            self.violations.append(str(exc))
        self.bodies.append(body)
        if self.fault is not None:
            answer = self.fault(len(self.bodies))
            if answer is not None:
                return answer
        envelope = {
            "success": True,
            "data": operation(f"op_{len(self.bodies):024d}", body, failed=self.failed),
            "meta": {"requestId": "r1"},
        }
        validate_response("POST", "/v1/posts", 201, envelope)
        return Response(json.dumps(envelope), status=201, content_type="application/json")


@pytest.fixture
def api(httpserver: HTTPServer) -> Iterator[Api]:
    fake = Api(httpserver)
    yield fake
    assert fake.violations == []


def sydium(api: Api | None, *args: str, input: str | None = None, key: bool = True) -> Any:
    env = {"SYDIUM_BASE_URL": api.url if api else "http://127.0.0.1:9"}
    if key:
        env["SYDIUM_API_KEY"] = KEY
    from sydium_cli.commands.root import app

    return CliRunner().invoke(app, list(args), input=input, env=env)


def error_response(status: int, code: str, message: str) -> Response:
    envelope = {"success": False, "error": {"code": code, "message": message}, "meta": {}}
    validate_response("POST", "/v1/posts", status, envelope)
    return Response(json.dumps(envelope), status=status, content_type="application/json")


# ---- happy paths ---------------------------------------------------------------------------------


def test_publish_prints_the_operation_json_with_unknown_fields_kept(api: Api) -> None:
    result = sydium(api, "post", "Hello [/] :fire:", "--to", "X,linkedin", "--to", "x")
    assert result.exit_code == 0, result.stderr
    assert api.bodies == [{"caption": "Hello [/] :fire:", "targets": [{"platform": "x"}, {"platform": "linkedin"}]}]
    data = json.loads(result.stdout)
    assert data["id"] == "op_000000000000000000000001" and data["createdVia"] == "api"
    assert data["targets"][0]["futureField"] == [1]
    assert result.stderr == ""


def test_grouped_operations_are_sent_in_order_and_printed_as_an_array(api: Api) -> None:
    result = sydium(api, "post", "Long", "--to", "x,linkedin", "--caption-for", "linkedin=Short", "--at", "in 2h")
    assert result.exit_code == 0, result.stderr
    assert [b["caption"] for b in api.bodies] == ["Long", "Short"]
    assert all(b["scheduleAt"].endswith("+00:00") for b in api.bodies)
    assert [op["status"] for op in json.loads(result.stdout)] == ["scheduled", "scheduled"]


def test_quiet_prints_ids_only(api: Api) -> None:
    result = sydium(api, "post", "A", "--to", "x,linkedin", "--caption-for", "x=B", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "op_000000000000000000000001\nop_000000000000000000000002\n"


def test_a_failed_target_exits_6_and_still_prints_the_operation(api: Api) -> None:
    api.failed = ("youtube",)
    result = sydium(api, "post", "Hi", "--to", "x,youtube", "--media", MEDIA)
    assert result.exit_code == 6
    assert json.loads(result.stdout)["status"] == "partially_failed"


def test_terminal_output_has_headline_table_and_next_steps(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sydium_cli.output._isatty", lambda stream: True)
    api.failed = ("youtube",)
    result = sydium(api, "post", "Hi", "--to", "x,youtube", "--type", "youtube=short")
    assert result.exit_code == 6
    assert "TEST" in result.stdout and "op_000000000000000000000001" in result.stdout
    assert "partially_failed" in result.stdout
    assert "https://x.example/p/77" in result.stdout
    assert "Video too long (media_rejected)" in result.stdout
    assert "sydium posts show op_000000000000000000000001" in result.stderr


def test_post_file_and_stdin_caption(api: Api, tmp_path: Path) -> None:
    path = tmp_path / "post.yaml"
    path.write_text("posts:\n  - caption: one\n    targets: [x]\n  - caption: two\n    targets: [linkedin]\n")
    assert sydium(api, "post", "-f", str(path)).exit_code == 0
    assert sydium(api, "post", "-", "--to", "x", input="piped caption\n").exit_code == 0
    assert [b["caption"] for b in api.bodies] == ["one", "two", "piped caption"]


# ---- nothing sent ----------------------------------------------------------------------------------


def test_dry_run_needs_no_key_and_sends_nothing(api: Api) -> None:
    result = sydium(
        api,
        "post",
        "Hi",
        "--to",
        "x",
        "--at",
        "2026-12-31T09:00",
        "--tz",
        "Europe/Paris",
        "--media",
        MEDIA,
        "--dry-run",
        key=False,
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "caption": "Hi",
        "media": [MEDIA],
        "scheduleAt": "2026-12-31T09:00:00+01:00",
        "targets": [{"platform": "x"}],
    }
    assert "2026-12-31 09:00 CET (2026-12-31 08:00 UTC)" in result.stderr
    assert "Dry run: nothing was sent" in result.stderr
    assert api.bodies == []


def test_invalid_input_lists_every_problem_and_sends_nothing(api: Api, tmp_path: Path) -> None:
    bad = tmp_path / "post.yaml"
    bad.write_text("caption: Hi\ntargets:\n  - x\n  - platform: linkedin\n    captoin: hello\n")
    empty = tmp_path / "drafts"
    empty.mkdir()
    (empty / "notes.txt").write_text("not a post file")
    result = sydium(api, "post", "-f", str(bad), "-f", str(empty), "--at", "yesterday 9:00")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "Error: 3 problems; nothing was sent:"
    assert f"  {bad}:5:5: targets[1]: unknown key 'captoin' (did you mean 'caption'?)" in lines
    assert f"  {empty}: the directory holds no *.yaml or *.yml post files" in lines
    assert lines[-1].startswith("Hint: ")
    assert api.bodies == []


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["post", "Hi"], "no targets"),
        (["post", "Hi", "--to", "x", "--tz", "Nowhere/City"], "--tz: unknown time zone 'Nowhere/City'"),
        (["post", "Hi", "--to", "x", "--at", "2020-01-01T00:00Z"], "is in the past"),
        (["post", "Hi", "--to", "x", "--type", "youtube=short"], "'youtube' is not a target"),
        (["post", "Hi", "--to", "x", "--media", "./no-such-photo.jpg"], "no-such-photo.jpg"),
        (["post", "Hi", "--to", "nosuchnet"], "unknown platform"),
    ],
)
def test_bad_input_exits_2_without_sending(api: Api, args: list[str], needle: str) -> None:
    result = sydium(api, *args)
    assert result.exit_code == 2, result.stderr
    assert needle in result.stderr and result.stdout == ""
    assert api.bodies == []


def test_missing_key_exits_4_before_sending(api: Api) -> None:
    result = sydium(api, "post", "Hi", "--to", "x", key=False)
    assert result.exit_code == 4
    assert "No API key found" in result.stderr
    assert api.bodies == []


# ---- the API says no -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "code", "needle"),
    [
        (lambda: error_response(401, "unauthorized", "Invalid API key"), 4, "Invalid API key (unauthorized, HTTP 401)"),
        (lambda: error_response(403, "forbidden", "Missing scope posts:write"), 4, "Missing scope posts:write"),
        (
            lambda: Response(
                json.dumps({"success": False, "error": {"code": "not_found", "message": "No such team"}}),
                status=404,
                content_type="application/json",
            ),
            1,
            "No such team (not_found, HTTP 404)",
        ),
        (lambda: error_response(422, "unprocessable", "x is not connected"), 2, "x is not connected"),
        (lambda: error_response(429, "rate_limited", "Out of tokens"), 5, "Out of tokens"),
        (
            lambda: Response(
                json.dumps({"success": False, "error": {"code": "internal_error", "message": "boom"}}),
                status=500,
                content_type="application/json",
            ),
            3,
            "may or may not have gone out",
        ),
        (
            lambda: Response("<html><body>502 Bad Gateway</body></html>", status=502, content_type="text/html"),
            3,
            "may or may not have gone out",
        ),
        (
            lambda: Response('{"success": true, "data": {"id": ', status=201, content_type="application/json"),
            3,
            "could not be read",
        ),
    ],
)
def test_error_statuses_map_to_exit_codes_and_publish_is_sent_once(
    api: Api, answer: Callable[[], Response], code: int, needle: str
) -> None:
    api.fault = lambda n: answer()
    result = sydium(api, "post", "Hi", "--to", "x")
    assert result.exit_code == code, result.stderr
    assert needle in result.stderr
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr
    assert len(api.bodies) == 1  # never re-sent


def test_read_timeout_exits_3_and_never_retries(api: Api) -> None:
    def slow(n: int) -> Response | None:
        time.sleep(1.0)
        return None

    api.fault = slow
    result = sydium(api, "--timeout", "0.3", "post", "Hi", "--to", "x")
    assert result.exit_code == 3
    assert "may have reached it" in result.stderr
    time.sleep(0.8)  # let a (wrong) retry arrive, if the client made one
    assert len(api.bodies) == 1


def test_failure_midway_shows_what_was_sent_and_what_was_not(api: Api) -> None:
    api.fault = lambda n: error_response(422, "unprocessable", "linkedin rejects this") if n == 2 else None
    result = sydium(
        api, "post", "A", "--to", "x,linkedin,youtube", "--caption-for", "linkedin=B", "--caption-for", "youtube=C"
    )
    assert result.exit_code == 2
    assert json.loads(result.stdout)["id"] == "op_000000000000000000000001"
    assert "Operation 2 of 3 (linkedin) was not sent." in result.stderr
    assert "Sent: operation 1 (x) as op_000000000000000000000001." in result.stderr
    assert "Not sent: operation 3 (youtube)." in result.stderr
    assert len(api.bodies) == 2


# ---- the installed command -------------------------------------------------------------------------


def test_journey_with_the_installed_sydium(api: Api, tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("sydium")
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "sydium_cli"]
    post = tmp_path / "launch.yaml"
    post.write_text(f"caption: Launch\nmedia: [{MEDIA}]\ntargets:\n  - x\n  - platform: youtube\n    postType: short\n")
    env = {**os.environ, "SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": api.url}
    done = subprocess.run([*command, "post", "-f", str(post)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert api.bodies == [
        {
            "caption": "Launch",
            "media": [MEDIA],
            "targets": [{"platform": "x"}, {"platform": "youtube", "postType": "short"}],
        }
    ]
    assert json.loads(done.stdout)["status"] == "completed"
    assert KEY not in done.stdout + done.stderr
