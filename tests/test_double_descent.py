from mnist1d_repro import double_descent as dd
from mnist1d_repro.double_descent import interpolation_threshold


def test_threshold_is_the_first_width_that_fits():
    assert interpolation_threshold([2, 4, 8, 16], [30.0, 5.0, 0.4, 0.0], tolerance=0.5) == 8
    assert interpolation_threshold([2, 4], [30.0, 5.0], tolerance=0.5) is None


def test_peak_is_the_largest_rise_above_every_smaller_width():
    widths = [2, 4, 8, 16, 32, 64]
    errors = [70.0, 45.0, 40.0, 52.0, 47.0, 38.0]  # classic double descent
    peak = dd.test_error_peak(widths, errors)
    assert peak == {"width": 16, "error": 52.0, "height": 12.0, "fall": 14.0}


def test_a_falling_curve_has_no_peak():
    assert dd.test_error_peak([1, 2, 3], [50.0, 45.0, 41.0])["width"] is None
    assert dd.test_error_peak([1, 2, 3], [50.0, 45.0, 41.0])["height"] == 0.0


def test_a_wiggle_is_smaller_than_a_real_peak():
    peak = dd.test_error_peak([1, 2, 3, 4, 5], [50.0, 40.0, 40.5, 39.0, 38.0])
    assert peak["width"] == 3 and abs(peak["height"] - 0.5) < 1e-12
