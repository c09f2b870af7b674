"""Results of `sydium auth` -> lines for a terminal. No I/O here: output.py decides where bytes go.

`Output.lines()` neutralises terminal escapes in every line, so server strings here are passed through as-is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sydium_cli.api.models import Account
    from sydium_cli.auth_flow import LoginOutcome
    from sydium_cli.credentials import Removed

MAX_NAMED_ACCOUNTS = 8


def login_lines(outcome: LoginOutcome) -> list[str]:
    result = outcome.result
    mode, profile, host = result["mode"], result["profile"], result["host"]
    lines = [f"[{mode}] Logged in: profile {profile!r} at {host}, key {result['key']} stored in {outcome.where}."]
    if outcome.accounts is None:
        lines.append("Not verified (--no-verify): the API was not asked whether it accepts this key.")
    else:
        lines.append(f"Verified: the API accepted the key ({accounts_summary(outcome.accounts)}).")
    if outcome.remember:
        lines.append(f"Profile {profile!r} now uses {result['base_url']}.")
    return lines


def accounts_summary(accounts: list[Account]) -> str:
    if not accounts:
        return "no connected accounts yet"
    shown = accounts[:MAX_NAMED_ACCOUNTS]
    names = ", ".join(f"{a.platform} {a.username or a.display_name or ''}".strip() for a in shown)
    more = f", +{len(accounts) - MAX_NAMED_ACCOUNTS} more" if len(accounts) > MAX_NAMED_ACCOUNTS else ""
    return f"{len(accounts)} connected account{'s' if len(accounts) != 1 else ''}: {names}{more}"


def status_lines(report: dict[str, Any]) -> list[str]:
    """The status block for a report that has a key (see auth_flow.status_report)."""
    mode = report["mode"]
    return [
        f"[{mode}] profile {report['profile']!r} · {report['base_url']}",
        f"  Key:      {report['key']} ({mode} mode)",
        f"  Source:   {report['source_detail']}",
        f"  Base URL: {report['base_url']} (from {report['base_url_source']})",
        f"  API:      {api_line(report)}",
    ]


def api_line(report: dict[str, Any]) -> str:
    if not report["verified"]:
        return "not checked" if report["error"] is None else "could not check (see below)"
    if not report["accepted"]:
        return "REFUSED this key"
    accounts = report["accounts"] or []
    if not accounts:
        return "accepted (no connected accounts yet)"
    names = ", ".join(f"{a.get('platform')} {a.get('username') or ''}".strip() for a in accounts)
    return f"accepted · {len(accounts)} connected: {names}"


def logout_json(removed: list[Removed]) -> dict[str, Any]:
    return {"removed": [{"profile": r.profile, "host": r.host, "storage": r.storage} for r in removed]}


def logout_lines(removed: list[Removed], names: list[str]) -> list[str]:
    if removed:
        return [f"Logged out: removed the key of profile {r.profile!r} for {r.host} ({r.storage})." for r in removed]
    return [f"No stored key for {', '.join(repr(n) for n in names)}: nothing to remove."]


def profile_lines(rows: list[dict[str, Any]]) -> list[str]:
    """One line per profile (see auth_flow.profile_rows); `*` marks the default."""
    lines = []
    for row in rows:
        mark = "*" if row["default"] else " "
        stored = ", ".join(f"{k['host']} ({k['mode']}, {k['storage']})" for k in row["keys"]) or "no stored key"
        lines.append(f"{mark} {row['profile']:<16} {row['base_url']:<32} {stored}")
    return lines
