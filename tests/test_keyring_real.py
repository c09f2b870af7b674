"""A real OS keyring (Secret Service over D-Bus): log in, read the key back in a fresh process, log out.

Runs where a Secret Service answers, e.g. under `.ci/with-keyring` (gnome-keyring in dbus-run-session);
skips with the reason everywhere else.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.test_auth_cli import ACCOUNT, envelope

pytestmark = pytest.mark.keyring_real

BACKEND = "keyring.backends.SecretService.Keyring"
KEY = "sk_test_" + uuid.uuid4().hex[:24]


def _real_env() -> dict[str, str]:
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": BACKEND, "SYDIUM_KEYRING_TIMEOUT": "10"}
    env.pop("SYDIUM_TEST_KEYRING_FILE", None)
    return env


def _secret_service_problem() -> str | None:
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no D-Bus session bus (run the tests under .ci/with-keyring)"
    probe = (
        "import keyring, sys\n"
        "from keyring.backends.SecretService import Keyring\n"
        "k = Keyring()\n"
        "k.set_password('sydium-probe', 'probe', 'x'); assert k.get_password('sydium-probe', 'probe') == 'x'\n"
        "k.delete_password('sydium-probe', 'probe')\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=15, env=_real_env()
        )
    except subprocess.TimeoutExpired:
        return "the Secret Service did not answer within 15 s"
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["unknown error"])[-1]
        return f"no usable Secret Service ({last[:160]})"
    return None


def sydium(*args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sydium_cli", *args],
        input=input,
        capture_output=True,
        text=True,
        env=_real_env(),
        timeout=60,
    )


def test_login_status_logout_through_the_real_secret_service(httpserver: HTTPServer, tmp_path: Path) -> None:
    problem = _secret_service_problem()
    if problem:
        pytest.skip(f"real keyring test skipped: {problem}")
    httpserver.expect_request("/v1/accounts", headers={"Authorization": f"Bearer {KEY}"}).respond_with_json(
        envelope({"accounts": [ACCOUNT]})
    )
    url = httpserver.url_for("").rstrip("/")
    profile = f"ci-{uuid.uuid4().hex[:8]}"  # never clobbers a real user's entry
    base = ("--base-url", url, "--profile", profile)

    login = sydium(*base, "auth", "login", input=KEY)
    assert login.returncode == 0, login.stderr
    assert json.loads(login.stdout)["storage"] == "keyring"
    assert not (Path(os.environ["SYDIUM_CONFIG_DIR"]) / "credentials.json").exists()

    status = sydium(*base, "auth", "status", "--json")  # a fresh process reads it back from the keyring
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["source"] == "keyring" and data["key"] == f"sk_test_…{KEY[-4:]}" and data["accepted"] is True
    assert KEY not in status.stdout + status.stderr

    logout = sydium(*base, "auth", "logout")
    assert logout.returncode == 0 and json.loads(logout.stdout)["removed"][0]["storage"] == "keyring"
    after = sydium(*base, "auth", "status", "--json")
    assert after.returncode == 4 and json.loads(after.stdout)["key"] is None
