"""Property-based fuzzing: whatever the flags, post files, times, platform names, keys or server answers,
the CLI ends with a documented exit code and never a traceback, and never prints the whole key."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from pathlib import Path
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sydium_cli.api.client import RetryPolicy
from tests.faults import servers as S

DOCUMENTED = {0, 1, 2, 3, 4, 5, 6, 7, 8, 130}
KEY = "sk_test_" + "z" * 24
DEAD = "http://127.0.0.1:9"
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def invoke(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from sydium_cli.commands.root import app

    full_env = {"SYDIUM_API_KEY": KEY, "SYDIUM_BASE_URL": DEAD, **(env or {})}
    result = CliRunner().invoke(app, args, env=full_env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a traceback: the property fails with it
    assert result.exit_code in DOCUMENTED, (args, result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert KEY not in result.stdout + result.stderr
    return result.exit_code, result.stdout, result.stderr


TOKENS = st.sampled_from(
    ["--to", "-t", "--media", "-m", "--at", "--tz", "--type", "--option", "--caption-for", "--caption-file",
     "-f", "--json", "-q", "--force", "x", "linkedin", "x,linkedin", "youtube=short", "x.a=1", "in 2h", "now",
     "2027-01-01T09:00:00Z", "Europe/Paris", "-", "--", "", " ", "\x00", "\x1b[2J", "é", "🙂", "-1", "1e999"]
)  # fmt: skip
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(st.lists(st.one_of(TOKENS, TEXT), max_size=10))
def test_post_flags_never_crash(argv: list[str]) -> None:
    invoke(["post", *argv, "--dry-run"])


@FUZZ
@given(TEXT)
def test_schedule_times_never_crash(when: str) -> None:
    code, _out, _err = invoke(["post", "Hi", "--to", "x", "--at", when, "--dry-run"])
    assert code in (0, 2)


@FUZZ
@given(TEXT)
def test_platform_names_never_crash(name: str) -> None:
    code, _out, _err = invoke(["post", "Hi", "--to", name, "--dry-run"])
    assert code in (0, 2)


YAML_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=12,
)
POST_KEYS = st.sampled_from(["caption", "media", "at", "timezone", "targets", "posts", "platform", "type", "options"])


@FUZZ
@given(st.one_of(st.dictionaries(POST_KEYS, YAML_VALUES, max_size=5), st.lists(YAML_VALUES, max_size=3), YAML_VALUES))
def test_structured_post_files_never_crash(document: Any) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "post.yaml"
        path.write_text(json.dumps(document))  # JSON is YAML: any shape the parser can meet
        code, _out, _err = invoke(["post", "-f", str(path), "--dry-run"])
    assert code in (0, 2)


@FUZZ
@given(st.binary(max_size=300))
def test_raw_post_file_bytes_never_crash(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "post.yaml"
        path.write_bytes(data)
        code, _out, _err = invoke(["post", "-f", str(path), "--dry-run"])
    assert code in (0, 2)


class Echo:
    """One loopback server for a whole property; its answer is swapped per example."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"{}"
        self.headers: dict[str, str] = {}

    def action(self) -> S.Action:
        def run(req: S.Received, conn: socket.socket, stop: threading.Event) -> None:
            head = {"Content-Type": "application/json", **self.headers}
            conn.sendall(S._head(self.status, head, len(self.body)) + self.body)

        return S.Action(run, name="echo")


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=10,
)
POST_ITEM = st.fixed_dictionaries(
    {"id": TEXT, "scheduledFor": TEXT, "caption": TEXT, "platforms": st.lists(TEXT, max_size=3), "status": TEXT}
)
ANSWERS = st.one_of(
    st.builds(lambda d: {"success": True, "data": d, "meta": {}}, JSON_VALUES),
    st.builds(lambda p: {"success": True, "data": {"posts": p}, "meta": {}}, st.lists(POST_ITEM, max_size=3)),
    st.builds(lambda c, m: {"success": False, "error": {"code": c, "message": m}}, TEXT, TEXT),
    JSON_VALUES,
)


@FUZZ
@given(
    status=st.sampled_from([200, 201, 204, 299, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503]),
    answer=ANSWERS,
    retry_after=st.one_of(
        st.none(), st.sampled_from(["0", "-1", "nan", "inf", "1e309", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"])
    ),
    command=st.sampled_from([["posts", "list"], ["post", "Hi", "--to", "x", "--force"], ["accounts"], ["platforms"]]),
)
def test_server_answers_never_crash(status: int, answer: Any, retry_after: str | None, command: list[str]) -> None:
    echo = Echo()
    echo.status = status
    no_backoff = patch.object(RetryPolicy, "backoff", lambda self, attempt: 0.0)  # retries stay, waits go
    echo.body = json.dumps(answer).encode()
    echo.headers = {"Retry-After": retry_after} if retry_after else {}
    with no_backoff, S.FaultServer(echo.action()) as server, tempfile.TemporaryDirectory() as tmp:
        env = {"SYDIUM_BASE_URL": server.url, "SYDIUM_LEDGER": str(Path(tmp) / "l.db")}
        invoke(["--timeout", "1", *command], env=env)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT.filter(lambda k: "\x00" not in k))  # an environment cannot hold NUL
def test_any_key_value_never_crashes_or_leaks(key: str) -> None:
    with S.FaultServer(S.api_error(401, "unauthorized")) as server:
        code, out, err = invoke(["accounts"], env={"SYDIUM_API_KEY": key, "SYDIUM_BASE_URL": server.url})
    assert code in (1, 2, 4)
    if len(key) > 12 and key.strip():
        assert key not in out + err
