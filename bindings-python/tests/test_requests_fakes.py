"""Key fetches are visible to ``responses`` and ``requests_mock``: the consumers' tests fake the
OIDC discovery and JWKS endpoints with them and must keep working unchanged (issue 13). Without
``requests`` the core's own client fetches."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
from typing import Any, Dict
from unittest.mock import patch

import jwt
import pytest
import requests
import requests_mock
import responses
import structlog
from gitlab_cloud_connector import (
    CompositeProvider,
    GitLabOidcProvider,
    LocalAuthProvider,
    authenticate,
)

from .keys import KEY_A, KEY_B, KEY_C, SERVICE, public_pem
from .oidc_server import jwk_of

GITLAB = "http://test.com"
CUSTOMERS = "http://customers.test.com"
DISCOVERY = "/.well-known/openid-configuration"
CLAIMS = {"gitlab_realm": "self-managed", "scopes": ["code_suggestions"], "aud": SERVICE}

# Tokens signed with PyJWT, as the consumers' tests sign them (no kid: tried against every key).
GITLAB_TOKEN = jwt.encode(CLAIMS, KEY_C, algorithm="RS256")
CUSTOMERS_TOKEN = jwt.encode(CLAIMS, KEY_B, algorithm="RS256")
FORGED_TOKEN = jwt.encode(CLAIMS, KEY_A, algorithm="RS256")


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


def jwks_body(private_pem: str, kid: str) -> str:
    return json.dumps({"keys": [jwk_of(private_pem, kid)]})


def oidc_composite(log: Any = structlog) -> CompositeProvider:
    oidc = GitLabOidcProvider(log, {"Gitlab": GITLAB, "CustomersDot": CUSTOMERS})
    return CompositeProvider([oidc], log)


@responses.activate
def test_responses_fakes_discovery_and_jwks() -> None:
    calls = [
        responses.get(
            f"{GITLAB}{DISCOVERY}", body=json.dumps({"jwks_uri": f"{GITLAB}/oauth/discovery/keys"})
        ),
        responses.get(f"{CUSTOMERS}{DISCOVERY}", json={"jwks_uri": f"{CUSTOMERS}/oauth/discovery/keys"}),
        responses.get(f"{GITLAB}/oauth/discovery/keys", body=jwks_body(KEY_C, "gitlab-1")),
        responses.get(f"{CUSTOMERS}/oauth/discovery/keys", body=jwks_body(KEY_B, "customers-1")),
    ]
    local = LocalAuthProvider(structlog, KEY_A, public_pem(KEY_A))
    oidc = GitLabOidcProvider(structlog, {"Gitlab": GITLAB, "CustomersDot": CUSTOMERS})
    provider = CompositeProvider([local, oidc], structlog)

    assert provider.authenticate(GITLAB_TOKEN).authenticated
    assert provider.authenticate(CUSTOMERS_TOKEN).claims.scopes == ["code_suggestions"]
    user, error = authenticate(
        {
            "Authorization": f"Bearer {GITLAB_TOKEN}",
            "X-Gitlab-Authentication-Type": "oidc",
            "X-Gitlab-Realm": "self-managed",
        },
        provider,
    )
    assert error is None and user.authenticated
    assert [c.call_count for c in calls] == [1, 1, 1, 1]  # one refresh, served from the cache after

    kids = [k["kid"] for k in provider.cache.get(provider.CACHE_KEY).value["keys"]]
    assert kids == [f"{SERVICE}_signing_key", f"{SERVICE}_validation_key", "gitlab-1", "customers-1"]


def test_requests_mock_fakes_discovery_and_jwks() -> None:
    with requests_mock.Mocker() as m:
        m.get(f"{GITLAB}{DISCOVERY}", json={"jwks_uri": f"{GITLAB}/keys"})
        m.get(f"{GITLAB}/keys", text=jwks_body(KEY_C, "gitlab-1"))
        m.get(f"{CUSTOMERS}{DISCOVERY}", json={"jwks_uri": f"{CUSTOMERS}/keys"})
        m.get(f"{CUSTOMERS}/keys", text=jwks_body(KEY_B, "customers-1"))
        provider = oidc_composite()
        assert provider.authenticate(GITLAB_TOKEN).authenticated
        assert provider.authenticate(CUSTOMERS_TOKEN).authenticated
        user = provider.authenticate(FORGED_TOKEN)
        assert not user.authenticated and user.claims.gitlab_realm == ""
        assert m.call_count == 4
        assert m.request_history[0].headers["Accept"] == "application/json"


@responses.activate
@pytest.mark.parametrize("broken", ["discovery", "jwks"])
def test_a_request_exception_reaches_log_exception_as_raised(broken: str) -> None:
    failure = requests.exceptions.RequestException(f"{broken} request failed")
    responses.get(f"{GITLAB}{DISCOVERY}", json={"jwks_uri": f"{GITLAB}/keys"})
    responses.get(f"{GITLAB}/keys", body=jwks_body(KEY_C, "gitlab-1"))
    if broken == "discovery":
        responses.get(f"{CUSTOMERS}{DISCOVERY}", body=failure)
    else:
        responses.get(f"{CUSTOMERS}{DISCOVERY}", json={"jwks_uri": f"{CUSTOMERS}/keys"})
        responses.get(f"{CUSTOMERS}/keys", body=failure)
    provider = oidc_composite()

    with patch("gitlab_cloud_connector.providers.log_exception") as mock_log_exception:
        user = provider.authenticate(GITLAB_TOKEN)
        mock_log_exception.assert_called_once_with(failure, {"oidc_provider": "CustomersDot"})

    assert user.authenticated  # the other provider's keys still verify


def test_without_requests_the_core_client_fetches(tmp_path: pathlib.Path) -> None:
    # A fresh interpreter in which `import requests` fails, against a real issuer on 127.0.0.1.
    script = """
import sys
sys.modules["requests"] = None
import jwt
from gitlab_cloud_connector import CompositeProvider, GitLabOidcProvider
from tests.keys import KEY_C
from tests.oidc_server import Issuer, jwk_of
issuer = Issuer([jwk_of(KEY_C, "gitlab-1")])
provider = CompositeProvider([GitLabOidcProvider(None, {"Gitlab": issuer.url})])
token = jwt.encode({"aud": "gitlab-ai-gateway"}, KEY_C, algorithm="RS256")
assert provider.authenticate(token).authenticated
assert issuer.requests == ["/.well-known/openid-configuration", "/jwks"], issuer.requests
print("fetched", issuer.requests)
"""
    env: Dict[str, str] = {**os.environ, "CLOUD_CONNECTOR_SERVICE_NAME": SERVICE}
    root = pathlib.Path(__file__).resolve().parents[1]
    run = subprocess.run(
        [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert "fetched" in run.stdout
