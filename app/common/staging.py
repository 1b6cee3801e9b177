"""Private folders under ``UPLOAD_FOLDER`` for work that spans several requests
(a CSV import hashed a few rows at a time, a ZIP of face photos enrolled a few
photos at a time): the upload is kept there under a random token between steps.

Files older than :data:`STAGED_MAX_AGE_S` are removed by :func:`purge_old` (an
abandoned import does not stay for ever).  :class:`StagedUploads` keeps a CSV file
between an import's preview and its confirmation (patients, rosters).
"""
from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

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
    """Uploads kept between an import's preview and its confirmation, one per browser session.

    The file is stored as ``UPLOAD_FOLDER/<folder>/<token>.csv`` (mode 0600, a random
    URL-safe token of 43 characters) and the token is remembered in the uploader's
    Flask session under ``session_key``: another session cannot confirm it, a stale or
    forged token finds nothing.  Staging a new file purges files older than
    :data:`STAGED_MAX_AGE_S` and the session's previous file.
    """

    _TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")

    def __init__(self, folder: str, session_key: str):
        self.folder = folder
        self.session_key = session_key

    def _dir(self) -> Path:
        return staging_dir(self.folder)

    def path(self, token: str | None) -> Path | None:
        """The kept file of ``token`` when the token is well-formed and the file exists, else None."""
        if not token or not isinstance(token, str) or not self._TOKEN.match(token):
            return None
        path = self._dir() / f"{token}.csv"
        return path if path.is_file() else None

    def stage(self, data: bytes) -> str:
        """Keep ``data`` under a new token (remembered in the session); returns the token."""
        purge_old(self._dir(), STAGED_MAX_AGE_S)
        previous = session.get(self.session_key)
        if previous:
            self.discard(previous)
        token = secrets.token_urlsafe(32)
        fd = os.open(self._dir() / f"{token}.csv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        session[self.session_key] = token
        return token

    def load(self, token: str | None) -> bytes | None:
        """The uploader's kept file, or None (malformed token, another session's, gone)."""
        path = self.path(token) if token and session.get(self.session_key) == token else None
        return path.read_bytes() if path is not None else None

    def discard(self, token: str | None) -> None:
        """Delete the kept file of ``token`` and forget the token."""
        path = self.path(token)
        if path is not None:
            path.unlink(missing_ok=True)
        if token and session.get(self.session_key) == token:
            session.pop(self.session_key, None)
