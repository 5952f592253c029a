"""Section 3's measurements (sections/dataset.py) on hand-made inputs, checked against numbers
worked out by hand."""
import numpy as np
import pytest

from mnist1d_repro.sections import dataset
from mnist1d_repro.sections.spec import Measurement, sensitivity_arguments

# Three test accuracies (%), each on 100 test samples, chosen so the binomial errors are round:
# 100 * sqrt(p (1 - p) / 100) = 10 * sqrt(p (1 - p)).
ACCURACY = {"mnist1d_knn": 20.0, "mnist1d_logistic": 50.0, "mnist_knn": 90.0}
TEST_SAMPLES = {"mnist1d_knn": 100, "mnist1d_logistic": 100, "mnist_knn": 100}


def test_pixel_knn_accuracy_is_the_mnist1d_knn_run_with_its_binomial_error():
    knn = dataset.pixel_knn_accuracy(ACCURACY, TEST_SAMPLES)
    # 10 * sqrt(0.2 * 0.8) = 10 * 0.4 = 4
    assert knn.value == 20.0 and knn.se == pytest.approx(4.0)
    assert knn.spread is None and knn.n is None


def test_pixel_logistic_accuracy_is_the_logistic_run_with_its_binomial_error():
    logistic = dataset.pixel_logistic_accuracy(ACCURACY, TEST_SAMPLES)
    # 10 * sqrt(0.5 * 0.5) = 5
    assert logistic.value == 50.0 and logistic.se == pytest.approx(5.0)


def test_binomial_error_shrinks_with_the_test_set():
    knn = dataset.pixel_knn_accuracy(ACCURACY, {**TEST_SAMPLES, "mnist1d_knn": 400})
    # 100 * sqrt(0.2 * 0.8 / 400) = 100 * 0.4 / 20 = 2
    assert knn.se == pytest.approx(2.0)


def test_knn_mnist_beats_mnist1d_is_mnist_minus_mnist1d_with_the_errors_combined():
    contrast = dataset.knn_mnist_beats_mnist1d(ACCURACY, TEST_SAMPLES)
    # 90 - 20 = 70; errors 10 * sqrt(0.9 * 0.1) = 3 and 4 combine to sqrt(9 + 16) = 5
    assert contrast.value == 70.0 and contrast.se == pytest.approx(5.0)


def test_pixel_claim_values_lists_the_three_claims_in_table_order():
    values = dataset.pixel_claim_values(ACCURACY, TEST_SAMPLES)
    assert list(values.measured) == ["pixel_knn_accuracy", "pixel_logistic_accuracy", "knn_mnist_beats_mnist1d"]
    assert values.measured == {"pixel_knn_accuracy": 20.0, "pixel_logistic_accuracy": 50.0,
                               "knn_mnist_beats_mnist1d": 70.0}
    assert values.se == pytest.approx({"pixel_knn_accuracy": 4.0, "pixel_logistic_accuracy": 5.0,
                                       "knn_mnist_beats_mnist1d": 5.0})
    # one run each: no spread over seeds, no seed count
    assert values.table_arguments()["spread"] == {} and values.table_arguments()["n"] == {}


# Per-sample silhouettes. MNIST: mean 0.2 (median 0.1), deviations -0.1, -0.1, 0.2, so the standard
# deviation (ddof 1) is sqrt(0.06 / 2) = sqrt(0.03) and the error sqrt(0.03 / 3) = 0.1.
# MNIST-1D: mean 0, deviations +-0.1, so sqrt(0.04 / 3) = 0.11547 and the error 0.11547 / 2 = 0.057735.
MNIST_SAMPLES = [0.1, 0.1, 0.4]
MNIST1D_SAMPLES = [-0.1, 0.1, -0.1, 0.1]


def test_silhouette_is_the_mean_of_the_samples_with_its_standard_error():
    assert dataset.silhouette_with_error(MNIST_SAMPLES) == pytest.approx(Measurement(0.2, se=0.1))
    assert dataset.silhouette_with_error(np.array(MNIST1D_SAMPLES)) == pytest.approx(Measurement(0.0, se=0.057735))


def test_tsne_no_clusters_is_mnist_minus_mnist1d_averaged_over_tsne_seeds():
    # seeds 0, 1, 2: contrasts 0.5 - 0.2 = 0.3, 0.6 - 0.2 = 0.4, 0.5 - 0.0 = 0.5: mean 0.4;
    # deviations -0.1, 0, 0.1: std sqrt(0.02 / 2) = 0.1, se 0.1 / sqrt(3) = 0.057735
    contrast = dataset.tsne_no_clusters([0.5, 0.6, 0.5], [0.2, 0.2, 0.0])
    assert contrast == Measurement(pytest.approx(0.4), spread=pytest.approx(0.1), se=pytest.approx(0.057735, abs=1e-6),
                                   n=3)
    # one seed: no spread, so the claim (over seeds) stays undecided
    assert dataset.tsne_no_clusters([0.5], [0.2]) == Measurement(pytest.approx(0.3), n=1)


def test_tsne_claim_values_and_sensitivity_give_each_method_its_own_contrast():
    # opentsne: contrasts 0.2 and 0.4 (mean 0.3, std 0.141421); sklearn: 0.4 and 0.4 (mean 0.4, std 0)
    silhouettes = {("opentsne", dataset.MNIST, 0): Measurement(0.5), ("opentsne", dataset.MNIST1D, 0): Measurement(0.3),
                   ("opentsne", dataset.MNIST, 1): Measurement(0.6), ("opentsne", dataset.MNIST1D, 1): Measurement(0.2),
                   ("sklearn", dataset.MNIST, 0): Measurement(0.5), ("sklearn", dataset.MNIST1D, 0): Measurement(0.1),
                   ("sklearn", dataset.MNIST, 1): Measurement(0.6), ("sklearn", dataset.MNIST1D, 1): Measurement(0.2)}
    values = dataset.tsne_claim_values(silhouettes, ["opentsne", "sklearn"], [0, 1])
    assert list(values) == ["opentsne", "sklearn"]
    assert values["opentsne"].measured == {"tsne_no_clusters": pytest.approx(0.3)}
    assert values["opentsne"].spread == {"tsne_no_clusters": pytest.approx(0.141421, abs=1e-6)}
    assert values["opentsne"].se == {"tsne_no_clusters": pytest.approx(0.1)}  # 0.141421 / sqrt(2)
    assert values["sklearn"].measured == {"tsne_no_clusters": pytest.approx(0.4)}
    assert values["sklearn"].n == {"tsne_no_clusters": 2}
    arguments = sensitivity_arguments(values)
    assert arguments["measured"] == {"opentsne": values["opentsne"].measured, "sklearn": values["sklearn"].measured}
    assert arguments["n"] == {"opentsne": {"tsne_no_clusters": 2}, "sklearn": {"tsne_no_clusters": 2}}


def test_redrawn_range_is_the_central_99_9_percent_of_the_binomial():
    # 2 labels at rate 0.5: P(0 redrawn) = 0.25, P(<= 1) = 0.75, P(<= 2) = 1, so the 0.05 % quantile
    # is 0 labels and the 99.95 % quantile 2: 0 % to 100 %
    assert dataset.redrawn_range_pct(0.5, 2) == (0.0, 100.0)
    # 10 labels at rate 0.1: P(0) = 0.9^10 = 0.349 >= 0.0005, so the range starts at 0 labels;
    # P(5) = 252 * 0.1^5 * 0.9^5 = 0.00149, P(>= 6) = 0.00015, so P(<= 4) = 0.99837 < 0.9995 <= P(<= 5) = 0.99985
    # and it ends at 5 labels (50 %)
    assert dataset.redrawn_range_pct(0.1, 10) == (0.0, 50.0)


def make_data(x, y, y_test, spec, **extra):
    return {"x": np.array(x, dtype=float), "y": np.array(y), "y_test": np.array(y_test), "spec": spec, **extra}


def test_summary_row_compares_a_variant_with_the_original():
    original = make_data([[0, 0], [1, 1], [2, 2], [3, 3]], [0, 1, 1, 2], [5, 5], {"variant": "original"})
    noisy = make_data([[0, 0], [1, 9], [2, 2], [-1, 3]], [0, 1, 4, 2], [5, 6],
                      {"variant": "noisy", "variant_spec": {"rate": 0.5}},
                      label_resampled=np.array([False, True, True, False]))
    row = dataset.dataset_summary_row("noisy.npz", noisy, original)
    assert row["file"] == "noisy.npz" and row["variant"] == "noisy" and row["definition"] == "{'rate': 0.5}"
    assert (row["train"], row["test"], row["length"]) == (4, 2, 2)
    assert row["train_per_class_min_max"] == "0-1"  # classes 0, 1, 2, 4 once each, the other six never
    assert row["features_moved_pct"] == 25.0  # 2 of 8 features, one up and one down
    assert row["train_labels_changed_pct"] == 25.0  # 1 of 4 labels
    assert row["test_labels_changed_pct"] == 50.0  # 1 of 2 labels
    assert row["labels_redrawn_pct"] == 50.0  # 2 of 4 redrawn
    # 4 labels at rate 0.5: P(0) = 1/16 > 0.0005, P(<= 3) = 15/16 < 0.9995, so 0 to 4 labels
    assert row["redrawn_99.9pct_range"] == "0.0-100.0"


def test_summary_row_of_the_original_changes_nothing_and_has_no_redraw_columns():
    original = make_data([[0, 0], [1, 1], [2, 2]], [1, 1, 2], [5], {"variant": "original"})
    row = dataset.dataset_summary_row("original.npz", original, original)
    assert row["definition"] == "generator output"
    assert row["train_per_class_min_max"] == "0-2"
    assert row["features_moved_pct"] == row["train_labels_changed_pct"] == row["test_labels_changed_pct"] == 0.0
    assert "labels_redrawn_pct" not in row and "redrawn_99.9pct_range" not in row


def test_every_claim_of_the_section_has_a_measurement_here():
    from conftest import ROOT
    from mnist1d_repro.claims import load_claims

    for claim_id in load_claims(ROOT / "config" / "claims.yaml", "dataset"):
        assert callable(getattr(dataset, claim_id))
