"""gunicorn settings of one Hadir app server (``deploy/systemd/hadir@.service`` passes
``--config`` this file and ``--bind HOST:PORT``; read by gunicorn 23).

Sync workers behind nginx, as gunicorn's own deployment notes recommend: nginx buffers
every request body and every response (``deploy/nginx/hadir-proxy.conf``), so a phone on
a slow link never holds a worker, and a worker spends its time on Python only.

Environment (``/etc/hadir/hadir.env``, see ``hadir.env.example``):

- ``WEB_CONCURRENCY``: worker processes (gunicorn's own variable).  Default: the CPU
  count.  A check-in is CPU-bound Python with short database waits (``bench/README.md``),
  so workers beyond the cores add little; a kiosk face frame holds its worker for
  0.2-0.5 s of dlib (one core), which is why a kiosk-heavy server wants every core busy.
- ``HADIR_TIMEOUT_S``: a worker silent for this many seconds is killed and replaced
  (default 60).  The slowest legitimate requests are one bulk face-enrolment step
  (``STEP_SECONDS`` = 3 s of work) and a month's export; nginx waits 75 s
  (``proxy_read_timeout``), so gunicorn ends a stuck request first and nginx answers 502.
"""
import os

#: Most bytes of a request body the app left unread that are read and dropped before the
#: connection closes (:func:`post_request`): above nginx's largest client_max_body_size (70m).
DRAIN_MAX_BYTES = 80 * 1024 * 1024

wsgi_app = "wsgi:app"
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 2)
timeout = int(os.environ.get("HADIR_TIMEOUT_S", "60"))
# systemd sends SIGTERM on stop/restart: requests in flight get this long to finish.
graceful_timeout = 30
# Workers live as long as the server: a new one pays the app's import and, at its first
# kiosk frame, dlib's models (about a second).  If memory ever grows, gunicorn's
# max_requests (with max_requests_jitter) replaces workers after that many requests.

# Errors go to stderr, i.e. the journal (``journalctl -u hadir@8000``).  No access log
# here: nginx writes one line per request with the client, the app server that answered
# and its time (``log_format hadir`` in deploy/nginx/hadir.conf), and a second line per
# request in Python would cost the workers CPU on the hot path.
errorlog = "-"
loglevel = "info"


def post_request(worker, req, environ, resp):
    """Read and drop what the app left of the request body, before gunicorn closes the connection.

    When the app refuses a body as too large it answers 413 in its API's shape without
    reading the body.  Closing a socket with unread data makes the kernel reset the
    connection, and nginx, still sending that body, would then answer 502 instead of the
    app's 413 (the behaviour reported in gunicorn issue #2474).  Bodies the app has read
    cost nothing here; at most :data:`DRAIN_MAX_BYTES` are drained.
    """
    body = environ.get("wsgi.input")
    left = DRAIN_MAX_BYTES
    try:
        while body is not None and left > 0:
            chunk = body.read(min(65536, left))
            if not chunk:
                break
            left -= len(chunk)
    except Exception:  # the client went away: nothing left to answer
        pass
