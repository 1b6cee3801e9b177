"""One commit per request, at the boundary (DESIGN.md, "Conventions").

Services only ``flush``; the boundary decides what a request leaves behind:

- a response below 400 commits, anything else (an error status or an exception)
  rolls back;
- a view that answers a refusal with a page of its own (the form again with its
  error, 200 for htmx or 303 back to a list) calls :func:`refuse`: the writes of the
  request are undone at once (so what is rendered next reads the database as it
  was, and a session a failed statement broke is usable again) and the request is
  marked, so the boundary commits nothing of it whatever its status;
- the few deliberate commits in the middle of a request (each photo of a bulk
  upload kept on its own, an import written before its answer is built, a session
  row that must exist whatever the answer) go through :func:`commit_step`, which
  names the reason.

Views and routes never call ``session.commit()`` or ``session.rollback()`` themselves.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_request_context, request

from ..extensions import db

#: Key in the WSGI environ marking a refused request (per request, unlike ``g``,
#: which a test's application context may share between requests).
REFUSED_KEY = "hadir.request_refused"


def refuse() -> None:
    """Undo this request's writes now and mark the request refused.

    Call it where a view catches a service's refusal (a
    :class:`~app.common.errors.DomainError`) or a database error and goes on to answer
    with a page, a fragment or a redirect of its own.  Anything written after the call
    is not committed either (the boundary rolls back the refused request).  Outside a
    request (a CLI command) it only rolls back.
    """
    db.session.rollback()
    if has_request_context():
        request.environ[REFUSED_KEY] = True


def is_refused() -> bool:
    """Whether :func:`refuse` was called during the current request."""
    return has_request_context() and bool(request.environ.get(REFUSED_KEY))


@contextmanager
def commit_step(why: str) -> Iterator[None]:
    """Commit what the block writes now, in the middle of the request; roll it back if it raises.

    ``why`` says why this work cannot wait for the boundary (it is logged at debug
    level), e.g. "each photo of a bulk upload is kept on its own".  Work committed
    here stays even when the request is later refused.  The exception, if any, is
    re-raised after the rollback, so the caller answers it as usual; a block that
    raises leaves the request unmarked (the caller calls :func:`refuse` when the
    whole request is refused).
    """
    try:
        yield
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    current_app.logger.debug("mid-request commit: %s", why)


def register_request_boundary(app: Flask) -> None:
    """Install the commit/rollback hooks on ``app``."""

    @app.after_request
    def _commit(response):
        if response.status_code < 400 and not is_refused():
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback(exc):
        if exc is not None:
            db.session.rollback()
