"""Section 3: the MNIST-1D dataset (Figure 1, Figure 3b, the pixel-space baselines)."""
from __future__ import annotations

import numpy as np

from ..claims import binomial_se, difference
from .spec import ClaimValues, Measurement, Section, Switch, mean_over_runs

TSNE_METHOD = Switch("dataset_section.tsne.method", ("opentsne", "sklearn"), reruns_jobs=True)

SECTION = Section(
    name="dataset",
    folder="dataset",
    category="3. MNIST-1D dataset",
    outputs=(
        "figure1_construction.png",
        "examples_per_class.png",
        "variants.png",
        "datasets.html",
        "figure3_tsne.png",
        "pixel_baselines.html",
    ),
    claims_tables=("pixel_baselines.csv", "tsne_claims.csv"),
    sensitivity_tables=("tsne_sensitivity.csv",),
    switches=(TSNE_METHOD,),
)

# The two datasets of Figure 3, by the names its panels and snippet give them.
MNIST, MNIST1D = "MNIST", "MNIST-1D"
TSNE_CLAIM = "tsne_no_clusters"


def one_run_accuracy(accuracy_percent: float, test_samples: int) -> Measurement:
    """One run's test accuracy (%) with its binomial standard error."""
    return Measurement(accuracy_percent, se=binomial_se(accuracy_percent, test_samples))


def contrast(first: Measurement, second: Measurement) -> Measurement:
    """First minus second, two independent measurements, with their standard errors combined."""
    value, se = difference((first.value, first.se), (second.value, second.se))
    return Measurement(value, se=se)


# --- pixel-space baselines: test accuracies (%) keyed mnist1d_knn, mnist1d_logistic, mnist_knn ---

def pixel_knn_accuracy(accuracy: dict, test_samples: dict) -> Measurement:
    """kNN on MNIST-1D's pixels."""
    return one_run_accuracy(accuracy["mnist1d_knn"], test_samples["mnist1d_knn"])


def pixel_logistic_accuracy(accuracy: dict, test_samples: dict) -> Measurement:
    """Logistic regression on MNIST-1D's standardized pixels."""
    return one_run_accuracy(accuracy["mnist1d_logistic"], test_samples["mnist1d_logistic"])


def knn_mnist_beats_mnist1d(accuracy: dict, test_samples: dict) -> Measurement:
    """The same kNN's accuracy on MNIST minus that on MNIST-1D."""
    return contrast(one_run_accuracy(accuracy["mnist_knn"], test_samples["mnist_knn"]),
                    pixel_knn_accuracy(accuracy, test_samples))


def pixel_claim_values(accuracy: dict, test_samples: dict) -> ClaimValues:
    """The pixel-space claims from the three test accuracies and their test-set sizes, in the
    order of the claims table's rows."""
    values = ClaimValues()
    for claim_id, measure in (("pixel_knn_accuracy", pixel_knn_accuracy),
                              ("pixel_logistic_accuracy", pixel_logistic_accuracy),
                              ("knn_mnist_beats_mnist1d", knn_mnist_beats_mnist1d)):
        values.add(claim_id, measure(accuracy, test_samples))
    return values


# --- Figure 3: class silhouettes of the t-SNE embeddings ------------------------------------------

def silhouette_with_error(sample_silhouettes) -> Measurement:
    """The class silhouette of an embedding (the mean of its per-sample silhouettes) and its
    standard error (their standard deviation / sqrt(samples))."""
    values = np.asarray(sample_silhouettes, dtype=float)
    return Measurement(float(values.mean()), se=float(values.std(ddof=1) / np.sqrt(len(values))))


def tsne_no_clusters(mnist: list[float], mnist1d: list[float]) -> Measurement:
    """MNIST's class silhouette minus MNIST-1D's, both embedded the same way with each t-SNE seed
    in turn (``mnist[i]`` and ``mnist1d[i]``: the silhouettes under seed i): the contrast's mean
    over seeds, its spread and standard error over them, and n (t-SNE's seed is what could move
    the number; one embedding's per-sample spread is not that)."""
    return mean_over_runs(np.asarray(mnist, dtype=float) - np.asarray(mnist1d, dtype=float))


def tsne_claim_values(silhouettes: dict, methods, seeds) -> dict[str, ClaimValues]:
    """Per t-SNE method, the claim's values from ``silhouettes`` keyed (method, dataset name, seed)."""
    values = {}
    for method in methods:
        values[method] = ClaimValues()
        values[method].add(TSNE_CLAIM, tsne_no_clusters([silhouettes[method, MNIST, seed].value for seed in seeds],
                                                        [silhouettes[method, MNIST1D, seed].value for seed in seeds]))
    return values



# --- the table of dataset files --------------------------------------------------------------------

def redrawn_range_pct(rate: float, samples: int) -> tuple[float, float]:
    """The central 99.9 % range (%) of the share of ``samples`` labels redrawn, each with
    probability ``rate``."""
    from scipy.stats import binom

    low, high = binom.ppf([0.0005, 0.9995], samples, rate)
    return 100 * low / samples, 100 * high / samples


def dataset_summary_row(path: str, data: dict, original: dict) -> dict:
    """One dataset file against the generator's original: its sizes, class balance and the
    share of features and labels its variant changed (and, for label noise, how many labels it
    redrew against the range its rate predicts)."""
    spec = data["spec"]
    counts = np.bincount(data["y"], minlength=10)
    row = {
        "file": path,
        "variant": spec["variant"],
        "definition": str(spec.get("variant_spec", "generator output")),
        "train": len(data["y"]),
        "test": len(data["y_test"]),
        "length": data["x"].shape[1],
        "train_per_class_min_max": f"{counts.min()}-{counts.max()}",
        "features_moved_pct": 100 * np.mean(data["x"] != original["x"]),
        "train_labels_changed_pct": 100 * np.mean(data["y"] != original["y"]),
        "test_labels_changed_pct": 100 * np.mean(data["y_test"] != original["y_test"]),
    }
    if "label_resampled" in data:
        low, high = redrawn_range_pct(spec["variant_spec"]["rate"], len(data["y"]))
        row["labels_redrawn_pct"] = 100 * data["label_resampled"].mean()
        row["redrawn_99.9pct_range"] = f"{low:.1f}-{high:.1f}"
    return row
