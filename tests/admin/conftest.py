"""Fixtures of the admin web app tests: signed-in sessions of an admin and a petugas; the
clinic's patients and procedures (``clinic``, ``october``)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from app.extensions import db

from tests.helpers import AdminSession, compile_catalogs


def pytest_configure(config):
    """The UI is Indonesian by default: make sure the compiled catalogs exist before any request."""
    compile_catalogs()


@pytest.fixture
def admin(factory):
    """An active administrator (email admin@hadir.test)."""
    return factory.user(role="admin", name="Admin HRD", email="admin@hadir.test", npp="90001")


@pytest.fixture
def petugas(factory):
    """An active petugas (HR / front-office staff)."""
    return factory.user(role="petugas", name="Petugas HR", email="petugas@hadir.test", npp="90002")


@pytest.fixture
def anon(client):
    """A browser that is not signed in."""
    return AdminSession(client)


@pytest.fixture
def as_admin(app, admin):
    """A browser signed in as the administrator."""
    session = AdminSession(app.test_client())
    response = session.login("admin@hadir.test")
    assert response.status_code == 302, response.get_data(as_text=True)
    return session


@pytest.fixture
def as_petugas(app, petugas):
    """A browser signed in as the petugas."""
    session = AdminSession(app.test_client())
    response = session.login("petugas@hadir.test")
    assert response.status_code == 302, response.get_data(as_text=True)
    return session


# --- the clinic ----------------------------------------------------------------------

def utc(iso: str) -> datetime:
    """An ISO 8601 instant with its offset, as an aware UTC datetime."""
    return datetime.fromisoformat(iso).astimezone(timezone.utc)


@pytest.fixture
def clinic(app, factory):
    """Arrange patients and procedures through the clinic services (committed); returns helpers."""
    from app.accounts.models import User
    from app.clinic import services

    class Clinic:
        def performer(self, name, role="dokter", **kw):
            return factory.user(role=role, name=name, **kw)

        def patient(self, name, record_number=None, **kw):
            with app.app_context():
                patient = services.create_patient(name, record_number=record_number, **kw)
                db.session.commit()
                return patient.id

        def procedure(self, patient_id, performer, name="Konsultasi umum", fee=150_000, share=50_000,
                      at="2026-10-15T09:00+07:00", status="pending", note=None, validator=None):
            with app.app_context():
                procedure = services.record_procedure(
                    services.get_patient(patient_id), db.session.get(User, performer.id), name=name, fee=fee,
                    service_fee_share=share, performed_at=utc(at))
                if status != "pending":
                    services.validate_procedure(procedure, db.session.get(User, (validator or performer).id),
                                                approve=status == "approved", note=note)
                db.session.commit()
                return procedure.id

    return Clinic()


@pytest.fixture
def october(clinic):
    """Procedures around October 2026 (Asia/Jakarta): returns the two performers."""
    rina = clinic.performer("dr. Rina Wulandari", npp="20001")
    bambang = clinic.performer("Bambang Prasetyo", role="paramedis", npp="20002")
    clinic.performer("dr. Tanpa Tindakan")  # no procedure: no row
    siti, budi = clinic.patient("Siti"), clinic.patient("Budi")
    # Rina: 2 approved (one at 00:30 local on 1 October = 30 September in UTC), 1 pending, 1 rejected
    clinic.procedure(siti, rina, fee=300_000, share=100_000, status="approved", at="2026-10-01T00:30+07:00")
    clinic.procedure(budi, rina, fee=450_000, share=150_000, status="approved", at="2026-10-31T23:00+07:00")
    clinic.procedure(siti, rina, fee=150_000, share=50_000, at="2026-10-20T10:00+07:00")
    clinic.procedure(budi, rina, fee=90_000, share=30_000, status="rejected", note="Salah", at="2026-10-21T10:00+07:00")
    # other months are not counted (23:59 local on 30 September; 00:00 local on 1 November)
    clinic.procedure(siti, rina, fee=999_000, share=999_000, status="approved", at="2026-09-30T23:59+07:00")
    clinic.procedure(siti, rina, fee=888_000, share=888_000, at="2026-11-01T00:00+07:00")
    # Bambang: pending only
    clinic.procedure(budi, bambang, fee=350_000, share=105_000, at="2026-10-10T09:00+07:00")
    clinic.procedure(siti, bambang, fee=120_000, share=36_000, at="2026-10-11T09:00+07:00")
    return rina, bambang
