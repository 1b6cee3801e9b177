"""The clinic's admin pages: procedures validated in the review inbox, the
service-fee (jaspel) report with CSV, and the patient list.

Everything goes through the public surface: a signed-in test client, forms posted with the
CSRF token scraped from the page.  Texts of these pages are asserted through the data they
show (names, rupiah figures, ids), not through their wording, which the translators own.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from app.clinic.models import Procedure
from app.extensions import db
from app.notify.models import Notification

from tests.helpers import audit_trail, count, fetch, field_error, field_has_error_class, text_of

PAGE = "/admin/attendance/review"
FEES = "/admin/clinic/service-fees"
PATIENTS = "/admin/clinic/patients"


def _procedure_ids(body):
    return [int(x) for x in re.findall(r'<tr id="procedure-(\d+)"', body)]


def _notifications(app, procedure_id, kind=None):
    performer_id = fetch(app, Procedure, procedure_id).performer_id
    where = [Notification.user_id == performer_id]
    if kind:
        where.append(Notification.type == kind)
    return count(app, Notification, *where)


def _flash(body, kind="error"):
    match = re.search(rf'<div class="flash flash--{kind}"[^>]*>(.*?)</div>', body, re.S)
    return text_of(match.group(1)) if match else None


# --- the review inbox ---------------------------------------------------------------

def test_inbox_lists_pending_procedures_oldest_first_with_rupiah(app, as_admin, clinic):
    rina = clinic.performer("dr. Rina Wulandari")
    bambang = clinic.performer("Bambang Prasetyo", role="paramedis")
    siti = clinic.patient("Siti Aminah", "RM-000123")
    budi = clinic.patient("Budi Santoso")
    later = clinic.procedure(siti, rina, "Konsultasi umum", 150_000, 50_000, at="2026-10-15T10:00+07:00")
    first = clinic.procedure(budi, bambang, "Jahit luka", 1_350_000, 405_000, at="2026-10-15T08:00+07:00")
    clinic.procedure(budi, rina, "Nebulizer", status="approved")
    clinic.procedure(budi, rina, "Infus", status="rejected", note="Duplikat")
    body = as_admin.get(PAGE).get_data(as_text=True)
    assert _procedure_ids(body) == [first, later]
    text = text_of(body)
    for expected in ("dr. Rina Wulandari", "Bambang Prasetyo", "Siti Aminah", "RM-000123", "Budi Santoso",
                     "Konsultasi umum", "Jahit luka", "Rp 150.000", "Rp 50.000", "Rp 1.350.000", "Rp 405.000",
                     "15 Okt 2026, 08.00"):
        assert expected in text, expected
    assert "Nebulizer" not in text and "Infus" not in text
    assert f"{PAGE}/procedure/{first}/approve" in body and f"{PAGE}/procedure/{first}/reject" in body
    assert f'name="procedure_ids" value="{first}"' in body


def test_nav_counter_includes_pending_procedures(as_admin, clinic):
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("Siti")
    clinic.procedure(patient, rina)
    clinic.procedure(patient, rina)
    clinic.procedure(patient, rina, status="approved")
    body = as_admin.get("/admin/").get_data(as_text=True)
    link = re.search(r'<a[^>]*href="/admin/attendance/review"[^>]*>(.*?)</a>', body, re.S).group(1)
    assert re.search(r'<span class="badge badge--pending"[^>]*>2</span>', link)


def test_approve_with_note_notifies_the_performer_and_leaves_others_alone(app, as_admin, admin, clinic):
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("Siti")
    target = clinic.procedure(patient, rina)
    other = clinic.procedure(patient, rina, "Nebulizer")
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/{target}/approve", {"note": "Lengkap"})
    assert response.status_code == 303
    approved = fetch(app, Procedure, target)
    assert (approved.status, approved.validated_by_id, approved.validation_note) == ("approved", admin.id, "Lengkap")
    assert approved.validated_at is not None
    assert _notifications(app, target, "tindakan_approved") == 1
    assert fetch(app, Procedure, other).status == "pending"
    assert _notifications(app, target) == 1  # one notification for one decision
    assert audit_trail(app) == [("procedure.approve", admin.id, rina.id, "procedure", target, {"status": "pending"},
                                 {"status": "approved", "name": "Konsultasi umum", "patient": "Siti"}, "Lengkap")]


def test_htmx_approve_without_note_returns_the_fragment(app, as_admin, clinic):
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("Siti Aminah")
    target = clinic.procedure(patient, rina, "Konsultasi umum")
    other = clinic.procedure(patient, rina, "Nebulizer")
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/{target}/approve", {"note": ""}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and body.lstrip().startswith('<div id="review-list"')
    notice = _flash(body, "success")
    assert notice and "Konsultasi umum" in notice and "Siti Aminah" in notice and "dr. Rina" in notice
    assert _procedure_ids(body) == [other]
    approved = fetch(app, Procedure, target)
    assert (approved.status, approved.validation_note) == ("approved", None)


def test_reject_without_note_is_refused_next_to_the_field_and_changes_nothing(app, as_admin, clinic):
    rina = clinic.performer("dr. Rina")
    target = clinic.procedure(clinic.patient("Siti"), rina)
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/{target}/reject", {"note": "   "}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    field_id = f"reject-note-procedure-{target}"
    assert field_error(body, field_id)
    assert field_has_error_class(body, field_id)
    assert f'<tr id="reject-procedure-{target}" class="reject-row">' in body  # the row stays open
    unchanged = fetch(app, Procedure, target)
    assert (unchanged.status, unchanged.validated_by_id, unchanged.validation_note) == ("pending", None, None)
    assert _notifications(app, target) == 0


def test_reject_with_note_notifies_with_it(app, as_admin, admin, clinic):
    rina = clinic.performer("dr. Rina")
    target = clinic.procedure(clinic.patient("Siti"), rina, "Jahit luka")
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/{target}/reject", {"note": "Tarif salah"}, htmx=True)
    assert _procedure_ids(response.get_data(as_text=True)) == []
    rejected = fetch(app, Procedure, target)
    assert (rejected.status, rejected.validated_by_id, rejected.validation_note) == ("rejected", admin.id, "Tarif salah")
    assert _notifications(app, target, "tindakan_rejected") == 1
    with app.app_context():
        note = db.session.scalar(db.select(Notification.body).where(Notification.type == "tindakan_rejected"))
    assert "Tarif salah" in note


def test_a_procedure_validated_meanwhile_is_not_decided_twice(app, as_admin, admin, clinic):
    rina = clinic.performer("dr. Rina")
    other_admin = clinic.performer("Admin Lain", role="admin")
    target = clinic.procedure(clinic.patient("Siti"), rina)
    token_page = as_admin.get(PAGE).get_data(as_text=True)
    assert f"/procedure/{target}/reject" in token_page
    with app.app_context():  # someone else rejects it first
        from app.accounts.models import User
        from app.clinic.services import validate_procedure
        validate_procedure(db.session.get(Procedure, target), db.session.get(User, other_admin.id), approve=False,
                           note="Duplikat")
        db.session.commit()
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/{target}/approve", htmx=True)
    assert _flash(response.get_data(as_text=True), "error")
    kept = fetch(app, Procedure, target)
    assert (kept.status, kept.validated_by_id, kept.validation_note) == ("rejected", other_admin.id, "Duplikat")
    assert _notifications(app, target, "tindakan_approved") == 0


def test_unknown_procedure_is_404(as_admin):
    assert as_admin.submit(PAGE, f"{PAGE}/procedure/999/approve").status_code == 404
    assert as_admin.submit(PAGE, f"{PAGE}/procedure/999/reject", {"note": "x"}).status_code == 404


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_missing_csrf_is_refused(app, as_admin, clinic, action):
    target = clinic.procedure(clinic.patient("Siti"), clinic.performer("dr. Rina"))
    response = as_admin.client.post(f"{PAGE}/procedure/{target}/{action}", data={"note": "ok"})
    assert response.status_code == 400
    assert fetch(app, Procedure, target).status == "pending"


def test_bulk_approve_the_selected_ones(app, as_admin, admin, clinic):
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("Siti")
    one, two, three = (clinic.procedure(patient, rina, name) for name in ("A", "B", "C"))
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/bulk-approve", {"procedure_ids": [one, three]}, htmx=True)
    body = response.get_data(as_text=True)
    assert _flash(body, "success")
    assert _procedure_ids(body) == [two]
    for pid in (one, three):
        done = fetch(app, Procedure, pid)
        assert (done.status, done.validated_by_id) == ("approved", admin.id)
    assert fetch(app, Procedure, two).status == "pending"
    assert count(app, Notification, Notification.type == "tindakan_approved") == 2


def test_bulk_is_all_or_nothing_and_names_the_one_validated_meanwhile(app, as_admin, clinic):
    rina = clinic.performer("dr. Rina")
    siti, budi = clinic.patient("Siti Aminah"), clinic.patient("Budi Santoso")
    fresh = clinic.procedure(siti, rina, "Konsultasi umum")
    taken = clinic.procedure(budi, rina, "Jahit luka", status="rejected", note="Duplikat")
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/bulk-approve", {"procedure_ids": [fresh, taken]})
    assert response.status_code == 303
    body = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    notice = _flash(body, "error")
    assert notice and "Jahit luka" in notice and "Budi Santoso" in notice
    assert fetch(app, Procedure, fresh).status == "pending"
    assert fetch(app, Procedure, taken).status == "rejected"
    assert count(app, Notification, Notification.type == "tindakan_approved") == 0


def test_bulk_with_an_unknown_id_or_nothing_selected_changes_nothing(app, as_admin, clinic):
    target = clinic.procedure(clinic.patient("Siti"), clinic.performer("dr. Rina"))
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/bulk-approve", {"procedure_ids": [target, 999]}, htmx=True)
    assert _flash(response.get_data(as_text=True), "error")
    response = as_admin.submit(PAGE, f"{PAGE}/procedure/bulk-approve", {}, htmx=True)
    assert _flash(response.get_data(as_text=True), "error")
    assert fetch(app, Procedure, target).status == "pending"
    assert count(app, Notification) == 0


def test_petugas_sees_procedures_read_only_and_gets_403_on_posts(app, as_petugas, clinic):
    target = clinic.procedure(clinic.patient("Siti Aminah"), clinic.performer("dr. Rina"))
    body = as_petugas.get(PAGE).get_data(as_text=True)
    assert _procedure_ids(body) == [target]
    assert "Siti Aminah" in text_of(body)
    assert f"/procedure/{target}/approve" not in body and "procedure_ids" not in body
    for url, data in ((f"{PAGE}/procedure/{target}/approve", {}),
                      (f"{PAGE}/procedure/{target}/reject", {"note": "Tidak"}),
                      (f"{PAGE}/procedure/bulk-approve", {"procedure_ids": [target]})):
        assert as_petugas.submit("/admin/", url, data).status_code == 403, url
    assert fetch(app, Procedure, target).status == "pending"
    assert count(app, Notification) == 0


# --- service fees (jaspel) --------------------------------------------------------------

def test_service_fee_report_figures(as_admin, october):
    body = as_admin.get(f"{FEES}?month=2026-10").get_data(as_text=True)
    rows = re.findall(r"<tr>\s*<td class=\"cell-person\">(.*?)</tr>", body, re.S)
    cells = [text_of(row) for row in rows]
    assert len(cells) == 2
    # by name: Bambang, then Rina; approved n + share, pending n + share, rejected n (no total adding
    # the approved shares, which are due, to the pending ones)
    assert cells[0].startswith("Bambang Prasetyo")
    assert cells[0].endswith("0 Rp 0 2 Rp 141.000 0")
    assert cells[1].startswith("dr. Rina Wulandari")
    assert cells[1].endswith("2 Rp 250.000 1 Rp 50.000 1")
    totals = text_of(re.search(r"<tfoot>(.*?)</tfoot>", body, re.S).group(1))
    assert totals.endswith("2 Rp 250.000 3 Rp 191.000 1")
    assert "dr. Tanpa Tindakan" not in text_of(body)
    assert 'value="2026-10"' in body
    assert f"{FEES}.csv?month=2026-10" in body


def test_service_fee_csv_has_the_same_figures(as_admin, october):
    response = as_admin.get(f"{FEES}.csv?month=2026-10")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "service-fees-2026-10.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) == 4  # header, two people, totals
    assert rows[1][0] == "Bambang Prasetyo" and rows[1][1] == "20002"
    assert rows[1][3:] == ["0", "0", "2", "141000", "0", "141000"]
    assert rows[2][0] == "dr. Rina Wulandari" and rows[2][1] == "20001"
    assert rows[2][3:] == ["2", "250000", "1", "50000", "1", "300000"]
    assert rows[3][3:] == ["2", "250000", "3", "191000", "1", "441000"]


def test_service_fee_csv_is_formula_safe(as_admin, clinic):
    evil = clinic.performer("=HYPERLINK(\"http://x\")", npp="+628")
    clinic.procedure(clinic.patient("Siti"), evil, status="approved")
    rows = list(csv.reader(io.StringIO(as_admin.get(f"{FEES}.csv?month=2026-10").get_data(as_text=True))))
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")" and rows[1][1] == "'+628"
    assert rows[1][4] == "50000"


def test_service_fee_month_defaults_and_bad_months(as_admin, october):
    assert as_admin.get(FEES).status_code == 200  # this month
    for bad in ("2026-13", "oktober", "2026-1", "1999-12", "2101-01"):
        response = as_admin.get(f"{FEES}?month={bad}")
        assert response.status_code == 200, bad
        assert "Rp 250.000" not in text_of(response.get_data(as_text=True))
    assert as_admin.get(f"{FEES}.csv?month=nope").status_code == 200


def test_service_fee_htmx_gets_the_table_only(as_admin, october):
    response = as_admin.get(f"{FEES}?month=2026-10", htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="service-fee-table"')
    assert "Rp 191.000" in text_of(body)           # the pending shares of the month, apart


def test_petugas_may_not_read_service_fees(as_petugas, october):
    assert as_petugas.get(f"{FEES}?month=2026-10").status_code == 403
    assert as_petugas.get(f"{FEES}.csv?month=2026-10").status_code == 403


# --- patients ---------------------------------------------------------------------------

def _patient_rows(body):
    return [text_of(row) for row in re.findall(r'<tr id="patient-\d+">(.*?)</tr>', body, re.S)]


def test_patients_list_with_procedure_counts(as_petugas, clinic):
    rina = clinic.performer("dr. Rina")
    siti = clinic.patient("Siti Aminah", "RM-000123", sex="female")
    clinic.patient("Budi Santoso", "RM-000124")
    clinic.procedure(siti, rina)
    clinic.procedure(siti, rina, status="approved")
    clinic.procedure(siti, rina, status="rejected", note="Salah")  # no procedure done
    rows = _patient_rows(as_petugas.get(PATIENTS).get_data(as_text=True))
    assert len(rows) == 2
    assert rows[0].startswith("RM-000124 Budi Santoso") and " 0 " in f"{rows[0]} "
    assert rows[1].startswith("RM-000123 Siti Aminah") and " 2 15 Okt 2026" in rows[1]


def test_patients_search_by_name_or_record_number(as_admin, clinic):
    clinic.patient("Siti Aminah", "RM-000123")
    clinic.patient("Budi Santoso", "RM-000124")
    clinic.patient("Dewi 100% Sehat")
    assert [r.split()[1] for r in _patient_rows(as_admin.get(f"{PATIENTS}?q=aminah").get_data(as_text=True))] == ["Siti"]
    found = _patient_rows(as_admin.get(f"{PATIENTS}?q=rm-00012").get_data(as_text=True))
    assert len(found) == 2
    found = _patient_rows(as_admin.get(f"{PATIENTS}?q=000124").get_data(as_text=True))
    assert len(found) == 1 and "Budi Santoso" in found[0]
    assert len(_patient_rows(as_admin.get(f"{PATIENTS}?q=0%25").get_data(as_text=True))) == 1  # % is literal
    assert _patient_rows(as_admin.get(f"{PATIENTS}?q=zzz").get_data(as_text=True)) == []
    response = as_admin.get(f"{PATIENTS}?q=budi", htmx=True)
    body = response.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="patient-list"')
    assert len(_patient_rows(body)) == 1


def test_patients_pagination_keeps_the_search(app, as_admin):
    from app.clinic.services import create_patient

    with app.app_context():
        for i in range(27):
            create_patient(f"Pasien {i:02d}", record_number=f"RM-{i:04d}")
        create_patient("Orang Lain")
        db.session.commit()
    first = as_admin.get(f"{PATIENTS}?q=pasien").get_data(as_text=True)
    assert len(_patient_rows(first)) == 25
    assert "/admin/clinic/patients?q=pasien&amp;page=2" in first
    second = _patient_rows(as_admin.get(f"{PATIENTS}?q=pasien&page=2").get_data(as_text=True))
    assert [r.split()[0] for r in second] == ["RM-0025", "RM-0026"]
