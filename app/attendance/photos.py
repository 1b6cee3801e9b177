"""Attendance photos sent as base64 (contract 002: ``photo`` on check-in/out and QR verify).

A photo is decoded with a size cap (:data:`MAX_PHOTO_BYTES`, decoded bytes) and
a pixel cap (:data:`MAX_PHOTO_SIDE_PX` per side), checked with Pillow, and
stored as a file — never as a data URL in the database — under
``<UPLOAD_FOLDER>/attendance/<yyyy>/<mm>/<event-id>-<uuid>.<jpg|png>``.
``UPLOAD_FOLDER`` defaults to ``<instance>/uploads``.  The path returned to
clients (``photo_path``) is relative to ``UPLOAD_FOLDER``, like the contract's
``profiles/admin.jpg``.

The path is kept on the event (``AttendanceEvent.photo_path``); the event id is
also in the file name, for people browsing the folder.
"""
from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from ..common.base64data import Base64Invalid, Base64TooLarge, decode_base64_text
from ..common.errors import NotFound, ValidationFailed
from ..common.i18n import N_
from ..extensions import db
from .models import AttendanceEvent

#: Largest decoded photo accepted, in bytes (2 MiB).
MAX_PHOTO_BYTES = 2 * 1024 * 1024
#: Largest width or height accepted, in pixels.
MAX_PHOTO_SIDE_PX = 4096
#: Request body limit (bytes) for the routes that carry a photo: the base64 of
#: :data:`MAX_PHOTO_BYTES` (4/3 of it) plus room for the other fields.
MAX_REQUEST_BYTES = 3 * 1024 * 1024
#: Pillow format → file extension of the formats accepted.
FORMATS = {"JPEG": "jpg", "PNG": "png"}


@dataclass(frozen=True)
class Photo:
    """A checked photo: its bytes, ``extension`` (``jpg``/``png``) and size in pixels."""

    data: bytes
    extension: str
    width: int
    height: int


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed({"photo": [message]})


def decode_photo(value, *, field: str = "photo") -> Photo:
    """Decode and check a base64 photo (any form of :mod:`app.common.base64data`: bare or a
    data URL, either alphabet, padding optional).

    :raises ValidationFailed: (``photo``) not a string, not base64, over
        :data:`MAX_PHOTO_BYTES` decoded, not a JPEG or PNG image, or wider or
        taller than :data:`MAX_PHOTO_SIDE_PX`.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        data = decode_base64_text(value, max_bytes=MAX_PHOTO_BYTES)
    except Base64TooLarge:
        raise _fail(f"The photo may not be greater than {MAX_PHOTO_BYTES // 1024} kilobytes.") from None
    except Base64Invalid:
        raise _fail("The photo must be a base64 encoded image.") from None
    try:
        with Image.open(io.BytesIO(data)) as image:  # reads the header only
            fmt, (width, height) = image.format, image.size
            if fmt not in FORMATS:
                raise _fail("The photo must be a JPEG or PNG image.")
            if width > MAX_PHOTO_SIDE_PX or height > MAX_PHOTO_SIDE_PX:
                raise _fail(f"The photo may not be larger than {MAX_PHOTO_SIDE_PX}x{MAX_PHOTO_SIDE_PX} pixels.")
            image.verify()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _fail("The photo must be a JPEG or PNG image.") from None
    return Photo(data, FORMATS[fmt], width, height)


def upload_root() -> Path:
    """``UPLOAD_FOLDER`` (config), default ``<instance>/uploads``."""
    return Path(current_app.config.get("UPLOAD_FOLDER") or Path(current_app.instance_path) / "uploads")


def store_photo(photo: Photo, folder: str, day, record_id: int) -> str:
    """Write ``photo`` to ``<folder>/<yyyy>/<mm>/<record_id>-<uuid>.<ext>`` under :func:`upload_root`.

    The file is written under a temporary name and renamed, so nobody sees a
    half-written photo.
    :returns: the path relative to :func:`upload_root` (what the database keeps).
    """
    relative = Path(folder, f"{day:%Y}", f"{day:%m}", f"{record_id}-{uuid.uuid4().hex}.{photo.extension}")
    target = upload_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    tmp.write_bytes(photo.data)
    tmp.replace(target)
    return relative.as_posix()


def save_photo(photo: Photo, event) -> str:
    """Store ``photo`` for attendance ``event`` (folder ``attendance``) and record its path on the event."""
    event.photo_path = store_photo(photo, "attendance", event.work_date, event.id)
    return event.photo_path


def find_photo(event) -> str | None:
    """The stored photo path of ``event`` (relative to :func:`upload_root`), or None."""
    return event.photo_path


def photo_file(event) -> Path | None:
    """The stored photo file of attendance ``event`` (an existing file inside :func:`upload_root`),
    or None: no photo, a missing file, or a stored path pointing outside the upload folder."""
    if not event.photo_path:
        return None
    root = upload_root().resolve()
    path = (root / event.photo_path).resolve()
    return path if root in path.parents and path.is_file() else None


def event_for_photo(event_id: int, *, owner_id: int | None = None) -> AttendanceEvent:
    """The attendance event ``event_id`` whose photo is asked for (whether it has one is
    :func:`send_event_photo`'s answer).

    ``owner_id``: the person asking for their own photo (everyone's own pages): another
    person's event is answered as a missing one, so nobody learns which ids exist.
    :raises NotFound: no such event, or (with ``owner_id``) not that person's.
    """
    event = db.session.get(AttendanceEvent, event_id)
    if event is None or (owner_id is not None and event.user_id != owner_id):
        raise NotFound(N_("Attendance event not found"))
    return event


def send_event_photo(event):
    """The HTTP response of ``event``'s photo, never cached (``Cache-Control: no-store, private``);
    aborts with 404 when :func:`photo_file` finds none.  The caller checks who may see it."""
    from flask import abort, send_file

    path = photo_file(event)
    if path is None:
        abort(404)
    response = send_file(path, max_age=0, conditional=False)
    response.headers["Cache-Control"] = "no-store, private"
    return response
