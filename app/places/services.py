"""Geofence arithmetic and office management."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

from ..common.errors import Conflict, NotFound, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from ..system import cache_versions
from .models import Office

#: Mean Earth radius in metres (IUGG R1 = 6,371,008.8 m), used by the haversine formula.
EARTH_RADIUS_M = 6_371_008.8


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two WGS84 points, in metres (haversine formula).

    Inputs are decimal degrees.  Error against the ellipsoid is below 0.5 %,
    far under GPS noise at geofence scales.
    """
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class GeofenceResult:
    """Outcome of a geofence check: ``distance_m`` (metres) and why it is not clean.

    ``flag`` is None when the position is inside and precise enough,
    ``outside_geofence`` when farther than the radius, ``low_accuracy``
    when the reported accuracy (metres) is worse than the radius.
    """

    distance_m: float
    flag: str | None


def check_geofence(office: Office, lat: float, lon: float, accuracy_m: float | None = None) -> GeofenceResult:
    """Compare a position with ``office``'s circle.

    A position counts as inside only when ``distance <= radius`` and the
    reported accuracy (if any) is no worse than the radius: a fix that could
    be anywhere in a 2 km circle proves nothing about a 100 m office.
    """
    distance = haversine_m(office.latitude, office.longitude, lat, lon)
    if distance > office.geofence_radius_m:
        return GeofenceResult(distance, "outside_geofence")
    if accuracy_m is not None and accuracy_m > office.geofence_radius_m:
        return GeofenceResult(distance, "low_accuracy")
    return GeofenceResult(distance, None)


def parse_coordinate(value, *, field: str, limit: float) -> float:
    """Parse a latitude (``limit=90``) or longitude (``limit=180``) in decimal degrees.

    Accepts numbers or numeric strings of at most 50 characters (contract 001).
    :raises ValidationFailed: missing, not a number, NaN/Infinity, or out of range.
    """
    texts = _COORDINATE_TEXTS.get((field, limit)) or _coordinate_texts(field, limit)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationFailed({field: [texts.required]})
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValidationFailed({field: [texts.number]})
    if isinstance(value, str) and len(value) > 50:
        raise ValidationFailed({field: [texts.too_long]})
    try:
        number = float(value)
    except ValueError:
        raise ValidationFailed({field: [texts.number]}) from None
    if not math.isfinite(number):
        raise ValidationFailed({field: [texts.finite]})
    if not -limit <= number <= limit:
        raise ValidationFailed({field: [texts.in_range]})
    return number


class _CoordinateTexts(NamedTuple):
    """The refusals of :func:`parse_coordinate` for one field (English; the admin translates them)."""

    required: str
    number: str
    too_long: str
    finite: str
    in_range: str


def _coordinate_texts(field: str, limit: float) -> _CoordinateTexts:
    """The texts for a field of another name (the dialects' own names; not translated)."""
    return _CoordinateTexts(f"The {field} field is required.", f"The {field} must be a number.",
                            f"The {field} may not be greater than 50 characters.",
                            f"The {field} must be a finite number.",
                            f"The {field} must be between -{limit:g} and {limit:g}.")


#: The texts of the two fields every form and dialect uses, written out for the catalogs.
_COORDINATE_TEXTS = {
    ("latitude", 90): _CoordinateTexts(
        N_("The latitude field is required."), N_("The latitude must be a number."),
        N_("The latitude may not be greater than 50 characters."), N_("The latitude must be a finite number."),
        N_("The latitude must be between -90 and 90.")),
    ("longitude", 180): _CoordinateTexts(
        N_("The longitude field is required."), N_("The longitude must be a number."),
        N_("The longitude may not be greater than 50 characters."), N_("The longitude must be a finite number."),
        N_("The longitude must be between -180 and 180.")),
}


def _clean_office(*, code, name, latitude, longitude, radius_m, address) -> dict:
    """Validate office fields; returns the model's column values.

    :raises ValidationFailed: every refused field at once.
    """
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    name = (name or "").strip()
    if not code or len(code) > 20:
        errors["code"] = [N_("Code is required (at most 20 characters).")]
    if not name:
        errors["name"] = [N_("Name is required.")]
    elif len(name) > 120:
        errors["name"] = [N_("The name may not be greater than 120 characters.")]
    lat = lon = radius = None
    try:
        lat = parse_coordinate(latitude, field="latitude", limit=90)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        lon = parse_coordinate(longitude, field="longitude", limit=180)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        radius = int(radius_m)
        if not 1 <= radius <= 100_000:
            raise ValueError
    except (TypeError, ValueError):
        errors["radius"] = [N_("Radius must be a whole number of metres between 1 and 100000.")]
    if errors:
        raise ValidationFailed(errors)
    return dict(code=code, name=name, latitude=lat, longitude=lon, geofence_radius_m=radius,
                address=(address or "").strip() or None)


def _check_code_free(code: str, exclude_id: int | None = None) -> None:
    stmt = db.select(Office.id).where(Office.code == code)
    if exclude_id is not None:
        stmt = stmt.where(Office.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise Conflict(f"Office code {code} already exists", field="code")


#: Largest GPS accuracy accepted, in metres (a fix worse than 100 km says nothing).
MAX_ACCURACY_M = 100_000


def parse_accuracy(value, *, field: str = "accuracy") -> float | None:
    """Optional reported GPS accuracy in metres (radius of 68 % confidence, as Android/iOS report it).

    Accepts numbers or numeric strings of at most 50 characters; None or an
    empty string → None.
    :raises ValidationFailed: a boolean, not a number, NaN/Infinity, or outside 0..100000.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = None
    if not isinstance(value, bool) and isinstance(value, (int, float, str)) and len(str(value)) <= 50:
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or not 0 <= number <= MAX_ACCURACY_M:
        raise ValidationFailed({field: [f"The {field} must be a number of metres between 0 and {MAX_ACCURACY_M}."]})
    return number


#: What the audit trail keeps of an office.
_AUDITED_OFFICE = ("code", "name", "latitude", "longitude", "geofence_radius_m", "address", "is_active")


def _audit_office(actor, action: str, office: Office, before: dict | None) -> None:
    from ..audit.services import record, snapshot

    record(actor, action, subject_type="office", subject_id=office.id, before=before,
           after=snapshot(office, _AUDITED_OFFICE), about={"name": office.name})


def create_office(*, code: str, name: str, latitude, longitude, radius_m, address: str | None = None,
                  actor=None) -> Office:
    """Create an office (audited as ``office.create``; ``actor``: the staff user, or the
    command's name for a command-line run, see :func:`app.audit.services.record`).

    :raises ValidationFailed: bad coordinates, radius not in 1..100000 m, empty code/name,
        name over 120 characters.
    :raises Conflict: the code is taken.
    """
    values = _clean_office(code=code, name=name, latitude=latitude, longitude=longitude, radius_m=radius_m,
                           address=address)
    _check_code_free(values["code"])
    office = Office(**values)
    db.session.add(office)
    db.session.flush()
    _audit_office(actor, "office.create", office, None)
    return office


# --- admin web app ---------------------------------------------------------------

def offices_query():
    """Select statement of every office, ordered by code."""
    return db.select(Office).order_by(Office.code, Office.id)


def list_offices() -> list[Office]:
    """Every office, ordered by code (for choosing a user's office)."""
    return list(db.session.scalars(offices_query()))


def active_offices(*, by_name: bool = False) -> list[Office]:
    """The active offices (``is_active``), by code (:func:`offices_query`'s order), or with ``by_name``
    by name then id (for lists a person picks a location from by its name)."""
    if by_name:
        return list(db.session.scalars(
            db.select(Office).where(Office.is_active.is_(True)).order_by(Office.name, Office.id)))
    return list(db.session.scalars(offices_query().where(Office.is_active.is_(True))))


def get_office(office_id: int) -> Office:
    """:raises NotFound: no office with this id."""
    office = db.session.get(Office, office_id)
    if office is None:
        raise NotFound(N_("Office not found"))
    return office


def update_office(office: Office, *, code: str, name: str, latitude, longitude, radius_m,
                  address: str | None = None, is_active: bool | None = None, actor=None) -> Office:
    """Change an office; the same rules as :func:`create_office` (audited as ``office.update``,
    the changed fields before → after, by ``actor``).

    Nothing is changed when a value is refused.
    :raises ValidationFailed: bad coordinates, radius not in 1..100000 m, empty code/name.
    :raises Conflict: the code is used by another office.
    """
    values = _clean_office(code=code, name=name, latitude=latitude, longitude=longitude, radius_m=radius_m,
                           address=address)
    _check_code_free(values["code"], exclude_id=office.id)
    from ..audit.services import snapshot

    before = snapshot(office, _AUDITED_OFFICE)
    for key, value in values.items():
        setattr(office, key, value)
    if is_active is not None:
        office.is_active = bool(is_active)
    db.session.flush()
    _audit_office(actor, "office.update", office, before)
    return office


def staff_counts(office_ids) -> dict[int, int]:
    """How many users belong to each of ``office_ids`` (offices without users are left out)."""
    from ..accounts.models import User

    office_ids = list(office_ids)
    if not office_ids:
        return {}
    rows = db.session.execute(
        db.select(User.office_id, db.func.count(User.id)).where(User.office_id.in_(office_ids))
        .group_by(User.office_id)
    ).all()
    return {office_id: count for office_id, count in rows}


# --- the school's geofence (contract 002 settings) ------------------------------

@dataclass(frozen=True)
class SchoolGeofence:
    """The school's circle from the settings, shaped like an :class:`Office` for :func:`check_geofence`.

    ``latitude``/``longitude`` WGS84 degrees (``school_latitude``/``school_longitude``),
    ``geofence_radius_m`` metres (``attendance_radius``).  ``id`` is None: it is no
    office row, so events checked against it carry no ``office_id``.
    """

    latitude: float
    longitude: float
    geofence_radius_m: int
    id: None = None


def school_geofence() -> SchoolGeofence | None:
    """The school's geofence from the settings, or None while its coordinates are unset."""
    from ..system.settings import get_setting

    lat, lon = get_setting("school_latitude"), get_setting("school_longitude")
    if lat is None or lon is None:
        return None
    return SchoolGeofence(float(lat), float(lon), int(get_setting("attendance_radius") or 100))


# --- offices as the check-in paths read them (a per-worker cache) ---------------------------------

#: Name of the offices' version (:mod:`app.system.cache_versions`): raised by every ORM change
#: of an office, so every worker of every app server reads a changed office at once.
OFFICES_VERSION = "offices"


@dataclass(frozen=True)
class OfficeRef:
    """An office as the check-in paths need it, detached from any session (safe to cache).

    The same attribute names as :class:`~.models.Office` for what it carries: ``id``, ``code``,
    ``name``, ``latitude``/``longitude`` (WGS84 degrees), ``geofence_radius_m`` (metres) and
    ``is_active``; so :func:`check_geofence` and the plausibility rules take either.  Not an ORM
    object: assign ``office_id = ref.id``, never a relationship.
    """

    id: int
    code: str
    name: str
    latitude: float
    longitude: float
    geofence_radius_m: int
    is_active: bool


#: Every change of an office (added, changed, deleted through the ORM) raises its version.
cache_versions.watch(OFFICES_VERSION, Office)
_office_cache = cache_versions.VersionedCache(OFFICES_VERSION)
_REF_COLUMNS = (Office.id, Office.code, Office.name, Office.latitude, Office.longitude, Office.geofence_radius_m,
                Office.is_active)


def _load_ref(key) -> OfficeRef | None:
    by, value = key
    where = Office.code == value if by == "code" else Office.id == value
    row = db.session.execute(db.select(*_REF_COLUMNS).where(where)).first()
    return None if row is None else OfficeRef(*row)


def active_office_by_code(code: str) -> OfficeRef | None:
    """The active office whose ``code`` (contract ``kode_kantor``) is ``code``, None when there is none
    or it is inactive; from this worker's cache while the offices' version is unchanged (no statement;
    :class:`app.system.cache_versions.VersionedCache`)."""
    ref = _office_cache.get(("code", code), _load_ref)
    return ref if ref is not None and ref.is_active else None


def office_ref(office_id: int | None) -> OfficeRef | None:
    """The office ``office_id`` (active or not), None for None or an unknown id; cached as
    :func:`active_office_by_code`."""
    if office_id is None:
        return None
    return _office_cache.get(("id", office_id), _load_ref)
