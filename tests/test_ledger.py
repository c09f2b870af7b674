"""The duplicate-protection ledger: fingerprints, states, refusals, safe files, the guarded send."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sydium_cli import ledger as L
from sydium_cli import send_guard as G
from sydium_cli.api import errors as E
from sydium_cli.api import models as M
from sydium_cli.api.client import RetryPolicy, SydiumClient
from sydium_cli.api.secret import SecretKey
from sydium_cli.config import Settings
from tests.faults import servers as S

KEY = SecretKey("sk_test_" + "l" * 24)
HOST = "api.sydium.com"


def req(caption: str = "Hello", platforms: tuple[str, ...] = ("x",), **kw: object) -> M.CreatePostRequest:
    return M.CreatePostRequest(caption=caption, targets=[M.PostTarget(platform=p) for p in platforms], **kw)


def fp(
    request: M.CreatePostRequest, *, digests: dict[str, str] | None = None, host: str = HOST, profile: str = "default"
) -> str:
    return L.fingerprint(request, media_digests=digests or {}, host=host, profile=profile)


@pytest.fixture
def ledger(tmp_path: Path) -> L.Ledger:
    with L.Ledger.open(tmp_path / "state" / "ledger.sqlite3", default_location=True) as opened:
        yield opened  # type: ignore[misc]


# ---- fingerprints -------------------------------------------------------------------------------


def test_fingerprint_ignores_target_order_and_offset_spelling() -> None:
    a = req(platforms=("x", "linkedin"), schedule_at="2027-01-01T10:00:00+01:00")
    b = req(platforms=("linkedin", "x"), schedule_at="2027-01-01T09:00:00Z")
    assert fp(a) == fp(b)
    assert fp(req("Hello\r\n")) == fp(req("Hello"))


@pytest.mark.parametrize(
    "other",
    [
        req("Hello!"),
        req(platforms=("x", "linkedin")),
        req(schedule_at="2027-01-01T09:00:00Z"),
        M.CreatePostRequest(caption="Hello", targets=[M.PostTarget(platform="x", post_type="thread")]),
        M.CreatePostRequest(caption="Hello", targets=[M.PostTarget(platform="x", options={"a": 1})]),
    ],
)
def test_fingerprint_changes_with_content_targets_and_time(other: M.CreatePostRequest) -> None:
    assert fp(other) != fp(req())


def test_fingerprint_separates_hosts_and_profiles() -> None:
    assert fp(req(), host="other.example") != fp(req())
    assert fp(req(), profile="work") != fp(req())
    assert fp(req(), host="https://API.sydium.com/") == fp(req())


def test_media_count_by_content_digest_not_by_url() -> None:
    one = req(media=["https://media.sydium.com/u/1.png"])
    two = req(media=["https://media.sydium.com/u/2.png"])
    assert fp(one) != fp(two)  # no digest: the URL counts
    same = {"https://media.sydium.com/u/1.png": "sha256:aa", "https://media.sydium.com/u/2.png": "sha256:aa"}
    assert fp(one, digests=same) == fp(two, digests=same)


def test_file_digest(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    assert L.file_digest(path) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


# ---- states and refusals ----------------------------------------------------------------------


def test_published_post_is_refused_with_exit_7_naming_the_operation(ledger: L.Ledger) -> None:
    key = fp(req())
    ledger.begin(key, "x: Hello")
    ledger.finish(key, "op_123", L.PUBLISHED)
    with pytest.raises(E.DuplicateError) as info:
        ledger.check(key, force=False)
    assert info.value.exit_code == E.ExitCode.DUPLICATE
    assert "op_123" in info.value.message and "published" in info.value.message
    assert "UTC" in info.value.message
    assert "--force" in (info.value.hint or "")
    ledger.check(key, force=True)  # --force sends it anyway


@pytest.mark.parametrize("state", [L.UNKNOWN, L.SENDING])
def test_unknown_outcome_needs_force_and_says_how_to_check(ledger: L.Ledger, state: str) -> None:
    key = fp(req())
    ledger.begin(key, "")
    ledger.finish(key, None, state)
    with pytest.raises(E.DuplicateError) as info:
        ledger.check(key, force=False)
    assert "unknown" in info.value.message
    assert "posts list" in (info.value.hint or "") and "--force" in (info.value.hint or "")


@pytest.mark.parametrize("state", [L.REJECTED, L.NOT_SENT, L.FAILED, L.CANCELLED])
def test_provably_unpublished_attempts_do_not_block(ledger: L.Ledger, state: str) -> None:
    key = fp(req())
    ledger.begin(key, "")
    ledger.finish(key, None, state)
    ledger.check(key, force=False)


def test_latest_attempt_decides_and_history_is_kept(ledger: L.Ledger) -> None:
    key = fp(req())
    ledger.finish(key, None, L.REJECTED, entry_id=ledger.begin(key, "a"))
    ledger.finish(key, "op_2", L.SCHEDULED, entry_id=ledger.begin(key, "b"))
    assert [e.state for e in ledger.entries(key)] == [L.REJECTED, L.SCHEDULED]
    entry = ledger.find(key)
    assert entry is not None and entry.operation_id == "op_2"
    assert ledger.update_operation("op_2", L.CANCELLED) == 1
    ledger.check(key, force=False)


def test_claim_is_check_and_begin_at_once(ledger: L.Ledger) -> None:
    key = fp(req())
    ledger.claim(key, "first", force=False)
    with pytest.raises(E.DuplicateError):
        ledger.claim(key, "second", force=False)
    assert len(ledger.entries(key)) == 1


def test_unknown_state_name_is_a_bug(ledger: L.Ledger) -> None:
    with pytest.raises(ValueError):
        ledger.finish("f", None, "maybe")


# ---- the file itself ---------------------------------------------------------------------------


def test_ledger_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "ledger.sqlite3"
    L.Ledger.open(path, default_location=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_planted_symlink_is_refused_and_target_untouched(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "ledger.sqlite3"
    link.symlink_to(victim)
    with pytest.raises(E.ConfigError) as info:
        L.Ledger.open(link)
    assert "symbolic link" in info.value.message
    assert victim.read_text() == "precious"


def test_symlinked_state_dir_is_refused_for_the_default_location(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    real.mkdir()
    (tmp_path / "state").symlink_to(real)
    with pytest.raises(E.ConfigError):
        L.Ledger.open(tmp_path / "state" / "ledger.sqlite3", default_location=True)


@pytest.mark.parametrize("kind", ["garbage", "directory"])
def test_corrupt_or_wrong_ledger_is_a_clear_error(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "ledger.sqlite3"
    if kind == "garbage":
        path.write_bytes(b"this is not a database at all" * 100)
    else:
        path.mkdir()
    with pytest.raises(E.ConfigError) as info:
        L.Ledger.open(path)
    assert str(path) in info.value.message


def test_default_path_honours_flag_env_and_state_dir(tmp_path: Path) -> None:
    assert L.default_path(Settings(ledger_path=tmp_path / "ci.db")) == tmp_path / "ci.db"
    assert L.default_path(Settings()) == Path(os.environ["SYDIUM_STATE_DIR"]) / "ledger.sqlite3"


def test_killed_process_leaves_a_sending_row_that_blocks(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    code = (
        "import os, sys; from pathlib import Path; from sydium_cli import ledger as L\n"
        f"lg = L.Ledger.open(Path({str(path)!r})); lg.begin('fp1', 'x: Hello'); os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False, timeout=30)
    with L.Ledger.open(path) as lg:
        entry = lg.find("fp1")
        assert entry is not None and entry.state == L.SENDING
        with pytest.raises(E.DuplicateError):
            lg.check("fp1", force=False)
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


# ---- guarded_send against real loopback servers ----------------------------------------------------


def client_for(url: str) -> SydiumClient:
    return SydiumClient(
        url, key_provider=lambda: KEY, timeout=0.5, retry=RetryPolicy(attempts=2, base_delay=0), sleep=lambda _s: None
    )


def send(server_url: str, ledger: L.Ledger, request: M.CreatePostRequest, *, force: bool = False) -> object:
    with client_for(server_url) as client:
        try:
            return G.guarded_send(client, request, ledger, fp(request), force=force)
        except E.SydiumError as error:
            return error


def test_guarded_send_records_and_then_refuses_the_rerun(ledger: L.Ledger) -> None:
    with S.FaultServer(S.ok(S.operation())) as server:
        first = send(server.url, ledger, req())
        second = send(server.url, ledger, req())
        assert server.publishes == 1
    assert isinstance(first, M.Operation)
    assert isinstance(second, E.DuplicateError) and S.OP_ID in second.message
    entry = ledger.find(fp(req()))
    assert entry is not None and (entry.state, entry.operation_id) == (L.PUBLISHED, S.OP_ID)


def test_guarded_send_force_sends_again(ledger: L.Ledger) -> None:
    with S.FaultServer(S.ok(S.operation())) as server:
        send(server.url, ledger, req())
        again = send(server.url, ledger, req(), force=True)
        assert server.publishes == 2
    assert isinstance(again, M.Operation)


@pytest.mark.parametrize(
    ("action", "state", "exit_code"),
    [
        (S.stall(5), L.UNKNOWN, E.ExitCode.UNKNOWN_OUTCOME),
        (S.hang_up(before_body=False), L.UNKNOWN, E.ExitCode.UNKNOWN_OUTCOME),
        (S.api_error(500, "internal_error"), L.UNKNOWN, E.ExitCode.UNKNOWN_OUTCOME),
        (S.api_error(422, "unprocessable"), L.REJECTED, E.ExitCode.USAGE),
        (S.api_error(429, "rate_limited"), L.REJECTED, E.ExitCode.RATE_LIMITED),
        (S.api_error(401, "unauthorized"), L.REJECTED, E.ExitCode.AUTH),
    ],
    ids=repr,
)
def test_guarded_send_records_each_outcome(ledger: L.Ledger, action: S.Action, state: str, exit_code: int) -> None:
    with S.FaultServer(action) as server:
        result = send(server.url, ledger, req())
        assert server.publishes == 1
    assert isinstance(result, E.SydiumError) and result.exit_code == exit_code
    entry = ledger.find(fp(req()))
    assert entry is not None and entry.state == state
    blocked = state == L.UNKNOWN
    with S.FaultServer(S.ok(S.operation())) as server:
        rerun = send(server.url, ledger, req())
        assert server.publishes == (0 if blocked else 1)
    assert isinstance(rerun, E.DuplicateError) == blocked


def test_guarded_send_connection_refused_is_not_sent(ledger: L.Ledger) -> None:
    with S.closed_port() as url:
        result = send(url, ledger, req())
    assert isinstance(result, E.NetworkError)
    entry = ledger.find(fp(req()))
    assert entry is not None and entry.state == L.NOT_SENT


def test_guarded_send_interrupt_records_unknown(ledger: L.Ledger) -> None:
    class Boom:
        base_url = "http://127.0.0.1:9"

        def create_post(self, request: M.CreatePostRequest) -> M.Operation:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        G.guarded_send(Boom(), req(), ledger, fp(req()), force=False)  # type: ignore[arg-type]
    entry = ledger.find(fp(req()))
    assert entry is not None and entry.state == L.UNKNOWN


SCHEDULED_AT = "2027-03-01T09:00:00Z"


def scheduled_list(caption: str, platforms: list[str], when: str = SCHEDULED_AT) -> S.Action:
    posts = [
        {"id": "op_remote", "scheduledFor": when, "caption": caption, "platforms": platforms, "status": "scheduled"}
    ]
    return S.ok({"posts": posts}, status=200)


@pytest.mark.parametrize(
    ("listed", "duplicate"),
    [
        (scheduled_list("Hello", ["x"]), True),
        (scheduled_list("Hello", ["x", "linkedin"]), True),
        (scheduled_list("Hello", ["x"], "2027-03-01T10:00:00+01:00"), True),
        (scheduled_list("Hello there", ["x"]), False),
        (scheduled_list("Hello", ["linkedin"]), False),
        (scheduled_list("Hello", ["x"], "2027-03-01T09:01:30Z"), False),
    ],
)
def test_remote_duplicate_protects_a_fresh_runner(ledger: L.Ledger, listed: S.Action, duplicate: bool) -> None:
    request = req(schedule_at="2027-03-01T10:00:00+01:00")
    with S.FaultServer([listed, S.ok(S.operation("scheduled"))]) as server:
        result = send(server.url, ledger, request)
        listing = server.requests[0]
        assert (listing.method, listing.path) == ("GET", "/v1/posts")
        assert "from=2027-03-01T08%3A58%3A00Z" in listing.query or "from=2027-03-01T08:58:00Z" in listing.query
        assert server.publishes == (0 if duplicate else 1)
        assert server.violations == []
    if duplicate:
        assert isinstance(result, E.DuplicateError) and "op_remote" in result.message
    else:
        assert isinstance(result, M.Operation)
        entry = ledger.find(fp(request))
        assert entry is not None and entry.state == L.SCHEDULED


def test_remote_check_skipped_without_read_scope(ledger: L.Ledger) -> None:
    request = req(schedule_at=SCHEDULED_AT)
    with S.FaultServer([S.api_error(403, "insufficient_permissions"), S.ok(S.operation("scheduled"))]) as server:
        result = send(server.url, ledger, request)
        assert server.publishes == 1
    assert isinstance(result, M.Operation)
