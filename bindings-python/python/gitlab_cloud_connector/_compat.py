"""``enum.StrEnum`` on Python 3.11+, and the same behaviour on 3.10."""

from __future__ import annotations

import enum
import sys

if sys.version_info >= (3, 11):
    StrEnum = enum.StrEnum
else:  # pragma: no cover - exercised only on older interpreters

    class StrEnum(str, enum.Enum):
        """Members are strings: ``str(m) == m.value``, equal and hashed as their value."""

        def __str__(self) -> str:
            return str(self.value)

        def __format__(self, spec: str) -> str:
            return str.__format__(str(self.value), spec)
