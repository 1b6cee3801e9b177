"""What the kiosk tablet opens, under ``/kiosk``.  Its JSON answers come from :func:`reply`.

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
  ``X-CSRFToken``): identifies the person in front of the camera and checks them in
  or out (:func:`app.faces.attendance.face_visit`); answers ``{"result",
  "message", "name", "time"}`` with ``result`` one of ``no_face``,
  ``several_faces``, ``unknown``, ``checked_in``, ``checked_out``,
  ``already_in``, ``already_out``, ``outside_window``, ``not_checked_in``,
  ``no_schedule`` (200), ``invalid`` (413/415/422).  Only a frame that records
  an event is kept, as that event's photo; every other frame is dropped.
  On a kiosk with liveness on (:attr:`app.kiosk.models.Kiosk.liveness`) a
  recognised face checks nobody in: the answer is ``{"result": "challenge",
  "message", "challenge": {"id", "steps", "prompts", "step_ms", "lead_ms",
  "interval_ms", "expires_at"}}`` — a new challenge
  (:mod:`app.faces.challenges`): the steps (``blink``, ``turn_left``,
  ``turn_right``) and what to show for each, the time each is shown, the
  lead-in filmed before the first, the frame interval, the deadline; no name.

- ``POST /kiosk/face/burst`` (liveness on; ``multipart/form-data`` with
  ``challenge`` = the challenge's id, ``offsets`` = JSON list of each frame's
  capture time in ms from the first prompt (negative in the lead-in), and one
  ``frame`` file (JPEG/PNG) per offset, in order; at most
  :data:`MAX_BURST_BYTES`; header ``X-CSRFToken``): the server judges the
  frames against the challenge and identifies the person on them, then checks
  them in or out as a frame does, keeping the reference frame as the event's
  photo (:func:`app.faces.attendance.live_face_visit`).  Answers as the frame
  endpoint, plus ``liveness_failed`` (200, "Ikuti petunjuk di layar": the
  steps were not done, a photo, too late); ``invalid`` 409 (the challenge is
  unknown, another kiosk's or already answered), 413, 415, 422;
  ``liveness_off`` 409 on a kiosk without liveness.

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

import json
from functools import wraps

from flask import Blueprint, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..attendance.photos import decode_photo
from ..common import clock
from ..common.errors import DomainError, ValidationFailed
from ..escorts import services as escorts
from ..extensions import csrf, limiter
from ..faces import challenges, live_check, liveness
from ..faces import services as faces
from ..faces.attendance import FaceVisit, face_visit, live_face_visit
from ..qr import services as qr
from ..qr.images import qr_svg
from ..school import services as school
from . import services as kiosks
from .forms import MODE_NAMES

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

#: Largest camera frame accepted, in bytes (the page sends ~640 px JPEGs of 30-80 KB).
MAX_FRAME_BYTES = 2 * 1024 * 1024
#: The credential cookie (never the admin session cookie).
COOKIE = "hadir_kiosk"
#: Its lifetime in seconds (400 days: the longest browsers keep a cookie).
COOKIE_MAX_AGE_S = 400 * 24 * 3600


def reply(result: str, message: str, status: int = 200, **fields):
    """The tablet's JSON answer: ``{"result", "message", **fields}`` with HTTP ``status``.

    ``result`` is the machine-readable outcome the kiosk's script acts on, ``message`` the
    sentence it shows (in the kiosk's language), ``fields`` what else the outcome carries
    (``name``, ``time``, ``student``, ``errors`` ...).  Every kiosk endpoint answers this way,
    except the QR token (``/kiosk/qr.json``, data rather than an outcome) and the 401 of an
    unpaired tablet (``{"error": "unpaired", "message"}``, the same for every JSON request).
    """
    response = jsonify(result=result, message=message, **fields)
    response.status_code = status
    return response


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
                return reply("mode_disabled", _("This mode is not enabled on this kiosk."), 403)
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
    return render_template("kiosk/home.html", kiosk=kiosk, place=place, modes=kiosk.mode_list, mode_names=MODE_NAMES,
                           liveness=kiosk.liveness and "face" in kiosk.mode_list)


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
        return reply("invalid", _("Send the card code as JSON."), 415)
    body = request.get_json(silent=True)
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return reply("invalid", _("This is not a student card."), 422)
    today = clock.local_today()
    try:
        scan = school.record_card_scan(code, today)
    except school.CardNotFound:
        return reply("unknown_card", _("Unknown card. Ask the teacher on duty."), 404,
                     present_today=school.present_count(today))
    except school.CardInactive:
        return reply("inactive_card", _("This card is no longer valid. Ask for a new card."), 409,
                     present_today=school.present_count(today))
    except school.NotEnrolled:
        return reply("not_enrolled", _("This student is not in a class this year."), 409,
                     present_today=school.present_count(today))
    time_text = clock.to_local(scan.attendance.occurred_at).strftime("%H:%M")
    if scan.already:
        message = _("%(name)s was already recorded at %(time)s", name=scan.student.name, time=time_text)
    else:
        message = _("%(name)s — present %(time)s", name=scan.student.name, time=time_text)
    return reply("already" if scan.already else "recorded", message, 200 if scan.already else 201,
                 student={"name": scan.student.name, "class": scan.school_class.name},
                 time=time_text, present_today=school.present_count(today))


def _greeting(local_hour: int) -> str:
    """Indonesian-style greeting by the hour: pagi (<11), siang (<15), sore (<18), malam."""
    if local_hour < 11:
        return _("Good morning")
    if local_hour < 15:
        return _("Good afternoon")
    if local_hour < 18:
        return _("Good evening")
    return _("Good night")


def _face_answer(outcome: FaceVisit, now) -> tuple[str, str | None]:
    """``(message, HH:MM of the relevant event or None)`` of a frame's :class:`FaceVisit`."""
    if outcome.user is None:
        return {"no_face": _("Look at the camera"), "several_faces": _("One person at a time")}.get(
            outcome.result, _("Face not recognised")), None
    name = _first_name(outcome.user)
    visit = outcome.visit
    if visit is None:  # the rules refused before anything was recorded
        if outcome.result == "not_checked_in":
            return _("%(name)s: no check-in today, so no check-out", name=name), None
        if outcome.result == "no_schedule":
            return _("Working hours are not set up yet"), None
        if outcome.result in ("already_in", "already_out"):  # a simultaneous frame recorded it
            return _("%(name)s, already recorded", name=name), None
        return _("%(name)s: outside attendance hours", name=name), None
    if visit.outcome == "checked_in":
        time_text = clock.to_local(visit.event.occurred_at).strftime("%H:%M")
        greeting = _greeting(clock.to_local(now).hour)
        if visit.daily is not None and visit.daily.late_minutes > 0:
            # judged by the person's own schedule for the day ("terlambat 23 menit")
            return ngettext("%(greeting)s, %(name)s — in %(time)s, %(num)d minute late",
                            "%(greeting)s, %(name)s — in %(time)s, %(num)d minutes late", visit.daily.late_minutes,
                            greeting=greeting, name=name, time=time_text), time_text
        return _("%(greeting)s, %(name)s — in %(time)s", greeting=greeting, name=name, time=time_text), time_text
    if visit.outcome == "checked_out":
        time_text = clock.to_local(visit.event.occurred_at).strftime("%H:%M")
        return _("Goodbye, %(name)s — out %(time)s", name=name, time=time_text), time_text
    if visit.outcome == "already_in":
        time_text = clock.to_local(visit.daily.time_in).strftime("%H:%M")
        return _("%(name)s, you checked in at %(time)s", name=name, time=time_text), time_text
    if visit.outcome == "already_out":
        time_text = clock.to_local(visit.daily.time_out).strftime("%H:%M")
        return _("%(name)s, you checked out at %(time)s", name=name, time=time_text), time_text
    return _("%(name)s: outside attendance hours", name=name), None


def _first_name(user) -> str:
    return user.name.split()[0] if user.name.split() else user.name


@bp.post("/face/frame")
@mode_required("face")
def face_frame():
    """One camera frame: who is it, and check them in or out (:func:`app.faces.attendance.face_visit`;
    see the module doc for the answers)."""
    if request.content_length is not None and request.content_length > MAX_FRAME_BYTES:
        return reply("invalid", _("The camera frame is too large."), 413)
    if request.mimetype not in ("image/jpeg", "image/png"):
        return reply("invalid", _("Send the camera frame as a JPEG or PNG image."), 415)
    data = request.get_data(cache=False)
    if len(data) > MAX_FRAME_BYTES:
        return reply("invalid", _("The camera frame is too large."), 413)
    try:
        image = faces.load_image(data)
    except faces.FaceImageInvalid:
        return reply("invalid", _("The camera frame is not a readable image."), 422)
    now = clock.now()
    outcome = face_visit(g.kiosk, image, now)
    if outcome.challenge is not None:
        return _challenge_reply(outcome.challenge)
    return _visit_reply(outcome, now)


def _visit_reply(outcome: FaceVisit, now):
    """The tablet's answer to a :class:`FaceVisit` that ran the attendance rules (or found no one)."""
    message, time_text = _face_answer(outcome, now)
    if outcome.user is None:
        return reply(outcome.result, message)
    if outcome.visit is None:
        return reply(outcome.result, message, name=_first_name(outcome.user))
    return reply(outcome.result, message, name=_first_name(outcome.user), time=time_text)


#: What the tablet shows for each step of a liveness challenge (large type, the kiosk's language).
LIVENESS_PROMPTS = {
    liveness.BLINK: _l("Blink your eyes"),
    liveness.TURN_LEFT: _l("Turn your head to the left"),
    liveness.TURN_RIGHT: _l("Turn your head to the right"),
}
#: Largest burst accepted, in bytes: 36 frames of 25-60 KB from the tablet, with room.
MAX_BURST_BYTES = 6 * 1024 * 1024


def _challenge_reply(issued: challenges.IssuedChallenge):
    """A liveness challenge as the tablet needs it (see the module doc); nobody is named yet."""
    return reply("challenge", _("Follow the instructions on the screen"),
                 challenge={"id": issued.nonce, "steps": list(issued.steps),
                            "prompts": [str(LIVENESS_PROMPTS[step]) for step in issued.steps],
                            "step_ms": issued.step_ms, "lead_ms": liveness.LEAD_MS,
                            "interval_ms": liveness.FRAME_INTERVAL_MS, "expires_at": clock.iso_utc(issued.expires_at)})


def _burst_frames():
    """``(challenge nonce, [(offset_ms, bytes)])`` from the multipart body, or ``(None, error reply)``."""
    offsets = request.form.get("offsets", "")
    try:
        offsets = json.loads(offsets) if len(offsets) <= 2000 else None
    except ValueError:
        offsets = None
    files = request.files.getlist("frame")
    if not isinstance(offsets, list) or len(offsets) != len(files):
        return None, reply("invalid", _("Send one capture time per camera frame."), 422)
    frames = [(offset, upload.read(live_check.MAX_FRAME_BYTES + 1)) for offset, upload in zip(offsets, files)]
    return (request.form.get("challenge"), frames), None


def _check_csrf_header() -> None:
    """The CSRF check of :class:`flask_wtf.csrf.CSRFProtect`, on the ``X-CSRFToken`` header only.

    For the one kiosk endpoint whose body is larger than the app's request limit: the global
    check reads the form (the whole body) under that limit before the view could raise it.

    :raises flask_wtf.csrf.CSRFError: missing or wrong token (the app answers 400, as for any page).
    """
    try:
        validate_csrf(request.headers.get("X-CSRFToken"))
    except ValidationError as exc:
        raise CSRFError(exc.args[0] if exc.args else None) from None


@csrf.exempt  # checked in the view, on the header, once the body limit is raised (_check_csrf_header)
@bp.post("/face/burst")
@mode_required("face")
@limiter.limit("60 per minute")  # per address: a kiosk sends at most ~12 (one per 5 s); several may share a NAT
def face_burst():
    """The frames filmed while the tablet showed a liveness challenge: judged here, then check-in
    or out (:func:`app.faces.attendance.live_face_visit`; see the module doc for the answers)."""
    _check_csrf_header()
    if not g.kiosk.liveness:
        return reply("liveness_off", _("Liveness is not enabled on this kiosk."), 409)
    if request.content_length is None or request.content_length > MAX_BURST_BYTES:
        return reply("invalid", _("The camera frames are too large."), 413)
    if request.mimetype != "multipart/form-data":
        return reply("invalid", _("Send the camera frames as multipart/form-data."), 415)
    request.max_content_length = MAX_BURST_BYTES
    parsed, refused = _burst_frames()
    if refused is not None:
        return refused
    nonce, frames = parsed
    now = clock.now()
    try:
        outcome = live_face_visit(g.kiosk, nonce, frames, now)
    except (ValidationFailed, faces.FaceImageInvalid):
        return reply("invalid", _("The camera frames could not be read."), 422)
    except challenges.ChallengeInvalid:
        return reply("invalid", _("Please try again."), 409)
    except challenges.ChallengeExpired:  # too slow: the same words as any other failed attempt
        return reply("liveness_failed", _("Follow the instructions on the screen"))
    except live_check.LivenessFailed as failed:
        if failed.details.get("reason") == "several_faces":
            return reply("several_faces", _("One person at a time"))
        return reply("liveness_failed", _("Follow the instructions on the screen"))
    return _visit_reply(outcome, now)


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
        return reply("invalid", _("Send the registration as JSON."), 415)
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
        return reply("invalid", _("Please check the marked fields."), 422, errors=errors)
    escort = escorts.create_escort(**values, photo=photo, ip=request.remote_addr, api_submission=False)
    return reply("registered", _("Thank you, %(name)s. The ER staff have your registration.", name=escort.name), 201,
                 reference=escort.submission_id)
