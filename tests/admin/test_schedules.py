"""Work schedules (jam kerja): the list, the whole form (windows, working days, lateness, missed
check-out, overtime, roster code and colour), the default, delete, and assignments to a person,
a department or an office — form posts with CSRF, refusals that change nothing."""
from __future__ import annotations

from datetime import date, time

import pytest

from app.extensions import db
from app.schedules.models import ScheduleAssignment, WorkSchedule

from tests.helpers import audit_trail, count, fetch, field_error, text_of

PAGE = "/admin/work-schedules/"
NEW = "/admin/work-schedules/new"


def _form(**changes):
    """Every field of the schedule form as a browser posts it (checkboxes only when ticked)."""
    data = {"name": "Shift Pagi", "code": "p", "color": "#1E88E5", "check_in_start": "06:30", "check_in_end": "08:00",
            "late_after": "07:00", "grace_minutes": "10", "late_policy": "record_late", "late_cutoff": "10:00",
            "check_out_start": "14:00", "check_out_end": "16:00", "work_end": "15:00",
            "early_leave_threshold_minutes": "5", "missed_check_out_policy": "leave_open",
            "reminder_lead_minutes": "20", "working_weekdays": ["1", "2", "3", "4", "5", "6"],
            "overtime_threshold_minutes": "30", "overtime_auto_approve_minutes": "60", "overtime_before_start": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _active(app):
    with app.app_context():
        return [s.name for s in db.session.scalars(db.select(WorkSchedule).filter_by(is_active=True))]


def _schedule(app, name):
    with app.app_context():
        schedule = db.session.scalar(db.select(WorkSchedule).filter_by(name=name))
        if schedule is not None:
            db.session.expunge(schedule)
        return schedule


def test_list_shows_schedules_default_first_with_their_rules(as_admin, factory):
    factory.schedule(name="Jam Kerja Ramadhan", active=False)
    factory.schedule(name="Jam Kerja Normal", active=True)
    body = as_admin.get(PAGE).get_data(as_text=True)
    text = text_of(body)
    assert text.index("Jam Kerja Normal") < text.index("Jam Kerja Ramadhan")
    assert "07.00–09.00" in text and "16.00–18.00" in text and "terlambat setelah 08.00" in text
    assert "Sen–Jum" in text and "Bawaan" in text
    assert 'href="/admin/work-schedules/new"' in body


def test_empty_list_explains_what_to_do(as_admin):
    text = text_of(as_admin.get(PAGE).get_data(as_text=True))
    assert "Belum ada jam kerja" in text


def test_the_form_has_every_rule_with_indonesian_labels(as_admin):
    body = as_admin.get(NEW).get_data(as_text=True)
    text = text_of(body)
    for label in ("Kode singkat", "Warna", "Toleransi keterlambatan (menit)", "Batas akhir absen masuk terlambat",
                  "Jam selesai kerja", "Batas pulang cepat (menit)", "Pengingat (menit sebelum absen pulang ditutup)",
                  "Lembur mulai (menit)", "Disetujui otomatis sampai (menit)", "Hari kerja"):
        assert label in text, label
    for day in ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"):
        assert day in text
    assert body.count('type="checkbox" value=') >= 7 and 'name="working_weekdays"' in body
    assert 'type="radio"' in body and 'value="record_late"' in body and 'value="leave_open"' in body
    assert 'type="color"' in body


def test_create_stores_every_field_and_opens_the_schedule(app, as_admin):
    response = as_admin.submit(NEW, NEW, _form())
    assert response.status_code == 303
    saved = _schedule(app, "Shift Pagi")
    assert response.headers["Location"] == f"/admin/work-schedules/{saved.id}"
    assert (saved.code, saved.color) == ("P", "#1e88e5")
    assert (saved.check_in_start, saved.check_in_end, saved.late_after) == (time(6, 30), time(8), time(7))
    assert (saved.grace_minutes, saved.late_policy, saved.late_cutoff) == (10, "record_late", time(10))
    assert (saved.check_out_start, saved.check_out_end, saved.work_end) == (time(14), time(16), time(15))
    assert (saved.early_leave_threshold_minutes, saved.missed_check_out_policy, saved.reminder_lead_minutes) == \
        (5, "leave_open", 20)
    assert saved.working_weekdays == (1, 2, 3, 4, 5, 6)
    assert (saved.overtime_threshold_minutes, saved.overtime_auto_approve_minutes, saved.overtime_before_start) == \
        (30, 60, True)
    assert saved.is_active  # the first one becomes the default
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Jam kerja “Shift Pagi” telah ditambahkan" in text_of(page)


def test_empty_optional_fields_mean_not_tracked(app, as_admin):
    as_admin.submit(NEW, NEW, _form(grace_minutes="", late_policy="refuse", late_cutoff="", work_end="",
                                    early_leave_threshold_minutes="", overtime_threshold_minutes="",
                                    overtime_auto_approve_minutes="", overtime_before_start=None, code=""))
    saved = _schedule(app, "Shift Pagi")
    assert (saved.grace_minutes, saved.late_cutoff, saved.work_end, saved.code) == (0, None, None, None)
    assert (saved.overtime_threshold_minutes, saved.overtime_before_start) == (None, False)


def test_create_as_default_leaves_exactly_one_active(app, as_admin, factory):
    factory.schedule(name="Lama", active=True)
    as_admin.submit(NEW, NEW, _form(name="Baru", code="B", is_active="y"))
    assert _active(app) == ["Baru"]
    as_admin.submit(NEW, NEW, _form(name="Tambahan", code="T"))
    assert _active(app) == ["Baru"]


def test_form_errors_are_shown_next_to_the_field_and_nothing_is_written(app, as_admin):
    response = as_admin.submit(NEW, NEW, _form(name="", check_in_start="25:99", grace_minutes="300",
                                               check_out_start=""))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, "name") == "Wajib diisi."
    assert field_error(body, "check_in_start") == "Jam tidak valid."
    assert field_error(body, "grace_minutes") == "Isi menit bulat dari 0 sampai 240."
    assert field_error(body, "check_out_start") == "Wajib diisi."
    assert count(app, WorkSchedule) == 0


@pytest.mark.parametrize("changes, field, message", [
    ({"late_cutoff": ""}, "late_cutoff",
     "Mencatat absen masuk terlambat memerlukan batas jam setelah itu absen masuk ditolak."),
    ({"late_cutoff": "07:30"}, "late_cutoff", "Batas akhir harus lebih lambat dari jam tutup absen masuk."),
    ({"check_out_start": "06:30", "check_out_end": ""}, "check_out_start",
     "Absen pulang tidak boleh dibuka bersamaan dengan absen masuk."),
    ({"working_weekdays": []}, "working_weekdays", "Pilih paling sedikit satu hari kerja (1 = Senin ... 7 = Minggu)."),
    ({"code": "P-1"}, "code", "Kode terdiri dari 1 sampai 8 huruf atau angka (mis. P, S, M)."),
])
def test_rules_refused_by_the_service_are_shown_next_to_the_field(app, as_admin, changes, field, message):
    body = as_admin.submit(NEW, NEW, _form(**changes)).get_data(as_text=True)
    if field == "working_weekdays":
        assert message in text_of(body) and 'class="field choice-group choice-group--inline has-error"' in body
    else:
        assert field_error(body, field) == message
    assert count(app, WorkSchedule) == 0


def test_a_taken_code_is_refused(app, as_admin):
    as_admin.submit(NEW, NEW, _form())
    body = as_admin.submit(NEW, NEW, _form(name="Shift Pagi 2")).get_data(as_text=True)
    assert field_error(body, "code") == "Kode ini sudah dipakai jam kerja lain."
    assert count(app, WorkSchedule) == 1


def test_the_schedule_page_edits_every_field(app, as_admin, factory):
    schedule = factory.schedule(name="Normal")
    url = f"/admin/work-schedules/{schedule.id}"
    page = as_admin.get(url).get_data(as_text=True)
    assert 'value="Normal"' in page and 'value="07:00"' in page
    assert '<input checked id="working_weekdays-0" name="working_weekdays" type="checkbox" value="1">' in page
    assert '<input id="working_weekdays-5" name="working_weekdays" type="checkbox" value="6">' in page
    response = as_admin.submit(url, url, _form(name="Normal Baru", working_weekdays=["1", "3", "5"]))
    assert response.status_code == 303 and response.headers["Location"] == url
    saved = fetch(app, WorkSchedule, schedule.id)
    assert (saved.name, saved.working_weekdays, saved.late_policy, saved.is_active) == \
        ("Normal Baru", (1, 3, 5), "record_late", True)
    assert "telah disimpan" in text_of(as_admin.get(url).get_data(as_text=True))
    ((action, _actor, _person, subject_type, subject_id, before, after, _reason),) = audit_trail(app)
    assert (action, subject_type, subject_id) == ("schedule.update", "work_schedule", schedule.id)
    assert (before["name"], after["name"]) == ("Normal", "Normal Baru")
    assert after["working_weekdays"] == [1, 3, 5] and "is_active" not in after  # only what changed


def test_an_error_on_the_schedule_page_keeps_what_was_typed_and_changes_nothing(app, as_admin, factory):
    schedule = factory.schedule(name="Normal")
    url = f"/admin/work-schedules/{schedule.id}"
    body = as_admin.submit(url, url, _form(name="Diubah", check_in_end="06:30")).get_data(as_text=True)
    assert field_error(body, "check_in_end") == "Rentang absen masuk tidak boleh kosong."
    assert 'value="Diubah"' in body and "Tidak ada yang disimpan" in text_of(body)
    saved = fetch(app, WorkSchedule, schedule.id)
    assert (saved.name, saved.check_in_end) == ("Normal", time(9))


def test_make_default_leaves_exactly_one_active(app, as_admin, factory):
    factory.schedule(name="A", active=True)
    b = factory.schedule(name="B", active=False)
    factory.schedule(name="C", active=False)
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{b.id}/activate", htmx=True).get_data(as_text=True)
    assert body.lstrip().startswith('<div id="work-schedules"')
    assert "sekarang menjadi jam kerja yang berlaku" in text_of(body)
    assert _active(app) == ["B"]
    assert [(a, b, c) for a, *_x, b, c, _r in audit_trail(app)] == [
        ("schedule.activate", {"default": "A"}, {"default": "B"})]


def test_delete_an_unused_schedule(app, as_admin, factory):
    factory.schedule(name="A", active=True)
    b = factory.schedule(name="B", active=False)
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{b.id}/delete", htmx=True).get_data(as_text=True)
    assert "telah dihapus" in body
    assert fetch(app, WorkSchedule, b.id) is None


def test_deleting_the_default_or_the_last_schedule_is_refused(app, as_admin, factory):
    a = factory.schedule(name="A", active=True)
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{a.id}/delete", htmx=True).get_data(as_text=True)
    assert "Jam kerja terakhir tidak dapat dihapus" in text_of(body)
    factory.schedule(name="B", active=False)
    response = as_admin.submit(PAGE, f"/admin/work-schedules/{a.id}/delete", htmx=True)
    assert response.status_code == 200 and 'class="flash flash--error"' in response.get_data(as_text=True)
    assert "Jam kerja yang sedang berlaku tidak dapat dihapus" in text_of(response.get_data(as_text=True))
    assert count(app, WorkSchedule) == 2 and _active(app) == ["A"]


def test_deleting_a_schedule_in_use_says_by_what_and_changes_nothing(app, as_admin, factory):
    factory.schedule(name="A", active=True)
    b = factory.schedule(name="B", active=False)
    person = factory.user(name="Andi")
    with app.app_context():
        db.session.add(ScheduleAssignment(schedule_id=b.id, user_id=person.id, starts_on=date(2026, 1, 1)))
        db.session.commit()
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{b.id}/delete", htmx=True).get_data(as_text=True)
    assert "Jam kerja “B” tidak dihapus. Masih dipakai oleh 1 penetapan; hapus dulu yang itu." in text_of(body)
    assert fetch(app, WorkSchedule, b.id) is not None and count(app, ScheduleAssignment) == 1


def test_without_htmx_the_list_actions_redirect_with_a_flash(app, as_admin, factory):
    a = factory.schedule(name="A", active=True)
    factory.schedule(name="B", active=False)
    response = as_admin.submit(PAGE, f"/admin/work-schedules/{a.id}/delete")
    assert response.status_code == 303 and response.headers["Location"] == PAGE
    assert "Jam kerja yang sedang berlaku tidak dapat dihapus" in text_of(as_admin.get(PAGE).get_data(as_text=True))


def test_the_roster_colours_are_a_stylesheet(app, as_admin, factory):
    as_admin.submit(NEW, NEW, _form(color="#fde047"))
    as_admin.submit(NEW, NEW, _form(name="Malam", code="M", color="#1e1b4b"))
    response = as_admin.get("/admin/work-schedules/colors.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    light, dark = _schedule(app, "Shift Pagi"), _schedule(app, "Malam")
    assert f".shift--{light.id} {{ --shift-bg: #fde047; --shift-fg: #111827; }}" in css   # dark text on yellow
    assert f".shift--{dark.id} {{ --shift-bg: #1e1b4b; --shift-fg: #ffffff; }}" in css    # white on navy
    again = as_admin.get("/admin/work-schedules/colors.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    assert 'href="/admin/work-schedules/colors.css"' in as_admin.get(PAGE).get_data(as_text=True)


def test_petugas_may_not_open_the_schedule_pages(as_petugas, factory):
    schedule = factory.schedule()
    for url in (PAGE, NEW, f"/admin/work-schedules/{schedule.id}"):
        assert as_petugas.get(url).status_code == 403


# --- assignments ----------------------------------------------------------------------------------

@pytest.fixture
def setup(app, factory):
    """A default schedule, a morning shift, an office, a department IGD inside KLINIK, and Andi in IGD."""
    from app.departments.models import Department

    normal = factory.schedule(name="Normal", active=True)
    morning = factory.schedule(name="Shift Pagi", active=False)
    office = factory.office()
    with app.app_context():
        clinic = Department(code="KLINIK", name="Klinik Pratama")
        db.session.add(clinic)
        db.session.flush()
        er = Department(code="IGD", name="Instalasi Gawat Darurat", parent_id=clinic.id)
        db.session.add(er)
        db.session.commit()
        er_id, clinic_id = er.id, clinic.id
    andi = factory.user(name="Andi Pratama", npp="10001", email="andi@hadir.test", office=office, department_id=er_id)
    return dict(normal=normal, morning=morning, office=office, er=er_id, clinic=clinic_id, andi=andi)


def _assign(**values):
    data = {"assign-target": "department", "assign-person": "", "assign-department_id": "0", "assign-office_id": "0",
            "assign-starts_on": "2026-12-01", "assign-ends_on": ""}
    data.update({f"assign-{k}": v for k, v in values.items()})
    return data


def test_assign_to_a_department_an_office_and_a_person(app, as_admin, setup):
    url = f"/admin/work-schedules/{setup['morning'].id}"
    action = url + "/assignments"
    body = as_admin.submit(url, action, _assign(department_id=str(setup["clinic"])), htmx=True).get_data(as_text=True)
    assert body.lstrip().startswith('<section id="assignments"')
    assert "“Shift Pagi” sekarang berlaku untuk Unit kerja Klinik Pratama mulai 01-12-2026." in text_of(body)
    as_admin.submit(url, action, _assign(target="office", office_id=str(setup["office"].id), ends_on="2026-12-31"),
                    htmx=True)
    as_admin.submit(url, action, _assign(target="user", person="10001", starts_on="2026-12-10"), htmx=True)
    with app.app_context():
        rows = {(a.user_id, a.department_id, a.office_id, a.starts_on, a.ends_on)
                for a in db.session.scalars(db.select(ScheduleAssignment))}
    assert rows == {(None, setup["clinic"], None, date(2026, 12, 1), None),
                    (None, None, setup["office"].id, date(2026, 12, 1), date(2026, 12, 31)),
                    (setup["andi"].id, None, None, date(2026, 12, 10), None)}
    page = text_of(as_admin.get(url).get_data(as_text=True))
    assert "Andi Pratama" in page and "Klinik Pratama" in page and "Kantor Pusat Jakarta" in page


@pytest.mark.parametrize("values, field, message", [
    ({"department_id": "0"}, "assign-department_id", "Pilih unit kerja."),
    ({"target": "user", "person": "99999"}, "assign-person", "Tidak ada orang dengan email, NPP, atau NISN/NIP/NIK ini."),
    ({"target": "office"}, "assign-office_id", "Pilih kantor."),
    ({"ends_on": "2026-11-30"}, "assign-ends_on", "Tanggal akhir tidak boleh sebelum tanggal mulai."),
    ({"starts_on": ""}, "assign-starts_on", "Wajib diisi."),
])
def test_assignment_refusals_change_nothing(app, as_admin, setup, values, field, message):
    url = f"/admin/work-schedules/{setup['morning'].id}"
    values.setdefault("department_id", str(setup["er"]))
    body = as_admin.submit(url, url + "/assignments", _assign(**values), htmx=True).get_data(as_text=True)
    assert field_error(body, field) == message
    assert count(app, ScheduleAssignment) == 0


def test_change_the_dates_of_an_assignment_and_remove_it(app, as_admin, setup):
    url = f"/admin/work-schedules/{setup['morning'].id}"
    as_admin.submit(url, url + "/assignments", _assign(department_id=str(setup["er"])), htmx=True)
    with app.app_context():
        assignment_id = db.session.scalar(db.select(ScheduleAssignment.id))
    row = as_admin.get(f"/admin/work-schedules/assignments/{assignment_id}/edit", htmx=True).get_data(as_text=True)
    assert f'name="a{assignment_id}-starts_on"' in row and 'value="2026-12-01"' in row
    bad = as_admin.submit(url, f"/admin/work-schedules/assignments/{assignment_id}",
                          {f"a{assignment_id}-starts_on": "2026-12-05", f"a{assignment_id}-ends_on": "2026-12-01"},
                          htmx=True).get_data(as_text=True)
    assert field_error(bad, f"a{assignment_id}-ends_on") == "Tanggal akhir tidak boleh sebelum tanggal mulai."
    assert fetch(app, ScheduleAssignment, assignment_id).starts_on == date(2026, 12, 1)
    as_admin.submit(url, f"/admin/work-schedules/assignments/{assignment_id}",
                    {f"a{assignment_id}-starts_on": "2026-12-05", f"a{assignment_id}-ends_on": "2027-01-31"}, htmx=True)
    saved = fetch(app, ScheduleAssignment, assignment_id)
    assert (saved.starts_on, saved.ends_on) == (date(2026, 12, 5), date(2027, 1, 31))
    body = as_admin.submit(url, f"/admin/work-schedules/assignments/{assignment_id}/delete", htmx=True)
    assert "tidak lagi berlaku untuk Unit kerja Instalasi Gawat Darurat" in text_of(body.get_data(as_text=True))
    assert count(app, ScheduleAssignment) == 0


def test_the_person_page_says_where_their_schedule_comes_from(app, as_admin, setup, freeze_time):
    freeze_time("2026-12-07T09:00+07:00")
    url = f"/admin/work-schedules/{setup['morning'].id}"
    as_admin.submit(url, url + "/assignments", _assign(department_id=str(setup["clinic"])), htmx=True)
    page = as_admin.get(f"/admin/users/{setup['andi'].id}/edit").get_data(as_text=True)
    section = text_of(page[page.index('id="work-schedule"'):])
    assert "Hari ini: SP Shift Pagi" in section            # no code: the chip shows the initials
    assert "(dari unit kerja Klinik Pratama)" in section
    assert "Tidak ada: mengikuti jam kerja unit kerja" in section


def test_give_a_person_their_own_schedule_from_their_page_and_remove_it(app, as_admin, setup, freeze_time):
    freeze_time("2026-12-07T09:00+07:00")
    page_url = f"/admin/users/{setup['andi'].id}/edit"
    response = as_admin.submit(page_url, f"/admin/work-schedules/people/{setup['andi'].id}/assign",
                               {"schedule_id": str(setup["morning"].id), "starts_on": "2026-12-07", "ends_on": ""})
    assert response.status_code == 303 and response.headers["Location"] == page_url + "#work-schedule"
    page = as_admin.get(page_url).get_data(as_text=True)
    assert "Andi Pratama bekerja dengan “Shift Pagi” mulai 07-12-2026." in text_of(page)
    assert "(ditetapkan untuknya)" in text_of(page[page.index('id="work-schedule"'):])
    with app.app_context():
        assignment = db.session.scalar(db.select(ScheduleAssignment))
        assert (assignment.user_id, assignment.schedule_id) == (setup["andi"].id, setup["morning"].id)
    refused = as_admin.submit(page_url, f"/admin/work-schedules/people/{setup['andi'].id}/assign",
                              {"schedule_id": str(setup["morning"].id), "starts_on": "2026-12-07",
                               "ends_on": "2026-12-01"})
    assert refused.status_code == 303
    assert "Tanggal akhir tidak boleh sebelum tanggal mulai." in text_of(as_admin.get(page_url).get_data(as_text=True))
    assert count(app, ScheduleAssignment) == 1
    removed = as_admin.submit(page_url, f"/admin/work-schedules/assignments/{assignment.id}/delete",
                              {"next": page_url + "#work-schedule"})
    assert removed.status_code == 303 and removed.headers["Location"] == page_url + "#work-schedule"
    assert count(app, ScheduleAssignment) == 0


def test_a_foreign_next_is_not_followed(app, as_admin, setup):
    url = f"/admin/work-schedules/{setup['morning'].id}"
    as_admin.submit(url, url + "/assignments", _assign(department_id=str(setup["er"])), htmx=True)
    with app.app_context():
        assignment_id = db.session.scalar(db.select(ScheduleAssignment.id))
    response = as_admin.submit(url, f"/admin/work-schedules/assignments/{assignment_id}/delete",
                               {"next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["Location"] == url
