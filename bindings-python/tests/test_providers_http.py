"""PY-JWKS-01..05 and the threading contract, against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator, List, Tuple
from unittest.mock import Mock, patch

import gitlab_cloud_connector
import jwt
import pytest
from gitlab_cloud_connector import (
    CompositeProvider,
    GitLabOidcProvider,
    LocalAuthProvider,
    cloud_connector_ready,
)

from .keys import KEY_A, KEY_B, KEY_C, SERVICE, pyjwt_token
from .oidc_server import Issuer, jwk_of


@pytest.fixture
def issuers() -> Iterator[Tuple[Issuer, Issuer]]:
    gitlab = Issuer([jwk_of(KEY_C, "gitlab-1")])
    customers = Issuer([jwk_of(KEY_B, "customers-1")])
    yield gitlab, customers
    gitlab.close()
    customers.close()


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


def composite(gitlab: Issuer, customers: Issuer, log: Any = None, local: bool = True) -> CompositeProvider:
    providers: List[Any] = [LocalAuthProvider(log, KEY_A, KEY_B)] if local else []
    providers.append(
        GitLabOidcProvider(log, {"Gitlab": gitlab.url + "/ignored/path", "CustomersDot": customers.url})
    )
    return CompositeProvider(providers, log)


def test_py_jwks_01_key_order(issuers: Tuple[Issuer, Issuer]) -> None:
    gitlab, customers = issuers
    kids = [k["kid"] for k in composite(gitlab, customers).jwks()["keys"]]
    assert kids == [f"{SERVICE}_signing_key", f"{SERVICE}_validation_key", "gitlab-1", "customers-1"]
    # The discovery path is at the origin: a path in the base URL is dropped.
    assert gitlab.requests[0] == "/.well-known/openid-configuration"


@pytest.mark.parametrize("fault", ["garbage", "status500", "no_jwks_uri"])
def test_py_jwks_02_a_broken_provider_does_not_affect_the_other(
    issuers: Tuple[Issuer, Issuer], fault: str
) -> None:
    gitlab, customers = issuers
    gitlab.mode = fault
    log = Mock()
    p = composite(gitlab, customers, log=log, local=False)
    with patch("gitlab_cloud_connector.providers.log_exception") as log_exception:
        kids = [k["kid"] for k in p.jwks()["keys"]]
    assert kids == ["customers-1"]
    assert [c.args[1] for c in log_exception.call_args_list] == [{"oidc_provider": "Gitlab"}]
    errors = log.getLogger.return_value.error.call_args_list
    assert any(
        c.args == ("Incomplete JWKS cached: some key providers failed, no old cache to fall back to",)
        for c in errors
    )
    assert p.authenticate(pyjwt_token(KEY_B, headers={"kid": "customers-1"})).authenticated
    assert not cloud_connector_ready(p)
    assert len(gitlab.requests) == 1 and len(customers.requests) == 2  # one discovery, one JWKS


def test_py_jwks_03_refresh_is_logged_once(issuers: Tuple[Issuer, Issuer]) -> None:
    log = Mock()
    p = composite(*issuers, log=log)
    logger = log.getLogger.return_value
    log.getLogger.assert_called_with("cloud_connector")
    token = pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})
    assert p.authenticate(token).authenticated
    refreshed = [c for c in logger.info.call_args_list if c.args and c.args[0] == "JWKS refreshed"]
    # Each provider's own line, then the composite's (test_v1_surface.py has the details).
    assert [c.kwargs["provider"] for c in refreshed] == [
        "LocalAuthProvider",
        "GitLabOidcProvider",
        "CompositeProvider",
    ]
    assert "gitlab-1" in refreshed[-1].kwargs["kids"]
    assert p.authenticate(token).authenticated  # from the cache: nothing more logged
    assert len([c for c in logger.info.call_args_list if c.args and c.args[0] == "JWKS refreshed"]) == 3


def test_py_jwks_05_readiness_and_patching(issuers: Tuple[Issuer, Issuer]) -> None:
    gitlab, customers = issuers
    assert cloud_connector_ready(composite(gitlab, customers)) is True
    gitlab.close()
    assert cloud_connector_ready(composite(gitlab, customers)) is False
    with patch("gitlab_cloud_connector.cloud_connector_ready", return_value=True):
        assert gitlab_cloud_connector.cloud_connector_ready(None) is True


def test_provider_down_at_start_then_back(issuers: Tuple[Issuer, Issuer]) -> None:
    gitlab, customers = issuers
    gitlab.mode = "status500"
    p = composite(gitlab, customers, local=False)
    token = pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})
    assert not p.authenticate(token).authenticated
    gitlab.mode = "ok"
    p.load_jwks()
    assert p.authenticate(token).authenticated and p.ready()


def test_rotation_a_new_kid_is_picked_up_without_restart(issuers: Tuple[Issuer, Issuer]) -> None:
    gitlab, customers = issuers
    p = composite(gitlab, customers, local=False)
    assert p.jwks()["keys"]
    gitlab.keys = [jwk_of(KEY_C, "gitlab-1"), jwk_of(KEY_A, "gitlab-2")]
    assert p.authenticate(pyjwt_token(KEY_A, headers={"kid": "gitlab-2"})).authenticated


def test_verification_continues_while_a_slow_refresh_is_in_flight(issuers: Tuple[Issuer, Issuer]) -> None:
    gitlab, customers = issuers
    p = composite(gitlab, customers)
    token = pyjwt_token(KEY_A)
    assert p.authenticate(token).authenticated  # keys held
    # Distinct tokens, so each is a real signature check, not a cache hit.
    tokens = [pyjwt_token(KEY_A, n=i) for i in range(200)]
    gitlab.mode, gitlab.delay = "slow", 3.0
    refresher = threading.Thread(target=p.load_jwks)
    refresher.start()
    while not any(r == "/jwks" for r in gitlab.requests[2:]):
        time.sleep(0.01)  # the slow JWKS request has reached the server
    verified = 0
    while refresher.is_alive() and verified < len(tokens):
        assert p.authenticate(tokens[verified]).authenticated
        verified += 1
    assert refresher.is_alive(), "verifications had to wait for the fetch"
    assert verified == 200
    refresher.join()


def test_pyjwt_verifies_tokens_of_our_issuance_with_published_keys(issuers: Tuple[Issuer, Issuer]) -> None:
    p = composite(*issuers)
    keys = {k["kid"]: k for k in p.jwks()["keys"]}
    from gitlab_cloud_connector import CloudConnectorUser, TokenAuthority, UserClaims

    token, _ = TokenAuthority(KEY_A).encode(
        "u", "saas", CloudConnectorUser(True, claims=UserClaims()), "i", ["duo_chat"]
    )
    key = jwt.PyJWK(keys[f"{SERVICE}_signing_key"]).key
    assert jwt.decode(token, key, audience=SERVICE, algorithms=["RS256"])["scopes"] == ["duo_chat"]


def test_asyncio_code_keeps_verifying_while_a_fetch_runs_in_an_executor(
    issuers: Tuple[Issuer, Issuer],
) -> None:
    import asyncio

    gitlab, customers = issuers
    p = composite(gitlab, customers)
    tokens = [pyjwt_token(KEY_A, n=i) for i in range(50)]
    assert p.authenticate(tokens[0]).authenticated

    async def run() -> int:
        gitlab.mode, gitlab.delay = "slow", 2.0
        loop = asyncio.get_running_loop()
        fetch = loop.run_in_executor(None, p.load_jwks)
        done = 0
        for t in tokens:
            assert p.authenticate(t).authenticated
            done += 1
            await asyncio.sleep(0)
        assert not fetch.done(), "the event loop was blocked by the fetch"
        await fetch
        return done

    assert asyncio.run(run()) == len(tokens)
