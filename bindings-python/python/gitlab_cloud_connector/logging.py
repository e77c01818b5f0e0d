"""``log_exception``: errors on the ``cloud_connector`` logger with the 1.2 fields."""

from __future__ import annotations

import logging as _logging
import traceback
from typing import Any, Dict, Optional


def log_exception(ex: BaseException, extra: Optional[Dict[str, Any]] = None) -> None:
    _logging.getLogger("cloud_connector").error(
        str(ex),
        extra={
            "status_code": getattr(ex, "code", None),
            "exception_class": type(ex).__name__,
            "backtrace": "".join(traceback.format_exception(type(ex), ex, ex.__traceback__)),
            "extra": extra or {},
        },
    )
