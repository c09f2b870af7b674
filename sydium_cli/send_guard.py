"""Duplicate protection around every publish: the ledger check, the API's scheduled list, the guarded send.

The Sydium API has no idempotency key, so this is the only thing between a re-run job and a double post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sydium_cli.api import errors as E
from sydium_cli.api.models import CreatePostRequest, Operation, ScheduledPost
from sydium_cli.ledger import (
    BLOCKING,
    CANCELLED,
    FAILED,
    NOT_SENT,
    PUBLISHED,
    REJECTED,
    SCHEDULED,
    UNKNOWN,
    Ledger,
    default_path,
    fingerprint,
    normalize_text,
    parse_time,
    raise_for,
    summarize,
)

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.config import Settings

REMOTE_WINDOW = timedelta(minutes=2)


def remote_duplicate(client: SydiumClient, request: CreatePostRequest) -> ScheduledPost | None:
    """A scheduled post on the API with the same caption, an overlapping platform and the same time.

    Protects a fresh CI runner whose ledger is empty. Only scheduled posts can be found: the API does
    not list published ones. A key without `posts:read` skips the check rather than blocking the send.
    """
    when = parse_time(request.schedule_at)
    if when is None:
        return None
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    try:
        posts = client.list_posts((when - REMOTE_WINDOW).strftime(fmt), (when + REMOTE_WINDOW).strftime(fmt))
    except (E.PermissionDeniedError, E.NotFoundError):
        return None
    caption = normalize_text(request.caption)
    platforms = {t.platform.strip().lower() for t in request.targets}
    for post in posts:
        if post.status == "cancelled" or normalize_text(post.caption) != caption:
            continue
        other = parse_time(post.scheduled_for)
        if other is None or abs((other - when).total_seconds()) >= 60:
            continue
        if platforms & {p.strip().lower() for p in post.platforms}:
            return post
    return None


def outcome_state(request: CreatePostRequest, operation: Operation) -> str:
    """The ledger state for an operation the API accepted."""
    if operation.status in ("failed", "cancelled") and not any(
        t.status in ("published", "processing", "scheduled") for t in operation.targets
    ):
        return FAILED
    if request.schedule_at or operation.status == "scheduled":
        return SCHEDULED
    return PUBLISHED


def guarded_send(
    client: SydiumClient,
    request: CreatePostRequest,
    ledger: Ledger,
    fp: str,
    *,
    force: bool,
    summary: str | None = None,
    remote_check: bool = True,
) -> Operation:
    """check -> (remote check) -> begin -> create_post -> finish. The only way a post should go out."""
    ledger.check(fp, force)
    if remote_check and not force:
        remote = remote_duplicate(client, request)
        if remote is not None:
            raise _remote_duplicate_error(remote)
    entry_id = ledger.claim(fp, summary if summary is not None else summarize(request), force=force)
    try:
        operation = client.create_post(request)
    except E.UnknownOutcomeError:
        ledger.finish(fp, None, UNKNOWN, entry_id=entry_id)
        raise
    except E.APIError as error:
        provably_refused = 400 <= error.status < 500
        ledger.finish(fp, None, REJECTED if provably_refused else UNKNOWN, entry_id=entry_id)
        raise
    except (E.NetworkError, E.UsageError, E.CredentialsError):
        ledger.finish(fp, None, NOT_SENT, entry_id=entry_id)  # raised before any byte reached the API
        raise
    except BaseException:  # Ctrl-C mid-request, or a bug: it may have gone out
        ledger.finish(fp, None, UNKNOWN, entry_id=entry_id)
        raise
    ledger.finish(fp, operation.id, outcome_state(request, operation), entry_id=entry_id)
    return operation


@dataclass(frozen=True)
class Duplicate:
    """A post of this invocation that went out before (`certain`) or may have (an unknown outcome)."""

    index: int  # in the invocation's list of requests
    error: E.DuplicateError  # what refusing it says
    operation_id: str | None
    certain: bool


def find_duplicates(client: SydiumClient, requests: list[CreatePostRequest], settings: Settings) -> Iterator[Duplicate]:
    """The ledger's verdict on every request first, then the API's scheduled list for the others (lazily,
    so a caller that stops at the first duplicate makes no more requests than it needs)."""
    with Ledger.for_settings(settings) as ledger:
        entries = [
            ledger.find(fingerprint(request, media_digests={}, host=client.base_url, profile=settings.profile))
            for request in requests
        ]
    found: set[int] = set()
    for index, entry in enumerate(entries):
        if entry is None:
            continue
        try:
            raise_for(entry)
        except E.DuplicateError as error:
            found.add(index)
            yield Duplicate(index, error, entry.operation_id, certain=entry.state in BLOCKING)
    for index, request in enumerate(requests):
        if index not in found and (remote := remote_duplicate(client, request)) is not None:
            yield Duplicate(index, _remote_duplicate_error(remote), remote.id, certain=True)


def preflight(client: SydiumClient, requests: list[CreatePostRequest], settings: Settings, *, force: bool) -> None:
    """Refuse the whole invocation before anything is sent when any of its posts is a duplicate."""
    if force:
        return
    for duplicate in find_duplicates(client, requests, settings):
        raise duplicate.error


def _remote_duplicate_error(remote: ScheduledPost) -> E.DuplicateError:
    return E.DuplicateError(
        f"The same post is already scheduled for {remote.scheduled_for} (operation {remote.id}).",
        hint=f"`sydium posts show {remote.id}` shows it. To schedule it again anyway, re-run with --force.",
    )


def sender_for(
    client: SydiumClient, settings: Settings, *, force: bool, media_digests: dict[str, str] | None = None
) -> Callable[[CreatePostRequest], Operation]:
    """What the post pipeline calls instead of `client.create_post`: every send goes through the ledger."""

    def send(request: CreatePostRequest) -> Operation:
        fp = fingerprint(request, media_digests=media_digests or {}, host=client.base_url, profile=settings.profile)
        with Ledger.for_settings(settings) as ledger:
            # `preflight` already looked for the same post in the API's scheduled list.
            return guarded_send(client, request, ledger, fp, force=force, remote_check=False)

    return send


def record_cancellation(settings: Settings, operation: Operation) -> None:
    """After `posts cancel`: a fully cancelled operation no longer blocks sending the same post again."""
    if any(t.status != CANCELLED for t in operation.targets):
        return  # something went or may still go out: the earlier record keeps protecting
    path = default_path(settings)
    if not path.exists():
        return
    with Ledger.for_settings(settings) as ledger:
        ledger.update_operation(operation.id, CANCELLED)
