"""Judging a reported position: the geofence, and whether the position is plausible at all.

Fake-GPS ("mock location") apps are the usual way to cheat phone attendance, and
the phone cannot be trusted to admit it.  So the server judges every check-in and
check-out that carries a position (mobile app, school QR, clinic app, offline
sync of both) with :func:`judge_position`, once, for every dialect.  Events
without a position (the kiosk's face and card reads, the face app's webcam
check-in) are not judged here: the kiosk stands at its office.

What is held for review (recorded, acknowledged as pending, never lost):

- **implausible accuracy** (``implausible_accuracy``): a reported accuracy of 0 m
  or below the floor ``gps_accuracy_floor_m`` (default 1 m).  Android reports the
  radius of 68 % confidence (``Location.getAccuracy``) and leaves it 0 when it
  has none; iOS documents 0 as "unexpected".  Mock-location apps commonly report
  0.  Real phones do not claim sub-metre fixes: GPS.gov gives ≈ 4.9 m (95 %) for
  smartphones under open sky, i.e. ≈ 3 m at 68 %, and dual-frequency phones
  report down to 1–2 m; below 1 m needs survey-grade (RTK) receivers.
- **impossible travel** (``impossible_travel``): the straight-line distance from
  the person's previous position (their latest earlier event with a position,
  not rejected on review) over the time between the two, faster than
  ``gps_max_speed_kmh`` (default 150 km/h).  The legal maximum on Indonesian
  toll roads is 100 km/h (PP 79/2013 article 23(4)(a); Permenhub 111/2015
  article 3(4)); 150 km/h leaves room for drivers above it, and a road is never
  shorter than the straight line.  Same-day flights and the Jakarta–Bandung
  high-speed train (≈ 160 km/h straight-line) are held: an admin approves them.
  GPS jitter never counts as travel: both fixes' accuracy radii are subtracted
  first, each counted at least :data:`MIN_ACCURACY_ALLOWANCE_M` and doubled
  (:data:`CONFIDENCE_FACTOR`), a fix without a reported accuracy as
  :data:`UNKNOWN_ACCURACY_M`.
- **wrong office** (``wrong_office``): the app names an office (mobile
  ``branch_id``, clinic ``work_location_id``) that is not the person's assigned
  office.  Held for review, or refused with :class:`NotAssignedOffice` when the
  setting ``wrong_office_policy`` is ``refuse``.  A person with no assigned office
  may name any office (its geofence is then the one that applies).
- the **geofence** as before (:func:`app.places.services.check_geofence`):
  ``outside_geofence``, ``low_accuracy`` (accuracy worse than the radius),
  ``no_office`` (no office to compare with).

Every rule that applies is one :class:`Finding`; the event keeps all of them
(``flag_details``) and the most telling one as its ``flag_reason``
(:func:`main_reason`, order :data:`PRIORITY`).  The settings are typed entries
of :mod:`app.system.settings` shown on the admin settings page.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from sqlalchemy import bindparam, event, select, true
from sqlalchemy.orm import Session, aliased

from ..common.errors import RuleViolation
from ..common.rows import core_execute
from ..common.types import UTCDateTime
from ..extensions import db
from ..places.services import check_geofence, haversine_m, office_ref
from ..system import cache_versions
from ..system.models import Setting
from .models import AttendanceEvent

#: Settings read by :func:`judge_position` (:mod:`app.system.settings`).
SETTING_KEYS = ("gps_accuracy_floor_m", "gps_max_speed_kmh", "wrong_office_policy")
#: A fix without a reported accuracy is taken as this uncertain, in metres (the
#: default geofence radius: what an organisation already accepts as "here").
UNKNOWN_ACCURACY_M = 100.0
#: Reported accuracy radii below this count as this, in metres: in cities multipath
#: makes phones err by more than they report (Merry & Bettinger 2019, PLOS ONE
#: 14(7) e0219890: 7–13 m average horizontal error of an iPhone 6 in town).
MIN_ACCURACY_ALLOWANCE_M = 10.0
#: Android's accuracy is a 68 % radius; twice it holds the true position ≈ 99 % of
#: the time (a circular normal error: 1 − exp(−(2 × 1.51)² / 2) ≈ 0.99).
CONFIDENCE_FACTOR = 2.0
#: :attr:`Finding.reason` codes, most telling first (:func:`main_reason`).  ``face_not_enrolled``
#: (a face check-in held with the person's first photo) comes first: it decides *who* decides
#: the event — only the face enrolment decision, :mod:`app.faces.enrolment_requests`.
PRIORITY = ("face_not_enrolled", "offline", "impossible_travel", "implausible_accuracy", "wrong_office",
            "outside_geofence", "low_accuracy", "no_office", "missed_check_out", "after_window")


class NotAssignedOffice(RuleViolation):
    """You are not assigned to this office"""

    code = "not_assigned_office"


@dataclass(frozen=True)
class Finding:
    """One reason to hold an event for review: ``reason`` (a code of :data:`PRIORITY`) and the
    figures to word it (JSON scalars).

    Figures by reason — ``implausible_accuracy``: ``accuracy_m``, ``floor_m``;
    ``impossible_travel``: ``distance_m`` (straight line between the two fixes),
    ``elapsed_s``, ``speed_kmh`` (after the accuracy allowance), ``limit_kmh``,
    ``previous_event_id``, ``previous_kind``; ``wrong_office``: ``office_code``,
    ``office_name``, ``assigned_code``, ``assigned_name``; ``outside_geofence``:
    ``distance_m``, ``radius_m``, ``office_code``; ``low_accuracy``:
    ``accuracy_m``, ``radius_m``; ``no_office`` and ``offline``: none.  The schedule's
    reasons (:mod:`app.attendance.services`, :mod:`app.attendance.closing`):
    ``after_window``: ``closed_at`` (local ``HH:MM`` the check-in window closed);
    ``missed_check_out``: ``closed_at`` (local ``HH:MM``, the scheduled end it was closed at).
    """

    reason: str
    facts: dict = field(default_factory=dict)

    def as_json(self) -> dict:
        """``{"reason": ..., **facts}``, as stored in ``AttendanceEvent.flag_details``."""
        return {"reason": self.reason, **self.facts}


@dataclass(frozen=True)
class Fix:
    """A position at a moment: WGS84 degrees, ``accuracy_m`` metres (None = not reported), ``at`` UTC."""

    latitude: float
    longitude: float
    accuracy_m: float | None
    at: datetime
    event_id: int | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Limits:
    """The plausibility settings: ``accuracy_floor_m`` metres, ``max_speed_kmh``, ``wrong_office_policy``
    (``review`` or ``refuse``)."""

    accuracy_floor_m: float = 1.0
    max_speed_kmh: float = 150.0
    wrong_office_policy: str = "review"

    @classmethod
    def read(cls, _key=None) -> Limits:
        """The saved settings (registry defaults where unset), read in one query (no cache)."""
        from ..system.settings import get_settings

        values = get_settings(*SETTING_KEYS)
        return cls(float(values["gps_accuracy_floor_m"]), float(values["gps_max_speed_kmh"]),
                   values["wrong_office_policy"])

    @classmethod
    def current(cls) -> Limits:
        """The saved settings, from this worker's cache while the settings' version
        (:data:`SETTINGS_VERSION`) is unchanged: no statement when the request already noted
        the version (the mobile token's query), else one primary-key lookup."""
        return _limits_cache.get("limits", cls.read)


#: Name of the settings' version (:mod:`app.system.cache_versions`): raised by every ORM change
#: of a saved setting, so every worker of every app server judges with a changed setting at once.
SETTINGS_VERSION = "settings"
cache_versions.watch(SETTINGS_VERSION, Setting)
_limits_cache = cache_versions.VersionedCache(SETTINGS_VERSION)


@dataclass(frozen=True)
class Verdict:
    """What :func:`judge_position` found: ``distance_m`` to the office (None without one) and the findings."""

    distance_m: float | None
    findings: list[Finding]


def _round(value: float, places: int = 1) -> float:
    return round(float(value), places)


def implausible_accuracy(accuracy_m: float | None, floor_m: float) -> Finding | None:
    """A finding when the reported accuracy (metres) is 0 or below ``floor_m``; None when not reported."""
    if accuracy_m is None:
        return None
    if accuracy_m <= 0 or accuracy_m < floor_m:
        return Finding("implausible_accuracy", {"accuracy_m": _round(accuracy_m, 2), "floor_m": _round(floor_m, 2)})
    return None


def _allowance_m(accuracy_m: float | None) -> float:
    radius = UNKNOWN_ACCURACY_M if accuracy_m is None else max(accuracy_m, MIN_ACCURACY_ALLOWANCE_M)
    return CONFIDENCE_FACTOR * radius


def impossible_travel(previous: Fix | None, current: Fix, max_speed_kmh: float) -> Finding | None:
    """A finding when going from ``previous`` to ``current`` needs more than ``max_speed_kmh``.

    The distance counted is the great-circle distance minus both fixes' allowances
    (see the module); the time, the seconds between the two moments, at least 1 s.
    None without a previous fix or when the allowance covers the distance.
    """
    if previous is None:
        return None
    distance = haversine_m(previous.latitude, previous.longitude, current.latitude, current.longitude)
    moved = distance - _allowance_m(previous.accuracy_m) - _allowance_m(current.accuracy_m)
    if moved <= 0:
        return None
    elapsed = (current.at - previous.at).total_seconds()
    speed_kmh = moved / max(elapsed, 1.0) * 3.6
    if speed_kmh <= max_speed_kmh:
        return None
    return Finding("impossible_travel", {
        "distance_m": _round(distance), "elapsed_s": _round(max(elapsed, 0.0)), "speed_kmh": _round(speed_kmh),
        "limit_kmh": _round(max_speed_kmh), "previous_event_id": previous.event_id,
        "previous_kind": previous.kind})


def wrong_office(user, office) -> Finding | None:
    """A finding when ``office`` (an :class:`~app.places.models.Office` row) is not ``user``'s assigned office.

    None when the person has no assigned office, or ``office`` is None or no
    office row (the school's geofence from the settings has no id).
    """
    if office is None or getattr(office, "id", None) is None or user.office_id is None:
        return None
    if office.id == user.office_id:
        return None
    assigned = office_ref(user.office_id)
    return Finding("wrong_office", {
        "office_code": office.code, "office_name": office.name,
        "assigned_code": assigned.code if assigned else None, "assigned_name": assigned.name if assigned else None})


def _moment():
    """When an event happened for the plausibility rules: the phone's time of an offline event, else
    the server's (UTC)."""
    return db.func.coalesce(AttendanceEvent.client_time, AttendanceEvent.occurred_at, type_=UTCDateTime())


def _latest_fix_select(user_id):
    """The person's (``user_id``: a column or a bound parameter) latest event with a position not
    rejected on review, as ``id, kind, latitude, longitude, accuracy_m, at`` (at most one row)."""
    moment = _moment()
    return (select(AttendanceEvent.id, AttendanceEvent.kind, AttendanceEvent.latitude, AttendanceEvent.longitude,
                   AttendanceEvent.accuracy_m, moment.label("at"))
            .where(AttendanceEvent.user_id == user_id, AttendanceEvent.latitude.is_not(None),
                   AttendanceEvent.longitude.is_not(None), AttendanceEvent.review_state != "rejected")
            .order_by(moment.desc(), AttendanceEvent.id.desc())
            .limit(1))


@cache
def _previous_fix_query():
    """The statement of :func:`previous_fix`, built once (every check-in runs it)."""
    return _latest_fix_select(bindparam("user_id")).where(_moment() <= bindparam("at", type_=UTCDateTime()))


def previous_fix(user_id: int, at: datetime) -> Fix | None:
    """The person's latest position at or before ``at`` (UTC), from one query.

    Events with a position that were not rejected on review; an offline event
    counts at the phone's time (``client_time``), others at the server's.
    """
    row = core_execute(_previous_fix_query(), {"user_id": user_id, "at": at}).first()
    if row is None:
        return None
    return Fix(row.latitude, row.longitude, row.accuracy_m, row.at, row.id, row.kind)


# --- the previous position read in the token's statement ------------------------------------------
#
# A check-in request reads its token's user in one statement anyway (every dialect's token
# check).  For the requests that judge a position, that statement also reads the person's latest
# position (:func:`with_latest_fix`), and :func:`previous_fix_of` answers from it instead of
# sending :func:`previous_fix`'s own query.

_NOTED_FIX = "plausibility.latest_fix"  # session.info: (user_id, Fix | None) read by the token statement


def with_latest_fix(stmt, user_id, dialect: str):
    """``stmt`` (a select whose FROM holds ``user_id``'s table) with the person's latest position
    outer-joined and its six columns appended: event id, kind, latitude, longitude, accuracy (m),
    moment (UTC; the phone's time of an offline event, else the server's).  "Latest" is
    :func:`previous_fix`'s order without its upper bound: every event with a position that was not
    rejected on review.  Hand the six values to :func:`note_latest_fix`.

    ``dialect`` is the database's (``engine.dialect.name``).  PostgreSQL joins the person's
    latest event ``LATERAL`` (one index scan of the person's events per token, whatever the
    planner knows of the table: a join on a correlated subquery may be planned as a hash join
    over every event, and was, on a table still without statistics); SQLite, which has no
    ``LATERAL``, joins the event whose id the correlated subquery finds.
    """
    latest = _latest_fix_select(user_id).correlate_except(AttendanceEvent)
    if dialect == "postgresql":
        fix = latest.lateral("latest_fix")
        joined = stmt.outerjoin(fix, true())
        columns = fix.c
    else:
        fix = aliased(AttendanceEvent, name="latest_fix")
        joined = stmt.outerjoin(fix, fix.id == latest.with_only_columns(AttendanceEvent.id).scalar_subquery())
        columns = (fix.id, fix.kind, fix.latitude, fix.longitude, fix.accuracy_m,
                   db.func.coalesce(fix.client_time, fix.occurred_at, type_=UTCDateTime()))
    names = ("id", "kind", "latitude", "longitude", "accuracy_m", "at")
    return joined.add_columns(*(column.label(f"latest_fix_{name}") for column, name in zip(columns, names)))


def note_latest_fix(session, user_id: int, values) -> None:
    """Remember for the current transaction of ``session`` the person's latest position read by
    :func:`with_latest_fix` (``values``: its six columns; an id of None = no position at all)."""
    event_id, kind, latitude, longitude, accuracy_m, at = values
    fix = None if event_id is None else Fix(latitude, longitude, accuracy_m, at, event_id, kind)
    session.info[_NOTED_FIX] = (user_id, fix)


def previous_fix_of(user_id: int, at: datetime) -> Fix | None:
    """:func:`previous_fix` of ``user_id`` at ``at`` (UTC): without a statement when the token's
    statement read the person's latest position in this transaction (:func:`note_latest_fix`) and
    it lies at or before ``at`` — then it is the same row (same filter and order) — else the query.

    The noted position is used once: an event of the person written after it by this
    transaction (the check-in being judged, a batch of offline events) makes it stale, so a second
    judgement in the same transaction reads again.  Between the token's statement and now another
    transaction may commit an event of the same person (two of their requests at once, on
    PostgreSQL; SQLite reads both in one snapshot): which of two simultaneous requests counts as
    the other's previous position is a race either way.
    """
    noted = db.session().info.pop(_NOTED_FIX, None)
    if noted is not None and noted[0] == user_id and (noted[1] is None or noted[1].at <= at):
        return noted[1]
    return previous_fix(user_id, at)


@event.listens_for(Session, "after_transaction_end")
def _forget_latest_fix(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_NOTED_FIX, None)


def geofence_findings(office, latitude: float, longitude: float, accuracy_m: float | None
                      ) -> tuple[float | None, list[Finding]]:
    """``(distance_m, findings)`` of the position against ``office``'s circle (None: ``no_office``)."""
    if office is None:
        return None, [Finding("no_office")]
    result = check_geofence(office, latitude, longitude, accuracy_m)
    radius = office.geofence_radius_m
    if result.flag == "outside_geofence":
        return result.distance_m, [Finding("outside_geofence", {
            "distance_m": _round(result.distance_m), "radius_m": radius, "office_code": getattr(office, "code", None)})]
    if result.flag == "low_accuracy":
        return result.distance_m, [Finding("low_accuracy", {"accuracy_m": _round(accuracy_m), "radius_m": radius})]
    return result.distance_m, []


def judge_position(user, *, latitude: float, longitude: float, accuracy_m: float | None, office, at: datetime,
                   judge_office: bool = True, limits: Limits | None = None) -> Verdict:
    """Judge a check-in or check-out position of ``user`` at ``at`` (UTC) against ``office``.

    :param latitude, longitude: WGS84 degrees, already validated (finite, in range).
    :param accuracy_m: the reported accuracy radius in metres, None when not reported.
    :param office: the office (or the school's geofence) the position is compared with, None if none.
    :param judge_office: False where the client cannot name an office (offline sync).
    :param limits: the settings; read from :mod:`app.system.settings` when None.
    :returns: the distance to ``office`` in metres and every :class:`Finding`, in :data:`PRIORITY` order.
    :raises NotAssignedOffice: ``office`` is not the person's and ``wrong_office_policy`` is ``refuse``.
    """
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise ValueError("latitude and longitude must be finite")
    limits = limits or Limits.current()
    findings: list[Finding] = []
    if judge_office:
        finding = wrong_office(user, office)
        if finding is not None:
            if limits.wrong_office_policy == "refuse":
                raise NotAssignedOffice()
            findings.append(finding)
    finding = implausible_accuracy(accuracy_m, limits.accuracy_floor_m)
    if finding is not None:
        findings.append(finding)
    current = Fix(latitude, longitude, accuracy_m, at)
    finding = impossible_travel(previous_fix_of(user.id, at), current, limits.max_speed_kmh)
    if finding is not None:
        findings.append(finding)
    distance, fence = geofence_findings(office, latitude, longitude, accuracy_m)
    findings.extend(fence)
    return Verdict(distance, sorted(findings, key=lambda f: PRIORITY.index(f.reason)))


def main_reason(findings: list[Finding]) -> str | None:
    """The most telling reason of ``findings`` (:data:`PRIORITY`), None when there is none."""
    return min((f.reason for f in findings), key=PRIORITY.index, default=None)


def details_json(findings: list[Finding]) -> list[dict] | None:
    """``findings`` as stored in ``AttendanceEvent.flag_details`` (None when empty)."""
    return [f.as_json() for f in findings] or None
