"""Writing and reading the audit trail.

Every service that carries out a staff decision or change calls :func:`record` once, in
the same transaction as the change (so a refused or rolled-back change leaves no entry and
a committed one always has its entry).  Views never write entries themselves.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum

from flask_babel import lazy_gettext as _l

from ..common import clock
from ..common.errors import ValidationFailed
from ..common.search import contains_text
from ..extensions import db
from .models import AuditEntry

#: Every action code an entry may carry, with its label for the audit page (grouped by the
#: part before the dot, which the page's filter also accepts on its own).
ACTIONS: dict[str, object] = {
    "attendance.approve": _l("Check-in or check-out approved"),
    "attendance.reject": _l("Check-in or check-out rejected"),
    "leave.approve": _l("Leave request approved"),
    "leave.reject": _l("Leave request rejected"),
    "leave.delete": _l("Waiting leave request deleted by staff"),
    "overtime.approve": _l("Overtime approved"),
    "overtime.reject": _l("Overtime rejected"),
    "procedure.approve": _l("Procedure approved"),
    "procedure.reject": _l("Procedure rejected"),
    "face_enrolment.approve": _l("Face enrolment approved"),
    "face_enrolment.reject": _l("Face enrolment rejected"),
    "correction.check_in": _l("Check-in added by correction"),
    "correction.check_out": _l("Check-out added by correction"),
    "correction.leave": _l("Day marked as leave"),
    "correction.absent": _l("Day marked as absent"),
    "device_reset.approve": _l("Device reset approved"),
    "device_reset.reject": _l("Device reset rejected"),
    "schedule.create": _l("Work schedule created"),
    "schedule.update": _l("Work schedule changed"),
    "schedule.delete": _l("Work schedule deleted"),
    "schedule.activate": _l("Work schedule made the organisation’s default"),
    "schedule_assignment.change": _l("Schedule assignment changed"),
    "roster.change": _l("Roster changed"),
    "shift_pattern.create": _l("Shift pattern created"),
    "shift_pattern.update": _l("Shift pattern changed"),
    "shift_pattern.delete": _l("Shift pattern deleted"),
    "holiday.change": _l("Holiday calendar changed"),
    "settings.update": _l("Settings changed"),
    "user.update": _l("Person’s role, office or department changed"),
    "user.create": _l("Person added"),
    "user.delete": _l("Person deleted"),
    "department.create": _l("Department created"),
    "department.update": _l("Department changed"),
    "department.delete": _l("Department deleted"),
    "office.create": _l("Office created"),
    "office.update": _l("Office changed"),
    "kiosk.create": _l("Kiosk created"),
    "kiosk.update": _l("Kiosk changed"),
    "kiosk.pairing_code": _l("Kiosk pairing code issued"),
    "kiosk.revoke": _l("Kiosk access revoked"),
    "kiosk.delete": _l("Kiosk deleted"),
    "post.create": _l("Post created"),
    "post.update": _l("Post changed"),
    "post.publish": _l("Post published"),
    "post.delete": _l("Post deleted"),
    "app_version.update": _l("App version changed"),
    "escort.create": _l("ER escort registered by staff"),
    "escort.status": _l("ER escort reviewed"),
    "escort.update": _l("ER escort changed"),
    "escort.delete": _l("ER escort deleted"),
    "user.restore": _l("Person restored"),
    "user.password_reset": _l("Password reset by staff"),
    "patient.create": _l("Patient registered"),
    "patient.update": _l("Patient changed"),
    "procedure.create": _l("Procedure recorded"),
    "procedure.update": _l("Procedure changed"),
    "school_class.create": _l("Class created"),
    "school_class.update": _l("Class changed"),
    "school_class.delete": _l("Class deleted"),
    "enrolment.add": _l("Student enrolled in a class"),
    "enrolment.move": _l("Student moved to another class"),
    "enrolment.remove": _l("Student removed from a class"),
    "roll_call.mark": _l("Student's roll call mark changed"),
    "qr_card.issue": _l("Student QR card issued"),
    "qr_card.activate": _l("Student QR card reactivated"),
    "qr_card.deactivate": _l("Student QR card deactivated"),
    "face_sample.add": _l("Face photo added by staff"),
    "face_sample.delete": _l("Face photo deleted by staff"),
}

#: The action groups (the part before the dot) with their labels, for the page's filter.
ACTION_GROUPS: dict[str, object] = {
    "attendance": _l("Attendance review"),
    "leave": _l("Leave"),
    "overtime": _l("Overtime"),
    "procedure": _l("Clinic procedures"),
    "face_enrolment": _l("Face enrolments"),
    "correction": _l("Corrections"),
    "device_reset": _l("Device resets"),
    "schedule": _l("Work schedules"),
    "schedule_assignment": _l("Schedule assignments"),
    "roster": _l("Roster"),
    "shift_pattern": _l("Shift patterns"),
    "holiday": _l("Holidays"),
    "settings": _l("Settings"),
    "user": _l("People"),
    "department": _l("Departments"),
    "office": _l("Offices"),
    "kiosk": _l("Kiosks"),
    "post": _l("Posts and announcements"),
    "app_version": _l("App versions"),
    "escort": _l("ER escorts"),
    "patient": _l("Clinic patients"),
    "school_class": _l("Classes"),
    "enrolment": _l("Class enrolments"),
    "roll_call": _l("Roll call"),
    "qr_card": _l("Student QR cards"),
    "face_sample": _l("Face photos"),
}


def _plain(value):
    """``value`` as a JSON value: dates ``YYYY-MM-DD``, datetimes ISO 8601 in UTC, times ``HH:MM``,
    enums by value, decimals as text, containers element by element."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return clock.iso_utc(value) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    return str(value)


def snapshot(obj, fields) -> dict:
    """The named attributes of ``obj`` as a JSON object (see :func:`record` for the value forms)."""
    return {name: _plain(getattr(obj, name, None)) for name in fields}


def record(actor, action: str, *, subject_type: str, subject_id: int | None = None, person=None,
           before: dict | None = None, after: dict | None = None, reason: str | None = None,
           only_changes: bool = True, flush: bool = True, about: dict | None = None) -> AuditEntry | None:
    """Add one entry to the audit trail (flushed with the caller's transaction; never commits).

    :param actor: the :class:`~app.accounts.models.User` who decided or changed, or the text
        naming a command-line run (``"flask office create"``, ``"flask demo load"``: kept as
        the entry's ``actor_label``), or None (a run without a person, shown as the system).
    :param action: one of :data:`ACTIONS`.
    :param subject_type, subject_id: the row acted on (e.g. ``"leave_request"``, 12).
    :param person: the user (or user id) whose attendance or account it concerns, if any.
    :param before, after: the values before and after (dicts; values are made plain JSON:
        dates ``YYYY-MM-DD``, datetimes ISO 8601 UTC, times ``HH:MM``).  With
        ``only_changes`` the keys whose values are equal on both sides are dropped, and
        when nothing is left of an update no entry is written (None is returned).
    :param reason: the note or reason the actor gave (stripped; empty → None).
    :param about: values that say which row it is (its name, title or platform), put at the
        front of ``after`` even where unchanged so an update reads "Name: Ruang Rapat, Radius:
        100 → 250"; never compared, never in ``before``, ignored when ``after`` is None.
    :param flush: False leaves the flush to the caller (a batch of hundreds of rows writes
        its entries in the one flush that follows, e.g. :func:`app.clinic.bulk.create_patients`).
    :returns: the entry, or None when an update changed nothing.
    :raises ValueError: an unknown ``action`` (a programming error, not user input).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    before = _plain(before) if before is not None else None
    after = _plain(after) if after is not None else None
    if only_changes and before is not None and after is not None:
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        if not keys:
            return None
        before = {k: before.get(k) for k in keys}
        after = {k: after.get(k) for k in keys}
    if about and after is not None:
        after = {**_plain(about), **after}
    person_id = getattr(person, "id", person)
    label = actor.strip()[:80] or None if isinstance(actor, str) else None
    entry = AuditEntry(actor_id=getattr(actor, "id", None), actor_label=label, at=clock.now(), action=action,
                       subject_type=subject_type, subject_id=subject_id, person_id=person_id,
                       before=before, after=after, reason=(reason or "").strip() or None)
    db.session.add(entry)
    if flush:
        db.session.flush()
    return entry


@dataclass(frozen=True)
class AuditFilters:
    """What the audit page shows: ``actor_id`` / ``person_id`` (user ids), ``action`` (a code of
    :data:`ACTIONS` or a group of :data:`ACTION_GROUPS`), ``start`` / ``end`` (local dates,
    inclusive).  ``person_search``: part of the person's name or number; ``actions``: only
    these action codes.  Any of them None: not filtered."""

    actor_id: int | None = None
    person_id: int | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None
    person_search: str | None = None
    actions: tuple[str, ...] | None = None


#: The decisions of the review inbox (its "decided" view).
DECISION_ACTIONS = tuple(code for code in ACTIONS if code.endswith((".approve", ".reject"))
                         and not code.startswith("device_reset."))


def entries_query(filters: AuditFilters = AuditFilters()):
    """Select statement of the entries matching ``filters``, newest first.

    Dates are the organisation's local calendar days (``start`` 00:00 to ``end`` 24:00 local).

    :raises ValidationFailed: ``end`` before ``start`` (field ``end``); an unknown ``action``.
    """
    from ..accounts.models import User

    stmt = db.select(AuditEntry)
    if filters.actions is not None:
        stmt = stmt.where(AuditEntry.action.in_(filters.actions))
    if filters.person_search:
        people = db.select(User.id).where(contains_text(filters.person_search, User.name, User.npp,
                                                        User.nisn_nip_nik))
        stmt = stmt.where(AuditEntry.person_id.in_(people))
    if filters.actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == filters.actor_id)
    if filters.person_id is not None:
        stmt = stmt.where(AuditEntry.person_id == filters.person_id)
    if filters.action:
        if filters.action in ACTIONS:
            stmt = stmt.where(AuditEntry.action == filters.action)
        elif filters.action in ACTION_GROUPS:
            stmt = stmt.where(AuditEntry.action.like(filters.action + ".%"))
        else:
            raise ValidationFailed({"action": ["Unknown action."]})
    if filters.start and filters.end and filters.end < filters.start:
        raise ValidationFailed({"end": ["The end date must not be before the start date."]})
    zone = clock.local_zone()
    if filters.start:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(filters.start, time(), tzinfo=zone))
    if filters.end:
        stmt = stmt.where(AuditEntry.at < datetime.combine(filters.end + timedelta(days=1), time(), tzinfo=zone))
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def person_history(person_id: int, *, limit: int = 20) -> list[AuditEntry]:
    """The newest ``limit`` entries about one person (their page's history), newest first."""
    return list(db.session.scalars(entries_query(AuditFilters(person_id=person_id)).limit(limit)))


def subject_history(subject_type: str, subject_ids, *, person_id: int | None = None) -> list[AuditEntry]:
    """Entries about the given rows (e.g. a day's events and leave), oldest first."""
    ids = list(subject_ids)
    if not ids:
        return []
    stmt = db.select(AuditEntry).where(AuditEntry.subject_type == subject_type, AuditEntry.subject_id.in_(ids))
    if person_id is not None:
        stmt = stmt.where(AuditEntry.person_id == person_id)
    return list(db.session.scalars(stmt.order_by(AuditEntry.at, AuditEntry.id)))


def filtered_person(filters: AuditFilters):
    """The :class:`~app.accounts.models.User` the ``person_id`` filter names (a deleted person too:
    the trail keeps them), or None: no such filter, or no such person."""
    from ..accounts.models import User

    return db.session.get(User, filters.person_id) if filters.person_id else None


def actors() -> list:
    """The people who appear as actors in the trail, by name (the page's actor filter)."""
    from ..accounts.models import User

    ids = db.select(AuditEntry.actor_id).where(AuditEntry.actor_id.is_not(None)).distinct()
    return list(db.session.scalars(db.select(User).where(User.id.in_(ids)).order_by(User.name, User.id)))
