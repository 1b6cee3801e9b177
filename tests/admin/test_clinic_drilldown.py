"""The clinic's drill-down pages: one patient with their procedures, and one staff member's
month behind their row of the service-fee (jaspel) report, with its CSV.

As in test_clinic_admin.py, everything goes through a signed-in test client, and texts are
asserted through the data they show (names, rupiah figures, ids), not through their wording.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from app.extensions import db

from tests.helpers import text_of

FEES = "/admin/clinic/service-fees"
PATIENTS = "/admin/clinic/patients"


def _procedure_ids(body):
    return [int(x) for x in re.findall(r'<tr id="procedure-(\d+)"', body)]


def _figures(body):
    """``{figure: text}`` of the staff month's tiles (approved_share, pending_share, ...)."""
    return {k: text_of(v) for k, v in re.findall(r'data-figure="(\w+)">(.*?)</span>', body, re.S)}


def _report_row(body, name):
    for row in re.findall(r"<tr>\s*<td class=\"cell-person\">(.*?)</tr>", body, re.S):
        if name in text_of(row):
            return row
    return None


def _csv(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


# --- the patient page ---------------------------------------------------------------------

def test_patient_page_shows_the_details_and_only_their_procedures_newest_first(as_admin, clinic, admin):  # noqa: F811
    rina = clinic.performer("dr. Rina Wulandari")
    bambang = clinic.performer("Bambang Prasetyo", role="paramedis")
    siti = clinic.patient("Siti Aminah", "RM-000123", sex="female", birth_date=date(1990, 5, 17),
                          address="Jl. Melati 5, Bandung", phone="081234567890", email="siti@example.com")
    budi = clinic.patient("Budi Santoso", "RM-000124")
    older = clinic.procedure(siti, rina, "Konsultasi umum", 150_000, 50_000, at="2026-10-15T09:00+07:00")
    newer = clinic.procedure(siti, bambang, "Jahit luka", 1_350_000, 405_000, at="2026-10-20T08:30+07:00",
                             status="rejected", note="Duplikat", validator=admin)
    middle = clinic.procedure(siti, rina, "Nebulizer", 200_000, 60_000, at="2026-10-18T10:00+07:00",
                              status="approved", note="Lengkap", validator=admin)
    clinic.procedure(budi, rina, "Infus Budi", at="2026-10-19T10:00+07:00")
    response = as_admin.get(f"{PATIENTS}/{siti}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _procedure_ids(body) == [newer, middle, older]
    text = text_of(body)
    for expected in ("RM-000123", "Siti Aminah", "17 Mei 1990", "Jl. Melati 5, Bandung", "081234567890",
                     "siti@example.com", "Konsultasi umum", "Jahit luka", "Nebulizer", "Rp 1.350.000", "Rp 405.000",
                     "Rp 200.000", "Rp 60.000", "dr. Rina Wulandari", "Bambang Prasetyo", "20 Okt 2026, 08.30",
                     "Duplikat", "Lengkap", admin.name):
        assert expected in text, expected
    assert 'id="patient-age" data-age="' in body  # the age next to the birth date
    assert "Infus Budi" not in text and "Budi Santoso" not in text and "RM-000124" not in text


def test_patient_page_age_and_empty_state(as_admin, clinic):  # noqa: F811
    from app.common import clock

    today = clock.local_today()
    born = date(today.year - 30, 1, 1)
    patient = clinic.patient("Dewi", birth_date=born)
    body = as_admin.get(f"{PATIENTS}/{patient}").get_data(as_text=True)
    assert 'id="patient-age" data-age="30"' in body
    assert _procedure_ids(body) == []
    assert 'class="empty"' in body


def test_patient_page_paginates(as_admin, clinic, monkeypatch):  # noqa: F811
    from app.clinic.views import pages as views

    monkeypatch.setattr(views, "PROCEDURES_PER_PAGE", 25)
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("Siti")
    ids = [clinic.procedure(patient, rina, f"Tindakan {i:02d}", at=f"2026-10-{i + 1:02d}T09:00+07:00")
           for i in range(27)]
    first = as_admin.get(f"{PATIENTS}/{patient}").get_data(as_text=True)
    second = as_admin.get(f"{PATIENTS}/{patient}?page=2").get_data(as_text=True)
    assert _procedure_ids(first) == ids[::-1][:25]
    assert _procedure_ids(second) == ids[1::-1]
    assert f"{PATIENTS}/{patient}?page=2" in first


def test_unknown_patient_is_404(as_admin, as_petugas):
    assert as_admin.get(f"{PATIENTS}/999999").status_code == 404
    assert as_petugas.get(f"{PATIENTS}/999999").status_code == 404


def test_petugas_may_open_a_patient_but_gets_no_service_fee_links(as_petugas, as_admin, clinic):  # noqa: F811
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("Siti")
    procedure = clinic.procedure(patient, rina)
    response = as_petugas.get(f"{PATIENTS}/{patient}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert _procedure_ids(body) == [procedure]
    assert f"{FEES}/" not in body
    assert f'href="{FEES}/{rina.id}?month=2026-10"' in as_admin.get(f"{PATIENTS}/{patient}").get_data(as_text=True)


def test_patient_list_links_to_the_patient_page(as_petugas, clinic):  # noqa: F811
    siti = clinic.patient("Siti Aminah")
    body = as_petugas.get(PATIENTS).get_data(as_text=True)
    assert f'href="{PATIENTS}/{siti}"' in body


# --- one staff member's month ----------------------------------------------------------

def test_staff_month_figures_equal_the_report_row(app, as_admin, october):  # noqa: F811
    rina, bambang = october
    report = as_admin.get(f"{FEES}?month=2026-10").get_data(as_text=True)
    link = f"{FEES}/{rina.id}?month=2026-10"
    assert f'href="{link}"' in report and f'href="{FEES}/{bambang.id}?month=2026-10"' in report
    cells = [text_of(c) for c in re.findall(r'<td class="num">(.*?)</td>', _report_row(report, "dr. Rina Wulandari"),
                                            re.S)]
    response = as_admin.get(link)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    figures = _figures(body)
    # the report row's cells: approved n, share, pending n, share, rejected n; approved (due) and
    # pending shares are never added into one total someone could pay from
    assert cells == ["2", "Rp 250.000", "1", "Rp 50.000", "1"]
    assert figures == {"approved_share": cells[1], "pending_share": cells[3], "rejected_count": cells[4]}
    assert "Rp 300.000" not in report
    with app.app_context():
        from app.accounts.models import User
        from app.clinic import reports

        row = next(r for r in reports.service_fee_report(date(2026, 10, 1)).rows if r.user.id == rina.id)
        assert reports.service_fee_row(db.session.get(User, rina.id), date(2026, 10, 9)) == row
        october_ids = sorted(db.session.scalars(
            reports.staff_month_procedures_query(rina.id, date(2026, 10, 1))).all(), key=lambda p: p.id)
        assert sum(p.service_fee_share for p in october_ids if p.status == "approved") == row.approved_share
        assert sum(p.service_fee_share for p in october_ids if p.status == "pending") == row.pending_share
        assert sum(p.status == "rejected" for p in october_ids) == row.rejected_count
        expected = [p.id for p in sorted(october_ids, key=lambda p: p.performed_at, reverse=True)]
    # exactly Rina's four October procedures (local dates), newest first: not September's or
    # November's, not Bambang's
    assert _procedure_ids(body) == expected and len(expected) == 4
    text = text_of(body)
    assert "Rp 999.000" not in text and "Rp 888.000" not in text and "Rp 105.000" not in text
    assert "Salah" in text  # the rejection's note
    assert f'href="{FEES}?month=2026-10"' in body  # back to the report, same month


def test_staff_month_status_filter(as_admin, october):  # noqa: F811
    rina, _bambang = october
    all_ids = _procedure_ids(as_admin.get(f"{FEES}/{rina.id}?month=2026-10").get_data(as_text=True))
    approved = as_admin.get(f"{FEES}/{rina.id}?month=2026-10&status=approved").get_data(as_text=True)
    assert len(_procedure_ids(approved)) == 2 and set(_procedure_ids(approved)) <= set(all_ids)
    assert _figures(approved)["approved_share"] == "Rp 250.000"  # the figures stay the whole row's
    assert len(_procedure_ids(as_admin.get(f"{FEES}/{rina.id}?month=2026-10&status=pending")
                              .get_data(as_text=True))) == 1
    assert len(_procedure_ids(as_admin.get(f"{FEES}/{rina.id}?month=2026-10&status=bogus")
                              .get_data(as_text=True))) == 4  # unknown status: all
    fragment = as_admin.get(f"{FEES}/{rina.id}?month=2026-10&status=rejected", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and fragment.lstrip().startswith('<div id="service-fees-person"')
    assert len(_procedure_ids(fragment)) == 1


def test_staff_month_other_month_and_empty_state(as_admin, october):  # noqa: F811
    rina, bambang = october
    november = as_admin.get(f"{FEES}/{rina.id}?month=2026-11").get_data(as_text=True)
    assert len(_procedure_ids(november)) == 1 and _figures(november)["pending_share"] == "Rp 888.000"
    assert f'href="{FEES}?month=2026-11"' in november
    august = as_admin.get(f"{FEES}/{bambang.id}?month=2026-08")
    assert august.status_code == 200
    body = august.get_data(as_text=True)
    assert _procedure_ids(body) == [] and 'class="empty"' in body
    assert _figures(body) == {"approved_share": "Rp 0", "pending_share": "Rp 0", "rejected_count": "0"}


def test_staff_month_csv(as_admin, october):  # noqa: F811
    rina, _bambang = october
    response = as_admin.get(f"{FEES}/{rina.id}.csv?month=2026-10")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "service-fees-2026-10-20001.csv" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 5  # header and Rina's four October procedures
    body = rows[1:]
    assert [r[0] for r in body] == ["2026-10-31 23:00", "2026-10-21 10:00", "2026-10-20 10:00", "2026-10-01 00:30"]
    assert [(r[2], r[4], r[5]) for r in body] == [("Budi", "450000", "150000"), ("Budi", "90000", "30000"),
                                                  ("Siti", "150000", "50000"), ("Siti", "300000", "100000")]
    assert body[1][9] == "Salah" and body[1][7] == "dr. Rina Wulandari"
    assert sum(int(r[5]) for r in body if r[6] == "Disetujui") == 250_000
    assert sum(int(r[5]) for r in body if r[6] == "Menunggu") == 50_000
    only = _csv(as_admin.get(f"{FEES}/{rina.id}.csv?month=2026-10&status=approved"))
    assert [r[0] for r in only[1:]] == ["2026-10-31 23:00", "2026-10-01 00:30"]


def test_staff_month_csv_is_formula_safe(as_admin, clinic):  # noqa: F811
    rina = clinic.performer("dr. Rina")
    patient = clinic.patient("=HYPERLINK(\"http://x\")", "@RM1")
    clinic.procedure(patient, rina, name="+SUM(A1)", status="approved")
    rows = _csv(as_admin.get(f"{FEES}/{rina.id}.csv?month=2026-10"))
    assert rows[1][1] == "'+SUM(A1)" and rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[1][3] == "'@RM1"
    assert rows[1][5] == "50000"


def test_staff_month_is_admin_only_and_404_for_unknown_users(as_petugas, as_admin, october):  # noqa: F811
    rina, _bambang = october
    assert as_petugas.get(f"{FEES}/{rina.id}?month=2026-10").status_code == 403
    assert as_petugas.get(f"{FEES}/{rina.id}.csv?month=2026-10").status_code == 403
    assert as_admin.get(f"{FEES}/999999?month=2026-10").status_code == 404
    assert as_admin.get(f"{FEES}/999999.csv?month=2026-10").status_code == 404
