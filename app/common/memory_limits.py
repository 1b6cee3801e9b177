"""Rate-limit counters in the worker's own memory (``RATELIMIT_STORAGE_URI=memory://``, the
default without ``REDIS_URL``) without starting a thread per counted request.

The ``limits`` library's :class:`~limits.storage.MemoryStorage` (limits 5.8.0, pinned in
requirements.txt) removes expired counters on a ``threading.Timer`` that fires 10 ms after a
count, and starts a new one at the next count once the last has fired: with a request every
few milliseconds nearly every counted request starts a thread, and ``Thread.start()`` waits
until the new thread runs — on a busy machine, a wait for a free core inside the request
(the check-in benchmark: about half of all counted check-ins started one).  Counting never
needs that sweep (a counter read after its expiry starts again from zero on the spot); it
only frees the memory of callers that do not come back.  :class:`SweptMemoryStorage` runs
the library's own sweep inline, at most once every :attr:`~SweptMemoryStorage.SWEEP_EVERY_S`
seconds, and registers itself for the ``memory://`` scheme in the library's registry of
storage schemes (its documented way to add a storage), so every limiter of the process built
from ``memory://`` uses it.  Importing this module registers it (:mod:`app.extensions` does).
"""
from __future__ import annotations

import time

from limits.storage import MemoryStorage


class SweptMemoryStorage(MemoryStorage):
    """:class:`~limits.storage.MemoryStorage` whose sweep of expired counters and moving-window
    entries runs in the counting request, once every :attr:`SWEEP_EVERY_S` seconds at most,
    instead of on a new timer thread 10 ms after a count."""

    STORAGE_SCHEME = ["memory"]
    #: Seconds between two sweeps: memory of callers gone for good is freed within a second.
    SWEEP_EVERY_S = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the library's timer thread
        now = time.time()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_EVERY_S
            self._MemoryStorage__expire_events()
