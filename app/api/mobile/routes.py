"""Every endpoint of contract 001 (Absensi Mobile), in the contract's order.

Views are thin: parse the contract's fields, call a service, render the
envelope.  Domain errors are translated in one place (:func:`_domain_error`).

Each route's docstring names its section of the contract, its fields and its answers with
their rcode (contract 001, "Response Codes").  Besides those: a route marked "token" answers
401 with the bare ``{"message": "Token not provided" | "Token is expired" | "Token is
invalid"}`` without a valid bearer token; 429 rcode ``83`` over the limit (60 requests per minute
per caller, login its own 5); the other HTTP errors as :func:`app.api.mobile.render_http_error`
(malformed JSON: 400 rcode ``01`` with ``errors.body``).
"""
from __future__ import annotations

from flask import Blueprint, g, request

from ...accounts import services as accounts
from ...accounts.models import User
from ...attendance import services as attendance
from ...common.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from ...common.ratelimit import login_address_limit
from ...extensions import db, limiter
from ...notify import services as notify
from ...places import services as places
from ...posts import services as posts
from ...posts.models import CATEGORIES
from ...schedules import services as schedules
from ...system import services as system
from . import envelope, serializers as ser
from .schemas import body, boolean_filter, integer, optional_string, position, required_string
from .tokens import issue_access_token, rate_limit_key, token_required

bp = Blueprint("mobile", __name__)

#: Contract 001, "Rate Limiting": login 5/min, everything else 60/min.
DEFAULT_LIMIT = "60 per minute"
LOGIN_LIMIT = "5 per minute"


def _login_key() -> str:
    data = request.get_json(silent=True) if request.is_json else request.form
    npp = data.get("npp") if isinstance(data, dict) or hasattr(data, "get") else None
    return f"mobile:login:{request.remote_addr}:{str(npp)[:32] if npp else '-'}"


# One budget per caller (the token's user, else the address) shared by every
# endpoint of the dialect, not 60 per endpoint; login has its own limit instead.
limiter.shared_limit(DEFAULT_LIMIT, scope="mobile", key_func=rate_limit_key)(bp)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    return envelope.from_domain_error(exc)


def _admin_only() -> None:
    if g.user.role != "admin":
        raise PermissionDenied("Only administrators may change attendance time settings")


def _own_npp(value) -> None:
    """The NPP comes from the token: a different one in the request is refused."""
    if value not in (None, "") and str(value) != (g.user.npp or ""):
        raise PermissionDenied("You can only access your own notifications")


# --- App version ----------------------------------------------------------

@bp.post("/app-version/check")
def app_version_check():
    """``POST /api/app-version/check`` (contract 001, App Version "1. Check App Version"; no token).

    Request: ``platform`` (``android``/``ios``, required), ``build_number`` (integer 0..10^9,
    required), ``version_code`` (optional string, at most 20 characters, not used).
    Answers 200 rcode ``00`` with ``data`` {``needs_update``, ``force_update``, ``maintenance_mode``, ...}:
    "App under maintenance" (with ``maintenance_message``), "Update required" / "Update available"
    (with ``update_message``, ``store_url``, ``changelog``) or "Version check completed";
    422 rcode ``01`` (``errors`` per field) on a bad field.
    """
    data = body()
    platform = system.parse_platform(data.get("platform"))
    build = integer(data.get("build_number"), "build_number", low=0, high=10**9)
    optional_string(data, "version_code", max_len=20)
    verdict = system.check_version(platform, build)
    v = verdict.version
    if verdict.state == "maintenance":
        return envelope.ok("App under maintenance", data={
            "needs_update": False, "force_update": False, "maintenance_mode": True,
            "maintenance_message": v.maintenance_message or "Aplikasi sedang dalam pemeliharaan."})
    if verdict.state in ("force_update", "update_available"):
        forced = verdict.state == "force_update"
        return envelope.ok("Update required" if forced else "Update available", data={
            "needs_update": True, "force_update": forced, "maintenance_mode": False,
            "update_message": v.update_message, "store_url": v.store_url, "changelog": v.changelog})
    return envelope.ok("Version check completed", data={
        "needs_update": False, "force_update": False, "maintenance_mode": False,
        "update_message": None, "store_url": None, "changelog": None})


@bp.get("/app-version/latest/<platform>")
def app_version_latest(platform):
    """``GET /api/app-version/latest/<platform>`` (contract 001, App Version "2. Get Latest Version
    Info"; no token).

    Request: the path's ``platform`` (``android``/``ios``).  Answers 200 rcode ``00`` with ``data``
    {``platform``, ``version_code``, ``build_number``, ``min_version_code``, ``min_build_number``,
    ``store_url``, ``changelog``, ``maintenance_mode``}; 422 rcode ``01`` for another platform;
    404 rcode ``81`` when the platform has no version row.
    """
    v = system.latest_version(platform)
    return envelope.ok(data={
        "platform": v.platform, "version_code": v.version_code, "build_number": v.build_number,
        "min_version_code": v.min_version_code, "min_build_number": v.min_build_number,
        "store_url": v.store_url, "changelog": v.changelog, "maintenance_mode": bool(v.maintenance_mode)})


# --- Authentication -------------------------------------------------------

@bp.post("/login")
@login_address_limit
@limiter.limit(LOGIN_LIMIT, key_func=_login_key)
def login():
    """``POST /api/login`` (contract 001, Authentication "1. Login"; no token; 5 per minute per
    address and NPP, besides the per-address login limit).

    Request: ``npp`` (at most 32 characters), ``password`` (255), ``device_id`` (191), all
    required; the first login binds the device to the person.  Answers 200 rcode ``00``
    "authenticated" with ``nama``, ``kode_kantor``, ``nama_kantor`` (null without an office),
    ``group`` (``Admin``/``User``), ``access_token``, ``token_type`` ``Bearer``, ``expires_in``
    (seconds); 422 rcode ``01`` (every missing field at once); 404 rcode ``81`` "User Tidak
    Terdaftar"; 401 ``{"message": "NRK atau Password Salah"}`` (no rcode, as the contract's table);
    403 rcode ``81`` "Device Telah Terdaftar ke User Lain" or "Device Tidak Sesuai. ...";
    403 rcode ``83`` "User tidak aktif"; 429 rcode ``83`` over the limit.
    """
    data = body()
    errors = {}
    values = {}
    for field, max_len in (("npp", 32), ("password", 255), ("device_id", 191)):
        try:
            values[field] = required_string(data, field, max_len=max_len)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    user = accounts.mobile_login(values["npp"], values["password"], values["device_id"])
    token, ttl = issue_access_token(user, values["device_id"])
    return envelope.ok(
        "authenticated",
        nama=user.name,
        kode_kantor=user.office.code if user.office else None,
        nama_kantor=user.office.name if user.office else None,
        group="Admin" if user.role == "admin" else "User",
        access_token=token,
        token_type="Bearer",
        expires_in=ttl,
    )


# --- Attendance -----------------------------------------------------------

def _record(kind: str):
    data = body()
    lat, lon, accuracy = position(data)
    office = None
    branch = optional_string(data, "branch_id", max_len=20)
    if branch is not None:
        office = places.active_office_by_code(branch)
        if office is None:
            raise ValidationFailed({"branch_id": ["The selected branch_id is invalid."]})
    client_ref = request.headers.get("Idempotency-Key") or optional_string(data, "client_ref", max_len=64)
    if client_ref is not None and len(client_ref) > 64:
        raise ValidationFailed({"client_ref": ["The idempotency key may not be greater than 64 characters."]})
    result = attendance.record_attendance(
        g.user, kind, source="mobile_gps", latitude=lat, longitude=lon, accuracy_m=accuracy,
        office=office, device_id=g.device_id, client_ref=client_ref)
    noun = "Check-in" if kind == "check_in" else "Check-out"
    event = result.event
    message = f"{noun} successful" if not result.pending_review else f"{noun} recorded, awaiting review"
    return envelope.ok(message, data={
        "status": "pending_review" if result.pending_review else "accepted",
        "reason": event.flag_reason,
        "distance_m": round(event.distance_m, 1) if event.distance_m is not None else None,
        "time": ser.daily(result.daily)["jam_masuk" if kind == "check_in" else "jam_keluar"],
        "tanggal": event.work_date.isoformat(),
    })


@bp.post("/absenmasuk")
@token_required
def check_in():
    """``POST /api/absenmasuk`` (contract 001, Absensi "2. Check-In (Absen Masuk)"; token).

    Request: ``latitude``, ``longitude`` (strings or numbers, at most 50 characters, degrees),
    optional ``accuracy`` (metres, 0..100000), ``branch_id`` (an active office's code),
    ``client_ref`` or the ``Idempotency-Key`` header (at most 64 characters: a replay answers the
    first result); ``npp`` is ignored (the person is the token's).  Answers 200 rcode ``00``
    "Check-in successful" (or "Check-in recorded, awaiting review" when held for review) with
    ``data`` {``status`` ``accepted``/``pending_review``, ``reason``, ``distance_m`` (metres),
    ``time`` (local ``HH:MM``), ``tanggal``}; 422 rcode ``01`` (bad position, unknown
    ``branch_id``, a key already used for a check-out); 400 rcode ``82`` "You have already checked in today"; 400 rcode
    ``83`` outside the check-in window, no active schedule or an office not the person's;
    401 ``{"message": ...}`` without a valid token.
    """
    return _record("check_in")


@bp.post("/absenpulang")
@token_required
def check_out():
    """``POST /api/absenpulang`` (contract 001, Absensi "3. Check-Out (Absen Pulang)"; token).

    Request and answers as :func:`check_in` ("Check-out successful", ``time`` is the check-out's);
    400 rcode ``82`` "You have already checked out today"; 400 rcode ``83`` without a check-in
    that day or outside the check-out window.
    """
    return _record("check_out")


@bp.post("/getabsen")
@token_required
def attendance_history():
    """``POST /api/getabsen`` (contract 001, Absensi "4. Get Riwayat Absensi"; token).

    Request: ``year`` (2000..2100) and ``month`` (1..12), strings or integers, both required;
    ``npp`` is ignored.  Answers 200 rcode ``00`` with ``data``: the token's person's days of that
    month, newest first, each {``tanggal``, ``jam_masuk``, ``jam_keluar`` (local ``HH:MM`` or
    null), ``ket_absensi``}; 422 rcode ``01`` with every bad field.
    """
    data = body()
    errors = {}
    year = month = None
    try:
        year = integer(data.get("year"), "year", low=2000, high=2100)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        month = integer(data.get("month"), "month", low=1, high=12)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if errors:
        raise ValidationFailed(errors)
    rows = attendance.month_history(g.user, year, month)
    return envelope.ok(data=[ser.daily(d) for d in rows])


@bp.post("/kantor")
@token_required
def office_info():
    """``POST /api/kantor`` (contract 001, Absensi "5. Get Info Kantor"; token).

    Request: ``kode_kantor`` (required, at most 20 characters).  Answers 200 rcode ``00`` with
    ``data`` {``kode_kantor``, ``nama_kantor``, ``latitude``, ``longitude`` (strings, degrees),
    ``radius`` (metres)} of the active office with that code; 404 rcode ``81`` "Kantor tidak
    ditemukan" (unknown or inactive); 422 rcode ``01`` without the code.
    """
    code = required_string(body(), "kode_kantor", max_len=20)
    office = places.active_office_by_code(code)
    if office is None:
        raise NotFound("Kantor tidak ditemukan")
    return envelope.ok(data=ser.office(office))


# --- Work schedules (jam kerja) -------------------------------------------

SCHEDULE_FIELDS = {
    "nama": "name",
    "start_jam_masuk": "check_in_start",
    "end_jam_masuk": "check_in_end",
    "start_jam_pulang": "check_out_start",
    "end_jam_pulang": "check_out_end",
    "is_active": "is_active",
}
FIELD_NAMES = {v: k for k, v in SCHEDULE_FIELDS.items()}


def _schedule_values(data: dict) -> dict:
    return {model: data[field] for field, model in SCHEDULE_FIELDS.items() if field in data}


def _renamed(exc: ValidationFailed) -> ValidationFailed:
    return ValidationFailed({FIELD_NAMES.get(k, k): [m.replace(k, FIELD_NAMES.get(k, k)) for m in v]
                             for k, v in exc.errors.items()})


@bp.get("/jam-absensi/active")
@token_required
def schedule_active():
    """``GET /api/jam-absensi/active`` (contract 001, Jam Kerja "1. Get Jam Kerja Aktif"; token).

    Answers 200 rcode ``00`` with ``data``: the organisation's active schedule (``id``, ``nama``,
    ``start_jam_masuk``, ``end_jam_masuk``, ``start_jam_pulang``, ``end_jam_pulang`` as local
    ``HH:mm:ss``, ``is_active``, ``created_at``, ``updated_at``); 404 rcode ``81`` "No active
    attendance time setting found".
    """
    s = schedules.active_schedule()
    if s is None:
        return envelope.fail(envelope.NOT_FOUND, "No active attendance time setting found", 404)
    return envelope.ok(data=ser.schedule(s, timestamps=True))


@bp.get("/jam-absensi")
@token_required
def schedule_list():
    """``GET /api/jam-absensi`` (contract 001, Jam Kerja "2. Get Semua Jam Kerja"; token).

    Answers 200 rcode ``00`` with ``data``: every schedule (the fields of :func:`schedule_active`
    without the timestamps).
    """
    return envelope.ok(data=[ser.schedule(s) for s in schedules.list_schedules()])


@bp.get("/jam-absensi/<int:schedule_id>")
@token_required
def schedule_detail(schedule_id):
    """``GET /api/jam-absensi/<id>`` (contract 001, Jam Kerja "3. Get Detail Jam Kerja"; token).

    Answers 200 rcode ``00`` with the schedule in ``data``; 404 rcode ``81`` for an unknown id.
    """
    return envelope.ok(data=ser.schedule(schedules.get_schedule(schedule_id)))


@bp.post("/jam-absensi")
@token_required
def schedule_create():
    """``POST /api/jam-absensi`` (contract 001, Jam Kerja "4. Create Jam Kerja (Admin)"; an
    administrator's token).

    Request: ``nama`` (required, at most 100 characters), ``start_jam_masuk`` and
    ``start_jam_pulang`` (required, local ``HH:mm[:ss]``), optional ``end_jam_masuk``,
    ``end_jam_pulang``, ``is_active`` (default false).  Answers 201 rcode ``00`` "Attendance time
    setting created successfully" with the schedule in ``data``; 422 rcode ``01`` with the
    contract's field names; 403 rcode ``83`` for anyone but an administrator.
    """
    _admin_only()
    try:
        s = schedules.create_schedule(_schedule_values(body()), actor=g.user)
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    return envelope.ok("Attendance time setting created successfully", 201, data=ser.schedule(s))


@bp.put("/jam-absensi/<int:schedule_id>")
@token_required
def schedule_update(schedule_id):
    """``PUT /api/jam-absensi/<id>`` (contract 001, Jam Kerja "5. Update Jam Kerja (Admin)"; an
    administrator's token).

    Request: any of :func:`schedule_create`'s fields (only those sent change).  Answers 200 rcode
    ``00`` "Attendance time setting updated successfully" with the schedule; 422 rcode ``01``;
    404 rcode ``81`` unknown id; 400 rcode ``83`` ``is_active: false`` on the active schedule;
    403 rcode ``83`` for anyone but an administrator.
    """
    _admin_only()
    s = schedules.get_schedule(schedule_id)
    try:
        schedules.update_schedule(s, _schedule_values(body()), actor=g.user)
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    return envelope.ok("Attendance time setting updated successfully", data=ser.schedule(s))


@bp.delete("/jam-absensi/<int:schedule_id>")
@token_required
def schedule_delete(schedule_id):
    """``DELETE /api/jam-absensi/<id>`` (contract 001, Jam Kerja "6. Delete Jam Kerja (Admin)"; an
    administrator's token).

    Answers 200 rcode ``00`` "Attendance time setting deleted successfully" with ``deleted_nama``;
    400 rcode ``82`` when it is the last, the active or a still used schedule (the message says
    which); 404 rcode ``81`` unknown id; 403 rcode ``83`` for anyone but an administrator.
    """
    _admin_only()
    name = schedules.delete_schedule(schedules.get_schedule(schedule_id), actor=g.user)
    return envelope.ok("Attendance time setting deleted successfully", deleted_nama=name)


@bp.post("/jam-absensi/<int:schedule_id>/set-active")
@token_required
def schedule_set_active(schedule_id):
    """``POST /api/jam-absensi/<id>/set-active`` (contract 001, Jam Kerja "7. Set Jam Kerja Aktif
    (Admin)"; an administrator's token).

    Makes it the only active schedule.  Answers 200 rcode ``00`` "Attendance time setting activated
    successfully" with the schedule; 404 rcode ``81`` unknown id; 403 rcode ``83`` for anyone but
    an administrator.
    """
    _admin_only()
    s = schedules.set_active(schedules.get_schedule(schedule_id), actor=g.user)
    return envelope.ok("Attendance time setting activated successfully", data=ser.schedule(s))


# --- Device reset (no login: the user may be locked out) -------------------

@bp.post("/device-reset/request")
def device_reset_request():
    """``POST /api/device-reset/request`` (contract 001, Device Reset "6. Request Reset Device"; no
    token: the person may be locked out).

    Request: ``npp`` (required, at most 32 characters), ``reason`` (required, 10 to 1000
    characters).  Answers 201 rcode ``00`` "Permintaan reset device berhasil diajukan. ..." with the
    request in ``data`` (``id``, ``npp``, ``old_device_id``, ``reason``, ``status`` ``pending``,
    ``created_at``); 422 rcode ``01``; 404 rcode ``81`` "User tidak ditemukan"; 400 rcode ``82``
    while a request of the person is pending.
    """
    data = body()
    npp = required_string(data, "npp", max_len=32)
    req = accounts.request_device_reset(npp, data.get("reason"))
    return envelope.ok("Permintaan reset device berhasil diajukan. Mohon tunggu approval dari admin.", 201,
                       data=ser.reset_request(req))


@bp.post("/device-reset/my-request")
def device_reset_status():
    """``POST /api/device-reset/my-request`` (contract 001, Device Reset "7. Cek Status Request Reset
    Device"; no token).

    Request: ``npp`` (required, at most 32 characters).  Answers 200 rcode ``00`` with ``data``: the
    person's requests, newest first, each with ``status`` (``pending``/``approved``/``rejected``),
    ``processed_by``, ``processed_at``, ``admin_notes``; 404 rcode ``81`` "User tidak ditemukan";
    422 rcode ``01`` without ``npp``.
    """
    npp = required_string(body(), "npp", max_len=32)
    user = accounts.find_by_npp(npp)
    if user is None:
        raise accounts.UnknownUser("User tidak ditemukan")
    return envelope.ok(data=[ser.reset_request(r, full=True) for r in accounts.device_reset_requests(user)])


# --- Blogs ----------------------------------------------------------------

def _category():
    category = request.args.get("category") or None
    if category is not None and category not in CATEGORIES:
        raise ValidationFailed({"category": ["The category must be one of: " + ", ".join(CATEGORIES) + "."]})
    return category


@bp.get("/blogs/published")
@token_required
def blogs_published():
    """``GET /api/blogs/published`` (contract 001, Blog/Berita "8. Get Daftar Blog Published"; token).

    Query: optional ``category`` (announcement, news, event, info, other) and ``limit`` (1..50,
    default 10).  Answers 200 rcode ``00`` with ``data``: the visible posts, pinned first then
    newest published, as summaries; 422 rcode ``01`` for another category or a bad limit.
    """
    category = _category()
    limit = integer(request.args.get("limit"), "limit", low=1, high=50, default=10)
    rows = db.session.scalars(posts.published_query(category=category).limit(limit))
    return envelope.ok(data=[ser.post_summary(p) for p in rows])


@bp.get("/blogs/featured")
@token_required
def blogs_featured():
    """``GET /api/blogs/featured`` (contract 001, Blog/Berita "9. Get Featured Blogs"; token).

    Query: optional ``limit`` (1..50, default 5).  Answers 200 rcode ``00`` with ``data``: the
    visible featured posts (with ``image``), pinned first then newest; 422 rcode ``01`` for a bad
    limit.
    """
    limit = integer(request.args.get("limit"), "limit", low=1, high=50, default=5)
    rows = db.session.scalars(posts.published_query(featured=True).limit(limit))
    return envelope.ok(data=[ser.post_featured(p) for p in rows])


@bp.get("/blogs/<int:post_id>")
@token_required
def blog_detail(post_id):
    """``GET /api/blogs/<id>`` (contract 001, Blog/Berita "10. Get Detail Blog"; token).

    Counts the view.  Answers 200 rcode ``00`` with the whole post in ``data`` (``content``,
    ``author_name``, ``view_count`` after this view, ...); 404 rcode ``81`` for an unknown or
    unpublished post.
    """
    return envelope.ok(data=ser.post_detail(posts.read_published(post_id=post_id)))


@bp.get("/blogs/slug/<slug>")
@token_required
def blog_by_slug(slug):
    """``GET /api/blogs/slug/<slug>`` (contract 001, Blog/Berita "11. Get Blog by Slug"; token).

    As :func:`blog_detail`, by the post's slug (the first 220 characters are used).
    """
    return envelope.ok(data=ser.post_detail(posts.read_published(slug=slug[:220])))


# --- Notifications --------------------------------------------------------

@bp.get("/notifications")
@token_required
def notifications_list():
    """``GET /api/notifications`` (contract 001, Notifikasi "12. Get Daftar Notifikasi"; token).

    Query: ``npp`` (optional here: the person is the token's; another person's NPP is refused),
    ``is_read`` (``true``/``false``), ``type``, ``per_page`` (1..100, default 20), ``page``
    (default 1).  Answers 200 rcode ``00`` with ``data`` {``current_page``, ``data`` (newest
    first), ``last_page``, ``per_page``, ``total``}; 422 rcode ``01`` for a bad filter; 403 rcode
    ``83`` for another person's NPP.
    """
    _own_npp(request.args.get("npp"))
    is_read = boolean_filter(request.args.get("is_read"), "is_read")
    type_ = request.args.get("type") or None
    per_page = integer(request.args.get("per_page"), "per_page", low=1, high=100, default=20)
    page = integer(request.args.get("page"), "page", low=1, high=10**6, default=1)
    stmt = notify.notifications_query(g.user, is_read=is_read, type_=type_)
    pagination = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    return envelope.ok(data={
        "current_page": pagination.page,
        "data": [ser.notification(n, g.user.npp) for n in pagination.items],
        "last_page": max(1, pagination.pages),
        "per_page": per_page,
        "total": pagination.total,
    })


@bp.get("/notifications/unread-count")
@token_required
def notifications_unread():
    """``GET /api/notifications/unread-count`` (contract 001, Notifikasi "13. Get Unread Count"; token).

    Query: ``npp`` (optional, must be the token's person's).  Answers 200 rcode ``00`` with
    ``unread_count``; 403 rcode ``83`` for another person's NPP.
    """
    _own_npp(request.args.get("npp"))
    return envelope.ok(unread_count=notify.unread_count(g.user))


@bp.post("/notifications/<int:notification_id>/read")
@token_required
def notification_read(notification_id):
    """``POST /api/notifications/<id>/read`` (contract 001, Notifikasi "14. Mark Notification as Read";
    token).

    Answers 200 rcode ``00`` "Notification marked as read"; 404 rcode ``81`` when the id is not one
    of the person's notifications (another person's looks missing).
    """
    notify.mark_read(g.user, notification_id)
    return envelope.ok("Notification marked as read")


@bp.post("/notifications/read-all")
@token_required
def notifications_read_all():
    """``POST /api/notifications/read-all`` (contract 001, Notifikasi "15. Mark All Notifications as
    Read"; token).

    Request: ``npp`` (optional, must be the token's person's).  Answers 200 rcode ``00`` "All
    notifications marked as read" with ``updated_count`` (how many were unread); 403 rcode ``83``
    for another person's NPP.
    """
    _own_npp(body().get("npp"))
    return envelope.ok("All notifications marked as read", updated_count=notify.mark_all_read(g.user))


@bp.post("/fcm/register")
@token_required
def fcm_register():
    """``POST /api/fcm/register`` (contract 001, Notifikasi "16. Register FCM Token"; token).

    Request: ``fcm_token`` (required, at most 512 characters), optional ``device_type`` (``android``/``ios``),
    ``device_id``, ``npp`` (must be the token's person's).  A token already registered moves to
    this person and is active again.  Answers 200 rcode ``00`` "FCM token registered successfully"
    with ``data`` {``id``, ``npp``, ``fcm_token``, ``device_type``, ``device_id``, ``is_active``};
    422 rcode ``01`` (missing or over-long token, unknown device type); 403 rcode ``83`` for
    another person's NPP.
    """
    data = body()
    _own_npp(data.get("npp"))
    row = notify.register_push_token(g.user, data.get("fcm_token"), device_type=data.get("device_type") or None,
                                     device_id=data.get("device_id") or None)
    return envelope.ok("FCM token registered successfully", data=ser.push_token(row, g.user.npp))


@bp.post("/fcm/unregister")
@token_required
def fcm_unregister():
    """``POST /api/fcm/unregister`` (contract 001, Notifikasi "17. Unregister FCM Token"; token).

    Request: ``fcm_token``.  Deactivates the person's token.  Answers 200 rcode ``00`` "FCM token
    unregistered"; 404 rcode ``81`` "FCM token not found" when the person has no such token.
    """
    if not notify.unregister_push_token(g.user, body().get("fcm_token")):
        raise NotFound("FCM token not found")
    return envelope.ok("FCM token unregistered")


__all__ = ["bp", "User"]
