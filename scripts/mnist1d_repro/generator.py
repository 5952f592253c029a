"""MNIST-1D generator, vectorised over samples.

The reference implementation transforms one sample at a time in Python. Here the random
draws are made in the reference's exact order (one legacy ``RandomState`` stream, so the
numbers are identical), and every deterministic step is applied to all samples at once.
Interpolation reproduces ``np.interp`` arithmetic exactly, because the correlated-noise
step replaces entries that are *exactly* zero and a rounding difference would change
which entries those are.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

# Hand-made 12-point templates for digits 0..9 (x coordinates before normalisation).
TEMPLATE_ROWS = np.array(
    [
        [5, 6, 6.5, 6.75, 7, 7, 7, 7, 6.75, 6.5, 6, 5],
        [5, 3, 3, 3.4, 3.8, 4.2, 4.6, 5, 5.4, 5.8, 5, 5],
        [5, 6, 6.5, 6.5, 6, 5.25, 4.75, 4, 3.5, 3.5, 4, 5],
        [5, 6, 6.5, 6.5, 6, 5, 5, 6, 6.5, 6.5, 6, 5],
        [5, 4.4, 3.8, 3.2, 2.6, 2.6, 5, 5, 5, 5, 5, 5],
        [5, 3, 3, 3, 3, 5, 6, 6.5, 6.5, 6, 4.5, 5],
        [5, 4, 3.5, 3.25, 3, 3, 3, 3, 3.25, 3.5, 4, 5],
        [5, 7, 7, 6.6, 6.2, 5.8, 5.4, 5, 4.6, 4.2, 5, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 4, 3.5, 3.5, 4, 5],
        [5, 4, 3.5, 3.5, 4, 5, 5, 5, 5, 4.7, 4.3, 5],
    ],
    dtype=np.float64,
)
NUM_CLASSES = len(TEMPLATE_ROWS)
MAX_SAMPLES = 10_000_000
MEMORY_KB_PER_SAMPLE = 5  # peak memory while generating (measured: 0.9 GB for 200,000 samples)
PAD_EPSILON = 1e-8  # added before padding so that only padded entries are exactly zero
CORR_NOISE_SIGMA = 2.0


@dataclass(frozen=True)
class GeneratorArgs:
    """Every parameter of the generator; the defaults give the frozen MNIST-1D dataset."""

    num_samples: int = 5000
    train_split: float = 0.8
    template_len: int = 12
    padding: tuple[int, int] = (36, 60)
    scale_coeff: float = 0.4
    max_translation: int = 48
    corr_noise_scale: float = 0.25
    iid_noise_scale: float = 0.02
    shear_scale: float = 0.75
    shuffle_seq: bool = False
    final_seq_length: int = 40
    seed: int = 42

    def __post_init__(self):
        object.__setattr__(self, "padding", tuple(int(p) for p in self.padding))
        problems = []
        if self.num_samples < NUM_CLASSES:
            problems.append(f"num_samples must be at least {NUM_CLASSES}, got {self.num_samples}")
        if self.num_samples > MAX_SAMPLES:
            problems.append(f"num_samples must be at most {MAX_SAMPLES:,} (generating takes about "
                            f"{MEMORY_KB_PER_SAMPLE} kB of memory a sample), got {self.num_samples:,}")
        if not 0 < self.train_split < 1:
            problems.append(f"train_split must lie strictly between 0 and 1, got {self.train_split}")
        elif NUM_CLASSES <= self.num_samples <= MAX_SAMPLES and 0 in split_counts(self.num_samples, self.train_split):
            train, test = split_counts(self.num_samples, self.train_split)
            problems.append(f"num_samples {self.num_samples} with train_split {self.train_split} gives {train} "
                            f"training and {test} test samples; both need at least one")
        if self.template_len != TEMPLATE_ROWS.shape[1]:
            problems.append(f"template_len must be {TEMPLATE_ROWS.shape[1]} (the templates' length), "
                            f"got {self.template_len}")
        low, high = self.padding
        if not 0 <= low <= high:
            problems.append(f"padding must be [low, high] with 0 <= low <= high, got {list(self.padding)}")
        if self.max_translation < 1:
            problems.append(f"max_translation must be at least 1, got {self.max_translation}")
        if self.final_seq_length < 2:
            problems.append(f"final_seq_length must be at least 2, got {self.final_seq_length}")
        for name in ("scale_coeff", "corr_noise_scale", "iid_noise_scale", "shear_scale"):
            if getattr(self, name) < 0:
                problems.append(f"{name} must be non-negative, got {getattr(self, name)}")
        if problems:
            raise ValueError("invalid generator arguments: " + "; ".join(problems))

    @property
    def dilated_len(self) -> int:
        return self.template_len + self.padding[1]

    @classmethod
    def from_dict(cls, values: dict) -> "GeneratorArgs":
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown generator argument(s): {', '.join(unknown)}")
        return cls(**values)

    def to_dict(self) -> dict:
        values = asdict(self)
        values["padding"] = list(self.padding)
        return values


def templates() -> dict[str, np.ndarray]:
    """The ten normalised templates, their time axis and labels."""
    x = TEMPLATE_ROWS - TEMPLATE_ROWS.mean(axis=1, keepdims=True)
    x = x / TEMPLATE_ROWS.std(axis=1, keepdims=True)
    x = (x - x[:, :1]) / 6.0
    t = np.linspace(-5, 5, TEMPLATE_ROWS.shape[1]) / 6.0
    return {"x": x, "t": t, "y": np.arange(NUM_CLASSES)}


def resample_linear(rows: np.ndarray, n_out: int) -> np.ndarray:
    """Resample each row onto ``n_out`` points, endpoints aligned.

    Bit-for-bit what ``np.interp(linspace(0, 1, n_out), linspace(0, 1, n_in), row)`` gives,
    for all rows at once.
    """
    rows = np.asarray(rows, dtype=np.float64)
    n_in = rows.shape[-1]
    grid = np.linspace(0, 1, n_in)
    query = np.linspace(0, 1, n_out)
    left = np.searchsorted(grid, query, side="right") - 1
    on_node = grid[left] == query
    out = np.empty(rows.shape[:-1] + (n_out,))
    out[..., on_node] = rows[..., left[on_node]]
    j = left[~on_node]
    slope = (rows[..., j + 1] - rows[..., j]) / (grid[j + 1] - grid[j])
    out[..., ~on_node] = slope * (query[~on_node] - grid[j]) + rows[..., j]
    return out


@dataclass
class RandomFactors:
    """The per-sample random draws, in the units each construction step uses."""

    pad: np.ndarray  # number of zeros appended
    scale: np.ndarray  # multiplicative factor
    shift: np.ndarray  # circular shift to the right
    corr_noise: np.ndarray  # white noise before smoothing, already scaled
    iid_noise: np.ndarray
    shear: np.ndarray  # slope coefficient


def draw_factors(n: int, args: GeneratorArgs, rng: np.random.RandomState) -> RandomFactors:
    """Draw the factors of ``n`` samples from ``rng`` in the reference's per-sample order."""
    length = args.dilated_len
    u_pad, u_scale, u_shear = np.empty(n), np.empty(n), np.empty(n)
    shift = np.empty(n, dtype=np.int64)
    noise = np.empty((n, 2 * length))
    uniform, integer, normal = rng.random_sample, rng.randint, rng.standard_normal
    for i in range(n):
        u_pad[i] = uniform()
        u_scale[i] = uniform()
        shift[i] = integer(args.max_translation)
        noise[i] = normal(2 * length)  # correlated-noise draws, then iid-noise draws
        u_shear[i] = uniform()
    low, high = args.padding
    return RandomFactors(
        pad=low + (u_pad * (high - low + 1)).astype(np.int64),
        scale=1 + args.scale_coeff * (u_scale - 0.5),
        shift=shift,
        corr_noise=args.corr_noise_scale * noise[:, :length],
        iid_noise=args.iid_noise_scale * noise[:, length:],
        shear=args.shear_scale * (u_shear - 0.5),
    )


CONSTRUCTION_STEPS = ("template", "padded", "dilated", "scaled", "translated",
                      "correlated_noise", "iid_noise", "sheared", "downsampled")


def construct(template_x: np.ndarray, factors: RandomFactors, args: GeneratorArgs,
              keep_steps: bool = False):
    """Turn templates (one row per sample) into signals of ``final_seq_length`` points.

    Returns the signals, or with ``keep_steps`` a dict of every intermediate stage (rows
    padded with NaN where a stage is shorter than the dilated length).
    """
    n, length = len(template_x), args.dilated_len
    rows = np.arange(n)[:, None]
    padded_len = args.template_len + factors.pad
    padded = np.zeros((n, length))
    padded[:, : args.template_len] = template_x + PAD_EPSILON

    x = np.empty((n, length))
    for plen in np.unique(padded_len):
        members = padded_len == plen
        x[members] = resample_linear(padded[members, :plen], length)
    steps = {}
    if keep_steps:
        steps["template"] = template_x
        steps["padded"] = np.where(np.arange(length) < padded_len[:, None], padded, np.nan)
        steps["dilated"] = x.copy()
    x = x * factors.scale[:, None]
    if keep_steps:
        steps["scaled"] = x.copy()
    x = x[rows, (np.arange(length) - factors.shift[:, None]) % length]
    if keep_steps:
        steps["translated"] = x.copy()
    from scipy.ndimage import gaussian_filter1d  # here: scipy.ndimage adds 0.4 s to every job that imports this module

    smooth = gaussian_filter1d(factors.corr_noise, CORR_NOISE_SIGMA, axis=-1)
    x = np.where(x != 0, x, smooth)
    if keep_steps:
        steps["correlated_noise"] = x.copy()
    x = x + factors.iid_noise
    if keep_steps:
        steps["iid_noise"] = x.copy()
    x = x - factors.shear[:, None] * np.linspace(-0.5, 0.5, length)
    if keep_steps:
        steps["sheared"] = x.copy()
    x = resample_linear(x, args.final_seq_length)
    if keep_steps:
        steps["downsampled"] = x
        return steps
    return x


def time_axis(args: GeneratorArgs) -> np.ndarray:
    """The template time axis carried through dilation and downsampling (before scaling)."""
    t = resample_linear(templates()["t"], args.dilated_len)
    return resample_linear(t, args.final_seq_length)


def split_counts(num_samples: int, train_split: float) -> tuple[int, int]:
    """(train, test) sample counts of these generator parameters: num_samples // 10 samples per
    class, of which the first int(total * train_split) (after shuffling) go to training."""
    total = (num_samples // NUM_CLASSES) * NUM_CLASSES
    train = int(total * train_split)
    return train, total - train


def make_dataset(args: GeneratorArgs | None = None) -> dict[str, np.ndarray]:
    """Generate MNIST-1D: train/test signals and labels, the time axis and the templates."""
    args = args or GeneratorArgs()
    rng = np.random.RandomState(args.seed)
    tmpl = templates()
    per_class = args.num_samples // NUM_CLASSES
    labels = np.repeat(tmpl["y"], per_class)
    factors = draw_factors(len(labels), args, rng)
    x = construct(tmpl["x"][labels], factors, args)

    order = rng.permutation(len(labels))
    x, labels = x[order], labels[order]
    if args.shuffle_seq:
        x = x[:, rng.permutation(args.final_seq_length)]
    t = time_axis(args) / x.std()
    x = (x - x.mean()) / x.std()

    split, _ = split_counts(args.num_samples, args.train_split)
    return {
        "x": x[:split], "y": labels[:split],
        "x_test": x[split:], "y_test": labels[split:],
        "t": t,
        "templates_x": tmpl["x"], "templates_t": tmpl["t"], "templates_y": tmpl["y"],
    }
