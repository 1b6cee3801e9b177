"""gunicorn settings of ``make run`` (the README's run command passes ``--config`` this file
and ``--bind HOST:PORT``).  Production servers use ``deploy/`` instead.

Rate-limit counters — the sign-in limits above all — live in Flask-Limiter's storage: the
process's memory when ``REDIS_URL`` is unset, Redis when it is set.  Memory belongs to
one process, so with two worker processes each counted alone and every limit doubled
(measured before this file: 10 password checks of one account a minute instead of 5,
``scripts/security_probe.py``).  Hence:

- ``REDIS_URL`` unset (the embedded default): **one** worker process serving
  ``GUNICORN_THREADS`` requests at a time (default 8, gthread workers): one set of counters.
- ``REDIS_URL`` set: ``WEB_CONCURRENCY`` worker processes (default 2, gunicorn's own
  variable), each with the same threads; the counters are shared in Redis.
- Several processes without ``REDIS_URL`` (``WEB_CONCURRENCY=4``, ``--workers 4``) are
  refused at start, naming the fix, unless rate limits are off (``RATELIMIT_ENABLED=0``).

Threads run requests concurrently inside the one process; work that holds Python's GIL
(most of the app's own code) runs one request at a time, while C code that releases it
(SQLite and PostgreSQL calls, argon2 through cffi, numpy) overlaps.  Figures of both
set-ups: ``bench/README.md``.
"""
import os

#: Requests one worker process serves at a time.
THREADS = int(os.environ.get("GUNICORN_THREADS") or 8)

wsgi_app = "wsgi:app"
worker_class = "gthread"
threads = THREADS
workers = int(os.environ.get("WEB_CONCURRENCY") or (2 if os.environ.get("REDIS_URL") else 1))
# The worker's pid in each access-log line: which process answered (tests/security).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" pid=%(p)s'


def on_starting(server):
    """Refuse several worker processes whose rate-limit counters would each count alone."""
    limits_on = os.environ.get("RATELIMIT_ENABLED", "1") != "0"
    if server.cfg.workers > 1 and limits_on and not os.environ.get("REDIS_URL"):
        message = (f"{server.cfg.workers} worker processes without REDIS_URL: each would keep its own "
                   f"rate-limit counters, so every limit (sign-ins above all) would be multiplied by "
                   f"{server.cfg.workers}. Set REDIS_URL, or serve with one process (the default) and "
                   f"threads (GUNICORN_THREADS).")
        server.log.error(message)
        raise SystemExit(message)
