"""The core's fetch hook as the package uses it (issue 13): the core gives the hook its timeout
and size limit and keeps every rule; a Python exception in the hook is the core's
``jwks_fetch_failed`` carrying that exception; the hook runs on the core's background refresh
thread (taking the GIL itself); plain ``http://`` through ``HTTP_PROXY`` reaches the proxy as an
absolute-form GET, never a CONNECT."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Iterator, List, Tuple

import pytest
from gitlab_cloud_connector import CompositeProvider, GitLabOidcProvider, _native
from gitlab_cloud_connector.errors import JwksFetchError, JwksInvalidError
from gitlab_cloud_connector.requests_fetch import requests_fetch

from .keys import KEY_C, SERVICE, pyjwt_token
from .oidc_server import DISCOVERY, JWKS, Issuer, jwk_of

ISSUER = "http://issuer.test"
MAX_BODY = 1024 * 1024


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


class Recorder:
    """A hook answering like an issuer, recording each call and the thread it ran on."""

    def __init__(self, answers: Any = None) -> None:
        self.calls: List[Tuple[str, float, int, int]] = []
        self.answers = answers

    def __call__(self, url: str, timeout: float, max_body: int) -> Tuple[int, bytes]:
        self.calls.append((url, timeout, max_body, threading.get_ident()))
        if self.answers is not None:
            return self.answers(url)  # type: ignore[no-any-return]
        if url.endswith(DISCOVERY):
            return 200, json.dumps({"jwks_uri": ISSUER + JWKS}).encode()
        return 200, json.dumps({"keys": [jwk_of(KEY_C, "gitlab-1")]}).encode()


def test_the_hook_is_given_the_timeout_and_the_size_limit() -> None:
    hook = Recorder()
    keys = _native.KeySource.oidc("Gitlab", ISSUER + "/ignored", 2.5, hook).load()
    assert [k["kid"] for k in keys["keys"]] == ["gitlab-1"]
    assert [c[:3] for c in hook.calls] == [
        (ISSUER + DISCOVERY, 2.5, MAX_BODY),
        (ISSUER + JWKS, 2.5, MAX_BODY),
    ]


@pytest.mark.parametrize(
    "answer,error,message",
    [
        ((503, b"{}"), JwksFetchError, "returned HTTP 503"),
        ((200, b" " * (MAX_BODY + 1)), JwksFetchError, "larger than"),
        ((200, b"{nope"), JwksInvalidError, "did not return JSON"),
        ((200, b"{}"), JwksInvalidError, "has no jwks_uri"),
    ],
)
def test_the_core_judges_what_the_hook_answers(answer: Tuple[int, bytes], error: type, message: str) -> None:
    source = _native.KeySource.oidc("Gitlab", ISSUER, 1.0, Recorder(lambda url: answer))
    with pytest.raises(error, match=message):
        source.load()


def test_an_exception_in_the_hook_is_jwks_fetch_failed_with_it_as_the_cause() -> None:
    boom = ZeroDivisionError("boom")

    def hook(url: str, timeout: float, max_body: int) -> Tuple[int, bytes]:
        raise boom

    with pytest.raises(JwksFetchError, match="boom") as raised:
        _native.KeySource.oidc("Gitlab", ISSUER, 1.0, hook).load()
    assert raised.value.code == "jwks_fetch_failed" and raised.value.__cause__ is boom

    wrong_shape = _native.KeySource.oidc("Gitlab", ISSUER, 1.0, lambda *a: "not a tuple")
    with pytest.raises(JwksFetchError):
        wrong_shape.load()


def test_the_hook_runs_on_the_background_refresh_thread() -> None:
    hook = Recorder()
    composite = _native.Composite([_native.KeySource.oidc("Gitlab", ISSUER, 1.0, hook)], expiry_seconds=1)
    token = pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})
    assert composite.authenticate(token, SERVICE)[0]
    time.sleep(1.1)  # the held keys are now due: the next call refreshes in the background
    assert composite.authenticate(token, SERVICE)[0]
    deadline = time.monotonic() + 10
    while composite.refreshes < 2 and time.monotonic() < deadline:
        time.sleep(0.01)  # this thread keeps running Python while the hook waits for the GIL
    assert composite.refreshes == 2 and len(hook.calls) == 4
    assert hook.calls[0][3] == threading.get_ident()  # the first load: the caller's thread
    assert threading.get_ident() not in {c[3] for c in hook.calls[2:]}  # the refresh: the core's


class Proxy:
    """An HTTP proxy on 127.0.0.1 that answers for the issuer itself and records request lines."""

    def __init__(self) -> None:
        self.lines: List[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_CONNECT(self) -> None:
                proxy.lines.append(self.requestline)
                self.send_error(405, "no tunnels here")

            def do_GET(self) -> None:
                proxy.lines.append(self.requestline)
                if self.path == ISSUER + DISCOVERY:
                    body = json.dumps({"jwks_uri": ISSUER + JWKS}).encode()
                elif self.path == ISSUER + JWKS:
                    body = json.dumps({"keys": [jwk_of(KEY_C, "gitlab-1")]}).encode()
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Proxy]:
    p = Proxy()
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", p.url)
    yield p
    p.close()


def test_plain_http_goes_through_the_proxy_as_an_absolute_form_get(proxy: Proxy) -> None:
    assert requests_fetch() is not None  # the requests hook is what fetches here
    provider = CompositeProvider([GitLabOidcProvider(None, {"Gitlab": ISSUER}, timeout_seconds=5)])
    assert provider.authenticate(pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})).authenticated
    assert proxy.lines == [
        f"GET {ISSUER}{DISCOVERY} HTTP/1.1",
        f"GET {ISSUER}{JWKS} HTTP/1.1",
    ]


def test_no_proxy_is_honoured(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    issuer = Issuer([jwk_of(KEY_C, "gitlab-1")])
    try:
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        provider = CompositeProvider([GitLabOidcProvider(None, {"Gitlab": issuer.url})])
        assert provider.authenticate(pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})).authenticated
        assert proxy.lines == [] and issuer.requests == [DISCOVERY, JWKS]
    finally:
        issuer.close()
