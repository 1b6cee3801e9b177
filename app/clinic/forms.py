"""Admin forms of the clinic: validating procedures in the review inbox and the patients CSV
import (CSRF-protected posts).

The service-fee report's month and the patient search are plain GET query parameters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired

from ..admin.forms import AdminForm, max_length, required


class ApproveProcedureForm(AdminForm):
    """Approving a procedure: an optional note for the performer (``note``, ≤1000 characters)."""

    note = TextAreaField(_l("Note (optional)"), validators=[max_length(1000)])


class RejectProcedureForm(AdminForm):
    """Rejecting a procedure needs a note (the performer sees it; it costs them the share);
    blank space is no note."""

    note = TextAreaField(_l("Reason for rejecting"),
                         validators=[DataRequired(_l("A reason is required to reject a procedure.")),
                                     max_length(1000)])


class BulkApproveProceduresForm(AdminForm):
    """The checked procedures of the review inbox (``procedure_ids``, one value per checkbox)."""

    procedure_ids = SelectMultipleField(coerce=int, validate_choice=False,
                                        validators=[required(_l("Select at least one procedure."))])


class PatientImportForm(AdminForm):
    """Uploading a CSV file of patients (:mod:`app.clinic.views.imports`): ``file`` is required;
    its content is checked by the view (size, encoding, columns, every row)."""

    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))],
                     description=_l("UTF-8, separated by commas or semicolons, with a header row."))


class PatientImportConfirmForm(AdminForm):
    """Confirming a previewed patients import: ``token`` names the file kept on the server since the preview."""

    token = HiddenField(validators=[required()])
