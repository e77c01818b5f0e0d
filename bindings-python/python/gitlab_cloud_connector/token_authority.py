"""``TokenAuthority``: user access tokens the service issues itself (the AI gateway's
``/v1/code/user_access_token``, DWS ``GenerateToken``). The PEM is parsed once per process (a
cache keyed by its digest); a bad key is reported by ``encode``, never by the constructor."""

from __future__ import annotations

from typing import Any, Dict, Optional, Sequence, Tuple

from . import _native
from .config import CloudConnectorConfig


class TokenAuthority:
    ALGORITHM = "RS256"

    def __init__(self, signing_key: str) -> None:
        self._native = _native.TokenAuthority(signing_key)

    def encode(
        self,
        sub: str,
        gitlab_realm: str,
        current_user: Any,
        gitlab_instance_id: Any,
        scopes: Sequence[Any],
        extra_claims: Optional[Dict[str, Any]] = None,
    ) -> Tuple[str, int]:
        """Returns ``(token, expires_at)``; ``iss`` and ``aud`` are the service name, the token
        lives one hour, and ``extra_claims`` are merged last and win."""
        claims = getattr(current_user, "claims", None)
        seats = getattr(claims, "duo_seat_count", None) if claims is not None else None
        return self._native.encode(
            CloudConnectorConfig().service_name,
            sub,
            gitlab_realm,
            gitlab_instance_id,
            [str(s) for s in scopes],
            seats if isinstance(seats, str) and seats.strip() else None,
            extra_claims,
        )
