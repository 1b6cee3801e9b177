"""The ``clinic`` dialect: contract 000 (Dokterku v2), the clinic staff app, mounted at ``/api/v2``.

Staff (dokter, paramedis, non_paramedis, petugas, admin) sign in with email and
password and get an opaque Sanctum ``"<id>|<secret>"`` token that is one session
(:mod:`.auth`).  Every answer uses the v2 envelope (:mod:`.envelope`):
``success, message, data, meta{version, timestamp, request_id, pagination}`` and
on failure ``errors`` keyed by field; the request id is also the
``X-Request-ID`` header.  Rate limits by endpoint type: :mod:`.ratelimit`.

One id: an attendance is the day's record.  The ``id`` of the check-in, check-out,
today and history answers, the ``id`` of each pending approval, the ``attendance_id``
that ``/admin/attendance-approvals/{attendance_id}/approve|reject`` and ``bulk-approve``
take, and the ``attendance_id`` of offline-sync results and of today's history lines are
all :class:`~app.attendance.models.DailyAttendance` ids; no clinic answer carries an
event id.  The day is chosen over the event because the contract's attendance *is* a
day — history items have ``date``, ``time_in``, ``time_out``, ``work_duration`` — and it
is the only id that stays the same along the whole path: a check-in and its check-out
are two events but one attendance, a day may wait for review because of either (or
both), and a client approves exactly the id it was given at check-in.  Approving or
rejecting an attendance reviews every part of that day that waits
(:func:`app.attendance.services.review_day`).

Modules:

- :mod:`.blueprint` — ``bp``; the ``general`` rate limit; domain errors → envelope.
- :mod:`.envelope` — ``ok(data, message, status, pagination=)``, ``fail(message, status,
  errors, **extra)``, ``validation_failed``, ``unauthenticated``, ``forbidden``.
- :mod:`.auth` — ``token_required(*roles)`` (401/403 bodies; sets ``g.user``,
  ``g.api_token``), ``start_session``, session lifetimes.
- :mod:`.ratelimit` — ``LIMITS`` and ``rate_limit("<type>")``.
- :mod:`.validation` — ``json_body()`` (415/400/422), ``Checker``, ``query_date``, ``query_int``.
- :mod:`.pagination` — ``paginate(stmt, serialize) -> (items, pagination)``.
- :mod:`.serializers` — the contract's JSON shapes.
- ``routes_<section>.py`` — one module per contract section.

Adding a section: create ``routes_<section>.py`` registering on ``bp`` and import it
in :func:`create_blueprint`.  A route reads::

    @bp.post("/face-recognition/verify")
    @rate_limit("face_recognition")          # omit for the "general" budget
    @token_required(*CLINICIAN_ROLES)        # no roles: any signed-in clinic user
    def verify_face():
        values = Checker(json_body())...done()   # raises ValidationFailed → 422
        ...call a service (its DomainError → 422/404/403 via the blueprint)...
        return envelope.ok(data, "Face verified")

Lists return ``envelope.ok(items, message, pagination=pagination)`` from
:func:`.pagination.paginate`.  The request boundary commits below 400 and rolls back otherwise.
"""
from __future__ import annotations

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from . import envelope

#: Laravel's order of methods in its 405 message.
_METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def create_blueprint() -> Blueprint:
    """The dialect's blueprint with every section's routes registered."""
    from .blueprint import bp
    from . import routes_system, routes_auth, routes_attendance  # noqa: F401  (routes register on import)
    from . import routes_admin  # noqa: F401
    from . import routes_face  # noqa: F401
    from . import routes_dashboards  # noqa: F401
    from . import routes_notifications  # noqa: F401
    from . import routes_offline  # noqa: F401
    from . import routes_devices  # noqa: F401
    from . import routes_bulk  # noqa: F401
    return bp


def render_http_error(exc: HTTPException):
    """HTTP errors inside ``/api/v2`` in the envelope (contract "Error Handling").

    400 malformed body (``errors.body``), 401 ``Unauthenticated.`` (``errors.token``),
    403 ``This action is unauthorized.`` (``errors.role``), 404 (``errors.route``),
    405 (``errors.method``, plus ``Allow``), 413 (``errors.body``), 415
    (``errors.content_type``), 422, 429 the contract's body with ``retry_after`` and
    ``Retry-After``, 503 ``Service Unavailable`` (``errors.server``; the database unreachable,
    wait: ``Retry-After``), other 5xx ``Server Error`` (``errors.server``, no details).
    """
    code = exc.code or 500
    if code == 429:
        from .ratelimit import too_many_requests
        return too_many_requests()
    if code == 401:
        return envelope.unauthenticated()
    if code == 403:
        return envelope.forbidden()
    if code == 405:
        methods = [m for m in _METHOD_ORDER if m in (exc.valid_methods or [])]
        message = f"The {request.method} method is not supported for this route."
        return envelope.fail(message, 405, {"method": [f"Supported methods: {', '.join(methods)}."]},
                             headers={"Allow": ", ".join(methods)})
    if code == 503:
        return envelope.fail("Service Unavailable", 503,
                             {"server": ["The service is temporarily unavailable. Please try again later."]})
    if code >= 500:
        return envelope.fail("Server Error", code, {"server": ["An unexpected error occurred."]})
    errors = {
        400: ("Bad Request.", "body", "The request body is not valid JSON."),
        404: ("Not Found.", "route", "The requested resource was not found."),
        413: ("The payload is too large.", "body", "The request body is too large."),
        415: ("Unsupported Media Type.", "content_type", "The request body must be application/json."),
        422: (envelope.VALIDATION_MESSAGE, "body", "The request could not be processed."),
    }
    message, field, detail = errors.get(code, (exc.name or "Error", "request", exc.description or "Error"))
    return envelope.fail(message, code, {field: [detail]})
