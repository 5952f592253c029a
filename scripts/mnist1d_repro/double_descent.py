"""A double-descent job's training schedule, and reading its curve: interpolation threshold and test-error peak."""
from __future__ import annotations

import math

import numpy as np

from .training import TrainConfig


def job_train_config(training: dict, train_samples: int, seed: int) -> TrainConfig:
    """A double-descent job's training: SGD with momentum on batches shuffled anew each epoch,
    evaluated at the start, every tenth of the epochs and at the end."""
    steps_per_epoch = math.ceil(train_samples / training["batch_size"])
    return TrainConfig(steps=training["epochs"] * steps_per_epoch, batch_size=training["batch_size"],
                       lr=training["lr"], optimizer="sgd", momentum=training["momentum"],
                       eval_every=steps_per_epoch * max(1, training["epochs"] // 10),
                       batch_order="shuffled", shuffle_seed=seed)


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
