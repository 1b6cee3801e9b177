"""Admin form of an office (work location) and its geofence."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField, TextAreaField

from ..admin.forms import AdminForm, max_length, optional, required


class OfficeForm(AdminForm):
    """Code, name, address, WGS84 centre and geofence radius in metres.

    Coordinates stay text here: :func:`app.places.services.parse_coordinate`
    parses and range-checks them, so the rules live once.
    """

    code = StringField(_l("Office code"), validators=[required(), max_length(20)])
    name = StringField(_l("Name"), validators=[required(), max_length(120)])
    address = TextAreaField(_l("Address"), validators=[optional(), max_length(1000)])
    latitude = StringField(_l("Latitude"), validators=[required()],
                           description=_l("Decimal degrees, e.g. -6.208800"))
    longitude = StringField(_l("Longitude"), validators=[required()],
                            description=_l("Decimal degrees, e.g. 106.845600"))
    geofence_radius_m = IntegerField(_l("Geofence radius (m)"), validators=[required()],
                                     description=_l("Check-ins farther than this from the centre wait for review."))
    is_active = BooleanField(_l("Active"), default=True)

    def values(self) -> dict:
        """The keyword arguments of :func:`~app.places.services.update_office`."""
        return dict(code=self.code.data, name=self.name.data, address=self.address.data,
                    latitude=self.latitude.data, longitude=self.longitude.data,
                    radius_m=self.geofence_radius_m.data)


#: service field name → form field name
FIELD_MAP = {"radius": "geofence_radius_m"}
