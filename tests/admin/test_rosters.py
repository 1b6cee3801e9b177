"""Rosters: the month grid, one cell changed in place (shift, day off, back to the pattern, swap),
shift patterns and applying them, the CSV export and import — form posts with CSRF, refusals that
change nothing."""
from __future__ import annotations

import io
import re
from datetime import date, time, timedelta

import pytest

from app.accounts.models import User
from app.departments.models import Department
from app.extensions import db
from app.schedules.models import Holiday, RosterEntry, ShiftPattern, ShiftPatternApplication, WorkSchedule

from tests.helpers import audit_trail, AdminSession, count, field_error, text_of

GRID = "/admin/rosters/"
PATTERNS = "/admin/rosters/patterns"
APPLY = "/admin/rosters/apply"
IMPORT = "/admin/rosters/import"
DECEMBER = date(2026, 12, 1)


@pytest.fixture
def org(app, factory, freeze_time):
    """Today is Monday 7 December 2026.  Shifts P, S, M; the default Normal (Mon–Fri); department IGD
    (inside KLINIK) with Ani, Budi, Citra; Dedi in SDM at another office; a student."""
    freeze_time("2026-12-07T09:00+07:00")
    office = factory.office()
    other = factory.office(code="0002", name="Kantor Cabang Bandung")
    with app.app_context():
        def shift(name, code, color, start, end):
            return WorkSchedule(name=name, code=code, color=color, check_in_start=start, check_in_end=None,
                                check_out_start=end, check_out_end=None, late_after=None, is_active=False,
                                working_days_mask=127)

        normal = WorkSchedule(name="Normal", check_in_start=time(7), check_in_end=time(9), check_out_start=time(16),
                              check_out_end=time(18), late_after=time(8), is_active=True)
        morning = shift("Shift Pagi", "P", "#1e88e5", time(6, 30), time(14))
        evening = shift("Shift Siang", "S", "#f59e0b", time(13, 30), time(21))
        night = shift("Shift Malam", "M", "#7c3aed", time(20, 30), time(6, 30))
        clinic = Department(code="KLINIK", name="Klinik")
        hr = Department(code="SDM", name="Umum & SDM")
        db.session.add_all([normal, morning, evening, night, clinic, hr])
        db.session.flush()
        er = Department(code="IGD", name="Instalasi Gawat Darurat", parent_id=clinic.id)
        db.session.add(er)
        db.session.commit()
        ids = dict(normal=normal.id, P=morning.id, S=evening.id, M=night.id, er=er.id, clinic=clinic.id, hr=hr.id)
    people = {
        "Ani": factory.user(name="Ani", npp="20001", office=office, department_id=ids["er"], role="paramedis"),
        "Budi": factory.user(name="Budi", npp="20002", office=office, department_id=ids["er"], role="paramedis"),
        "Citra": factory.user(name="Citra", npp="20003", office=office, department_id=ids["er"], role="dokter"),
        "Dedi": factory.user(name="Dedi", npp="20004", office=other, department_id=ids["hr"]),
        "Siswa": factory.user(name="Siswa", role="siswa", npp=None, nisn_nip_nik="1001", office=office),
    }
    return dict(ids=ids, office=office, other=other, people=people)


def _entries(app, user=None):
    with app.app_context():
        stmt = db.select(RosterEntry.user_id, RosterEntry.work_date, RosterEntry.schedule_id, RosterEntry.pattern_id)
        if user is not None:
            stmt = stmt.where(RosterEntry.user_id == user.id)
        return {(r.user_id, r.work_date): (r.schedule_id, r.pattern_id) for r in db.session.execute(stmt)}


def _cell(body, user, day):
    match = re.search(rf'<td id="cell-{user.id}-{day:%Y%m%d}"[^>]*>.*?</td>', body, re.S)
    assert match, (user.name, day)
    return match.group(0)


def _names(body):
    return re.findall(r'<th class="roster-person" scope="row">\s*<a [^>]*>([^<]+)</a>', body)


def _make_pattern(app, name, codes, ids):
    from app.schedules import rosters

    with app.app_context():
        pattern = rosters.create_pattern(name, [ids[c] if c != "-" else None for c in codes])
        db.session.commit()
        return pattern.id


# --- the grid --------------------------------------------------------------------------------------

def test_the_grid_shows_staff_by_day_with_weekends_holidays_and_today(app, as_admin, org):
    with app.app_context():
        db.session.add(Holiday(on_date=date(2026, 12, 25), name="Hari Raya Natal", category="public"))
        db.session.add(RosterEntry(user_id=org["people"]["Ani"].id, work_date=date(2026, 12, 8),
                                   schedule_id=org["ids"]["M"]))
        db.session.commit()
    body = as_admin.get(GRID + "?month=2026-12").get_data(as_text=True)
    assert _names(body) == ["Admin HRD", "Ani", "Budi", "Citra", "Dedi"]          # no student
    assert body.count('<th scope="col" class="roster-day') == 31
    assert 'class="roster-day is-today"' in body and 'title="Jumat, 25 Desember 2026: Hari Raya Natal"' in body
    ani, dedi = org["people"]["Ani"], org["people"]["Dedi"]
    night = _cell(body, ani, date(2026, 12, 8))
    assert f"roster-cell--shift shift--{org['ids']['M']}" in night and ">M</a>" in night and "is-edited" in night
    assert "roster-cell--default" in _cell(body, ani, date(2026, 12, 9))          # the default, outlined
    assert "roster-cell--rest" in _cell(body, ani, date(2026, 12, 12))            # Saturday: not a working day
    christmas = _cell(body, dedi, date(2026, 12, 25))
    assert "roster-cell--holiday" in christmas and "is-holiday" in christmas and ">L</a>" in christmas
    assert 'href="/admin/rosters/cell/%d/2026-12-08"' % ani.id in night
    assert 'href="/admin/rosters/?month=2026-11"' in body and 'href="/admin/rosters/?month=2027-01"' in body


def test_the_cells_say_what_each_day_is_in_the_chosen_language(app, as_admin, org):
    """Each cell's title: the date, the shift and where it comes from, a day off, changed by hand."""
    ani = org["people"]["Ani"]
    with app.app_context():
        db.session.add(RosterEntry(user_id=ani.id, work_date=date(2026, 12, 8), schedule_id=org["ids"]["M"]))
        db.session.add(RosterEntry(user_id=ani.id, work_date=date(2026, 12, 10), schedule_id=None))
        db.session.commit()

    def titles(body):
        return [" ".join(re.search(r'title="([^"]*)"', _cell(body, ani, date(2026, 12, d))).group(1).split())
                for d in (8, 9, 10, 12)]

    assert titles(as_admin.get(GRID + "?month=2026-12").get_data(as_text=True)) == [
        "8 Des 2026: Shift Malam (dari roster), diubah manual", "9 Des 2026: Normal (bawaan organisasi)",
        "10 Des 2026: libur (roster), diubah manual", "12 Des 2026: libur"]
    as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": GRID})
    assert titles(as_admin.get(GRID + "?month=2026-12").get_data(as_text=True)) == [
        "8 Dec 2026: Shift Malam (from the roster), changed by hand",
        "9 Dec 2026: Normal (the organisation’s default)",
        "10 Dec 2026: day off (roster), changed by hand", "12 Dec 2026: day off"]


def test_the_grid_and_its_export_send_as_many_statements_for_30_people_as_for_3(app, as_admin, org, factory,
                                                                                 flat_statement_counts):
    """No query per person, per day or per cell (the page, its htmx fragment and the CSV)."""
    urls = [(GRID + "?month=2026-12", False), (GRID + "?month=2026-12", True), (GRID + "export.csv?month=2026-12", False)]

    def add(n):
        people = [factory.user(role="paramedis", office=org["office"], department_id=org["ids"]["er"])
                  for _ in range(n)]
        with app.app_context():
            for k, person in enumerate(people):
                db.session.add(RosterEntry(user_id=person.id, work_date=date(2026, 12, 1 + k % 28),
                                           schedule_id=org["ids"]["PSM"[k % 3]]))
            db.session.commit()

    csv_text = flat_statement_counts(as_admin, urls, add)
    assert csv_text.count("\n") >= 35          # the header and every person (5 + 30 + the admin)


def test_the_grid_filters_by_office_department_and_name(as_admin, org):
    ids = org["ids"]
    assert _names(as_admin.get(f"{GRID}?department={ids['clinic']}").get_data(as_text=True)) == ["Ani", "Budi", "Citra"]
    assert _names(as_admin.get(f"{GRID}?office={org['other'].id}").get_data(as_text=True)) == ["Dedi"]
    assert _names(as_admin.get(f"{GRID}?q=cit").get_data(as_text=True)) == ["Citra"]
    fragment = as_admin.get(f"{GRID}?department={ids['hr']}", htmx=True).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div id="roster-grid"') and _names(fragment) == ["Dedi"]


def test_a_bad_month_falls_back_to_this_month(as_admin, org):
    body = as_admin.get(GRID + "?month=2026-13").get_data(as_text=True)
    assert 'value="2026-12"' in body


def test_the_cell_editor_offers_every_shift_a_day_off_back_and_swap(as_admin, org):
    ani = org["people"]["Ani"]
    body = as_admin.get(f"/admin/rosters/cell/{ani.id}/2026-12-09", htmx=True).get_data(as_text=True)
    assert "<html" not in body and "Ani" in body and "Rabu, 09 Desember 2026" in text_of(body)
    for choice in (f"schedule-{org['ids']['P']}", f"schedule-{org['ids']['M']}", "off", "reset"):
        assert f'value="{choice}"' in body
    assert "Sekarang: N Normal 08.00–16.00 (bawaan organisasi)" in text_of(body)
    assert "Kembali ke jam kerja" in text_of(body)
    options = re.findall(r'<option value="(\d+)"', body)
    assert str(org["people"]["Budi"].id) in options and str(org["people"]["Dedi"].id) not in options
    page = as_admin.get(f"/admin/rosters/cell/{ani.id}/2026-12-09")
    assert "<html" in page.get_data(as_text=True)                                  # without JavaScript


def _post_cell(session, user, day, choice, htmx=True):
    url = f"/admin/rosters/cell/{user.id}/{day.isoformat()}"
    return session.submit(GRID, url, {"choice": choice}, htmx=htmx)


def test_change_one_cell_in_place(app, as_admin, org):
    ani, day = org["people"]["Ani"], date(2026, 12, 9)
    response = _post_cell(as_admin, ani, day, f"schedule-{org['ids']['M']}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    cell = _cell(body, ani, day)
    assert 'hx-swap-oob="true"' in cell and ">M</a>" in cell and "is-edited" in cell
    assert '<p id="roster-status"' in body and "Ani, 09-12-2026: Shift Malam." in text_of(body)
    assert '<div id="roster-editor" hx-swap-oob="true"></div>' in body
    assert _entries(app, ani) == {(ani.id, day): (org["ids"]["M"], None)}


def test_a_day_off_and_back_to_the_default(app, as_admin, org):
    ani, day = org["people"]["Ani"], date(2026, 12, 9)
    body = _post_cell(as_admin, ani, day, "off").get_data(as_text=True)
    assert "roster-cell--off" in _cell(body, ani, day) and "Ani, 09-12-2026: libur." in text_of(body)
    assert _entries(app, ani) == {(ani.id, day): (None, None)}
    ((action, _actor, person, _t, _s, before, after, _r),) = audit_trail(app, action="roster.change")
    assert (action, person, before, after) == ("roster.change", ani.id, {"work_date": "2026-12-09", "shift": None},
                                               {"work_date": "2026-12-09", "shift": "-"})
    body = _post_cell(as_admin, ani, day, "reset").get_data(as_text=True)
    assert "roster-cell--default" in _cell(body, ani, day)
    assert _entries(app, ani) == {}


def test_back_to_the_pattern_restores_what_the_pattern_says(app, as_admin, org):
    ids, ani = org["ids"], org["people"]["Ani"]
    pattern_id = _make_pattern(app, "Rotasi", "PPSSMM--", ids)
    as_admin.submit(APPLY, APPLY, {"pattern_id": str(pattern_id), "target": "user", "person": "20001",
                                   "starts_on": "2026-12-01", "ends_on": "2026-12-31", "stagger_by": "0"})
    day = date(2026, 12, 5)                                   # day 4 of the cycle: M
    assert _entries(app, ani)[(ani.id, day)] == (ids["M"], pattern_id)
    _post_cell(as_admin, ani, day, f"schedule-{ids['P']}")
    assert _entries(app, ani)[(ani.id, day)] == (ids["P"], None)
    editor = as_admin.get(f"/admin/rosters/cell/{ani.id}/{day}", htmx=True).get_data(as_text=True)
    assert "Kembali ke pola (M)" in text_of(editor)
    body = _post_cell(as_admin, ani, day, "reset").get_data(as_text=True)
    cell = _cell(body, ani, day)
    assert ">M</a>" in cell and "is-edited" not in cell
    assert _entries(app, ani)[(ani.id, day)] == (ids["M"], pattern_id)


def test_swap_two_peoples_cells_on_a_day(app, as_admin, org):
    ids, ani, budi = org["ids"], org["people"]["Ani"], org["people"]["Budi"]
    day = date(2026, 12, 9)
    with app.app_context():
        db.session.add(RosterEntry(user_id=ani.id, work_date=day, schedule_id=ids["M"]))
        db.session.commit()
    url = f"/admin/rosters/cell/{ani.id}/{day}/swap"
    body = as_admin.submit(GRID, url, {"other_user_id": str(budi.id), "other_day": "2026-12-09"},
                           htmx=True).get_data(as_text=True)
    assert "roster-cell--shift" in _cell(body, ani, day) and ">JK</a>" not in _cell(body, ani, day)
    assert ">M</a>" in _cell(body, budi, day)
    assert "Ditukar: Ani (09-12-2026) dan Budi (09-12-2026)." in text_of(body)
    assert _entries(app) == {(ani.id, day): (ids["normal"], None), (budi.id, day): (ids["M"], None)}


def test_swap_a_day_off_to_another_day_of_the_same_person(app, as_admin, org):
    ids, ani = org["ids"], org["people"]["Ani"]
    url = f"/admin/rosters/cell/{ani.id}/2026-12-12/swap"                     # Saturday, a day off
    as_admin.submit(GRID, url, {"other_user_id": str(ani.id), "other_day": "2026-12-09"}, htmx=True)
    assert _entries(app, ani) == {(ani.id, date(2026, 12, 12)): (ids["normal"], None),
                                  (ani.id, date(2026, 12, 9)): (None, None)}


@pytest.mark.parametrize("other, other_day, message", [
    ("9999", "2026-12-09", "Pengguna tidak ditemukan"),
    ("STUDENT", "2026-12-09", "Pengguna tidak ditemukan"),
    ("SELF", "2026-12-09", "Pilih dua sel jadwal dinas yang berbeda."),
    ("BUDI", "", "Wajib diisi."),
])
def test_swap_refusals_change_nothing(app, as_admin, org, other, other_day, message):
    ani = org["people"]["Ani"]
    ids = {"STUDENT": org["people"]["Siswa"].id, "SELF": ani.id, "BUDI": org["people"]["Budi"].id}
    data = {"other_user_id": str(ids.get(other, other)), "other_day": other_day}
    response = as_admin.submit(GRID, f"/admin/rosters/cell/{ani.id}/2026-12-09/swap", data, htmx=True)
    assert response.status_code == 200 and response.headers["HX-Retarget"] == "#roster-editor"
    assert message in text_of(response.get_data(as_text=True))
    assert _entries(app) == {}


def test_cell_refusals_change_nothing(app, as_admin, org, petugas):
    ani = org["people"]["Ani"]
    unknown = _post_cell(as_admin, ani, date(2026, 12, 9), "schedule-9999")
    assert unknown.status_code == 200 and unknown.headers["HX-Retarget"] == "#roster-editor"
    assert "Jam kerja tidak ditemukan" in text_of(unknown.get_data(as_text=True))
    assert _post_cell(as_admin, ani, date(2026, 12, 9), "nonsense").status_code == 400
    assert as_admin.client.post(f"/admin/rosters/cell/{ani.id}/2026-12-09", data={"choice": "off"}).status_code == 400
    assert _post_cell(as_admin, ani, date(2026, 12, 9), "off").status_code == 200 and len(_entries(app)) == 1
    assert as_admin.get(f"/admin/rosters/cell/{ani.id}/2026-02-30").status_code == 404
    assert as_admin.get(f"/admin/rosters/cell/9999/2026-12-09").status_code == 404
    student = org["people"]["Siswa"]
    before = _entries(app)
    session = AdminSession(app.test_client())
    session.login("petugas@hadir.test")
    token = session.token("/admin/")
    assert session.client.post(f"/admin/rosters/cell/{ani.id}/2026-12-10",
                               data={"csrf_token": token, "choice": "off"}).status_code == 403
    assert _entries(app) == before and student.id not in {u for u, _d in before}


def test_without_javascript_a_change_goes_back_to_the_grid(app, as_admin, org):
    ani = org["people"]["Ani"]
    url = f"/admin/rosters/cell/{ani.id}/2026-12-09"
    response = as_admin.submit(url, url, {"choice": "off", "back": "/admin/rosters/?month=2026-12&department=1"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/rosters/?month=2026-12&department=1"
    foreign = as_admin.submit(url, url, {"choice": "reset", "back": "//evil.example/"})
    assert foreign.headers["Location"] == "/admin/rosters/"


# --- shift patterns -------------------------------------------------------------------------------------

def test_create_edit_and_delete_a_pattern(app, as_admin, org):
    response = as_admin.submit(PATTERNS, PATTERNS, {"name": "Rotasi IGD", "steps": "p, P, s, S, M, M, L, -"})
    assert response.status_code == 303
    with app.app_context():
        pattern = db.session.scalar(db.select(ShiftPattern))
        assert [s.schedule_id for s in pattern.steps] == [org["ids"][c] for c in "PPSSMM"] + [None, None]
        pattern_id = pattern.id
    assert response.headers["Location"] == f"/admin/rosters/apply?pattern={pattern_id}"
    listing = as_admin.get(PATTERNS).get_data(as_text=True)
    assert "Rotasi IGD" in listing and listing.count('class="roster-cell roster-cell--off"') >= 2
    url = f"/admin/rosters/patterns/{pattern_id}/edit"
    assert 'value="P, P, S, S, M, M, L, L"' in as_admin.get(url).get_data(as_text=True)
    as_admin.submit(url, url, {"name": "Rotasi IGD 2", "steps": "M M L"})
    with app.app_context():
        pattern = db.session.get(ShiftPattern, pattern_id)
        assert pattern.name == "Rotasi IGD 2" and [s.schedule_id for s in pattern.steps] == [org["ids"]["M"]] * 2 + [None]
    as_admin.submit(PATTERNS, f"/admin/rosters/patterns/{pattern_id}/delete")
    assert count(app, ShiftPattern) == 0


@pytest.mark.parametrize("data, field, message", [
    ({"name": "X", "steps": "P, Q, Z"}, "steps",
     "Kode shift tidak dikenal: Q, Z. Pakai kode jam kerja, atau L untuk libur."),
    ({"name": "X", "steps": "L, L"}, "steps", "Pola shift memerlukan paling sedikit satu hari kerja."),
    ({"name": "", "steps": "P"}, "name", "Wajib diisi."),
    ({"name": "Ada", "steps": "P"}, "name", "Nama ini sudah dipakai pola shift lain."),
    ({"name": "Panjang", "steps": ", ".join(["P"] * 63)}, "steps", "Pola shift terdiri dari 1 sampai 62 hari."),
])
def test_pattern_refusals_change_nothing(app, as_admin, org, data, field, message):
    _make_pattern(app, "Ada", "P", org["ids"])
    body = as_admin.submit(PATTERNS, PATTERNS, data).get_data(as_text=True)
    assert field_error(body, field) == message
    assert count(app, ShiftPattern) == 1


def test_apply_a_pattern_to_a_department_with_a_stagger(app, as_admin, org):
    ids, people = org["ids"], org["people"]
    pattern_id = _make_pattern(app, "Rotasi", "PPSSMM--", ids)
    response = as_admin.submit(APPLY, APPLY, {"pattern_id": str(pattern_id), "target": "department",
                                              "department_id": str(ids["er"]), "starts_on": "2026-12-01",
                                              "ends_on": "2026-12-31", "anchor_on": "", "stagger_by": "2"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/admin/rosters/?month=2026-12&department={ids['er']}"
    grid = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pola shift “Rotasi” diterapkan: 3 orang, 93 hari roster." in text_of(grid)
    entries = _entries(app)
    cycle = [ids[c] if c != "-" else None for c in "PPSSMM--"]
    for k, name in enumerate(("Ani", "Budi", "Citra")):
        for offset in range(31):
            day = DECEMBER + timedelta(days=offset)
            assert entries[(people[name].id, day)] == (cycle[(offset + 2 * k) % 8], pattern_id)
    assert count(app, ShiftPatternApplication) == 3
    assert (people["Dedi"].id, DECEMBER) not in entries


@pytest.mark.parametrize("data, field, message", [
    ({"department_id": "0"}, "department_id", "Pilih unit kerja."),
    ({"target": "user", "person": "nobody@hadir.test"}, "person",
     "Tidak ada orang dengan email, NPP, atau NISN/NIP/NIK ini."),
    ({"ends_on": "2027-12-31"}, "ends_on", "Pola shift diterapkan paling banyak 366 hari sekaligus."),
    ({"ends_on": "2026-11-30"}, "ends_on", "Tanggal akhir tidak boleh sebelum tanggal mulai."),
    ({"stagger_by": "99"}, "stagger_by", "Dari 0 sampai 62."),
])
def test_apply_refusals_write_nothing(app, as_admin, org, data, field, message):
    pattern_id = _make_pattern(app, "Rotasi", "PM-", org["ids"])
    values = {"pattern_id": str(pattern_id), "target": "department", "department_id": str(org["ids"]["er"]),
              "starts_on": "2026-12-01", "ends_on": "2026-12-31", "stagger_by": "0", **data}
    body = as_admin.submit(APPLY, APPLY, values).get_data(as_text=True)
    assert field_error(body, field) == message
    assert _entries(app) == {} and count(app, ShiftPatternApplication) == 0


# --- CSV export and import ----------------------------------------------------------------------------------

def test_export_a_month_as_csv(app, as_admin, org):
    ids, ani = org["ids"], org["people"]["Ani"]
    with app.app_context():
        db.session.add_all([RosterEntry(user_id=ani.id, work_date=date(2026, 12, 1), schedule_id=ids["P"]),
                            RosterEntry(user_id=ani.id, work_date=date(2026, 12, 2), schedule_id=None)])
        db.session.commit()
    response = as_admin.get(f"/admin/rosters/export.csv?month=2026-12&department={ids['er']}")
    assert response.mimetype == "text/csv"
    assert 'filename="hadir-roster-2026-12.csv"' in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    assert header[:3] == ["identifier", "name", "department"] and header[3] == "2026-12-01" and len(header) == 34
    assert lines[1].split(",")[:6] == ["20001", "Ani", "IGD", "P", "L", ""]
    assert [line.split(",")[1] for line in lines[1:]] == ["Ani", "Budi", "Citra"]


def _upload(session, text, name="roster.csv"):
    return session.client.post(IMPORT, data={"csrf_token": session.token(IMPORT),
                                             "file": (io.BytesIO(text.encode("utf-8")), name)},
                               content_type="multipart/form-data")


def test_import_preview_marks_each_bad_cell_and_person_and_writes_nothing(app, as_admin, org):
    text = ("identifier;nama;2026-12-01;2026-12-02;2026-12-03\n"
            "20001;Ani;P;X;L\n"
            "99999;Siapa;P;P;P\n"
            "1001;Siswa;P;;\n"
            "20001;Ani lagi;M;M;M\n")
    body = _upload(as_admin, text).get_data(as_text=True)
    assert re.search(r'data-row-count>\s*4', body) and re.search(r'data-error-count>\s*4', body)
    assert 'data-error-column="2026-12-02"' in body and "Kode “X” tidak dikenal." in text_of(body)
    text_body = text_of(body)
    assert "Tidak ada orang dengan email, NPP, atau NISN/NIP/NIK ini." in text_body
    assert "Siswa tidak aktif atau siswa: tidak masuk roster." in text_body
    assert "Ani sudah ada di baris 2." in text_body
    assert "import/confirm" not in body
    assert _entries(app) == {}


@pytest.mark.parametrize("text, message", [
    ("nama;2026-12-01\nAni;P\n", "Baris pertama harus memuat kolom orang"),
    ("identifier;senin\n20001;P\n", "Tidak ada kolom tanggal"),
    ("identifier;2026-12-31;2027-01-01\n20001;P;P\n", "lebih dari satu bulan"),
    ("identifier;2026-12-01\n", "Berkas hanya berisi baris judul, tanpa data."),
])
def test_import_refuses_a_file_it_cannot_read(app, as_admin, org, text, message):
    body = _upload(as_admin, text).get_data(as_text=True)
    assert message.lower() in text_of(body).lower()
    assert _entries(app) == {}


def test_import_a_valid_month_in_one_go(app, as_admin, org):
    ids, ani, budi = org["ids"], org["people"]["Ani"], org["people"]["Budi"]
    with app.app_context():
        db.session.add(RosterEntry(user_id=budi.id, work_date=date(2026, 12, 3), schedule_id=ids["M"]))
        db.session.commit()
    text = ("identifier,name,01/12/2026,02/12/2026,03/12/2026\n"
            "20001,Ani,p,Shift Siang,libur\n"
            "20002,Budi,-,M,\n")
    body = _upload(as_admin, text).get_data(as_text=True)
    assert re.search(r'data-error-count>\s*0', body)
    assert "Impor roster 2 orang" in text_of(body)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    other = AdminSession(app.test_client())
    other.login("admin@hadir.test")
    stolen = other.client.post(IMPORT + "/confirm", data={"csrf_token": other.token(IMPORT), "token": token})
    assert stolen.status_code == 409 and _entries(app) == {(budi.id, date(2026, 12, 3)): (ids["M"], None)}
    response = as_admin.client.post(IMPORT + "/confirm", data={"csrf_token": as_admin.token(IMPORT), "token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/admin/rosters/?month=2026-12"
    assert _entries(app) == {(ani.id, date(2026, 12, 1)): (ids["P"], None), (ani.id, date(2026, 12, 2)): (ids["S"], None),
                             (ani.id, date(2026, 12, 3)): (None, None), (budi.id, date(2026, 12, 1)): (None, None),
                             (budi.id, date(2026, 12, 2)): (ids["M"], None)}   # Budi's empty 3rd: back to default
    assert "Roster Desember 2026 diimpor untuk 2 orang." in text_of(as_admin.get(response.headers["Location"]).get_data(
        as_text=True))
    again = as_admin.client.post(IMPORT + "/confirm", data={"csrf_token": as_admin.token(IMPORT), "token": token})
    assert again.status_code == 409


def test_an_exported_month_imports_back_unchanged(app, as_admin, org):
    ids = org["ids"]
    pattern_id = _make_pattern(app, "Rotasi", "PPSSMM--", ids)
    as_admin.submit(APPLY, APPLY, {"pattern_id": str(pattern_id), "target": "department",
                                   "department_id": str(ids["er"]), "starts_on": "2026-12-01",
                                   "ends_on": "2026-12-31", "stagger_by": "3"})
    _post_cell(as_admin, org["people"]["Ani"], date(2026, 12, 9), "off")
    before = {key: value[0] for key, value in _entries(app).items()}
    exported = as_admin.get(f"/admin/rosters/export.csv?month=2026-12&department={ids['er']}").get_data(as_text=True)
    body = _upload(as_admin, exported).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    as_admin.client.post(IMPORT + "/confirm", data={"csrf_token": as_admin.token(IMPORT), "token": token})
    assert {key: value[0] for key, value in _entries(app).items()} == before
