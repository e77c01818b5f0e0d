"""GitLab Cloud Connector for Python services, on a Rust core: a drop-in ``gitlab_cloud_connector``.

Catalog: ``GitLabUnitPrimitive``, ``GitLabFeatureCategory``, ``data_model.load_catalog()`` and
``data_model.Catalog`` (directories, overrides, entitlements, the legacy generator).
Tokens: ``authenticate``, the providers, ``TokenAuthority``, ``KeyRing``.
Quotas: ``Quotas`` (the sidecar's quota file and engine, in this process)."""

from . import auth, data_model
from ._native import KeyRing, KeySet, jwk_thumbprint
from .auth import X_GITLAB_DUO_SEAT_COUNT_HEADER, CloudConnectorAuthError, authenticate
from .cache import AuthRecord, BaseAuthCache, LocalAuthCache
from .config import CloudConnectorConfig
from .errors import (
    CatalogInvalidError,
    CatalogNotFoundError,
    CloudConnectorError,
    CriticalAuthError,
    InvalidArgumentError,
    InvalidOverrideError,
    InvalidRealmError,
    NoServiceNameError,
    QuotaInvalidError,
    QuotaStoreError,
    WrongUnitPrimitives,
)
from .gitlab_features import (
    FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS,
    UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING,
    GitLabFeatureCategory,
    GitLabUnitPrimitive,
)
from .logging import log_exception
from .providers import (
    AuthProvider,
    CompositeProvider,
    GitLabOidcProvider,
    JwksProvider,
    LocalAuthProvider,
    StaticJwksProvider,
    cloud_connector_ready,
)
from .quotas import QuotaDecision, Quotas
from .token_authority import TokenAuthority
from .user import CloudConnectorUser, UserClaims
from .validators import validate_duo_seat_count_header

__all__ = [
    "FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS",
    "UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING",
    "X_GITLAB_DUO_SEAT_COUNT_HEADER",
    "AuthProvider",
    "AuthRecord",
    "BaseAuthCache",
    "CatalogInvalidError",
    "CatalogNotFoundError",
    "CloudConnectorAuthError",
    "CloudConnectorConfig",
    "CloudConnectorError",
    "CloudConnectorUser",
    "CompositeProvider",
    "CriticalAuthError",
    "GitLabFeatureCategory",
    "GitLabOidcProvider",
    "GitLabUnitPrimitive",
    "InvalidArgumentError",
    "InvalidOverrideError",
    "InvalidRealmError",
    "JwksProvider",
    "KeyRing",
    "KeySet",
    "LocalAuthCache",
    "LocalAuthProvider",
    "NoServiceNameError",
    "QuotaDecision",
    "QuotaInvalidError",
    "QuotaStoreError",
    "Quotas",
    "StaticJwksProvider",
    "TokenAuthority",
    "UserClaims",
    "WrongUnitPrimitives",
    "auth",
    "authenticate",
    "cloud_connector_ready",
    "data_model",
    "jwk_thumbprint",
    "log_exception",
    "validate_duo_seat_count_header",
]
