"""Faces domain: image checks, enrolment, 1:N identification on the shared real photos."""
from __future__ import annotations

import base64
import io
import struct
import time
import tracemalloc

import numpy as np
import pytest
from PIL import Image

from app.accounts import services as accounts
from app.accounts.models import User
from app.common.errors import NotFound
from app.extensions import db
from app.faces import services
from app.faces.models import ENCODING_BYTES, FaceSample
from app.system.settings import update_setting

from .conftest import PROBE, enrol_photos, expected, png_header


def jpeg(color=(200, 180, 160), size=(320, 240)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def identify_file(name: str):
    return services.identify(services.load_image((PROBE / name).read_bytes()))


# --- bad images: refused quickly, with bounded memory -------------------------------------

def _refused_quickly(call, error):
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(error) as info:
            call()
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 1.0
    return info.value, peak


def test_not_an_image_is_refused():
    error, _ = _refused_quickly(lambda: services.load_image(b"%PDF-1.4 not an image at all"),
                                services.FaceImageInvalid)
    assert error.code == "face_image_invalid" and error.field == "photo"


def test_empty_input_is_refused():
    error, _ = _refused_quickly(lambda: services.load_image(b""), services.FaceImageInvalid)
    assert error.code == "face_image_invalid"


def test_other_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, "GIF")
    error, _ = _refused_quickly(lambda: services.load_image(buffer.getvalue()), services.FaceImageInvalid)
    assert error.code == "face_image_invalid"


def test_truncated_jpeg_is_refused():
    data = (PROBE / "obama-480p.jpg").read_bytes()
    error, _ = _refused_quickly(lambda: services.load_image(data[: len(data) // 2]), services.FaceImageInvalid)
    assert error.code == "face_image_invalid"


def test_30000_by_30000_png_is_refused_from_its_header():
    data = png_header(30000, 30000)
    assert len(data) < 200
    assert struct.unpack(">II", data[16:24]) == (30000, 30000)  # IHDR width, height
    error, peak = _refused_quickly(lambda: services.load_image(data), services.FaceImageTooLarge)
    assert error.code == "face_image_too_large"
    assert peak < 5 * 1024 * 1024  # nothing near the 2.7 GB the pixels would take


def test_many_pixels_within_the_side_limit_are_refused():
    error, _ = _refused_quickly(lambda: services.load_image(png_header(8000, 8000)), services.FaceImageTooLarge)
    assert error.code == "face_image_too_large"


def test_huge_input_is_refused_before_decoding():
    error, _ = _refused_quickly(lambda: services.load_image(b"\xff\xd8" + b"\x00" * services.MAX_IMAGE_BYTES),
                                services.FaceImageTooLarge)
    assert error.code == "face_image_too_large"


def test_huge_base64_is_refused_before_decoding():
    text = "A" * (services.MAX_IMAGE_BYTES * 2)
    error, _ = _refused_quickly(lambda: services.decode_base64_image(text), services.FaceImageTooLarge)
    assert error.code == "face_image_too_large"


@pytest.mark.parametrize("value", [None, "", "not base64!", "QUJD", 42])
def test_bad_base64_is_refused(value):
    with pytest.raises(services.FaceImageInvalid):
        services.decode_base64_image(value)


def test_base64_data_url_is_decoded():
    data = (PROBE / "obama_small.jpg").read_bytes()
    image = services.decode_base64_image("data:image/jpeg;base64," + base64.b64encode(data).decode())
    assert (image.width, image.height, image.extension) == (320, 240, "jpg")
    assert image.pixels.shape == (240, 320, 3) and image.pixels.dtype == np.uint8


def test_exif_orientation_is_applied():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when displayed
    Image.new("RGB", (40, 20)).save(buffer, "JPEG", exif=exif)
    assert services.load_image(buffer.getvalue()).pixels.shape == (40, 20, 3)


# --- detection ------------------------------------------------------------------------------

def test_boxes_are_scaled_back_to_the_original_image():
    image = services.load_image(enrol_photos("biden")[0].read_bytes())  # 970×2204, detected at 640 px
    (top, right, bottom, left), = services.detect_faces(image.pixels)
    assert 0 <= left < right <= image.width and 0 <= top < bottom <= image.height
    assert bottom - top > 200  # in original pixels, not in the 640-px copy's


# --- enrolment --------------------------------------------------------------------------------

def test_enrol_stores_encoding_box_and_photo(ctx, factory, uploads):
    user = db.session.get(User, factory.user(name="Obama").id)
    photo = enrol_photos("obama")[0]
    sample = services.enrol(user, services.load_image(photo.read_bytes()))
    db.session.commit()
    assert len(sample.encoding) == ENCODING_BYTES == 512
    assert sample.vector.shape == (128,) and sample.vector.dtype == np.float64
    assert sample.box_bottom > sample.box_top and sample.box_right > sample.box_left
    assert sample.created_by_id is None and sample.created_at is not None
    stored = uploads / sample.photo_path
    assert sample.photo_path.startswith("faces/") and stored.read_bytes() == photo.read_bytes()
    assert [s.id for s in services.samples_of(user)] == [sample.id]


def test_enrol_records_the_admin(ctx, factory):
    admin_id, user_id = factory.user(role="admin", name="Admin").id, factory.user(name="Rose").id
    admin, user = db.session.get(User, admin_id), db.session.get(User, user_id)
    sample = services.enrol(user, services.load_image(enrol_photos("rose_leslie")[0].read_bytes()), actor=admin)
    assert sample.created_by_id == admin.id


def test_enrol_refuses_a_photo_without_a_face(ctx, factory):
    user = db.session.get(User, factory.user().id)
    with pytest.raises(services.NoFaceFound) as info:
        services.enrol(user, services.load_image(jpeg()))
    assert info.value.code == "no_face"
    assert services.samples_of(user) == []


def test_enrol_refuses_a_photo_with_two_faces(ctx, factory, uploads):
    user = db.session.get(User, factory.user().id)
    with pytest.raises(services.SeveralFaces) as info:
        services.enrol(user, services.load_image((PROBE / "two_people.jpg").read_bytes()))
    assert info.value.code == "several_faces" and info.value.details["count"] == 2
    assert services.samples_of(user) == [] and not uploads.exists()


def test_delete_sample(ctx, factory):
    user_id, other_id = factory.user().id, factory.user().id
    user, other = db.session.get(User, user_id), db.session.get(User, other_id)
    sample = services.enrol(user, services.load_image(enrol_photos("obama")[1].read_bytes()))
    with pytest.raises(NotFound):
        services.delete_sample(sample.id, user=other)
    services.delete_sample(sample.id, user=user)
    assert services.samples_of(user) == []
    with pytest.raises(NotFound):
        services.delete_sample(sample.id)


def test_samples_per_person_are_capped(ctx, factory, monkeypatch):
    monkeypatch.setattr(services, "MAX_SAMPLES_PER_USER", 1)
    user = db.session.get(User, factory.user().id)
    photos = enrol_photos("obama")
    services.enrol(user, services.load_image(photos[0].read_bytes()))
    with pytest.raises(services.RuleViolation):
        services.enrol(user, services.load_image(photos[1].read_bytes()))


# --- identification on the shared photos ------------------------------------------------------

def test_every_probe_face_is_named_correctly(app, enrolled):
    ids = enrolled()
    names = {v: k for k, v in ids.items()}
    with app.app_context():
        for probe, people_in_it in expected().items():
            results = identify_file(probe)
            assert sorted(names[r.user_id] for r in results if r.user_id) == sorted(people_in_it), probe
            assert all(r.decision == services.MATCH for r in results), probe
            # the data README: true matches at 0.06-0.52, other people above 0.70
            assert all(0.0 <= r.distance <= 0.53 and r.second_distance > 0.70 for r in results), probe


@pytest.mark.parametrize("absent", ["obama", "rose_leslie"])
def test_a_person_not_enrolled_is_never_named(app, enrolled, absent):
    ids = enrolled(skip={absent})
    names = {v: k for k, v in ids.items()}
    with app.app_context():
        for probe, people_in_it in expected().items():
            results = identify_file(probe)
            named = sorted(names[r.user_id] for r in results if r.user_id)
            assert named == sorted(p for p in people_in_it if p != absent), probe
            unknown = [r for r in results if r.decision == services.UNKNOWN]
            assert len(unknown) == people_in_it.count(absent), probe
            assert all(r.user_id is None and r.name is None and r.distance > 0.70 for r in unknown)


def test_inactive_people_are_not_identified(app, enrolled):
    ids = enrolled()
    with app.app_context():
        db.session.get(User, ids["obama"]).is_active = False
        db.session.commit()
        (result,) = identify_file("obama_small.jpg")
    assert result.user_id is None and result.decision == services.UNKNOWN


def test_tolerance_setting_is_used(app, enrolled):
    enrolled()
    with app.app_context():
        (before,) = identify_file("alex-lacamoire.png")  # the farthest true match, ~0.52
        update_setting("face_tolerance", "0.4")
        db.session.commit()
        (after,) = identify_file("alex-lacamoire.png")
    assert before.decision == services.MATCH and after.decision == services.UNKNOWN
    assert after.user_id is None and after.nearest_name == "alex_lacamoire"


def test_margin_setting_makes_close_calls_ambiguous(app, enrolled):
    enrolled()
    with app.app_context():
        update_setting("face_margin", "0.3")  # alex's second-best person is ~0.24 further
        db.session.commit()
        (result,) = identify_file("alex-lacamoire.png")
    assert result.decision == services.AMBIGUOUS and result.user_id is None


def test_no_face_and_no_enrolment(app):
    with app.app_context():
        assert services.identify(services.load_image(jpeg())) == []
        (result,) = identify_file("obama_small.jpg")
    assert result.decision == services.UNKNOWN and result.distance is None and result.nearest_user_id is None


def test_defaults_are_stricter_than_the_library():
    from app.system.settings import SPECS

    assert SPECS["face_tolerance"].default == services.DEFAULT_TOLERANCE == 0.55 < 0.6
    assert SPECS["face_margin"].default == services.DEFAULT_MARGIN == 0.05


# --- the matching rule, on synthetic encodings ---------------------------------------------

def _face(vector):
    return services.Face((0, 10, 10, 0), np.asarray(vector, dtype=np.float64))


def test_person_distance_is_the_minimum_over_their_samples():
    base = np.zeros(128)
    gallery = services.Gallery.build(
        [7, 3, 7, 3], [base + 0.5 / np.sqrt(128), base + 0.9 / np.sqrt(128), base + 0.1 / np.sqrt(128),
                       base + 0.3 / np.sqrt(128)], {3: "C", 7: "G"})
    assert list(gallery.people) == [3, 7]
    assert np.allclose(gallery.person_distances(base), [0.3, 0.1], atol=1e-6)
    result = services.decide(gallery, _face(base), 0.55, 0.05)
    assert (result.user_id, result.name, result.distance, result.second_distance) == (7, "G", 0.1, 0.3)


def test_close_second_person_is_ambiguous_and_far_face_unknown():
    unit = np.eye(128)[0]
    gallery = services.Gallery.build([1, 2], [unit * 0.40, unit * -0.42], {1: "A", 2: "B"})
    close = services.decide(gallery, _face(np.zeros(128)), 0.55, 0.05)
    assert close.decision == services.AMBIGUOUS and close.nearest_user_id == 1 and close.user_id is None
    far = services.decide(gallery, _face(unit * 2), 0.55, 0.05)
    assert far.decision == services.UNKNOWN and far.user_id is None


def test_one_person_enrolled_has_no_second_distance():
    gallery = services.Gallery.build([5], [np.zeros(128)], {5: "E"})
    result = services.decide(gallery, _face(np.zeros(128)), 0.55, 0.05)
    assert result.decision == services.MATCH and result.second_distance is None


def test_encoding_bytes_round_trip():
    vector = np.linspace(-0.3, 0.3, 128)
    sample = FaceSample(encoding=services.encoding_bytes(vector))
    assert np.allclose(sample.vector, vector, atol=1e-7)
    with pytest.raises(ValueError):
        services.encoding_bytes(np.zeros(127))
    with pytest.raises(ValueError):
        services.encoding_bytes(np.full(128, np.nan))


# --- the per-worker gallery cache sees every change at once ---------------------------------

def _one_sample(person, user, n=0):
    sample = services.enrol(user, services.load_image(enrol_photos(person)[n].read_bytes()))
    db.session.commit()
    return sample


def test_gallery_cache_follows_enrolment_deletion_and_deactivation(app, factory):
    ids = [factory.user(name=name).id for name in ("Obama", "Kit")]
    with app.app_context():
        obama, kit = (db.session.get(User, i) for i in ids)
        sample = _one_sample("obama", obama)
        assert identify_file("obama_small.jpg")[0].name == "Obama"
        assert services.load_gallery() is services.load_gallery()  # cached while nothing changes
        _one_sample("kit_harington", kit)  # a new sample: seen at once
        assert sorted(r.name for r in identify_file("kit_with_rose.jpg") if r.name) == ["Kit"]
        db.session.get(User, ids[1]).is_active = False
        db.session.commit()
        assert [r.name for r in identify_file("kit_with_rose.jpg") if r.name] == []
        services.delete_sample(sample.id)
        db.session.commit()
        assert identify_file("obama_small.jpg")[0].user_id is None


def test_gallery_cache_survives_sqlite_reusing_a_deleted_id(app, factory):
    ids = [factory.user(name=name).id for name in ("Obama", "Rose")]
    with app.app_context():
        obama, rose = (db.session.get(User, i) for i in ids)
        old = _one_sample("obama", obama)
        assert identify_file("obama_small.jpg")[0].name == "Obama"
        services.delete_sample(old.id)
        db.session.commit()
        new = _one_sample("rose_leslie", rose)  # SQLite gives it the same id again
        (face,) = identify_file("obama_small.jpg")
        assert face.user_id is None and face.nearest_name == "Rose", (old.id, new.id)


def test_gallery_cache_renames_and_expires(app, factory, monkeypatch):
    user_id = factory.user(name="Obama").id
    with app.app_context():
        _one_sample("obama", db.session.get(User, user_id))
        first = services.load_gallery()
        db.session.get(User, user_id).name = "Barack Obama"
        db.session.commit()
        assert identify_file("obama_small.jpg")[0].name == "Barack Obama"  # names are read fresh
        monkeypatch.setattr(services, "GALLERY_CACHE_TTL_S", 0.0)
        assert services.load_gallery() is not first


def test_gallery_version_rises_with_every_change_that_matters_and_only_then(app, factory):
    """The version is raised in the transaction of an enrolment, a deleted sample, a person
    deactivated, reactivated or deleted; not by a new person, a rename or a rollback."""
    ids = [factory.user(name=name).id for name in ("Obama", "Kit")]
    with app.app_context():
        obama, kit = (db.session.get(User, i) for i in ids)
        assert services.gallery_version() == 0
        sample = _one_sample("obama", obama)
        assert services.gallery_version() == 1
        db.session.add(User(name="Newcomer", role="pegawai", npp="19999", password_hash="x"))
        obama.name = "Barack Obama"
        db.session.commit()
        assert services.gallery_version() == 1
        obama.is_active = False
        db.session.commit()
        obama.is_active = True
        db.session.commit()
        assert services.gallery_version() == 3
        services.delete_sample(sample.id)
        db.session.commit()
        assert services.gallery_version() == 4
        services.enrol(kit, services.load_image(enrol_photos("kit_harington")[0].read_bytes()))
        db.session.rollback()  # an enrolment rolled back leaves the version as it was
        assert services.gallery_version() == 4
        accounts.delete_user(obama)  # soft: gone for every app
        db.session.commit()
        assert services.gallery_version() == 5
        db.session.delete(kit)
        db.session.commit()
        assert services.gallery_version() == 6


def test_gallery_cache_sees_a_change_committed_by_another_process_at_once(app, factory, monkeypatch):
    """Another app server's worker is another session on the same database: its commit raises
    the version, and this worker rereads the gallery at its next identification; while
    nothing changes the cached gallery is reused without reading the samples."""
    from sqlalchemy.orm import Session

    ids = [factory.user(name=name).id for name in ("Obama", "Rose")]
    reads = []
    read_gallery = services.read_gallery
    monkeypatch.setattr(services, "read_gallery", lambda: reads.append(1) or read_gallery())
    with app.app_context():
        _one_sample("obama", db.session.get(User, ids[0]))
        assert identify_file("obama_small.jpg")[0].name == "Obama"
        assert [r.name for r in identify_file("kit_with_rose.jpg") if r.name] == []
        assert len(reads) == 1  # the second identification used the cached gallery
        encoding = services.find_faces(services.load_image(enrol_photos("rose_leslie")[0].read_bytes()))[0].encoding
        db.session.rollback()  # this worker's request ends (SQLite: one writer at a time)
        with Session(db.engine) as other_server:
            other_server.add(FaceSample(user_id=ids[1], encoding=services.encoding_bytes(encoding),
                                        photo_path="faces/elsewhere.jpg", box_top=0, box_right=10,
                                        box_bottom=10, box_left=0))
            other_server.commit()
        assert [r.name for r in identify_file("kit_with_rose.jpg") if r.name] == ["Rose"]
        assert len(reads) == 2


def test_importing_face_recognition_keeps_truncated_images_refused():
    from PIL import ImageFile

    services._face_recognition()
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    data = (PROBE / "obama-480p.jpg").read_bytes()
    with pytest.raises(services.FaceImageInvalid):
        services.load_image(data[: len(data) // 2])
