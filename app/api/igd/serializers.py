"""Escorts and users as contract 004 prints them (Indonesian field names and values).

Stored English keys ↔ contract values: categories ``police/ambulance/individual``
↔ ``Polisi/Ambulans/Perorangan``; genders ``male/female`` ↔
``Laki-laki/Perempuan``; statuses are the same words in both.
"""
from __future__ import annotations

import base64

from flask import url_for

from ...common import clock
from ...escorts import services as escorts

CATEGORY_OUT = {"police": "Polisi", "ambulance": "Ambulans", "individual": "Perorangan"}
CATEGORY_IN = {v: k for k, v in CATEGORY_OUT.items()}
GENDER_OUT = {"male": "Laki-laki", "female": "Perempuan"}
GENDER_IN = {v: k for k, v in GENDER_OUT.items()}
#: Contract field → service keyword.
FIELD_IN = {"kategori_pengantar": "category", "nama_pengantar": "name", "jenis_kelamin": "gender",
            "nomor_hp": "phone", "plat_nomor": "plate_number", "nama_pasien": "patient_name", "status": "status"}
#: Status → (``status_display``, ``badge_class``) (contract 004, "Update Escort Status").
STATUS_DISPLAY = {
    "pending": ("Menunggu Verifikasi", "badge-warning"),
    "verified": ("Terverifikasi", "badge-success"),
    "rejected": ("Ditolak", "badge-danger"),
}
MIME = {"jpg": "image/jpeg", "png": "image/png"}


def user(row, *, full: bool = True) -> dict:
    """A user: ``id, name, email, [email_verified_at, ] created_at[, updated_at]`` (login vs check)."""
    data = {"id": row.id, "name": row.name, "email": row.email}
    if full:
        data["email_verified_at"] = None
    data["created_at"] = clock.iso_utc(row.created_at)
    if full:
        data["updated_at"] = clock.iso_utc(row.updated_at)
    return data


def escort(row) -> dict:
    """The list/update shape: ``id, kategori_pengantar, nama_pengantar, jenis_kelamin, nomor_hp,
    plat_nomor, nama_pasien, foto_pengantar, status, created_at, updated_at``."""
    return {
        "id": row.id,
        "kategori_pengantar": CATEGORY_OUT.get(row.category, row.category),
        "nama_pengantar": row.name,
        "jenis_kelamin": GENDER_OUT.get(row.gender, row.gender),
        "nomor_hp": row.phone,
        "plat_nomor": row.plate_number,
        "nama_pasien": row.patient_name,
        "foto_pengantar": row.photo_path,
        "status": row.status,
        "created_at": clock.iso_utc(row.created_at),
        "updated_at": clock.iso_utc(row.updated_at),
    }


def photo_object(row) -> dict | None:
    """The ``foto_pengantar_base64`` object read back from the stored file, or None when it is missing.

    Keys: ``base64`` (a ``data:<mime>;base64,`` URL), ``mime_type``, ``size``
    (bytes), ``file_path`` (relative to ``UPLOAD_FOLDER``) and ``storage_url``
    (the authenticated photo route ``/escort/<id>/photo`` of this dialect).
    """
    path = escorts.photo_file(row)
    if path is None:
        return None
    data = path.read_bytes()
    mime = MIME.get(path.suffix.lstrip(".").lower(), "application/octet-stream")
    return {
        "base64": f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}",
        "mime_type": mime,
        "size": len(data),
        "file_path": row.photo_path,
        "storage_url": url_for("igd.escort_photo", escort_id=row.id),
    }


def escort_detail(row) -> dict:
    """The detail shape: :func:`escort` plus ``foto_pengantar_base64`` (or null), ``submission_id``,
    ``submitted_from_ip`` and ``api_submission``, in the contract's order."""
    data = escort(row)
    out = {}
    for key, value in data.items():
        if key == "status":
            out["foto_pengantar_base64"] = photo_object(row)
            out["submission_id"] = row.submission_id
            out["submitted_from_ip"] = row.submitted_from_ip
            out["api_submission"] = bool(row.api_submission)
        out[key] = value
    return out
