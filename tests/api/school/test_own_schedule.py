"""Contract 002 staff check-in judged by the person's own schedule: hadir/terlambat by their
shift, while the organisation's default is closed; the other way round is refused."""
from __future__ import annotations

from .qr_helpers import INSIDE, dynamic_token
from .tokens import bearer, school_user


def _check_in(client, headers):
    token = dynamic_token(client, headers)["token"]
    return client.post("/api/attendance/checkin", headers=headers, json={"qr_token": token, **INSIDE})


def test_each_teacher_checks_in_by_their_own_schedule(app, client, factory, freeze_time):
    office = factory.office()
    factory.schedule()                                   # the default: in 07:00-09:00, late after 08:00
    evening, day = school_user(factory, "guru", "2001", office=office), school_user(factory, "guru", "2002",
                                                                                   office=office)
    factory.night_shift_for(evening, name="Kelas Malam")  # in 19:00-22:00, late after 20:00
    evening_h, day_h = bearer(app, evening), bearer(app, day)

    freeze_time("2026-01-30T19:45:00+07:00")
    on_time = _check_in(client, evening_h)
    assert on_time.status_code == 200 and on_time.json["data"]["status"] == "hadir"
    refused = _check_in(client, day_h)
    assert refused.status_code == 400 and refused.json == {"success": False, "message": "Waktu absen masuk sudah berakhir"}

    freeze_time("2026-01-31T20:25:00+07:00")
    late = _check_in(client, evening_h)
    assert late.status_code == 200 and late.json["data"]["status"] == "terlambat"

    freeze_time("2026-02-02T08:20:00+07:00")
    assert _check_in(client, day_h).json["data"]["status"] == "terlambat"
    early = _check_in(client, evening_h)
    assert early.status_code == 400 and early.json["message"] == "Belum waktunya absen masuk"
