"""Private folders under ``UPLOAD_FOLDER`` for work that spans several requests
(a CSV import hashed a few rows at a time, a ZIP of face photos enrolled a few
photos at a time): the upload is kept there under a random token between steps.

Files older than :data:`STAGED_MAX_AGE_S` are removed by :func:`purge_old` (an
abandoned import does not stay for ever).
"""
from __future__ import annotations

import time
from pathlib import Path

from flask import current_app

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
