"""Admin form of the mobile app's version row of one platform."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField

from ..admin.forms import AdminForm, max_length, optional, required


class AppVersionForm(AdminForm):
    """Latest and minimum version/build, store URL, texts, maintenance mode."""

    version_code = StringField(_l("Latest version"), validators=[required(), max_length(20)],
                               description=_l("e.g. 2.1.0"))
    build_number = IntegerField(_l("Latest build"), validators=[required()])
    min_version_code = StringField(_l("Minimum version"), validators=[required(), max_length(20)])
    min_build_number = IntegerField(_l("Minimum build"), validators=[required()],
                                    description=_l("Older builds must update before they can be used."))
    store_url = StringField(_l("Store URL"), validators=[optional(), max_length(255)])
    update_message = TextAreaField(_l("Update message"), validators=[optional(), max_length(1000)])
    changelog = TextAreaField(_l("Changelog"), validators=[optional(), max_length(5000)])
    maintenance_mode = BooleanField(_l("Maintenance mode (every app on this platform is blocked)"))
    maintenance_message = TextAreaField(_l("Maintenance message"), validators=[optional(), max_length(1000)])

    def values(self) -> dict:
        """The keyword arguments of :func:`~app.system.services.save_app_version`."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
