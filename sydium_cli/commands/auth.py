"""`sydium auth`: log in (verify, then store), status, logout, profiles. Plus the vendor's `auth:login`."""

from typing import Annotated, Optional

import typer

from sydium_cli.commands._common import CONTEXT, JsonOpt, examples
from sydium_cli.completion_values import complete_profile
from sydium_cli.runtime import Runtime, run

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


def _login(
    rt: Runtime,
    *,
    profile: Optional[str],
    key_value: Optional[str],
    key_file: Optional[str],
    no_verify: bool,
    insecure: bool,
) -> int:
    from sydium_cli import auth_flow
    from sydium_cli.views_auth import login_lines

    outcome = auth_flow.login(
        rt, profile=profile, key_value=key_value, key_file=key_file, no_verify=no_verify, insecure=insecure
    )
    if rt.out.interactive:
        rt.out.lines(login_lines(outcome))
    else:
        rt.out.json(outcome.result)
    warning = auth_flow.env_shadow_warning()
    if warning:
        rt.out.warn(warning)
    return 0


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
    from sydium_cli.auth_flow import status_report
    from sydium_cli.views_auth import status_lines

    report, failure = status_report(rt, profile, verify)
    if not rt.out.interactive:
        rt.out.json(report)
    elif report["key"] is not None:
        rt.out.lines(status_lines(report))
    for warning in report["warnings"]:
        rt.out.warn(warning)
    if failure is not None:
        raise failure
    return 0


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
    from sydium_cli.auth_flow import logout as remove_keys
    from sydium_cli.views_auth import logout_json, logout_lines

    removed, names = remove_keys(rt.settings, profile, everything)
    if rt.out.interactive:
        rt.out.lines(logout_lines(removed, names))
    else:
        rt.out.json(logout_json(removed))
    return 0


def logout(
    ctx: typer.Context,
    profile: ProfileOpt = None,
    all_profiles: Annotated[bool, typer.Option("--all", help="Remove the keys of every profile.")] = False,
    json: JsonOpt = False,
) -> None:
    run(ctx.obj, lambda rt: _logout(rt, profile, all_profiles), json_flag=json)


def _list(rt: Runtime) -> int:
    from sydium_cli.auth_flow import profile_rows
    from sydium_cli.views_auth import profile_lines

    rows = profile_rows(rt.settings)
    if rt.out.interactive:
        rt.out.lines(profile_lines(rows))
    else:
        rt.out.json(rows)
    return 0


def list_profiles(ctx: typer.Context, json: JsonOpt = False) -> None:
    run(ctx.obj, _list, json_flag=json)


def _switch(rt: Runtime, name: str) -> int:
    from sydium_cli.auth_flow import switch as make_default

    make_default(rt.settings, name)
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
