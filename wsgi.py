"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``.

After start-up, everything built so far (modules, the app, its mappers and templates: about
200,000 objects) lives as long as the process, so it is moved out of the cyclic garbage
collector's generations (:func:`gc.freeze`, Python's documented use for long-lived start-up
state).  Otherwise every full collection, which a request building tens of thousands of
objects (a month's report, roster or export) triggers, walks all of them again: about 100 ms
each time on the project machine (``bench/README.md``, "A year of data").
"""
import gc

from app import create_app

app = create_app()
gc.collect()   # start-up garbage first, so that none of it is frozen
gc.freeze()
