"""Request parsing of the ``igd`` dialect: contract 004's "Field Validation Rules Summary".

Messages are the contract's (Indonesian where it prints Indonesian, e.g.
``Nama pengantar minimal 3 karakter.``; Laravel's English for ``in`` rules,
``The selected status is invalid.``).  Every refused field is reported at once
as :class:`~app.common.errors.ValidationFailed` (422).
"""
from __future__ import annotations

import unicodedata

from flask import request

from ...attendance import photos
from ...common.errors import ValidationFailed
from ...escorts import services as escorts
from .serializers import CATEGORY_IN, FIELD_IN, GENDER_IN

_MISSING = object()
PHOTO_FIELD = "foto_pengantar_base64"
STATUSES = ("pending", "verified", "rejected")
LABELS = {
    "kategori_pengantar": "Kategori pengantar",
    "nama_pengantar": "Nama pengantar",
    "jenis_kelamin": "Jenis kelamin",
    "nomor_hp": "Nomor HP",
    "plat_nomor": "Plat nomor",
    "nama_pasien": "Nama pasien",
    "status": "Status",
    PHOTO_FIELD: "Foto pengantar",
}
#: Contract field → (min, max) length in characters.
LENGTHS = {
    "nama_pengantar": (escorts.NAME_MIN, escorts.NAME_MAX),
    "nomor_hp": (escorts.PHONE_MIN, escorts.PHONE_MAX),
    "plat_nomor": (escorts.PLATE_MIN, escorts.PLATE_MAX),
    "nama_pasien": (escorts.NAME_MIN, escorts.NAME_MAX),
}
CHOICES = {"kategori_pengantar": tuple(CATEGORY_IN), "jenis_kelamin": tuple(GENDER_IN), "status": STATUSES}


def invalid(errors: dict[str, list[str]], message: str = "Validasi data gagal") -> ValidationFailed:
    """A 422 carrying the contract's top-level ``message`` (``Validasi data gagal`` unless told)."""
    exc = ValidationFailed(errors)
    exc.igd_message = message
    return exc


def body() -> dict:
    """The request's JSON object or multipart form fields; anything else (bad JSON, an array) is ``{}``."""
    if request.is_json:
        data = request.get_json(silent=True)
    else:
        data = request.form.to_dict()
    return data if isinstance(data, dict) else {}


def has_control_chars(text: str) -> bool:
    """True when ``text`` holds a control character (NUL, escape ...; PostgreSQL refuses NUL in text)."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _unit(field: str) -> str:
    return "digit" if field == "nomor_hp" else "karakter"


def escort_fields(data: dict, *, creating: bool) -> tuple[dict, list[str], photos.Photo | None]:
    """Check an escort body (create: every field required; update: only those sent).

    :returns: ``(values, sent, photo)``: service keyword arguments with stored
        English keys/values, the contract names of the accepted fields in
        request order, and the decoded photo (None when not sent).
    :raises ValidationFailed: every refused field, named as in the contract.
    """
    errors: dict[str, list[str]] = {}
    values: dict = {}
    sent: list[str] = []
    for field in ("kategori_pengantar", "nama_pengantar", "jenis_kelamin", "nomor_hp", "plat_nomor",
                  "nama_pasien", "status"):
        value = data.get(field, _MISSING)
        label = LABELS[field]
        if value is _MISSING or value is None or (isinstance(value, str) and not value.strip()):
            if value is not _MISSING or (creating and field != "status"):
                errors[field] = [f"{label} wajib diisi."]
            continue
        if not isinstance(value, str):
            errors[field] = [f"{label} harus berupa teks."]
            continue
        value = value.strip()
        if has_control_chars(value):
            errors[field] = [f"{label} mengandung karakter yang tidak valid."]
            continue
        if field in CHOICES:
            if value not in CHOICES[field]:
                errors[field] = [f"The selected {field.replace('_', ' ')} is invalid."]
                continue
        else:
            low, high = LENGTHS[field]
            if len(value) < low:
                errors[field] = [f"{label} minimal {low} {_unit(field)}."]
                continue
            if len(value) > high:
                errors[field] = [f"{label} maksimal {high} {_unit(field)}."]
                continue
            if field == "nomor_hp" and not escorts.PHONE_RE.match(value):
                errors[field] = [f"{label} hanya boleh berisi angka."]
                continue
        key = FIELD_IN[field]
        values[key] = CATEGORY_IN.get(value, value) if field == "kategori_pengantar" else \
            GENDER_IN.get(value, value) if field == "jenis_kelamin" else value
        sent.append(field)
    photo = None
    raw = data.get(PHOTO_FIELD, _MISSING)
    if raw is _MISSING or raw is None or raw == "":
        if creating or raw is not _MISSING:
            errors[PHOTO_FIELD] = [f"{LABELS[PHOTO_FIELD]} wajib diisi."]
    else:
        try:
            photo = photos.decode_photo(raw, field=PHOTO_FIELD)
        except ValidationFailed as exc:
            message = next(iter(exc.errors.values()))[0]
            errors[PHOTO_FIELD] = [message.replace("The photo", "The foto pengantar base64")]
        else:
            sent.append(PHOTO_FIELD)
    if errors:
        raise invalid(errors)
    return values, sent, photo
