"""Kiosks: wall-mounted tablets an admin registers and pairs (issue 4, section 1).

- :mod:`.models`: :class:`~.models.Kiosk`;
- :mod:`.services`: registration, one-time pairing codes, the kiosk credential,
  revocation;
- :mod:`.views`: the admin pages (``/admin/kiosks``);
- :mod:`.device`: what the tablet opens (``/kiosk/``): pairing and the modes.
"""
