"""app.faces.attendance.verified_attendance: a person's own check-in by face (1:1), on the shared
real photos — verified, recorded, the photo kept; refused images record and keep nothing."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from app.accounts.models import User
from app.attendance import services as attendance
from app.attendance.models import AttendanceEvent
from app.extensions import db
from app.faces import services
from app.faces.attendance import FaceMismatch, FaceNotEnrolled, verified_attendance
from app.faces.models import FaceSample

from .conftest import ENROLL, PROBE, enrol_photos

MORNING = "2026-01-30T07:42:00+07:00"


def _image(path):
    return services.load_image(path.read_bytes())


def _files(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def obama(ctx, factory):
    """Obama with his two enrolled photos, the usual schedule (check-in 07:00-09:00), in the session."""
    factory.schedule()
    user = db.session.get(User, factory.user(name="Barack Obama").id)
    for photo in enrol_photos("obama"):
        services.enrol(user, _image(photo), actor=None)
    db.session.commit()
    return user


def _events():
    return list(db.session.scalars(db.select(AttendanceEvent).order_by(AttendanceEvent.id)))


def test_the_persons_own_face_checks_them_in_and_the_photo_is_kept(obama, freeze_time, uploads):
    freeze_time(MORNING)
    probe = PROBE / "obama-480p.jpg"
    done = verified_attendance(obama, _image(probe))
    assert done.verdict.accepted and not done.self_enrolled
    assert done.result.event.kind == "check_in" and done.result.event.source == "face"
    assert done.result.daily.status == "present"
    assert done.photo_path == done.result.event.photo_path
    assert (uploads / done.photo_path).read_bytes() == probe.read_bytes()


def test_someone_elses_face_is_refused_and_nothing_is_kept(obama, freeze_time, uploads):
    freeze_time(MORNING)
    kept = _files(uploads)
    with pytest.raises(FaceMismatch) as info:
        verified_attendance(obama, _image(enrol_photos("biden")[0]))
    assert info.value.code == "face_mismatch"
    assert _events() == [] and _files(uploads) == kept


@pytest.mark.parametrize("photo, error", [("no face", services.NoFaceFound),
                                          ("two_people.jpg", services.SeveralFaces)])
def test_no_face_or_several_faces_are_refused(obama, freeze_time, uploads, photo, error):
    freeze_time(MORNING)
    if photo == "no face":
        buffer = io.BytesIO()
        Image.new("RGB", (320, 240), (200, 180, 160)).save(buffer, "JPEG")
        image = services.load_image(buffer.getvalue())
    else:
        image = _image(PROBE / photo)
    kept = _files(uploads)
    with pytest.raises(error):
        verified_attendance(obama, image)
    assert _events() == [] and _files(uploads) == kept


def test_without_an_enrolled_face_it_is_refused_unless_enrolment_on_first_use(ctx, factory, freeze_time, uploads):
    factory.schedule()
    kit = db.session.get(User, factory.user(name="Kit Harington").id)
    freeze_time(MORNING)
    photo = ENROLL / "kit_harington" / sorted(p.name for p in (ENROLL / "kit_harington").iterdir())[0]
    with pytest.raises(FaceNotEnrolled):
        verified_attendance(kit, _image(photo))
    assert _events() == [] and not _files(uploads)

    done = verified_attendance(kit, _image(photo), enrol_if_new=True)
    assert done.self_enrolled and done.result.event.user_id == kit.id
    sample = db.session.scalar(db.select(FaceSample).filter_by(user_id=kit.id))
    assert sample.created_by_id == kit.id  # a self-enrolment: verifies this account only


def test_the_attendance_rules_still_apply_and_a_refusal_keeps_no_photo(obama, freeze_time, uploads):
    freeze_time("2026-01-30T12:00:00+07:00")  # between the check-in and check-out windows
    kept = _files(uploads)
    with pytest.raises(attendance.OutsideWindow):
        verified_attendance(obama, _image(PROBE / "obama-480p.jpg"))
    assert _events() == [] and _files(uploads) == kept
    freeze_time(MORNING)
    verified_attendance(obama, _image(PROBE / "obama-480p.jpg"))
    with pytest.raises(attendance.AlreadyCheckedIn):
        verified_attendance(obama, _image(PROBE / "obama_small.jpg"))
    assert [e.kind for e in _events()] == ["check_in"]
