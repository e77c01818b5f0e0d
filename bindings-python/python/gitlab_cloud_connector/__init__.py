"""GitLab Cloud Connector for Python services, on a Rust core: a drop-in ``gitlab_cloud_connector``.

Catalog: ``GitLabUnitPrimitive``, ``GitLabFeatureCategory``, ``data_model.load_catalog()`` and
``data_model.Catalog`` (directories, overrides, entitlements, the legacy generator)."""

from . import auth, data_model
from .config import CloudConnectorConfig
from .errors import (
    CatalogInvalidError,
    CatalogNotFoundError,
    CloudConnectorError,
    InvalidArgumentError,
    InvalidOverrideError,
    InvalidRealmError,
    NoServiceNameError,
    WrongUnitPrimitives,
)
from .gitlab_features import (
    FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS,
    UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING,
    GitLabFeatureCategory,
    GitLabUnitPrimitive,
)

__all__ = [
    "FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS",
    "UNIT_PRIMITIVE_AND_DESCRIPTION_MAPPING",
    "CatalogInvalidError",
    "CatalogNotFoundError",
    "CloudConnectorConfig",
    "CloudConnectorError",
    "GitLabFeatureCategory",
    "GitLabUnitPrimitive",
    "InvalidArgumentError",
    "InvalidOverrideError",
    "InvalidRealmError",
    "NoServiceNameError",
    "WrongUnitPrimitives",
    "auth",
    "data_model",
]
