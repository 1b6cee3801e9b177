"""Contract 001 check-in judged by the person's own schedule: a night shift assigned to one
person is open while the organisation's default is closed, and the other way round (rcode 83)."""
from __future__ import annotations

from .conftest import AT_OFFICE


def test_each_person_checks_in_by_their_own_shift(client, factory, auth, freeze_time):
    office = factory.office(code="0001", lat=-6.2088, lon=106.8456)
    factory.schedule()                                   # the default: in 07:00-09:00
    nurse, clerk = factory.user(npp="20001", office=office), factory.user(npp="20002", office=office)
    factory.night_shift_for(nurse)
    nurse_h, clerk_h = auth(nurse), auth(clerk)

    freeze_time("2026-01-30T20:10:00+07:00")            # the default is closed
    ok = client.post("/api/absenmasuk", json=AT_OFFICE, headers=nurse_h)
    assert (ok.status_code, ok.json["rcode"], ok.json["data"]["tanggal"]) == (200, "00", "2026-01-30")
    refused = client.post("/api/absenmasuk", json=AT_OFFICE, headers=clerk_h)
    assert refused.json["rcode"] == "83" and refused.json["message"] == "Check-in window has closed"

    freeze_time("2026-01-31T05:00:00+07:00")            # the night shift ends on the next morning
    out = client.post("/api/absenpulang", json=AT_OFFICE, headers=nurse_h)
    assert out.json["rcode"] == "00" and out.json["data"]["tanggal"] == "2026-01-30"

    freeze_time("2026-02-02T08:00:00+07:00")            # Monday morning: the default is open, hers is not
    assert client.post("/api/absenmasuk", json=AT_OFFICE, headers=clerk_h).json["rcode"] == "00"
    early = client.post("/api/absenmasuk", json=AT_OFFICE, headers=nurse_h)
    assert early.json["rcode"] == "83" and early.json["message"] == "Check-in not available yet"
    # the mobile app's jam kerja is still the organisation's default
    assert client.get("/api/jam-absensi/active", headers=nurse_h).json["data"]["nama"] == "Jam Kerja Normal"
