"""The audit trail's page and the review inbox's "decided" view, through HTTP."""
from __future__ import annotations

import pytest

from app.extensions import db

from tests.helpers import text_of

PAGE = "/admin/audit"
INBOX = "/admin/attendance/review"


@pytest.fixture
def leave(app, factory):
    """Ask for leave through the leave service; returns the request id."""

    def ask(person, leave_type="sakit", start="2026-02-02", end="2026-02-04", reason="Demam tinggi"):
        from app.accounts.models import User
        from app.leave.services import create_leave

        with app.app_context():
            created = create_leave(db.session.get(User, person.id), leave_type, start, end, reason)
            db.session.commit()
            return created.id

    return ask


def _ids(body):
    import re

    return [int(x) for x in re.findall(r'<tr id="audit-(\d+)"', body)]


def test_decisions_show_on_the_audit_page_with_filters(app, as_admin, admin, factory, leave, freeze_time):
    siti, budi = factory.user(name="Siti Aminah", npp="10001"), factory.user(name="Budi Santoso", npp="10002")
    first, second = leave(siti), leave(budi, leave_type="izin", start="2026-02-10", end="2026-02-10")
    freeze_time("2026-02-01T09:00+07:00")
    as_admin.submit(INBOX, f"{INBOX}/leave/{first}/approve", {"comment": "Semoga lekas sembuh"})
    freeze_time("2026-02-03T09:00+07:00")
    as_admin.submit(INBOX, f"{INBOX}/leave/{second}/reject", {"comment": "Tanpa surat"})

    body = as_admin.get(PAGE).get_data(as_text=True)
    text = text_of(body)
    assert "Jejak audit" in text
    assert "Pengajuan cuti/izin disetujui" in text and "Pengajuan cuti/izin ditolak" in text
    assert "Semoga lekas sembuh" in text and "Tanpa surat" in text
    assert "Menunggu → Disetujui" in text and "Admin HRD" in text
    assert len(_ids(body)) == 2
    newest, oldest = _ids(body)
    # filters: the person (name or number), the action (one, or its group), the dates, the actor
    assert _ids(as_admin.get(PAGE + "?q=siti").get_data(as_text=True)) == [oldest]
    assert _ids(as_admin.get(PAGE + "?q=10002").get_data(as_text=True)) == [newest]
    assert _ids(as_admin.get(PAGE + "?action=leave.reject").get_data(as_text=True)) == [newest]
    assert _ids(as_admin.get(PAGE + "?action=leave").get_data(as_text=True)) == [newest, oldest]
    assert _ids(as_admin.get(PAGE + "?action=overtime").get_data(as_text=True)) == []
    assert _ids(as_admin.get(PAGE + "?start=2026-02-02&end=2026-02-28").get_data(as_text=True)) == [newest]
    assert _ids(as_admin.get(PAGE + "?end=2026-02-01").get_data(as_text=True)) == [oldest]
    assert _ids(as_admin.get(PAGE + f"?actor={admin.id}").get_data(as_text=True)) == [newest, oldest]
    assert _ids(as_admin.get(PAGE + f"?person={budi.id}").get_data(as_text=True)) == [newest]
    # a reversed range says so and shows everything
    reversed_range = as_admin.get(PAGE + "?start=2026-02-05&end=2026-02-01").get_data(as_text=True)
    assert "Tanggal akhir" in text_of(reversed_range) and len(_ids(reversed_range)) == 2
    # htmx gets the list alone
    fragment = as_admin.get(PAGE + "?action=leave.approve", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="audit-results"') and _ids(fragment) == [oldest]


def test_audit_page_is_for_admins(as_petugas, as_admin):
    assert as_petugas.get(PAGE).status_code == 403
    assert "Tidak ada catatan" in text_of(as_admin.get(PAGE).get_data(as_text=True))


def test_pagination_of_the_audit_page(app, as_admin, admin):
    from app.audit.services import record

    with app.app_context():
        for n in range(55):
            record(admin, "settings.update", subject_type="setting", before={"value": n}, after={"value": n + 1})
        db.session.commit()
    first = as_admin.get(PAGE).get_data(as_text=True)
    assert len(_ids(first)) == 50 and "Menampilkan 1–50 dari 55" in text_of(first)
    assert len(_ids(as_admin.get(PAGE + "?page=2").get_data(as_text=True))) == 5


def test_decided_view_says_who_decided_when_and_the_note(app, as_petugas, petugas, factory, leave, freeze_time):
    from app.accounts.models import User
    from app.attendance.services import record_attendance

    office = factory.office()
    factory.schedule()
    person = factory.user(name="Andi Pratama", office=office)
    freeze_time("2026-01-30T07:55+07:00")
    with app.app_context():
        event = record_attendance(db.session.get(User, person.id), "check_in", source="mobile_gps",
                                  latitude=-6.2188, longitude=106.8456, accuracy_m=12.0).event
        db.session.commit()
        event_id = event.id
    assert "Belum ada keputusan" in text_of(as_petugas.get(INBOX + "/decided").get_data(as_text=True))
    freeze_time("2026-01-30T10:15+07:00")
    as_petugas.submit(INBOX, f"{INBOX}/{event_id}/reject", {"note": "Bukan di kantor"})
    body = as_petugas.get(INBOX + "/decided").get_data(as_text=True)
    text = text_of(body)
    assert "Absen masuk atau pulang ditolak" in text
    assert "Petugas HR" in text and "Andi Pratama" in text and "Bukan di kantor" in text
    assert "30 Jan 2026, 10.15" in text
    # the inbox links both views
    inbox = as_petugas.get(INBOX).get_data(as_text=True)
    assert f'href="{INBOX}/decided"' in inbox


def _entry_with(body, words):
    """The text of the first entry on the page that contains ``words``."""
    entries = [text_of(body.split(f'<tr id="audit-{i}"')[1].split("</tr>")[0]) for i in _ids(body)]
    return next((e for e in entries if words in e), f"no entry with {words!r}: {entries}")


def test_coded_and_listed_values_show_their_names(app, as_admin, admin):
    """A kiosk's modes, a work schedule's fields, policies and working days, an app version's platform
    and a day corrected as sick leave read in words, not as the codes stored."""
    from app.system.services import save_app_version
    from app.schedules.services import create_schedule

    created = as_admin.submit("/admin/kiosks/new", "/admin/kiosks/new",
                              {"name": "Lobi Timur", "office_id": "", "modes": ["face", "qr", "cards"]})
    assert created.status_code == 200 and "Lobi Timur" in created.get_data(as_text=True)
    with app.app_context():
        create_schedule({"name": "Shift Pagi", "check_in_start": "06:30", "check_out_start": "14:00",
                         "working_weekdays": "1-5", "missed_check_out_policy": "leave_open"}, actor=admin)
        save_app_version(platform="ios", version_code="2.1.0", build_number=20, min_version_code="2.0.0",
                         min_build_number=15, actor=admin)
        db.session.commit()
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert "Mode: Wajah, Kode QR, Kartu siswa" in _entry_with(body, "Kios didaftarkan")
    schedule_text = _entry_with(body, "Shift Pagi")
    assert "Absen masuk dibuka: 06:30" in schedule_text and "check_in_start" not in schedule_text
    assert "Hari kerja: Senin, Selasa, Rabu, Kamis, Jumat" in schedule_text
    assert "Biarkan hari terbuka sampai ada yang mengoreksi" in schedule_text and "leave_open" not in schedule_text
    assert "Platform: iOS" in _entry_with(body, "2.1.0")
    as_admin.submit("/admin/", "/admin/language", {"lang": "en"})
    english = as_admin.get(PAGE).get_data(as_text=True)
    assert "Modes: Face, QR code, Student cards" in _entry_with(english, "Kiosk registered")


def test_a_day_corrected_as_sick_leave_names_the_leave_type(app, as_admin, admin, factory, freeze_time):
    from datetime import date

    from app.attendance.corrections import mark_leave

    freeze_time("2026-02-05T10:00+07:00")
    factory.schedule()
    person = factory.user(name="Andi")
    with app.app_context():
        mark_leave(admin, person.id, date(2026, 2, 4), "sakit", reason="Surat dokter")
        db.session.commit()
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert "Status: Sakit" in _entry_with(body, "Surat dokter")
