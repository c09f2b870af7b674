"""Which API key to use and where it came from. The keyring and profiles build on this seam."""

from __future__ import annotations

import os
from dataclasses import dataclass

from sydium_cli.api.errors import CredentialsError
from sydium_cli.api.secret import KEY_PREFIXES, SecretKey
from sydium_cli.config import ENV_API_KEY, Settings

SOURCE_FLAG = "--api-key flag"
SOURCE_ENV = f"environment ({ENV_API_KEY})"
SOURCE_SANDBOX = "sandbox"


@dataclass(frozen=True)
class ResolvedKey:
    key: SecretKey
    source: str


def check_key_shape(value: str) -> SecretKey:
    value = value.strip()
    if not value.startswith(KEY_PREFIXES):
        raise CredentialsError(
            "That does not look like a Sydium API key (it must start with sk_live_ or sk_test_).",
            hint="Copy the key from Sydium's dashboard (Settings → API keys).",
        )
    if len(value) <= len("sk_live_") or any(c.isspace() for c in value):
        raise CredentialsError("The API key is malformed (empty after its prefix, or containing spaces).")
    return SecretKey(value)


def resolve_key(settings: Settings) -> ResolvedKey:
    """The key by precedence: --api-key > SYDIUM_API_KEY; raises CredentialsError when none."""
    if settings.api_key_flag:
        return ResolvedKey(check_key_shape(settings.api_key_flag), SOURCE_FLAG)
    env_value = os.environ.get(ENV_API_KEY)
    if env_value:
        return ResolvedKey(check_key_shape(env_value), SOURCE_ENV)
    raise CredentialsError(
        "No API key found.",
        hint=f"Set {ENV_API_KEY}, or try everything without a key: sydium --sandbox ...",
    )
