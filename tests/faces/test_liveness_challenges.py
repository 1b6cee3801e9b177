"""Liveness challenges (random, one use, a deadline, in the database) and the burst check that
identifies the live person on the frames that showed the steps (app.faces.challenges,
app.faces.live_check)."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from app.accounts.models import User
from app.extensions import db
from app.faces import challenges, live_check
from app.faces.models import LivenessChallenge
from app.faces.services import MATCH, UNKNOWN, enrol, load_image
from app.kiosk import services as kiosks

from . import liveness_footage as F
from .conftest import enrol_photos

BLINK_LEFT = ("blink", "turn_left")


@pytest.fixture
def kiosk_id(app):
    with app.app_context():
        kiosk = kiosks.create_kiosk(None, name="Lobi", office_id=None, modes=["face"])
        db.session.commit()
        return kiosk.id


@pytest.fixture
def known_steps(monkeypatch):
    """The next challenges ask ``steps`` (the test knows what a live person must do)."""

    def choose(steps):
        monkeypatch.setattr(challenges, "choose_steps", lambda: tuple(steps))

    return choose


def test_a_challenge_is_a_blink_and_a_turn_in_a_random_order():
    drawn = Counter(challenges.choose_steps() for _ in range(400))
    assert set(drawn) == {("blink", "turn_left"), ("blink", "turn_right"), ("turn_left", "blink"),
                          ("turn_right", "blink")}
    assert min(drawn.values()) > 50  # each of the four about a quarter of the time


def test_issued_challenges_are_stored_by_digest_with_a_deadline(app, kiosk_id, freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    with app.app_context():
        first = challenges.issue(kiosk_id, now)
        second = challenges.issue(kiosk_id, now)
        db.session.commit()
        rows = db.session.scalars(db.select(LivenessChallenge).order_by(LivenessChallenge.id)).all()
    assert first.nonce != second.nonce and len(first.nonce) >= 32
    assert first.expires_at == now + timedelta(seconds=challenges.CHALLENGE_TTL_S)
    assert [r.step_list for r in rows] == [list(first.steps), list(second.steps)]
    assert all(first.nonce not in (r.nonce_hash, r.steps) for r in rows)  # only the digest is kept
    assert rows[0].kiosk_id == kiosk_id and rows[0].used_at is None


def test_a_challenge_answers_once_for_its_own_kiosk_before_its_deadline(app, kiosk_id, freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    with app.app_context():
        other = kiosks.create_kiosk(None, name="Gerbang", office_id=None, modes=["face"]).id
        issued = challenges.issue(kiosk_id, now)
        late = challenges.issue(kiosk_id, now)
        db.session.commit()
        with pytest.raises(challenges.ChallengeInvalid):
            challenges.consume(issued.nonce, other, now)
        with pytest.raises(challenges.ChallengeInvalid):
            challenges.consume("x" * 32, kiosk_id, now)
        with pytest.raises(challenges.ChallengeInvalid):
            challenges.consume(None, kiosk_id, now)
        used = challenges.consume(issued.nonce, kiosk_id, now + timedelta(seconds=5))
        assert used.used_at == now + timedelta(seconds=5) and used.step_list == list(issued.steps)
        with pytest.raises(challenges.ChallengeInvalid):  # a burst cannot be replayed
            challenges.consume(issued.nonce, kiosk_id, now + timedelta(seconds=6))
        with pytest.raises(challenges.ChallengeExpired):
            challenges.consume(late.nonce, kiosk_id, late.expires_at + timedelta(seconds=1))


def test_old_expired_challenges_are_purged_when_new_ones_are_issued(app, kiosk_id, freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    with app.app_context():
        challenges.issue(kiosk_id, now - timedelta(hours=2))
        recent = challenges.issue(kiosk_id, now - timedelta(minutes=5))
        challenges.issue(kiosk_id, now)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count(LivenessChallenge.id))) == 2
        assert db.session.scalar(db.select(LivenessChallenge.expires_at).order_by(LivenessChallenge.id)) \
            == recent.expires_at


# --- the burst check -------------------------------------------------------------------

@pytest.fixture
def obama_enrolled(app, factory):
    person = factory.user(name="Barack Obama")
    with app.app_context():
        user = db.session.get(User, person.id)
        for photo in enrol_photos("obama"):
            enrol(user, load_image(photo.read_bytes()))
        db.session.commit()
    return person.id


def _check(app, kiosk_id, frames, now, steps=BLINK_LEFT, nonce=None):
    with app.app_context():
        nonce = nonce or challenges.issue(kiosk_id, now).nonce
        db.session.commit()
        try:
            return live_check.check_burst(nonce, kiosk_id, frames, now + timedelta(seconds=6))
        finally:
            db.session.commit()


def test_a_live_enrolled_person_is_identified_on_the_frames_that_showed_the_steps(
        app, kiosk_id, obama_enrolled, known_steps, freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    known_steps(BLINK_LEFT)
    live = _check(app, kiosk_id, F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT), now)
    assert live.judgement.passed and live.steps == BLINK_LEFT
    assert live.identification.decision == MATCH
    assert live.identification.user_id == obama_enrolled and live.identification.name == "Barack Obama"
    assert (live.photo.width, live.photo.height) == F.FRAME_SIZE  # the reference frame, kept as the photo
    with app.app_context():
        assert db.session.scalar(db.select(LivenessChallenge.used_at)) is not None


def test_a_live_stranger_passes_the_challenge_but_is_not_recognised(app, kiosk_id, obama_enrolled, known_steps,
                                                                    freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    known_steps(BLINK_LEFT)
    live = _check(app, kiosk_id, F.cached_burst("live", "rose_leslie/img2.jpg", BLINK_LEFT), now)
    assert live.judgement.passed and live.identification.decision == UNKNOWN and live.identification.user_id is None


def test_a_photo_of_an_enrolled_person_fails_and_uses_up_its_challenge(app, kiosk_id, obama_enrolled,
                                                                       known_steps, freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    known_steps(BLINK_LEFT)
    with app.app_context():
        nonce = challenges.issue(kiosk_id, now).nonce
        db.session.commit()
    with pytest.raises(live_check.LivenessFailed) as failed:
        _check(app, kiosk_id, F.cached_burst("static", "obama/obama.jpg", BLINK_LEFT), now, nonce=nonce)
    assert failed.value.details["reason"] == "no_blink" and failed.value.details["step"] == 0
    # the live footage cannot be sent again on the same challenge
    with pytest.raises(challenges.ChallengeInvalid):
        _check(app, kiosk_id, F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT), now, nonce=nonce)


def test_an_enrolled_persons_photo_before_the_prompts_and_someone_else_doing_the_steps_fails(
        app, kiosk_id, obama_enrolled, known_steps, freeze_time):
    # the lead-in (the reference frame) shows Obama's photo; Alex Lacamoire, live, then does the
    # steps: the landmarks alone pass, the identity on the frames that showed the steps does not
    now = freeze_time("2026-01-30T07:00:00+07:00")
    known_steps(BLINK_LEFT)
    photo = F.cached_burst("static", "obama/obama.jpg", BLINK_LEFT)
    performer = F.cached_burst("live", "alex_lacamoire/img1.jpg", BLINK_LEFT)
    spliced = [mine if mine[0] < 0 else theirs for mine, theirs in zip(photo, performer)]
    with pytest.raises(live_check.LivenessFailed) as failed:
        _check(app, kiosk_id, spliced, now)
    assert failed.value.details["reason"] == "not_same_person"


def test_a_burst_after_the_deadline_is_refused(app, kiosk_id, obama_enrolled, freeze_time):
    now = freeze_time("2026-01-30T07:00:00+07:00")
    with app.app_context():
        nonce = challenges.issue(kiosk_id, now).nonce
        db.session.commit()
        with pytest.raises(challenges.ChallengeExpired):
            live_check.check_burst(nonce, kiosk_id, F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT),
                                   now + timedelta(seconds=challenges.CHALLENGE_TTL_S + 1))


@pytest.mark.parametrize("change, field", [
    (lambda frames: frames[:5], "frames"),
    (lambda frames: frames * 2, "frames"),
    (lambda frames: list(reversed(frames)), "offsets"),
    (lambda frames: [(o, d) for o, d in frames[:-1]] + [(frames[-2][0], frames[-1][1])], "offsets"),
    (lambda frames: [(-5000, frames[0][1])] + frames[1:], "offsets"),
    (lambda frames: [(str(o), d) for o, d in frames], "offsets"),
    (lambda frames: frames[:-1] + [(99_000, frames[-1][1])], "offsets"),
    (lambda frames: frames[:-1] + [(frames[-1][0] + 1, b"")], "frames"),
    (lambda frames: frames[:-1] + [(frames[-1][0] + 1, b"\xff" * (live_check.MAX_FRAME_BYTES + 1))], "frames"),
])
def test_a_malformed_burst_is_refused_and_leaves_the_challenge_unused(app, kiosk_id, freeze_time, change, field):
    from app.common.errors import ValidationFailed

    now = freeze_time("2026-01-30T07:00:00+07:00")
    frames = change(list(F.cached_burst("live", "obama/obama.jpg", BLINK_LEFT)))
    with app.app_context():
        nonce = challenges.issue(kiosk_id, now).nonce
        db.session.commit()
        with pytest.raises(ValidationFailed) as refused:
            live_check.check_burst(nonce, kiosk_id, frames, now)
        db.session.rollback()
        assert refused.value.field == field
        assert db.session.scalar(db.select(LivenessChallenge.used_at)) is None
