"""``flask face enroll`` and ``flask face identify`` on the shared photos."""
from __future__ import annotations

import json

from PIL import Image

from app.extensions import db
from app.faces.models import FaceSample

from .conftest import PROBE, enrol_photos, people


def run(app, *args):
    return app.test_cli_runner().invoke(args=["face", *args])


def test_enroll_by_email_npp_or_nisn(app, factory):
    factory.user(name="Obama", email="obama@example.test", npp="11111")
    factory.user(role="siswa", name="Kit", nisn_nip_nik="0051234567")
    photos = [str(p) for p in enrol_photos("obama")]
    result = run(app, "enroll", "--user", "OBAMA@example.test", *photos)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["stored", "stored"]
    assert "face box top=" in lines[0]
    assert lines[-1].startswith("2 of 2 sample(s) stored for user")
    assert run(app, "enroll", "--user", "11111", photos[0]).exit_code == 0
    result = run(app, "enroll", "--user", "0051234567", str(enrol_photos("kit_harington")[0]))
    assert result.exit_code == 0 and "1 of 1 sample(s) stored" in result.stdout
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FaceSample.id))) == 4


def test_enroll_says_why_each_photo_was_refused(app, factory, tmp_path):
    factory.user(name="Biden", npp="22222")
    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (320, 240), (90, 120, 200)).save(blank, "JPEG")
    text = tmp_path / "notes.jpg"
    text.write_text("not an image")
    good = str(enrol_photos("biden")[0])
    result = run(app, "enroll", "--user", "22222", str(blank), str(PROBE / "two_people.jpg"), str(text), good,
                 str(tmp_path / "missing.jpg"))
    assert result.exit_code == 0
    refused = result.stderr.splitlines()
    assert len(refused) == 4
    assert refused[0].startswith(f"refused: {blank}: No face was found")
    assert refused[1].startswith(f"refused: {PROBE / 'two_people.jpg'}: 2 faces were found")
    assert refused[2].startswith(f"refused: {text}: The photo must be a JPEG or PNG image")
    assert refused[3].startswith(f"refused: {tmp_path / 'missing.jpg'}: Cannot read the file")
    assert result.stdout.splitlines()[-1].startswith("1 of 5 sample(s) stored")


def test_enroll_exits_non_zero_when_nothing_was_stored(app, factory, tmp_path):
    factory.user(name="Nobody", npp="33333")
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 64)).save(blank, "PNG")
    result = run(app, "enroll", "--user", "33333", str(blank))
    assert result.exit_code == 1 and "0 of 1 sample(s) stored" in result.stdout


def test_enroll_unknown_user(app):
    result = run(app, "enroll", "--user", "ghost@example.test", str(enrol_photos("obama")[0]))
    assert result.exit_code == 1 and "no user" in result.stderr


def test_identify_prints_one_json_line_per_face(app, enrolled):
    ids = enrolled(skip={"obama"})
    result = run(app, "identify", str(PROBE / "two_people.jpg"))
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2
    known = [r for r in rows if r["user_id"] is not None]
    unknown = [r for r in rows if r["user_id"] is None]
    assert [(r["user_id"], r["name"], r["decision"]) for r in known] == [(ids["biden"], "biden", "match")]
    assert known[0]["distance"] < 0.55
    assert unknown[0]["name"] is None and unknown[0]["decision"] == "unknown" and unknown[0]["distance"] > 0.7
    assert all(set(r) == {"user_id", "name", "distance", "decision", "box"} and len(r["box"]) == 4 for r in rows)


def test_identify_photo_without_face_and_bad_photo(app, tmp_path):
    blank = tmp_path / "blank.jpg"
    Image.new("RGB", (320, 240), (10, 200, 10)).save(blank, "JPEG")
    result = run(app, "identify", str(blank))
    assert result.exit_code == 0 and result.stdout == "" and "no face found" in result.stderr
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    result = run(app, "identify", str(bad))
    assert result.exit_code == 1 and result.stderr.startswith("error:")


def test_every_person_enrols_from_the_command_line(app, factory):
    for n, person in enumerate(people()):
        factory.user(name=person, npp=f"7{n:04d}")
        result = run(app, "enroll", "--user", f"7{n:04d}", *map(str, enrol_photos(person)))
        assert result.exit_code == 0, (person, result.stderr)
    result = run(app, "identify", str(PROBE / "kit_with_rose.jpg"))
    assert sorted(json.loads(line)["name"] for line in result.stdout.splitlines()) == ["kit_harington",
                                                                                          "rose_leslie"]
