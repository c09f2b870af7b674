"""`sydium auth` end to end: the installed CLI as a subprocess against loopback API servers."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tests.contract import validate_request, validate_response

KEY = "sk_test_" + "a" * 20 + "k3y1"
KEY2 = "sk_live_" + "b" * 20 + "k3y2"
ACCOUNT = {"platform": "x", "username": "acme", "displayName": "Acme", "profilePicture": None}


def envelope(data: Any) -> dict[str, Any]:
    return {"success": True, "data": data, "meta": {}}


def failure(status: int, code: str, message: str) -> dict[str, Any]:
    return {"success": False, "error": {"code": code, "message": message}, "meta": {}}


class Api:
    """A loopback server answering GET /v1/accounts, checking every request and answer against the contract."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.seen: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def accounts(self, status: int = 200, body: Any = None, *, accepted: str | None = None) -> None:
        def handler(request: Request) -> Response:
            headers = dict(request.headers)
            self.seen.append(headers)
            validate_request(request.method, request.path, headers=headers)
            if accepted is not None and headers.get("Authorization") != f"Bearer {accepted}":
                answer = failure(401, "unauthorized", "Invalid API key")
                validate_response("GET", "/v1/accounts", 401, answer)
                return Response(json.dumps(answer), status=401, content_type="application/json")
            payload = body if body is not None else envelope({"accounts": [ACCOUNT]})
            if status in (200, 401, 403, 429, 500):
                validate_response("GET", "/v1/accounts", status, payload)
            return Response(json.dumps(payload), status=status, content_type="application/json")

        self.server.expect_request("/v1/accounts", method="GET").respond_with_handler(handler)


@pytest.fixture
def api(httpserver: HTTPServer) -> Api:
    return Api(httpserver)


@pytest.fixture
def other_api() -> Iterator[Api]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        yield Api(server)
    finally:
        server.clear()
        if server.is_running():
            server.stop()


@pytest.fixture(autouse=True)
def shared_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every subprocess of one test shares a file-backed fake keyring."""
    path = tmp_path / "keyring.json"
    monkeypatch.setenv("SYDIUM_TEST_KEYRING_FILE", str(path))
    return path


def sydium(
    *args: str, input: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    for name in [k for k, v in full_env.items() if v == "<unset>"]:
        del full_env[name]
    return subprocess.run(
        [sys.executable, "-m", "sydium_cli", *args],
        input=input if input is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
    )


def stored(path: Path) -> dict[str, str]:
    return json.loads(path.read_text()) if path.exists() else {}


def config_dir() -> Path:
    return Path(os.environ["SYDIUM_CONFIG_DIR"])


def status_json(*global_args: str, env: dict[str, str] | None = None) -> tuple[int, dict[str, Any], str]:
    result = sydium(*global_args, "auth", "status", "--json", env=env)
    return result.returncode, json.loads(result.stdout), result.stderr


# ---- login ------------------------------------------------------------------------------------------


def test_login_from_stdin_verifies_then_stores_in_keyring(api: Api, shared_keyring: Path) -> None:
    api.accounts()
    result = sydium("--base-url", api.url, "auth", "login", input=KEY + "\n")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verified"] is True and data["storage"] == "keyring" and data["mode"] == "TEST"
    assert data["key"] == "sk_test_…k3y1" and data["accounts"][0]["platform"] == "x"
    host = api.url.split("//")[1]
    assert stored(shared_keyring) == {f"sydium\0default@{host}": KEY}
    assert api.seen[0]["Authorization"] == f"Bearer {KEY}"
    assert KEY not in result.stdout + result.stderr


def test_login_refused_with_401_stores_nothing(api: Api, shared_keyring: Path) -> None:
    api.accounts(401, failure(401, "unauthorized", "Invalid API key"))
    result = sydium("--base-url", api.url, "auth", "login", input=KEY)
    assert result.returncode == 4
    assert result.stdout == ""
    assert "Invalid API key" in result.stderr and "The key was not stored" in result.stderr
    assert stored(shared_keyring) == {}
    assert not (config_dir() / "credentials.json").exists()
    assert not (config_dir() / "config.json").exists()


def test_login_refused_with_403_stores_nothing(api: Api, shared_keyring: Path) -> None:
    api.accounts(403, failure(403, "insufficient_permissions", "Missing scope accounts:read"))
    result = sydium("--base-url", api.url, "auth", "login", "--insecure-storage", input=KEY)
    assert result.returncode == 4
    assert "--no-verify" in result.stderr
    assert stored(shared_keyring) == {} and not (config_dir() / "credentials.json").exists()


def test_login_no_verify_says_so_and_sends_nothing(api: Api, shared_keyring: Path, tmp_path: Path) -> None:
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n")
    result = sydium("--base-url", api.url, "auth", "login", "--no-verify", "--key-file", str(key_file))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["verified"] is False
    assert api.seen == []
    assert KEY in stored(shared_keyring).values()


def test_login_prefix_check_refuses_other_keys_with_a_hint(api: Api, shared_keyring: Path) -> None:
    result = sydium("--base-url", api.url, "auth", "login", input="pk_live_" + "z" * 24)
    assert result.returncode == 2
    assert "sk_live_ or sk_test_" in result.stderr and "Hint:" in result.stderr
    assert "z" * 24 not in result.stderr
    assert api.seen == [] and stored(shared_keyring) == {}


@pytest.mark.parametrize("given", ["", "\n\n", KEY + "\n" + KEY2 + "\n"])
def test_login_with_empty_or_multiline_stdin_is_a_usage_error(given: str, api: Api) -> None:
    result = sydium("--base-url", api.url, "auth", "login", input=given)
    assert result.returncode == 2
    assert KEY not in result.stderr and result.stdout == ""


def test_vendor_alias_auth_login_key_works_but_warns(api: Api, shared_keyring: Path) -> None:
    api.accounts()
    result = sydium("--base-url", api.url, "auth:login", "--key", KEY)
    assert result.returncode == 0, result.stderr
    assert "visible to other users" in result.stderr and "shell history" in result.stderr
    assert KEY in stored(shared_keyring).values()
    assert "auth:login" not in sydium("--help").stdout


def test_insecure_storage_writes_a_0600_file_and_status_keeps_saying_so(api: Api, shared_keyring: Path) -> None:
    api.accounts()
    assert sydium("--base-url", api.url, "auth", "login", "--insecure-storage", input=KEY).returncode == 0
    path = config_dir() / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stored(shared_keyring) == {}
    code, data, stderr = status_json("--base-url", api.url)
    assert code == 0
    assert data["source"] == "file" and data["insecure"] is True
    assert "plain file" in stderr
    os.chmod(path, 0o644)
    result = sydium("--base-url", api.url, "auth", "status")
    assert result.returncode == 4
    assert "0644" in result.stderr and "chmod 600" in result.stderr and KEY not in result.stderr


# ---- status -----------------------------------------------------------------------------------------


def test_status_reports_source_mask_mode_and_connected_platforms(api: Api) -> None:
    api.accounts()
    sydium("--base-url", api.url, "auth", "login", input=KEY)
    code, data, _ = status_json("--base-url", api.url)
    assert code == 0
    assert data["source"] == "keyring" and data["key"] == "sk_test_…k3y1" and data["mode"] == "TEST"
    assert data["accepted"] is True and data["platforms"] == ["x"] and data["base_url"] == api.url
    assert data["warnings"] == []


@pytest.mark.parametrize(
    ("args", "env", "source"),
    [
        (("--api-key", KEY2), {}, "flag"),
        ((), {"SYDIUM_API_KEY": KEY2}, "env"),
    ],
)
def test_status_warns_when_flag_or_env_shadows_a_stored_key(
    api: Api, args: tuple[str, ...], env: dict[str, str], source: str
) -> None:
    api.accounts()
    sydium("--base-url", api.url, "auth", "login", "--no-verify", input=KEY)
    code, data, stderr = status_json("--base-url", api.url, *args, env=env)
    assert code == 0
    assert data["source"] == source and data["mode"] == "LIVE" and data["key"] == "sk_live_…k3y2"
    assert any("shadows the key stored" in w for w in data["warnings"])
    assert "shadows the key stored" in stderr and "sk_test_…k3y1" in stderr
    assert KEY not in stderr and KEY2 not in stderr


def test_status_exits_4_without_a_key_and_json_says_why(api: Api) -> None:
    code, data, stderr = status_json("--base-url", api.url)
    assert code == 4
    assert data["key"] is None and "No API key found" in data["error"]
    assert "sydium auth login" in stderr
    assert api.seen == []


def test_status_exits_4_when_the_api_refuses_the_key(api: Api) -> None:
    api.accounts(accepted=KEY2)
    code, data, stderr = status_json("--base-url", api.url, env={"SYDIUM_API_KEY": KEY})
    assert code == 4
    assert data["accepted"] is False and "Invalid API key" in stderr


def test_vendor_alias_auth_status_works(api: Api) -> None:
    api.accounts()
    result = sydium("--base-url", api.url, "auth:status", "--json", env={"SYDIUM_API_KEY": KEY})
    assert result.returncode == 0 and json.loads(result.stdout)["source"] == "env"


# ---- host binding and profiles -------------------------------------------------------------------


def test_a_key_saved_for_one_host_is_never_sent_to_another(api: Api, other_api: Api) -> None:
    api.accounts()
    other_api.accounts()
    assert sydium("--base-url", api.url, "auth", "login", input=KEY).returncode == 0
    code, data, stderr = status_json("--base-url", other_api.url)
    assert code == 4 and data["key"] is None
    assert "only ever sent to the host it was saved for" in stderr
    assert other_api.seen == []


def test_profiles_carry_their_base_url_list_and_switch(api: Api, other_api: Api, shared_keyring: Path) -> None:
    api.accounts(accepted=KEY)
    other_api.accounts(accepted=KEY2)
    assert sydium("--base-url", api.url, "auth", "login", input=KEY).returncode == 0
    login = sydium("--base-url", other_api.url, "--profile", "work", "auth", "login", input=KEY2)
    assert login.returncode == 0, login.stderr
    listed = json.loads(sydium("auth", "list").stdout)
    by_name = {row["profile"]: row for row in listed}
    assert by_name["work"]["base_url"] == other_api.url and by_name["work"]["keys"][0]["mode"] == "LIVE"
    assert by_name["default"]["default"] is True
    # The profile's own base URL is used without --base-url.
    code, data, _ = status_json("--profile", "work")
    assert code == 0 and data["key"] == "sk_live_…k3y2" and data["base_url"] == other_api.url
    switched = sydium("auth", "switch", "work")
    assert switched.returncode == 0 and "'work'" in switched.stderr
    code, data, _ = status_json(env={"SYDIUM_PROFILE": "<unset>"})
    assert data["profile"] == "work" and data["accepted"] is True
    assert sydium("auth", "switch", "nope").returncode == 2
    for path in config_dir().iterdir():
        assert KEY not in path.read_text() and KEY2 not in path.read_text()


def test_logout_is_idempotent_and_all_removes_every_profile(api: Api, shared_keyring: Path) -> None:
    sydium("--base-url", api.url, "auth", "login", "--no-verify", input=KEY)
    sydium("--base-url", api.url, "--profile", "work", "auth", "login", "--no-verify", "--insecure-storage", input=KEY2)
    first = sydium("--base-url", api.url, "auth", "logout", "--profile", "work")
    assert first.returncode == 0 and json.loads(first.stdout)["removed"][0]["storage"] == "file"
    again = sydium("--base-url", api.url, "auth", "logout", "--profile", "work")
    assert again.returncode == 0 and json.loads(again.stdout) == {"removed": []}
    everything = sydium("--base-url", api.url, "auth", "logout", "--all")
    assert everything.returncode == 0 and len(json.loads(everything.stdout)["removed"]) == 1
    assert stored(shared_keyring) == {} and not (config_dir() / "credentials.json").exists()
    assert sydium("auth", "logout", "--all").returncode == 0
    assert sydium("auth", "logout", "--all", "--profile", "x").returncode == 2


# ---- keyring failure modes -------------------------------------------------------------------------

BACKENDS = {
    "none": "keyring.backends.fail.Keyring",
    "locked": "tests.fakes.keyring_memory.LockedKeyring",
    "raising": "tests.fakes.keyring_memory.RaisingKeyring",
    "hanging": "tests.fakes.keyring_memory.HangingKeyring",
}


@pytest.mark.parametrize("kind", list(BACKENDS))
def test_broken_keyring_ends_in_one_clear_line_and_exit_4(kind: str, api: Api) -> None:
    env = {"PYTHON_KEYRING_BACKEND": BACKENDS[kind], "SYDIUM_KEYRING_TIMEOUT": "0.5"}
    started = time.monotonic()
    status = sydium("--base-url", api.url, "auth", "status", env=env, timeout=20)
    login = sydium("--base-url", api.url, "auth", "login", "--no-verify", input=KEY, env=env, timeout=20)
    assert time.monotonic() - started < 15
    for result in (status, login):
        assert result.returncode == 4
        assert "Traceback" not in result.stderr
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "keyring" in errors[0]
        assert "SYDIUM_API_KEY" in result.stderr and "--insecure-storage" in result.stderr
        assert KEY not in result.stdout + result.stderr
    # The documented ways out work with the same broken keyring.
    ok = sydium("--base-url", api.url, "auth", "login", "--no-verify", "--insecure-storage", input=KEY, env=env)
    assert ok.returncode == 0, ok.stderr
    assert (
        json.loads(sydium("--base-url", api.url, "auth", "status", "--no-verify", env=env).stdout)["source"] == "file"
    )
    env_only = sydium("--base-url", api.url, "auth", "status", "--no-verify", env={**env, "SYDIUM_API_KEY": KEY2})
    assert env_only.returncode == 0 and json.loads(env_only.stdout)["source"] == "env"


def test_commands_that_need_no_key_never_import_keyring(api: Api) -> None:
    api.server.expect_request("/v1/health").respond_with_json(envelope({"status": "ok", "version": "1"}))
    probe = (
        "import sys\nfrom sydium_cli.app import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('KEYRING-LOADED' if 'keyring' in sys.modules else 'KEYRING-UNTOUCHED')\n"
    )
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": BACKENDS["hanging"]}
    cases = [
        ["--help"],
        ["--version"],
        ["auth", "--help"],
        ["auth", "login", "--help"],
        ["--base-url", api.url, "health"],
    ]
    for argv in cases:
        result = subprocess.run(
            [sys.executable, "-c", probe, *argv], capture_output=True, text=True, env=env, timeout=30
        )
        assert result.stderr.endswith("KEYRING-UNTOUCHED"), (argv, result.stderr)
