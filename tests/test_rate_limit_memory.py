"""Without ``REDIS_URL`` the rate-limit counters live in the worker's memory (``memory://``):
counting a request starts no thread, and the limits count as before."""
import threading


def test_counting_requests_in_memory_starts_no_thread(client, monkeypatch):
    """The ``limits`` library's memory storage starts a ``threading.Timer`` to expire counters;
    ours sweeps them inline (app.common.memory_limits), so a burst of counted requests starts none."""
    started = []

    class NoTimer(threading.Timer):
        def start(self):
            started.append(self)
            super().start()

    monkeypatch.setattr(threading, "Timer", NoTimer)
    body = {"platform": "android", "build_number": 1}
    statuses = [client.post("/api/app-version/check", json=body, environ_base={"REMOTE_ADDR": "10.9.0.1"}).status_code
                for _ in range(61)]
    assert statuses == [200] * 60 + [429]  # contract 001: 60 per minute, still counted
    assert started == []
