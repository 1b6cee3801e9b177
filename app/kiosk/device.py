"""What the kiosk tablet opens, under ``/kiosk`` (issue 4, sections 1 and 4).

- ``GET/POST /kiosk/pair``: enter (or follow a link with) a one-time pairing
  code; success stores the kiosk credential in the ``hadir_kiosk`` cookie
  (httpOnly, path ``/kiosk``) and opens the kiosk;
- ``GET /kiosk/``: the kiosk page with its enabled modes;
- ``GET /kiosk/qr.json``: the dynamic QR token of the kiosk's location now, as
  ``{"token", "svg", "expires_at", "valid_until", "period_s", "server_time"}``
  (times ISO 8601 UTC; ``period_s`` seconds).  The page shows the next token
  when ``expires_at`` passes; phones that scanned the previous one still have
  the grace step (:mod:`app.qr.services`).

- ``POST /kiosk/cards/scan`` (JSON ``{"code": "<card QR text>"}``, header
  ``X-CSRFToken``): a student card read by the page's camera; records the
  student present today in their class of the academic year and answers
  ``{"result", "message", "student": {"name", "class"}, "time", "present_today"}``:
  201 ``recorded``, 200 ``already`` (recorded earlier today, with that time),
  404 ``unknown_card``, 409 ``inactive_card``, 409 ``not_enrolled``,
  422 ``invalid`` (no code, not a string, over 64 characters), 415 without JSON.

- ``POST /kiosk/face/frame`` (a JPEG or PNG camera frame as the raw body,
  ``Content-Type: image/jpeg``, at most :data:`MAX_FRAME_BYTES`; header
  ``X-CSRFToken``): identifies the person in front of the camera (1:N,
  :func:`app.faces.services.identify`) and checks them in or out
  (:func:`app.attendance.services.record_kiosk_visit`); answers ``{"result",
  "message", "name", "time"}`` with ``result`` one of ``no_face``,
  ``several_faces``, ``unknown``, ``checked_in``, ``checked_out``,
  ``already_in``, ``already_out``, ``outside_window``, ``not_checked_in``,
  ``no_schedule`` (200), ``invalid`` (413/415/422).  Only a frame that records
  an event is kept, as that event's photo; every other frame is dropped.

- ``POST /kiosk/escorts`` (JSON ``{"category": "police"|"ambulance"|"individual",
  "name", "gender": "male"|"female", "phone", "plate_number", "patient_name",
  "photo": "<base64 JPEG/PNG or data URL>"}``, header ``X-CSRFToken``): an ER
  escort registers themselves at the kiosk (:func:`app.escorts.services.create_escort`,
  status ``pending``, ``api_submission`` false); 201 ``{"result": "registered",
  "reference", "message"}``, 422 ``{"result": "invalid", "errors": {field:
  [message]}}`` in the kiosk's language, 415 without JSON.

An unpaired, revoked or replaced credential gets the pairing page (pages) or
``401 {"error": "unpaired", "message": ...}`` (JSON), so a revoked kiosk stops
at its next request.
"""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..accounts.models import User
from ..attendance import services as attendance
from ..attendance.photos import Photo, decode_photo, save_photo
from ..common import clock
from ..common.errors import DomainError, ValidationFailed
from ..escorts import services as escorts
from ..extensions import db, limiter
from ..faces import services as faces
from ..qr import services as qr
from ..qr.images import qr_svg
from ..school import services as school
from ..system.settings import get_setting
from . import services as kiosks
from .forms import MODE_NAMES

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

#: Largest camera frame accepted, in bytes (the page sends ~640 px JPEGs of 30-80 KB).
MAX_FRAME_BYTES = 2 * 1024 * 1024
#: The credential cookie (never the admin session cookie).
COOKIE = "hadir_kiosk"
#: Its lifetime in seconds (400 days: the longest browsers keep a cookie).
COOKIE_MAX_AGE_S = 400 * 24 * 3600


class PairForm(FlaskForm):
    """The pairing code, e.g. ``K7MX-3PQA`` (spaces, dashes and case do not matter)."""

    code = StringField("code", validators=[DataRequired(), Length(max=20)])


def _unpaired():
    wants_json = (request.method != "GET" or request.is_json or request.path.endswith(".json")
                  or request.accept_mimetypes.best == "application/json")
    if wants_json:
        response = jsonify(error="unpaired", message=_("This kiosk is not paired. Ask an admin for a pairing code."))
        response.status_code = 401
        response.delete_cookie(COOKIE, path=bp.url_prefix)
        return response
    response = redirect(url_for("kiosk.pair"))
    response.delete_cookie(COOKIE, path=bp.url_prefix)
    return response


def kiosk_required(view):
    """Rule: the request carries a valid kiosk credential (sets ``g.kiosk``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        kiosk = kiosks.authenticate(request.cookies.get(COOKIE))
        if kiosk is None:
            return _unpaired()
        g.kiosk = kiosk
        return view(*args, **kwargs)

    return wrapper


def mode_required(mode: str):
    """Rule: a paired kiosk (as :func:`kiosk_required`) with ``mode`` enabled; otherwise
    ``403 {"result": "mode_disabled", "message"}``."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if mode not in g.kiosk.mode_list:
                return jsonify(result="mode_disabled", message=_("This mode is not enabled on this kiosk.")), 403
            return view(*args, **kwargs)

        return kiosk_required(wrapper)

    return decorate


@bp.after_request
def _headers(response):
    """Kiosk responses are never cached (framing, sniffing: :mod:`app.common.security_headers`)."""
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@bp.route("/pair", methods=["GET", "POST"])
@limiter.limit("10 per minute", methods=["POST"])
def pair():
    """Pair this browser with a kiosk: the code from the admin's kiosk page (or its link)."""
    form = PairForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = request.args["code"][:20]
    error = None
    if form.validate_on_submit():
        try:
            kiosk, credential = kiosks.pair(form.code.data)
        except DomainError:
            error = _("This pairing code is not valid (unknown, used or expired). Ask an admin for a new one.")
        else:
            response = redirect(url_for("kiosk.home"), code=303)
            response.set_cookie(COOKIE, credential, max_age=COOKIE_MAX_AGE_S, path=bp.url_prefix,
                                httponly=True, samesite="Lax", secure=request.is_secure)
            return response
    elif request.method == "POST":
        error = _("Enter the pairing code.")
    return render_template("kiosk/pair.html", form=form, error=error), 200 if error is None else 422


@bp.get("/")
@kiosk_required
def home():
    """The kiosk page: its name, place and enabled modes (large, for people standing)."""
    kiosk = g.kiosk
    # without an office a QR or student-card kiosk stands at "the school" (QR location 0)
    school_modes = {"qr", "cards"} & set(kiosk.mode_list)
    place = kiosk.office.name if kiosk.office else (_("School") if school_modes else "")
    return render_template("kiosk/home.html", kiosk=kiosk, place=place, modes=kiosk.mode_list, mode_names=MODE_NAMES)


@bp.get("/qr.json")
@mode_required("qr")
def qr_json():
    """The token to show now for the kiosk's location, its QR as inline SVG and its times."""
    now = clock.now()
    token = qr.current_token(g.kiosk.office_id or qr.SCHOOL_LOCATION, now)
    return jsonify(token=token.token, svg=qr_svg(token.token, error="m", css_class="kiosk-qr-svg"),
                   expires_at=clock.iso_utc(token.expires_at), valid_until=clock.iso_utc(token.valid_until),
                   period_s=token.period_s, server_time=clock.iso_utc(now))


@bp.post("/cards/scan")
@mode_required("cards")
def card_scan():
    """Record the student whose card the camera read (once per day; a second read says so)."""
    if not request.is_json:
        return jsonify(result="invalid", message=_("Send the card code as JSON.")), 415
    body = request.get_json(silent=True)
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return jsonify(result="invalid", message=_("This is not a student card.")), 422
    today = clock.local_today()
    try:
        scan = school.record_card_scan(code, today)
    except school.CardNotFound:
        return jsonify(result="unknown_card", message=_("Unknown card. Ask the teacher on duty."),
                       present_today=school.present_count(today)), 404
    except school.CardInactive:
        return jsonify(result="inactive_card", message=_("This card is no longer valid. Ask for a new card."),
                       present_today=school.present_count(today)), 409
    except school.NotEnrolled:
        return jsonify(result="not_enrolled", message=_("This student is not in a class this year."),
                       present_today=school.present_count(today)), 409
    time_text = clock.to_local(scan.attendance.occurred_at).strftime("%H:%M")
    if scan.already:
        message = _("%(name)s was already recorded at %(time)s", name=scan.student.name, time=time_text)
    else:
        message = _("%(name)s — present %(time)s", name=scan.student.name, time=time_text)
    return jsonify(result="already" if scan.already else "recorded", message=message,
                   student={"name": scan.student.name, "class": scan.school_class.name},
                   time=time_text, present_today=school.present_count(today)), 200 if scan.already else 201


def _greeting(local_hour: int) -> str:
    """Indonesian-style greeting by the hour: pagi (<11), siang (<15), sore (<18), malam."""
    if local_hour < 11:
        return _("Good morning")
    if local_hour < 15:
        return _("Good afternoon")
    if local_hour < 18:
        return _("Good evening")
    return _("Good night")


def _visit_message(visit, name: str, now) -> tuple[str, str | None]:
    """``(message, HH:MM of the relevant event)`` of a recognised person's visit."""
    daily = visit.daily
    if visit.outcome == "checked_in":
        time_text = clock.to_local(visit.event.occurred_at).strftime("%H:%M")
        return _("%(greeting)s, %(name)s — in %(time)s", greeting=_greeting(clock.to_local(now).hour), name=name,
                 time=time_text), time_text
    if visit.outcome == "checked_out":
        time_text = clock.to_local(visit.event.occurred_at).strftime("%H:%M")
        return _("Goodbye, %(name)s — out %(time)s", name=name, time=time_text), time_text
    if visit.outcome == "already_in":
        time_text = clock.to_local(daily.time_in).strftime("%H:%M")
        return _("%(name)s, you checked in at %(time)s", name=name, time=time_text), time_text
    if visit.outcome == "already_out":
        time_text = clock.to_local(daily.time_out).strftime("%H:%M")
        return _("%(name)s, you checked out at %(time)s", name=name, time=time_text), time_text
    return _("%(name)s: outside attendance hours", name=name), None


@bp.post("/face/frame")
@mode_required("face")
def face_frame():
    """One camera frame: who is it, and check them in or out (see the module doc)."""
    if request.content_length is not None and request.content_length > MAX_FRAME_BYTES:
        return jsonify(result="invalid", message=_("The camera frame is too large.")), 413
    if request.mimetype not in ("image/jpeg", "image/png"):
        return jsonify(result="invalid", message=_("Send the camera frame as a JPEG or PNG image.")), 415
    data = request.get_data(cache=False)
    if len(data) > MAX_FRAME_BYTES:
        return jsonify(result="invalid", message=_("The camera frame is too large.")), 413
    try:
        image = faces.load_image(data)
    except faces.FaceImageInvalid:
        return jsonify(result="invalid", message=_("The camera frame is not a readable image.")), 422
    found = faces.identify(image)
    if not found:
        return jsonify(result="no_face", message=_("Look at the camera"))
    if len(found) > 1:
        return jsonify(result="several_faces", message=_("One person at a time"))
    user_id = found[0].user_id
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None or not user.is_active:
        return jsonify(result="unknown", message=_("Face not recognised"))
    first_name = user.name.split()[0] if user.name.split() else user.name
    now = clock.now()
    try:
        visit = attendance.record_kiosk_visit(user, office=g.kiosk.office or user.office,
                                              min_gap_s=int(get_setting("face_min_gap_minutes")) * 60, now=now)
    except attendance.NotCheckedIn:
        return jsonify(result="not_checked_in", name=first_name,
                       message=_("%(name)s: no check-in today, so no check-out", name=first_name))
    except attendance.NoActiveSchedule:
        return jsonify(result="no_schedule", name=first_name, message=_("Working hours are not set up yet"))
    except (attendance.AlreadyCheckedIn, attendance.AlreadyCheckedOut) as exc:
        # two frames of the same person raced; the other one recorded the event
        outcome = "already_in" if isinstance(exc, attendance.AlreadyCheckedIn) else "already_out"
        return jsonify(result=outcome, name=first_name, message=_("%(name)s, already recorded", name=first_name))
    except attendance.OutsideWindow:
        return jsonify(result="outside_window", name=first_name,
                       message=_("%(name)s: outside attendance hours", name=first_name))
    if visit.event is not None:
        save_photo(Photo(image.data, image.extension, image.width, image.height), visit.event)
    message, time_text = _visit_message(visit, first_name, now)
    return jsonify(result=visit.outcome, name=first_name, time=time_text, message=message)


#: Friendly per-field messages of the ER registration form (the kiosk's language).
ESCORT_FIELD_MESSAGES = {
    "category": _l("Choose who brought the patient."),
    "name": _l("Write your name (at least 3 letters)."),
    "gender": _l("Choose male or female."),
    "phone": _l("Write a phone number of 10 to 20 digits."),
    "plate_number": _l("Write the vehicle plate (3 to 20 characters), or tick “no vehicle”."),
    "patient_name": _l("Write the patient's name (at least 3 letters)."),
    "photo": _l("Take a photo first."),
}


@bp.post("/escorts")
@mode_required("escorts")
def escort_register():
    """An ER escort registers at the kiosk: validated like the igd API, photo stored as a file."""
    if not request.is_json:
        return jsonify(result="invalid", message=_("Send the registration as JSON.")), 415
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    values = {k: body.get(k) for k in ("category", "name", "gender", "phone", "plate_number", "patient_name")}
    errors: dict[str, list[str]] = {}
    try:
        escorts.check_values({k: v for k, v in values.items() if v is not None}, partial=False)
    except ValidationFailed as exc:
        errors.update({field: [str(ESCORT_FIELD_MESSAGES.get(field, field))] for field in exc.errors})
    photo = None
    try:
        photo = decode_photo(body.get("photo"))
    except ValidationFailed:
        errors["photo"] = [str(ESCORT_FIELD_MESSAGES["photo"])]
    if errors:
        return jsonify(result="invalid", message=_("Please check the marked fields."), errors=errors), 422
    escort = escorts.create_escort(**values, photo=photo, ip=request.remote_addr, api_submission=False)
    return jsonify(result="registered", reference=escort.submission_id,
                   message=_("Thank you, %(name)s. The ER staff have your registration.", name=escort.name)), 201
