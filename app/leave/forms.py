"""Admin forms of leave requests (their section of the review inbox)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField
from wtforms.validators import DataRequired

from ..admin.forms import AdminForm, max_length


class ApproveLeaveForm(AdminForm):
    """Approving a leave request: an optional comment for the requester."""

    comment = TextAreaField(_l("Comment (optional)"), validators=[max_length(1000)])


class RejectLeaveForm(AdminForm):
    """Rejecting a leave request needs a comment (the requester sees it); blank space is no comment."""

    comment = TextAreaField(_l("Reason for rejecting"),
                            validators=[DataRequired(_l("A comment is required to reject a leave request.")),
                                        max_length(1000)])
