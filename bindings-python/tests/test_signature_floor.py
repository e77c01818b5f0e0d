"""`_native.SignatureFloor`: the raw signature check benchmarks time beside `KeySet.verify`."""

from __future__ import annotations

import base64

import pytest
from gitlab_cloud_connector import KeySet, _native
from gitlab_cloud_connector.errors import InvalidSignatureError, TokenMalformedError

from .conftest import load_vectors

V = load_vectors("tokens.json")


def test_prepares_the_signers_check_and_refuses_a_token_no_key_verifies() -> None:
    keys = KeySet.from_jwks(V["jwks"])
    valid = next(c["token"] for c in V["cases"] if c["expected"]["valid"])
    floor = _native.SignatureFloor(valid, keys)
    assert floor.check() and floor.check()
    head, _, _ = valid.rpartition(".")
    forged = f"{head}.{base64.urlsafe_b64encode(bytes([7]) * 256).rstrip(b'=').decode()}"
    with pytest.raises(InvalidSignatureError):
        _native.SignatureFloor(forged, keys)
    with pytest.raises(TokenMalformedError):
        _native.SignatureFloor("not a token", keys)
