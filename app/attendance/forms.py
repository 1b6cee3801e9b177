"""Admin forms of the attendance review."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired

from ..admin.forms import AdminForm, max_length, required


class RejectEventForm(AdminForm):
    """Rejecting a flagged event needs a reason (the person sees it)."""

    note = TextAreaField(_l("Reason for rejecting"),
                         validators=[required(_l("A reason is required to reject.")), max_length(1000)])


class BulkApproveForm(AdminForm):
    """The checked events of the review list (``event_ids``, one value per checkbox)."""

    event_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                    validators=[required(_l("Select at least one event."))])


class ApproveLeaveForm(AdminForm):
    """Approving a leave request: an optional comment for the requester."""

    comment = TextAreaField(_l("Comment (optional)"), validators=[max_length(1000)])


class RejectLeaveForm(AdminForm):
    """Rejecting a leave request needs a comment (the requester sees it); blank space is no comment."""

    comment = TextAreaField(_l("Reason for rejecting"),
                            validators=[DataRequired(_l("A comment is required to reject a leave request.")),
                                        max_length(1000)])
