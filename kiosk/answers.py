"""What the tablet is told: the one JSON answer shape and the sentences it shows.

Every answer is :func:`reply` (``{"result", "message", **fields}``); the sentences are in the
kiosk's language (Flask-Babel: Indonesian by default), large enough to read from a metre away,
so they are short.
"""
from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from app.common import clock
from app.common.i18n import clock_time
from app.faces import challenges, liveness
from app.faces.attendance import FaceVisit

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


def greeting(local_hour: int) -> str:
    """Indonesian-style greeting by the hour: pagi (<11), siang (<15), sore (<18), malam."""
    if local_hour < 11:
        return _("Good morning")
    if local_hour < 15:
        return _("Good afternoon")
    if local_hour < 18:
        return _("Good evening")
    return _("Good night")


def face_message(outcome: FaceVisit, now) -> tuple[str, str | None]:
    """``(message, HH:MM local time of the relevant event or None)`` of a :class:`FaceVisit`; a late
    check-in says how late by the person's own schedule ("Selamat pagi, Budi — masuk 08:23, terlambat 23 menit")."""
    if outcome.user is None:
        return {"no_face": _("Look at the camera"), "several_faces": _("One person at a time")}.get(
            outcome.result, _("Face not recognised")), None
    name = first_name(outcome.user)
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
        hello = greeting(clock.to_local(now).hour)
        if visit.daily is not None and visit.daily.late_minutes > 0:
            # judged by the person's own schedule for the day ("terlambat 23 menit")
            return ngettext("%(greeting)s, %(name)s — in %(time)s, %(num)d minute late",
                            "%(greeting)s, %(name)s — in %(time)s, %(num)d minutes late", visit.daily.late_minutes,
                            greeting=hello, name=name, time=clock_time(visit.event.occurred_at)), time_text
        return (_("%(greeting)s, %(name)s — in %(time)s", greeting=hello, name=name,
                  time=clock_time(visit.event.occurred_at)), time_text)
    if visit.outcome == "checked_out":
        time_text = clock.to_local(visit.event.occurred_at).strftime("%H:%M")
        return _("Goodbye, %(name)s — out %(time)s", name=name, time=clock_time(visit.event.occurred_at)), time_text
    if visit.outcome == "already_in":
        time_text = clock.to_local(visit.daily.time_in).strftime("%H:%M")
        return _("%(name)s, you checked in at %(time)s", name=name, time=clock_time(visit.daily.time_in)), time_text
    if visit.outcome == "already_out":
        time_text = clock.to_local(visit.daily.time_out).strftime("%H:%M")
        return _("%(name)s, you checked out at %(time)s", name=name, time=clock_time(visit.daily.time_out)), time_text
    return _("%(name)s: outside attendance hours", name=name), None


def first_name(user) -> str:
    """The first word of the person's name (what the greeting calls them)."""
    return user.name.split()[0] if user.name.split() else user.name


def visit_reply(outcome: FaceVisit, now):
    """The tablet's answer to a :class:`FaceVisit` that ran the attendance rules (or found no one)."""
    message, time_text = face_message(outcome, now)
    if outcome.user is None:
        return reply(outcome.result, message)
    if outcome.visit is None:
        return reply(outcome.result, message, name=first_name(outcome.user))
    return reply(outcome.result, message, name=first_name(outcome.user), time=time_text)


#: What the tablet shows for each step of a liveness challenge (large type, the kiosk's language).
LIVENESS_PROMPTS = {
    liveness.BLINK: _l("Blink your eyes"),
    liveness.TURN_LEFT: _l("Turn your head to the left"),
    liveness.TURN_RIGHT: _l("Turn your head to the right"),
}


def challenge_reply(issued: challenges.IssuedChallenge):
    """A liveness challenge as the tablet needs it (``kiosk/README.md``); nobody is named yet."""
    return reply("challenge", _("Follow the instructions on the screen"),
                 challenge={"id": issued.nonce, "steps": list(issued.steps),
                            "prompts": [str(LIVENESS_PROMPTS[step]) for step in issued.steps],
                            "step_ms": issued.step_ms, "lead_ms": liveness.LEAD_MS,
                            "interval_ms": liveness.FRAME_INTERVAL_MS, "expires_at": clock.iso_utc(issued.expires_at)})


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
