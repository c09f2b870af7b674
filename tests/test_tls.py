"""The CA bundle is read at the first TLS handshake, and verification is exactly as strict as before."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme
from pytest_httpserver import HTTPServer

from sydium_cli.api import errors as E
from sydium_cli.api.client import SydiumClient
from sydium_cli.api.tls import DeferredTrustContext, trust_locations

HEALTH = json.dumps({"success": True, "data": {"status": "ok", "version": "1.0.0"}, "meta": {}})


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[HTTPServer, Path]]:
    """An HTTPS server on 127.0.0.1 with a certificate from a throwaway CA; yields it and the CA's PEM."""
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    ca_pem = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_pem))
    server = HTTPServer(host="127.0.0.1", port=0, ssl_context=server_context)
    server.expect_request("/v1/health").respond_with_data(HEALTH, content_type="application/json")
    server.start()
    try:
        yield server, ca_pem
    finally:
        server.clear()
        server.stop()


def _client(server: HTTPServer) -> SydiumClient:
    return SydiumClient(server.url_for("").rstrip("/"), timeout=5)


def _context(client: SydiumClient) -> DeferredTrustContext:
    context = client._http._transport._pool._ssl_context  # type: ignore[attr-defined]
    assert isinstance(context, DeferredTrustContext)
    return context


def test_the_context_verifies_like_create_default_context() -> None:
    context = DeferredTrustContext()
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert not context.trust_loaded


def test_trust_store_follows_the_environment_like_httpx(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    cafile, capath = trust_locations()
    assert cafile is not None and Path(cafile).is_file() and capath is None  # certifi's bundle
    monkeypatch.setenv("SSL_CERT_DIR", str(tmp_path))
    assert trust_locations() == (None, str(tmp_path))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    assert trust_locations() == (str(tmp_path / "ca.pem"), None)


def test_plain_http_never_reads_the_ca_bundle(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/v1/health").respond_with_data(HEALTH, content_type="application/json")
    with SydiumClient(httpserver.url_for("").rstrip("/")) as client:
        assert client.health().status == "ok"
        assert not _context(client).trust_loaded


def test_https_loads_the_trust_store_at_the_first_handshake(
    tls_server: tuple[HTTPServer, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, ca_pem = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_pem))
    with _client(server) as client:
        assert not _context(client).trust_loaded
        assert client.health().version == "1.0.0"
        assert _context(client).trust_loaded


def test_a_certificate_from_an_untrusted_ca_is_refused(
    tls_server: tuple[HTTPServer, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    server, _ca_pem = tls_server
    other = tmp_path / "other-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(other))
    monkeypatch.setenv("SSL_CERT_FILE", str(other))
    with _client(server) as client, pytest.raises(E.NetworkError) as info:
        client.health()
    assert "certificate" in info.value.message.lower()
    assert len(server.log) == 0  # the handshake failed: no request reached the server
