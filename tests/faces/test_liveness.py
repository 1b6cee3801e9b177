"""The liveness engine (app.faces.liveness): its measures, and the judge on synthetic footage.

Footage comes from ``tests/faces/liveness_footage.py`` (the shared photo of Barack Obama made
into 640×480 camera bursts); every burst goes through the real detector and landmarks once per
test session.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from app.faces import liveness as L

from . import liveness_footage as F

PHOTO = "obama/obama.jpg"
BLINK_LEFT = ("blink", "turn_left")
LEFT_BLINK = ("turn_left", "blink")


def _similarity(points, angle_deg, scale, shift):
    c, s = math.cos(math.radians(angle_deg)) * scale, math.sin(math.radians(angle_deg)) * scale
    return points @ np.array([[c, s], [-s, c]]) + np.asarray(shift)


@pytest.fixture(scope="module")
def still():
    return F.camera_still(F.ENROLL / PHOTO)


# --- measures of one frame -------------------------------------------------------------

def test_the_68_points_come_back_in_ibug_order(still):
    parts = {"chin": still.points[0:17], "left_eyebrow": still.points[17:22], "right_eyebrow": still.points[22:27],
             "nose_bridge": still.points[27:31], "nose_tip": still.points[31:36], "left_eye": still.points[36:42],
             "right_eye": still.points[42:48],
             "top_lip": list(still.points[48:55]) + [still.points[i] for i in (64, 63, 62, 61, 60)],
             "bottom_lip": list(still.points[54:60]) + [still.points[i] for i in (48, 60, 67, 66, 65, 64)]}
    assert np.array_equal(L.points_from_parts(parts), still.points)
    with pytest.raises(ValueError):
        L.points_from_parts({**parts, "top_lip": parts["top_lip"][:5]})


def test_open_eyes_and_a_frontal_face_measure_as_such(still):
    assert 0.2 < L.eye_aspect_ratio(still.points) < 0.4
    assert abs(L.yaw_ratio(still.points)) < 0.1
    assert 200 < L.face_width(still.points) < 300  # FACE_SHARE of a 640 px frame, outline to outline


@pytest.mark.parametrize("angle, scale, shift", [(0, 1, (40, -25)), (17, 1, (0, 0)), (0, 0.6, (0, 0)),
                                                 (-33, 1.7, (-120, 80))])
def test_ear_and_yaw_do_not_change_when_the_picture_moves_as_a_whole(still, angle, scale, shift):
    moved = _similarity(still.points, angle, scale, shift)
    assert L.eye_aspect_ratio(moved) == pytest.approx(L.eye_aspect_ratio(still.points), abs=1e-9)
    assert L.yaw_ratio(moved) == pytest.approx(L.yaw_ratio(still.points), abs=1e-9)
    assert L.anisotropy(still.points, moved) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("yaw, pitch", [(40, 0), (-40, 0), (0, 35), (25, -25)])
def test_a_tilted_picture_has_no_parallax_and_keeps_its_eyes_once_rectified(still, yaw, pitch):
    h = F.tilt_homography(F.FRAME_SIZE, yaw, pitch)
    tilted = L.apply_homography(h, still.points)
    assert L.nose_parallax(still.points, tilted) == pytest.approx(0.0, abs=1e-6)
    assert L.rectified_ear(still.points, tilted) == pytest.approx(L.eye_aspect_ratio(still.points), abs=1e-6)
    # the plain measures do move: what the rectification and the parallax are for
    assert abs(L.yaw_ratio(tilted) - L.yaw_ratio(still.points)) > 0.03 or pitch
    assert L.anisotropy(still.points, tilted) < 0.95


def test_the_nose_moving_against_the_face_is_a_parallax_towards_its_side(still):
    turned = still.points.copy()
    turned[L.NOSE_LOWER, 0] += 0.05 * L.face_width(still.points)  # towards image right
    assert L.nose_parallax(still.points, turned) == pytest.approx(0.05, abs=0.005)
    assert L.yaw_ratio(turned) - L.yaw_ratio(still.points) == pytest.approx(0.1, abs=0.01)


def test_a_homography_maps_four_points_exactly():
    source = np.array([[0, 0], [10, 0], [10, 10], [0, 10], [3, 7]], dtype=float)
    h = np.array([[1.1, 0.2, 5], [-0.1, 0.9, -3], [0.001, 0.002, 1]])
    target = L.apply_homography(h, source)
    assert np.allclose(L.apply_homography(L.fit_homography(source, target), source), target, atol=1e-9)
    with pytest.raises(ValueError):
        L.fit_homography(source[:3], target[:3])


# --- the judge on footage --------------------------------------------------------------

def _judge(steps, kind="live", **kwargs):
    return L.judge(steps, F.cached_observations(kind, PHOTO, kwargs.pop("footage_steps", steps), **kwargs))


@pytest.mark.parametrize("steps", [BLINK_LEFT, LEFT_BLINK, ("turn_right", "blink")])
def test_a_live_person_following_the_challenge_passes(steps):
    verdict = _judge(steps)
    assert verdict.passed, verdict
    assert verdict.reason == "passed"
    # the evidence frames are in the steps' own time, in order
    offsets = F.offsets(2)
    shown = [offsets[i] for i in verdict.evidence]
    assert shown == sorted(shown)
    for k, offset in enumerate(shown):
        assert k * L.STEP_MS <= offset < (k + 1) * L.STEP_MS + L.REACTION_MS
    assert offsets[verdict.reference] < 0  # filmed before the first prompt
    assert verdict.frames_used[0] == verdict.reference


def test_the_photo_held_still_fails():
    verdict = _judge(BLINK_LEFT, kind="static")
    assert not verdict.passed and verdict.reason == "no_blink"
    assert not _judge(LEFT_BLINK, kind="static").passed


@pytest.mark.parametrize("kind", F.MOVES)
@pytest.mark.parametrize("steps", [BLINK_LEFT, ("turn_right", "blink")])
def test_the_photo_moved_as_a_whole_fails(kind, steps):
    # shifted, rotated, scaled, tilted in perspective (a printed photo turned in the hand)
    verdict = _judge(steps, kind=kind, footage_steps=BLINK_LEFT)
    assert not verdict.passed, (kind, verdict)
    assert verdict.reason in {"no_blink", "no_turn", "flat", "wrong_direction"}


def test_a_blink_when_asked_to_turn_fails():
    # the person blinks first and turns second; the challenge asked the other order
    verdict = _judge(LEFT_BLINK, footage_steps=BLINK_LEFT)
    assert not verdict.passed and verdict.step == 0 and verdict.reason == "no_turn"


def test_a_turn_the_wrong_way_fails():
    verdict = _judge(("blink", "turn_right"), footage_steps=BLINK_LEFT)
    assert not verdict.passed and verdict.step == 1 and verdict.reason == "wrong_direction"


def test_blinking_twice_is_not_a_turn_and_turning_twice_is_not_a_blink():
    assert _judge(BLINK_LEFT, footage_steps=("blink", "blink")).reason == "no_turn"
    assert _judge(LEFT_BLINK, footage_steps=("turn_left", "turn_right")).reason == "no_blink"


def test_frames_without_a_face_or_with_two_faces_fail_before_any_step():
    observations = F.cached_observations("live", PHOTO, BLINK_LEFT)
    blank = [L.Observation(o.index, o.offset_ms, 0) if o.index % 3 == 0 else o for o in observations]
    assert L.judge(BLINK_LEFT, blank).reason == "no_face"
    crowd = [L.Observation(o.index, o.offset_ms, 2) if o.index == 20 else o for o in observations]
    assert L.judge(BLINK_LEFT, crowd).reason == "several_faces"
    assert L.judge(BLINK_LEFT, observations[:6]).reason == "too_few_frames"
    assert L.judge(BLINK_LEFT, []).reason == "no_face"


def test_a_face_turned_away_before_the_first_prompt_is_not_a_reference():
    # kit_harington/john2.jpeg looks well to one side: the kiosk asks to look at the camera first
    still = F.camera_still(F.ENROLL / "kit_harington" / "john2.jpeg")
    assert abs(L.yaw_ratio(still.points)) > L.MAX_REFERENCE_YAW
    verdict = L.judge(BLINK_LEFT, F.cached_observations("live", "kit_harington/john2.jpeg", BLINK_LEFT))
    assert verdict.reason == "not_frontal"
