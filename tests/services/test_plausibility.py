"""Plausibility of a reported position: implausible accuracy, impossible travel, wrong office.

The rules on their own (pure functions, edges included) and through
:func:`app.attendance.services.record_attendance` (recorded, pending, every reason
kept with its figures), plus the inbox wording in Indonesian and English.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from flask_babel import force_locale

from app.accounts.models import User
from app.attendance import plausibility, services as attendance
from app.attendance.models import AttendanceEvent
from app.attendance.plausibility import Fix
from app.attendance.reasons import describe_flags, distance_text, duration_text
from app.extensions import db
from app.system.settings import update_setting

JAKARTA = (-6.2088, 106.8456)   # the default factory office (Kantor Pusat Jakarta)
BANDUNG = (-6.9175, 107.6191)   # ≈ 116 km south-east
T0 = datetime(2026, 1, 30, 0, 45, tzinfo=timezone.utc)  # 07:45 in Jakarta


def _fix(position, accuracy, seconds=0.0):
    return Fix(position[0], position[1], accuracy, T0 + timedelta(seconds=seconds))


def _offset(position, north_m):
    """A point ``north_m`` metres north of ``position`` (1° of latitude ≈ 111,195 m)."""
    return position[0] + north_m / 111_195, position[1]


# --- the rules on their own --------------------------------------------------------------

@pytest.mark.parametrize("accuracy, floor, flagged", [
    (0, 1, True), (0.0, 0, True), (0.4, 1, True), (0.99, 1, True), (1.0, 1, False), (4.9, 1, False),
    (2.5, 3, True), (3, 3, False), (None, 1, False),
])
def test_accuracy_of_zero_or_below_the_floor_is_implausible(accuracy, floor, flagged):
    finding = plausibility.implausible_accuracy(accuracy, floor)
    assert (finding is not None) is flagged
    if flagged:
        assert finding.as_json() == {"reason": "implausible_accuracy", "accuracy_m": accuracy, "floor_m": floor}


def test_120_km_in_one_second_is_impossible_travel():
    finding = plausibility.impossible_travel(_fix(JAKARTA, 10), _fix(BANDUNG, 10, seconds=1), 150)
    assert finding.reason == "impossible_travel"
    facts = finding.facts
    assert 115_000 < facts["distance_m"] < 118_000 and facts["elapsed_s"] == 1.0
    assert facts["speed_kmh"] > 400_000 and facts["limit_kmh"] == 150


@pytest.mark.parametrize("north_m, accuracy, seconds", [
    (30, 10, 1),       # jitter between two fixes at the office one second apart
    (60, 15, 0),       # the same second, within both accuracy radii (doubled)
    (150, None, 1),    # no accuracy reported: ±100 m each
    (35, 3, 1),        # a precise phone: radii under 10 m count as 10 m
    (300, 10, 30),     # the far end of a large site half a minute later (31 km/h after the allowance)
])
def test_gps_jitter_at_the_office_is_not_travel(north_m, accuracy, seconds):
    assert plausibility.impossible_travel(_fix(JAKARTA, accuracy), _fix(_offset(JAKARTA, north_m), accuracy, seconds),
                                          150) is None


def test_the_speed_limit_is_judged_after_the_accuracy_allowance():
    # 10 km apart with ±10 m each: 40 m allowance; 150 km/h needs 239 s for the remaining 9,960 m.
    far = _offset(JAKARTA, 10_000)
    assert plausibility.impossible_travel(_fix(JAKARTA, 10), _fix(far, 10, seconds=240), 150) is None
    finding = plausibility.impossible_travel(_fix(JAKARTA, 10), _fix(far, 10, seconds=230), 150)
    assert finding is not None and 155 < finding.facts["speed_kmh"] < 157
    assert plausibility.impossible_travel(None, _fix(far, 10), 150) is None


def test_a_car_on_the_toll_road_is_not_flagged_by_default():
    # Jakarta to Bandung (≈116 km straight) in 1 h 30 min is 77 km/h: a car, not a fake.
    assert plausibility.impossible_travel(_fix(JAKARTA, 10), _fix(BANDUNG, 10, seconds=5400), 150) is None


# --- through record_attendance ------------------------------------------------------------------

@pytest.fixture
def setup(factory):
    jakarta = factory.office()
    bandung = factory.office(code="0002", name="Kantor Cabang Bandung", lat=BANDUNG[0], lon=BANDUNG[1], radius=150)
    # Check-in 07:00-09:00 and check-out from 07:30: both open at 07:45, so two events can be a second apart.
    factory.schedule(check_in=("07:00", "09:00"), check_out=("07:30", "18:00"))
    person = factory.user(npp="10001", office=jakarta)
    return {"jakarta": jakarta, "bandung": bandung, "person": person}


def _record(setup, kind="check_in", position=JAKARTA, accuracy=10.0, office=None, person=None):
    user = db.session.get(User, (person or setup["person"]).id)
    office = db.session.get(type(setup["jakarta"]), office.id) if office is not None else None
    result = attendance.record_attendance(user, kind, source="mobile_gps", latitude=position[0],
                                          longitude=position[1], accuracy_m=accuracy, office=office)
    db.session.flush()
    return result


def test_an_honest_check_in_and_check_out_at_the_office_are_not_flagged(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    first = _record(setup, position=_offset(JAKARTA, 20), accuracy=12)
    freeze_time("2026-01-30T07:45:01+07:00")
    second = _record(setup, "check_out", position=_offset(JAKARTA, -25), accuracy=8)
    assert not first.pending_review and not second.pending_review
    assert first.event.flag_details is None and second.event.flag_details is None


def test_accuracy_zero_is_recorded_and_held_for_review(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    result = _record(setup, accuracy=0)
    assert result.pending_review and result.daily.status == "pending_review"
    assert result.event.flag_reason == "implausible_accuracy"
    assert result.event.flag_details == [{"reason": "implausible_accuracy", "accuracy_m": 0.0, "floor_m": 1.0}]


def test_the_accuracy_floor_is_a_setting(ctx, setup, freeze_time):
    update_setting("gps_accuracy_floor_m", "3")
    freeze_time("2026-01-30T07:45:00+07:00")
    assert _record(setup, accuracy=2).event.flag_details == [
        {"reason": "implausible_accuracy", "accuracy_m": 2.0, "floor_m": 3.0}]


def test_check_out_in_bandung_a_second_after_check_in_in_jakarta(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    check_in = _record(setup)
    freeze_time("2026-01-30T07:45:01+07:00")
    result = _record(setup, "check_out", position=BANDUNG)
    event = result.event
    assert event.id is not None and result.pending_review
    assert event.flag_reason == "impossible_travel"
    assert event.flag_reasons == ["impossible_travel", "outside_geofence"]
    travel = event.flag_details[0]
    assert travel["previous_event_id"] == check_in.event.id and travel["previous_kind"] == "check_in"
    assert travel["elapsed_s"] == 1.0 and 115_000 < travel["distance_m"] < 118_000


def test_the_speed_limit_is_a_setting(ctx, setup, freeze_time):
    update_setting("gps_max_speed_kmh", "1000")
    freeze_time("2026-01-30T07:45:00+07:00")
    _record(setup)
    freeze_time("2026-01-30T08:15:00+07:00")  # 116 km in 30 min: 232 km/h, under 1000
    assert _record(setup, "check_out", position=BANDUNG).event.flag_reasons == ["outside_geofence"]


def test_a_rejected_event_is_not_a_previous_position(ctx, setup, factory, freeze_time):
    reviewer = db.session.get(User, factory.user(role="admin", npp="90001").id)
    freeze_time("2026-01-30T07:45:00+07:00")
    fake = _record(setup, position=BANDUNG)
    attendance.review_event(fake.event, reviewer, approve=False, note="Lokasi palsu")
    freeze_time("2026-01-30T07:46:00+07:00")
    again = _record(setup)
    assert not again.pending_review and again.event.flag_details is None


def test_the_same_office_does_not_flag(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    result = _record(setup, office=setup["jakarta"])
    assert not result.pending_review and result.event.office_id == setup["jakarta"].id


def test_an_office_the_person_is_not_assigned_to_is_held_for_review(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    result = _record(setup, position=BANDUNG, office=setup["bandung"])
    assert result.pending_review and result.event.office_id == setup["bandung"].id
    assert result.event.flag_details == [{
        "reason": "wrong_office", "office_code": "0002", "office_name": "Kantor Cabang Bandung",
        "assigned_code": "0001", "assigned_name": "Kantor Pusat Jakarta"}]
    assert result.event.distance_m < 1


def test_an_office_the_person_is_not_assigned_to_is_refused_by_setting(ctx, setup, freeze_time):
    update_setting("wrong_office_policy", "refuse")
    freeze_time("2026-01-30T07:45:00+07:00")
    with pytest.raises(attendance.NotAssignedOffice):
        _record(setup, position=BANDUNG, office=setup["bandung"])
    assert db.session.scalar(db.select(db.func.count(AttendanceEvent.id))) == 0
    assert not _record(setup, office=setup["jakarta"]).pending_review  # their own office still works


def test_a_person_without_an_office_may_name_any(ctx, setup, factory, freeze_time):
    roaming = factory.user(npp="10002")
    freeze_time("2026-01-30T07:45:00+07:00")
    result = _record(setup, position=BANDUNG, office=setup["bandung"], person=roaming)
    assert not result.pending_review


def test_several_reasons_at_once_are_all_kept(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    _record(setup)
    freeze_time("2026-01-30T07:46:00+07:00")
    result = _record(setup, "check_out", position=BANDUNG, accuracy=0, office=setup["bandung"])
    assert result.event.flag_reasons == ["impossible_travel", "implausible_accuracy", "wrong_office"]


def test_a_kiosk_event_without_a_position_is_not_judged(ctx, setup, freeze_time):
    freeze_time("2026-01-30T07:45:00+07:00")
    _record(setup, position=BANDUNG, office=setup["bandung"])  # flagged, but not rejected
    freeze_time("2026-01-30T07:45:05+07:00")
    user = db.session.get(User, setup["person"].id)
    result = attendance.record_attendance(user, "check_out", source="face", office=user.office)
    assert not result.pending_review


# --- wording ----------------------------------------------------------------------------------

def test_the_inbox_words_every_reason_with_its_figures(app, setup, freeze_time):
    with app.app_context():
        freeze_time("2026-01-30T07:45:00+07:00")
        _record(setup)
        freeze_time("2026-01-30T07:46:00+07:00")
        event = _record(setup, "check_out", position=BANDUNG, accuracy=0, office=setup["bandung"]).event
        with app.test_request_context():
            with force_locale("id"):
                indonesian = describe_flags(event)
            with force_locale("en"):
                english = describe_flags(event)
        db.session.rollback()
    speed = round(event.flag_details[0]["speed_kmh"])
    assert indonesian == [
        f"116 km dari absen sebelumnya 1 menit lalu ({speed:,} km/jam; batas 150 km/jam)".replace(",", "."),
        "akurasi 0 m (di bawah batas wajar 1 m)",
        "kantor 0002 Kantor Cabang Bandung, bukan kantor penugasannya (0001 Kantor Pusat Jakarta)",
    ]
    assert english == [
        f"116 km from the previous attendance 1 minute earlier ({speed:,} km/h; limit 150 km/h)",
        "accuracy 0 m (below the plausible 1 m)",
        "office 0002 Kantor Cabang Bandung, not their assigned office (0001 Kantor Pusat Jakarta)",
    ]


@pytest.mark.parametrize("seconds, text", [
    (0, "0 detik"), (1, "1 detik"), (59, "59 detik"), (60, "1 menit"), (61, "1 menit 1 detik"),
    (5400, "1 jam 30 menit"), (90061, "1 hari 1 jam"),
])
def test_durations_keep_two_exact_units(app, seconds, text):
    with app.test_request_context(), force_locale("id"):
        assert duration_text(seconds) == text


@pytest.mark.parametrize("metres, text", [(850.4, "850 m"), (1234, "1,2 km"), (127_400, "127 km")])
def test_distances(app, metres, text):
    with app.test_request_context(), force_locale("id"):
        assert distance_text(metres) == text
