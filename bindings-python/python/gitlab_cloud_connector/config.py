"""``CloudConnectorConfig``: the service name, from ``CLOUD_CONNECTOR_SERVICE_NAME`` (read from
``os.environ`` on every access, so tests that patch it see the change) or ``set_service_name``."""

from __future__ import annotations

import os
from typing import Any, ClassVar, List, Optional

from .errors import NoServiceNameError

SERVICE_NAME_ENV = "CLOUD_CONNECTOR_SERVICE_NAME"
NO_SERVICE_NAME_MESSAGE = (
    "Either CLOUD_CONNECTOR_SERVICE_NAME environment variable should be set or "
    "CloudConnectorConfig.set_service_name should be configured."
)


_ENV_KEY = os.fsencode(SERVICE_NAME_ENV)


def _from_environ() -> Optional[str]:
    # Reads os.environ on every call, as callers and tests rely on, but through its own backing
    # mapping when it has one: `os.environ.get` re-encodes the key and decodes the value each
    # time, which is a third of a cache-hit authentication. A replaced os.environ (a plain dict)
    # is read with `.get`.
    env = os.environ
    data = getattr(env, "_data", None)
    if isinstance(data, dict):
        raw = data.get(_ENV_KEY)
        if not raw:
            return None
        if raw is not _decoded[0]:
            _decoded[:] = [raw, os.fsdecode(raw)]
        text: str = _decoded[1]
        return text
    return env.get(SERVICE_NAME_ENV)


# The last raw value read and its text: the same bytes object decodes to the same text.
_decoded: List[Any] = [None, None]


def current_service_name() -> str:
    """The service name now: the environment variable, else the configured name."""
    name = _from_environ() or CloudConnectorConfig._service_name
    if not name:
        raise NoServiceNameError(NO_SERVICE_NAME_MESSAGE)
    return name


class CloudConnectorConfig:
    _service_name: ClassVar[Optional[str]] = None

    @classmethod
    def set_service_name(cls, name: Optional[str]) -> None:
        # Stored on this class, not a subclass: the value is process-wide.
        CloudConnectorConfig._service_name = name

    @property
    def service_name(self) -> str:
        return current_service_name()
