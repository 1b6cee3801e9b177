"""The request boundary decides what a request leaves behind (app/common/boundary.py).

A second app on the test database carries a few routes that write departments and
answer like the admin views do (200 or 303 after a refusal), so the boundary's own
rules are tested through HTTP: an answer below 400 commits; :func:`refuse` undoes the
request's writes and nothing written after it is committed; :func:`commit_step` keeps
its block however the request ends.
"""
from __future__ import annotations

import pytest
from flask import Blueprint, redirect

from app import create_app
from app.common.boundary import commit_step, refuse
from app.departments.models import Department
from app.extensions import db


def _add(code: str) -> None:
    db.session.add(Department(code=code, name=f"Department {code}"))
    db.session.flush()


@pytest.fixture(scope="module")
def boundary_app(app):
    """An app of the same configuration with routes that exercise the boundary."""
    second = create_app({key: app.config[key] for key in
                         ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "RATELIMIT_STORAGE_URI")})
    bp = Blueprint("boundary_probe", __name__, url_prefix="/boundary-probe")

    @bp.post("/plain")
    def plain():
        _add("PLAIN")
        return "ok"

    @bp.post("/refused")
    def refused():
        _add("BEFORE")
        refuse()
        _add("AFTER")  # written after the refusal: not committed either
        return "refused, answered 200"

    @bp.post("/refused-redirect")
    def refused_redirect():
        _add("BEFORE")
        refuse()
        return redirect("/elsewhere", code=303)

    @bp.post("/step-then-refused")
    def step_then_refused():
        with commit_step("the first department is kept whatever follows"):
            _add("STEP")
        _add("LATER")
        refuse()
        return "ok"

    @bp.post("/step-raises")
    def step_raises():
        try:
            with commit_step("a block that fails is rolled back"):
                _add("FAILED")
                raise ValueError("refused")
        except ValueError:
            pass
        _add("AFTER")
        return "ok"

    @bp.post("/error-status")
    def error_status():
        _add("ERROR")
        return "bad", 422

    second.register_blueprint(bp)
    second.config["WTF_CSRF_ENABLED"] = False
    return second


def _codes(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(Department.code)))


@pytest.mark.parametrize("path, kept", [
    ("/plain", {"PLAIN"}),
    ("/refused", set()),
    ("/refused-redirect", set()),
    ("/step-then-refused", {"STEP"}),
    ("/step-raises", {"AFTER"}),
    ("/error-status", set()),
])
def test_what_the_boundary_keeps(app, boundary_app, path, kept):
    response = boundary_app.test_client().post("/boundary-probe" + path)
    assert response.status_code < 500
    assert _codes(app) == kept


def test_a_refusal_does_not_reach_the_next_request(app, boundary_app):
    client = boundary_app.test_client()
    with boundary_app.app_context():  # one application context shared by both requests, as in some tests
        client.post("/boundary-probe/refused")
        client.post("/boundary-probe/plain")
    assert _codes(app) == {"PLAIN"}

