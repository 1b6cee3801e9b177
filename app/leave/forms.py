"""Forms of leave requests: the review inbox's decisions and the requester's own pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, TextAreaField
from wtforms.validators import DataRequired

from ..admin.forms import AdminForm, max_length, required


class ApproveLeaveForm(AdminForm):
    """Approving a leave request: an optional comment for the requester."""

    comment = TextAreaField(_l("Comment (optional)"), validators=[max_length(1000)])


class RejectLeaveForm(AdminForm):
    """Rejecting a leave request needs a comment (the requester sees it); blank space is no comment."""

    comment = TextAreaField(_l("Reason for rejecting"),
                            validators=[DataRequired(_l("A comment is required to reject a leave request.")),
                                        max_length(1000)])


class LeaveRequestForm(AdminForm):
    """Asking for leave in the web app: type, first and last day (local dates), reason, an optional
    photo or PDF (a doctor's note); the service checks the rest (overlap, balance, the file's content)."""

    leave_type = SelectField(_l("Leave type"), choices=[], validators=[required(_l("Choose a leave type."))])
    start_date = DateField(_l("First day"), validators=[required(_l("Enter the first day."))])
    end_date = DateField(_l("Last day"), validators=[required(_l("Enter the last day."))])
    reason = TextAreaField(_l("Reason"), validators=[required(_l("Enter a reason.")), max_length(2000)])
    attachment = FileField(_l("Attachment (optional)"),
                           description=_l("A photo or PDF, e.g. a doctor's note, at most 5 MB."))

    def __init__(self, *args, **kwargs):
        from ..admin.filters import LEAVE_TYPE_LABELS

        super().__init__(*args, **kwargs)
        self.leave_type.choices = [(key, label) for key, label in LEAVE_TYPE_LABELS.items()]


class CancelLeaveForm(AdminForm):
    """Withdrawing one's own pending request (only the CSRF token)."""
