"""Contract 002, section 9: student QR cards (one active card per student)."""
import re

import pytest

from app.extensions import db
from app.school.models import StudentQrCard

from .test_users import PAGINATOR_KEYS
from .tokens import bearer, school_user

CARD_KEYS = {"id", "student_id", "qr_code", "is_active", "generated_at", "created_at", "updated_at", "student"}


@pytest.fixture
def headers(app, factory):
    return bearer(app, school_user(factory, "kepsek", "4001"))


@pytest.fixture
def student(factory):
    return school_user(factory, "siswa", "1001", name="Andi Pratama")


def _cards(app):
    with app.app_context():
        return [(c.id, c.student_id, c.is_active) for c in db.session.scalars(db.select(StudentQrCard).order_by(StudentQrCard.id))]


def _generate(client, headers, student_id):
    response = client.post("/api/student-qr-cards/generate", headers=headers, json={"student_id": student_id})
    assert response.status_code == 201, response.json
    return response.json["data"]


def test_every_card_endpoint_needs_a_token_and_a_staff_role(app, client, factory, headers, student):
    card = _generate(client, headers, student.id)
    endpoints = (("get", "/api/student-qr-cards"), ("get", f"/api/student-qr-cards/{card['id']}"),
                 ("post", "/api/student-qr-cards/generate"), ("put", f"/api/student-qr-cards/{card['id']}/status"))
    body = {"student_id": student.id, "is_active": False}
    for method, path in endpoints:
        assert getattr(client, method)(path, json=body).status_code == 401
    for who in (student, school_user(factory, "pegawai", "3001")):
        other = bearer(app, who)
        for method, path in endpoints:
            response = getattr(client, method)(path, headers=other, json=body)
            assert response.status_code == 403 and response.json["message"] == "Akses ditolak", (method, path)
    assert _cards(app) == [(card["id"], student.id, True)]


def test_generate_gives_a_random_active_card_and_deactivates_the_previous(app, client, headers, student):
    first = _generate(client, headers, student.id)
    assert set(first) == CARD_KEYS and first["is_active"] is True and first["student_id"] == student.id
    assert first["student"]["nisn_nip_nik"] == "1001" and first["student"]["name"] == "Andi Pratama"
    assert re.fullmatch(r"[0-9A-F]{16}", first["qr_code"])
    response = client.post("/api/student-qr-cards/generate", headers=headers, json={"student_id": student.id})
    assert response.json["message"] == "QR card baru berhasil di-generate"
    second = response.json["data"]
    assert second["qr_code"] != first["qr_code"]
    assert _cards(app) == [(first["id"], student.id, False), (second["id"], student.id, True)]


@pytest.mark.parametrize("body", [{}, {"student_id": "abc"}, {"student_id": 999999}, {"student_id": "TEACHER"}])
def test_generate_refuses_what_is_not_a_student(app, client, factory, headers, body):
    if body.get("student_id") == "TEACHER":
        body = {"student_id": school_user(factory, "guru", "2001").id}
    response = client.post("/api/student-qr-cards/generate", headers=headers, json=body)
    assert response.status_code == 422 and "student_id" in response.json["errors"]
    assert _cards(app) == []


def test_list_show_filters_and_paginator(app, client, factory, headers, student):
    other = school_user(factory, "siswa", "1002")
    old = _generate(client, headers, student.id)
    new = _generate(client, headers, student.id)
    third = _generate(client, headers, other.id)
    listed = client.get("/api/student-qr-cards", headers=headers)
    assert listed.status_code == 200 and [c["id"] for c in listed.json["data"]] == [old["id"], new["id"], third["id"]]
    active = client.get(f"/api/student-qr-cards?student_id={student.id}&is_active=1", headers=headers)
    assert [c["id"] for c in active.json["data"]] == [new["id"]]
    page = client.get("/api/student-qr-cards?per_page=2", headers=headers).json["data"]
    assert set(page) == PAGINATOR_KEYS and page["total"] == 3 and len(page["data"]) == 2
    assert client.get("/api/student-qr-cards?is_active=maybe", headers=headers).status_code == 422
    shown = client.get(f"/api/student-qr-cards/{new['id']}", headers=headers)
    assert shown.status_code == 200 and shown.json["data"]["qr_code"] == new["qr_code"]
    missing = client.get("/api/student-qr-cards/999", headers=headers)
    assert missing.status_code == 404 and missing.json == {"success": False, "message": "QR card tidak ditemukan"}


def test_status_toggles_and_activating_deactivates_the_other(app, client, headers, student):
    old = _generate(client, headers, student.id)
    new = _generate(client, headers, student.id)
    response = client.put(f"/api/student-qr-cards/{new['id']}/status", headers=headers, json={"is_active": False})
    assert response.status_code == 200 and response.json["message"] == "Status QR card berhasil diperbarui"
    assert response.json["data"]["is_active"] is False
    assert _cards(app) == [(old["id"], student.id, False), (new["id"], student.id, False)]
    response = client.put(f"/api/student-qr-cards/{old['id']}/status", headers=headers, json={"is_active": True})
    assert response.json["data"]["is_active"] is True
    response = client.put(f"/api/student-qr-cards/{new['id']}/status", headers=headers, json={"is_active": "true"})
    assert response.status_code == 200
    assert _cards(app) == [(old["id"], student.id, False), (new["id"], student.id, True)]


@pytest.mark.parametrize("body", [{}, {"is_active": None}, {"is_active": "maybe"}, {"is_active": 2}])
def test_status_needs_a_boolean(app, client, headers, student, body):
    card = _generate(client, headers, student.id)
    response = client.put(f"/api/student-qr-cards/{card['id']}/status", headers=headers, json=body)
    assert response.status_code == 422 and "is_active" in response.json["errors"]
    assert _cards(app) == [(card["id"], student.id, True)]
    assert client.put("/api/student-qr-cards/999/status", headers=headers,
                      json={"is_active": True}).status_code == 404
