"""PY-TA-01..05, PY-USER-01..05, key rings and instance tokens, with PyJWT/python-jose interop."""

from __future__ import annotations

import pathlib
import time
from unittest.mock import Mock

import jwt
import pytest
from gitlab_cloud_connector import (
    CloudConnectorUser,
    CompositeProvider,
    GitLabUnitPrimitive,
    KeyRing,
    KeySet,
    LocalAuthProvider,
    TokenAuthority,
    UserClaims,
)
from gitlab_cloud_connector.errors import CloudConnectorError, KeyInvalidError, KeyRingError
from jose import jwt as jose_jwt

from .keys import KEY_A, SERVICE, public_pem


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


def user(**claims: object) -> CloudConnectorUser:
    return CloudConnectorUser(True, claims=UserClaims(**claims))  # type: ignore[arg-type]


def test_py_ta_01_02_decodes_with_python_jose_and_pyjwt() -> None:
    before = int(time.time())
    token, expires_at = TokenAuthority(KEY_A).encode(
        "user-1", "saas", user(), "instance-1", [GitLabUnitPrimitive.COMPLETE_CODE, "duo_chat"]
    )
    decoded = jose_jwt.decode(
        token, public_pem(KEY_A), audience=SERVICE, algorithms=CompositeProvider.SUPPORTED_ALGORITHMS
    )
    assert decoded["iss"] == decoded["aud"] == SERVICE
    assert (decoded["sub"], decoded["gitlab_realm"], decoded["gitlab_instance_id"]) == (
        "user-1",
        "saas",
        "instance-1",
    )
    assert decoded["scopes"] == ["complete_code", "duo_chat"]
    assert (
        isinstance(decoded["iat"], int)
        and decoded["iat"] == decoded["nbf"]
        and isinstance(decoded["jti"], str)
    )
    assert expires_at == decoded["exp"] and before + 3600 <= decoded["exp"] <= int(time.time()) + 3600
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT"}
    assert jwt.decode(token, public_pem(KEY_A), audience=SERVICE, algorithms=["RS256"])["sub"] == "user-1"


def test_py_ta_03_broken_key_fails_in_encode_only() -> None:
    authority = TokenAuthority("BROKEN_KEY")
    with pytest.raises(Exception) as info:
        authority.encode("u", "saas", user(), "i", [])
    assert isinstance(info.value, KeyInvalidError)


def test_py_ta_04_extra_claims_override_and_keep_types() -> None:
    token, _ = TokenAuthority(KEY_A).encode(
        "u",
        "saas",
        user(),
        42,
        [],
        extra_claims={"iss": "gitlab-rails", "gitlab_root_namespace_id": None, "n": 7},
    )
    decoded = jwt.decode(token, public_pem(KEY_A), audience=SERVICE, algorithms=["RS256"])
    assert decoded["iss"] == "gitlab-rails" and decoded["gitlab_root_namespace_id"] is None
    assert decoded["n"] == 7 and decoded["gitlab_instance_id"] == 42
    with pytest.raises(TypeError):
        TokenAuthority(KEY_A).encode("u", "saas", user(), "i", [], extra_claims={"x": object()})


def test_py_ta_05_and_py_jwt_06_round_trip_through_local_provider(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", "gitlab-duo-workflow-service")
    token, _ = TokenAuthority(KEY_A).encode(
        "u",
        "saas",
        user(),
        "i",
        ["duo_chat"],
        extra_claims={"iss": "gitlab-rails", "gitlab_root_namespace_id": "123"},
    )
    assert jwt.decode(token, public_pem(KEY_A), audience="gitlab-duo-workflow-service", algorithms=["RS256"])
    u = CompositeProvider([LocalAuthProvider(Mock(), KEY_A, public_pem(KEY_A))], Mock()).authenticate(token)
    assert u.authenticated and u.claims is not None
    assert u.claims.extra is not None and u.claims.extra["gitlab_root_namespace_id"] == "123"
    assert u.claims.issuer == "gitlab-rails"


def test_seat_count_from_the_current_user() -> None:
    token, _ = TokenAuthority(KEY_A).encode("u", "saas", user(duo_seat_count="5"), "i", [])
    assert jwt.decode(token, options={"verify_signature": False})["duo_seat_count"] == "5"
    debug = CloudConnectorUser(True, is_debug=True)  # claims None: no seat count, no error
    token, _ = TokenAuthority(KEY_A).encode("u", "saas", debug, "i", [])
    assert "duo_seat_count" not in jwt.decode(token, options={"verify_signature": False})


def test_py_user_01_to_05() -> None:
    u = user(
        issuer="gitlab-ai-gateway", scopes=["duo_chat", "not_a_unit_primitive", "analyze_ci_job_failure"]
    )
    assert u.can("duo_chat") and u.can(GitLabUnitPrimitive.DUO_CHAT)
    assert not u.can("duo_chat", disallowed_issuers=["gitlab-ai-gateway"])
    assert not u.can("") and not u.can(None) and not u.can("complete_code")
    debug = CloudConnectorUser(True, is_debug=True, claims=UserClaims(issuer="x"))
    assert debug.can("anything", disallowed_issuers=["x"])
    assert not CloudConnectorUser(True).can("duo_chat")
    assert CloudConnectorUser(False, claims=UserClaims(scopes=["duo_chat"])).can(
        "duo_chat"
    )  # authenticated not consulted
    assert u.unit_primitives == [GitLabUnitPrimitive.DUO_CHAT, GitLabUnitPrimitive.ANALYZE_CI_JOB_FAILURE]
    assert CloudConnectorUser(True).unit_primitives == []
    m = Mock(spec=CloudConnectorUser)
    for name in (
        "authenticated",
        "is_authenticated",
        "is_debug",
        "global_user_id",
        "claims",
        "unit_primitives",
        "can",
    ):
        assert hasattr(m, name)
    d: dict = {}  # type: ignore[type-arg]
    assert UserClaims(extra=d).extra is d
    assert vars(CloudConnectorUser(True, global_user_id="g")) == {
        "_authenticated": True,
        "_is_debug": False,
        "_global_user_id": "g",
        "_claims": None,
    }


def test_key_ring_rules_jwks_and_instance_tokens(tmp_path: pathlib.Path) -> None:
    ring = KeyRing()
    ring.trim()  # as in Rails: nothing to remove, nothing refused
    assert ring.kids == []
    first = ring.create_new_key()
    with pytest.raises(KeyRingError) as info:
        ring.rotate()
    assert str(info.value) == "Key rotation requires exactly 2 keys, found 1"
    second = ring.create_new_key()
    assert ring.kids == [first, second]
    ring.rotate()
    assert ring.kids == [second, first]
    ring.save_dir(str(tmp_path / "ring"))
    again = KeyRing.load_dir(str(tmp_path / "ring"))
    assert again.kids == ring.kids
    jwks = ring.jwks()
    assert [k["kid"] for k in jwks["keys"]] == [second, first]
    assert all(k["use"] == "sig" and k["alg"] == "RS256" for k in jwks["keys"])

    token, claims = ring.issue_instance_token(
        issuer="https://gitlab.com", subject="uuid", realm="saas", active_add_ons=["code_suggestions"]
    )
    assert jwt.get_unverified_header(token)["kid"] == second
    keys = KeySet.from_jwks(jwks)
    verified = keys.verify(token, ["gitlab-ai-gateway"])
    assert verified == claims and "duo_chat" in verified["scopes"] and verified["nbf"] == verified["iat"] - 5
    signing_jwk = jwt.PyJWKSet.from_dict(jwks)[second]
    assert (
        jwt.decode(token, signing_jwk.key, audience="gitlab-ai-gateway", algorithms=["RS256"])["sub"]
        == "uuid"
    )
    ring.trim()
    assert ring.kids == [second]
    with pytest.raises(KeyRingError) as info:
        ring.trim()
    assert str(info.value) == "Refusing to remove single key, as it is in use"
    with pytest.raises(CloudConnectorError):
        KeyRing(["not a pem"])
