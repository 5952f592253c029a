"""Reading a double-descent curve: interpolation threshold and test-error peak."""
from __future__ import annotations

import numpy as np


def interpolation_threshold(widths, train_error, tolerance: float):
    """The smallest width whose training error is at most ``tolerance`` (None if none is)."""
    for width, error in zip(widths, train_error):
        if error <= tolerance:
            return width
    return None


def test_error_peak(widths, test_error) -> dict:
    """The largest rise of the test error above the best error at any smaller width.

    A curve that only falls has height <= 0 and no peak (``width`` None). ``fall`` is how
    much lower the widest model's error is than the peak's.
    """
    errors = np.asarray(test_error, dtype=float)
    best_before = np.minimum.accumulate(errors)
    rises = np.r_[0.0, errors[1:] - best_before[:-1]]
    i = int(np.argmax(rises))
    if rises[i] <= 0:
        return {"width": None, "error": None, "height": 0.0, "fall": 0.0}
    return {"width": widths[i], "error": float(errors[i]), "height": float(rises[i]),
            "fall": float(errors[i] - errors[-1])}
