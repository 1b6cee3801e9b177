"""Everyone's own pages in the web app (blueprint ``me``, under ``/admin/me``): the home page of
each role, their schedule or roster for a month, their device-reset request and its status, their
profile and password.  Who may open what: :mod:`app.admin.access` (the rule on each view)."""
