"""HTML error pages for everything outside the JSON dialects."""
from __future__ import annotations

from flask import g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..extensions import login_manager

#: status → (title, explanation) shown on the error page, in the user's language.
ERROR_TEXTS = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Please sign in"), _l("You need to sign in to open this page.")),
    403: (_l("Access denied"), _l("Your account may not open this page. Ask an administrator if you need it.")),
    404: (_l("Page not found"), _l("The page or item you asked for does not exist (any more).")),
    405: (_l("Not allowed"), _l("This address does not accept this kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than allowed.")),
    429: (_l("Too many attempts"), _l("Please wait a minute, then try again.")),
    500: (_l("Something went wrong"), _l("An unexpected error happened. Please try again in a moment.")),
    503: (_l("Temporarily unavailable"),
          _l("Hadir cannot reach its database right now. Nothing was saved. Please try again in a minute.")),
}
CSRF_TEXT = (_l("This form has expired"),
             _l("For your security the form could not be accepted. Reload the page and send it again."))


def render_html_error(exc: HTTPException):
    """Render ``templates/errors/error.html`` with the status code and a translated explanation.

    503 (the database unreachable) is shown as to a visitor who is not signed in: the
    signed-in shell needs the database (loading the user, the menu's counters); a request
    that asks for JSON (the kiosk's script) gets ``{"error": "unavailable", "message"}``.
    """
    code = exc.code or 500
    if isinstance(exc, CSRFError):
        title, text = CSRF_TEXT
    else:
        title, text = ERROR_TEXTS.get(code, (exc.name, exc.description or ""))
    if code == 503 and request.accept_mimetypes.best == "application/json":
        response = jsonify(error="unavailable", message=str(text))
        return response, 503, {}
    if code == 503:
        g._login_user = login_manager.anonymous_user()  # Flask-Login then loads no user
    response = render_template("errors/error.html", error=exc, code=code, title=title, text=text)
    headers = {}
    if code == 429:
        headers["Retry-After"] = "60"
    if code == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)
    return response, code, headers
