"""Forms of the face enrolment pages (admins only); every one carries a CSRF token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired, MultipleFileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired

from ..admin.forms import AdminForm, max_length, required


class PhotoUploadForm(AdminForm):
    """One or more photos of one person (``photos``: a list of uploaded files).

    The page's script sends the photos one per request, downscaled in the
    browser; without the script, the browser posts every chosen file at once.
    """

    photos = MultipleFileField(_l("Photos"), description=_l(
        "JPEG or PNG, one face per photo. You may choose several photos at once."))

    def files(self) -> list:
        """The uploaded files that carry a name (a browser sends an empty part when none was chosen)."""
        return [f for f in (self.photos.data or []) if f is not None and getattr(f, "filename", "")]


class ConfirmForm(AdminForm):
    """A button that only needs the CSRF token (deleting a sample)."""


class BulkUploadForm(AdminForm):
    """A ZIP file of ``<person>/<photo>`` entries (see :mod:`app.faces.bulk`)."""

    file = FileField(_l("ZIP file"), validators=[FileRequired(_l("Choose a ZIP file."))])


class BulkStepForm(AdminForm):
    """Continuing a bulk enrolment: ``token`` names the ZIP kept on the server."""

    token = HiddenField(validators=[required()])


class RejectEnrolmentForm(AdminForm):
    """Rejecting a pending face enrolment needs a reason (the person sees it)."""

    note = TextAreaField(_l("Reason for rejecting"),
                         validators=[DataRequired(_l("A reason is required to reject.")), max_length(500)])
