"""``UserClaims`` and ``CloudConnectorUser``. The ``can`` and ``unit_primitives`` rules run in
the core; these classes keep the package's shapes (a NamedTuple, private attributes that
``vars(user)`` shows, ``Mock(spec=...)``-friendly properties)."""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional

from . import _native
from ._generated import GitLabUnitPrimitive


class UserClaims(NamedTuple):
    gitlab_realm: str = ""
    scopes: List[str] = []  # noqa: RUF012 - the 1.2 shape; NamedTuple defaults are per class
    subject: str = ""
    issuer: str = ""
    duo_seat_count: str = ""
    gitlab_instance_id: str = ""
    gitlab_instance_uid: str = ""
    extra: Optional[Dict[str, Any]] = None


class CloudConnectorUser:
    def __init__(
        self,
        authenticated: bool,
        is_debug: bool = False,
        global_user_id: Optional[str] = None,
        claims: Optional[UserClaims] = None,
    ) -> None:
        self._authenticated = authenticated
        self._is_debug = is_debug
        self._global_user_id = global_user_id
        self._claims = claims

    @property
    def authenticated(self) -> bool:
        return self._authenticated

    @property
    def is_authenticated(self) -> bool:
        return self._authenticated

    @property
    def is_debug(self) -> bool:
        return self._is_debug

    @property
    def global_user_id(self) -> Optional[str]:
        return self._global_user_id

    @property
    def claims(self) -> Optional[UserClaims]:
        return self._claims

    @property
    def unit_primitives(self) -> List[GitLabUnitPrimitive]:
        """The scopes that are known unit primitives, in scope order; others are dropped."""
        if self._claims is None:
            return []
        return [
            GitLabUnitPrimitive(s) for s in _native.known_unit_primitives(list(self._claims.scopes or []))
        ]

    def can(self, unit_primitive: Any, disallowed_issuers: Optional[List[str]] = None) -> bool:
        """Debug users always may; a disallowed issuer never may; else the scope must be held."""
        return _native.user_can(unit_primitive, self._is_debug, self._claims, disallowed_issuers)

    def __repr__(self) -> str:
        return (
            f"CloudConnectorUser(authenticated={self._authenticated!r}, is_debug={self._is_debug!r}, "
            f"global_user_id={self._global_user_id!r}, claims={self._claims!r})"
        )


def claims_from_native(d: Optional[Dict[str, Any]]) -> Optional[UserClaims]:
    if d is None:
        return None
    return UserClaims(**d)


def user_from_native(d: Dict[str, Any], claims: Optional[UserClaims] = None) -> CloudConnectorUser:
    return CloudConnectorUser(
        bool(d["authenticated"]),
        is_debug=bool(d["is_debug"]),
        global_user_id=d["global_user_id"],
        claims=claims if claims is not None else claims_from_native(d["claims"]),
    )
