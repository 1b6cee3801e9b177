"""The sidebar: sections of links, each shown only to the roles that may open it.

A link is shown when the signed-in person passes the access rule of the link's own view
(:func:`app.admin.access.may_open`): the navigation follows the server's rules and
cannot drift from them.  ``only`` narrows a link further (the dashboard, whose view
sends everyone else to their home page).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..accounts.roles import ADMIN_ROLES
from .access import may_open


def _approves_leave(user) -> bool:
    from ..leave.approvers import approves_anyone

    return approves_anyone(user)


@dataclass(frozen=True)
class NavLink:
    """One sidebar link: ``endpoint``, ``label``, optionally the roles it is shown to beyond
    the view's own rule (``only``) and the name of a pending-work counter shown as a badge."""

    endpoint: str
    label: object
    only: frozenset | None = None
    #: a further test of the person (``user -> bool``), e.g. whether they approve anyone's leave
    when: object = None
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
    (None, (NavLink("admin.dashboard", _l("Dashboard"), only=ADMIN_ROLES),)),
    (_l("My pages"), (
        NavLink("me.home", _l("My home"), match=("me.home",)),
        NavLink("me.schedule", _l("My schedule"), match=("me.schedule",)),
        NavLink("me.month", _l("My month"), match=("me.month",)),
        NavLink("my_leave.index", _l("My leave"), match=("my_leave.index", "my_leave.new")),
        NavLink("my_leave.approvals", _l("Leave approvals"), match=("my_leave.approv",), when=_approves_leave),
        NavLink("me.service_fees", _l("My service fees"), match=("me.service_fees",)),
        NavLink("me.device_reset", _l("Device reset"), match=("me.device_reset",)),
        NavLink("me.profile", _l("Profile and password"), match=("me.profile", "me.password")),
    )),
    (_l("Teaching"), (
        NavLink("school_admin.roll_call", _l("Roll call"), match=("school_admin.roll_call",)),
        NavLink("school_admin.school_today", _l("School today"), match=("school_admin.school_today",)),
        NavLink("school_admin.teachers_recap", _l("Teachers’ recap"), match=("school_admin.teachers_recap",)),
    )),
    (_l("Attendance"), (
        NavLink("review.index", _l("Attendance review"), counter="review", match=("review.",)),
        NavLink("attendance.report", _l("Attendance report"), match=("attendance.report",)),
        NavLink("recap.index", _l("Monthly recap"), match=("recap.index", "recap.export")),
        NavLink("corrections.index", _l("Corrections"), match=("corrections.",)),
        NavLink("accounts.device_resets", _l("Device resets"), counter="device_resets",
                match=("accounts.device_reset",)),
    )),
    (_l("Scheduling"), (
        NavLink("schedules.index", _l("Work schedules"), match=("schedules.",)),
        NavLink("rosters.grid", _l("Roster"),
                match=("rosters.grid", "rosters.cell", "rosters.import", "rosters.export")),
        NavLink("rosters.patterns", _l("Shift patterns"), match=("rosters.pattern", "rosters.apply")),
        NavLink("holidays.index", _l("Holidays"), match=("holidays.",)),
    )),
    (_l("Emergency room"), (
        NavLink("escorts.index", _l("ER escorts"), match=("escorts.",)),
    )),
    (_l("Clinic"), (
        NavLink("clinic_admin.patients", _l("Patients"), match=("clinic_admin.patient",)),
        NavLink("clinic_admin.service_fees", _l("Service fees"), match=("clinic_admin.service_fee",)),
    )),
    (_l("School"), (
        NavLink("school_admin.classes", _l("Classes"), match=("school_admin.class",)),
        NavLink("school_admin.cards", _l("Student QR cards"), match=("school_admin.card",)),
    )),
    (_l("Organisation"), (
        NavLink("accounts.users", _l("Users"), match=("accounts.user",)),
        NavLink("departments.index", _l("Departments"), match=("departments.",)),
        NavLink("places.offices", _l("Offices"), match=("places.",)),
        NavLink("kiosks.index", _l("Kiosks"), match=("kiosks.",)),
        NavLink("faces.index", _l("Face enrolment"), match=("faces.",)),
    )),
    (_l("System"), (
        NavLink("posts.announcements", _l("Announcements"), match=("posts.announcements",)),
        NavLink("posts.index", _l("Posts"),
                match=("posts.index", "posts.new", "posts.edit", "posts.publish")),
        NavLink("system.settings", _l("Settings"), match=("system.settings",)),
        NavLink("system.app_versions", _l("App versions"), match=("system.app_versions", "system.save")),
        NavLink("audit.index", _l("Audit trail"), match=("audit.",)),
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
    if not getattr(user, "is_authenticated", False):
        return []
    counts = _counters() if user.role in ADMIN_ROLES else {}
    sections = []
    for heading, links in NAVIGATION:
        visible = []
        for link in links:
            if (link.only is not None and user.role not in link.only) or not may_open(user, link.endpoint):
                continue
            if link.when is not None and not link.when(user):
                continue
            visible.append((link, link.is_current(request.endpoint), counts.get(link.counter, 0)))
        if visible:
            sections.append((heading, visible))
    return sections


def register_navigation(app: Flask) -> None:
    """Make ``navigation()`` (called only by the signed-in layout), ``may_open(endpoint)`` (show a
    link or button only to those whose role passes its view's rule), ``may_use_web_app(user)``
    and ``home_endpoint(user)`` available to templates."""

    from .access import home_endpoint, may_use_web_app

    @app.context_processor
    def _navigation():
        return {"navigation": lambda: navigation_for(current_user),
                "may_open": lambda endpoint: may_open(current_user, endpoint)}

    app.jinja_env.globals.update(may_use_web_app=may_use_web_app, home_endpoint=home_endpoint)
