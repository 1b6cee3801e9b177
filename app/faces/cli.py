"""``flask face ...`` commands: enrol photos of a person, identify the faces in a photo."""
from __future__ import annotations

import json
import os

import click
from flask.cli import AppGroup

from ..accounts.services import find_by_identifier as find_user
from ..common.errors import DomainError
from ..extensions import db
from . import services

face_cli = AppGroup("face", help="Face enrolment and identification.")


def read_image(path: str) -> services.FaceImage:
    """Read and check the image file at ``path`` (its size is checked before it is read).

    :raises FaceImageInvalid: unreadable, or not an acceptable image.
    :raises FaceImageTooLarge: over :data:`~.services.MAX_IMAGE_BYTES`.
    """
    try:
        size = os.stat(path).st_size
        if size > services.MAX_IMAGE_BYTES:
            raise services.FaceImageTooLarge(
                f"The photo may not be greater than {services.MAX_IMAGE_BYTES // (1024 * 1024)} MB.", field="photo")
        with open(path, "rb") as handle:
            data = handle.read(services.MAX_IMAGE_BYTES + 1)
    except OSError as exc:
        raise services.FaceImageInvalid(f"Cannot read the file: {exc.strerror}.", field="photo") from None
    return services.load_image(data)


@face_cli.command("enroll")
@click.option("--user", "identifier", required=True, help="Email, NPP or NISN/NIP/NIK of the person.")
@click.argument("photos", nargs=-1, required=True, type=click.Path(dir_okay=False))
def enroll_command(identifier, photos):
    """Store a face sample of a person from each PHOTO (one face per photo).

    Prints one line per photo (stored, or why it was refused) and the count;
    exits 1 when no sample was stored.
    """
    user = find_user(identifier)
    if user is None:
        click.echo(f"error: user: no user with email, NPP or NISN/NIP/NIK {identifier!r}", err=True)
        raise SystemExit(1)
    stored = 0
    for path in photos:
        try:
            sample = services.enrol(user, read_image(path), actor="flask face enroll")
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            click.echo(f"refused: {path}: {exc.message}", err=True)
            continue
        stored += 1
        top, right, bottom, left = sample.box
        click.echo(f"stored: {path}: sample {sample.id}, face box top={top} right={right} "
                   f"bottom={bottom} left={left}")
    click.echo(f"{stored} of {len(photos)} sample(s) stored for user {user.id} ({user.name})")
    if not stored:
        raise SystemExit(1)


@face_cli.command("identify")
@click.argument("photo", type=click.Path(dir_okay=False))
def identify_command(photo):
    """Identify every face in PHOTO among the enrolled people, as the kiosk does.

    Prints one JSON line per face, left to right: ``user_id`` and ``name``
    (null when the face matches nobody), ``distance`` to the nearest person
    (null when nobody is enrolled), ``decision`` (match/unknown/ambiguous)
    and ``box`` [top, right, bottom, left] in px.  Nothing is printed for a
    photo without faces; exits 1 when the photo is refused.
    """
    try:
        results = services.identify(read_image(photo))
    except DomainError as exc:
        click.echo(f"error: {photo}: {exc.message}", err=True)
        raise SystemExit(1) from None
    if not results:
        click.echo(f"{photo}: no face found", err=True)
    for result in results:
        click.echo(json.dumps({"user_id": result.user_id, "name": result.name, "distance": result.distance,
                               "decision": result.decision, "box": list(result.box)}))
