"""`_native.SignatureFloor` and `_native.SigningFloor` (the raw RSA operations benchmarks time
beside `KeySet.verify` and issuance), and claims handed over whole past the table of shared
strings."""

from __future__ import annotations

import base64
import time

import jwt
import pytest
from gitlab_cloud_connector import KeySet, _native
from gitlab_cloud_connector.errors import InvalidSignatureError, KeyInvalidError, TokenMalformedError

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


def test_claims_are_whole_and_fresh_past_the_shared_strings_table() -> None:
    # More distinct list entries than the per-thread table of shared strings keeps (4096), some
    # longer than it keeps (64 bytes), non-ASCII ones and non-ASCII names.
    keys = KeySet.from_jwks(V["jwks"])
    kid = next(k["kid"] for k in V["jwks"]["keys"] if k.get("kid") == "a")
    entries = [f"unit_primitive_{i}" for i in range(5000)] + ["x" * 65, "ключ ✓"]
    claims = {"aud": "svc", "exp": int(time.time()) + 60, "scopes": entries, "名前": ["a"]}
    token = jwt.encode(claims, V["keys"]["a"], algorithm="RS256", headers={"kid": kid})
    for _ in range(2):
        got = keys.verify(token, ["svc"], max_token_size=1 << 20)
        assert got["scopes"] == entries and got["名前"] == ["a"]
        got["scopes"].append("mine")  # the caller's own list
    assert len(keys.verify(token, ["svc"], max_token_size=1 << 20)["scopes"]) == len(entries)


def test_signing_floor_signs_an_issued_tokens_input_and_refuses_bad_input() -> None:
    pem = V["keys"]["a"]
    issued = _native.SigningFloor(pem, jwt.encode({"sub": "u"}, pem, algorithm="RS256"))
    assert issued.sign() and issued.sign()
    with pytest.raises(KeyInvalidError):
        _native.SigningFloor("not a key", jwt.encode({"sub": "u"}, pem, algorithm="RS256"))
    with pytest.raises(TokenMalformedError):
        _native.SigningFloor(pem, "not a token")
