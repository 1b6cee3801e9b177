"""System: settings, app versions, health (the demo data is :mod:`app.demo`)."""
