"""The tablet's routes under ``/kiosk``: each parses, calls a service, answers with :func:`kiosk.answers.reply`.

The same JSON is documented for client writers in ``kiosk/README.md``.

- ``GET/POST /kiosk/pair``: enter (or follow a link with) a one-time pairing code; success
  stores the kiosk credential (:mod:`kiosk.access`) and opens the kiosk;
- ``GET /kiosk/``: the kiosk page with its enabled modes;
- ``GET /kiosk/qr.json``: the location's dynamic QR token now (:mod:`app.qr.services`);
- ``POST /kiosk/cards/scan``: a student card read by the camera, now or (sent later) while offline
  (:func:`app.school.services.record_card_scan`);
- ``POST /kiosk/face/frame``: one camera frame, identified and checked in or out
  (:func:`app.faces.attendance.face_visit`), or a liveness challenge;
- ``POST /kiosk/face/burst``: the frames filmed during a challenge
  (:func:`app.faces.attendance.live_face_visit`);
- ``POST /kiosk/escorts/check``: the ER registration's details, checked before the photo;
- ``POST /kiosk/escorts``: an ER escort registers (:func:`app.escorts.services.create_escort`).

Bodies, answers and status codes: ``kiosk/README.md`` ("The tablet's JSON").
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from flask import g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.attendance.photos import decode_photo
from app.common import clock
from app.common.i18n import clock_time
from app.common.errors import DomainError, ValidationFailed
from app.escorts import services as escorts
from app.extensions import csrf, limiter
from app.faces import challenges, live_check
from app.faces import services as faces
from app.faces.attendance import face_visit, live_face_visit
from app.kiosk import services as kiosks
from app.kiosk.forms import MODE_NAMES
from app.qr import services as qr
from app.qr.images import qr_svg
from app.school import services as school

from . import bp
from .access import kiosk_required, mode_required, set_credential
from .answers import ESCORT_FIELD_MESSAGES, challenge_reply, reply, visit_reply
from .assets import current_version

#: Largest camera frame accepted, in bytes (the page sends ~640 px JPEGs of 30-80 KB).
MAX_FRAME_BYTES = 2 * 1024 * 1024
#: Largest burst accepted, in bytes: 36 frames of 25-60 KB from the tablet, with room.
MAX_BURST_BYTES = 6 * 1024 * 1024


class PairForm(FlaskForm):
    """The pairing code, e.g. ``K7MX-3PQA`` (spaces, dashes and case do not matter)."""

    code = StringField("code", validators=[DataRequired(), Length(max=20)])


@bp.after_request
def _headers(response):
    """Kiosk responses are never cached (except the versioned assets, :mod:`kiosk.assets`) and carry
    ``X-Kiosk-Version`` (framing, sniffing: :mod:`app.common.security_headers`)."""
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Kiosk-Version"] = current_version()
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
            set_credential(response, credential)
            return response
    elif request.method == "POST":
        error = _("Enter the pairing code.")
    return render_template("tablet/pair.html", form=form, error=error), 200 if error is None else 422


@bp.get("/")
@kiosk_required
def home():
    """The kiosk page: its name, place and enabled modes (large, for people standing)."""
    kiosk = g.kiosk
    # without an office a QR or student-card kiosk stands at "the school" (QR location 0)
    school_modes = {"qr", "cards"} & set(kiosk.mode_list)
    place = kiosk.office.name if kiosk.office else (_("School") if school_modes else "")
    return render_template("tablet/home.html", kiosk=kiosk, place=place, modes=kiosk.mode_list, mode_names=MODE_NAMES,
                           liveness=kiosk.liveness and "face" in kiosk.mode_list, kiosk_version=current_version())


@bp.get("/qr.json")
@mode_required("qr")
def qr_json():
    """The token to show now for the kiosk's location, its QR as inline SVG and its times."""
    now = clock.now()
    token = qr.current_token(g.kiosk.office_id or qr.SCHOOL_LOCATION, now)
    return jsonify(token=token.token, svg=qr_svg(token.token, error="m", css_class="kiosk-qr-svg"),
                   expires_at=clock.iso_utc(token.expires_at), valid_until=clock.iso_utc(token.valid_until),
                   period_s=token.period_s, server_time=clock.iso_utc(now))


#: A tablet's id for one scan: 8-64 letters, digits and dashes (it sends a UUID).
CLIENT_ID_RE = re.compile(r"[A-Za-z0-9-]{8,64}")


def _scan_time(value) -> datetime | None:
    """``scanned_at`` of a delayed scan: ISO 8601 with a zone (``2026-12-06T00:05:09.120Z``) → aware UTC.

    :raises ValueError: not such a string."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(timezone.utc)


@bp.post("/cards/scan")
@mode_required("cards")
def card_scan():
    """Record the student whose card the camera read (once per day; a second read says so).

    Optional ``client_id`` and ``scanned_at``: a scan the tablet kept while offline and sends now
    (replay-safe; :func:`app.school.services.record_card_scan`)."""
    if not request.is_json:
        return reply("invalid", _("Send the card code as JSON."), 415)
    body = request.get_json(silent=True)
    body = body if isinstance(body, dict) else {}
    code, client_id, scanned_at = body.get("code"), body.get("client_id"), body.get("scanned_at")
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return reply("invalid", _("This is not a student card."), 422)
    if client_id is not None and not (isinstance(client_id, str) and CLIENT_ID_RE.fullmatch(client_id)):
        return reply("invalid", _("The scan id is not valid."), 422)
    try:
        scanned_at = _scan_time(scanned_at) if scanned_at is not None else None
    except ValueError:
        return reply("invalid", _("The scan time is not valid."), 422)
    today = clock.local_today()
    ids = {"client_id": client_id} if client_id else {}
    try:
        scan = school.record_card_scan(code, today, client_id=client_id, scanned_at=scanned_at)
    except school.CardNotFound:
        return reply("unknown_card", _("Unknown card. Ask the teacher on duty."), 404,
                     present_today=school.present_count(today), **ids)
    except school.CardInactive:
        return reply("inactive_card", _("This card is no longer valid. Ask for a new card."), 409,
                     present_today=school.present_count(today), **ids)
    except school.NotEnrolled:
        return reply("not_enrolled", _("This student is not in a class this year."), 409,
                     present_today=school.present_count(today), **ids)
    except school.ScanTimeRefused:
        return reply("invalid", _("The scan time is not valid."), 422, **ids)
    except school.ClientIdReused:
        return reply("invalid", _("The scan id is not valid."), 409, **ids)
    attendance = scan.attendance
    moment = attendance.client_time or attendance.occurred_at
    time_text = clock.to_local(moment).strftime("%H:%M")        # the answer's field: always HH:MM
    shown = clock_time(moment)                                  # the message: as the reader's language writes it
    if scan.already:
        message = _("%(name)s was already recorded at %(time)s", name=scan.student.name, time=shown)
    else:
        message = _("%(name)s — present %(time)s", name=scan.student.name, time=shown)
    status = 200 if scan.already or scan.replayed else 201
    return reply("already" if scan.already else "recorded", message, status,
                 student={"name": scan.student.name, "class": scan.school_class.name if scan.school_class else ""},
                 time=time_text, date=attendance.date.isoformat(), replayed=scan.replayed,
                 present_today=school.present_count(today), **ids)


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
        return challenge_reply(outcome.challenge)
    return visit_reply(outcome, now)




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
    return visit_reply(outcome, now)


ESCORT_FIELDS = ("category", "name", "gender", "phone", "plate_number", "patient_name")


def _escort_body() -> dict | None:
    """The JSON object of an escort request (``{}`` when it is not an object), None when not JSON."""
    if not request.is_json:
        return None
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _escort_field_errors(values: dict) -> dict[str, list[str]]:
    """The kiosk's per-field messages for the details, by the registry's rules (empty when valid)."""
    try:
        escorts.check_values({k: v for k, v in values.items() if v is not None}, partial=False)
    except ValidationFailed as exc:
        return {field: [str(ESCORT_FIELD_MESSAGES.get(field, field))] for field in exc.errors}
    return {}


@bp.post("/escorts/check")
@mode_required("escorts")
def escort_check():
    """The details step of the ER registration, checked before the photo is taken (nothing is stored)."""
    body = _escort_body()
    if body is None:
        return reply("invalid", _("Send the registration as JSON."), 415)
    errors = _escort_field_errors({k: body.get(k) for k in ESCORT_FIELDS})
    if errors:
        return reply("invalid", _("Please check the marked fields."), 422, errors=errors)
    return reply("valid", _("Now the photo."))


@bp.post("/escorts")
@mode_required("escorts")
def escort_register():
    """An ER escort registers at the kiosk: validated like the igd API, photo stored as a file; the
    answer's ``reference`` is the short one staff read out (:attr:`app.escorts.models.Escort.reference`)."""
    body = _escort_body()
    if body is None:
        return reply("invalid", _("Send the registration as JSON."), 415)
    values = {k: body.get(k) for k in ESCORT_FIELDS}
    errors = _escort_field_errors(values)
    photo = None
    try:
        photo = decode_photo(body.get("photo"))
    except ValidationFailed:
        errors["photo"] = [str(ESCORT_FIELD_MESSAGES["photo"])]
    if errors:
        return reply("invalid", _("Please check the marked fields."), 422, errors=errors)
    escort = escorts.create_escort(**values, photo=photo, ip=request.remote_addr, api_submission=False)
    return reply("registered", _("Thank you, %(name)s. The ER staff have your registration.", name=escort.name), 201,
                 reference=escort.reference)
