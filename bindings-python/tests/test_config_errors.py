"""PY-CFG-01..03, the auth constants and the exception hierarchy."""

from __future__ import annotations

import pytest
from gitlab_cloud_connector import (
    CloudConnectorConfig,
    NoServiceNameError,
    WrongUnitPrimitives,
    _native,
    auth,
)
from gitlab_cloud_connector.errors import ERROR_CLASSES, CloudConnectorError, error_for_code


@pytest.fixture(autouse=True)
def _reset_service_name():  # type: ignore[no-untyped-def]
    saved = CloudConnectorConfig._service_name
    yield
    CloudConnectorConfig.set_service_name(saved)


def test_py_cfg_01_the_environment_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    CloudConnectorConfig.set_service_name("configured")
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", "from-env")
    assert CloudConnectorConfig().service_name == "from-env"
    # Read on every access.
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", "changed")
    assert CloudConnectorConfig().service_name == "changed"


def test_py_cfg_02_configured_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUD_CONNECTOR_SERVICE_NAME", raising=False)
    CloudConnectorConfig.set_service_name("gitlab-ai-gateway")
    assert CloudConnectorConfig().service_name == "gitlab-ai-gateway"
    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", "")
    assert CloudConnectorConfig().service_name == "gitlab-ai-gateway"


def test_py_cfg_03_neither_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOUD_CONNECTOR_SERVICE_NAME", raising=False)
    CloudConnectorConfig.set_service_name(None)
    with pytest.raises(NoServiceNameError) as info:
        _ = CloudConnectorConfig().service_name
    assert str(info.value) == (
        "Either CLOUD_CONNECTOR_SERVICE_NAME environment variable should be set or "
        "CloudConnectorConfig.set_service_name should be configured."
    )


def test_header_constants() -> None:
    assert auth.AUTH_HEADER == "Authorization"
    assert auth.AUTH_TYPE_HEADER == "X-Gitlab-Authentication-Type"
    assert auth.PREFIX_BEARER_HEADER == "bearer"
    assert auth.OIDC_AUTH == "oidc"
    assert auth.X_GITLAB_GLOBAL_USER_ID_HEADER == "X-Gitlab-Global-User-Id"
    assert auth.X_GITLAB_REALM_HEADER == "X-Gitlab-Realm"
    assert auth.X_GITLAB_INSTANCE_ID_HEADER == "X-Gitlab-Instance-Id"
    assert auth.X_GITLAB_HOST_NAME_HEADER == "X-Gitlab-Host-Name"
    assert auth.X_GITLAB_VERSION_HEADER == "X-Gitlab-Version"


def test_every_core_code_has_an_exception_class() -> None:
    assert set(_native.ERROR_CODES) == set(ERROR_CLASSES)
    for code, cls in ERROR_CLASSES.items():
        err = error_for_code(code, "m", [])
        assert type(err) is cls and err.code == code and isinstance(err, CloudConnectorError)
    unknown = error_for_code("from_the_future", "m")
    assert type(unknown) is CloudConnectorError and unknown.code == "from_the_future"


def test_compat_exceptions() -> None:
    assert issubclass(NoServiceNameError, Exception)
    err = WrongUnitPrimitives("a", 1, key="v")
    assert isinstance(err, Exception)


def test_the_service_name_follows_every_way_of_changing_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import os
    from unittest.mock import patch

    from gitlab_cloud_connector.config import current_service_name

    monkeypatch.setenv("CLOUD_CONNECTOR_SERVICE_NAME", "a")
    assert current_service_name() == "a"
    os.environ["CLOUD_CONNECTOR_SERVICE_NAME"] = "b"
    assert current_service_name() == "b"
    with patch.dict(os.environ, {"CLOUD_CONNECTOR_SERVICE_NAME": "c"}):
        assert current_service_name() == "c"
    assert current_service_name() == "b"
    with patch("os.environ", {"CLOUD_CONNECTOR_SERVICE_NAME": "d"}):
        assert current_service_name() == "d"
    del os.environ["CLOUD_CONNECTOR_SERVICE_NAME"]
    CloudConnectorConfig.set_service_name("configured")
    assert current_service_name() == "configured"
