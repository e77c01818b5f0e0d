"""Lists of plain strings (a token's ``scopes``) are copies of one list kept per text: each
caller gets its own list with the right entries, past the table's bound too."""

from __future__ import annotations

import time

import jwt
from gitlab_cloud_connector import KeySet

from .conftest import load_vectors

V = load_vectors("tokens.json")
KID = next(k["kid"] for k in V["jwks"]["keys"] if k.get("kid") == "a")


def token(claims: dict[str, object]) -> str:
    claims = {"aud": "svc", "exp": int(time.time()) + 60, **claims}
    return jwt.encode(claims, V["keys"]["a"], algorithm="RS256", headers={"kid": KID})


def test_each_caller_gets_its_own_copy_of_a_kept_list() -> None:
    keys = KeySet.from_jwks(V["jwks"])
    scopes = ["duo_chat", "code_suggestions", "duo_chat"]
    t = token({"scopes": scopes, "aud": ["svc", "other"]})
    first = keys.verify(t, ["svc"])
    first["scopes"].append("mine")
    first["scopes"][0] = "changed"
    first["aud"].clear()
    for _ in range(2):
        again = keys.verify(t, ["svc"])
        assert again["scopes"] == scopes and again["aud"] == ["svc", "other"]
        assert again["scopes"] is not first["scopes"]
        # The entries are the shared str objects, in a new list.
        assert all(type(s) is str for s in again["scopes"])


def test_lists_past_the_bound_and_lists_that_are_not_plain_are_built_whole() -> None:
    keys = KeySet.from_jwks(V["jwks"])
    # More distinct lists than a table keeps (256), then each once more.
    for _ in range(2):
        for i in range(300):
            expected = [f"scope_{i}", "duo_chat"]
            assert keys.verify(token({"scopes": expected}), ["svc"])["scopes"] == expected
    odd = ["tab\there", 'quote"d', "ünï", 1, None, ["nested"], {"a": "b"}]
    for _ in range(2):
        got = keys.verify(token({"scopes": odd}), ["svc"])["scopes"]
        assert got == odd
        got.append("mine")
    assert keys.verify(token({"scopes": []}), ["svc"])["scopes"] == []
