"""Which t-SNE implementation Figures 3 and 8a get, with which arguments (fakes stand in for
the libraries, so nothing is embedded); the per-sample silhouettes and the matched sample that
Figure 3 measures."""
import sys
import types

import numpy as np
import pytest

from conftest import ROOT, config_of
from mnist1d_repro.sections.dataset import TSNE_METHOD
from mnist1d_repro.tsne import class_silhouettes, matched_sample, tsne_embedding


class FakeTSNE:
    calls = []

    def __init__(self, **kwargs):
        self.kwargs = kwargs

    def fit(self, x):  # openTSNE: an embedding array
        FakeTSNE.calls.append(("fit", self.kwargs))
        return np.zeros((len(x), 2))

    def fit_transform(self, x):  # scikit-learn
        FakeTSNE.calls.append(("fit_transform", self.kwargs))
        return np.ones((len(x), 2))


@pytest.fixture
def fake_libraries(monkeypatch):
    FakeTSNE.calls = []
    monkeypatch.setitem(sys.modules, "openTSNE", types.SimpleNamespace(TSNE=FakeTSNE))
    monkeypatch.setitem(sys.modules, "sklearn.manifold", types.SimpleNamespace(TSNE=FakeTSNE))
    return FakeTSNE.calls


def test_opentsne_gets_its_defaults_but_the_configured_seed_perplexity_and_threads(fake_libraries):
    out = tsne_embedding(np.zeros((7, 3)), "opentsne", perplexity=12.0, seed=5, threads=2)
    assert out.shape == (7, 2) and not out.any()
    assert fake_libraries == [("fit", {"perplexity": 12.0, "metric": "euclidean", "random_state": 5, "n_jobs": 2})]


def test_sklearn_gets_pca_initialisation_and_the_metric(fake_libraries):
    out = tsne_embedding(np.zeros((7, 3)), "sklearn", perplexity=3.0, seed=1, threads=1, metric="cosine")
    assert out.shape == (7, 2) and out.all()
    assert fake_libraries == [("fit_transform", {"n_components": 2, "perplexity": 3.0, "metric": "cosine",
                                                 "init": "pca", "random_state": 1, "n_jobs": 1})]


def test_default_method_is_opentsne_and_unknown_methods_fail(fake_libraries):
    assert tsne_embedding(np.zeros((4, 2))).shape == (4, 2)
    assert fake_libraries[0][0] == "fit"
    for name in (None, "quick.yaml"):
        config = config_of(ROOT, name)
        assert config["dataset_section"]["tsne"]["method"] == "opentsne"
        assert set(config["sensitivity"]["dataset_section.tsne.method"]) <= set(TSNE_METHOD.values)
    with pytest.raises(ValueError):
        tsne_embedding(np.zeros((4, 2)), "umap")


def test_class_silhouettes_are_each_samples_own():
    # class 0 at 0, 1, 2 and class 1 at 10, 11 on a line; s = (b - a) / max(a, b) with a the mean distance
    # within the class, b to the other: sample 0: a = 1.5, b = 10.5; 1: a = 1, b = 9.5; 2: a = 1.5, b = 8.5;
    # 10: a = 1, b = 9; 11: a = 1, b = 10
    embedding = [[0.0, 0.0], [1.0, 0.0], [2.0, 0.0], [10.0, 0.0], [11.0, 0.0]]
    assert class_silhouettes(embedding, [0, 0, 0, 1, 1]) == pytest.approx([9 / 10.5, 8.5 / 9.5, 7 / 8.5, 8 / 9, 9 / 10])


def test_matched_sample_keeps_a_small_dataset_whole():
    x, y = np.arange(6).reshape(3, 2), np.array([0, 1, 2])
    kept_x, kept_y = matched_sample(x, y, 3, seed=0)
    assert kept_x is x and kept_y is y
    assert matched_sample(x, y, 5, seed=0)[1] is y


def test_matched_sample_draws_distinct_rows_in_order_and_keeps_pairs_together():
    x, y = np.arange(40).reshape(20, 2), np.arange(20)
    kept_x, kept_y = matched_sample(x, y, 15, seed=3)
    assert len(kept_y) == 15 and len(set(kept_y)) == 15  # drawn without replacement
    assert list(kept_y) == sorted(kept_y)  # in the dataset's order
    assert (kept_x[:, 0] == 2 * kept_y).all()  # each row with its own label
    again_x, again_y = matched_sample(x, y, 15, seed=3)
    assert (again_y == kept_y).all() and (again_x == kept_x).all()
    assert any((matched_sample(x, y, 15, seed=seed)[1] != kept_y).any() for seed in range(4, 8))
