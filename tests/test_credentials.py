"""Key resolution in-process: the precedence matrix, host binding, the file store, keyring failures."""

from __future__ import annotations

import itertools
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest

from sydium_cli import credentials as C
from sydium_cli import keystore
from sydium_cli.api.errors import CredentialsError, UsageError
from sydium_cli.api.secret import SecretKey, mask
from sydium_cli.config import ConfigFile, Settings, check_profile_name
from sydium_cli.settings import GlobalOptions, resolve_settings, settings_for_profile
from tests.fakes.keyring_memory import HangingKeyring, LockedKeyring, MemoryKeyring, RaisingKeyring

KEYS = {
    "flag": "sk_test_" + "f" * 20 + "FLAG",
    "env": "sk_test_" + "e" * 20 + "ENVV",
    "keyring": "sk_live_" + "k" * 20 + "KRNG",
    "file": "sk_test_" + "p" * 20 + "FILE",
}
HOST = "api.sydium.com"


@pytest.fixture(autouse=True)
def memory_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SYDIUM_TEST_KEYRING_FILE", str(tmp_path / "keyring.json"))
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(MemoryKeyring())


def settings(**kw: object) -> Settings:
    s = resolve_settings(GlobalOptions())
    for name, value in kw.items():
        setattr(s, name, value)
    return s


def put(sources: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> Settings:
    s = settings(api_key_flag=KEYS["flag"] if "flag" in sources else None)
    if "env" in sources:
        monkeypatch.setenv("SYDIUM_API_KEY", KEYS["env"])
    if "keyring" in sources:
        keystore.keyring_set("default", HOST, KEYS["keyring"])
    if "file" in sources:
        keystore.file_set("default", HOST, KEYS["file"])
    return s


ORDER = ("flag", "env", "keyring", "file")
SUBSETS = [c for n in range(1, 5) for c in itertools.combinations(ORDER, n)]


@pytest.mark.parametrize("sources", SUBSETS, ids=["+".join(s) for s in SUBSETS])
def test_precedence_matrix_highest_source_wins(sources: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> None:
    resolved = C.resolve_key(put(sources, monkeypatch))
    winner = sources[0]  # combinations keep ORDER, which is the precedence
    assert resolved.key == SecretKey(KEYS[winner])
    assert C.SOURCE_KINDS[resolved.source] == winner


def test_no_source_at_all_is_a_credentials_error_with_login_hint() -> None:
    with pytest.raises(CredentialsError) as info:
        C.resolve_key(settings())
    assert "No API key found for profile 'default' at api.sydium.com" in info.value.message
    assert "sydium auth login" in (info.value.hint or "")
    assert info.value.exit_code == 4


def test_key_is_bound_to_the_host_it_was_saved_for() -> None:
    keystore.keyring_set("default", HOST, KEYS["keyring"])
    other = settings(base_url="https://evil.example.com")
    with pytest.raises(CredentialsError):
        C.resolve_key(other)
    local = settings(base_url="http://127.0.0.1:8080")
    keystore.keyring_set("default", "127.0.0.1:8080", KEYS["file"].replace("FILE", "LOCL"))
    assert C.resolve_key(local).key.reveal().endswith("LOCL")
    assert C.resolve_key(settings()).key.reveal().endswith("KRNG")


def test_api_host_keeps_non_default_port_and_lowercases() -> None:
    assert keystore.api_host("https://API.Sydium.com") == "api.sydium.com"
    assert keystore.api_host("http://127.0.0.1:5001") == "127.0.0.1:5001"
    assert keystore.account_name("work", "api.sydium.com") == "work@api.sydium.com"


def test_keys_are_per_profile() -> None:
    keystore.keyring_set("work", HOST, KEYS["keyring"])
    with pytest.raises(CredentialsError):
        C.resolve_key(settings())
    assert C.resolve_key(settings(profile="work")).source == C.SOURCE_KEYRING


def test_masking_never_shows_more_than_prefix_and_last_four() -> None:
    key = SecretKey(KEYS["keyring"])
    assert key.masked == "sk_live_…KRNG"
    assert KEYS["keyring"] not in repr(key) and KEYS["keyring"] not in str(key)
    assert mask("sk_test_short") == "sk_test_…"
    assert key.mode == "LIVE" and SecretKey(KEYS["env"]).mode == "TEST"


@pytest.mark.parametrize("bad", ["pk_live_abcdefabcdefabcdef", "sk_test_", "sk_test_abc def", "", "   "])
def test_malformed_env_key_is_refused(bad: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYDIUM_API_KEY", bad)
    if not bad.strip():
        with pytest.raises(CredentialsError, match="No API key found"):
            C.resolve_key(settings())
        return
    with pytest.raises(CredentialsError) as info:
        C.resolve_key(settings())
    assert bad.strip() not in info.value.message


# ---- the opt-in file ---------------------------------------------------------------------------------


def test_file_store_is_written_0600_and_atomically_replaced() -> None:
    keystore.file_set("default", HOST, KEYS["file"])
    path = keystore.credentials_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert keystore.file_get("default", HOST) == KEYS["file"]


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_file_with_wider_permissions_is_refused(mode: int) -> None:
    keystore.file_set("default", HOST, KEYS["file"])
    os.chmod(keystore.credentials_file(), mode)
    with pytest.raises(CredentialsError) as info:
        C.resolve_key(settings())
    assert f"{mode:04o}" in info.value.message and "wider than 0600" in info.value.message
    assert "chmod 600" in (info.value.hint or "")
    assert KEYS["file"] not in info.value.message


def test_file_that_is_a_symlink_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "elsewhere.json"
    real.write_text('{"keys": {}}')
    os.chmod(real, 0o600)
    path = keystore.credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(real)
    with pytest.raises(CredentialsError, match="not a plain file"):
        keystore.file_get("default", HOST)


def test_file_delete_works_on_a_leaky_file_and_removes_it_when_empty() -> None:
    keystore.file_set("default", HOST, KEYS["file"])
    os.chmod(keystore.credentials_file(), 0o644)
    assert keystore.file_delete("default", HOST) is True
    assert not keystore.credentials_file().exists()
    assert keystore.file_delete("default", HOST) is False


def test_recorded_file_storage_is_read_without_waiting_for_a_hanging_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    s = settings()
    assert s.config is not None
    keystore.file_set("default", HOST, KEYS["file"])
    C.record_stored(s.config, "default", HOST, C.STORAGE_FILE, "TEST")
    keyring.set_keyring(HangingKeyring())
    monkeypatch.setenv("SYDIUM_KEYRING_TIMEOUT", "5")
    started = time.monotonic()
    assert C.resolve_key(s).source == C.SOURCE_FILE
    assert time.monotonic() - started < 1


# ---- keyring failures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (LockedKeyring(), "is locked"),
        (RaisingKeyring(), "failed"),
        (keyring.backends.fail.Keyring(), "No OS keyring is available"),
    ],
)
def test_keyring_failures_become_one_credentials_error(backend: object, words: str) -> None:
    keyring.set_keyring(backend)  # type: ignore[arg-type]
    with pytest.raises(keystore.KeyringUnavailable) as info:
        C.resolve_key(settings())
    assert words in info.value.message
    assert "SYDIUM_API_KEY" in (info.value.hint or "") and "--insecure-storage" in (info.value.hint or "")
    assert info.value.exit_code == 4


def test_hanging_keyring_gives_up_after_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    keyring.set_keyring(HangingKeyring())
    monkeypatch.setenv("SYDIUM_KEYRING_TIMEOUT", "0.3")
    started = time.monotonic()
    with pytest.raises(keystore.KeyringUnavailable, match=r"did not answer within 0\.3 s"):
        keystore.keyring_get("default", HOST)
    assert time.monotonic() - started < 2


def test_failing_keyring_falls_back_to_the_opt_in_file() -> None:
    keystore.file_set("default", HOST, KEYS["file"])
    keyring.set_keyring(RaisingKeyring())
    assert C.resolve_key(settings()).source == C.SOURCE_FILE


@pytest.mark.parametrize("raw", ["abc", "0", "-1", "999999"])
def test_invalid_keyring_timeout_is_a_usage_error(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYDIUM_KEYRING_TIMEOUT", raw)
    with pytest.raises(UsageError):
        keystore.keyring_timeout()


def test_keyring_delete_of_nothing_is_false_not_an_error() -> None:
    assert keystore.keyring_delete("default", HOST) is False


# ---- store / remove and the config index -----------------------------------------------------------


def test_store_key_records_storage_but_never_the_key_in_the_config() -> None:
    s = settings(base_url="https://staging.example.com", base_url_source="flag or SYDIUM_BASE_URL", profile="stg")
    C.store_key(s, SecretKey(KEYS["keyring"]), insecure=False, remember_base_url=True)
    text = ConfigFile.load().path.read_text()
    assert KEYS["keyring"] not in text and "KRNG" not in text
    config = ConfigFile.load()
    assert config.profile("stg")["base_url"] == "https://staging.example.com"
    assert C.stored_hosts(config, "stg") == {"staging.example.com": {"storage": "keyring", "mode": "LIVE"}}


def test_switching_storage_removes_the_other_copy() -> None:
    s = settings()
    C.store_key(s, SecretKey(KEYS["file"]), insecure=True, remember_base_url=False)
    assert keystore.file_get("default", HOST) == KEYS["file"]
    C.store_key(settings(), SecretKey(KEYS["keyring"]), insecure=False, remember_base_url=False)
    assert keystore.file_get("default", HOST) is None
    C.store_key(settings(), SecretKey(KEYS["file"]), insecure=True, remember_base_url=False)
    assert keystore.keyring_get("default", HOST) is None


def test_remove_stored_is_idempotent() -> None:
    s = settings()
    C.store_key(s, SecretKey(KEYS["keyring"]), insecure=False, remember_base_url=False)
    config = ConfigFile.load()
    assert [r.storage for r in C.remove_stored(config, "default", {HOST})] == ["keyring"]
    assert C.remove_stored(ConfigFile.load(), "default", {HOST}) == []
    assert C.stored_hosts(ConfigFile.load(), "default") == {}


# ---- profiles ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a@b", "", "-x", "a b", "x" * 65, "../etc"])
def test_bad_profile_names_are_refused(name: str) -> None:
    with pytest.raises(UsageError):
        check_profile_name(name)


def test_settings_for_profile_takes_the_profile_base_url_unless_one_was_given() -> None:
    config = ConfigFile.load()
    config.set_profile_value("stg", "base_url", "https://staging.example.com")
    config.save()
    s = settings()
    assert settings_for_profile(s, "stg").base_url == "https://staging.example.com"
    assert settings_for_profile(s, "other").base_url == "https://api.sydium.com"
    given = settings(base_url="http://127.0.0.1:9", base_url_source="flag or SYDIUM_BASE_URL")
    assert settings_for_profile(given, "stg").base_url == "http://127.0.0.1:9"
