"""A face the person enrolled themself (face/clinic apps) verifies that account (1:1) but never
identifies anyone at a kiosk (1:N) — until an admin enrols the person."""
from __future__ import annotations

from app.accounts.models import User
from app.extensions import db
from app.faces import services
from app.faces.verify import verify_face

from .conftest import ENROLL, PROBE


def _enrol(app, person_id, photo, *, by_self: bool):
    with app.app_context():
        user = db.session.get(User, person_id)
        services.enrol(user, services.load_image(photo.read_bytes()), actor=user if by_self else None)
        db.session.commit()


def _identify(app, photo):
    with app.app_context():
        return [r.user_id for r in services.identify(services.load_image(photo.read_bytes()))]


def test_self_enrolled_faces_do_not_identify_at_a_kiosk(app, factory):
    person = factory.user(name="Barack Obama")
    _enrol(app, person.id, ENROLL / "obama" / "obama.jpg", by_self=True)
    assert _identify(app, PROBE / "obama-480p.jpg") == [None]
    with app.app_context():
        assert verify_face(db.session.get(User, person.id),
                           services.load_image((PROBE / "obama-480p.jpg").read_bytes())).accepted
    _enrol(app, person.id, ENROLL / "obama" / "obama2.jpg", by_self=False)   # an admin enrols him
    assert _identify(app, PROBE / "obama-480p.jpg") == [person.id]
