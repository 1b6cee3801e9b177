"""HTML error pages for everything outside the JSON dialects."""
from __future__ import annotations

from flask import render_template
from werkzeug.exceptions import HTTPException


def render_html_error(exc: HTTPException):
    """Render ``templates/errors/error.html`` with the status code and its description."""
    return render_template("errors/error.html", error=exc), exc.code or 500
