"""Quotas for the AI gateway's own middleware: the same quota file, GCRA and headers as the
``serve`` sidecar (the core's engine), with counters in this process's memory or, with
``redis_url``, in a Redis shared by every replica (and by ``serve --redis``: the keys are the same).

    quotas = Quotas.load("quotas.yml")                     # or, across replicas:
    quotas = Quotas.load("quotas.yml", redis_url="redis://127.0.0.1:6379", redis_failure="open")
    user, error = authenticate(request.headers, provider)
    decision = quotas.check(user, "duo_chat")
    if not decision.allowed:
        return JSONResponse({"error": "...", "code": "quota_exceeded"}, 429, decision.headers)
"""

import os
from typing import TYPE_CHECKING, Dict, List, Optional, Union

from . import _native
from .errors import QuotaStoreError
from .user import CloudConnectorUser

if TYPE_CHECKING:
    from .data_model import Catalog


class QuotaDecision:
    """Allow, or deny with ``retry_after`` seconds; ``headers`` are ``RateLimit-Policy``,
    ``RateLimit`` and, on deny, ``Retry-After`` (empty when no limit applies). When the Redis
    store failed, ``store_error`` is the ``QuotaStoreError`` (log it) and the failure policy
    decided: ``open`` allows with no headers, ``closed`` denies with ``Retry-After: 1``."""

    __slots__ = ("allowed", "headers", "limit", "retry_after", "store_error")

    def __init__(
        self,
        allowed: bool,
        retry_after: float,
        headers: Dict[str, str],
        limit: Optional[str],
        store_error: Optional[QuotaStoreError] = None,
    ) -> None:
        self.allowed = allowed
        self.retry_after = retry_after
        self.headers = headers
        self.limit = limit
        self.store_error = store_error

    def __repr__(self) -> str:
        return (
            f"QuotaDecision(allowed={self.allowed!r}, retry_after={self.retry_after!r}, limit={self.limit!r})"
        )


class Quotas:
    """A validated quota file and its counters: in this process's memory (bounded, idle keys
    expire) or, with ``redis_url``, in Redis. The store keywords: ``redis_url``
    (``redis://HOST:PORT``), ``redis_timeout`` (seconds a decision waits, 0.1), ``redis_connections``
    (kept, 2), ``redis_failure`` (``"open"``, the default, admits while Redis is unreachable;
    ``"closed"`` denies); a bad value raises ``InvalidArgumentError`` naming it. ``check`` blocks
    for one Redis round trip (the GIL released); an asyncio caller runs it in a thread."""

    def __init__(self, native: _native.Quotas) -> None:
        self._native = native

    @classmethod
    def load(
        cls,
        path: Union[str, "os.PathLike[str]"],
        catalog: Optional["Catalog"] = None,
        *,
        redis_url: Optional[str] = None,
        redis_timeout: Optional[float] = None,
        redis_connections: Optional[int] = None,
        redis_failure: Optional[str] = None,
    ) -> "Quotas":
        """Reads a quota file; raises ``QuotaInvalidError`` listing every problem."""
        return cls(
            _native.Quotas.load(
                os.fspath(path),
                catalog._native if catalog else None,
                redis_url=redis_url,
                redis_timeout=redis_timeout,
                redis_connections=redis_connections,
                redis_failure=redis_failure,
            )
        )

    @classmethod
    def parse(
        cls,
        text: str,
        file: str = "<string>",
        catalog: Optional["Catalog"] = None,
        *,
        redis_url: Optional[str] = None,
        redis_timeout: Optional[float] = None,
        redis_connections: Optional[int] = None,
        redis_failure: Optional[str] = None,
    ) -> "Quotas":
        """Validates quota file text; ``file`` names it in problems."""
        return cls(
            _native.Quotas.parse(
                text,
                file,
                catalog._native if catalog else None,
                redis_url=redis_url,
                redis_timeout=redis_timeout,
                redis_connections=redis_connections,
                redis_failure=redis_failure,
            )
        )

    @property
    def limit_names(self) -> List[str]:
        return self._native.limit_names()

    def check(self, user: CloudConnectorUser, unit_primitive: str) -> QuotaDecision:
        """Judges (and, when allowed, counts) one request of ``user`` spending
        ``unit_primitive``."""
        claims = user.claims
        allowed, retry_after, headers, limit, store_error = self._native.check(
            claims.gitlab_instance_id if claims else None,
            user.global_user_id,
            claims.gitlab_realm if claims else "",
            unit_primitive,
        )
        return QuotaDecision(allowed, retry_after, dict(headers), limit, store_error)
