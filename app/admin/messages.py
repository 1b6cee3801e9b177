"""Translations of the English messages that services and WTForms produce.

Services speak English (they serve five API dialects too); the admin pages
show their messages in the user's language.  Every message a service or
WTForms may put next to a field is listed here with ``lazy_gettext`` so that
``pybabel extract`` puts it in the catalogs; :func:`translate_message` looks a
message up at render time and falls back to the English text.
"""
from __future__ import annotations

from flask_babel import gettext, lazy_gettext as _l

KNOWN_MESSAGES = (
    # app.accounts.services
    _l("Name is required (at most 120 characters)."),
    _l("Unknown role."),
    _l("Not a valid email address."),
    _l("At most 32 characters."),
    _l("The password must be at least 8 characters."),
    _l("This request has already been processed"),
    _l("A note is required to reject a request."),
    _l("Device reset request not found"),
    _l("User not found"),
    # app.attendance.services
    _l("This attendance event has already been reviewed"),
    _l("A reason is required to reject."),
    _l("Select at least one event."),
    _l("Attendance event not found"),
    # app.kiosk.services
    _l("Name is required (at most 100 characters)."),
    _l("Unknown office."),
    _l("Choose at least one mode."),
    # app.attendance.reports
    _l("The end date must not be before the start date."),
    _l("A report covers at most 62 days."),
    # app.system.settings
    _l("The value must list weekdays 1-7 (1 = Monday), e.g. 1,2,3,4,5."),
    # app.places.services
    _l("Code is required (at most 20 characters)."),
    _l("Name is required."),
    _l("The name may not be greater than 120 characters."),
    _l("The latitude field is required."),
    _l("The longitude field is required."),
    _l("The latitude must be a number."),
    _l("The longitude must be a number."),
    _l("The latitude may not be greater than 50 characters."),
    _l("The longitude may not be greater than 50 characters."),
    _l("The latitude must be a finite number."),
    _l("The longitude must be a finite number."),
    _l("The latitude must be between -90 and 90."),
    _l("The longitude must be between -180 and 180."),
    _l("Radius must be a whole number of metres between 1 and 100000."),
    _l("Office not found"),
    # app.schedules.services
    _l("The name field is required."),
    _l("The check_in_start field is required."),
    _l("The check_out_start field is required."),
    _l("The name must be a non-empty string."),
    _l("The name may not be greater than 100 characters."),
    _l("The check_in_start must be a time in HH:mm:ss format."),
    _l("The check_in_end must be a time in HH:mm:ss format."),
    _l("The check_out_start must be a time in HH:mm:ss format."),
    _l("The check_out_end must be a time in HH:mm:ss format."),
    _l("The late_after must be a time in HH:mm:ss format."),
    _l("The check-in window must not be empty."),
    _l("The check-out window must not be empty."),
    _l("Check-out cannot start when check-in starts."),
    _l("Cannot delete the last attendance time setting"),
    _l("Cannot delete the active attendance time setting; activate another one first"),
    _l("Activate another attendance time setting instead of deactivating the active one"),
    _l("Attendance time setting not found"),
    # app.posts.services
    _l("The title is required."),
    _l("The title may not be greater than 200 characters."),
    _l("The content is required."),
    _l("Unknown category."),
    _l("Unknown status."),
    _l("The publication time needs a time zone."),
    _l("Post not found"),
    # app.system.services
    _l("Use a version like 2.1.0 (at most 20 characters)."),
    _l("The build number must be a whole number of at least 0."),
    _l("The minimum build may not be higher than the latest build."),
    _l("Enter an http(s) address of at most 255 characters."),
    _l("A message is required while maintenance mode is on."),
    _l("The platform must be android or ios."),
    # app.clinic.bulk / app.clinic.services: patients (the admin CSV import shows them per row)
    _l("The name must not be greater than 255 characters."),
    _l("The record number must not be greater than 32 characters."),
    _l("The address must not be greater than 1000 characters."),
    _l("The phone must not be greater than 32 characters."),
    _l("The email must not be greater than 254 characters."),
    _l("The email must be a valid email address."),
    _l("The birth date does not match the format Y-m-d."),
    _l("The birth date is not a valid date."),
    _l("The birth date must be a date before or equal to today."),
    _l("The selected sex is invalid."),
    _l("The record number has already been taken."),
    _l("The record number appears more than once in the batch."),
    # app.leave.services, app.leave.attachments, app.leave.balance
    _l("The selected leave type is invalid."),
    _l("The end date must be a date after or equal to start date."),
    _l("The leave may not be longer than 366 days."),
    _l("The reason may not be greater than 2000 characters."),
    _l("The attachment is empty."),
    _l("The attachment may not be greater than 5 megabytes."),
    _l("The attachment must be a photo (JPEG or PNG) or a PDF."),
    _l("The annual leave must be a whole number of days from 0 to 365."),
    # WTForms' own messages (fields that parse their input)
    _l("Not a valid integer value."),
    _l("Not a valid float value."),
    _l("Not a valid decimal value."),
    _l("Not a valid time value."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("This field is required."),
    _l("Invalid input."),
)


def translate_message(message) -> str:
    """``message`` in the current language when the catalogs know it, else unchanged."""
    return gettext(str(message))
