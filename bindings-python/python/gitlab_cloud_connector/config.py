"""``CloudConnectorConfig``: the service name, from ``CLOUD_CONNECTOR_SERVICE_NAME`` (read from
``os.environ`` on every access, so tests that patch it see the change) or ``set_service_name``."""

from __future__ import annotations

from typing import ClassVar, Optional

from . import _native

SERVICE_NAME_ENV = "CLOUD_CONNECTOR_SERVICE_NAME"
NO_SERVICE_NAME_MESSAGE = (
    "Either CLOUD_CONNECTOR_SERVICE_NAME environment variable should be set or "
    "CloudConnectorConfig.set_service_name should be configured."
)


def current_service_name() -> str:
    """The service name now: the environment variable, else the configured name."""
    # Read natively (os.environ's backing mapping when it has one, else `os.environ.get`), the
    # same read `CompositeProvider.authenticate` makes without a Python frame.
    return _native.current_service_name(CloudConnectorConfig)


class CloudConnectorConfig:
    _service_name: ClassVar[Optional[str]] = None

    @classmethod
    def set_service_name(cls, name: Optional[str]) -> None:
        # Stored on this class, not a subclass: the value is process-wide.
        CloudConnectorConfig._service_name = name

    @property
    def service_name(self) -> str:
        return current_service_name()
