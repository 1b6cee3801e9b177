"""Fixtures of the igd dialect tests: photos written to a temporary folder, staff users, tokens, images."""
from __future__ import annotations

import base64
import io

import pytest

from app.accounts.api_tokens import issue_token
from app.accounts.models import User
from app.extensions import db

API = "/igd/api"


def image_b64(fmt: str = "JPEG", size=(32, 24), data_url: bool = True) -> str:
    """A small generated image as base64 (a ``data:`` URL unless told)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    text = base64.b64encode(buffer.getvalue()).decode()
    mime = "image/jpeg" if fmt == "JPEG" else "image/png"
    return f"data:{mime};base64,{text}" if data_url else text


def escort_body(**overrides) -> dict:
    """A valid creation body (contract 004 field names and values)."""
    body = {
        "kategori_pengantar": "Perorangan",
        "nama_pengantar": "John Doe",
        "jenis_kelamin": "Laki-laki",
        "nomor_hp": "081234567890",
        "plat_nomor": "B1234XYZ",
        "nama_pasien": "Jane Doe",
        "foto_pengantar_base64": image_b64(),
    }
    body.update(overrides)
    return body


def bearer(app, user) -> dict:
    """An ``Authorization`` header with a fresh igd token of ``user``."""
    with app.app_context():
        token, _row = issue_token(db.session.get(User, user.id), "igd")
        db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def staff(app, factory):
    """``staff(role="petugas")`` → ``(user, headers)`` for a signed-in ER staff member."""
    counter = {"n": 0}

    def make(role="petugas", **kw):
        counter["n"] += 1
        kw.setdefault("email", f"{role}{counter['n']}@igd.test")
        user = factory.user(role=role, npp=None, **kw)
        return user, bearer(app, user)

    return make


@pytest.fixture
def create(client):
    """``create(headers, **fields)`` posts an escort with a bearer ``headers`` and returns its JSON ``data``."""

    def make(headers, **fields):
        response = client.post(f"{API}/escort", json=escort_body(**fields), headers=headers)
        assert response.status_code == 201, response.json
        return response.json["data"]

    return make
