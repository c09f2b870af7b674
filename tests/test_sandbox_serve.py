"""`sydium sandbox serve|reset|status` as subprocesses, and CLI journeys against the sandbox (embedded and served)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.contract import validate_response

KEY = "sk_test_" + "c" * 24
CLI = [sys.executable, "-m", "sydium_cli"]
FUTURE = (datetime.now(timezone.utc) + timedelta(days=7)).strftime("%Y-%m-%dT09:00:00Z")


def sydium(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
    )


class Served:
    def __init__(self, proc: subprocess.Popen[str], url: str) -> None:
        self.proc, self.url = proc, url
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {KEY}"}, timeout=10)

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, path, **kwargs)
        validate_response(method, path, response.status_code, response.json())
        return response


def start(state: Path, *extra: str, env: dict[str, str] | None = None) -> Served:
    proc = subprocess.Popen(
        [*CLI, "sandbox", "serve", "--port", "0", "--state", str(state), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line.startswith("http://127.0.0.1:"), (line, proc.stderr.read() if proc.poll() is not None else "")
    return Served(proc, line)


def stop(served: Served) -> str:
    served.http.close()
    served.proc.send_signal(signal.SIGINT)
    _, err = served.proc.communicate(timeout=10)
    assert served.proc.returncode == 0, err
    return err


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    server = start(tmp_path / "served.sqlite3", "--fault", "429=1@/v1/accounts#1", "--fault", "drop@/v1/ideas/today#1")
    try:
        yield server
    finally:
        if server.proc.poll() is None:
            stop(server)


def test_serve_over_real_http_with_upload_and_faults(served: Served) -> None:
    assert served.call("GET", "/v1/health").json()["data"]["status"] == "ok"
    limited = served.call("GET", "/v1/accounts")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert served.call("GET", "/v1/accounts").status_code == 200
    with pytest.raises(httpx.RemoteProtocolError):
        served.http.get("/v1/ideas/today")
    assert served.call("GET", "/v1/ideas/today").status_code == 200

    minted = served.call("POST", "/v1/media/upload-url", json={"contentType": "image/png", "fileSize": 6}).json()[
        "data"
    ]
    assert minted["uploadUrl"].startswith(served.url + "/_sandbox/upload/")
    assert httpx.put(minted["uploadUrl"], content=b"pixels").status_code == 200
    assert httpx.get(minted["publicUrl"]).content == b"pixels"
    body = {"caption": "with media", "media": [minted["publicUrl"]], "targets": [{"platform": "instagram"}]}
    assert served.call("POST", "/v1/posts", json=body).status_code == 201

    err = stop(served)
    assert "Sandbox stopped." in err and "Traceback" not in err


def test_serve_prints_how_to_point_the_cli_at_it(tmp_path: Path) -> None:
    server = start(tmp_path / "s.sqlite3")
    err = stop(server)
    assert f"SYDIUM_BASE_URL={server.url}" in err and "SYDIUM_API_KEY=sk_test_" in err


def test_serve_refuses_a_public_host_without_public_flag(tmp_path: Path) -> None:
    result = sydium("sandbox", "serve", "--host", "0.0.0.0", "--port", "0", "--state", str(tmp_path / "s.sqlite3"))
    assert result.returncode == 2
    assert "--public" in result.stderr and result.stdout == ""


def test_serve_rejects_a_bad_fault_switch(tmp_path: Path) -> None:
    result = sydium("sandbox", "serve", "--port", "0", "--state", str(tmp_path / "s.sqlite3"), "--fault", "explode")
    assert result.returncode == 2
    assert "Unknown fault switch 'explode'" in result.stderr and "Traceback" not in result.stderr


def test_status_and_reset(tmp_path: Path) -> None:
    state = tmp_path / "st.sqlite3"
    empty = sydium("sandbox", "status", "--state", str(state))
    assert empty.returncode == 0 and json.loads(empty.stdout) == {
        "stateFile": str(state),
        "exists": False,
        "operations": {},
        "media": {},
    }

    env = {"SYDIUM_SANDBOX_STATE": str(state), "SYDIUM_SANDBOX_PUBLISH_DELAY": "0"}
    posted = sydium("--sandbox", "post", "--to", "x", "Hello", env=env)
    assert posted.returncode == 0, posted.stderr
    status = sydium("sandbox", "status", env=env)  # the global state variable selects the same file
    info = json.loads(status.stdout)
    assert info["exists"] and info["operations"] == {"completed": 1}

    reset = sydium("sandbox", "reset", "--state", str(state))
    assert reset.returncode == 0 and "cleared" in reset.stderr
    assert json.loads(reset.stdout)["removed"] == [str(state)]
    assert not state.exists()
    again = sydium("sandbox", "reset", "--state", str(state))
    assert again.returncode == 0 and "already empty" in again.stderr


def test_readme_quick_start_embedded_sandbox() -> None:
    result = sydium("--sandbox", "post", "--to", "x", "--to", "linkedin", "Hello")
    assert result.returncode == 0, result.stderr
    operation = json.loads(result.stdout)  # JSON when piped
    assert operation["id"].startswith("op_")
    assert [t["platform"] for t in operation["targets"]] == ["x", "linkedin"]
    assert "Traceback" not in result.stderr


def test_embedded_journey_schedule_list_show_cancel(tmp_path: Path) -> None:
    env = {"SYDIUM_SANDBOX": "1", "SYDIUM_SANDBOX_PUBLISH_DELAY": "0"}
    scheduled = sydium("post", "--to", "x", "--to", "bluesky", "--at", FUTURE, "Later", env=env)
    assert scheduled.returncode == 0, scheduled.stderr
    op_id = json.loads(scheduled.stdout)["id"]
    listed = sydium("posts", "list", env=env)
    assert listed.returncode == 0 and [p["id"] for p in json.loads(listed.stdout)["posts"]] == [op_id]
    shown = sydium("posts", "show", op_id, env=env)
    assert shown.returncode == 0 and json.loads(shown.stdout)["status"] == "scheduled"
    cancelled = sydium("posts", "cancel", op_id, env=env)
    assert cancelled.returncode == 0, cancelled.stderr
    assert json.loads(sydium("posts", "show", op_id, env=env).stdout)["status"] == "cancelled"


def test_embedded_partial_failure_exits_6(tmp_path: Path) -> None:
    env = {"SYDIUM_SANDBOX": "1", "SYDIUM_SANDBOX_PUBLISH_DELAY": "0"}
    result = sydium("post", "--to", "x", "--to", "instagram", "No picture", env=env)
    assert result.returncode == 6, result.stderr
    targets = {t["platform"]: t for t in json.loads(result.stdout)["targets"]}
    assert targets["x"]["status"] == "published" and targets["instagram"]["error"]["code"] == "media_required"


def test_journey_against_sandbox_serve(tmp_path: Path) -> None:
    server = start(tmp_path / "j.sqlite3", "--publish-delay", "0")
    try:
        env = {"SYDIUM_BASE_URL": server.url, "SYDIUM_API_KEY": KEY}
        posted = sydium("post", "--to", "x", "--to", "linkedin", "Hello", env=env)
        assert posted.returncode == 0, posted.stderr
        op = json.loads(posted.stdout)
        assert op["status"] == "completed" and all(t["url"] for t in op["targets"])
        scheduled = sydium("post", "--to", "linkedin", "--at", FUTURE, "Later", env=env)
        assert scheduled.returncode == 0, scheduled.stderr
        listed = json.loads(sydium("posts", "list", env=env).stdout)["posts"]
        assert [p["id"] for p in listed] == [json.loads(scheduled.stdout)["id"]]
    finally:
        stop(server)
