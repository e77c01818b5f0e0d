"""tests/vectors/tokens.json through the Python package: the same results as the Rust core."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from gitlab_cloud_connector import (
    CloudConnectorConfig,
    CompositeProvider,
    KeySet,
    LocalAuthProvider,
    UserClaims,
    authenticate,
    jwk_thumbprint,
)
from gitlab_cloud_connector.errors import CloudConnectorError

from .conftest import load_vectors

V = load_vectors("tokens.json")


def _validation(case: Dict[str, Any]) -> Dict[str, Any]:
    v = dict(V["default_validation"])
    v.update(case.get("validation") or {})
    return v


@pytest.mark.parametrize("case", V["cases"], ids=[c["id"] for c in V["cases"]])
def test_token_vector(case: Dict[str, Any]) -> None:
    keys = KeySet.from_jwks(V["jwks"])
    v = _validation(case)
    kwargs = dict(
        algorithms=v["algorithms"],
        issuer=v["issuer"],
        leeway=v["leeway"],
        max_token_size=v["max_token_size"],
        reject_future_iat=v["reject_future_iat"],
        verify_signature=v["verify_signature"],
        now=case["now"],
    )
    if case["expected"]["valid"]:
        claims = keys.verify(case["token"], v["audiences"], **kwargs)
        assert isinstance(claims, dict)
    else:
        with pytest.raises(CloudConnectorError) as info:
            keys.verify(case["token"], v["audiences"], **kwargs)
        assert info.value.code == case["expected"]["error"], str(info.value)


@pytest.mark.parametrize("case", V["jwks_cases"], ids=[c["id"] for c in V["jwks_cases"]])
def test_jwks_vector(case: Dict[str, Any]) -> None:
    want = case["expected"]
    if "error" in want:
        with pytest.raises(CloudConnectorError) as info:
            KeySet.from_jwks(case["jwks"])
        assert info.value.code == want["error"]
    else:
        keys = KeySet.from_jwks(case["jwks"])
        for name, value in want.items():
            if name == "keys":
                assert len(keys) == value
            elif name == "skipped":
                assert len(keys.skipped) == value
            elif name == "kids":
                assert keys.kids == value


@pytest.mark.parametrize("case", V["jwk_cases"], ids=[c["id"] for c in V["jwk_cases"]])
def test_jwk_vector(case: Dict[str, Any]) -> None:
    want = case["expected"]
    if "error" in want:
        with pytest.raises(CloudConnectorError) as info:
            jwk_thumbprint(case["jwk"])
        assert info.value.code == want["error"]
    else:
        assert jwk_thumbprint(case["jwk"]) == want["thumbprint"]


AUTH = V["authenticate"]


@pytest.mark.parametrize("case", AUTH["cases"], ids=[c["id"] for c in AUTH["cases"]])
def test_authenticate_vector(case: Dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", AUTH["service_name"])
    assert CloudConnectorConfig().service_name == AUTH["service_name"]
    provider = CompositeProvider([LocalAuthProvider(None, V["keys"]["a"], V["keys"]["b"])])
    user, error = authenticate(case["headers"], provider, bypass_auth=case["bypass_auth"])
    want = case["expected"]
    assert (error.error_message if error else None) == want["error"]
    assert user.authenticated == want["authenticated"]
    assert user.is_debug == want["is_debug"]
    assert user.global_user_id == want["global_user_id"]
    if want["claims"] is None:
        assert user.claims is None
    elif want["claims"] == "empty":
        assert user.claims == UserClaims()
    else:
        assert user.claims is not None
        for field, value in want["claims"].items():
            assert getattr(user.claims, field) == value, field
