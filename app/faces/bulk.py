"""Bulk face enrolment from a ZIP file of ``<person>/<photo>`` entries (admin page ``/admin/faces/bulk``).

``<person>`` is the email, NPP or NISN/NIP/NIK of a user, matched as
``flask face enroll --user`` does (:func:`app.accounts.services.find_by_identifier`).  A single
top-level folder around everything (zipping a folder) is ignored.

Nothing is extracted to disk: :func:`plan_zip` reads the central directory
only and refuses the whole file when it has more than :data:`MAX_ENTRIES`
entries or claims more than :data:`MAX_TOTAL_BYTES` uncompressed; every entry
is then checked on its own (directories and ``__MACOSX``/hidden files are
left out; absolute paths, ``..``, backslashes and drive letters are refused;
non-JPEG/PNG names are skipped; an entry claiming more than
:data:`~app.faces.services.MAX_IMAGE_BYTES` is refused unread).
:func:`read_entry` reads one entry with the same cap applied to the bytes
actually inflated, so a header that lies about its size cannot blow up memory.

The plan is a list of plain dicts (JSON-serialisable, kept next to the ZIP
between requests): ``name`` (path in the ZIP), ``person`` (folder name),
``user_id`` (or None), ``status`` (``pending``, ``stored``, ``refused``,
``unknown``, ``skipped``), ``reason`` (a code, see :data:`REASONS`) and
``count`` (faces found, for ``several_faces``).
"""
from __future__ import annotations

import re
import zipfile

from . import services

#: Most entries (files and folders) in one ZIP.
MAX_ENTRIES = 1000
#: Most uncompressed bytes of all entries together (claimed by the ZIP): 512 MiB.
MAX_TOTAL_BYTES = 512 * 1024 * 1024
#: Largest ZIP upload accepted, in bytes (64 MiB).  The request limit of the upload route is raised to this.
MAX_ZIP_BYTES = 64 * 1024 * 1024
#: Photo name endings accepted (compared lower-cased).
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
#: Compression methods Python's zipfile inflates (others, e.g. Deflate64, are refused per entry).
READABLE_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})
#: Reason codes of refused or skipped entries.
REASONS = ("not_image", "path", "layout", "too_large", "encrypted", "invalid", "no_face",
           "several_faces", "limit", "unknown_person")

_DRIVE = re.compile(r"^[A-Za-z]:")


class ZipRefused(Exception):
    """The ZIP as a whole cannot be used; ``reason`` is ``not_zip``, ``too_many`` or ``too_big``."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _parts(name: str) -> list[str] | None:
    """The path components of an entry name, or None when the name is a path trick."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts) or not parts:
        return None
    return parts


def _hidden(parts: list[str]) -> bool:
    return parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)


def plan_zip(path, find_user) -> list[dict]:
    """Check the ZIP at ``path`` and list what to do with each entry.

    :param find_user: ``identifier → User or None`` (called once per folder).
    :returns: the plan (see the module docstring), in the ZIP's order; entries
        to enrol have ``status="pending"``.
    :raises ZipRefused: not a ZIP (``not_zip``), more than :data:`MAX_ENTRIES`
        entries (``too_many``), or more than :data:`MAX_TOTAL_BYTES` uncompressed (``too_big``).
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise ZipRefused("not_zip") from None
    if len(infos) > MAX_ENTRIES:
        raise ZipRefused("too_many")
    if sum(max(0, i.file_size) for i in infos) > MAX_TOTAL_BYTES:
        raise ZipRefused("too_big")

    files = []
    for info in infos:
        if info.is_dir():
            continue
        parts = _parts(info.filename)
        if parts is not None and _hidden(parts):
            continue
        files.append((info, parts))
    # a ZIP of one folder: <folder>/<person>/<photo> everywhere → drop <folder>
    good = [p for _i, p in files if p is not None]
    if good and len({p[0] for p in good}) == 1 and any(len(p) == 3 for p in good):
        files = [(i, p[1:] if p is not None else None) for i, p in files]

    users: dict[str, object] = {}
    plan = []
    for info, parts in files:
        item = {"name": info.filename[:300], "person": None, "user_id": None, "user_name": None,
                "status": "refused", "reason": None, "count": None}
        plan.append(item)
        if parts is None:
            item["reason"] = "path"
            continue
        if len(parts) != 2:
            item["reason"] = "layout"
            continue
        person = parts[0][:200]
        item["person"] = person
        if not parts[1].lower().endswith(IMAGE_SUFFIXES):
            item.update(status="skipped", reason="not_image")
            continue
        if info.flag_bits & 0x1:
            item["reason"] = "encrypted"
            continue
        if info.file_size > services.MAX_IMAGE_BYTES:
            item["reason"] = "too_large"
            continue
        if person not in users:
            users[person] = find_user(person)
        user = users[person]
        if user is None:
            item.update(status="unknown", reason="unknown_person")
            continue
        item.update(status="pending", user_id=user.id, user_name=user.name)
    return plan


def read_entry(path, name: str) -> bytes:
    """The bytes of entry ``name`` of the ZIP at ``path``, inflating at most
    :data:`~app.faces.services.MAX_IMAGE_BYTES` + 1 bytes.

    :raises services.FaceImageTooLarge: the entry inflates to more than the cap.
    :raises services.FaceImageInvalid: the entry is missing, encrypted, compressed with a
        method zipfile cannot inflate (:data:`READABLE_COMPRESSION`) or corrupt.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.getinfo(name).compress_type not in READABLE_COMPRESSION:
                raise services.FaceImageInvalid(field="photo")
            with archive.open(name) as entry:
                data = entry.read(services.MAX_IMAGE_BYTES + 1)
    except (KeyError, zipfile.BadZipFile, RuntimeError, OSError, ValueError, EOFError):
        raise services.FaceImageInvalid(field="photo") from None
    if len(data) > services.MAX_IMAGE_BYTES:
        raise services.FaceImageTooLarge(field="photo")
    return data
