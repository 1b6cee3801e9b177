"""The kiosk's student-card mode: a card read by the camera records the
student present today in their class, once; refusals are clear and record nothing."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.kiosk.models import Kiosk
from app.school.models import ClassEnrollment, SchoolClass, StudentAttendance, StudentQrCard
from app.school.services import academic_year_of
from app.common import clock
from tests.helpers import count, kiosk_csrf

SCAN = "/kiosk/cards/scan"


@pytest.fixture
def students(app, factory):
    """Siti (enrolled this year, active card SITI0001), Budi (card BUDI0002 deactivated),
    Rina (active card RINA0003, not enrolled this year)."""
    siti = factory.user(role="siswa", name="Siti Aminah", nisn_nip_nik="0051")
    budi = factory.user(role="siswa", name="Budi Santoso", nisn_nip_nik="0052")
    rina = factory.user(role="siswa", name="Rina Wati", nisn_nip_nik="0053")
    with app.app_context():
        cls = SchoolClass(name="X IPA 1")
        db.session.add(cls)
        db.session.flush()
        year = academic_year_of(clock.local_today())
        db.session.add_all([
            ClassEnrollment(class_id=cls.id, student_id=siti.id, academic_year=year),
            ClassEnrollment(class_id=cls.id, student_id=budi.id, academic_year=year),
            ClassEnrollment(class_id=cls.id, student_id=rina.id, academic_year=year - 1),
            StudentQrCard(student_id=siti.id, qr_code="SITI0001", is_active=True),
            StudentQrCard(student_id=budi.id, qr_code="BUDI0002", is_active=False),
            StudentQrCard(student_id=rina.id, qr_code="RINA0003", is_active=True)])
        db.session.commit()
    return {"siti": siti, "budi": budi, "rina": rina}


def _scan(tablet, code, csrf=None):
    return tablet.post(SCAN, json={"code": code}, headers={"X-CSRFToken": csrf or kiosk_csrf(tablet)})


def test_a_card_records_the_student_once(app, paired_tablet, students):
    tablet = paired_tablet(modes=("cards",))
    first = _scan(tablet, "siti0001 ")                     # case and spaces do not matter
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["result"] == "recorded" and body["student"] == {"name": "Siti Aminah", "class": "X IPA 1"}
    assert re.fullmatch(r"\d\d:\d\d", body["time"]) and body["present_today"] == 1
    assert body["message"] == f"Siti Aminah — hadir {body['time'].replace(':', '.')}"  # Indonesian writes 07.10
    again = _scan(tablet, "SITI0001")
    assert again.status_code == 200 and again.get_json()["result"] == "already"
    assert again.get_json()["time"] == body["time"] and again.get_json()["present_today"] == 1
    with app.app_context():
        row = db.session.scalar(db.select(StudentAttendance))
        assert (row.method, row.recorded_by_id, row.date) == ("qr_card", None, clock.local_today())
    assert count(app, StudentAttendance) == 1


@pytest.mark.parametrize("code, status, result", [
    ("NOPE9999", 404, "unknown_card"),
    ("BUDI0002", 409, "inactive_card"),
    ("RINA0003", 409, "not_enrolled"),
])
def test_refused_cards_record_nothing(app, paired_tablet, students, code, status, result):
    response = _scan(paired_tablet(modes=("cards",)), code)
    assert response.status_code == status and response.get_json()["result"] == result
    assert response.get_json()["message"]
    assert count(app, StudentAttendance) == 0


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 12345}, {"code": "X" * 65}, ["SITI0001"]])
def test_malformed_bodies_are_refused(app, paired_tablet, students, body):
    tablet = paired_tablet(modes=("cards",))
    response = tablet.post(SCAN, json=body, headers={"X-CSRFToken": kiosk_csrf(tablet)})
    assert response.status_code == 422 and response.get_json()["result"] == "invalid"
    not_json = tablet.post(SCAN, data="code=SITI0001", headers={"X-CSRFToken": kiosk_csrf(tablet)},
                           content_type="application/x-www-form-urlencoded")
    assert not_json.status_code == 415
    assert count(app, StudentAttendance) == 0


def test_scans_need_the_csrf_token_the_mode_and_a_paired_kiosk(app, paired_tablet, admin_browser, students):
    cards = paired_tablet(modes=("cards",))
    assert cards.post(SCAN, json={"code": "SITI0001"}).status_code == 400          # no CSRF token
    qr_only = paired_tablet(modes=("qr",), name="Lobi")
    refused = _scan(qr_only, "SITI0001")
    assert refused.status_code == 403 and refused.get_json()["result"] == "mode_disabled"
    assert qr_only.get("/kiosk/qr.json").status_code == 200
    assert cards.get("/kiosk/qr.json").status_code == 403
    with app.app_context():
        kiosk_id = db.session.scalar(db.select(Kiosk.id).where(Kiosk.name == "Pintu Utama"))
    csrf = kiosk_csrf(cards)
    admin_browser.submit("/admin/kiosks/", f"/admin/kiosks/{kiosk_id}/revoke")
    assert _scan(cards, "SITI0001", csrf).status_code == 401
    assert count(app, StudentAttendance) == 0


def test_the_page_offers_the_enabled_modes(paired_tablet):
    both = paired_tablet(modes=("qr", "cards")).get("/kiosk/").get_data(as_text=True)
    assert 'data-mode-button="qr"' in both and 'data-mode-button="cards"' in both
    assert "qr-scanner-1.4.2/qr-scanner.umd.min.js" in both
    qr_only = paired_tablet(modes=("qr",), name="Lobi").get("/kiosk/").get_data(as_text=True)
    assert "data-mode-button" not in qr_only and 'data-mode="cards"' not in qr_only
    assert "qr-scanner" not in qr_only


def _delayed(tablet, code, client_id, scanned_at, csrf):
    return tablet.post(SCAN, json={"code": code, "client_id": client_id, "scanned_at": scanned_at},
                       headers={"X-CSRFToken": csrf})


def test_a_scan_kept_offline_is_recorded_at_its_own_time_and_its_replay_records_nothing(
        app, paired_tablet, students, freeze_time):
    freeze_time("2026-08-03T07:40+07:00")                 # Monday; the card was read at 06:58 (offline)
    tablet = paired_tablet(modes=("cards",))
    csrf = kiosk_csrf(tablet)
    first = _delayed(tablet, "SITI0001", "8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11", "2026-08-02T23:58:30.250Z", csrf)
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert (body["result"], body["time"], body["date"], body["replayed"]) == ("recorded", "06:58", "2026-08-03", False)
    assert body["client_id"] == "8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11"
    replay = _delayed(tablet, "SITI0001", "8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11", "2026-08-02T23:58:30.250Z", csrf)
    assert replay.status_code == 200
    assert (replay.get_json()["result"], replay.get_json()["replayed"], replay.get_json()["time"]) == (
        "recorded", True, "06:58")
    with app.app_context():
        row = db.session.scalar(db.select(StudentAttendance))
        assert row.client_time.isoformat() == "2026-08-02T23:58:30.250000+00:00"          # as reported, UTC
        assert row.occurred_at.isoformat() == "2026-08-03T00:40:00+00:00"                # the server's time
    assert count(app, StudentAttendance) == 1
    # another scan of the same card that day (another id) is "already", as a live one
    other = _delayed(tablet, "SITI0001", "0d9f3c55-2b7a-4c1e-8e0f-6a5b4c3d2e1f", "2026-08-03T00:10:00Z", csrf)
    assert other.status_code == 200 and other.get_json()["result"] == "already"
    assert count(app, StudentAttendance) == 1


def test_a_scan_sent_the_next_day_counts_for_the_day_it_was_made(app, paired_tablet, students, freeze_time):
    freeze_time("2026-08-04T06:30+07:00")
    tablet = paired_tablet(modes=("cards",))
    answer = _delayed(tablet, "SITI0001", "c0ffee00-1111-2222-3333-444455556666", "2026-08-03T09:15:00+07:00",
                      kiosk_csrf(tablet))
    assert answer.status_code == 201 and answer.get_json()["date"] == "2026-08-03"
    with app.app_context():
        assert db.session.scalar(db.select(StudentAttendance.date)).isoformat() == "2026-08-03"


@pytest.mark.parametrize("client_id, scanned_at", [
    ("short", "2026-08-03T00:00:00Z"),                      # not an id
    ("8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11", "yesterday"),  # not a time
    ("8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11", "2026-08-03T07:00:00"),        # no zone
    ("8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11", "2026-08-03T00:50:01Z"),       # > 5 min ahead of the server
    ("8c1e2a4b-0f61-4d4e-9d1a-3b7c2e9f0a11", "2026-07-03T00:39:00Z"),       # > 30 days old
    (12345678, "2026-08-03T00:00:00Z"),
])
def test_bad_ids_and_times_out_of_bounds_record_nothing(app, paired_tablet, students, freeze_time,
                                                       client_id, scanned_at):
    freeze_time("2026-08-03T07:40+07:00")
    tablet = paired_tablet(modes=("cards",))
    answer = _delayed(tablet, "SITI0001", client_id, scanned_at, kiosk_csrf(tablet))
    assert answer.status_code == 422 and answer.get_json()["result"] == "invalid"
    assert count(app, StudentAttendance) == 0


def test_a_scan_id_cannot_be_reused_for_another_card(app, paired_tablet, students, factory, freeze_time):
    freeze_time("2026-08-03T07:40+07:00")
    tablet = paired_tablet(modes=("cards",))
    csrf = kiosk_csrf(tablet)
    assert _delayed(tablet, "SITI0001", "11111111-aaaa", "2026-08-03T00:30:00Z", csrf).status_code == 201
    reused = _delayed(tablet, "RINA0003", "11111111-aaaa", "2026-08-03T00:31:00Z", csrf)
    assert reused.status_code == 409 and reused.get_json()["result"] == "invalid"
    assert count(app, StudentAttendance) == 1
