"""Key fetches through ``requests`` when it imports: the consumers' tests fake the OIDC endpoints
with ``responses`` and ``requests_mock``, which see only ``requests``, and deployments rely on its
CA bundle (``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``) and proxy rules (``HTTP(S)_PROXY``,
``NO_PROXY``; plain ``http://`` goes to the proxy as an absolute-form GET, never a CONNECT). The
core gives the timeout and the size limit and judges the answer (status, size, JSON); this only
moves the bytes. Without ``requests`` the core's own client fetches."""

from __future__ import annotations

from typing import Callable, Optional, Tuple

Fetch = Callable[[str, float, int], Tuple[int, bytes]]

_CHUNK = 64 * 1024


def requests_fetch() -> Optional[Fetch]:
    """The hook for ``_native.KeySource.oidc(..., fetch=)``, or None when ``requests`` is absent."""
    try:
        import requests
    except ImportError:
        return None

    def fetch(url: str, timeout_seconds: float, max_body: int) -> Tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        with requests.get(url, headers=headers, timeout=timeout_seconds, stream=True) as response:
            body = bytearray()
            # Reading stops one byte past the limit: enough for the core to refuse the body.
            for chunk in response.iter_content(chunk_size=_CHUNK):
                body += chunk
                if len(body) > max_body:
                    break
            return response.status_code, bytes(body)

    return fetch
