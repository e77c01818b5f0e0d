"""The 1.2 seat-count check (log-only in ``authenticate``)."""

from __future__ import annotations

from typing import Any, Optional

from .auth import X_GITLAB_DUO_SEAT_COUNT_HEADER


def validate_duo_seat_count_header(claims: Any, header: Optional[str]) -> Optional[str]:
    seats = getattr(claims, "duo_seat_count", "")
    if not seats:
        return None
    if not header:
        return f"Header is missing: '{X_GITLAB_DUO_SEAT_COUNT_HEADER}'"
    if header != seats:
        return f"Header mismatch '{X_GITLAB_DUO_SEAT_COUNT_HEADER}'"
    return None
