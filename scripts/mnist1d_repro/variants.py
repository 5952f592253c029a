"""Dataset variants: transformations of a generated dataset that experiments ask for.

Each variant function takes the arrays of a dataset (as returned by ``generator.make_dataset``
or ``io.load_dataset``) and returns a new dict; the input is never modified.
"""
from __future__ import annotations

import numpy as np

from .generator import NUM_CLASSES

FEATURE_KEYS = ("x", "x_test")


def _with_features(data: dict, reorder: np.ndarray) -> dict:
    out = dict(data)
    for key in FEATURE_KEYS:
        out[key] = data[key][:, reorder]
    out["feature_order"] = reorder
    return out


def shuffle_features(data: dict, seed: int) -> dict:
    """One fixed permutation of the positions, the same for train and test.

    Drawn as ``np.random.seed(seed); np.random.permutation(length)`` in the reference.
    """
    order = np.random.RandomState(seed).permutation(data["x"].shape[1])
    return _with_features(data, order)


def flip(data: dict) -> dict:
    """Positions reversed."""
    return _with_features(data, np.arange(data["x"].shape[1])[::-1].copy())


def chunk_swap(data: dict, order: list[int]) -> dict:
    """Cut the positions into ``len(order)`` equal chunks and put them in ``order`` (1-based)."""
    length, chunks = data["x"].shape[1], len(order)
    if sorted(order) != list(range(1, chunks + 1)):
        raise ValueError(f"chunk order must be a permutation of 1..{chunks}, got {order}")
    if length % chunks:
        raise ValueError(f"{length} positions cannot be cut into {chunks} equal chunks")
    pieces = np.arange(length).reshape(chunks, -1)
    return _with_features(data, np.concatenate([pieces[i - 1] for i in order]))


def label_noise(data: dict, rate: float, seed: int) -> dict:
    """Replace each training label, with probability ``rate``, by a uniform random class.

    The new class may equal the old one. Test labels are untouched. ``y_clean`` keeps the
    original labels and ``label_resampled`` marks which training labels were redrawn.
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"label-noise rate must lie in [0, 1], got {rate}")
    rng = np.random.RandomState(seed)
    y = data["y"]
    resampled = rng.random_sample(len(y)) < rate
    new_labels = rng.randint(NUM_CLASSES, size=len(y))
    out = dict(data)
    out["y"] = np.where(resampled, new_labels, y)
    out["y_clean"] = y
    out["label_resampled"] = resampled
    return out


def train_subset(data: dict, size: int) -> dict:
    """The first ``size`` training samples (the generator has already shuffled them); test untouched."""
    available = len(data["y"])
    if not 0 < size <= available:
        raise ValueError(f"train_subset size must be in 1..{available}, got {size}")
    out = dict(data)
    for key in ("x", "y", "y_clean", "label_resampled"):
        if key in data:
            out[key] = data[key][:size]
    return out


def apply_variant(data: dict, spec: dict) -> dict:
    """Apply a variant described by a config entry such as ``{kind: shuffle, seed: 42}``."""
    params = {k: v for k, v in spec.items() if k != "kind"}
    kinds = {"shuffle": shuffle_features, "flip": flip, "chunk_swap": chunk_swap,
             "label_noise": label_noise, "train_subset": train_subset}
    if spec.get("kind") not in kinds:
        raise ValueError(f"unknown variant kind {spec.get('kind')!r}; known: {', '.join(kinds)}")
    return kinds[spec["kind"]](data, **params)
