"""Exceptions. Every failure of the core arrives as a ``CloudConnectorError`` subclass chosen by
its stable ``code`` (the same codes in Rust, Python, Ruby and Node)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Type


class CloudConnectorError(Exception):
    """Base of every error raised by this package's core. ``code`` is stable; ``problems`` lists
    each catalog problem (kind, file, record, field, message) for ``catalog_invalid``."""

    code: str = "error"

    def __init__(
        self, message: str, code: Optional[str] = None, problems: Optional[List[Dict[str, Any]]] = None
    ) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        self.problems: List[Dict[str, Any]] = list(problems or [])


class CatalogInvalidError(CloudConnectorError):
    code = "catalog_invalid"


class CatalogNotFoundError(CloudConnectorError, FileNotFoundError):
    code = "catalog_not_found"


class InvalidRealmError(CloudConnectorError, ValueError):
    code = "invalid_realm"


class InvalidOverrideError(CloudConnectorError, ValueError):
    code = "invalid_override"


class InvalidArgumentError(CloudConnectorError, ValueError):
    code = "invalid_argument"


ERROR_CLASSES: Dict[str, Type[CloudConnectorError]] = {
    cls.code: cls
    for cls in (
        CatalogInvalidError,
        CatalogNotFoundError,
        InvalidRealmError,
        InvalidOverrideError,
        InvalidArgumentError,
    )
}


def error_for_code(
    code: str, message: str, problems: Optional[List[Dict[str, Any]]] = None
) -> CloudConnectorError:
    """The exception for a core error code (the base class, with the code, for a code this
    version does not know)."""
    cls = ERROR_CLASSES.get(code, CloudConnectorError)
    return cls(message, code=code, problems=problems)


class NoServiceNameError(Exception):
    """``CloudConnectorConfig().service_name`` with neither the variable nor a configured name."""


class WrongUnitPrimitives(Exception):
    """Raised by callers (the AI gateway) when a user may not use a unit primitive. Accepts any
    arguments, keywords included (kept on ``kwargs``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args)
        self.kwargs = kwargs
