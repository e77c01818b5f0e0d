"""The 1.2 cache classes, kept for callers that import them. Our providers cache in the core."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any, Dict, NamedTuple, Optional


class AuthRecord(NamedTuple):
    value: Any
    exp: dt.datetime


class BaseAuthCache(ABC):
    def __init__(self, expiry_seconds: int = 3600) -> None:
        self.expiry_seconds = expiry_seconds

    @abstractmethod
    def set(self, k: str, val: Any, exp: dt.datetime) -> None: ...

    @abstractmethod
    def get(self, k: str) -> Optional[AuthRecord]: ...

    @abstractmethod
    def delete(self, k: str) -> None: ...


class LocalAuthCache(BaseAuthCache):
    """A dict-backed cache; ``get`` returns expired records too (callers check ``exp``)."""

    def __init__(self, expiry_seconds: int = 3600) -> None:
        super().__init__(expiry_seconds)
        self._store: Dict[str, AuthRecord] = {}

    def set(self, k: str, val: Any, exp: dt.datetime) -> None:
        self._store[k] = AuthRecord(val, exp)

    def get(self, k: str) -> Optional[AuthRecord]:
        return self._store.get(k)

    def delete(self, k: str) -> None:
        self._store.pop(k, None)
