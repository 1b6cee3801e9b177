"""Work schedules (jam kerja): list, create, edit, delete, set active — inline with htmx."""
from __future__ import annotations

from datetime import time

from app.schedules.models import WorkSchedule

from .helpers import count, fetch, field_error, text_of

PAGE = "/admin/work-schedules/"


def _new(name="Shift Pagi", **extra):
    data = {"new-name": name, "new-check_in_start": "07:00", "new-check_in_end": "09:00",
            "new-late_after": "08:00", "new-check_out_start": "16:00", "new-check_out_end": "18:00"}
    data.update(extra)
    return data


def _active(app):
    with app.app_context():
        from app.extensions import db
        return [s.name for s in db.session.scalars(db.select(WorkSchedule).filter_by(is_active=True))]


def test_list_shows_schedules_active_first(as_admin, factory):
    factory.schedule(name="Jam Kerja Ramadhan", active=False)
    factory.schedule(name="Jam Kerja Normal", active=True)
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert "<html" in body
    text = text_of(body)
    assert text.index("Jam Kerja Normal") < text.index("Jam Kerja Ramadhan")
    assert "07:00–09:00" in text and "16:00–18:00" in text


def test_empty_list_explains_what_to_do(as_admin):
    text = text_of(as_admin.get(PAGE).get_data(as_text=True))
    assert "Belum ada jam kerja" in text


def test_create_inline_returns_the_section_fragment(app, as_admin):
    response = as_admin.submit(PAGE, PAGE, _new(), htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="work-schedules"')
    assert "Shift Pagi" in body and "telah ditambahkan" in body
    with app.app_context():
        from app.extensions import db
        schedule = db.session.scalar(db.select(WorkSchedule).filter_by(name="Shift Pagi"))
        assert schedule.check_in_start == time(7, 0) and schedule.check_out_end == time(18, 0)
        assert schedule.is_active  # the first one becomes active


def test_create_as_active_leaves_exactly_one_active(app, as_admin, factory):
    factory.schedule(name="Lama", active=True)
    as_admin.submit(PAGE, PAGE, _new("Baru", **{"new-is_active": "y"}), htmx=True)
    assert _active(app) == ["Baru"]
    as_admin.submit(PAGE, PAGE, _new("Tambahan"), htmx=True)
    assert _active(app) == ["Baru"]


def test_create_errors_are_shown_next_to_the_field(app, as_admin):
    response = as_admin.submit(PAGE, PAGE, _new("", **{"new-check_in_start": "25:99", "new-check_out_start": ""}), htmx=True)
    assert response.status_code == 200  # htmx swaps only 2xx
    body = response.get_data(as_text=True)
    assert field_error(body, "new-name") == "Wajib diisi."
    assert field_error(body, "new-check_in_start") == "Jam tidak valid."
    assert field_error(body, "new-check_out_start") == "Wajib diisi."
    assert count(app, WorkSchedule) == 0


def test_service_rule_errors_are_shown_next_to_the_field(app, as_admin):
    response = as_admin.submit(PAGE, PAGE, _new(**{"new-check_out_start": "07:00", "new-check_out_end": ""}), htmx=True)
    body = response.get_data(as_text=True)
    assert field_error(body, "new-check_out_start") == "Absen pulang tidak boleh dibuka bersamaan dengan absen masuk."
    assert count(app, WorkSchedule) == 0


def test_edit_inline_then_save(app, as_admin, factory):
    schedule = factory.schedule(name="Normal")
    form = as_admin.get(f"/admin/work-schedules/{schedule.id}/edit", htmx=True).get_data(as_text=True)
    assert "<html" not in form
    assert 'id="edit-name"' in form and 'value="Normal"' in form and 'value="07:00"' in form
    data = {"edit-name": "Normal Baru", "edit-check_in_start": "06:30", "edit-check_in_end": "",
            "edit-late_after": "", "edit-check_out_start": "15:30", "edit-check_out_end": "17:30"}
    response = as_admin.submit(PAGE, f"/admin/work-schedules/{schedule.id}", data, htmx=True)
    assert "telah disimpan" in response.get_data(as_text=True)
    saved = fetch(app, WorkSchedule, schedule.id)
    assert (saved.name, saved.check_in_start, saved.check_in_end, saved.late_after) == ("Normal Baru", time(6, 30), None, None)
    assert saved.is_active


def test_edit_with_an_error_keeps_the_row_open_and_changes_nothing(app, as_admin, factory):
    schedule = factory.schedule(name="Normal")
    data = {"edit-name": "Diubah", "edit-check_in_start": "07:00", "edit-check_in_end": "07:00",
            "edit-check_out_start": "16:00"}
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{schedule.id}", data, htmx=True).get_data(as_text=True)
    assert field_error(body, "edit-check_in_end") == "Rentang absen masuk tidak boleh kosong."
    assert 'class="row-editing"' in body
    assert fetch(app, WorkSchedule, schedule.id).name == "Normal"


def test_set_active_leaves_exactly_one_active(app, as_admin, factory):
    factory.schedule(name="A", active=True)
    b = factory.schedule(name="B", active=False)
    factory.schedule(name="C", active=False)
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{b.id}/activate", htmx=True).get_data(as_text=True)
    assert "sekarang menjadi jam kerja yang berlaku" in text_of(body)
    assert _active(app) == ["B"]


def test_delete_an_inactive_schedule(app, as_admin, factory):
    factory.schedule(name="A", active=True)
    b = factory.schedule(name="B", active=False)
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{b.id}/delete", htmx=True).get_data(as_text=True)
    assert "telah dihapus" in body
    assert fetch(app, WorkSchedule, b.id) is None
    assert _active(app) == ["A"]


def test_deleting_the_active_schedule_is_refused_with_a_message(app, as_admin, factory):
    a = factory.schedule(name="A", active=True)
    factory.schedule(name="B", active=False)
    response = as_admin.submit(PAGE, f"/admin/work-schedules/{a.id}/delete", htmx=True)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'class="flash flash--error"' in body
    assert "Jam kerja yang sedang berlaku tidak dapat dihapus" in text_of(body)
    assert fetch(app, WorkSchedule, a.id) is not None
    assert _active(app) == ["A"]


def test_deleting_the_last_schedule_is_refused_with_a_message(app, as_admin, factory):
    a = factory.schedule(name="A", active=False)
    body = as_admin.submit(PAGE, f"/admin/work-schedules/{a.id}/delete", htmx=True).get_data(as_text=True)
    assert "Jam kerja terakhir tidak dapat dihapus" in text_of(body)
    assert count(app, WorkSchedule) == 1


def test_without_htmx_the_same_urls_redirect_with_a_flash(app, as_admin, factory):
    a = factory.schedule(name="A", active=True)
    factory.schedule(name="B", active=False)
    response = as_admin.submit(PAGE, f"/admin/work-schedules/{a.id}/delete")
    assert response.status_code == 303
    assert response.headers["Location"] == PAGE
    assert "Jam kerja yang sedang berlaku tidak dapat dihapus" in text_of(as_admin.get(PAGE).get_data(as_text=True))
    response = as_admin.submit(PAGE, PAGE, _new("Lewat form biasa"))
    assert response.status_code == 303
    assert count(app, WorkSchedule) == 3
