"""A verifying TLS context that reads its CA certificates at the first handshake, not at start-up.

Loading the CA bundle costs about 20 ms, a tenth of a whole `sydium post`. A run that never opens a TLS
connection (a loopback sandbox over plain HTTP, a dry run that fails early) should not pay it; a run that
does pays it once, just before its first handshake. Verification itself is unchanged: hostname checked,
certificate required, and the same trust store httpx would pick (SSL_CERT_FILE, SSL_CERT_DIR, else certifi).
"""

from __future__ import annotations

import os
import ssl
import threading
from typing import Any


def trust_locations() -> tuple[str | None, str | None]:
    """(cafile, capath) as httpx chooses them with trust_env: the environment first, else certifi."""
    if os.environ.get("SSL_CERT_FILE"):
        return os.environ["SSL_CERT_FILE"], None
    if os.environ.get("SSL_CERT_DIR"):
        return None, os.environ["SSL_CERT_DIR"]
    import certifi

    return certifi.where(), None


class DeferredTrustContext(ssl.SSLContext):
    """`ssl.create_default_context()` for clients, with the CA load deferred to the first wrap."""

    def __new__(cls) -> DeferredTrustContext:
        return super().__new__(cls, ssl.PROTOCOL_TLS_CLIENT)

    def __init__(self) -> None:
        # PROTOCOL_TLS_CLIENT already requires a certificate and checks the hostname.
        self._trust_lock = threading.Lock()
        self.trust_loaded = False
        keylog = os.environ.get("SSLKEYLOGFILE")
        if keylog and hasattr(self, "keylog_filename"):
            self.keylog_filename = keylog  # as ssl.create_default_context does

    def _load_trust(self) -> None:
        if self.trust_loaded:
            return
        with self._trust_lock:  # a batch sends from several threads over one client
            if not self.trust_loaded:
                cafile, capath = trust_locations()
                self.load_verify_locations(cafile=cafile, capath=capath)
                self.trust_loaded = True

    def wrap_socket(self, *args: Any, **kwargs: Any) -> ssl.SSLSocket:
        self._load_trust()
        return super().wrap_socket(*args, **kwargs)

    def wrap_bio(self, *args: Any, **kwargs: Any) -> ssl.SSLObject:
        self._load_trust()
        return super().wrap_bio(*args, **kwargs)
