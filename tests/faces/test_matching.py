"""Gallery matching (``app.faces.services.Gallery``) against a plain numpy computation.

The gallery computes squared distances as ‖a‖² − 2·a·b + ‖b‖² with one float32
BLAS product (column-major storage), then re-checks what it returns by
subtraction; these tests compare every result with the direct float64
Euclidean distance on random data, including near-duplicates of the probe.
"""
from __future__ import annotations

import numpy as np
import pytest

from app.faces import services


def _naive_per_person(user_ids, encodings, probe):
    """{user id: min over their rows of ‖row − probe‖}, in float64 by subtraction."""
    rows = np.asarray(encodings, dtype=np.float32).astype(np.float64)
    distances = np.sqrt(((rows - np.asarray(probe, dtype=np.float64)) ** 2).sum(axis=1))
    result: dict[int, float] = {}
    for user, distance in zip(user_ids, distances):
        result[int(user)] = min(result.get(int(user), np.inf), float(distance))
    return result


def _random_gallery(rng, people, max_samples):
    counts = rng.integers(1, max_samples + 1, size=people)
    user_ids = rng.permutation(np.repeat(rng.choice(10 * people, size=people, replace=False) + 1, counts))
    encodings = rng.normal(0, 0.09, size=(user_ids.size, 128))  # norms ≈ 1, like dlib's
    return user_ids, encodings


@pytest.mark.parametrize("seed", range(5))
def test_person_distances_equal_the_naive_computation(seed):
    rng = np.random.default_rng(seed)
    user_ids, encodings = _random_gallery(rng, 300, 6)
    gallery = services.Gallery.build(user_ids, encodings)
    probes = [rng.normal(0, 0.09, 128),                              # a stranger (~1.4 from everyone)
              encodings[3] + rng.normal(0, 0.02, 128),               # someone enrolled (~0.2)
              encodings[7] + rng.normal(0, 1e-4, 128),               # a near-duplicate (~1e-3)
              np.asarray(encodings[11], dtype=np.float32)]           # an enrolled sample itself (0)
    for probe in probes:
        naive = _naive_per_person(user_ids, encodings, probe)
        ours = gallery.person_distances(probe)
        assert ours.shape == (len(naive),) == gallery.people.shape
        expected = np.array([naive[int(user)] for user in gallery.people])
        assert np.max(np.abs(ours - expected)) < 1e-4


@pytest.mark.parametrize("seed", range(5))
def test_nearest_two_are_the_two_smallest_people(seed):
    rng = np.random.default_rng(100 + seed)
    user_ids, encodings = _random_gallery(rng, 500, 4)
    gallery = services.Gallery.build(user_ids, encodings)
    for probe in (rng.normal(0, 0.09, 128), encodings[5] + rng.normal(0, 0.03, 128), encodings[9]):
        naive = sorted((distance, user) for user, distance in _naive_per_person(user_ids, encodings, probe).items())
        (best, distance), (second, second_distance) = gallery.nearest_two(probe)
        assert int(gallery.people[best]) == naive[0][1] and abs(distance - naive[0][0]) < 1e-6
        assert int(gallery.people[second]) == naive[1][1] and abs(second_distance - naive[1][0]) < 1e-6


def test_per_person_minimum_is_taken_over_their_own_samples_only():
    # Person 2's samples are far except one; person 1's are all at 0.5; rows interleaved and unsorted.
    probe = np.zeros(128)
    unit = np.eye(128)
    encodings = [unit[0] * 0.5, unit[1] * 3.0, unit[2] * 0.5, unit[3] * 0.25, unit[4] * 2.0, unit[5] * 0.5]
    user_ids = [1, 2, 1, 2, 2, 1]
    gallery = services.Gallery.build(user_ids, encodings, {1: "One", 2: "Two"})
    assert list(gallery.people) == [1, 2] and list(gallery.starts) == [0, 3]
    assert np.allclose(gallery.person_distances(probe), [0.5, 0.25], atol=1e-6)
    (best, distance), (second, second_distance) = gallery.nearest_two(probe)
    assert (int(gallery.people[best]), int(gallery.people[second])) == (2, 1)
    assert distance == pytest.approx(0.25, abs=1e-7) and second_distance == pytest.approx(0.5, abs=1e-7)


def test_the_best_persons_other_samples_never_count_as_second():
    # All of person 1's samples are nearer than person 2: the second must still be person 2.
    probe = np.zeros(128)
    unit = np.eye(128)
    gallery = services.Gallery.build([1, 1, 1, 2], [unit[0] * 0.1, unit[1] * 0.2, unit[2] * 0.3, unit[3] * 0.9])
    (best, distance), (second, second_distance) = gallery.nearest_two(probe)
    assert int(gallery.people[best]) == 1 and int(gallery.people[second]) == 2
    assert second_distance == pytest.approx(0.9, abs=1e-6)
    result = services.decide(gallery, services.Face((0, 1, 1, 0), probe), 0.55, 0.05)
    assert result.decision == services.MATCH and result.second_distance == pytest.approx(0.9, abs=1e-4)


def test_empty_gallery():
    gallery = services.Gallery.build(np.zeros(0, np.int64), np.zeros((0, 128), np.float32))
    assert len(gallery) == 0 and gallery.people.shape == (0,) and gallery.sq_norms.shape == (0,)
    assert gallery.person_distances(np.zeros(128)).shape == (0,)
    assert gallery.nearest_two(np.zeros(128)) == (None, None)
    result = services.decide(gallery, services.Face((0, 1, 1, 0), np.zeros(128)), 0.55, 0.05)
    assert result.decision == services.UNKNOWN and result.distance is None


def test_single_person_gallery():
    rng = np.random.default_rng(7)
    encodings = rng.normal(0, 0.09, size=(3, 128))
    gallery = services.Gallery.build([42, 42, 42], encodings, {42: "Solo"})
    probe = encodings[1] + rng.normal(0, 0.01, 128)
    expected = _naive_per_person([42, 42, 42], encodings, probe)[42]
    assert gallery.person_distances(probe) == pytest.approx([expected], abs=1e-4)
    best, second = gallery.nearest_two(probe)
    assert best[0] == 0 and best[1] == pytest.approx(expected, abs=1e-6) and second is None
    result = services.decide(gallery, services.Face((0, 1, 1, 0), probe), 0.55, 0.05)
    assert (result.user_id, result.name, result.second_distance) == (42, "Solo", None)


def test_layout_is_column_major_read_only_with_norms():
    rng = np.random.default_rng(3)
    encodings = rng.normal(0, 0.09, size=(50, 128))
    gallery = services.Gallery.build(np.arange(50) % 7, encodings)
    assert gallery.matrix.shape == (50, 128) and gallery.matrix.dtype == np.float32
    assert gallery.matrix.flags.f_contiguous and not gallery.matrix.flags.writeable
    order = np.argsort(np.arange(50) % 7, kind="stable")
    assert np.array_equal(gallery.matrix, encodings[order].astype(np.float32))
    expected_norms = (encodings[order].astype(np.float32).astype(np.float64) ** 2).sum(axis=1)
    assert np.allclose(gallery.sq_norms, expected_norms, rtol=1e-6)
    with pytest.raises(ValueError):
        services.Gallery.build([1, 2], encodings[:3])
