"""Every endpoint of contract 001 (Absensi Mobile), in the contract's order.

Views are thin: parse the contract's fields, call a service, render the
envelope.  Domain errors are translated in one place (:func:`_domain_error`).
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
from ...places.models import Office
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
    return _record("check_in")


@bp.post("/absenpulang")
@token_required
def check_out():
    return _record("check_out")


@bp.post("/getabsen")
@token_required
def attendance_history():
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
    code = required_string(body(), "kode_kantor", max_len=20)
    office = db.session.scalar(db.select(Office).filter_by(code=code, is_active=True))
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
    s = schedules.active_schedule()
    if s is None:
        return envelope.fail(envelope.NOT_FOUND, "No active attendance time setting found", 404)
    return envelope.ok(data=ser.schedule(s, timestamps=True))


@bp.get("/jam-absensi")
@token_required
def schedule_list():
    return envelope.ok(data=[ser.schedule(s) for s in schedules.list_schedules()])


@bp.get("/jam-absensi/<int:schedule_id>")
@token_required
def schedule_detail(schedule_id):
    return envelope.ok(data=ser.schedule(schedules.get_schedule(schedule_id)))


@bp.post("/jam-absensi")
@token_required
def schedule_create():
    _admin_only()
    try:
        s = schedules.create_schedule(_schedule_values(body()), actor=g.user)
    except ValidationFailed as exc:
        raise _renamed(exc) from None
    return envelope.ok("Attendance time setting created successfully", 201, data=ser.schedule(s))


@bp.put("/jam-absensi/<int:schedule_id>")
@token_required
def schedule_update(schedule_id):
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
    _admin_only()
    name = schedules.delete_schedule(schedules.get_schedule(schedule_id), actor=g.user)
    return envelope.ok("Attendance time setting deleted successfully", deleted_nama=name)


@bp.post("/jam-absensi/<int:schedule_id>/set-active")
@token_required
def schedule_set_active(schedule_id):
    _admin_only()
    s = schedules.set_active(schedules.get_schedule(schedule_id), actor=g.user)
    return envelope.ok("Attendance time setting activated successfully", data=ser.schedule(s))


# --- Device reset (no login: the user may be locked out) -------------------

@bp.post("/device-reset/request")
def device_reset_request():
    data = body()
    npp = required_string(data, "npp", max_len=32)
    req = accounts.request_device_reset(npp, data.get("reason"))
    return envelope.ok("Permintaan reset device berhasil diajukan. Mohon tunggu approval dari admin.", 201,
                       data=ser.reset_request(req))


@bp.post("/device-reset/my-request")
def device_reset_status():
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
    category = _category()
    limit = integer(request.args.get("limit"), "limit", low=1, high=50, default=10)
    rows = db.session.scalars(posts.published_query(category=category).limit(limit))
    return envelope.ok(data=[ser.post_summary(p) for p in rows])


@bp.get("/blogs/featured")
@token_required
def blogs_featured():
    limit = integer(request.args.get("limit"), "limit", low=1, high=50, default=5)
    rows = db.session.scalars(posts.published_query(featured=True).limit(limit))
    return envelope.ok(data=[ser.post_featured(p) for p in rows])


@bp.get("/blogs/<int:post_id>")
@token_required
def blog_detail(post_id):
    return envelope.ok(data=ser.post_detail(posts.read_published(post_id=post_id)))


@bp.get("/blogs/slug/<slug>")
@token_required
def blog_by_slug(slug):
    return envelope.ok(data=ser.post_detail(posts.read_published(slug=slug[:220])))


# --- Notifications --------------------------------------------------------

@bp.get("/notifications")
@token_required
def notifications_list():
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
    _own_npp(request.args.get("npp"))
    return envelope.ok(unread_count=notify.unread_count(g.user))


@bp.post("/notifications/<int:notification_id>/read")
@token_required
def notification_read(notification_id):
    notify.mark_read(g.user, notification_id)
    return envelope.ok("Notification marked as read")


@bp.post("/notifications/read-all")
@token_required
def notifications_read_all():
    _own_npp(body().get("npp"))
    return envelope.ok("All notifications marked as read", updated_count=notify.mark_all_read(g.user))


@bp.post("/fcm/register")
@token_required
def fcm_register():
    data = body()
    _own_npp(data.get("npp"))
    row = notify.register_push_token(g.user, data.get("fcm_token"), device_type=data.get("device_type") or None,
                                     device_id=data.get("device_id") or None)
    return envelope.ok("FCM token registered successfully", data=ser.push_token(row, g.user.npp))


@bp.post("/fcm/unregister")
@token_required
def fcm_unregister():
    if not notify.unregister_push_token(g.user, body().get("fcm_token")):
        raise NotFound("FCM token not found")
    return envelope.ok("FCM token unregistered")


__all__ = ["bp", "User"]
