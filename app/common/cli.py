"""Helpers for ``flask`` commands."""
from __future__ import annotations

import click

from .errors import DomainError, ValidationFailed
from ..extensions import db


def run_or_fail(action):
    """Run ``action()`` in a transaction; commit on success, print the error and exit 1 on a domain error."""
    try:
        result = action()
        db.session.commit()
        return result
    except ValidationFailed as exc:
        db.session.rollback()
        for field, messages in exc.errors.items():
            for message in messages:
                click.echo(f"error: {field}: {message}", err=True)
        raise SystemExit(1) from None
    except DomainError as exc:
        db.session.rollback()
        click.echo(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        raise SystemExit(1) from None
