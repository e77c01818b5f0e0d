"""A real OIDC issuer on 127.0.0.1 for provider tests: discovery document and JWKS, behaviour
switchable while it runs (ok, slow JWKS, HTTP 500, garbage, no ``jwks_uri``), taken down and brought
back on the same port, and every request counted."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

from cryptography.hazmat.primitives import serialization
from jwt.algorithms import RSAAlgorithm

DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/jwks"


def jwk_of(private_pem: str, kid: str) -> Dict[str, Any]:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    jwk: Dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)  # type: ignore[arg-type]
    jwk.update(kid=kid, use="sig", alg="RS256")
    return jwk


class Issuer:
    """An OIDC issuer: discovery document and JWKS, with switchable faults."""

    def __init__(self, keys: List[Dict[str, Any]]) -> None:
        self.keys = keys
        self.mode = "ok"  # ok | garbage | status500 | no_jwks_uri | slow
        self.delay = 0.0
        self.requests: List[str] = []
        self._lock = threading.Lock()
        self.server = self._serve(0)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def _serve(self, port: int) -> ThreadingHTTPServer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with issuer._lock:
                    issuer.requests.append(self.path)
                if issuer.mode == "slow" and self.path == JWKS:
                    time.sleep(issuer.delay)
                if issuer.mode == "status500":
                    body, status = b"oops", 500
                elif issuer.mode == "garbage":
                    body, status = b"{not json", 200
                elif self.path == DISCOVERY:
                    doc = {} if issuer.mode == "no_jwks_uri" else {"jwks_uri": f"{issuer.url}{JWKS}"}
                    body, status = json.dumps(doc).encode(), 200
                elif self.path == JWKS:
                    body, status = json.dumps({"keys": issuer.keys}).encode(), 200
                else:
                    body, status = b"", 404
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (timeout) first

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server

    def hits(self, path: str) -> int:
        with self._lock:
            return self.requests.count(path)

    def down(self) -> None:
        """Nothing listens on the port any more: connections are refused."""
        self.close()

    def up(self) -> None:
        """Listens again on the same port."""
        self.server = self._serve(self.port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
