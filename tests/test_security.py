"""Security: the key stays on the wire it belongs to, debug output is redacted, files are private and
never follow planted links, and hostile server text cannot drive the user's terminal."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.faults import servers as S

KEY = "sk_test_" + "SENTINEL" + "q" * 16
BODY_KEY = "sk_live_" + "ECHOED" + "z" * 18  # a key-shaped string the server reflects back
ESC = "\x1b"
HOSTILE = "evil\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x9b1m\x07\x08end"


def sydium(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "sydium_cli", "--timeout", "1", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "SYDIUM_API_KEY": KEY, **(env or {})},
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    everything = proc.stdout + proc.stderr
    assert KEY not in everything and "SENTINEL" + "q" * 16 not in everything
    assert "Traceback" not in proc.stderr or "--debug" in args  # --debug shows tracebacks by design
    return proc


def tty_cli(monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """In-process with stdout and stderr counting as terminals (tables, colours off via NO_COLOR)."""
    from typer.testing import CliRunner

    from sydium_cli.commands.root import app

    monkeypatch.setattr("sydium_cli.output._isatty", lambda _stream: True)
    result = CliRunner().invoke(app, list(args), env={"SYDIUM_API_KEY": KEY})
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


# ---- the key on the wire -------------------------------------------------------------------------


def test_key_refused_over_plain_http_to_a_remote_host() -> None:
    proc = sydium("--base-url", "http://api.sydium.invalid", "posts", "list")
    assert proc.returncode == 2
    assert "plain HTTP" in proc.stderr


def test_key_sent_over_plain_http_only_to_loopback() -> None:
    with S.FaultServer(S.ok({"posts": []}, status=200)) as server:
        proc = sydium("--base-url", server.url, "posts", "list", "--json")
        assert server.requests[0].headers["authorization"] == f"Bearer {KEY}"
    assert proc.returncode == 0


def test_redirects_are_not_followed_so_the_key_cannot_be_forwarded() -> None:
    with S.FaultServer(S.ok({"posts": []}, status=200)) as other:
        moved = S.reply(302, "", headers={"Location": f"{other.url}/v1/posts"}, ctype="text/plain")
        with S.FaultServer(moved) as server:
            proc = sydium("--base-url", server.url, "posts", "list", "--json")
            assert len(server.requests) == 1
        assert other.requests == []
    assert proc.returncode != 0


def test_presigned_upload_carries_no_authorization(tmp_path: Path) -> None:
    image = tmp_path / "pic.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    with S.FaultServer(S.reply(200, "", ctype="text/plain")) as storage:
        minted = {
            "uploadUrl": f"{storage.url}/bucket/pic.png?sig=abc",
            "publicUrl": "https://media.sydium.com/p.png",
            "key": "k1",
        }
        with S.FaultServer(S.ok(minted, status=200, check=False)) as api:
            proc = sydium("--base-url", api.url, "media", "upload", str(image), "--json")
            assert api.requests and api.requests[0].headers.get("authorization") == f"Bearer {KEY}"
        assert storage.requests, proc.stderr
        put = storage.requests[0]
        assert put.method == "PUT" and "authorization" not in put.headers
        assert KEY not in str(put.headers)


# ---- debug output ------------------------------------------------------------------------------------


def test_debug_output_redacts_the_key_and_key_shaped_strings() -> None:
    echo = S.api_error(401, "unauthorized", f"bad key {KEY} and {BODY_KEY}", headers={"X-Echo": f"Bearer {KEY}"})
    with S.FaultServer(echo) as server:
        proc = sydium("--debug", "--base-url", server.url, "posts", "list")
    assert proc.returncode == 4
    assert "[debug]" in proc.stderr and "authorization: [redacted]" in proc.stderr.lower()
    assert BODY_KEY not in proc.stdout + proc.stderr
    assert "sk_test_…qqqq" in proc.stderr  # masked, so the user can still tell which key


# ---- files ---------------------------------------------------------------------------------------------


def test_ledger_written_private_and_refuses_a_planted_symlink(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me")
    ledger = tmp_path / "ledger.sqlite3"
    ledger.symlink_to(victim)
    with S.FaultServer(S.ok(S.operation())) as server:
        proc = sydium("--base-url", server.url, "--ledger", str(ledger), "post", "Hi", "--to", "x")
        assert server.publishes == 0  # no ledger, no send
    assert proc.returncode == 1 and "symbolic link" in proc.stderr
    assert victim.read_text() == "keep me"
    ledger.unlink()
    with S.FaultServer(S.ok(S.operation())) as server:
        proc = sydium("--base-url", server.url, "--ledger", str(ledger), "post", "Hi", "--to", "x")
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600


def test_default_ledger_lives_in_a_private_state_dir(tmp_path: Path) -> None:
    with S.FaultServer(S.ok(S.operation())) as server:
        proc = sydium("--base-url", server.url, "post", "Hi", "--to", "x")
    assert proc.returncode == 0, proc.stderr
    ledger = Path(os.environ["SYDIUM_STATE_DIR"]) / "ledger.sqlite3"
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    assert stat.S_IMODE(ledger.parent.stat().st_mode) == 0o700


# ---- hostile server text ---------------------------------------------------------------------------


def test_escape_sequences_in_scheduled_captions_are_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    posts = [
        {
            "id": f"op_{HOSTILE}",
            "scheduledFor": "2027-01-01T09:00:00Z",
            "caption": HOSTILE,
            "platforms": [HOSTILE],
            "status": HOSTILE,
        }
    ]
    with S.FaultServer(S.ok({"posts": posts}, status=200, check=False)) as server:
        code, out, err = tty_cli(monkeypatch, "--base-url", server.url, "posts", "list")
    assert code == 0, err
    assert "evil" in out and "end" in out
    assert ESC not in out + err and "\x07" not in out + err and "\x9b" not in out + err


def test_escape_sequences_in_operation_answers_are_neutralised(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    op = {
        "id": "op_1",
        "status": HOSTILE,
        "targets": [
            {"platform": "x", "status": HOSTILE, "url": f"https://x.com/{HOSTILE}", "error": {"message": HOSTILE}}
        ],
    }
    with S.FaultServer(S.ok(op, check=False)) as server:
        _code, out, err = tty_cli(
            monkeypatch, "--base-url", server.url, "--ledger", str(tmp_path / "l"), "post", "Hi", "--to", "x"
        )
    assert "evil" in out + err
    assert ESC not in out + err and "\x07" not in out + err and "\x9b" not in out + err


def test_escape_sequences_in_error_messages_are_neutralised(monkeypatch: pytest.MonkeyPatch) -> None:
    with S.FaultServer(S.api_error(422, "unprocessable", HOSTILE)) as server:
        code, _out, err = tty_cli(monkeypatch, "--base-url", server.url, "posts", "list")
    assert code == 2
    assert "evil" in err and ESC not in err and "\x07" not in err


def test_escape_sequences_in_json_output_are_escaped() -> None:
    posts = [
        {
            "id": "op_1",
            "scheduledFor": "2027-01-01T09:00:00Z",
            "caption": HOSTILE,
            "platforms": ["x"],
            "status": "scheduled",
        }
    ]
    with S.FaultServer(S.ok({"posts": posts}, status=200, check=False)) as server:
        proc = sydium("--base-url", server.url, "posts", "list", "--json")
    assert proc.returncode == 0
    assert ESC not in proc.stdout and "\\u001b" in proc.stdout
