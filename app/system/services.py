"""App-version checks (contract 001, "Check App Version")."""
from __future__ import annotations

from dataclasses import dataclass

from ..common.errors import NotFound, ValidationFailed
from ..common.i18n import N_
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
        raise ValidationFailed({"platform": [N_("The platform must be android or ios.")]})
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


# --- admin web app ---------------------------------------------------------------

import re  # noqa: E402

_VERSION_RE = re.compile(r"^\d+(\.\d+){0,3}$")


def app_versions() -> dict[str, AppVersion | None]:
    """The version row of each platform (None where none is set yet), in :data:`PLATFORMS` order."""
    rows = {row.platform: row for row in db.session.scalars(db.select(AppVersion))}
    return {platform: rows.get(platform) for platform in PLATFORMS}


def save_app_version(platform: str, *, version_code: str, build_number, min_version_code: str, min_build_number,
                     store_url: str | None = None, changelog: str | None = None, update_message: str | None = None,
                     maintenance_mode: bool = False, maintenance_message: str | None = None,
                     actor=None) -> AppVersion:
    """Create or update the version row of ``platform`` (audited as ``app_version.update``,
    the changed fields before → after, by ``actor``).

    Versions are dotted numbers (``2.1.0``), builds whole numbers >= 0, the
    minimum build no higher than the latest, the store URL http(s), and a
    maintenance message is required while maintenance mode is on.
    :raises ValidationFailed: (keys of the model).
    """
    platform = parse_platform(platform)
    errors: dict[str, list[str]] = {}
    values = {}
    for key, value in (("version_code", version_code), ("min_version_code", min_version_code)):
        value = (value or "").strip()
        if not value or len(value) > 20 or not _VERSION_RE.match(value):
            errors[key] = [N_("Use a version like 2.1.0 (at most 20 characters).")]
        values[key] = value
    for key, value in (("build_number", build_number), ("min_build_number", min_build_number)):
        try:
            number = int(value)
            if isinstance(value, bool) or not 0 <= number <= 2_147_483_647:
                raise ValueError
        except (TypeError, ValueError):
            errors[key] = [N_("The build number must be a whole number of at least 0.")]
            number = None
        values[key] = number
    if "build_number" not in errors and "min_build_number" not in errors \
            and values["min_build_number"] > values["build_number"]:
        errors["min_build_number"] = [N_("The minimum build may not be higher than the latest build.")]
    store_url = (store_url or "").strip() or None
    if store_url and (len(store_url) > 255 or not re.match(r"^https?://[^\s/]+\S*$", store_url)):
        errors["store_url"] = [N_("Enter an http(s) address of at most 255 characters.")]
    values["store_url"] = store_url
    values["changelog"] = (changelog or "").strip() or None
    values["update_message"] = (update_message or "").strip() or None
    values["maintenance_mode"] = bool(maintenance_mode)
    values["maintenance_message"] = (maintenance_message or "").strip() or None
    if values["maintenance_mode"] and not values["maintenance_message"]:
        errors["maintenance_message"] = [N_("A message is required while maintenance mode is on.")]
    if errors:
        raise ValidationFailed(errors)
    from ..audit.services import record, snapshot

    row = db.session.scalar(db.select(AppVersion).filter_by(platform=platform))
    before = snapshot(row, values) if row is not None else None
    if row is None:
        row = AppVersion(platform=platform, **values)
        db.session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    db.session.flush()
    record(actor, "app_version.update", subject_type="app_version", subject_id=row.id,
           before={"platform": platform, **before} if before else None, after={"platform": platform, **values},
           about={"platform": platform})
    return row
