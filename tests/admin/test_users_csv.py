"""Users CSV import (preview with per-row errors, all-or-nothing confirm) and CSV export."""
from __future__ import annotations

import csv
import io
import re

import pytest

from app.accounts import csv_import
from app.accounts.models import User
from app.accounts.passwords import verify_password
from app.extensions import db
from app.school.models import ClassEnrollment, SchoolClass
from app.school.services import academic_year_of
from app.common import clock

from tests.helpers import count, csrf_from, text_of


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """Kept import files go to a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path


@pytest.fixture
def en_admin(as_admin):
    """The administrator's browser with the UI in English."""
    response = as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": "/admin/users"})
    assert response.status_code in (302, 303)
    return as_admin


def _school_class(app, name):
    with app.app_context():
        row = SchoolClass(name=name)
        db.session.add(row)
        db.session.commit()
        return row.id


def _upload(session, content: bytes, filename="users.csv", htmx=False):
    token = session.token("/admin/users/import")
    headers = {"HX-Request": "true"} if htmx else {}
    return session.client.post("/admin/users/import", headers=headers,
                               data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                               content_type="multipart/form-data")


def _confirm(session, preview_html: str, token: str | None = None):
    if token is None:
        match = re.search(r'name="token" type="hidden" value="([^"]+)"|type="hidden" name="token" value="([^"]+)"|'
                          r'id="token" name="token" type="hidden" value="([^"]+)"', preview_html)
        assert match, "no confirm form in the preview"
        token = next(g for g in match.groups() if g)
    return session.client.post("/admin/users/import/confirm",
                               data={"csrf_token": csrf_from(preview_html), "token": token})


def _row_errors(body: str) -> dict[int, set[str]]:
    """Line number → columns shown with an error in the preview table."""
    result = {}
    for line, row_html in re.findall(r'<tr class="row-(?:in)?valid" data-line="(\d+)">(.*?)</tr>', body, re.S):
        result[int(line)] = set(re.findall(r'data-error-column="(\w+)"', row_html))
    return result


def _users(app):
    with app.app_context():
        return {u.nisn_nip_nik: (u.name, u.role, u.email, u.phone, u.password_hash)
                for u in db.session.scalars(db.select(User).where(User.nisn_nip_nik.is_not(None)))}


def test_template_has_the_header_and_an_example_row(en_admin):
    response = en_admin.get("/admin/users/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["name", "role", "nisn_nip_nik", "npp", "email", "phone", "office", "department", "position",
                       "class", "active", "password"]
    assert len(rows) == 2 and rows[1][0] and rows[1][1] == "siswa"


def test_import_page_links_the_template_and_shows_a_progress_bar(en_admin):
    body = en_admin.get("/admin/users/import").get_data(as_text=True)
    assert 'href="/admin/users/import/template.csv"' in body
    assert 'hx-encoding="multipart/form-data"' in body and "<progress" in body and "data-upload-progress" in body
    script = 'src="/static/admin/upload-progress.js"'
    assert script in body
    assert "htmx:xhr:progress" in en_admin.get("/static/admin/upload-progress.js").get_data(as_text=True)
    assert 'href="/admin/users/import"' in en_admin.get("/admin/users").get_data(as_text=True)


def test_invalid_file_writes_nothing_and_shows_each_rows_errors(app, en_admin, factory):
    _school_class(app, "X IPA 1")
    factory.user(role="guru", name="Guru Lama", nisn_nip_nik="198001012005", email="lama@sekolah.test")
    before = count(app, User)
    content = (
        "name,role,nisn_nip_nik,email,phone,class,password\n"
        "Siti Rahma,student,0051234567,siti@sekolah.test,0812,X IPA 1,\n"      # 2: valid
        ",student,0051234568,,,,\n"                                          # 3: missing name
        "Budi,kepala,0051234569,,,,\n"                                       # 4: bad role
        "Citra,siswa,0051234570,,,,\n"                                       # 5: duplicate NISN in file
        "Dewi,siswa,0051234570,,,,\n"                                        # 6: duplicate NISN in file
        "Eko,guru,198001012005,,,,\n"                                        # 7: NIP already in the DB
        "Fajar,siswa,0051234571,not-an-email,,,\n"                           # 8: bad email
        "Gita,siswa,0051234572,LAMA@sekolah.test,,,\n"                       # 9: email already in the DB
        "Hadi,siswa,0051234573,,,XII IPS 9,\n"                               # 10: unknown class
        "Indah,siswa,0051234574,dup@sekolah.test,,,pendek\n"                 # 11: short password, dup email
        "Joko,guru,198001012006,Dup@Sekolah.test,,X IPA 1,\n"                # 12: teacher with a class, dup email
        "Kiki,siswa,,,,,\n"                                                  # 13: missing NISN
    ).encode()
    response = _upload(en_admin, content)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _row_errors(body) == {
        2: set(), 3: {"name"}, 4: {"role"}, 5: {"nisn_nip_nik"}, 6: {"nisn_nip_nik"}, 7: {"nisn_nip_nik"},
        8: {"email"}, 9: {"email"}, 10: {"class"}, 11: {"password", "email"}, 12: {"class", "email"},
        13: {"nisn_nip_nik"},
    }
    text = text_of(body)
    assert "1 row valid, 11 with errors" in text
    assert "Appears more than once in the file (lines 5, 6)" in text
    assert "Already used by another user" in text and "No class is named “XII IPS 9”" in text
    assert 'action="/admin/users/import/confirm"' not in body      # no way to confirm an invalid file
    assert count(app, User) == before and count(app, ClassEnrollment) == 0


def test_htmx_upload_returns_the_panel_only(en_admin):
    response = _upload(en_admin, b"name,role,nisn_nip_nik\nSiti,siswa,0051234567\n", htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<div id="import-panel"')


def test_bom_semicolons_and_indonesian_headers_import_users_and_enrolments(app, en_admin):
    class_id = _school_class(app, "X IPA 1")
    before = count(app, User)
    content = ("\ufeffNama;Peran;NISN_NIP_NIK;Kelas;Telepon;Kata_Sandi;Email\r\n"
               "Siti Rahma;Siswa;0051234567;x ipa 1;081234;;\r\n"
               "\"Budi; Santoso\";student;0051234568;X IPA 1;;rahasia-budi-123;budi@sekolah.test\r\n"
               ";;;;;;\r\n"
               "Bu Ani;teacher;198001012005;;;;ani@sekolah.test\r\n").encode("utf-8")
    preview = _upload(en_admin, content)
    body = preview.get_data(as_text=True)
    assert _row_errors(body) == {2: set(), 3: set(), 5: set()}
    assert "3 rows valid, 0 with errors" in text_of(body)
    assert count(app, User) == before                               # the preview writes nothing

    result = _confirm(en_admin, body)
    assert result.status_code == 200
    text = text_of(result.get_data(as_text=True))
    assert "3 users were imported" in text and "2 students were enrolled in a class" in text
    users = _users(app)
    assert {k: v[:4] for k, v in users.items()} == {
        "0051234567": ("Siti Rahma", "siswa", None, "081234"),
        "0051234568": ("Budi; Santoso", "siswa", "budi@sekolah.test", None),
        "198001012005": ("Bu Ani", "guru", "ani@sekolah.test", None),
    }
    assert verify_password(users["0051234568"][4], "rahasia-budi-123")[0]
    generated = re.findall(r'<span class="mono import-password">([^<]+)</span>', result.get_data(as_text=True))
    assert len(generated) == 2                                       # Siti and Bu Ani got one
    assert verify_password(users["0051234567"][4], generated[0])[0]
    assert verify_password(users["198001012005"][4], generated[1])[0]
    assert all(generated[0] not in v[4] for v in users.values())    # only the hash is stored
    with app.app_context():
        enrolments = {(e.student.nisn_nip_nik, e.class_id, e.academic_year)
                      for e in db.session.scalars(db.select(ClassEnrollment))}
    year = academic_year_of(clock.local_today())
    assert enrolments == {("0051234567", class_id, year), ("0051234568", class_id, year)}

    again = _confirm(en_admin, body)                                 # the kept file is gone
    assert "This import has expired or was already done" in text_of(again.get_data(as_text=True))
    assert count(app, User) == before + 3


def test_confirm_checks_again_and_writes_nothing_when_a_row_became_invalid(app, en_admin, factory):
    preview = _upload(en_admin, b"name,role,nisn_nip_nik\nSiti,siswa,0051234567\nBudi,siswa,0051234568\n")
    body = preview.get_data(as_text=True)
    factory.user(role="siswa", name="Sudah Ada", nisn_nip_nik="0051234568")
    before = count(app, User)
    result = _confirm(en_admin, body)
    text = text_of(result.get_data(as_text=True))
    assert result.status_code == 200 and "Nothing was imported" in text
    assert _row_errors(result.get_data(as_text=True)) == {2: set(), 3: {"nisn_nip_nik"}}
    assert count(app, User) == before


def test_confirm_needs_the_uploaders_token(app, en_admin, factory):
    preview = _upload(en_admin, b"name,role,nisn_nip_nik\nSiti,siswa,0051234567\n").get_data(as_text=True)
    forged = _confirm(en_admin, preview, token="A" * 43)
    assert "This import has expired" in text_of(forged.get_data(as_text=True))
    assert count(app, User, User.nisn_nip_nik == "0051234567") == 0


def _step(session, body):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"|id="token" name="token" type="hidden" value="([^"]+)"',
                      body)
    token = next(g for g in token.groups() if g)
    return session.client.post("/admin/users/import/step", headers={"HX-Request": "true"},
                               data={"csrf_token": csrf_from(body), "token": token})


def test_a_large_file_is_hashed_in_steps_and_written_at_the_last_one(app, en_admin, monkeypatch, _uploads):
    monkeypatch.setattr(csv_import, "STEP_ROWS", 2)
    class_id = _school_class(app, "X IPA 1")
    before = count(app, User)
    content = "name,role,nisn_nip_nik,class,password\n" + "".join(
        f"Siswa {i},siswa,00512345{i},X IPA 1,{'rahasia-siswa-1' if i == 1 else ''}\n" for i in range(5))
    preview = _upload(en_admin, content.encode()).get_data(as_text=True)
    body = _confirm(en_admin, preview).get_data(as_text=True)
    progress = []
    for _ in range(5):
        match = re.search(r'data-done="(\d+)" data-total="(\d+)"', body)
        if not match:
            break
        progress.append(int(match.group(1)))
        assert match.group(2) == "5" and 'hx-trigger="load"' in body
        assert count(app, User) == before                       # nothing is written before the last step
        kept = {p.name.split(".", 1)[1] for p in (_uploads / "imports").iterdir()}
        assert kept == {"csv", "hashes.json"}
        assert "rahasia" not in "".join(p.read_text() for p in (_uploads / "imports").glob("*.hashes.json"))
        body = _step(en_admin, body).get_data(as_text=True)
    assert progress == [0, 2, 4]
    assert "5 users were imported" in text_of(body)
    generated = re.findall(r'<span class="mono import-password">([^<]+)</span>', body)
    assert len(generated) == 4 and len(set(generated)) == 4
    users = _users(app)
    assert len(users) == 5
    assert verify_password(users["005123450"][4], generated[0])[0]
    assert verify_password(users["005123451"][4], "rahasia-siswa-1")[0]
    assert verify_password(users["005123454"][4], generated[3])[0]
    assert count(app, ClassEnrollment, ClassEnrollment.class_id == class_id) == 5
    assert list((_uploads / "imports").iterdir()) == []        # the file and its hashes are gone


def test_a_stepped_import_writes_nothing_when_a_row_became_invalid_before_the_last_step(app, en_admin, factory,
                                                                                        monkeypatch):
    monkeypatch.setattr(csv_import, "STEP_ROWS", 2)
    content = "name,role,nisn_nip_nik\n" + "".join(f"Siswa {i},siswa,00512345{i}\n" for i in range(3))
    preview = _upload(en_admin, content.encode()).get_data(as_text=True)
    body = _step(en_admin, _confirm(en_admin, preview).get_data(as_text=True)).get_data(as_text=True)
    factory.user(role="siswa", name="Sudah Ada", nisn_nip_nik="005123452")
    before = count(app, User)
    final = _step(en_admin, body).get_data(as_text=True)
    assert "Nothing was imported" in text_of(final)
    assert _row_errors(final)[4] == {"nisn_nip_nik"}
    assert count(app, User) == before


@pytest.mark.parametrize("content, message", [
    ("nama,kelas\nSiti,X IPA 1\n".encode(), "missing: role"),
    ("name,role,nisn_nip_nik\nJosé,siswa,1\n".encode("latin-1"), "not UTF-8"),
    (b"", "The file is empty"),
    (b"name,role,nisn_nip_nik\n", "no rows"),
])
def test_unreadable_files_are_refused_with_a_message(app, en_admin, content, message):
    body = _upload(en_admin, content).get_data(as_text=True)
    assert message in text_of(body)
    assert count(app, User) == 1


def test_too_many_rows_is_refused(app, en_admin, monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_ROWS", 3)
    content = "name,role,nisn_nip_nik\n" + "".join(f"S{i},siswa,00{i}\n" for i in range(4))
    text = text_of(_upload(en_admin, content.encode()).get_data(as_text=True))
    assert "more than 3 rows" in text


def test_export_escapes_formulas_and_honours_the_filters(app, en_admin, factory):
    class_id = _school_class(app, "X IPA 1")
    student = factory.user(role="siswa", name="=HYPERLINK(\"http://evil\")", nisn_nip_nik="0051234567",
                           phone="+6281234", email="siti@sekolah.test")
    factory.user(role="guru", name="@Guru", nisn_nip_nik="-198001", is_active=False)
    factory.user(role="pegawai", name="Pegawai Kantor")
    with app.app_context():
        db.session.add(ClassEnrollment(class_id=class_id, student_id=student.id,
                                       academic_year=academic_year_of(clock.local_today())))
        db.session.commit()

    response = en_admin.get("/admin/users/export.csv?role=siswa")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["name", "role", "nisn_nip_nik", "npp", "email", "phone", "office", "department", "position",
                       "class", "active"]
    assert rows[1:] == [["'=HYPERLINK(\"http://evil\")", "siswa", "0051234567", "", "siti@sekolah.test",
                         "'+6281234", "", "", "", "X IPA 1", "1"]]

    rows = list(csv.reader(io.StringIO(en_admin.get("/admin/users/export.csv?q=guru")
                                       .get_data().decode("utf-8-sig"))))
    assert rows[1:] == [["'@Guru", "guru", "'-198001", rows[1][3], "", "", "", "", "", "", "0"]]
    everyone = en_admin.get("/admin/users/export.csv").get_data().decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(everyone)))) == 1 + 4     # header + admin and three users
    page = en_admin.get("/admin/users?role=guru").get_data(as_text=True)
    assert 'href="/admin/users/export.csv?role=guru"' in page


def test_safe_cell_follows_owasp():
    assert [csv_import.safe_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "a=b", None, 7)] == \
        ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", "a=b", "", "7"]


def test_petugas_may_not_import_or_export(as_petugas):
    for url in ("/admin/users/import", "/admin/users/import/template.csv", "/admin/users/export.csv"):
        assert as_petugas.get(url).status_code == 403, url
    token = as_petugas.token("/admin/")
    response = as_petugas.client.post("/admin/users/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"name,role,nisn_nip_nik\nA,siswa,1\n"), "u.csv")})
    assert response.status_code == 403
    assert as_petugas.client.post("/admin/users/import/confirm",
                                  data={"csrf_token": token, "token": "x" * 43}).status_code == 403


# --- every role, and the export's file imported back ------------------------------------

def _export_rows(session, query=""):
    body = session.get("/admin/users/export.csv" + query).get_data().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_every_role_imports_with_npp_office_department_and_position(app, en_admin, factory):
    from app.accounts.roles import ROLE_KEYS
    from app.departments.models import Department

    office = factory.office(code="0002", name="Kantor Cabang Bandung")
    with app.app_context():
        db.session.add(Department(code="IGD", name="Instalasi Gawat Darurat"))
        db.session.commit()
    content = ("name,role,nisn_nip_nik,npp,email,office,department,position,active\n" + "".join(
        f"Orang {n},{role},{'77' + str(n) if role in ('siswa', 'guru', 'kepsek', 'mahasiswa') else ''},"
        f"{'' if role in ('siswa', 'mahasiswa') else '55' + str(n)},,{'0002' if n % 2 else 'kantor cabang bandung'},"
        f"{'igd' if role in ('dokter', 'paramedis') else ''},{'Perawat' if role == 'paramedis' else ''},"
        f"{'0' if role == 'non_paramedis' else '1'}\n"
        for n, role in enumerate(ROLE_KEYS))).encode()
    preview = _upload(en_admin, content)
    body = preview.get_data(as_text=True)
    assert set().union(*_row_errors(body).values()) == set(), text_of(body)
    assert _confirm(en_admin, body).status_code == 200
    with app.app_context():
        people = {u.role: u for u in db.session.scalars(db.select(User).where(User.name.like("Orang %")))}
        assert set(people) == set(ROLE_KEYS)
        nurse = people["paramedis"]
        assert (nurse.npp, nurse.office_id, nurse.department.code, nurse.position, nurse.is_active) == \
            (f"55{ROLE_KEYS.index('paramedis')}", office.id, "IGD", "Perawat", True)
        assert people["non_paramedis"].is_active is False and people["pegawai"].nisn_nip_nik is None


def test_import_refuses_unknown_office_department_and_missing_identifiers(app, en_admin, factory):
    factory.user(role="pegawai", name="Lama", npp="10001")
    content = ("name,role,npp,email,office,department,active\n"
               "Andi,pegawai,10001,,,,\n"              # 2: NPP taken
               "Budi,pegawai,,,,,\n"                   # 3: nothing to sign in with
               "Citra,dokter,30001,,9999,,\n"          # 4: unknown office
               "Dewi,paramedis,30002,,,NOPE,\n"        # 5: unknown department
               "Eko,pegawai,30003,,,,maybe\n"          # 6: bad active
               "Fajar,pegawai,30004,,,,\n"             # 7: duplicate NPP in the file
               "Gita,pegawai,30004,,,,\n").encode()    # 8
    body = _upload(en_admin, content).get_data(as_text=True)
    assert _row_errors(body) == {2: {"npp"}, 3: {"npp"}, 4: {"office"}, 5: {"department"}, 6: {"active"},
                                 7: {"npp"}, 8: {"npp"}}


@pytest.mark.parametrize("role", ["siswa", "guru", "pegawai", "kepsek", "admin", "petugas", "dokter", "paramedis",
                                  "non_paramedis", "mahasiswa"])
def test_the_exported_file_imports_back_and_exports_the_same(app, en_admin, factory, role):
    """Round trip per role: export, remove the people (their rows gone: a fresh organisation),
    import the exported file, export again — the same file."""
    from app.departments.models import Department
    from app.school.models import ClassEnrollment

    office = factory.office(code="0002", name="Kantor Cabang Bandung")
    class_id = _school_class(app, "X IPA 1")
    with app.app_context():
        db.session.add(Department(code="KLINIK", name="Klinik"))
        db.session.commit()
        department_id = db.session.scalar(db.select(Department.id))
    school_id = role in ("siswa", "guru", "kepsek", "mahasiswa")
    people = [factory.user(role=role, name="=Rina; \"Wulan\"", npp=None if role in ("siswa", "mahasiswa") else "30001",
                           nisn_nip_nik="0051234567" if school_id else None, email="rina@hadir.test",
                           phone="+62 812-3456", office=office, department_id=department_id, position="Kepala, Unit",
                           is_active=True),
              factory.user(role=role, name="Sari", npp=None if role in ("siswa", "mahasiswa") else "30002",
                           nisn_nip_nik="0051234568" if school_id else None, email=None, is_active=False)]
    if role == "siswa":
        with app.app_context():
            db.session.add(ClassEnrollment(class_id=class_id, student_id=people[0].id,
                                           academic_year=academic_year_of(clock.local_today())))
            db.session.commit()
    query = f"?role={role}"
    before = _export_rows(en_admin, query)
    people_rows = [r for r in before[1:] if r[0] != "Admin HRD"]
    assert len(people_rows) == 2
    assert before[0] == list(csv_import.export_columns())

    with app.app_context():                                     # a fresh organisation: the people are gone
        ids = [p.id for p in people]
        db.session.execute(db.delete(ClassEnrollment).where(ClassEnrollment.student_id.in_(ids)))
        db.session.execute(db.delete(User).where(User.id.in_(ids)))
        db.session.commit()
    exported = io.StringIO()
    csv.writer(exported).writerows([before[0]] + people_rows)
    body = _upload(en_admin, exported.getvalue().encode("utf-8")).get_data(as_text=True)
    assert set().union(*_row_errors(body).values()) == set(), text_of(body)
    assert "2 rows valid" in text_of(body)
    assert _confirm(en_admin, body).status_code == 200
    assert _export_rows(en_admin, query) == before
