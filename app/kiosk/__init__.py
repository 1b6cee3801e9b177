"""The kiosk devices domain: wall-mounted tablets an admin registers and pairs.

- :mod:`.models`: :class:`~.models.Kiosk`;
- :mod:`.services`: registration, one-time pairing codes, the kiosk credential,
  revocation;
- :mod:`.views`: the admin pages (``/admin/kiosks``); :mod:`.cli`: ``flask kiosk ...``.

What the tablet itself opens (``/kiosk/``: pairing page, modes, scripts) is the top-level
``kiosk/`` package, the tablet client; it calls these services.
"""
