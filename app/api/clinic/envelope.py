"""Contract 000's envelope ("Struktur Response" and "Error Handling", Dokterku v2).

Every answer of the dialect, success or failure, is::

    {"success": bool, "message": str, "data": ..., "meta": {"version": "2.0",
     "timestamp": "2025-07-15T10:30:00.000000Z", "request_id": "<uuid4>",
     ["pagination": {"current_page", "per_page", "total", "last_page"}]},
     ["errors": {"<field>": ["<message>", ...]}]}

``errors`` is present only on failure, keyed by field as the contract's
"Standard Error Response Format" prints it.  ``request_id`` is a fresh UUID4 per
request, the same in ``meta`` and in the :data:`REQUEST_ID_HEADER` response header.
"""
from __future__ import annotations

import uuid

from flask import g, jsonify

from ...common import clock

#: The dialect's API version, ``meta.version``.
API_VERSION = "2.0"
#: Response header carrying ``meta.request_id`` (the contract names none; this is the common one).
REQUEST_ID_HEADER = "X-Request-ID"

#: Top-level messages of the contract's documented errors.
VALIDATION_MESSAGE = "The given data was invalid."
UNAUTHENTICATED_MESSAGE = "Unauthenticated."
FORBIDDEN_MESSAGE = "This action is unauthorized."
RATE_LIMIT_MESSAGE = "Too many requests. Please try again later."


def request_id() -> str:
    """This request's id: a UUID4 made on first use and kept on :data:`flask.g`."""
    rid = g.get("clinic_request_id")
    if rid is None:
        rid = g.clinic_request_id = str(uuid.uuid4())
    return rid


def meta(pagination: dict | None = None) -> dict:
    """``meta``: version, timestamp (UTC, the contract's format), request id, optional pagination."""
    body = {"version": API_VERSION, "timestamp": clock.iso_utc(clock.now()), "request_id": request_id()}
    if pagination is not None:
        body["pagination"] = pagination
    return body


def _respond(body: dict, status: int, headers: dict | None = None):
    response = jsonify(body)
    response.status_code = status
    response.headers[REQUEST_ID_HEADER] = request_id()
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def ok(data=None, message: str = "Success", status: int = 200, *, pagination: dict | None = None):
    """A success answer: ``{"success": true, "message", "data", "meta"}``.

    :param pagination: the dict of :func:`.pagination.paginate` for list endpoints (``meta.pagination``).
    """
    return _respond({"success": True, "message": message, "data": data, "meta": meta(pagination)}, status)


def fail(message: str, status: int, errors: dict[str, list[str]] | None = None, *,
         headers: dict | None = None, **extra):
    """A failure answer: ``{"success": false, "message", "errors": {field: [msg]}, "meta", **extra}``.

    ``extra`` adds top-level keys the contract prints for some errors (``retry_after`` on 429).
    """
    body = {"success": False, "message": message, "errors": errors or {}, "meta": meta()}
    body.update(extra)
    return _respond(body, status, headers)


def validation_failed(errors: dict[str, list[str]]):
    """422 ``The given data was invalid.`` with the field errors (contract "Validation Errors (422)")."""
    return fail(VALIDATION_MESSAGE, 422, errors)


def unauthenticated(reason: str = "Token expired or invalid"):
    """401 ``Unauthenticated.`` with ``errors.token`` (contract "Authentication Errors (401)")."""
    return fail(UNAUTHENTICATED_MESSAGE, 401, {"token": [reason]})


def forbidden(reason: str = "Insufficient permissions for this resource"):
    """403 ``This action is unauthorized.`` with ``errors.role`` (contract "Authorization Errors (403)")."""
    return fail(FORBIDDEN_MESSAGE, 403, {"role": [reason]})
