"""Geofence arithmetic against known coordinates."""
import math

import pytest

from app.common.errors import ValidationFailed
from app.places.models import Office
from app.places.services import EARTH_RADIUS_M, check_geofence, haversine_m, parse_coordinate


def test_one_degree_of_latitude_is_r_times_pi_over_180():
    # Along a meridian the great circle is exact: 1° = R·π/180 = 111,195.08 m for R = 6,371,008.8 m.
    assert haversine_m(0, 0, 1, 0) == pytest.approx(EARTH_RADIUS_M * math.pi / 180, rel=1e-12)
    assert haversine_m(0, 0, 1, 0) == pytest.approx(111_195.08, abs=0.01)


def test_nashville_to_los_angeles_matches_the_published_haversine_example():
    # Rosetta Code "Haversine formula": BNA (36.12, -86.67) → LAX (33.94, -118.40) is
    # 2887.2599506071106 km with R = 6372.8 km; scale to our radius.
    expected = 2887.2599506071106 * 1000 * EARTH_RADIUS_M / 6_372_800
    assert haversine_m(36.12, -86.67, 33.94, -118.40) == pytest.approx(expected, rel=1e-9)


def test_monas_to_bundaran_hi_is_about_2_2_km():
    # Monas (-6.1754, 106.8272) to Bundaran HI (-6.1950, 106.8230): ≈ 2.23 km on a map.
    assert 2_150 < haversine_m(-6.1754, 106.8272, -6.1950, 106.8230) < 2_300


def test_distance_is_symmetric_and_zero_at_the_same_point():
    assert haversine_m(-6.2, 106.8, -6.2, 106.8) == 0
    assert haversine_m(-6.2, 106.8, -6.3, 106.9) == pytest.approx(haversine_m(-6.3, 106.9, -6.2, 106.8))


def test_antipodes_do_not_raise_math_domain_errors():
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_M)


OFFICE = Office(code="X", name="X", latitude=-6.2088, longitude=106.8456, geofence_radius_m=100)


def test_inside_the_radius_is_clean():
    # 0.0005° of latitude ≈ 55.6 m north of the centre.
    result = check_geofence(OFFICE, -6.2083, 106.8456, accuracy_m=10)
    assert result.flag is None
    assert result.distance_m == pytest.approx(55.6, abs=0.2)


def test_outside_the_radius_is_flagged_with_its_distance():
    result = check_geofence(OFFICE, -6.2078, 106.8456)  # ≈ 111 m
    assert result.flag == "outside_geofence"
    assert result.distance_m == pytest.approx(111.2, abs=0.2)


def test_a_fix_less_precise_than_the_radius_is_flagged_even_at_the_centre():
    assert check_geofence(OFFICE, -6.2088, 106.8456, accuracy_m=150).flag == "low_accuracy"
    assert check_geofence(OFFICE, -6.2088, 106.8456, accuracy_m=100).flag is None


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-inf", "abc", "", None, True, [1], "9" * 51, "90.0001", -91])
def test_bad_latitudes_are_refused(value):
    with pytest.raises(ValidationFailed) as info:
        parse_coordinate(value, field="latitude", limit=90)
    assert "latitude" in info.value.errors


@pytest.mark.parametrize("value, expected", [("-6.2088", -6.2088), (106.8456, 106.8456), ("  12 ", 12.0), (-180, -180.0)])
def test_good_coordinates_parse(value, expected):
    assert parse_coordinate(value, field="longitude", limit=180) == expected
