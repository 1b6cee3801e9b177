"""Every endpoint of contract 003 (Face Attendance), paths relative to the mount (``/face/api``).

=================  =====================  ==========================================
method + path      who                    success
=================  =====================  ==========================================
POST /login        anyone                 200 ``{ok, user}`` + ``token`` cookie
POST /register     anyone                 201 ``{message, user}`` (role ``mahasiswa``)
POST /logout       anyone                 200 ``{message}``, token revoked, cookie gone
GET  /profile      signed in              200 ``{user}``
PUT  /profile      signed in              200 ``{message, user}`` (``name`` only)
POST /attendance   signed in              201 ``{message, attendance}``: ``success`` or ``failed``
GET  /attendance   signed in              200 ``{records}`` (own check-ins and failed attempts)
GET  /users        role ``admin``         200 ``{total_users, users}``: who can sign in here
=================  =====================  ==========================================

Errors are ``{"message": ...}`` (:mod:`.errors`); the contract's documented
messages are used verbatim, and the cases it does not name get messages in
the same style (listed on each route).
"""
from __future__ import annotations

from flask import g, request
from sqlalchemy.exc import IntegrityError

from ...accounts import services as accounts
from ...accounts.api_tokens import find_token, issue_token, revoke
from ...accounts.models import User
from ...accounts.passwords import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, PasswordRejected, check_new_password
from ...accounts.roles import ROLE_KEYS
from ...attendance import days as attendance_days, photos
from ...attendance import services as attendance
from ...common import clock
from ...common.errors import Conflict, ValidationFailed
from ...common.ratelimit import login_address_limit
from ...extensions import db, limiter
from ...faces import services as faces
from ...faces.self_check_in import PENDING_ENROLMENT as PENDING, recent_failures, self_check_in
from . import serializers, settings
from .auth import (DIALECT, TOKEN_LIFETIME, clear_token_cookie, cookie_token, json_body, login_required,
                   rate_limit_key, set_token_cookie)
from .blueprint import bp
from .errors import ApiError, body

#: Login attempts per address and email (contract 003 names none; as the other dialects).
LOGIN_LIMIT = "5 per minute"
#: New accounts per address.
REGISTER_LIMIT = "10 per hour"
#: Attendance submissions per signed-in person (each costs ~0.2-0.5 s of face encoding).
ATTENDANCE_LIMIT = "10 per minute"
#: Role given to everyone who registers through this API: contract 003's default and only
#: non-admin role (``role: 'admin' | 'mahasiswa'``, "Optional, default: 'mahasiswa'").
REGISTERED_ROLE = "mahasiswa"
#: Most records returned by GET /attendance (newest first): about four years of work days.
MAX_RECORDS = 1000
MAX_NAME = 120
MAX_EMAIL = 254
#: The password policy's refusals (:func:`~app.accounts.passwords.check_new_password`) in the
#: style of contract 003's 400 messages (POST /api/register names "Email, password, dan nama harus diisi").
PASSWORD_MESSAGES = {
    "required": "Email, password, dan nama harus diisi",
    "too_short": f"Password minimal {MIN_PASSWORD_LENGTH} karakter",
    "too_long": f"Password maksimal {MAX_PASSWORD_LENGTH} karakter",
    "blank": "Password tidak boleh hanya berisi spasi",
}

ALREADY_TODAY = "Anda sudah absen hari ini"


def _text(data: dict, field: str) -> str | None:
    """``data[field]`` stripped when it is a non-empty string, else None (missing, null, wrong type)."""
    value = data.get(field)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()


def _login_key() -> str:
    data = request.get_json(silent=True) if request.is_json else None
    email = data.get("email") if isinstance(data, dict) else None
    return f"face:login:{request.remote_addr}:{str(email)[:64].lower() if email else '-'}"


def _register_key() -> str:
    return f"face:register:{request.remote_addr}"


# --- Authentication ------------------------------------------------------------

@bp.post("/login")
@login_address_limit
@limiter.limit(LOGIN_LIMIT, key_func=_login_key)
def login():
    """POST /api/login: ``{email, password}`` → 200 ``{ok: true, user}`` and the ``token`` cookie.

    Errors: 400 ``Email dan password harus diisi`` (missing, empty or not text);
    401 ``Email atau password salah`` (unknown email or wrong password,
    indistinguishable); 403 ``Akun Anda dinonaktifkan`` (deactivated, said only
    after a right password); 415 not JSON; 429 over :data:`LOGIN_LIMIT`.
    """
    data = json_body("Email dan password harus diisi")
    email, password = _text(data, "email"), data.get("password")
    if email is None or not isinstance(password, str) or not password:
        raise ApiError(400, "Email dan password harus diisi")
    if "@" not in email or len(email) > MAX_EMAIL or len(password) > 1024:
        raise ApiError(401, "Email atau password salah")
    try:
        user = accounts.authenticate(email, password, allowed_roles=ROLE_KEYS)
    except accounts.BadCredentials:
        raise ApiError(401, "Email atau password salah") from None
    except accounts.InactiveUser:
        raise ApiError(403, "Akun Anda dinonaktifkan") from None
    agent = request.headers.get("User-Agent")
    token, _row = issue_token(user, DIALECT, name=(agent or "")[:120] or None, ip=request.remote_addr,
                              user_agent=agent, expires_at=clock.now() + TOKEN_LIFETIME)
    response = body(ok=True, user=serializers.user_brief(user))
    set_token_cookie(response, token)
    return response


@bp.post("/register")
@limiter.limit(REGISTER_LIMIT, key_func=_register_key)
def register():
    """POST /api/register: ``{email, password, name, role?}`` → 201 ``{message, user}``.

    Everyone registering here gets the contract's default role
    :data:`REGISTERED_ROLE` (``mahasiswa``): ``role`` may be left out, null,
    empty or ``mahasiswa``.  Contract 003 knows two roles, ``admin`` and
    ``mahasiswa``; ``admin`` is refused, since an open form must not hand out
    administrator rights, and any other value is not a role of this app.
    Registering does not sign in (the contract sets no cookie here).

    Errors: 400 ``Email, password, dan nama harus diisi``; 400 ``Format email
    tidak valid``; 400 ``Password minimal 8 karakter`` (or another refusal of the password
    policy: :data:`PASSWORD_MESSAGES`); 400 ``Nama maksimal
    120 karakter``; 400 ``Role tidak valid`` (not ``mahasiswa``); 403 ``Anda tidak
    memiliki akses`` (``role: admin``); 409 ``Email sudah terdaftar``; 415 not
    JSON; 429 over :data:`REGISTER_LIMIT`.
    """
    data = json_body("Email, password, dan nama harus diisi")
    email, name, password = _text(data, "email"), _text(data, "name"), data.get("password")
    if email is None or name is None or not isinstance(password, str) or not password:
        raise ApiError(400, "Email, password, dan nama harus diisi")
    role = data.get("role")
    if role == "admin":
        raise ApiError(403, "Anda tidak memiliki akses")
    if role not in (None, "", REGISTERED_ROLE):
        raise ApiError(400, "Role tidak valid")
    email = email.lower()
    if len(email) > MAX_EMAIL or not accounts.EMAIL_RE.match(email):
        raise ApiError(400, "Format email tidak valid")
    if len(name) > MAX_NAME:
        raise ApiError(400, f"Nama maksimal {MAX_NAME} karakter")
    try:
        check_new_password(password)
    except PasswordRejected as exc:
        raise ApiError(400, PASSWORD_MESSAGES[exc.reason]) from None
    try:
        with db.session.begin_nested():
            user = accounts.create_user(name=name, password=password, role=REGISTERED_ROLE, email=email)
    except Conflict:
        raise ApiError(409, "Email sudah terdaftar") from None
    except IntegrityError:  # the same email registered by a concurrent request
        raise ApiError(409, "Email sudah terdaftar") from None
    except ValidationFailed as exc:
        raise ApiError(400, next(iter(exc.errors.values()))[0]) from None
    return body(201, message="Registrasi berhasil", user=serializers.user_brief(user))


@bp.post("/logout")
def logout():
    """POST /api/logout → 200 ``{"message": "Logout berhasil"}``; revokes the token and deletes the cookie.

    Also 200 without a (live) cookie: the result, being signed out, is the same.
    """
    row = find_token(cookie_token(), DIALECT, touch=False)
    if row is not None:
        revoke(row)
    response = body(message="Logout berhasil")
    clear_token_cookie(response)
    return response


# --- Profile -------------------------------------------------------------------

@bp.get("/profile")
@login_required()
def profile():
    """GET /api/profile → 200 ``{user: {id, email, name, role, created_at, updated_at}}``.

    Errors: 401 ``Anda belum login``; 404 ``User tidak ditemukan``.
    """
    return body(user=serializers.user_profile(g.user))


@bp.put("/profile")
@login_required()
def update_profile():
    """PUT /api/profile ``{name}`` → 200 ``{message: "Profile updated", user}``.

    Only ``name`` can change here (email, role and password are not part of
    this endpoint and are ignored).  Errors: 400 ``Nama harus diisi``
    (missing, empty, not text); 400 ``Nama maksimal 120 karakter``; 401; 415.
    """
    data = json_body("Nama harus diisi")
    name = _text(data, "name")
    if name is None:
        raise ApiError(400, "Nama harus diisi")
    if len(name) > MAX_NAME:
        raise ApiError(400, f"Nama maksimal {MAX_NAME} karakter")
    accounts.update_user(g.user, name=name)
    return body(message="Profile updated", user=serializers.user_updated(g.user))


# --- Attendance ----------------------------------------------------------------

#: ``message`` of a 201 per outcome of :func:`app.faces.self_check_in.self_check_in`.
RECORDED = "Absensi berhasil dicatat"
PENDING_ENROLMENT = ("Absensi berhasil dicatat. Wajah Anda belum terdaftar: foto ini menunggu persetujuan admin "
                     "sebagai wajah Anda, dan absensi ini dihitung setelah disetujui.")
#: ``message`` of a 201 ``status: "failed"`` per reason (:data:`app.faces.models.FAILURE_REASONS`).
FAILED = {
    "no_face": "Absensi gagal: wajah tidak terdeteksi",
    "several_faces": "Absensi gagal: terdeteksi lebih dari satu wajah, pastikan hanya Anda yang terlihat di kamera",
    "not_matched": "Absensi gagal: wajah tidak cocok",
}


def _decode(value: str) -> faces.FaceImage:
    try:
        return faces.decode_base64_image(value)
    except faces.FaceImageTooLarge:
        raise ApiError(413, "Ukuran image terlalu besar") from None
    except faces.FaceImageInvalid:
        raise ApiError(400, "Image tidak valid (harus gambar JPEG atau PNG dalam base64)") from None


@bp.post("/attendance")
@limiter.limit(ATTENDANCE_LIMIT, key_func=rate_limit_key)
@login_required()
def create_attendance():
    """POST /api/attendance ``{image}`` → 201 ``{message, attendance: {id, userId, timestamp, status}}``.

    ``image``: a JPEG or PNG in base64, bare (the contract's ``"base64_image_data"``)
    or as a data URL.  The signed-in person's check-in for today, once per work
    day, through :func:`app.faces.self_check_in.self_check_in`:

    - their face (verified 1:1 against their enrolled samples) → 201 ``success``,
      the photo kept with the check-in (a file under ``UPLOAD_FOLDER``);
    - no enrolled face yet → 201 ``success`` with :data:`PENDING_ENROLMENT`: the
      check-in is recorded and waits in the admin review inbox beside this photo,
      which becomes their face when an admin approves (both go on a rejection;
      until then later check-ins are compared with that photo and wait too).
      ``FACE_ENROL_ON_FIRST_USE`` on: the photo is enrolled at once instead;
    - no face, several faces, or not their face → 201 ``failed`` (a failed
      attempt, listed by GET, never attendance; the message says why).

    Errors: 400 ``Image tidak ditemukan`` (missing, empty, not text); 400 image
    not JPEG/PNG base64; 400 no schedule / outside the check-in window; 401;
    404 ``User tidak ditemukan``; 409 ``Anda sudah absen hari ini``; 413 over 3 MB
    of request (the photos' limit of :mod:`app.attendance.photos`); 415 not
    JSON; 429 over :data:`ATTENDANCE_LIMIT`.
    """
    request.max_content_length = photos.MAX_REQUEST_BYTES
    data = json_body("Image tidak ditemukan")
    value = data.get("image")
    if not isinstance(value, str) or not value.strip():
        raise ApiError(400, "Image tidak ditemukan")
    try:
        attendance.check_in_day(g.user)  # before decoding: refuse early what would fail anyway
        result = self_check_in(g.user, _decode(value), enrol_on_first_use=settings.enrol_on_first_use())
    except attendance.AlreadyCheckedIn:
        raise ApiError(409, ALREADY_TODAY) from None
    except attendance.NoActiveSchedule:
        raise ApiError(400, "Jadwal absensi belum diatur") from None
    except attendance.OutsideWindow:
        raise ApiError(400, "Di luar waktu absensi") from None
    if result.failure is not None:
        return body(201, message=FAILED[result.failure.reason],
                    attendance=serializers.failed_created(result.failure))
    message = PENDING_ENROLMENT if result.outcome == PENDING else RECORDED
    return body(201, message=message, attendance=serializers.attendance_created(result.event))


@bp.get("/attendance")
@login_required()
def list_attendance():
    """GET /api/attendance → 200 ``{records: [{id, userId, timestamp, status, created_at}]}``.

    The signed-in person's own check-ins (from any source: this page, the
    kiosk, the mobile apps) and their failed face check-ins, newest first, at
    most :data:`MAX_RECORDS`.  ``status`` is ``success`` for a check-in (also
    one waiting for review), ``failed`` for one an admin rejected and for a
    failed attempt (whose ``id`` reads ``failed-<n>``, apart from check-ins').
    """
    events = attendance_days.recent_check_ins(g.user.id, limit=MAX_RECORDS)
    failures = recent_failures(g.user.id, limit=MAX_RECORDS)
    rows = sorted([(e.occurred_at, serializers.attendance_record(e)) for e in events]
                  + [(f.occurred_at, serializers.failed_record(f)) for f in failures],
                  key=lambda pair: pair[0], reverse=True)
    return body(records=[record for _moment, record in rows[:MAX_RECORDS]])


# --- Admin ---------------------------------------------------------------------

@bp.get("/users")
@login_required(admin=True)
def list_users():
    """GET /api/users (role ``admin``) → 200 ``{total_users, users: [... attendance_count, created_at]}``.

    The people who can sign in to this app, ordered by id: active, not
    deleted, and with an email (the app's only login identifier, contract
    003 "POST /api/login"), whatever their role — so ``email`` is a string
    for every user listed, as the contract's ``email: string`` says.  A
    student known only by NISN, or a deactivated or deleted person, cannot
    sign in here and is not listed.  ``attendance_count`` counts their
    check-ins that count as attendance (one per work day): not rejected on
    review, not ``failed``.  Errors: 401 ``Anda belum login``; 403 ``Anda
    tidak memiliki akses`` (not an admin).
    """
    users = [serializers.user_with_count(user, n) for user, n in attendance_days.email_users_with_check_in_counts()]
    return body(total_users=len(users), users=users)
