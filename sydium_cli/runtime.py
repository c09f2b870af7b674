"""Builds settings, output, the resolved key and a lazy client; the one error boundary."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NoReturn

from sydium_cli.api.errors import ExitCode, SydiumError
from sydium_cli.api.secret import redact
from sydium_cli.config import Settings
from sydium_cli.output import Output

if TYPE_CHECKING:
    from sydium_cli.api.client import SydiumClient
    from sydium_cli.credentials import ResolvedKey

SANDBOX_BASE_URL = "http://sandbox.sydium.invalid"


@dataclass
class Runtime:
    settings: Settings
    out: Output
    _client: SydiumClient | None = None
    _key: ResolvedKey | None = field(default=None, repr=False)

    # ---- credentials ----------------------------------------------------------------------------

    def key(self) -> ResolvedKey:
        """The resolved key (touches the keyring only when called, so key-less commands never do)."""
        if self._key is None:
            from sydium_cli import credentials

            if self.settings.sandbox:
                self._key = credentials.sandbox_key()
            else:
                self._key = credentials.resolve_key(self.settings)
        return self._key

    @property
    def mode_label(self) -> str:
        """SANDBOX, LIVE or TEST: the headline marker of commands that use a key."""
        if self.settings.sandbox:
            return "SANDBOX"
        return self.key().key.mode

    # ---- the API client -------------------------------------------------------------------------

    @property
    def api_base_url(self) -> str:
        """The base URL requests go to (the embedded sandbox has its own)."""
        return SANDBOX_BASE_URL if self.settings.sandbox else self.settings.base_url

    def client(self) -> SydiumClient:
        if self._client is None:
            from sydium_cli.api.client import SydiumClient

            transport = None
            if self.settings.sandbox:
                from sydium_cli.sandbox import embedded_transport

                transport = embedded_transport(self.settings.sandbox_state)
            self._client = SydiumClient(
                self.api_base_url,
                key_provider=lambda: self.key().key,
                timeout=self.settings.timeout,
                transport=transport,
                debug_log=self.debug if self.settings.debug else None,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def debug(self, line: str) -> None:
        self.out.stderr.write(f"[debug] {redact(line)}\n")


def fail(error: SydiumError, out: Output) -> NoReturn:
    out.error(redact(error.message), redact(error.hint) if error.hint else None)
    raise SystemExit(int(error.exit_code))


@contextmanager
def boundary(out: Output, *, debug: bool = False) -> Iterator[None]:
    """Turn every error into one message + hint on stderr and its documented exit code."""
    try:
        yield
    except SydiumError as error:
        if debug:
            _print_traceback(out)
        fail(error, out)
    except KeyboardInterrupt:
        out.error("Interrupted.")
        raise SystemExit(int(ExitCode.INTERRUPTED)) from None
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): not an error worth a message.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(int(ExitCode.ERROR)) from None
    except (SystemExit, GeneratorExit):
        raise
    except Exception as exc:  # a bug: loud, but never with locals, and the key redacted
        if debug:
            _print_traceback(out)
        out.error(
            redact(f"Unexpected error: {type(exc).__name__}: {exc}"),
            "This is a bug in sydium. Re-run with --debug for the traceback and report it.",
        )
        raise SystemExit(int(ExitCode.ERROR)) from None


def _print_traceback(out: Output) -> None:
    import traceback

    out.stderr.write(redact(traceback.format_exc()))


def run(
    ctx_obj: object,
    body: Callable[[Runtime], int | None],
    *,
    json_flag: bool = False,
    quiet: bool = False,
) -> None:
    """Run a command body inside the error boundary and exit with its code."""
    rt = ctx_obj if isinstance(ctx_obj, Runtime) else None
    if rt is None:  # pragma: no cover - the root callback always sets it
        raise RuntimeError("runtime missing")
    if json_flag or quiet:
        rt.out = Output(json_flag=json_flag, quiet=quiet)
    try:
        with boundary(rt.out, debug=rt.settings.debug):
            code = body(rt)
    finally:
        rt.close()
    raise SystemExit(int(code or 0))
