"""The settings page: every registry setting, typed inputs, per-field errors, saved all or nothing."""
from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.system import settings as registry
from app.system.models import Setting

from tests.helpers import audit_trail, count, field_error, text_of

PAGE = "/admin/settings"


@pytest.fixture
def en_admin(as_admin):
    """The administrator's browser with the UI in English."""
    as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": PAGE})
    return as_admin


def _form_values(app, **changes):
    """The form as the page shows it (every setting's current text), with ``changes``."""
    with app.app_context():
        data = {}
        for view in registry.list_settings():
            spec = registry.SPECS[view.key]
            if spec.type == "boolean":
                if registry.get_setting(view.key):
                    data[view.key] = "y"
            else:
                data[view.key] = view.value or ""
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _saved(app):
    with app.app_context():
        return {row.key: row.value for row in db.session.scalars(db.select(Setting))}


def _input(body, key):
    match = re.search(rf'<input[^>]*\bname="{key}"[^>]*>', body)
    assert match, key
    return match.group(0)


def test_page_shows_every_setting_grouped_with_typed_inputs(en_admin):
    body = en_admin.get(PAGE).get_data(as_text=True)
    for spec in registry.REGISTRY:
        if spec.key in registry.SCHEDULE_KEYS:   # the work schedules' fields: set on their page
            assert f'data-setting="{spec.key}"' not in body and f'name="{spec.key}"' not in body, spec.key
        else:
            assert f'data-setting="{spec.key}"' in body, spec.key
    text = text_of(body)
    for title in ("School location", "Check-in and check-out times", "QR code", "School"):
        assert title in text
    assert 'href="/admin/work-schedules/"' in body
    radius = _input(body, "attendance_radius")
    assert 'type="number"' in radius and 'min="1"' in radius and 'max="100000"' in radius and 'step="1"' in radius
    assert 'value="100"' in radius
    latitude = _input(body, "school_latitude")
    assert 'type="number"' in latitude and 'min="-90"' in latitude and 'step="any"' in latitude
    assert "metres" in text and "seconds" in text and "minutes" in text
    assert "No coordinates saved yet" in text


def test_saving_valid_values_stores_them_and_links_the_map(app, en_admin):
    response = en_admin.submit(PAGE, PAGE, _form_values(
        app, school_latitude="-6.2", school_longitude="106.816666", attendance_radius="250",
        qr_period_seconds="60", school_name="SMA Negeri 1"))
    assert response.status_code == 303
    saved = _saved(app)
    assert saved["school_latitude"] == "-6.2" and saved["school_longitude"] == "106.816666"
    assert saved["attendance_radius"] == "250"
    assert saved["qr_period_seconds"] == "60" and saved["school_name"] == "SMA Negeri 1"
    assert "face_tolerance" not in saved                  # unchanged defaults are not written
    ((action, actor, person, _type, _id, before, after, _reason),) = audit_trail(app)
    assert (action, person, after["attendance_radius"], after["school_name"]) == (
        "settings.update", None, 250, "SMA Negeri 1")
    assert actor is not None and before["attendance_radius"] == 100 and "face_tolerance" not in after
    page = en_admin.get(PAGE).get_data(as_text=True)
    assert "Settings saved." in text_of(page)
    assert "https://www.openstreetmap.org/?mlat=-6.200000&amp;mlon=106.816666" in page


def test_out_of_range_values_are_refused_and_nothing_is_saved(app, en_admin):
    before = count(app, Setting)
    response = en_admin.submit(PAGE, PAGE, _form_values(
        app, school_latitude="95", attendance_radius="0", qr_period_seconds="abc", face_margin="0.5",
        school_name="SMA Negeri 1", face_min_gap_minutes="20"))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "from -90 to 90" in field_error(body, "school_latitude")
    assert "whole number from 1 to 100000" in field_error(body, "attendance_radius")
    assert "whole number from 10 to 3600" in field_error(body, "qr_period_seconds")
    assert "from 0 to 0.3" in field_error(body, "face_margin")
    assert field_error(body, "school_name") is None and field_error(body, "face_min_gap_minutes") is None
    assert "Nothing was saved" in text_of(body)
    assert 'value="SMA Negeri 1"' in body                   # what was typed stays in the form
    assert count(app, Setting) == before == 0


def test_blanking_a_saved_value_is_refused(app, en_admin):
    en_admin.submit(PAGE, PAGE, _form_values(app, attendance_radius="300"))
    response = en_admin.submit(PAGE, PAGE, _form_values(app, attendance_radius=""))
    assert field_error(response.get_data(as_text=True), "attendance_radius") == "This field is required."
    assert _saved(app)["attendance_radius"] == "300"


def test_unknown_registry_keys_appear_under_other(app, en_admin, monkeypatch):
    extra = registry.SettingSpec("face_match_threshold", "number", "Ambang kecocokan wajah", 0.6, 0, 1)
    monkeypatch.setattr(registry, "REGISTRY", registry.REGISTRY + (extra,))
    monkeypatch.setitem(registry.SPECS, extra.key, extra)
    body = en_admin.get(PAGE).get_data(as_text=True)
    other = body[body.index('id="settings-other"'):]
    assert 'data-setting="face_match_threshold"' in other and "Ambang kecocokan wajah" in text_of(other)
    response = en_admin.submit(PAGE, PAGE, _form_values(app, face_match_threshold="1.5"))
    assert "from 0 to 1" in field_error(response.get_data(as_text=True), "face_match_threshold")
    assert en_admin.submit(PAGE, PAGE, _form_values(app, face_match_threshold="0.75")).status_code == 303
    assert _saved(app)["face_match_threshold"] == "0.75"


def test_petugas_gets_403(as_petugas):
    assert as_petugas.get(PAGE).status_code == 403
    token = as_petugas.token("/admin/")
    assert as_petugas.client.post(PAGE, data={"csrf_token": token, "attendance_radius": "5"}).status_code == 403
