"""Contract 002, section 3: dynamic QR tokens (an HMAC of secret, location and time step)."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from app import create_app
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.qr import services as qr

from .qr_helpers import INSIDE, dynamic_token, png_b64, set_settings
from .tokens import bearer, school_user


# 08:00:10 WIB = 01:00:10 UTC; with 30 s steps the step ends at 01:00:30 UTC.
T0 = "2026-01-30T08:00:10+07:00"


@pytest.fixture
def staff(app, factory):
    """An office, a schedule whose check-in (07:00-09:00) and check-out (08:00-18:00) are both open at T0,
    and two teachers of that office with their bearer headers."""
    office = factory.office()
    factory.schedule(check_in=("07:00", "09:00"), check_out=("08:00", "18:00"), late_after="08:30")
    a = school_user(factory, "guru", "2001", office=office)
    b = school_user(factory, "guru", "2002", office=office)
    return {"office": office, "a": a, "b": b, "ha": bearer(app, a), "hb": bearer(app, b)}


def _verify(client, headers, user, token, type_="checkin", **extra):
    body = {"user_id": user.id, "type": type_, "qr_token": token, **INSIDE, "photo": png_b64(), **extra}
    return client.post("/api/qrcode/verify", json=body, headers=headers)


def _events(app, **filters) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(AttendanceEvent.id)).filter_by(**filters))


def test_dynamic_token_is_32_hex_and_expires_at_the_end_of_its_step(client, staff, freeze_time):
    freeze_time(T0)
    response = client.get("/api/qrcode/dynamic", headers=staff["ha"])
    assert response.status_code == 200
    body = response.json
    assert body["success"] is True and body["message"] == "Token QR dinamis berhasil diambil"
    assert re.fullmatch(r"[0-9a-f]{32}", body["data"]["token"])
    assert body["data"]["expires_at"] == "2026-01-30T01:00:30.000000Z"
    assert body["data"]["valid_until"] == "2026-01-30T01:01:00.000000Z"
    assert body["data"]["period_seconds"] == 30


def test_the_period_is_a_setting(app, client, staff, freeze_time):
    set_settings(app, qr_period_seconds=60)
    freeze_time(T0)
    data = dynamic_token(client, staff["ha"])
    assert data["expires_at"] == "2026-01-30T01:01:00.000000Z" and data["period_seconds"] == 60


def test_the_token_changes_with_the_step_and_stays_within_it(client, staff, freeze_time):
    freeze_time(T0)
    first = dynamic_token(client, staff["ha"])["token"]
    freeze_time("2026-01-30T08:00:29+07:00")
    assert dynamic_token(client, staff["ha"])["token"] == first
    freeze_time("2026-01-30T08:00:30+07:00")
    assert dynamic_token(client, staff["ha"])["token"] != first


def test_a_token_gives_each_person_one_check_in_and_one_check_out(app, client, staff, freeze_time):
    freeze_time(T0)
    token = dynamic_token(client, staff["ha"])["token"]
    first = _verify(client, staff["ha"], staff["a"], token)
    assert first.status_code == 200, first.json
    assert first.json["message"] == "Absen masuk berhasil"
    assert first.json["data"]["qr_token_used"] == token and first.json["data"]["user_id"] == staff["a"].id
    # The same token again for the same kind: the event already recorded, not a second one.
    again = _verify(client, staff["ha"], staff["a"], token)
    assert again.status_code == 200 and again.json["data"]["id"] == first.json["data"]["id"]
    assert _events(app, user_id=staff["a"].id, kind="check_in") == 1
    # Another person may use the same token.
    other = _verify(client, staff["hb"], staff["b"], token)
    assert other.status_code == 200 and other.json["data"]["id"] != first.json["data"]["id"]
    # The same token gives the same person one check-out too.
    out = _verify(client, staff["ha"], staff["a"], token, type_="checkout")
    assert out.status_code == 200 and out.json["message"] == "Absen keluar berhasil"
    out_again = _verify(client, staff["ha"], staff["a"], token, type_="checkout")
    assert out_again.json["data"]["id"] == out.json["data"]["id"]
    with app.app_context():
        refs = set(db.session.scalars(db.select(AttendanceEvent.client_ref).filter_by(user_id=staff["a"].id)))
    assert refs == {f"qr:{token}:check_in", f"qr:{token}:check_out"}
    assert _events(app) == 3


def test_a_fresh_token_does_not_give_a_second_check_in_the_same_day(app, client, staff, freeze_time):
    freeze_time(T0)
    assert _verify(client, staff["ha"], staff["a"], dynamic_token(client, staff["ha"])["token"]).status_code == 200
    freeze_time("2026-01-30T08:05:00+07:00")
    second = _verify(client, staff["ha"], staff["a"], dynamic_token(client, staff["ha"])["token"])
    assert second.status_code == 409
    assert second.json == {"success": False, "message": "Anda sudah absen masuk hari ini"}
    assert _events(app, user_id=staff["a"].id) == 1


def test_the_previous_step_is_grace_and_after_it_the_token_has_expired(app, client, staff, freeze_time):
    freeze_time(T0)
    token = dynamic_token(client, staff["ha"])["token"]
    freeze_time("2026-01-30T08:00:59+07:00")  # the next step: grace
    assert _verify(client, staff["ha"], staff["a"], token).status_code == 200
    freeze_time("2026-01-30T08:01:00+07:00")  # two steps on: expired
    late = _verify(client, staff["hb"], staff["b"], token)
    assert late.status_code == 400
    assert late.json["message"] == "QR code sudah kedaluwarsa, silakan pindai ulang"
    assert late.json["errors"] == {"qr_token": [late.json["message"]]}
    assert _events(app, user_id=staff["b"].id) == 0


def test_a_forged_or_malformed_token_is_refused_and_nothing_recorded(app, client, staff, freeze_time):
    freeze_time(T0)
    real = dynamic_token(client, staff["ha"])["token"]
    forged = ("0" if real[0] != "0" else "1") + real[1:]
    response = _verify(client, staff["ha"], staff["a"], forged)
    assert response.status_code == 400 and response.json["message"] == "QR code tidak valid"
    for bad in ("xyz", real + "00", "", None):
        response = _verify(client, staff["ha"], staff["a"], bad)
        assert response.status_code == 422, bad
        assert "qr_token" in response.json["errors"]
    assert _events(app) == 0


def test_a_token_of_another_location_is_refused(app, client, factory, staff, freeze_time):
    other_office = factory.office(code="0002", name="Cabang Bandung", lat=-6.9175, lon=107.6191)
    stranger = school_user(factory, "guru", "2009", office=other_office)
    no_office = school_user(factory, "pegawai", "3001")
    freeze_time(T0)
    token = dynamic_token(client, staff["ha"])["token"]
    for user in (stranger, no_office):
        response = _verify(client, bearer(app, user), user, token,
                           latitude=other_office.latitude, longitude=other_office.longitude)
        assert response.status_code == 400, user
        assert response.json["message"] == "QR code bukan untuk lokasi absensi Anda"
    # And the school's token (location 0) is not the office's.
    school_token = dynamic_token(client, bearer(app, no_office))["token"]
    assert school_token != token
    assert _verify(client, staff["ha"], staff["a"], school_token).json["message"] == \
        "QR code bukan untuk lokasi absensi Anda"
    assert _events(app) == 0


def test_an_admin_may_fetch_the_token_of_any_location_others_may_not(app, client, factory, staff, freeze_time):
    admin = school_user(factory, "admin", "5001")
    freeze_time(T0)
    token = dynamic_token(client, bearer(app, admin), office_id=staff["office"].id)["token"]
    assert token == dynamic_token(client, staff["ha"])["token"]
    assert client.get("/api/qrcode/dynamic", headers=staff["ha"], query_string={"office_id": 0}).status_code == 403
    missing = client.get("/api/qrcode/dynamic", headers=bearer(app, admin), query_string={"office_id": 999})
    assert missing.status_code == 404


def test_two_app_instances_with_the_same_secret_agree_and_another_secret_does_not(app, staff, freeze_time):
    moment = freeze_time(T0)
    base = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "RATELIMIT_STORAGE_URI": "memory://"}
    one = create_app({**base, "SECRET_KEY": "shared-secret-of-every-server-0123456789"})
    two = create_app({**base, "SECRET_KEY": "shared-secret-of-every-server-0123456789"})
    three = create_app({**base, "SECRET_KEY": "another-secret-0123456789-abcdefghijkl"})
    location = staff["office"].id
    with one.app_context():
        issued = qr.current_token(location, moment)
    with two.app_context():
        assert qr.current_token(location, moment).token == issued.token
        assert qr.verify(issued.token, location, moment + timedelta(seconds=30)) == issued.step
    with three.app_context():
        assert qr.current_token(location, moment).token != issued.token
        with pytest.raises(qr.QrTokenError):
            qr.verify(issued.token, location, moment)
    for other in (one, two, three):
        with other.app_context():
            db.engine.dispose()


def test_verify_service_steps_and_errors(ctx):
    now = datetime(2026, 1, 30, 1, 0, 10, tzinfo=timezone.utc)
    issued = qr.current_token(7, now)
    assert issued.step == int(now.timestamp()) // 30
    assert issued.expires_at == datetime(2026, 1, 30, 1, 0, 30, tzinfo=timezone.utc)
    assert qr.verify(issued.token.upper(), 7, now) == issued.step
    assert qr.verify(issued.token, 7, issued.valid_until - timedelta(seconds=1)) == issued.step
    with pytest.raises(qr.QrTokenExpired):
        qr.verify(issued.token, 7, issued.valid_until)
    with pytest.raises(qr.QrTokenError) as too_old:
        qr.verify(issued.token, 7, now + timedelta(hours=2))
    assert type(too_old.value) is qr.QrTokenError
    with pytest.raises(qr.QrTokenError) as early:  # a token of a step that has not begun
        qr.verify(issued.token, 7, now - timedelta(seconds=30))
    assert type(early.value) is qr.QrTokenError
    assert qr.client_ref(issued.token, "check_out") == f"qr:{issued.token}:check_out"
    assert len(qr.client_ref(issued.token, "check_out")) <= 64


def test_tokens_depend_on_key_location_and_step():
    key = qr.derive_key("k")
    assert qr.token_for(key, 1, 100) == qr.token_for(qr.derive_key(b"k"), 1, 100)
    assert len({qr.token_for(key, 1, 100), qr.token_for(key, 2, 100), qr.token_for(key, 1, 101),
                qr.token_for(qr.derive_key("k2"), 1, 100)}) == 4


def test_roles_and_ownership(app, client, factory, staff, freeze_time):
    student = school_user(factory, "siswa", "1001")
    admin = school_user(factory, "admin", "5001")
    freeze_time(T0)
    token = dynamic_token(client, staff["ha"])["token"]
    # Without a token.
    assert client.get("/api/qrcode/dynamic").status_code == 401
    assert client.post("/api/qrcode/verify", json={}).json == {"success": False, "message": "Token tidak valid"}
    # A student can neither fetch a token nor verify for someone else.
    assert client.get("/api/qrcode/dynamic", headers=bearer(app, student)).status_code == 403
    assert _verify(client, bearer(app, student), staff["a"], token).status_code == 403
    # A teacher cannot record for another teacher.
    denied = _verify(client, staff["hb"], staff["a"], token)
    assert denied.status_code == 403 and denied.json == {"success": False, "message": "Akses ditolak"}
    assert _events(app) == 0
    # An admin may, and the record is the other person's.
    done = _verify(client, bearer(app, admin), staff["a"], token)
    assert done.status_code == 200 and done.json["data"]["user_id"] == staff["a"].id
    assert _events(app, user_id=staff["a"].id) == 1 and _events(app, user_id=admin.id) == 0


def test_verify_requires_type_and_photo(app, client, staff, freeze_time):
    freeze_time(T0)
    token = dynamic_token(client, staff["ha"])["token"]
    response = client.post("/api/qrcode/verify", headers=staff["ha"],
                           json={"user_id": staff["a"].id, "type": "masuk", "qr_token": token, **INSIDE})
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"type", "photo"}
    assert _events(app) == 0
