"""Smoke test of an installed wheel (make dist-check): catalog lookup, an issued token, and that
token verified (and refused for another audience). Prints one line; exits non-zero on failure."""

import platform

import gitlab_cloud_connector as cc
from gitlab_cloud_connector import GitLabUnitPrimitive, KeyRing, KeySet, data_model

assert GitLabUnitPrimitive("duo_chat") == "duo_chat"
chat = next(u for u in data_model.load_catalog().unit_primitives if u.name == "duo_chat")
assert "duo_pro" in [a.name if hasattr(a, "name") else a for a in chat.add_ons], chat.add_ons

ring = KeyRing()
ring.create_new_key()
token, claims = ring.issue_instance_token(
    issuer="https://gitlab.example",
    subject="00000000-0000-4000-8000-000000000001",
    realm="self-managed",
    active_add_ons=["duo_pro"],
)
assert "duo_chat" in claims["scopes"], claims
keys = KeySet.from_jwks(ring.jwks())
verified = keys.verify(token, ["gitlab-ai-gateway"])
assert verified["sub"] == "00000000-0000-4000-8000-000000000001", verified
try:
    keys.verify(token, ["someone-else"])
    raise AssertionError("a token for another audience verified")
except cc.CloudConnectorError as e:
    assert e.code, e
print(f"smoke python ({platform.machine()}): catalog, issued and verified token: ok ({cc.__file__})")
