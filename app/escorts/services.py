"""Escort registrations: create, update, review (status), delete, list and count.

Services take plain values with the stored English keys (:data:`~.models.CATEGORIES`,
:data:`~.models.GENDERS`, :data:`~.models.STATUSES`), only ``flush`` (the
request boundary commits), and raise :class:`~app.common.errors.ValidationFailed`
(fields named in English: ``category``, ``name``, ``gender``, ``phone``,
``plate_number``, ``patient_name``, ``status``) or :class:`EscortNotFound`.
Callers (the ``igd`` dialect, the kiosk, the admin pages) word the errors their way.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from ..attendance.photos import Photo, store_photo, upload_root
from ..common import clock
from ..common.errors import NotFound, ValidationFailed
from ..common.search import contains_text
from ..extensions import db
from .models import CATEGORIES, GENDERS, STATUSES, Escort, escort_id_of_reference

#: Field length rules (contract 004, "Field Validation Rules Summary"), in characters.
NAME_MIN, NAME_MAX = 3, 255
PHONE_MIN, PHONE_MAX = 10, 20
PLATE_MIN, PLATE_MAX = 3, 20
#: A phone number: digits, optionally one leading ``+`` (``081234567890``, ``+6281234567890``).
PHONE_RE = re.compile(r"^\+?[0-9]+$")
#: Folder under ``UPLOAD_FOLDER`` where escort photos are written.
PHOTO_FOLDER = "escorts"
#: Editable text fields → (min, max) length.
TEXT_FIELDS = {
    "name": (NAME_MIN, NAME_MAX),
    "phone": (PHONE_MIN, PHONE_MAX),
    "plate_number": (PLATE_MIN, PLATE_MAX),
    "patient_name": (NAME_MIN, NAME_MAX),
}
CHOICE_FIELDS = {"category": CATEGORIES, "gender": GENDERS, "status": STATUSES}


class EscortNotFound(NotFound):
    """No escort has this id."""

    code = "escort_not_found"


def new_reference(prefix: str) -> str:
    """A public reference ``<prefix>_<13 hex>`` (e.g. ``api_66f1b550a8c9e``), like the contract's ids."""
    return f"{prefix}_{secrets.token_hex(7)[:13]}"


def check_values(values: dict, *, partial: bool) -> dict:
    """Validate escort fields; returns the cleaned values (text stripped).

    :param values: any of ``category, name, gender, phone, plate_number,
        patient_name, status`` (English keys and stored values).
    :param partial: True for an update (absent keys are left alone); False
        for a creation (every field but ``status`` required).
    :raises ValidationFailed: every refused field, with an English message.
    """
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name, (low, high) in TEXT_FIELDS.items():
        if name not in values:
            if not partial:
                errors[name] = [f"The {name.replace('_', ' ')} field is required."]
            continue
        value = values[name]
        if not isinstance(value, str) or not value.strip():
            errors[name] = [f"The {name.replace('_', ' ')} field is required."]
            continue
        value = value.strip()
        if not low <= len(value) <= high:
            errors[name] = [f"The {name.replace('_', ' ')} must be between {low} and {high} characters."]
        elif name == "phone" and not PHONE_RE.match(value):
            errors[name] = ["The phone must contain digits only (a leading + is allowed)."]
        else:
            clean[name] = value
    for name, allowed in CHOICE_FIELDS.items():
        if name not in values:
            if not partial and name != "status":
                errors[name] = [f"The {name} field is required."]
            continue
        if values[name] not in allowed:
            errors[name] = [f"The selected {name} is invalid."]
        else:
            clean[name] = values[name]
    if errors:
        raise ValidationFailed(errors)
    return clean


def create_escort(*, category: str, name: str, gender: str, phone: str, plate_number: str, patient_name: str,
                  photo: Photo, status: str = "pending", created_by=None, ip: str | None = None,
                  api_submission: bool = False) -> Escort:
    """Register an escort and store their photo as a file (``escorts/<yyyy>/<mm>/<id>-<uuid>.<ext>``).

    :param photo: an already checked photo (:func:`app.attendance.photos.decode_photo`).
    :param created_by: the staff ``User`` entering it (audited as ``escort.create``), None for a
        self-registration.
    :param ip: the client address, kept as ``submitted_from_ip``.
    :raises ValidationFailed: a field breaks :func:`check_values`.
    """
    clean = check_values(dict(category=category, name=name, gender=gender, phone=phone, plate_number=plate_number,
                              patient_name=patient_name, status=status), partial=False)
    escort = Escort(**clean, submission_id=new_reference("api" if api_submission else "reg"),
                    submitted_from_ip=(ip or None) and ip[:45], api_submission=api_submission,
                    created_by_id=getattr(created_by, "id", None))
    if clean.get("status", "pending") != "pending" and created_by is not None:
        escort.reviewed_by_id, escort.reviewed_at = created_by.id, clock.now()
    db.session.add(escort)
    db.session.flush()
    escort.photo_path = store_photo(photo, PHOTO_FOLDER, clock.local_now().date(), escort.id)
    db.session.flush()
    if created_by is not None:
        from ..audit.services import record

        record(created_by, "escort.create", subject_type="escort", subject_id=escort.id, before=None,
               after={"name": escort.name, "reference": escort.reference, "category": escort.category,
                      "patient_name": escort.patient_name, "status": escort.status})
    return escort


def get_escort(escort_id: int) -> Escort:
    """The escort with this id; :raises EscortNotFound: none has it."""
    escort = db.session.get(Escort, escort_id)
    if escort is None:
        raise EscortNotFound()
    return escort


def update_escort(escort: Escort, *, actor=None, photo: Photo | None = None, **values) -> list[str]:
    """Change some fields of ``escort`` (any of :func:`check_values`' keys) and optionally its photo.

    A new photo replaces the file (the old one is removed).  A status change
    records ``actor`` as the reviewer.  With an ``actor`` a change is audited as ``escort.update``
    (the changed fields before → after, a new photo as ``photo``).
    :returns: the names of the fields whose value changed (``photo`` included).
    :raises ValidationFailed: a field breaks :func:`check_values`.
    """
    clean = check_values(values, partial=True)
    changed = [name for name, value in clean.items() if getattr(escort, name) != value]
    before = {name: getattr(escort, name) for name in changed}
    for name in changed:
        setattr(escort, name, clean[name])
    if "status" in changed:
        escort.reviewed_by_id, escort.reviewed_at = getattr(actor, "id", None), clock.now()
    if photo is not None:
        old = escort.photo_path
        escort.photo_path = store_photo(photo, PHOTO_FOLDER, clock.local_now().date(), escort.id)
        _remove_file(old)
        changed.append("photo")
    if changed:
        escort.updated_at = clock.now()
    db.session.flush()
    if changed and actor is not None:
        from ..audit.services import record

        after = {name: getattr(escort, name) for name in changed if name != "photo"}
        if "photo" in changed:
            before["photo"], after["photo"] = None, True
        record(actor, "escort.update", subject_type="escort", subject_id=escort.id, before=before, after=after,
               about={"name": escort.name, "reference": escort.reference})
    return changed


def set_status(escort: Escort, status: str, *, actor=None) -> str:
    """Review ``escort``: set ``status`` (pending/verified/rejected) and record who and when
    (audited as ``escort.status``, the status before → after, by ``actor``).

    :returns: the previous status.
    :raises ValidationFailed: (``status``) not one of :data:`~.models.STATUSES`.
    """
    if status not in STATUSES:
        raise ValidationFailed({"status": ["The selected status is invalid."]})
    old = escort.status
    escort.status = status
    escort.reviewed_by_id, escort.reviewed_at = getattr(actor, "id", None), clock.now()
    escort.updated_at = clock.now()
    db.session.flush()
    from ..audit.services import record

    record(actor, "escort.status", subject_type="escort", subject_id=escort.id,
           before={"status": old}, after={"status": status}, about={"name": escort.name})
    return old


def delete_escort(escort: Escort, *, actor=None) -> None:
    """Remove ``escort`` and its photo file (audited as ``escort.delete`` with what it was, by ``actor``).

    The row is deleted and flushed first; the file is removed only when the
    flush succeeded, so a refused delete keeps its photo.
    """
    path = escort.photo_path
    from ..audit.services import record

    record(actor, "escort.delete", subject_type="escort", subject_id=escort.id,
           before={"name": escort.name, "status": escort.status, "reference": escort.reference,
                   "patient": escort.patient_name}, after=None)
    db.session.delete(escort)
    db.session.flush()
    _remove_file(path)


def photo_file(escort: Escort):
    """The photo's absolute :class:`~pathlib.Path`, or None when there is none or it is missing.

    Paths that would leave ``UPLOAD_FOLDER`` are refused (None).
    """
    if not escort.photo_path:
        return None
    root = upload_root().resolve()
    path = (root / escort.photo_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def _remove_file(relative: str | None) -> None:
    if not relative:
        return
    root = upload_root().resolve()
    path = (root / relative).resolve()
    if root in path.parents:
        path.unlink(missing_ok=True)


def escorts_query(*, category: str | None = None, status: str | None = None, search: str | None = None,
                  created_from: datetime | None = None, created_until: datetime | None = None):
    """A ``select(Escort)`` newest first, filtered.

    :param category: a stored category key; :param status: a stored status.
    :param search: case-insensitive text in the escort's name, patient's name,
        phone or plate number.
    :param created_from: / :param created_until: UTC bounds (inclusive / exclusive).
    """
    stmt = db.select(Escort)
    if category:
        stmt = stmt.where(Escort.category == category)
    if status:
        stmt = stmt.where(Escort.status == status)
    if search:
        stmt = stmt.where(contains_text(search.strip(), Escort.name, Escort.patient_name, Escort.phone,
                                        Escort.plate_number))
    if created_from is not None:
        stmt = stmt.where(Escort.created_at >= created_from)
    if created_until is not None:
        stmt = stmt.where(Escort.created_at < created_until)
    return stmt.order_by(Escort.created_at.desc(), Escort.id.desc())


@dataclass
class EscortStats:
    """Counts for the dashboard: ``total``, ``today``/``this_week``/``this_month``
    (registrations since local midnight, since Monday, since the 1st, in the
    organisation's time zone), ``by_category`` and ``by_status`` (every key,
    zeros included) and the ``recent`` escorts (newest first)."""

    total: int
    today: int
    this_week: int
    this_month: int
    by_category: dict[str, int]
    by_status: dict[str, int]
    recent: list[Escort] = field(default_factory=list)


def escort_stats(*, recent: int = 5) -> EscortStats:
    """Counts over every escort (see :class:`EscortStats`); ``recent`` newest are included."""
    now = clock.local_now()
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = midnight - timedelta(days=midnight.weekday())
    month_start = midnight.replace(day=1)

    def count_since(start) -> int:
        """How many escorts were registered since ``start`` (an aware ``datetime``)."""
        return db.session.scalar(db.select(func.count(Escort.id)).where(Escort.created_at >= start)) or 0

    by_category = dict.fromkeys(CATEGORIES, 0)
    for key, n in db.session.execute(db.select(Escort.category, func.count(Escort.id)).group_by(Escort.category)):
        by_category[key] = n
    by_status = dict.fromkeys(STATUSES, 0)
    for key, n in db.session.execute(db.select(Escort.status, func.count(Escort.id)).group_by(Escort.status)):
        by_status[key] = n
    return EscortStats(
        total=sum(by_status.values()),
        today=count_since(midnight),
        this_week=count_since(week_start),
        this_month=count_since(month_start),
        by_category=by_category,
        by_status=by_status,
        recent=list(db.session.scalars(escorts_query().limit(recent))),
    )


def escorts_search_query(*, search: str | None = None, **filters):
    """Like :func:`escorts_query` (same ``filters``), but ``search`` also matches the
    ``submission_id`` and the short reference ``IGD-0412`` (:attr:`~.models.Escort.reference`; the admin
    page's search box: name, patient, phone, plate, reference)."""
    stmt = escorts_query(**filters)
    if search and search.strip():
        matches = contains_text(search.strip(), Escort.name, Escort.patient_name, Escort.phone,
                                Escort.plate_number, Escort.submission_id)
        escort_id = escort_id_of_reference(search)
        if escort_id is not None:
            matches = or_(matches, Escort.id == escort_id)
        stmt = stmt.where(matches)
    return stmt


def escorts_between_query(start: date, end: date, *, category: str | None = None, status: str | None = None,
                          search: str | None = None, with_reviewer: bool = False, with_creator: bool = False):
    """Select statement of the escorts registered on the local dates ``start`` to ``end`` (both
    included, in the organisation's timezone: from local midnight of ``start`` to local midnight
    after ``end``, compared in UTC), of ``category`` and ``status`` when given, matching ``search``
    as :func:`escorts_search_query` does; newest first.

    ``with_reviewer`` / ``with_creator``: load who reviewed / who entered each escort (one more
    statement each).
    """
    zone = clock.local_zone()
    created_from = datetime.combine(start, time.min, tzinfo=zone).astimezone(timezone.utc)
    created_until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone).astimezone(timezone.utc)
    stmt = escorts_search_query(category=category, status=status, search=search, created_from=created_from,
                                created_until=created_until)
    if with_reviewer:
        stmt = stmt.options(selectinload(Escort.reviewed_by))
    if with_creator:
        stmt = stmt.options(selectinload(Escort.created_by))
    return stmt


def list_escorts(stmt) -> list[Escort]:
    """The escorts a ``select(Escort)`` (:func:`escorts_between_query`) returns, in its order."""
    return list(db.session.scalars(stmt))


def escort_counts(stmt) -> tuple[dict[str, int], dict[str, int]]:
    """``(by_category, by_status)`` of the escorts a filtered ``select(Escort)`` returns
    (every key, zeros included), counted in the database."""
    rows = stmt.order_by(None).subquery()
    by_category = dict.fromkeys(CATEGORIES, 0)
    for key, n in db.session.execute(db.select(rows.c.category, func.count()).group_by(rows.c.category)):
        by_category[key] = n
    by_status = dict.fromkeys(STATUSES, 0)
    for key, n in db.session.execute(db.select(rows.c.status, func.count()).group_by(rows.c.status)):
        by_status[key] = n
    return by_category, by_status
