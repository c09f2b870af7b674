"""One exception hierarchy for the whole tool; each error carries its exit code and an optional hint."""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1
    USAGE = 2
    UNKNOWN_OUTCOME = 3
    AUTH = 4
    RATE_LIMITED = 5
    TARGET_FAILED = 6
    DUPLICATE = 7
    WAIT_TIMEOUT = 8
    INTERRUPTED = 130


class SydiumError(Exception):
    """Base of every error the CLI reports as a message plus hint instead of a traceback."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(SydiumError):
    """Bad flags, bad post files, local validation failures."""

    exit_code = ExitCode.USAGE


class ConfigError(SydiumError):
    """A settings, state or file problem on this machine."""


class DuplicateError(SydiumError):
    """Refused as a duplicate of a post already published or scheduled."""

    exit_code = ExitCode.DUPLICATE


class WaitTimeout(SydiumError):
    exit_code = ExitCode.WAIT_TIMEOUT


class CredentialsError(SydiumError):
    """No usable key, a key the keyring cannot give, or a key refused locally."""

    exit_code = ExitCode.AUTH


# ---- transport-level errors -------------------------------------------------------------------


class NetworkError(SydiumError):
    """The API could not be reached (nothing was sent, or a read failed)."""

    def __init__(self, message: str, *, hint: str | None = None, retryable: bool = True) -> None:
        super().__init__(message, hint=hint)
        self.retryable = retryable  # False when a retry cannot help (bad certificate, unknown host)


class UnknownOutcomeError(SydiumError):
    """A publish may have reached the API but no answer came back: never retried."""

    exit_code = ExitCode.UNKNOWN_OUTCOME


class ResponseError(SydiumError):
    """The server answered with something that is not the documented envelope or schema."""

    def __init__(self, message: str, *, status: int | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


# ---- API errors (the server said success: false) ----------------------------------------------


class APIError(SydiumError):
    """The API answered with an error envelope."""

    def __init__(
        self,
        message: str,
        *,
        status: int,
        code: str | None = None,
        hint: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.code = code
        self.body = body
        self.retry_after = retry_after


class BadRequestError(APIError):
    exit_code = ExitCode.USAGE


class AuthenticationError(APIError):
    exit_code = ExitCode.AUTH


class PermissionDeniedError(APIError):
    exit_code = ExitCode.AUTH


class NotFoundError(APIError):
    pass


class ValidationFailedError(APIError):
    exit_code = ExitCode.USAGE


class PayloadTooLargeError(APIError):
    exit_code = ExitCode.USAGE


class RateLimitedError(APIError):
    exit_code = ExitCode.RATE_LIMITED


class ServerError(APIError):
    pass


_BY_STATUS: dict[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    422: ValidationFailedError,
    429: RateLimitedError,
}

_BY_CODE: dict[str, type[APIError]] = {
    "bad_request": BadRequestError,
    "unauthorized": AuthenticationError,
    "forbidden": PermissionDeniedError,
    "insufficient_permissions": PermissionDeniedError,
    "not_found": NotFoundError,
    "unprocessable": ValidationFailedError,
    "payload_too_large": PayloadTooLargeError,
    "rate_limited": RateLimitedError,
    "invalid_state": ValidationFailedError,
    "external_service_error": ServerError,
    "internal_error": ServerError,
}

_HINTS: dict[type[APIError], str] = {
    AuthenticationError: "The API did not accept the key. Check it with `sydium auth status`, "
    "or log in again with `sydium auth login`.",
    PermissionDeniedError: "The key lacks a scope or team permission for this action. "
    "Create a key with the needed scope in Sydium's dashboard.",
    NotFoundError: "Check the id or name; `sydium posts list` shows scheduled operations.",
    ValidationFailedError: "Fix the request as the message says; `--dry-run` shows what would be sent.",
    BadRequestError: "Fix the request as the message says; `--dry-run` shows what would be sent.",
    PayloadTooLargeError: "Use a smaller file or fewer media items.",
    RateLimitedError: "Wait a little and try again; if it persists, the team may be out of tokens.",
}


def error_class_for(status: int, code: str | None) -> type[APIError]:
    """Pick the error class by HTTP status first, then by code; unknown ones still get a class."""
    if status in _BY_STATUS:
        return _BY_STATUS[status]
    if status >= 500:
        return ServerError
    if code and code in _BY_CODE:
        return _BY_CODE[code]
    if 400 <= status < 500:
        return BadRequestError
    return APIError


def api_error(
    status: int,
    code: str | None,
    message: str,
    *,
    body: Any = None,
    retry_after: float | None = None,
) -> APIError:
    cls = error_class_for(status, code)
    label = f"{code}, HTTP {status}" if code else f"HTTP {status}"
    hint = _HINTS.get(cls)
    if cls is ServerError:
        hint = "The API had a problem on its side; try again in a moment."
    return cls(f"{message} ({label})", status=status, code=code, hint=hint, body=body, retry_after=retry_after)
