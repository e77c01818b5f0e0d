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


class TokenError(CloudConnectorError):
    """A token was refused; ``code`` says why."""


class TokenMalformedError(TokenError):
    code = "token_malformed"


class TokenTooLargeError(TokenError):
    code = "token_too_large"


class UnsupportedAlgorithmError(TokenError):
    code = "unsupported_algorithm"


class CritUnsupportedError(TokenError):
    code = "crit_unsupported"


class InvalidSignatureError(TokenError):
    code = "invalid_signature"


class UnknownKeyError(TokenError):
    code = "unknown_key"


class TokenExpiredError(TokenError):
    code = "token_expired"


class TokenNotYetValidError(TokenError):
    code = "token_not_yet_valid"


class TokenUsedBeforeIssuedError(TokenError):
    code = "token_used_before_issued"


class MissingAudienceError(TokenError):
    code = "missing_audience"


class AudienceMismatchError(TokenError):
    code = "audience_mismatch"


class IssuerMismatchError(TokenError):
    code = "issuer_mismatch"


class InvalidClaimTypeError(TokenError):
    code = "invalid_claim_type"


class UnsupportedClaimError(TokenError):
    code = "unsupported_claim"


class KeyInvalidError(CloudConnectorError, ValueError):
    code = "key_invalid"


class JwksInvalidError(CloudConnectorError, ValueError):
    code = "jwks_invalid"


class JwksFetchError(CloudConnectorError):
    code = "jwks_fetch_failed"


class CriticalAuthError(CloudConnectorError):
    """No keys at all (``provider_unavailable``); also ``CompositeProvider.CriticalAuthError``."""

    code = "provider_unavailable"


class KeyRingError(CloudConnectorError):
    code = "key_ring"


class NoServiceNameError(CloudConnectorError):
    """``CloudConnectorConfig().service_name`` with neither the variable nor a configured name."""

    code = "no_service_name"


class RunwayInvalidError(CloudConnectorError):
    """A Runway service manifest has problems (``problems`` names each one's place)."""

    code = "runway_invalid"


class QuotaInvalidError(CloudConnectorError, ValueError):
    """A quota file with problems; ``problems`` lists each with its file, limit and field."""

    code = "quota_invalid"


class QuotaStoreError(CloudConnectorError):
    """The shared quota store (Redis) could not be reached, timed out, or answered out of shape."""

    code = "quota_store_failed"


ERROR_CLASSES: Dict[str, Type[CloudConnectorError]] = {
    cls.code: cls
    for cls in (
        CatalogInvalidError,
        CatalogNotFoundError,
        InvalidRealmError,
        InvalidOverrideError,
        InvalidArgumentError,
        TokenMalformedError,
        TokenTooLargeError,
        UnsupportedAlgorithmError,
        CritUnsupportedError,
        InvalidSignatureError,
        UnknownKeyError,
        TokenExpiredError,
        TokenNotYetValidError,
        TokenUsedBeforeIssuedError,
        MissingAudienceError,
        AudienceMismatchError,
        IssuerMismatchError,
        InvalidClaimTypeError,
        UnsupportedClaimError,
        KeyInvalidError,
        JwksInvalidError,
        JwksFetchError,
        CriticalAuthError,
        KeyRingError,
        NoServiceNameError,
        RunwayInvalidError,
        QuotaInvalidError,
        QuotaStoreError,
    )
}


def error_for_code(
    code: str, message: str, problems: Optional[List[Dict[str, Any]]] = None
) -> CloudConnectorError:
    """The exception for a core error code (the base class, with the code, for a code this
    version does not know)."""
    cls = ERROR_CLASSES.get(code, CloudConnectorError)
    return cls(message, code=code, problems=problems)


class WrongUnitPrimitives(Exception):
    """Raised by callers (the AI gateway) when a user may not use a unit primitive. Accepts any
    arguments, keywords included (kept on ``kwargs``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args)
        self.kwargs = kwargs
