"""Dataset variants: transformations of a generated dataset that experiments ask for.

Each variant function takes the arrays of a dataset (as returned by ``generator.make_dataset``
or ``io.load_dataset``) and returns a new dict; the input is never modified.
"""
from __future__ import annotations

import numpy as np

from .generator import NUM_CLASSES, GeneratorArgs, draw_factors

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


LABEL_NOISE_DRAWS = ("reference", "all_at_once")
ALL_AT_ONCE_SEED = 0  # the all_at_once draw's seed where a variant names none (the draw this pipeline made first)


def stream_after_make_dataset(args: GeneratorArgs) -> tuple[np.random.RandomState, np.ndarray]:
    """The random stream as ``make_dataset(args)`` leaves it, and the sample order it drew.

    The reference's ``make_dataset`` seeds NumPy's global stream with ``args.seed`` and then
    draws every sample's factors, the permutation of the samples and, with ``shuffle_seq``, the
    permutation of the points; ``generator.make_dataset`` makes the same draws from its own
    stream. Replaying them (without building the signals) reaches the state in which the
    reference's double-descent notebook starts drawing its label noise.
    """
    rng = np.random.RandomState(args.seed)
    total = (args.num_samples // NUM_CLASSES) * NUM_CLASSES
    draw_factors(total, args, rng)
    order = rng.permutation(total)
    if args.shuffle_seq:
        rng.permutation(args.final_seq_length)
    return rng, order


def _replayed_stream(data: dict, generator: dict) -> np.random.RandomState:
    """``stream_after_make_dataset`` for the generator arguments ``generator`` (a dataset's
    stored spec), checked against ``data``: the replayed sample order must give its labels."""
    args = GeneratorArgs.from_dict(generator)
    rng, order = stream_after_make_dataset(args)
    per_class = args.num_samples // NUM_CLASSES
    labels = np.repeat(np.arange(NUM_CLASSES), per_class)[order]
    if not np.array_equal(labels, np.concatenate([data["y"], data["y_test"]])):
        raise ValueError("the reference's label-noise draw needs the generator's own output: replaying "
                         f"make_dataset with {generator} does not give this dataset's labels")
    return rng


def label_noise(data: dict, rate: float, draw: str, seed: int | None = None,
                generator: dict | None = None) -> dict:
    """Replace each training label, with probability ``rate``, by a uniform random class.

    The new class may equal the old one. Test labels are untouched. ``y_clean`` keeps the
    original labels and ``label_resampled`` marks which training labels were redrawn.

    draw "reference": as the reference's double-descent notebook, from the stream that
        generated the dataset (``generator``: its arguments), continued where
        ``make_dataset`` left it, one training sample after the other: a uniform number,
        and only where it falls below ``rate`` a class from 0 to 9.
    draw "all_at_once": from ``RandomState(seed)`` (seed 0 unless given), all uniform numbers
        first, then one class for every sample.
    """
    if not 0 <= rate <= 1:
        raise ValueError(f"label-noise rate must lie in [0, 1], got {rate}")
    y = data["y"]
    if draw == "reference":
        if generator is None:
            raise ValueError("the reference's label-noise draw needs the dataset's generator arguments")
        rng = _replayed_stream(data, generator)
        resampled = np.zeros(len(y), dtype=bool)
        noisy = y.copy()
        for i in range(len(y)):
            if rng.random_sample() < rate:
                resampled[i] = True
                noisy[i] = rng.randint(0, NUM_CLASSES)
    elif draw == "all_at_once":
        rng = np.random.RandomState(ALL_AT_ONCE_SEED if seed is None else seed)
        resampled = rng.random_sample(len(y)) < rate
        noisy = np.where(resampled, rng.randint(NUM_CLASSES, size=len(y)), y)
    else:
        raise ValueError(f"unknown label-noise draw {draw!r}; known: {', '.join(LABEL_NOISE_DRAWS)}")
    out = dict(data)
    out["y"] = noisy
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


def apply_variant(data: dict, spec: dict, generator: dict | None = None) -> dict:
    """Apply a variant described by a config entry such as ``{kind: shuffle, seed: 42}``.

    ``generator``: the generator arguments the dataset was made with (its stored spec), which
    the reference's label-noise draw replays.
    """
    params = {k: v for k, v in spec.items() if k != "kind"}
    kinds = {"shuffle": shuffle_features, "flip": flip, "chunk_swap": chunk_swap,
             "label_noise": label_noise, "train_subset": train_subset}
    if spec.get("kind") not in kinds:
        raise ValueError(f"unknown variant kind {spec.get('kind')!r}; known: {', '.join(kinds)}")
    if spec["kind"] == "label_noise" and params.get("draw") == "reference":
        params["generator"] = generator
    return kinds[spec["kind"]](data, **params)
