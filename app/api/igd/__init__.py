"""The ``igd`` dialect: contract 004 (Pendataan IGD), the emergency-room escort registry.

Mounted at ``/igd/api`` by default.  Clients authenticate with an opaque
``<id>|<secret>`` bearer token, or — the single-page app — with the session
cookie from ``GET /sanctum/csrf-cookie`` plus the ``X-XSRF-TOKEN`` header on
every unsafe request (see :mod:`.auth`).  Bodies use the
``status/message/data/errors`` envelope (:mod:`.envelope`); framework errors
inside the mount use the contract's bare ``{"message": ...}`` bodies
(:func:`render_http_error`).
"""
from __future__ import annotations

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from ...common.ratelimit import retry_after_seconds
from . import envelope

#: Laravel's order of methods in its 405 message.
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def create_blueprint() -> Blueprint:
    """The dialect's blueprint with every section's routes registered."""
    from .blueprint import bp
    from . import routes_auth, routes_escorts, routes_stats  # noqa: F401  (routes register on import)
    return bp


def render_http_error(exc: HTTPException):
    """Contract 004 "Common Error Responses" for HTTP errors inside the mount.

    401 ``Unauthenticated.``; 403 ``This action is unauthorized.``; 404
    ``Route not found.``; 405 ``The POST method is not supported for this
    route. Supported methods: GET, HEAD, PUT, PATCH, DELETE.`` (plus ``Allow``);
    413 ``The payload is too large``; 415 ``The request content type is not
    supported``; 429 ``Too Many Attempts.`` with ``retry_after`` (seconds, also
    the ``Retry-After`` header); 503 ``Service Unavailable`` (Laravel's wording; the database
    unreachable, wait: ``Retry-After``); other 5xx ``Server Error``.
    """
    from flask import request

    code = exc.code or 500
    if code == 405:
        methods = [m for m in _METHOD_ORDER if m in (exc.valid_methods or [])]
        response = envelope.bare(f"The {request.method} method is not supported for this route. "
                                 f"Supported methods: {', '.join(methods)}.", 405)
        response.headers["Allow"] = ", ".join(methods)
        return response
    if code == 429:
        retry = retry_after_seconds()
        response = envelope.bare("Too Many Attempts.", 429, retry_after=retry)
        response.headers["Retry-After"] = str(retry)
        return response
    messages = {
        400: "Bad request.",
        401: "Unauthenticated.",
        403: "This action is unauthorized.",
        404: "Route not found.",
        413: "The payload is too large",
        415: "The request content type is not supported",
    }
    if code == 503:
        return envelope.bare("Service Unavailable", 503)
    if code >= 500:
        return envelope.bare("Server Error", code)
    return envelope.bare(messages.get(code, exc.description or "Error"), code)
