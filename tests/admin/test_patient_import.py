"""Patients CSV import of the admin web app: preview of every row with its errors, all-or-nothing
confirm, the template, the roles (admin and petugas)."""
from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from app.clinic.models import Patient
from app.clinic.services import create_patient
from app.extensions import db

from tests.helpers import HTMX, count, csrf_from, text_of

IMPORT = "/admin/clinic/patients/import"
CONFIRM = "/admin/clinic/patients/import/confirm"
TEMPLATE = "/admin/clinic/patients/import/template.csv"
PATIENTS = "/admin/clinic/patients"
HEADER = "nama,no_rm,tanggal_lahir,jenis_kelamin,alamat,no_telepon,email\n"


@pytest.fixture(autouse=True)
def _uploads(app, tmp_path, monkeypatch):
    """Kept import files go to a temporary folder."""
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(tmp_path))
    return tmp_path


@pytest.fixture
def en_admin(as_admin):
    """The administrator's browser with the UI in English."""
    response = as_admin.submit("/admin/", "/admin/language", {"lang": "en", "next": PATIENTS})
    assert response.status_code in (302, 303)
    return as_admin


def _upload(session, content: bytes | str, filename="pasien.csv", htmx=False):
    if isinstance(content, str):
        content = content.encode("utf-8")
    token = session.token(IMPORT)
    return session.client.post(IMPORT, headers=HTMX if htmx else {},
                               data={"csrf_token": token, "file": (io.BytesIO(content), filename)},
                               content_type="multipart/form-data")


def _confirm_token(preview_html: str) -> str | None:
    form = re.search(r'<form[^>]*data-import-confirm[^>]*>(.*?)</form>', preview_html, re.S)
    if not form:
        return None
    match = re.search(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"', form.group(1))
    return next(g for g in match.groups() if g) if match else None


def _confirm(session, preview_html: str, token: str | None = None):
    return session.client.post(CONFIRM, data={"csrf_token": csrf_from(preview_html),
                                              "token": token or _confirm_token(preview_html)})


def _row_errors(body: str) -> dict[int, dict[str, str]]:
    """Line number → {field: error text} shown in the preview table (``{}`` for a valid row)."""
    result = {}
    for line, row_html in re.findall(r'<tr class="row-(?:in)?valid" data-line="(\d+)">(.*?)</tr>', body, re.S):
        cells = re.findall(r'<td class="cell-error[^"]*" data-error-column="(\w+)">(.*?)</td>', row_html, re.S)
        result[int(line)] = {name: " ".join(text_of(m) for m in
                                            re.findall(r'<div class="field-error">(.*?)</div>', cell, re.S))
                             for name, cell in cells}
    return result


def _counts(body: str) -> tuple[int, int, int]:
    found = [int(re.search(rf'data-{name}-count>(\d+)<', body).group(1)) for name in ("row", "valid", "error")]
    return tuple(found)


def _patients(app) -> dict[str, tuple]:
    with app.app_context():
        return {p.name: (p.record_number, p.birth_date, p.sex, p.address, p.phone, p.email)
                for p in db.session.scalars(db.select(Patient))}


def _file_error(body: str) -> str:
    match = re.search(r'<p class="field-error" id="file-error">(.*?)</p>', body, re.S)
    assert match, "no error next to the file field"
    return text_of(match.group(1))


VALID = (HEADER
         + "Siti Aminah,RM-001,1990-05-15,P,\"Jl. Melati 3, Bogor\",0812000111,SITI@Example.ID\n"
         + "Budi Santoso,RM-002,1985-01-02,l,,,\n"
         + "\n"
         + "Tanpa Nomor,,,,,,\n")


def test_valid_file_is_previewed_then_imported_in_one_go(app, en_admin):
    response = _upload(en_admin, VALID)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _row_errors(body) == {2: {}, 3: {}, 5: {}}  # the blank line 4 is skipped
    assert _counts(body) == (3, 3, 0)
    page = text_of(body)
    assert "Siti Aminah" in page and "Jl. Melati 3, Bogor" in page and "Female" in page and "Male" in page
    assert "Import 3 patients" in page
    assert count(app, Patient) == 0  # nothing written by the preview

    response = _confirm(en_admin, body)
    assert response.status_code == 303 and response.headers["Location"].endswith(PATIENTS)
    assert _patients(app) == {
        "Siti Aminah": ("RM-001", date(1990, 5, 15), "female", "Jl. Melati 3, Bogor", "0812000111", "siti@example.id"),
        "Budi Santoso": ("RM-002", date(1985, 1, 2), "male", None, None, None),
        "Tanpa Nomor": (None, None, None, None, None, None),
    }
    listing = text_of(en_admin.get(PATIENTS).get_data(as_text=True))
    assert "3 patients imported." in listing and "Siti Aminah" in listing

    again = _confirm(en_admin, body)  # the kept file is gone: the same confirm cannot import twice
    assert again.status_code == 409
    assert "This import has expired or was already done" in text_of(again.get_data(as_text=True))
    assert count(app, Patient) == 3


def test_the_preview_over_htmx_is_the_panel_only(en_admin):
    response = _upload(en_admin, VALID, htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="import-panel"')
    assert _confirm_token(body)


def test_english_headers_are_read_and_unknown_columns_reported(app, en_admin):
    content = ("name;record_number;birth_date;sex;notes\n"
               "Dewi Lestari;RM-9;2001-12-31;female;catatan\n")
    body = _upload(en_admin, content).get_data(as_text=True)
    assert _row_errors(body) == {2: {}}
    assert "Columns ignored: notes" in text_of(body)
    assert _confirm(en_admin, body).status_code == 303
    assert _patients(app) == {"Dewi Lestari": ("RM-9", date(2001, 12, 31), "female", None, None, None)}


def test_bad_rows_are_named_in_the_preview_and_nothing_can_be_imported(app, en_admin):
    with app.app_context():
        create_patient("Sudah Ada", record_number="RM-100")
        db.session.commit()
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    content = (HEADER
               + ",RM-200,1990-01-01,L,,,\n"              # 2 missing nama
               + "Ani,RM-201,15-05-1990,P,,,\n"           # 3 date not YYYY-MM-DD
               + "Bayu,RM-202,1990-02-30,X,,,\n"          # 4 impossible date, unknown sex
               + "Citra,RM-203,,,,,bukan-email\n"         # 5 bad email
               + "Dodi,RM-300,,,,,\n"                     # 6 RM-300 twice in the file
               + "Eka,RM-300,,,,,\n"                      # 7
               + "Fajar,RM-100,,,,,\n"                    # 8 RM-100 already registered
               + f"Gita,RM-204,{tomorrow},P,,,\n"          # 9 born in the future
               + "Hadi,RM-205,1970-07-07,L,,,\n")         # 10 valid
    response = _upload(en_admin, content)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _row_errors(body) == {
        2: {"name": "The name field is required."},
        3: {"birth_date": "The birth date does not match the format Y-m-d."},
        4: {"birth_date": "The birth date is not a valid date.", "sex": "The selected sex is invalid."},
        5: {"email": "The email must be a valid email address."},
        6: {"record_number": "The record number appears more than once in the batch."},
        7: {"record_number": "The record number appears more than once in the batch."},
        8: {"record_number": "The record number has already been taken."},
        9: {"birth_date": "The birth date must be a date before or equal to today."},
        10: {},
    }
    assert _counts(body) == (9, 1, 8)
    assert _confirm_token(body) is None  # no confirm button, no kept file
    assert "Nothing is saved while any row has an error" in text_of(body)
    assert 'id="file"' in body  # the upload form for the corrected file
    # a forged confirm (no file kept for this session) writes nothing
    assert _confirm(en_admin, body, token="x" * 43).status_code == 409
    assert _patients(app).keys() == {"Sudah Ada"}


def test_errors_are_shown_in_the_users_language(app, as_admin):
    """The bulk module's English messages are translated (Indonesian is the default UI)."""
    from flask_babel import force_locale, gettext

    content = HEADER + ",RM-1,,,,,\nA,RM-2,,,,,\nB,RM-2,,,,,\n"
    body = _upload(as_admin, content).get_data(as_text=True)
    with app.test_request_context(), force_locale("id"):
        required = gettext("The name field is required.")
        twice = gettext("The record number appears more than once in the batch.")
    assert required != "The name field is required."  # a message the catalog already has
    errors = _row_errors(body)
    assert errors[2] == {"name": required}
    assert errors[3] == errors[4] == {"record_number": twice}


def test_a_number_taken_between_preview_and_confirm_writes_nothing(app, en_admin):
    body = _upload(en_admin, VALID).get_data(as_text=True)
    assert _confirm_token(body)
    with app.app_context():
        create_patient("Orang Lain", record_number="RM-002")
        db.session.commit()
    response = _confirm(en_admin, body)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in text_of(page)
    assert _row_errors(page)[3] == {"record_number": "The record number has already been taken."}
    assert _patients(app).keys() == {"Orang Lain"}


def test_bom_and_semicolons_as_excel_writes_them(app, en_admin):
    content = ("\ufeffnama;no_rm;tanggal_lahir;jenis_kelamin;alamat\r\n"
               "Wayan Sudarma;RM-77;1979-03-04;L;Jl. Raya Ubud; Gianyar\r\n"
               "\"Ni Luh; Putu\";RM-78;;P;\r\n").encode("utf-8")
    body = _upload(en_admin, content).get_data(as_text=True)
    assert _row_errors(body) == {2: {}, 3: {}}
    assert _confirm(en_admin, body).status_code == 303
    patients = _patients(app)
    assert patients["Wayan Sudarma"] == ("RM-77", date(1979, 3, 4), "male", "Jl. Raya Ubud", None, None)
    assert patients["Ni Luh; Putu"][:3] == ("RM-78", None, "female")


def test_formula_looking_cells_are_stored_as_text(app, en_admin):
    content = HEADER + '"=HYPERLINK(""http://x"",""klik"")",RM-5,,,@SUM(A1),+628123,\n'
    body = _upload(en_admin, content).get_data(as_text=True)
    assert _row_errors(body) == {2: {}}
    assert "=HYPERLINK(&#34;http://x&#34;,&#34;klik&#34;)" in body or '=HYPERLINK("http://x"' in text_of(body)
    assert _confirm(en_admin, body).status_code == 303
    assert _patients(app) == {'=HYPERLINK("http://x","klik")': ("RM-5", None, None, "@SUM(A1)", "+628123", None)}


@pytest.mark.parametrize("content, filename, message", [
    (b"", "pasien.csv", "The file is empty."),
    (b"   \n\n", "pasien.csv", "The file is empty."),
    (b"PK\x03\x04\x00\x00binary", "pasien.csv", "The file is not a CSV text file."),
    (b"nama,no_rm\nA,1\n", "pasien.xlsx", "The file is not a CSV text file."),
    ("nama,no_rm\nJos\xe9,1\n".encode("latin-1"), "pasien.csv", "The file is not UTF-8 text."),
    (HEADER.encode(), "pasien.csv", "The file has a header but no rows."),
    (b"foo,bar\n1,2\n", "pasien.csv", "No column of the file is known."),
    (b'nama,no_rm\n"' + b"x" * 140_000 + b'",1\n', "pasien.csv", "The file could not be read as CSV near line"),
])
def test_files_that_cannot_be_read_get_a_clear_error(app, en_admin, content, filename, message):
    response = _upload(en_admin, content, filename)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert message in _file_error(body)
    assert 'data-line="' not in body and _confirm_token(body) is None
    assert count(app, Patient) == 0


def test_too_many_rows_or_bytes_are_refused(en_admin):
    many = HEADER + "".join(f"Pasien {i},RM-{i},,,,,\n" for i in range(1001))
    assert "more than 1000 rows" in _file_error(_upload(en_admin, many).get_data(as_text=True))
    big = HEADER + ("Pasien,," + "x" * 990 + ",,,,\n") * 1030
    assert "larger than 1000 KiB" in _file_error(_upload(en_admin, big).get_data(as_text=True))


def test_upload_without_file_or_csrf(app, en_admin):
    token = en_admin.token(IMPORT)
    response = en_admin.client.post(IMPORT, data={"csrf_token": token}, content_type="multipart/form-data")
    assert "Choose a CSV file." in _file_error(response.get_data(as_text=True))
    response = en_admin.client.post(IMPORT, data={"file": (io.BytesIO(VALID.encode()), "p.csv")},
                                    content_type="multipart/form-data")
    assert response.status_code in (400, 200)
    assert 'data-line="' not in response.get_data(as_text=True)
    assert en_admin.client.post(CONFIRM, data={"token": "x" * 43}).status_code in (400, 409)
    assert count(app, Patient) == 0


def test_template_download_has_the_columns_and_an_example(en_admin, app):
    response = en_admin.get(TEMPLATE)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["nama", "no_rm", "tanggal_lahir", "jenis_kelamin", "alamat", "no_telepon", "email"]
    assert len(rows) == 2 and rows[1][0] and rows[1][3] in ("L", "P")
    # the template itself imports cleanly
    body = _upload(en_admin, raw, "hadir-patients-template.csv").get_data(as_text=True)
    assert _row_errors(body) == {2: {}}


def test_the_patients_page_links_to_the_import(en_admin):
    body = en_admin.get(PATIENTS).get_data(as_text=True)
    assert f'href="{IMPORT}"' in body and "Import CSV" in text_of(body)
    page = en_admin.get(IMPORT).get_data(as_text=True)
    assert f'href="{TEMPLATE}"' in page and 'type="file"' in page


def test_petugas_can_import(app, as_petugas):
    body = _upload(as_petugas, VALID).get_data(as_text=True)
    assert _confirm(as_petugas, body).status_code == 303
    assert count(app, Patient) == 3
    assert as_petugas.get(TEMPLATE).status_code == 200


def test_a_preview_belongs_to_the_session_that_uploaded_it(app, as_admin, as_petugas):
    body = _upload(as_admin, VALID).get_data(as_text=True)
    token = _confirm_token(body)
    other = as_petugas.get(IMPORT).get_data(as_text=True)
    assert _confirm(as_petugas, other, token=token).status_code == 409
    assert count(app, Patient) == 0


@pytest.mark.parametrize("role", ["pegawai", "dokter", "paramedis", "siswa"])
def test_other_roles_may_not_import(app, as_petugas, petugas, role):
    """Only admin and petugas sign in to the admin app; a user whose role changed gets 403."""
    from app.accounts.models import User

    form_page = as_petugas.get(IMPORT).get_data(as_text=True)
    with app.app_context():
        db.session.get(User, petugas.id).role = role
        db.session.commit()
    for url in (IMPORT, TEMPLATE):
        assert as_petugas.get(url).status_code == 403
    response = as_petugas.client.post(IMPORT, data={"csrf_token": csrf_from(form_page),
                                                    "file": (io.BytesIO(VALID.encode()), "p.csv")},
                                      content_type="multipart/form-data")
    assert response.status_code == 403
    assert as_petugas.client.post(CONFIRM, data={"csrf_token": csrf_from(form_page),
                                                 "token": "x" * 43}).status_code == 403
    assert count(app, Patient) == 0


def test_anonymous_is_sent_to_the_login(anon):
    for url in (IMPORT, TEMPLATE):
        response = anon.get(url)
        assert response.status_code == 302 and "/admin/login" in response.headers["Location"]
