"""What a 429 tells the client about the rate limit it breached (Flask-Limiter's current limit)."""
from __future__ import annotations

import time

from ..extensions import limiter


def retry_after_seconds(default: int = 60) -> int:
    """Seconds until the limit this request breached resets, for a 429's body.

    Between 1 and the limit's window (60 for "per minute"), truncated as Flask-Limiter
    truncates when it writes the ``Retry-After`` header, so body and header agree (a
    storage's reset time may lie a fraction beyond the window: rounding up gave 61).
    ``default`` when no limit was breached in this request (``limiter.current_limit`` is None).
    """
    current = limiter.current_limit
    if current is None:
        return default
    window = current.limit.GRANULARITY.seconds * current.limit.multiples
    return min(window, max(1, int(current.reset_at - time.time())))
