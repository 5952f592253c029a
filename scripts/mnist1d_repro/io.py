"""Reading and writing pipeline files: datasets as .npz, tables as CSV, metrics as JSON.

Writes go to a temporary file in the same folder and are renamed into place, so an
interrupted job never leaves a half-written result behind.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

REQUIRED_DATASET_KEYS = ("x", "y", "x_test", "y_test", "t")
NUM_CLASSES = 10
DATASET_DIGEST_KEY = "sha256"  # the array of a dataset file that holds the digest of all the others


class UnreadableFileError(ValueError):
    """A results file that exists but cannot be read (truncated, empty, corrupt or wrong)."""


@contextmanager
def reading(path, kind: str):
    """Turn any failure to read ``path`` into one error that names the file, says what is wrong
    and what to do: a half-written or corrupt result is rebuilt by deleting it and rerunning."""
    try:
        yield
    except FileNotFoundError:
        raise
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        if isinstance(error, UnreadableFileError):
            raise
        what = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
        if "allow_pickle" in str(error):  # NumPy takes what is no zip for a pickle, and advises unpickling it
            what = "not an .npz archive"
        raise UnreadableFileError(f"{path}: cannot read this {kind} ({what}). Delete it and rerun the same "
                                  "snakemake command to rebuild it.") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path, suffix=""):
    """Yield a temporary path beside ``path``; rename it to ``path`` if the block succeeds. The
    file gets the mode a plain open() would give it (0666 less the umask), not mkstemp's 0600,
    so that results stay readable to the group a cluster shares them with."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except OSError as error:
        if error.errno != errno.ENOSPC:
            raise
        raise OSError(error.errno, f"{path}: not written, the disk is full ({error.strerror}); nothing "
                                   "half-written was left. Free some space and rerun the same command") from error
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def arrays_digest(arrays: dict) -> str:
    """sha256 of named arrays: each one's name, dtype, shape and bytes, in name order (an .npz's
    zip timestamps and compression do not count)."""
    sha = hashlib.sha256()
    for name in sorted(arrays):
        array = np.ascontiguousarray(arrays[name])
        sha.update(f"{name} {array.dtype.str} {array.shape}\n".encode())
        sha.update(array.tobytes())
    return sha.hexdigest()


def save_dataset(path, data: dict, spec: dict) -> None:
    """Save dataset arrays, a JSON description of how they were made, and the sha256 of both, which
    ``load_dataset`` checks."""
    arrays = {k: np.asarray(v) for k, v in data.items()}
    arrays["spec_json"] = np.array(json.dumps(spec, sort_keys=True))
    arrays[DATASET_DIGEST_KEY] = np.array(arrays_digest(arrays))
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)


def load_dataset(path) -> dict:
    """Load a dataset file written by ``save_dataset``; ``spec`` holds its description. A file
    whose arrays no longer match the sha256 recorded with them (changed or damaged since it was
    written, e.g. labels shuffled, which no shape or range check can see) is refused, as is one
    without a recorded sha256."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"dataset file not found: {path}")
    with reading(path, "dataset file"):
        with np.load(path, allow_pickle=False) as archive:
            data = {k: archive[k] for k in archive.files}
    rebuild = "Delete it and rerun the same snakemake command to rebuild it."
    missing = [k for k in REQUIRED_DATASET_KEYS if k not in data]
    if missing:
        raise UnreadableFileError(f"{path}: not an MNIST-1D dataset file (missing {', '.join(missing)}). {rebuild}")
    recorded = data.pop(DATASET_DIGEST_KEY, None)
    if recorded is None:
        raise UnreadableFileError(f"{path}: no sha256 of its arrays is recorded in it, as the pipeline records in "
                                  "every dataset it writes (it was written by an older version or by something "
                                  f"else), so a changed file could not be told from the one made. {rebuild}")
    if str(recorded) != arrays_digest(data):
        raise UnreadableFileError(f"{path}: its arrays do not match the sha256 recorded when it was written, so "
                                  f"it was changed or damaged since. {rebuild}")
    with reading(path, "dataset file"):
        data["spec"] = json.loads(str(data.pop("spec_json"))) if "spec_json" in data else {}
    check_dataset_arrays(data, path)
    check_dataset_identity(data, path)
    return data


# The frozen MNIST-1D dataset (the reference's generator settings, seed 42) in portable numerics:
# the sha256 (arrays_digest) of its arrays, the same on every CPU. A file that claims to be it
# and differs was changed and re-hashed. (Native numerics may round the generator otherwise.)
FROZEN_DATASET_DIGEST = "a3e3bb6f9b3f40983931d65e6031eba95b1ff24f53eea01f59db29a3c0b2dd31"


def check_dataset_identity(data: dict, path) -> None:
    """A generated dataset file must be the dataset its place in the results names (results/data/
    <dataset>/<variant>.npz, as its recorded description says), and a file that describes itself as the
    frozen dataset must hold the frozen dataset's arrays (portable numerics only)."""
    from .generator import GeneratorArgs
    from .numerics import MODE_VARIABLE

    path, spec = Path(path), data["spec"]
    rebuild = "Delete it and rerun the same snakemake command to rebuild it."
    if path.parent.parent.name == "data" and {"dataset", "variant", "generator"} <= spec.keys():
        if (spec["dataset"], spec["variant"]) != (path.parent.name, path.stem):
            raise UnreadableFileError(
                f"{path}: it holds variant '{spec['variant']}' of dataset '{spec['dataset']}' (as recorded in it), not "
                f"variant '{path.stem}' of dataset '{path.parent.name}', which its place names: it was copied or moved "
                f"here. {rebuild}")
    is_frozen = spec.get("variant") == "original" and spec.get("generator") == GeneratorArgs().to_dict()
    if is_frozen and os.environ.get(MODE_VARIABLE) == "portable":
        arrays = {key: value for key, value in data.items() if key != "spec"}
        if arrays_digest(arrays) != FROZEN_DATASET_DIGEST:
            raise UnreadableFileError(
                f"{path}: it describes itself as the frozen MNIST-1D dataset (the reference's generator settings) but "
                f"its arrays are not the frozen dataset's, although they match the sha256 recorded with them: it was "
                f"changed and its sha256 recomputed. {rebuild}")


def dataset_spec(path) -> dict:
    """The description ``save_dataset`` stored with a dataset, without reading its arrays."""
    with reading(Path(path), "dataset file"):
        with np.load(path, allow_pickle=False) as archive:
            return json.loads(str(archive["spec_json"])) if "spec_json" in archive.files else {}


def check_dataset_arrays(data: dict, path) -> None:
    """Values, shapes and labels a dataset must have, checked when it is loaded rather than deep
    inside a model: finite inputs with samples first (signals, or images for MNIST) and one shape
    per sample shared by train and test, one integer label in 0-9 per sample."""
    for x_key, y_key in (("x", "y"), ("x_test", "y_test")):
        x, y = data[x_key], data[y_key]
        if x.ndim < 2 or y.ndim != 1 or len(x) != len(y):
            raise UnreadableFileError(f"{path}: '{x_key}' must be (samples, features...) with one label per sample "
                                      f"in '{y_key}', got shapes {x.shape} and {y.shape}. Delete it and rerun to "
                                      "rebuild it.")
        if not np.issubdtype(x.dtype, np.number):
            raise UnreadableFileError(f"{path}: '{x_key}' must hold numbers, not {x.dtype}. Delete it and rerun to "
                                      "rebuild it.")
        bad_rows = np.flatnonzero(~np.isfinite(x).reshape(len(x), -1).all(axis=1))
        if len(bad_rows):
            raise UnreadableFileError(f"{path}: {len(bad_rows)} samples of '{x_key}' (rows {bad_rows[:3].tolist()}"
                                      f"{'...' if len(bad_rows) > 3 else ''}) hold NaN or infinity. Delete it and "
                                      "rerun to rebuild it.")
        if not np.issubdtype(y.dtype, np.integer) or (len(y) and (y.min() < 0 or y.max() >= NUM_CLASSES)):
            raise UnreadableFileError(f"{path}: labels in '{y_key}' must be integers 0-{NUM_CLASSES - 1}. Delete it "
                                      "and rerun to rebuild it.")
    if data["x"].shape[1:] != data["x_test"].shape[1:]:
        raise UnreadableFileError(f"{path}: a sample of 'x' has shape {data['x'].shape[1:]} and one of 'x_test' "
                                  f"{data['x_test'].shape[1:]}. Delete it and rerun to rebuild it.")


def save_arrays(path, arrays: dict) -> None:
    """Named arrays (no pickled objects) in one compressed .npz."""
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **{k: np.asarray(v) for k, v in arrays.items()})


def load_arrays(path) -> dict:
    with reading(path, "array file"), np.load(path, allow_pickle=False) as archive:
        return {k: archive[k] for k in archive.files}


def save_json(path, obj) -> None:
    """Write ``obj`` as JSON. A NaN or infinite number is an error that names the file: JSON has
    no such numbers, so a result that is not finite must say so in a field of its own."""
    try:
        text = json.dumps(obj, indent=2, sort_keys=True, allow_nan=False)
    except ValueError as error:
        raise ValueError(f"{path}: refusing to write a NaN or infinite number ({error}); record why the value "
                         "is not finite instead (e.g. a 'diverged' flag)") from None
    with atomic_path(path, suffix=".json") as tmp:
        tmp.write_text(text + "\n")


def load_json(path):
    with reading(path, "JSON file"):
        return json.loads(Path(path).read_text())


def save_csv(path, frame) -> None:
    with atomic_path(path, suffix=".csv") as tmp:
        frame.to_csv(tmp, index=False, float_format="%.6g")
