"""The sidebar: sections of links, each shown only to the roles that may open it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.roles import ADMIN_ROLES


@dataclass(frozen=True)
class NavLink:
    """One sidebar link: ``endpoint``, ``label``, who sees it (``staff``/``admin``),
    and optionally the name of a pending-work counter shown as a badge."""

    endpoint: str
    label: object
    rule: str = "staff"
    counter: str | None = None
    #: endpoint prefixes that light this link up (its edit pages too)
    match: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        """True when ``endpoint`` is this link's page or one of its sub-pages."""
        if not endpoint:
            return False
        return endpoint == self.endpoint or any(endpoint.startswith(p) for p in self.match)


#: (section heading or None, links)
NAVIGATION = (
    (None, (NavLink("admin.dashboard", _l("Dashboard")),)),
    (_l("Attendance"), (
        NavLink("review.index", _l("Attendance review"), counter="review", match=("review.",)),
        NavLink("attendance.report", _l("Attendance report"), match=("attendance.report",)),
        NavLink("recap.index", _l("Monthly recap"), match=("recap.index", "recap.export")),
        NavLink("corrections.index", _l("Corrections"), rule="admin", match=("corrections.",)),
        NavLink("accounts.device_resets", _l("Device resets"), counter="device_resets",
                match=("accounts.device_reset",)),
    )),
    (_l("Scheduling"), (
        NavLink("schedules.index", _l("Work schedules"), rule="admin", match=("schedules.",)),
        NavLink("rosters.grid", _l("Roster"), rule="admin",
                match=("rosters.grid", "rosters.cell", "rosters.import", "rosters.export")),
        NavLink("rosters.patterns", _l("Shift patterns"), rule="admin", match=("rosters.pattern", "rosters.apply")),
        NavLink("holidays.index", _l("Holidays"), rule="admin", match=("holidays.",)),
    )),
    (_l("Emergency room"), (
        NavLink("escorts.index", _l("ER escorts"), match=("escorts.",)),
    )),
    (_l("Clinic"), (
        NavLink("clinic_admin.patients", _l("Patients"), match=("clinic_admin.patient",)),
        NavLink("clinic_admin.service_fees", _l("Service fees"), rule="admin", match=("clinic_admin.service_fee",)),
    )),
    (_l("School"), (
        NavLink("school_admin.classes", _l("Classes"), rule="admin", match=("school_admin.class",)),
        NavLink("school_admin.cards", _l("Student QR cards"), match=("school_admin.card",)),
    )),
    (_l("Organisation"), (
        NavLink("accounts.users", _l("Users"), rule="admin", match=("accounts.user",)),
        NavLink("departments.index", _l("Departments"), rule="admin", match=("departments.",)),
        NavLink("places.offices", _l("Offices"), rule="admin", match=("places.",)),
        NavLink("kiosks.index", _l("Kiosks"), rule="admin", match=("kiosks.",)),
        NavLink("faces.index", _l("Face enrolment"), rule="admin", match=("faces.",)),
    )),
    (_l("System"), (
        NavLink("posts.announcements", _l("Announcements"), rule="admin", match=("posts.announcements",)),
        NavLink("posts.index", _l("Posts"), rule="admin",
                match=("posts.index", "posts.new", "posts.edit", "posts.publish")),
        NavLink("system.settings", _l("Settings"), rule="admin", match=("system.settings",)),
        NavLink("system.app_versions", _l("App versions"), rule="admin", match=("system.app_versions", "system.save")),
        NavLink("audit.index", _l("Audit trail"), rule="admin", match=("audit.",)),
    )),
)


def _counters() -> dict[str, int]:
    from ..accounts.services import pending_device_reset_count
    from ..review import pending_total

    try:
        return {"review": pending_total(),
                "device_resets": pending_device_reset_count()}
    except SQLAlchemyError:  # an error page must still render
        return {}


def navigation_for(user) -> list[tuple[object, list[tuple[NavLink, bool, int]]]]:
    """The sections ``user`` may see: ``[(heading, [(link, is_current, count), ...]), ...]``."""
    if not getattr(user, "is_authenticated", False) or user.role not in ADMIN_ROLES:
        return []
    counts = _counters()
    sections = []
    for heading, links in NAVIGATION:
        visible = []
        for link in links:
            if link.rule == "admin" and user.role != "admin":
                continue
            visible.append((link, link.is_current(request.endpoint), counts.get(link.counter, 0)))
        if visible:
            sections.append((heading, visible))
    return sections


def register_navigation(app: Flask) -> None:
    """Make ``navigation()`` available to templates (called only by the signed-in layout)."""

    @app.context_processor
    def _navigation():
        return {"navigation": lambda: navigation_for(current_user)}
