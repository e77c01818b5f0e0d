"""Not a test module: `mypy --strict` checks that typical caller code type-checks against the
package (run by `make python-test`)."""

from __future__ import annotations

import datetime as dt
from typing import Dict, List, Tuple

from gitlab_cloud_connector import (
    FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS,
    CatalogInvalidError,
    CloudConnectorConfig,
    GitLabFeatureCategory,
    GitLabUnitPrimitive,
    data_model,
)
from gitlab_cloud_connector.auth import AUTH_HEADER, X_GITLAB_REALM_HEADER


def dws_scopes() -> List[str]:
    catalog = data_model.load_catalog()
    return [up.name for up in catalog.unit_primitives if "duo_workflow_service" in up.backend_services]


def category_for(header: str) -> str:
    up = GitLabUnitPrimitive(header)
    category: GitLabFeatureCategory = FEATURE_CATEGORIES_FOR_PROXY_ENDPOINTS[up]
    return category.value


def grant(add_ons: List[str]) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    e = data_model.load_catalog().entitlements(add_ons, at=dt.datetime.now(dt.timezone.utc))
    return e.scopes, e.audiences


def validate(path: str) -> List[str]:
    try:
        data_model.Catalog.load_dir(path)
    except CatalogInvalidError as err:
        return [f"{p['file']}: {p['message']}" for p in err.problems]
    return []


def headers() -> Dict[str, str]:
    return {
        AUTH_HEADER: "Bearer x",
        X_GITLAB_REALM_HEADER: "saas",
        "service": CloudConnectorConfig().service_name,
    }


USES: List[object] = [
    GitLabUnitPrimitive.DUO_CHAT,
    GitLabFeatureCategory.DUO_CHAT,
    dws_scopes,
    category_for,
    grant,
]


def verify_request(headers: Dict[str, str]) -> bool:
    from gitlab_cloud_connector import (
        CompositeProvider,
        GitLabOidcProvider,
        LocalAuthProvider,
        TokenAuthority,
        authenticate,
        cloud_connector_ready,
    )

    provider = CompositeProvider(
        [LocalAuthProvider(None, "", ""), GitLabOidcProvider(None, {"Gitlab": "https://gitlab.example"})],
        None,
        unknown_kid_cooldown_seconds=60.0,
    )
    refreshes: int = provider.refreshes
    user, error = authenticate(headers, provider)
    if error is not None:
        return False
    token, expires_at = TokenAuthority("pem").encode("u", "saas", user, "i", [GitLabUnitPrimitive.DUO_CHAT])
    return (
        user.can(GitLabUnitPrimitive.DUO_CHAT)
        and bool(token)
        and expires_at > 0
        and refreshes >= 0
        and cloud_connector_ready(provider)
    )
