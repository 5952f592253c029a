"""Which t-SNE implementation Figures 3 and 8a get, with which arguments (fakes stand in for
the libraries, so nothing is embedded)."""
import sys
import types

import numpy as np
import pytest

from conftest import ROOT, config_of
from mnist1d_repro.tsne import TSNE_METHODS, tsne_embedding


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
        assert set(config["sensitivity"]["dataset_section.tsne.method"]) <= set(TSNE_METHODS)
    with pytest.raises(ValueError):
        tsne_embedding(np.zeros((4, 2)), "umap")
