"""One commit per request, at the boundary (DESIGN.md, "Conventions").

Services only ``flush``; the response decides: a response below 400 commits,
anything else (an error status or an exception) rolls back, so a refused
request changes nothing.
"""
from __future__ import annotations

from flask import Flask

from ..extensions import db


def register_request_boundary(app: Flask) -> None:
    """Install the commit/rollback hooks on ``app``."""

    @app.after_request
    def _commit(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.teardown_request
    def _rollback(exc):
        if exc is not None:
            db.session.rollback()
