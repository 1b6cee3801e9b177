"""The ``mobile`` dialect: contract 001 (Absensi Mobile), JWT + NPP + device binding.

Mounted at ``/api`` by default.  :func:`create_blueprint` returns the routes;
:func:`render_http_error` renders 4xx/5xx raised inside the mount in the
``rcode`` envelope.
"""
from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from . import envelope


def create_blueprint() -> Blueprint:
    """The dialect's blueprint (routes in :mod:`.routes`)."""
    from .routes import bp
    return bp


def render_http_error(exc: HTTPException):
    """Contract 001 "Error Handling" bodies for HTTP errors inside the mount.

    404 → ``81 Resource not found``; 405/413/415 → ``01`` with a field-less
    message; 400 (malformed JSON) → ``01`` with ``errors.body``; 429 → ``83``
    (the wait is in the ``Retry-After`` header); 503 (database unreachable) → ``99 Service
    temporarily unavailable...`` (wait: ``Retry-After``); other 5xx → ``99 Error: ...``.
    """
    code = exc.code or 500
    if code == 404:
        response = envelope.fail(envelope.NOT_FOUND, "Resource not found", 404)
    elif code == 405:
        allowed = ", ".join(m for m in (exc.valid_methods or []) if m not in ("HEAD", "OPTIONS"))
        response = envelope.fail(envelope.VALIDATION, f"Method not allowed. Supported methods: {allowed}.", 405)
    elif code == 429:
        response = envelope.fail(envelope.RULE, "Too many requests. Please try again later.", 429)
    elif code == 413:
        response = envelope.fail(envelope.VALIDATION, "Request body too large", 413)
    elif code == 415:
        response = envelope.fail(envelope.VALIDATION, "Unsupported media type: send application/json", 415)
    elif code == 400:
        response = envelope.validation_failed({"body": ["The request body is not valid JSON."]})
        response = (response[0], 400)
    elif code == 401:
        return envelope.unauthorized("Token not provided")
    elif code < 500:
        response = envelope.fail(envelope.VALIDATION, exc.description or "Bad request", code)
    elif code == 503:
        response = envelope.fail(envelope.SERVER, "Service temporarily unavailable. Please try again later.", 503)
    else:
        response = envelope.fail(envelope.SERVER, "Error: Internal server error", code)
    body, status = response
    body.status_code = status
    if code == 405 and exc.valid_methods:
        body.headers["Allow"] = ", ".join(exc.valid_methods)
    return body
