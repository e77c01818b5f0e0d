"""Header and authentication constants (the values the AI gateway and DWS compare against)."""

AUTH_HEADER = "Authorization"
AUTH_TYPE_HEADER = "X-Gitlab-Authentication-Type"
PREFIX_BEARER_HEADER = "bearer"
OIDC_AUTH = "oidc"
X_GITLAB_GLOBAL_USER_ID_HEADER = "X-Gitlab-Global-User-Id"
X_GITLAB_REALM_HEADER = "X-Gitlab-Realm"
X_GITLAB_INSTANCE_ID_HEADER = "X-Gitlab-Instance-Id"
X_GITLAB_HOST_NAME_HEADER = "X-Gitlab-Host-Name"
X_GITLAB_VERSION_HEADER = "X-Gitlab-Version"
X_GITLAB_DUO_SEAT_COUNT_HEADER = "X-Gitlab-Duo-Seat-Count"


# The request flow (after the constants, which other modules import from here).
from typing import Any, Dict, Optional, Tuple  # noqa: E402

from . import _native  # noqa: E402
from .providers import CompositeProvider, _service_name_or_none  # noqa: E402
from .user import CloudConnectorUser, user_from_native  # noqa: E402


class CloudConnectorAuthError:
    """Returned (never raised) by ``authenticate`` with the message for the client."""

    def __init__(self, error_message: str) -> None:
        self._error_message = error_message

    @property
    def error_message(self) -> str:
        return self._error_message

    def __repr__(self) -> str:
        return f"CloudConnectorAuthError({self._error_message!r})"


def authenticate(
    headers: Dict[str, Any], oidc_auth_provider: Any, bypass_auth: bool = False
) -> Tuple[CloudConnectorUser, Optional[CloudConnectorAuthError]]:
    """Authenticates a request from its headers (keys compared case-insensitively). Our
    ``CompositeProvider`` takes the native path; any object with ``.authenticate(token)`` works.
    Exceptions from the provider, ``CriticalAuthError`` and ``NoServiceNameError`` escape."""
    composite = oidc_auth_provider._native if isinstance(oidc_auth_provider, CompositeProvider) else None
    user, error, provider_claims = _native.authenticate_request(
        headers,
        composite,
        None if composite is not None else oidc_auth_provider,
        bypass_auth,
        None if bypass_auth else _service_name_or_none(),
    )
    if composite is not None:
        oidc_auth_provider._log_refresh()
    result = user_from_native(user, provider_claims)
    return result, CloudConnectorAuthError(error) if error is not None else None
