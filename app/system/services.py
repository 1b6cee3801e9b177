"""App-version checks (contract 001, "Check App Version")."""
from __future__ import annotations

from dataclasses import dataclass

from ..common.errors import NotFound, ValidationFailed
from ..extensions import db
from .models import PLATFORMS, AppVersion


@dataclass(frozen=True)
class VersionVerdict:
    """What a client of build ``build_number`` must do.

    ``state`` is one of ``maintenance``, ``force_update``, ``update_available``,
    ``up_to_date``; ``version`` is the platform's row (None if none is set,
    which means "up to date").
    """

    state: str
    version: AppVersion | None


def parse_platform(value) -> str:
    """:raises ValidationFailed: not ``android`` or ``ios``."""
    if value not in PLATFORMS:
        raise ValidationFailed({"platform": ["The platform must be android or ios."]})
    return value


def latest_version(platform: str) -> AppVersion:
    """:raises NotFound: no version row for this platform."""
    row = db.session.scalar(db.select(AppVersion).filter_by(platform=parse_platform(platform)))
    if row is None:
        raise NotFound("No version information for this platform")
    return row


def check_version(platform: str, build_number: int) -> VersionVerdict:
    """Decide between maintenance, forced update, optional update, or nothing.

    Order (contract 001, "Mobile App Logic"): maintenance first, then a build
    below ``min_build_number`` (force), then below ``build_number`` (optional).
    """
    row = db.session.scalar(db.select(AppVersion).filter_by(platform=parse_platform(platform)))
    if row is None:
        return VersionVerdict("up_to_date", None)
    if row.maintenance_mode:
        return VersionVerdict("maintenance", row)
    if build_number < row.min_build_number:
        return VersionVerdict("force_update", row)
    if build_number < row.build_number:
        return VersionVerdict("update_available", row)
    return VersionVerdict("up_to_date", row)
