"""The self check-in page (contract 003's browser client): ``GET /face/`` for a laptop webcam.

A person signs in with email and password and checks in by looking at the
camera; the page is static HTML + :file:`static/face/checkin.js`, which calls
the ``face`` dialect's API (wherever it is mounted; the URLs come from
``url_for``) with the httpOnly ``token`` cookie.  The page itself holds no
session and no secret.  It is registered together with the dialect (see
:func:`app.api.face.create_blueprint`), so it exists only when the API is mounted.
"""
from __future__ import annotations

from flask import Blueprint, Flask, make_response, render_template, url_for

page_bp = Blueprint("face_page", __name__, url_prefix="/face")


@page_bp.get("/")
def checkin():
    """The page: a sign-in form, then the camera with a "Check in" button and today's state.

    Texts go through Flask-Babel (Indonesian by default); the API's own
    messages (the contract's Indonesian) are shown as the server sends them.
    """
    api = {
        "login": url_for("face.login"), "logout": url_for("face.logout"),
        "profile": url_for("face.profile"), "attendance": url_for("face.create_attendance"),
    }
    response = make_response(render_template("face/checkin.html", api=api))
    response.headers["Cache-Control"] = "no-store"
    return response


def register_page(app: Flask) -> None:
    """Register :data:`page_bp` on ``app`` (once; called when the dialect's blueprint is registered)."""
    if "face_page" not in app.blueprints:
        app.register_blueprint(page_bp)
