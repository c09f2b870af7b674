"""`sydium auth`: log in (verify, then store), status, logout, profiles. Plus the vendor's `auth:login`."""

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, examples
from sydium_cli.completion_values import complete_profile
from sydium_cli.runtime import Runtime, run

if TYPE_CHECKING:
    from sydium_cli.api.models import Account
    from sydium_cli.api.secret import SecretKey
    from sydium_cli.config import Settings
    from sydium_cli.credentials import ResolvedKey

MAX_KEY_INPUT = 4096

ProfileOpt = Annotated[
    Optional[str],
    typer.Option(
        "--profile",
        help="Profile to use (default: the global --profile / the default).",
        autocompletion=complete_profile,
    ),
]
KeyFileOpt = Annotated[
    Optional[str], typer.Option("--key-file", help="Read the key from this file ('-' for stdin).", show_default=False)
]
NoVerifyOpt = Annotated[bool, typer.Option("--no-verify", help="Store the key without asking the API first.")]
InsecureOpt = Annotated[
    bool,
    typer.Option("--insecure-storage", help="Store the key in a 0600 file instead of the OS keyring."),
]

LOGIN_HELP = (
    "Verify an API key with the API, then store it in the OS keyring.\n\n"
    "The key is read from a hidden prompt, from stdin when piped, or from --key-file; it never has to "
    "appear on the command line. Keys are stored per profile and per API host."
    + examples(
        "sydium auth login",
        'echo "$SYDIUM_KEY" | sydium auth login --profile work',
        "sydium --base-url https://staging.example.com --profile staging auth login --key-file key.txt",
        "sydium auth login --insecure-storage   # no OS keyring (headless server)",
    )
)


# ---- login -----------------------------------------------------------------------------------------


def _read_key(rt: Runtime, key_value: Optional[str], key_file: Optional[str]) -> str:
    from sydium_cli.api.errors import UsageError

    if key_value:
        rt.out.warn(
            "--key puts the key in the process list (visible to other users) and in shell history; "
            'prefer `sydium auth login` (prompt) or `echo "$KEY" | sydium auth login`.'
        )
        return key_value
    if key_file and key_file != "-":
        try:
            with open(key_file, encoding="utf-8") as handle:
                text = handle.read(MAX_KEY_INPUT + 1)
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not readable text"
            raise UsageError(f"Cannot read the key file {key_file}: {reason}.") from None
        return _one_key(text, f"the key file {key_file}")
    if rt.settings.api_key_flag and not key_file:
        return rt.settings.api_key_flag
    if key_file == "-" or not sys.stdin.isatty():
        return _one_key(sys.stdin.read(MAX_KEY_INPUT + 1), "stdin")
    import getpass

    try:
        return getpass.getpass("Sydium API key (input hidden): ")
    except EOFError:
        raise UsageError("No key was entered.") from None


def _one_key(text: str, where: str) -> str:
    from sydium_cli.api.errors import UsageError

    if len(text) > MAX_KEY_INPUT:
        raise UsageError(f"Too much input in {where}: expected one API key.")
    value = text.strip()
    if not value:
        raise UsageError(f"No key found in {where}.", hint='Pipe the key in: echo "$KEY" | sydium auth login')
    if "\n" in value:
        raise UsageError(f"{where.capitalize()} holds more than one line: expected one API key.")
    return value


def _candidate(raw: str) -> "SecretKey":
    from sydium_cli.api.errors import CredentialsError, UsageError
    from sydium_cli.credentials import check_key_shape

    try:
        return check_key_shape(raw)
    except CredentialsError as error:  # bad input at login is a usage error (exit 2)
        raise UsageError(error.message, hint=error.hint) from None


def _verify(rt: Runtime, settings: "Settings", key: "SecretKey") -> "list[Account]":
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.api.errors import SydiumError

    client = SydiumClient(
        settings.base_url,
        key_provider=lambda: key,
        timeout=settings.timeout,
        debug_log=rt.debug if settings.debug else None,
    )
    try:
        return client.list_accounts()
    except SydiumError as error:
        error.message = f"{error.message.rstrip('.')}. The key was not stored."
        error.hint = (error.hint + " " if error.hint else "") + "(--no-verify stores a key without checking it.)"
        raise
    finally:
        client.close()


def _login(
    rt: Runtime,
    *,
    profile: Optional[str],
    key_value: Optional[str],
    key_file: Optional[str],
    no_verify: bool,
    insecure: bool,
) -> int:
    from sydium_cli import credentials
    from sydium_cli.api.errors import UsageError
    from sydium_cli.settings import BASE_URL_FLAG_SOURCE, settings_for_profile

    settings = settings_for_profile(rt.settings, profile or rt.settings.profile)
    if settings.sandbox:
        raise UsageError("The sandbox needs no key; log in without --sandbox.")
    key = _candidate(_read_key(rt, key_value, key_file))
    accounts = None if no_verify else _verify(rt, settings, key)
    remember = settings.base_url_source == BASE_URL_FLAG_SOURCE
    storage = credentials.store_key(settings, key, insecure=insecure, remember_base_url=remember)
    host = credentials.host_of(settings)
    where = (
        f"a plain 0600 file ({_file_path()}) — insecure; prefer the OS keyring"
        if storage == credentials.STORAGE_FILE
        else f"the OS keyring (service sydium, account {settings.profile}@{host})"
    )
    result: dict[str, Any] = {
        "profile": settings.profile,
        "base_url": settings.base_url,
        "host": host,
        "key": key.masked,
        "mode": key.mode,
        "storage": storage,
        "verified": accounts is not None,
        "accounts": [a.wire() for a in accounts] if accounts is not None else None,
    }
    if rt.out.interactive:
        lines = [f"[{key.mode}] Logged in: profile {settings.profile!r} at {host}, key {key.masked} stored in {where}."]
        if accounts is None:
            lines.append("Not verified (--no-verify): the API was not asked whether it accepts this key.")
        else:
            lines.append(f"Verified: the API accepted the key ({_accounts_summary(accounts)}).")
        if remember:
            lines.append(f"Profile {settings.profile!r} now uses {settings.base_url}.")
        rt.out.lines(lines)
    else:
        rt.out.json(result)
    _warn_env_shadow(rt)
    return 0


def _file_path() -> str:
    from sydium_cli.keystore import credentials_file

    return str(credentials_file())


def _warn_env_shadow(rt: Runtime) -> None:
    import os

    from sydium_cli.config import ENV_API_KEY

    if os.environ.get(ENV_API_KEY):
        rt.out.warn(f"{ENV_API_KEY} is set in this environment and is used instead of the stored key.")


def _accounts_summary(accounts: "list[Account]") -> str:
    if not accounts:
        return "no connected accounts yet"
    names = ", ".join(f"{a.platform} {a.username or a.display_name or ''}".strip() for a in accounts[:8])
    more = f", +{len(accounts) - 8} more" if len(accounts) > 8 else ""
    return f"{len(accounts)} connected account{'s' if len(accounts) != 1 else ''}: {names}{more}"


def login(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    key_file: KeyFileOpt = None,
    no_verify: NoVerifyOpt = False,
    insecure_storage: InsecureOpt = False,
    key: Annotated[Optional[str], typer.Option("--key", hidden=True)] = None,
    json: JsonOpt = False,
) -> None:
    run(
        ctx.obj,
        lambda rt: _login(
            rt, profile=profile, key_value=key, key_file=key_file, no_verify=no_verify, insecure=insecure_storage
        ),
        json_flag=json,
    )


def vendor_login(
    ctx: typer.Context,
    key: Annotated[Optional[str], typer.Option("--key", help="The API key (visible in argv; prefer stdin).")] = None,
    profile: ProfileOpt = None,
    key_file: KeyFileOpt = None,
    no_verify: NoVerifyOpt = False,
    insecure_storage: InsecureOpt = False,
    json: JsonOpt = False,
) -> None:
    """The vendor-documented form of `sydium auth login`."""
    login(ctx, profile, key_file, no_verify, insecure_storage, key, json)


# ---- status ----------------------------------------------------------------------------------------


def _status(rt: Runtime, profile: Optional[str], verify: bool) -> int:
    from sydium_cli.api.errors import CredentialsError
    from sydium_cli.credentials import host_of
    from sydium_cli.settings import settings_for_profile

    if profile:
        rt.settings = settings_for_profile(rt.settings, profile)
        rt._key = None
    s = rt.settings
    report: dict[str, Any] = {
        "profile": s.profile,
        "base_url": "sandbox (embedded)" if s.sandbox else s.base_url,
        "base_url_source": s.base_url_source,
        "host": host_of(s),
        "key": None,
        "mode": None,
        "source": None,
        "source_detail": None,
        "insecure": False,
        "verified": False,
        "accepted": None,
        "accounts": None,
        "warnings": [],
        "error": None,
    }
    try:
        resolved = rt.key()
    except CredentialsError as error:
        report["error"] = error.message
        _show_status(rt, report)
        raise
    _describe_key(rt, resolved, report)
    failure = _check_with_api(rt, report) if verify else None
    _show_status(rt, report)
    if failure is not None:
        raise failure
    return 0


def _describe_key(rt: Runtime, resolved: "ResolvedKey", report: dict[str, Any]) -> None:
    from sydium_cli import credentials as C

    s = rt.settings
    kind = C.SOURCE_KINDS.get(resolved.source, resolved.source)
    detail = resolved.source
    if kind == "keyring":
        detail = f"OS keyring (service sydium, account {s.profile}@{report['host']})"
    elif kind == "file":
        detail = f"plain file {_file_path()} (insecure)"
        report["insecure"] = True
        report["warnings"].append(
            "The key is stored in a plain file, readable by anything running as you. "
            "Move it into the OS keyring: sydium auth login"
        )
    report.update(key=resolved.key.masked, mode=resolved.key.mode, source=kind, source_detail=detail)
    if kind in ("flag", "env"):
        shadowed = _shadowed(s)
        if shadowed:
            report["warnings"].append(
                f"{resolved.source} shadows the key stored for profile {s.profile!r} ({shadowed}); "
                "unset it to use the stored key."
            )


def _shadowed(settings: "Settings") -> Optional[str]:
    """The stored key the flag or env var hides (checked only where login recorded one: no keyring wait)."""
    from sydium_cli import credentials as C
    from sydium_cli.api.errors import CredentialsError

    if not C.stored_storage(settings.config, settings.profile, C.host_of(settings)):
        return None
    try:
        found = C.find_stored_key(settings)
    except CredentialsError:
        return "unreadable"
    return f"{found.source}, {found.key.masked}" if found else None


def _check_with_api(rt: Runtime, report: dict[str, Any]) -> "Optional[Exception]":
    from sydium_cli.api.errors import AuthenticationError, PermissionDeniedError, SydiumError

    try:
        accounts = rt.client().list_accounts()
    except (AuthenticationError, PermissionDeniedError) as error:
        report.update(verified=True, accepted=False, error=error.message)
        return error
    except SydiumError as error:
        report["error"] = f"Could not check the key with the API: {error.message}"
        return error
    report.update(verified=True, accepted=True, accounts=[a.wire() for a in accounts])
    report["platforms"] = sorted({a.platform for a in accounts})
    return None


def _show_status(rt: Runtime, report: dict[str, Any]) -> None:
    if not rt.out.interactive:
        rt.out.json(report)
    elif report["key"] is not None:
        mode = report["mode"]
        lines = [
            f"[{mode}] profile {report['profile']!r} · {report['base_url']}",
            f"  Key:      {report['key']} ({mode} mode)",
            f"  Source:   {report['source_detail']}",
            f"  Base URL: {report['base_url']} (from {report['base_url_source']})",
            f"  API:      {_api_line(report)}",
        ]
        rt.out.lines(lines)
    for warning in report["warnings"]:
        rt.out.warn(warning)


def _api_line(report: dict[str, Any]) -> str:
    if not report["verified"]:
        return "not checked" if report["error"] is None else "could not check (see below)"
    if not report["accepted"]:
        return "REFUSED this key"
    accounts = report["accounts"] or []
    if not accounts:
        return "accepted (no connected accounts yet)"
    names = ", ".join(f"{a.get('platform')} {a.get('username') or ''}".strip() for a in accounts)
    return f"accepted · {len(accounts)} connected: {names}"


def status(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Do not ask the API whether it accepts the key.")
    ] = False,
    json: JsonOpt = False,
) -> None:
    run(ctx.obj, lambda rt: _status(rt, profile, not no_verify), json_flag=json)


# ---- logout, list, switch --------------------------------------------------------------------------


def _logout(rt: Runtime, profile: Optional[str], everything: bool) -> int:
    from sydium_cli import credentials as C
    from sydium_cli.api.errors import UsageError
    from sydium_cli.settings import settings_for_profile

    if everything and profile:
        raise UsageError("Give either --profile or --all, not both.")
    config = rt.settings.config
    assert config is not None
    names = sorted(set(config.profiles()) | {rt.settings.profile}) if everything else [profile or rt.settings.profile]
    removed: list[C.Removed] = []
    for name in names:
        settings = settings_for_profile(rt.settings, name)
        removed += C.remove_stored(config, name, {C.host_of(settings)})
    if not rt.out.interactive:
        rt.out.json({"removed": [{"profile": r.profile, "host": r.host, "storage": r.storage} for r in removed]})
    elif removed:
        rt.out.lines(
            [f"Logged out: removed the key of profile {r.profile!r} for {r.host} ({r.storage})." for r in removed]
        )
    else:
        rt.out.lines([f"No stored key for {', '.join(repr(n) for n in names)}: nothing to remove."])
    return 0


def logout(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    all_profiles: Annotated[bool, typer.Option("--all", help="Remove the keys of every profile.")] = False,
    json: JsonOpt = False,
) -> None:
    run(ctx.obj, lambda rt: _logout(rt, profile, all_profiles), json_flag=json)


def _list(rt: Runtime) -> int:
    from sydium_cli import credentials as C
    from sydium_cli.config import DEFAULT_BASE_URL

    config = rt.settings.config
    assert config is not None
    rows: list[dict[str, Any]] = []
    for name in sorted(set(config.profiles()) | {config.default_profile, rt.settings.profile}):
        entry = config.profile(name)
        keys = C.stored_hosts(config, name)
        rows.append(
            {
                "profile": name,
                "default": name == config.default_profile,
                "active": name == rt.settings.profile,
                "base_url": entry.get("base_url") or DEFAULT_BASE_URL,
                "keys": [
                    {"host": h, "storage": v.get("storage"), "mode": v.get("mode")} for h, v in sorted(keys.items())
                ],
            }
        )
    if not rt.out.interactive:
        rt.out.json(rows)
        return 0
    for row in rows:
        mark = "*" if row["default"] else " "
        stored = ", ".join(f"{k['host']} ({k['mode']}, {k['storage']})" for k in row["keys"]) or "no stored key"
        rt.out.lines([f"{mark} {row['profile']:<16} {row['base_url']:<32} {stored}"])
    return 0


def list_profiles(ctx: typer.Context, json: JsonOpt = False) -> None:
    run(ctx.obj, _list, json_flag=json)


def _switch(rt: Runtime, name: str) -> int:
    from sydium_cli.api.errors import UsageError
    from sydium_cli.config import DEFAULT_PROFILE, check_profile_name

    config = rt.settings.config
    assert config is not None
    check_profile_name(name)
    if name not in config.profiles() and name != DEFAULT_PROFILE:
        raise UsageError(
            f"No profile named {name!r}.",
            hint=f"Create it by logging in: sydium --profile {name} auth login  (see: sydium auth list)",
        )
    config.data["default_profile"] = name
    config.save()
    rt.out.info(f"Default profile is now {name!r}.")
    return 0


def switch(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Profile to make the default.", autocompletion=complete_profile)],
) -> None:
    run(ctx.obj, lambda rt: _switch(rt, name))


def register(app: typer.Typer) -> None:
    auth = typer.Typer(
        name="auth",
        help="Log in, check which key and mode are in use, log out, manage profiles.",
        context_settings=CONTEXT,
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    auth.command("login", help=LOGIN_HELP)(login)
    auth.command(
        "status",
        help="Show the profile, where the key comes from, the masked key, LIVE/TEST and whether the API "
        "accepts it. Exit 4 when there is no usable key."
        + examples("sydium auth status", "sydium auth status --json | jq .mode", "sydium --profile work auth status"),
    )(status)
    auth.command(
        "logout",
        help="Remove stored keys (logging out of nothing is not an error)."
        + examples("sydium auth logout", "sydium auth logout --profile work", "sydium auth logout --all"),
    )(logout)
    auth.command("list", help="List profiles, their base URLs and stored keys." + examples("sydium auth list --json"))(
        list_profiles
    )
    auth.command(
        "switch", help="Make a profile the default." + examples("sydium auth switch work", "sydium auth list")
    )(switch)
    app.add_typer(auth, name="auth")
    app.command("auth:login", hidden=True, help=LOGIN_HELP)(vendor_login)
    app.command("auth:status", hidden=True, help="Same as `sydium auth status`.")(status)
