"""PY-JWKS-06: REQUESTS_CA_BUNDLE is honoured for key fetches (a TLS issuer on 127.0.0.1 whose
certificate only a generated CA vouches for)."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import pathlib
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from gitlab_cloud_connector import CompositeProvider, GitLabOidcProvider, cloud_connector_ready

from .keys import KEY_C, SERVICE, pyjwt_token
from .test_providers_http import jwk_of


def _cert(subject: str, key: Any, issuer_name: x509.Name, issuer_key: Any, ca: bool) -> x509.Certificate:
    now = dt.datetime.now(dt.timezone.utc)
    b = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        b = b.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
    return b.sign(issuer_key, hashes.SHA256())


@pytest.fixture
def tls_issuer(tmp_path: pathlib.Path) -> Iterator[tuple[str, pathlib.Path]]:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = _cert("test CA", ca_key, ca_name, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    cert = _cert("127.0.0.1", key, ca_name, ca_key, ca=False)
    ca_pem = tmp_path / "ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    jwks = json.dumps({"keys": [jwk_of(KEY_C, "gitlab-1")]}).encode()
    state: dict = {}  # type: ignore[type-arg]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            body = (
                json.dumps({"jwks_uri": state["url"] + "/jwks"}).encode() if "openid" in self.path else jwks
            )
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tmp_path / "server.pem", tmp_path / "server.key")
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    state["url"] = f"https://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state["url"], ca_pem
    server.shutdown()
    server.server_close()


def test_py_jwks_06_requests_ca_bundle_is_honoured(
    tls_issuer: tuple[str, pathlib.Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, ca_pem = tls_issuer
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(name, raising=False)
    token = pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})

    untrusted = CompositeProvider([GitLabOidcProvider(None, {"Gitlab": url}, timeout_seconds=5)])
    assert not cloud_connector_ready(untrusted), "an unknown CA must not be trusted"

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_pem))
    trusted = CompositeProvider([GitLabOidcProvider(None, {"Gitlab": url}, timeout_seconds=5)])
    assert cloud_connector_ready(trusted)
    assert trusted.authenticate(token).authenticated
