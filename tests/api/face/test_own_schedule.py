"""Contract 003 check-in judged by the person's own schedule: a night shift assigned to the
person is open while the organisation's default is closed, and the other way round (400)."""
from __future__ import annotations

from .conftest import API, FACES, b64, login

OBAMA = FACES / "probe" / "obama-480p.jpg"


def test_the_persons_own_shift_decides(app, client, factory, enrolled_obama, freeze_time):
    factory.schedule()                                   # the default: in 07:00-09:00
    factory.night_shift_for(enrolled_obama)              # his: in 19:00-22:00, every day
    login(client, "obama@example.test")

    freeze_time("2026-01-30T08:00:00+07:00")            # the default is open, his shift is not
    refused = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert (refused.status_code, refused.get_json()) == (400, {"message": "Di luar waktu absensi"})

    freeze_time("2026-01-30T20:05:00+07:00")            # the default is closed, his shift is open
    response = client.post(f"{API}/attendance", json={"image": b64(OBAMA)})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["attendance"]["userId"] == str(enrolled_obama.id)
