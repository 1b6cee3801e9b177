"""Leave attachments: a doctor's note, a letter — a photo (JPEG, PNG) or a PDF.

Checked by content, not by the file name: a JPEG or PNG that Pillow opens (at most
:data:`MAX_SIDE_PX` pixels a side) or a file starting with ``%PDF-``; at most
:data:`MAX_BYTES`.  Stored under ``<UPLOAD_FOLDER>/leave/<yyyy>/<mm>/<leave-id>-<uuid>.<ext>``
(:func:`app.attendance.photos.store_photo`); the leave keeps the path relative to
``UPLOAD_FOLDER`` (``LeaveRequest.attachment_path``), as the school app's contract does.
"""
from __future__ import annotations

import io
from pathlib import Path

from ..attendance.photos import Photo, store_photo, upload_root
from ..common.errors import ValidationFailed
from ..common.i18n import N_

#: Largest attachment, bytes (5 MiB: a phone photo of a letter).
MAX_BYTES = 5 * 1024 * 1024
#: Largest width or height of a photo, pixels.
MAX_SIDE_PX = 8000
#: Content type of each stored extension (for sending it back).
MIMETYPES = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}


def _fail(message: str) -> ValidationFailed:
    return ValidationFailed({"attachment": [message]})


def check_attachment(data: bytes) -> str:
    """The extension (``jpg``, ``png`` or ``pdf``) of an acceptable attachment.

    :raises ValidationFailed: (``attachment``) empty, over :data:`MAX_BYTES`, or not a JPEG, PNG or PDF.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise _fail(N_("The attachment is empty."))
    if len(data) > MAX_BYTES:
        raise _fail(N_("The attachment may not be greater than 5 megabytes."))
    if data.startswith(b"%PDF-"):
        return "pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if fmt not in ("JPEG", "PNG") or width > MAX_SIDE_PX or height > MAX_SIDE_PX:
                raise _fail(N_("The attachment must be a photo (JPEG or PNG) or a PDF."))
            image.verify()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _fail(N_("The attachment must be a photo (JPEG or PNG) or a PDF.")) from None
    return "jpg" if fmt == "JPEG" else "png"


def store_attachment(data: bytes, extension: str, leave) -> str:
    """Write a checked attachment for ``leave`` and return its path relative to ``UPLOAD_FOLDER``."""
    return store_photo(Photo(data, extension, 0, 0), "leave", leave.start_date, leave.id)


def attachment_file(leave) -> tuple[Path, str] | None:
    """``(absolute path, content type)`` of ``leave``'s stored attachment, or None (none, or not a file here:
    the school app may record a path of its own storage)."""
    if not leave.attachment_path:
        return None
    root = upload_root().resolve()
    path = (root / leave.attachment_path).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path, MIMETYPES.get(path.suffix.lstrip(".").lower(), "application/octet-stream")
