"""PY-AUTH-01..13 and PY-JWT-01..11 through the public API (exact strings, user states)."""

from __future__ import annotations

import gc
import weakref
from typing import Any, Dict, Optional
from unittest.mock import Mock

import pytest
from gitlab_cloud_connector import (
    CloudConnectorUser,
    CompositeProvider,
    CriticalAuthError,
    LocalAuthProvider,
    NoServiceNameError,
    StaticJwksProvider,
    UserClaims,
    authenticate,
)

from .keys import KEY_A, KEY_B, KEY_C, SERVICE, now, public_pem, pyjwt_token


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


@pytest.fixture
def provider() -> CompositeProvider:
    return CompositeProvider([LocalAuthProvider(Mock(), KEY_A, KEY_B)], Mock())


def headers(token: Optional[str], **extra: str) -> Dict[str, str]:
    h = {
        "X-Gitlab-Authentication-Type": "oidc",
        "X-Gitlab-Realm": "saas",
        "X-Gitlab-Instance-Id": "instance-1",
    }
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    h.update(extra)
    return h


def test_py_auth_01_bypass(provider: CompositeProvider) -> None:
    for p in (provider, None):
        user, err = authenticate({"X-Gitlab-Global-User-Id": "9"}, p, bypass_auth=True)
        assert err is None and user.authenticated and user.is_debug
        assert user.global_user_id == "9" and user.claims is None
    user, _ = authenticate({}, None, bypass_auth=True)
    assert user.global_user_id is None


def test_py_auth_02_03_missing_or_bad_authorization(provider: CompositeProvider) -> None:
    user, err = authenticate({"X-Gitlab-Global-User-Id": "9"}, provider)
    assert err is not None and err.error_message == "No authorization header presented"
    assert not user.authenticated and user.claims is None and user.global_user_id is None
    user, err = authenticate({"Authorization": "invalid"}, provider)
    assert err is not None and err.error_message == "Invalid authorization header"
    assert user.claims is None


def test_py_auth_04_wrong_auth_type(provider: CompositeProvider) -> None:
    h = headers(
        pyjwt_token(KEY_A), **{"X-Gitlab-Authentication-Type": "saml", "X-Gitlab-Global-User-Id": "u"}
    )
    user, err = authenticate(h, provider)
    assert (
        err is not None and err.error_message == "Invalid authentication token type - only OIDC is supported"
    )
    assert user.claims == UserClaims() and user.claims is not None and user.global_user_id == "u"


def test_py_auth_05_provider_rejects(provider: CompositeProvider) -> None:
    user, err = authenticate(headers(pyjwt_token(KEY_C)), provider)
    assert err is not None and err.error_message == "Forbidden by auth provider"
    assert not user.authenticated and user.claims == UserClaims()


def test_py_auth_06_to_09_header_claim_consistency(provider: CompositeProvider) -> None:
    tok = pyjwt_token(KEY_A, gitlab_instance_id="instance-1")
    _, err = authenticate(headers(tok, **{"X-Gitlab-Instance-Id": "other"}), provider)
    assert err is not None and err.error_message == "Header mismatch 'X-Gitlab-Instance-Id'"
    user, err = authenticate(headers(tok, **{"X-Gitlab-Realm": "self-managed"}), provider)
    assert err is not None and err.error_message == "Header mismatch 'X-Gitlab-Realm'"
    assert user.claims is not None and user.claims.gitlab_realm == "saas"  # the real claims
    own = pyjwt_token(KEY_A, iss=SERVICE, sub="user-1")
    _, err = authenticate(headers(own, **{"X-Gitlab-Global-User-Id": "user-2"}), provider)
    assert err is not None and err.error_message == "Header mismatch 'X-Gitlab-Global-User-Id'"
    user, err = authenticate(headers(own, **{"X-Gitlab-Global-User-Id": "user-1"}), provider)
    assert err is None and user.authenticated
    # PY-AUTH-09: an empty claim is not compared.
    empty = pyjwt_token(KEY_A, gitlab_realm="", sub="")
    user, err = authenticate(headers(empty, **{"X-Gitlab-Realm": "anything"}), provider)
    assert err is None and user.authenticated


def test_py_auth_10_12_success_scopes_and_lower_case_keys(provider: CompositeProvider) -> None:
    tok = pyjwt_token(KEY_A, scopes=["duo_chat", "complete_code"])
    lower = {k.lower(): v for k, v in headers(tok, **{"X-Gitlab-Global-User-Id": "g"}).items()}
    lower["x-grpc-bin"] = b"\x00\x01"  # type: ignore[assignment]
    user, err = authenticate(lower, provider)
    assert err is None and user.authenticated and user.global_user_id == "g"
    assert user.claims is not None and user.claims.scopes == ["duo_chat", "complete_code"]


def test_py_auth_11_seat_count_is_log_only(provider: CompositeProvider) -> None:
    tok = pyjwt_token(KEY_A, duo_seat_count="33")
    user, err = authenticate(headers(tok), provider)
    assert (
        err is None and user.authenticated and user.claims is not None and user.claims.duo_seat_count == "33"
    )


def test_py_auth_13_any_object_with_authenticate_works() -> None:
    claims = UserClaims(gitlab_realm="saas", subject="instance-1", scopes=["duo_chat"], extra={"k": 1})

    class Stub:
        def authenticate(self, token: str) -> CloudConnectorUser:
            assert token == "tok"
            return CloudConnectorUser(True, claims=claims)

    user, err = authenticate(headers("tok"), Stub())
    assert err is None and user.authenticated and user.claims is claims  # the same object back
    _, err = authenticate(headers("tok", **{"X-Gitlab-Realm": "x"}), Stub())
    assert err is not None and err.error_message == "Header mismatch 'X-Gitlab-Realm'"

    class Rejecting:
        def authenticate(self, token: str) -> Any:
            return CloudConnectorUser(False)

    user, err = authenticate(headers("tok"), Rejecting())
    assert (
        err is not None and err.error_message == "Forbidden by auth provider" and user.claims == UserClaims()
    )

    class Raising:
        def authenticate(self, token: str) -> Any:
            raise KeyError("boom")

    with pytest.raises(KeyError):
        authenticate(headers("tok"), Raising())


def test_py_jwt_01_local_keys_no_exp_no_iss(provider: CompositeProvider) -> None:
    for key in (KEY_A, KEY_B):
        user = provider.authenticate(pyjwt_token(key, {"custom": True}))
        assert user.authenticated and user.claims is not None and user.claims.extra == {"custom": True}


def test_py_jwt_02_03_forged_key_and_signature_bypass() -> None:
    forged = pyjwt_token(KEY_C)
    strict = CompositeProvider([LocalAuthProvider(None, KEY_A, "")])
    user = strict.authenticate(forged)
    assert not user.authenticated and user.claims == UserClaims() and user.claims.gitlab_realm == ""
    bypass = CompositeProvider([LocalAuthProvider(None, KEY_A, "")], bypass_auth_jwt_signature=True)
    assert bypass.authenticate(forged).authenticated
    # Claim checks still apply in bypass mode, and `none` never passes.
    assert not bypass.authenticate(pyjwt_token(KEY_C, exp=now() - 10)).authenticated


def test_py_jwt_05_no_keys_raises_critical_auth_error() -> None:
    for jwks in ({"keys": []},):
        p = CompositeProvider([StaticJwksProvider(None, jwks)])
        with pytest.raises(CompositeProvider.CriticalAuthError) as info:
            p.authenticate(pyjwt_token(KEY_A))
        assert isinstance(info.value, CriticalAuthError) and isinstance(info.value, Exception)
        assert "No keys founds in JWKS" in str(info.value)


def test_py_jwt_07_expiry_edges(provider: CompositeProvider) -> None:
    t = now()
    assert provider.authenticate(pyjwt_token(KEY_A, exp=t + 2)).authenticated
    assert not provider.authenticate(pyjwt_token(KEY_A, exp=t - 1)).authenticated
    assert not provider.authenticate(pyjwt_token(KEY_A, nbf=t + 60)).authenticated


def test_py_jwt_08_11_audience_rules(provider: CompositeProvider) -> None:
    assert provider.authenticate(pyjwt_token(KEY_A, aud=["other", SERVICE])).authenticated
    assert not provider.authenticate(pyjwt_token(KEY_A, aud=["other"])).authenticated
    assert not provider.authenticate(pyjwt_token(KEY_A, aud=[SERVICE, 5])).authenticated
    # PY-JWT-11 (D1): a token without aud is rejected.
    no_aud = pyjwt_token(KEY_A)
    import jwt as pyjwt

    body = pyjwt.decode(no_aud, options={"verify_signature": False})
    del body["aud"]
    assert not provider.authenticate(pyjwt.encode(body, KEY_A, algorithm="RS256")).authenticated


def test_py_jwt_09_other_algorithms_refused(provider: CompositeProvider) -> None:
    import jwt as pyjwt

    hs = pyjwt.encode({"aud": SERVICE}, "secret-that-is-long-enough-for-hs256-xx", algorithm="HS256")
    assert not provider.authenticate(hs).authenticated
    none = pyjwt.encode({"aud": SERVICE}, None, algorithm="none")  # type: ignore[arg-type]
    assert not provider.authenticate(none).authenticated


def test_py_jwt_10_audience_follows_the_service_name(
    provider: CompositeProvider, monkeypatch: pytest.MonkeyPatch
) -> None:
    tok = pyjwt_token(KEY_A, aud="gitlab-duo-workflow-service")
    assert not provider.authenticate(tok).authenticated
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", "gitlab-duo-workflow-service")
    assert provider.authenticate(tok).authenticated
    monkeypatch.delenv("CLOUD_CONNECTOR_SERVICE_NAME")
    from gitlab_cloud_connector import CloudConnectorConfig

    saved = CloudConnectorConfig._service_name
    CloudConnectorConfig.set_service_name(None)
    try:
        with pytest.raises(NoServiceNameError):
            provider.authenticate(tok)
    finally:
        CloudConnectorConfig.set_service_name(saved)


def test_py_jwks_04_public_pem_as_validation_key() -> None:
    p = CompositeProvider([LocalAuthProvider(None, "", public_pem(KEY_B))])
    assert p.authenticate(pyjwt_token(KEY_B)).authenticated
    kids = [k["kid"] for k in p.jwks()["keys"]]
    assert kids == [f"{SERVICE}_validation_key"]


def test_interop_our_verifier_accepts_pyjwt_tokens_with_kid(provider: CompositeProvider) -> None:
    kid = f"{SERVICE}_signing_key"
    assert provider.authenticate(pyjwt_token(KEY_A, headers={"kid": kid})).authenticated
    # A kid naming the other key is checked against that key only.
    assert not provider.authenticate(
        pyjwt_token(KEY_A, headers={"kid": f"{SERVICE}_validation_key"})
    ).authenticated


def test_cache_hits_hand_out_fresh_mutable_claims(provider: CompositeProvider) -> None:
    # The AI gateway mutates claims.extra in place; a cached token must not see that mutation.
    tok = pyjwt_token(KEY_A, gitlab_root_namespace_id="1", scopes=["duo_chat"])
    first = provider.authenticate(tok)
    assert first.claims is not None and first.claims.extra is not None
    first.claims.extra["gitlab_project_id"] = "leaked"
    first.claims.scopes.append("leaked")
    second = provider.authenticate(tok)
    assert second.claims is not None and second.claims.extra == {"gitlab_root_namespace_id": "1"}
    assert second.claims.scopes == ["duo_chat"] and second.claims == provider.authenticate(tok).claims
    assert second.claims.extra is not first.claims.extra
    assert type(second.claims) is UserClaims and second.authenticated


def test_authenticate_builds_the_package_objects(provider: CompositeProvider) -> None:
    # The native side builds the user and its claims: the same classes and attributes as the
    # Python constructors give, for a miss, a hit and a rejected token.
    tok = pyjwt_token(KEY_A, scopes=["duo_chat"])
    for user in (provider.authenticate(tok), provider.authenticate(tok), provider.authenticate("x.y.z")):
        assert type(user) is CloudConnectorUser and type(user.claims) is UserClaims
        assert vars(user) == vars(CloudConnectorUser(user.authenticated, False, None, user.claims))
    assert provider.authenticate(tok).claims.scopes == ["duo_chat"]  # type: ignore[union-attr]
    assert vars(provider.authenticate("x.y.z"))["_claims"] == UserClaims()


def test_a_provider_is_freed_with_its_last_reference() -> None:
    # The native composite reaches the provider's refresh logger through a weak method only, so
    # no cycle keeps a dropped provider (and its keys and token cache) alive.
    p = CompositeProvider([LocalAuthProvider(Mock(), KEY_A, KEY_B)], Mock())
    assert p.authenticate(pyjwt_token(KEY_A)).authenticated
    gone = weakref.ref(p)
    gc.disable()
    try:
        del p
        assert gone() is None
    finally:
        gc.enable()


def test_the_native_composite_is_given_its_user_types_once() -> None:
    p = CompositeProvider([LocalAuthProvider(Mock(), KEY_A, KEY_B)], Mock())
    with pytest.raises(TypeError, match="bind_user was called already"):
        p._use_native(p._native)
