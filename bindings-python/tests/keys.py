"""The shared test keys (tests/vectors/keys) and token helpers signed with PyJWT."""

from __future__ import annotations

import functools
import time
from typing import Any, Dict, Optional

import jwt

from .conftest import load_vectors

_V = load_vectors("tokens.json")
KEY_A: str = _V["keys"]["a"]  # private PEM
KEY_B: str = _V["keys"]["b"]
KEY_C: str = _V["keys"]["c_not_in_set"]
SERVICE = "gitlab-ai-gateway"


def public_pem(private_pem: str) -> str:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@functools.cache
def _loaded(private_pem: str) -> Any:
    # PyJWT would re-parse (and, with OpenSSL 3, re-validate) the PEM on every call.
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(private_pem.encode(), password=None)


def pyjwt_token(
    key: str, claims: Optional[Dict[str, Any]] = None, headers: Optional[Dict[str, Any]] = None, **kw: Any
) -> str:
    body: Dict[str, Any] = {
        "aud": SERVICE,
        "sub": "instance-1",
        "gitlab_realm": "saas",
        "scopes": ["duo_chat"],
    }
    body.update(claims or {})
    body.update(kw)
    return jwt.encode(body, _loaded(key), algorithm="RS256", headers=headers)


def now() -> int:
    return int(time.time())
