"""The kiosk's face mode, with the real photos of ``shared/data/faces``:
a recognised person is checked in, a second look does not check them out, later they are checked
out; unknown faces, several faces and bad frames record nothing and keep no photo."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts.models import User
from app.attendance.models import AttendanceEvent
from app.extensions import db
from tests.helpers import count, kiosk_csrf

FACES = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "faces"
FRAME = "/kiosk/face/frame"


@pytest.fixture
def at(freeze_time):
    """Freeze the clock at a local time on Friday 30 January 2026, Jakarta: ``at("07:42")``."""
    return lambda hhmm: freeze_time(f"2026-01-30T{hhmm}:00+07:00")


@pytest.fixture
def obama(app, factory):
    """Barack Obama, enrolled from the two photos of ``enroll/obama``, with the usual schedule."""
    from app.faces.services import enrol, load_image

    office = factory.office()
    factory.schedule()
    person = factory.user(name="Barack Obama", office=office)
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in sorted((FACES / "enroll" / "obama").iterdir()):
            enrol(user, load_image(photo.read_bytes()))
        db.session.commit()
    return person


def _frame(tablet, path: Path | bytes, content_type="image/jpeg", csrf=None):
    data = path if isinstance(path, bytes) else path.read_bytes()
    return tablet.post(FRAME, data=data, content_type=content_type, headers={"X-CSRFToken": csrf or kiosk_csrf(tablet)})


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_day_in_front_of_the_kiosk(app, paired_tablet, obama, at, uploads):
    tablet = paired_tablet(modes=("face",))
    probe = FACES / "probe" / "obama-480p.jpg"
    enrolment_photos = len(_files(uploads))
    at("07:42")
    first = _frame(tablet, probe)
    assert first.status_code == 200
    assert first.get_json() == {"result": "checked_in", "name": "Barack", "time": "07:42",
                                "message": "Selamat pagi, Barack — masuk 07.42"}
    at("07:45")
    again = _frame(tablet, probe).get_json()
    assert again["result"] == "already_in" and again["time"] == "07:42"
    at("16:10")
    out = _frame(tablet, probe).get_json()
    assert out["result"] == "checked_out" and out["message"] == "Sampai jumpa, Barack — pulang 16.10"
    with app.app_context():
        events = list(db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id)))
        assert [(e.kind, e.source) for e in events] == [("check_in", "face"), ("check_out", "face")]
        assert all(e.photo_path for e in events)
        assert all((uploads / e.photo_path).read_bytes() == probe.read_bytes() for e in events)
    # only the two recorded frames were kept (plus the enrolment photos)
    assert len(_files(uploads)) == enrolment_photos + 2


def test_unknown_several_and_no_face_record_nothing(app, paired_tablet, obama, at, uploads, factory):
    from PIL import Image
    import io

    tablet = paired_tablet(modes=("face",))
    before = len(_files(uploads))
    at("07:42")
    stranger = _frame(tablet, FACES / "enroll" / "biden" / "biden.jpg").get_json()
    assert stranger["result"] == "unknown" and stranger["message"] == "Wajah tidak dikenali"
    several = _frame(tablet, FACES / "probe" / "two_people.jpg").get_json()
    assert several["result"] == "several_faces" and several["message"] == "Satu orang saja"
    blank = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 200, 200)).save(blank, "JPEG")
    assert _frame(tablet, blank.getvalue()).get_json()["result"] == "no_face"
    assert count(app, AttendanceEvent) == 0
    assert len(_files(uploads)) == before


def test_bad_frames_are_refused_clearly(app, paired_tablet, obama, at):
    tablet = paired_tablet(modes=("face",))
    csrf = kiosk_csrf(tablet)
    not_image = _frame(tablet, b"definitely not a jpeg", csrf=csrf)
    assert not_image.status_code == 422 and not_image.get_json()["result"] == "invalid"
    wrong_type = _frame(tablet, FACES / "probe" / "obama-480p.jpg", content_type="text/plain", csrf=csrf)
    assert wrong_type.status_code == 415
    huge = _frame(tablet, b"\xff\xd8" + b"\x00" * (2 * 1024 * 1024 + 1), csrf=csrf)
    assert huge.status_code == 413
    truncated = (FACES / "probe" / "obama-480p.jpg").read_bytes()[:5000]
    assert _frame(tablet, truncated, csrf=csrf).status_code == 422
    assert count(app, AttendanceEvent) == 0


def test_face_mode_must_be_enabled_and_needs_csrf(app, paired_tablet, obama, at):
    qr_only = paired_tablet(modes=("qr",), name="Lobi")
    refused = _frame(qr_only, FACES / "probe" / "obama-480p.jpg")
    assert refused.status_code == 403 and refused.get_json()["result"] == "mode_disabled"
    face = paired_tablet(modes=("face",))
    no_token = face.post(FRAME, data=(FACES / "probe" / "obama-480p.jpg").read_bytes(), content_type="image/jpeg")
    assert no_token.status_code == 400
    assert count(app, AttendanceEvent) == 0


def test_outside_hours_and_no_check_in(app, paired_tablet, obama, at):
    tablet = paired_tablet(modes=("face",))
    at("12:00")
    noon = _frame(tablet, FACES / "probe" / "obama-480p.jpg").get_json()
    assert noon["result"] == "outside_window" and noon["message"] == "Barack: di luar jam absensi"
    at("16:30")
    evening = _frame(tablet, FACES / "probe" / "obama-480p.jpg").get_json()
    assert evening["result"] == "not_checked_in"
    assert count(app, AttendanceEvent) == 0
