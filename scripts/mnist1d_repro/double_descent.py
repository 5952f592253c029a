"""A double-descent job's training schedule. Reading the curves (interpolation threshold, test-error
peak) and the claims is the section's: ``sections.double_descent``."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # type hints only: torch comes with the training module, which the job imports anyway
    from .training import TrainConfig


def job_train_config(training: dict, train_samples: int, seed: int) -> TrainConfig:
    """A double-descent job's training: SGD with momentum on batches shuffled anew each epoch,
    evaluated at the start, every tenth of the epochs and at the end."""
    from .training import TrainConfig

    steps_per_epoch = math.ceil(train_samples / training["batch_size"])
    return TrainConfig(steps=training["epochs"] * steps_per_epoch, batch_size=training["batch_size"],
                       lr=training["lr"], optimizer="sgd", momentum=training["momentum"],
                       eval_every=steps_per_epoch * max(1, training["epochs"] // 10),
                       batch_order="shuffled", shuffle_seed=seed)
