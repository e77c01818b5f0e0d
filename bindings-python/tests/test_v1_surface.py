"""The v1.x surface the consumers' tests still use (issue 13): ``CompositeProvider.cache`` and
``CACHE_KEY``, ``providers.log_exception`` for provider failures, and each provider's own
"JWKS refreshed" line beside the composite's, with the same field names on every path."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Dict, Iterator, List, Tuple
from unittest.mock import patch

import pytest
import structlog
from gitlab_cloud_connector import (
    CompositeProvider,
    GitLabOidcProvider,
    LocalAuthCache,
    LocalAuthProvider,
    StaticJwksProvider,
)
from gitlab_cloud_connector.errors import CloudConnectorError

from .keys import KEY_A, KEY_B, KEY_C, SERVICE, pyjwt_token
from .oidc_server import Issuer, jwk_of


@pytest.fixture(autouse=True)
def service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", SERVICE)


@pytest.fixture
def issuers() -> Iterator[Tuple[Issuer, Issuer]]:
    gitlab, customers = Issuer([jwk_of(KEY_C, "gitlab-1")]), Issuer([jwk_of(KEY_B, "customers-1")])
    yield gitlab, customers
    gitlab.close()
    customers.close()


def oidc(issuers: Tuple[Issuer, Issuer], log: Any = structlog) -> GitLabOidcProvider:
    gitlab, customers = issuers
    return GitLabOidcProvider(log, {"Gitlab": gitlab.url, "CustomersDot": customers.url})


def test_cache_holds_the_jwks_under_cache_key(issuers: Tuple[Issuer, Issuer]) -> None:
    provider = CompositeProvider([LocalAuthProvider(structlog, KEY_A, ""), oidc(issuers)], structlog)
    assert isinstance(provider.cache, LocalAuthCache)
    assert provider.CACHE_KEY == CompositeProvider.CACHE_KEY == "jwks"
    assert provider.cache.get(provider.CACHE_KEY) is None  # nothing loaded yet, and get never loads

    assert provider.authenticate(pyjwt_token(KEY_A)).authenticated
    record = provider.cache.get(provider.CACHE_KEY)
    assert record is not None
    assert [k["kid"] for k in record.value["keys"]] == [f"{SERVICE}_signing_key", "gitlab-1", "customers-1"]
    assert record.value == provider.jwks()
    expires_in = record.exp - dt.datetime.now(dt.timezone.utc)
    assert dt.timedelta(hours=23) < expires_in <= dt.timedelta(hours=24)

    # The core owns that record; other keys are an ordinary cache.
    with pytest.raises(TypeError, match="held by the core"):
        provider.cache.set(provider.CACHE_KEY, {"keys": []}, dt.datetime.now(dt.timezone.utc))
    provider.cache.set("other", 1, dt.datetime.now(dt.timezone.utc))
    assert provider.cache.get("other").value == 1  # type: ignore[union-attr]


def test_cache_reflects_a_refresh(issuers: Tuple[Issuer, Issuer]) -> None:
    provider = CompositeProvider([oidc(issuers)], structlog)
    provider.jwks()
    issuers[0].keys = [jwk_of(KEY_C, "gitlab-1"), jwk_of(KEY_A, "gitlab-2")]
    provider.load_jwks()
    kids = [k["kid"] for k in provider.cache.get(provider.CACHE_KEY).value["keys"]]  # type: ignore[union-attr]
    assert kids == ["gitlab-1", "gitlab-2", "customers-1"]


@pytest.mark.parametrize("fault", ["status500", "garbage", "down"])
def test_provider_failures_call_log_exception(issuers: Tuple[Issuer, Issuer], fault: str) -> None:
    customers = issuers[1]
    if fault == "down":
        customers.close()
    else:
        customers.mode = fault
    provider = CompositeProvider([oidc(issuers)], structlog)
    with patch("gitlab_cloud_connector.providers.log_exception") as mock_log_exception:
        assert provider.authenticate(pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})).authenticated
    mock_log_exception.assert_called_once()
    exc, extra = mock_log_exception.call_args.args
    assert extra == {"oidc_provider": "CustomersDot"}
    assert isinstance(exc, BaseException)
    if fault == "down":  # what requests raised, as the 1.x package passed it
        assert type(exc).__module__.startswith("requests")
    else:  # the core's rule, with its code
        assert isinstance(exc, CloudConnectorError)
        assert exc.code == {"status500": "jwks_fetch_failed", "garbage": "jwks_invalid"}[fault]


def test_a_provider_alone_calls_log_exception_too(issuers: Tuple[Issuer, Issuer]) -> None:
    issuers[1].mode = "status500"
    with patch("gitlab_cloud_connector.providers.log_exception") as mock_log_exception:
        assert [k["kid"] for k in oidc(issuers).jwks()["keys"]] == ["gitlab-1"]
    (exc, extra), _ = mock_log_exception.call_args
    assert extra == {"oidc_provider": "CustomersDot"} and exc.code == "jwks_fetch_failed"


def refreshed(logs: List[Dict[str, Any]]) -> List[Tuple[str, List[Any]]]:
    return [(e["provider"], e["kids"]) for e in logs if e["event"] == "JWKS refreshed"]


def test_each_provider_logs_its_own_refresh_then_the_composite(issuers: Tuple[Issuer, Issuer]) -> None:
    static = StaticJwksProvider(structlog, {"keys": [jwk_of(KEY_B, "static-1")]})
    provider = CompositeProvider([LocalAuthProvider(structlog, KEY_A, ""), oidc(issuers), static], structlog)
    token = pyjwt_token(KEY_C, headers={"kid": "gitlab-1"})
    with structlog.testing.capture_logs() as logs:
        assert provider.authenticate(token).authenticated
        assert provider.authenticate(token).authenticated  # from the cache: nothing more
    local_kid = f"{SERVICE}_signing_key"
    assert refreshed(logs) == [
        ("LocalAuthProvider", [local_kid]),
        ("GitLabOidcProvider", ["gitlab-1", "customers-1"]),
        ("StaticJwksProvider", ["static-1"]),
        ("CompositeProvider", [local_kid, "gitlab-1", "customers-1", "static-1"]),
    ]
    assert all(e["log_level"] == "info" for e in logs if e["event"] == "JWKS refreshed")

    with structlog.testing.capture_logs() as logs:
        provider.load_jwks()
    assert [p for p, _ in refreshed(logs)][-1] == "CompositeProvider" and len(refreshed(logs)) == 4


def test_a_provider_alone_logs_its_refresh(issuers: Tuple[Issuer, Issuer]) -> None:
    with structlog.testing.capture_logs() as logs:
        oidc(issuers).jwks()
    assert refreshed(logs) == [("GitLabOidcProvider", ["gitlab-1", "customers-1"])]


def test_a_provider_with_no_keys_logs_no_refresh_line(issuers: Tuple[Issuer, Issuer]) -> None:
    issuers[0].mode = issuers[1].mode = "status500"
    provider = CompositeProvider([LocalAuthProvider(structlog, KEY_A, ""), oidc(issuers)], structlog)
    with structlog.testing.capture_logs() as logs:
        provider.jwks()
    assert [p for p, _ in refreshed(logs)] == ["LocalAuthProvider", "CompositeProvider"]
    assert any(e["event"].startswith("Incomplete JWKS cached") and e["log_level"] == "error" for e in logs)


def test_failure_fields_are_the_same_on_every_path(
    issuers: Tuple[Issuer, Issuer], caplog: pytest.LogCaptureFixture
) -> None:
    issuers[1].mode = "status500"
    caplog.set_level(logging.ERROR, logger="cloud_connector")
    CompositeProvider([oidc(issuers)], structlog).jwks()  # the composite's refresh
    oidc(issuers).jwks()  # a provider on its own
    failures = [r for r in caplog.records if getattr(r, "extra", None) == {"oidc_provider": "CustomersDot"}]
    assert len(failures) == 2
    for r in failures:
        assert r.status_code == "jwks_fetch_failed"  # type: ignore[attr-defined]
        assert r.exception_class == "JwksFetchError"  # type: ignore[attr-defined]
        assert not hasattr(r, "code")
        assert "returned HTTP 500" in r.getMessage()
