"""Quotas for the AI gateway's own middleware: the same quota file, GCRA and headers as the
``serve`` sidecar (the core's engine), judged in this process's memory.

    quotas = Quotas.load("quotas.yml")
    user, error = authenticate(request.headers, provider)
    decision = quotas.check(user, "duo_chat")
    if not decision.allowed:
        return JSONResponse({"error": "...", "code": "quota_exceeded"}, 429, decision.headers)
"""

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Union

from . import _native
from .user import CloudConnectorUser

if TYPE_CHECKING:
    from .data_model import Catalog


class QuotaDecision:
    """Allow, or deny with ``retry_after`` seconds; ``headers`` are ``RateLimit-Policy``,
    ``RateLimit`` and, on deny, ``Retry-After`` (empty when no limit applies)."""

    __slots__ = ("allowed", "headers", "limit", "retry_after")

    def __init__(
        self, allowed: bool, retry_after: float, headers: Dict[str, str], limit: Optional[str]
    ) -> None:
        self.allowed = allowed
        self.retry_after = retry_after
        self.headers = headers
        self.limit = limit

    def __repr__(self) -> str:
        return (
            f"QuotaDecision(allowed={self.allowed!r}, retry_after={self.retry_after!r}, limit={self.limit!r})"
        )


class Quotas:
    """A validated quota file and its counters (one process; bounded, idle keys expire)."""

    def __init__(self, native: _native.Quotas) -> None:
        self._native = native

    @classmethod
    def load(cls, path: Union[str, "os.PathLike[str]"], catalog: Optional["Catalog"] = None) -> "Quotas":
        """Reads a quota file; raises ``QuotaInvalidError`` listing every problem."""
        return cls(_native.Quotas.load(os.fspath(path), catalog._native if catalog else None))

    @classmethod
    def parse(cls, text: str, file: str = "<string>", catalog: Optional["Catalog"] = None) -> "Quotas":
        """Validates quota file text; ``file`` names it in problems."""
        return cls(_native.Quotas.parse(text, file, catalog._native if catalog else None))

    @property
    def limit_names(self) -> List[str]:
        return self._native.limit_names()

    def check(self, user: CloudConnectorUser, unit_primitive: str) -> QuotaDecision:
        """Judges (and, when allowed, counts) one request of ``user`` spending
        ``unit_primitive``."""
        claims = user.claims
        allowed, retry_after, headers, limit = self._native.check(
            claims.gitlab_instance_id if claims else None,
            user.global_user_id,
            claims.gitlab_realm if claims else "",
            unit_primitive,
        )
        return QuotaDecision(allowed, retry_after, dict(headers), limit)
