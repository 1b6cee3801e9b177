"""The review inbox: one admin screen where what waits for a human decision is listed, across domains.

The screen (``GET /admin/attendance/review``, :mod:`.views`) knows no domain.  Each domain that
has something to review *registers a section*; the screen shows the registered sections in
their ``order``, the sidebar badge counts what all of them hold, and every decision re-renders
the whole inbox (``#review-list``, swapped by htmx) or redirects back to it.

Sections today: flagged attendance events (``app.attendance.views``, order 10), leave requests
(``app.leave.views``, 20), the clinic's procedures awaiting validation (``app.clinic.review``, 30),
overtime claims (``app.attendance.overtime_views``, 40).

Adding a section (pending face enrolments, overtime claims, corrections ...) is four small steps,
all in the domain that owns the items — nothing here changes:

1. **A partial template**, ``templates/<domain>/_partials/review_<items>.html``: one
   ``<section class="card" id="<key>">`` rendered with the section's own variables plus the
   inbox's (``decision``, ``page_number``; see :func:`.views.render_inbox`).  Decision forms post
   with ``hx-post`` and need no ``hx-target`` (the inbox's ``#review-list`` is the target);
   ``macros/decisions.html`` has the approve / reject rows and buttons.
2. **A loader and a counter**: ``load(state: InboxState) -> dict`` returns the template's
   variables (typically the oldest pending items, their total, and whether ``state.user`` may
   decide); ``count() -> int`` the number of items waiting (for the badge).
3. **Decision routes** on a blueprint of the domain, mounted under the inbox
   (``url_prefix="/admin/attendance/review/<items>"``) and listed in
   ``app.admin.ADMIN_BLUEPRINTS``.  A route loads the item (404), then calls
   :func:`decide` (form + service call + success message; a refusal re-opens the form with its
   error) or runs its service and answers with :func:`answer` (a notice on the inbox).
4. **Register** it at import time of that module::

       register_section(ReviewSection(key="overtime", order=40, load=_load, count=_count,
                                      template="schedules/_partials/review_overtime.html"))

A refused decision must leave nothing half-written: the inbox's helpers roll the request back
before they answer.
"""
from __future__ import annotations

from .sections import (InboxState, OpenDecision, ReviewSection, pending_counts, pending_total, register_section,
                       registered_sections)
from .views import answer, decide, page_number, render_inbox

__all__ = ["InboxState", "OpenDecision", "ReviewSection", "answer", "decide", "page_number", "pending_counts",
           "pending_total",
           "register_section", "registered_sections", "render_inbox"]
