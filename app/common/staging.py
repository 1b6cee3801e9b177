"""Private folders under ``UPLOAD_FOLDER`` for work that spans several requests
(a CSV import hashed a few rows at a time, a ZIP of face photos enrolled a few
photos at a time): the upload is kept there under a random token between steps.

Files older than :data:`STAGED_MAX_AGE_S` are removed by :func:`purge_old` (an
abandoned import does not stay for ever).  :class:`StagedUploads` keeps an upload
between the requests of an import (users, patients, rosters, a ZIP of face photos).
"""
from __future__ import annotations

import io
import os
import re
import secrets
import time
from pathlib import Path
from typing import BinaryIO

from flask import current_app, session

#: How long a staged upload is kept, in seconds (a day).
STAGED_MAX_AGE_S = 24 * 3600


def staging_dir(name: str) -> Path:
    """``UPLOAD_FOLDER/<name>``, created with mode 0700 (only the app's user reads it)."""
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / name
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def purge_old(folder: Path, max_age_s: float = STAGED_MAX_AGE_S) -> None:
    """Delete the files of ``folder`` last modified more than ``max_age_s`` seconds ago
    (files that vanish meanwhile, or cannot be removed, are left to the next purge)."""
    limit = time.time() - max_age_s
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue


class StagedUploads:
    """Uploads kept between the requests of one import, one per browser session.

    The file is stored as ``UPLOAD_FOLDER/<folder>/<token><suffix>`` (mode 0600, a random
    URL-safe token of 43 characters) and the token is remembered in the uploader's
    Flask session under ``session_key``: another session cannot use it, a stale or
    forged token finds nothing.  Staging a new file purges files older than
    :data:`STAGED_MAX_AGE_S` and the session's previous file.  Work that spans several
    requests keeps its state in side files next to the upload (:meth:`side_path`,
    :meth:`write_side`: a users import's password hashes, a face ZIP's plan); ``sides``
    names their suffixes so that :meth:`discard` removes them too, and
    ``session_extras`` the other session keys the import keeps (forgotten with it).
    Users: users CSV import (with hashes), patients and rosters CSV imports, face ZIP bulk
    enrolment (with its plan and step lock).
    """

    _TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

    def __init__(self, folder: str, session_key: str, *, suffix: str = ".csv", sides: tuple[str, ...] = (),
                 session_extras: tuple[str, ...] = ()):
        self.folder = folder
        self.session_key = session_key
        self.suffix = suffix
        self.sides = sides
        self.session_extras = session_extras

    def _dir(self) -> Path:
        return staging_dir(self.folder)

    def _valid(self, token) -> bool:
        return bool(token) and isinstance(token, str) and self._TOKEN.match(token) is not None

    def owns(self, token: str | None) -> bool:
        """Whether ``token`` is well-formed and the uploader's own (the one in their session)."""
        return self._valid(token) and session.get(self.session_key) == token

    def path(self, token: str | None) -> Path | None:
        """The kept file of ``token`` when the token is well-formed and the file exists, else None."""
        if not self._valid(token):
            return None
        path = self._dir() / f"{token}{self.suffix}"
        return path if path.is_file() else None

    def side_path(self, token: str, side: str) -> Path:
        """Where the side file ``side`` (a suffix such as ``.json``) of a well-formed ``token`` lives.

        :raises ValueError: a malformed token (never a path outside the folder).
        """
        if not self._valid(token):
            raise ValueError("malformed staging token")
        return self._dir() / f"{token}{side}"

    def write_side(self, token: str, side: str, text: str) -> None:
        """Replace the side file ``side`` of ``token`` with ``text`` at once (mode 0600; readers
        never see half a file)."""
        path = self.side_path(token, side)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
        os.replace(tmp, path)

    def stage(self, data: bytes) -> str:
        """Keep ``data`` under a new token (remembered in the session); returns the token."""
        token, _size = self.stage_stream(io.BytesIO(data))
        return token

    def stage_stream(self, stream: BinaryIO, max_bytes: int | None = None) -> tuple[str | None, int]:
        """Keep what ``stream`` holds, read in 1 MiB chunks, under a new token (remembered in the session).

        :returns: ``(token, bytes)``; when the stream holds more than ``max_bytes``, nothing is
            kept and the answer is ``(None, bytes read so far)`` (more than ``max_bytes``).
        """
        purge_old(self._dir(), STAGED_MAX_AGE_S)
        previous = session.get(self.session_key)
        if previous:
            self.discard(previous)
        token = secrets.token_urlsafe(32)
        path = self._dir() / f"{token}{self.suffix}"
        size = 0
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    break
                fh.write(chunk)
        if max_bytes is not None and size > max_bytes:
            path.unlink(missing_ok=True)
            return None, size
        session[self.session_key] = token
        return token, size

    def load(self, token: str | None) -> bytes | None:
        """The uploader's kept file, or None (malformed token, another session's, gone)."""
        path = self.path(token) if self.owns(token) else None
        return path.read_bytes() if path is not None else None

    def discard(self, token: str | None) -> None:
        """Delete the kept file of ``token`` and its side files, and forget the token (with the
        import's other session keys) when it is the session's."""
        if self._valid(token):
            for suffix in (self.suffix, *self.sides, *(side + ".tmp" for side in self.sides)):
                (self._dir() / f"{token}{suffix}").unlink(missing_ok=True)
        if token and session.get(self.session_key) == token:
            session.pop(self.session_key, None)
            for key in self.session_extras:
                session.pop(key, None)
