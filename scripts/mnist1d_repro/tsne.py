"""2-D t-SNE embeddings for Figures 3 and 8a, by either implementation the reference used.

"opentsne": openTSNE with its defaults (PCA initialisation, perplexity 30, FFT-accelerated
gradients, Annoy neighbours), as in the reference's Figure 3 notebook (``TSNE(n_jobs=-1).fit(X)``).
"sklearn": scikit-learn's Barnes-Hut TSNE with PCA initialisation, as the reference used for
Figure 8a (there with metric "cosine"). Both are seeded with ``seed``; ``threads`` sets their
worker count.
"""
from __future__ import annotations

import numpy as np

from .sections.dataset import TSNE_METHOD


def tsne_embedding(x, method: str = "opentsne", *, perplexity: float = 30.0, seed: int = 0,
                   threads: int = 1, metric: str = "euclidean") -> np.ndarray:
    """The (n, 2) embedding of the rows of ``x``."""
    x = np.asarray(x, dtype=np.float64)
    if method == "opentsne":
        from openTSNE import TSNE

        return np.asarray(TSNE(perplexity=perplexity, metric=metric, random_state=seed,
                               n_jobs=threads).fit(x))
    if method == "sklearn":
        from sklearn.manifold import TSNE

        return TSNE(n_components=2, perplexity=perplexity, metric=metric, init="pca",
                    random_state=seed, n_jobs=threads).fit_transform(x)
    raise ValueError(f"unknown t-SNE method {method!r}; expected one of {TSNE_METHOD.values}")


def class_silhouettes(embedding, labels) -> np.ndarray:
    """The silhouette of each sample of an embedding with respect to its class label
    (``sections.dataset.silhouette_with_error`` averages them)."""
    from sklearn.metrics import silhouette_samples

    return silhouette_samples(np.asarray(embedding), np.asarray(labels))


def matched_sample(x, y, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``size`` rows of (x, y) drawn at random with ``seed`` (all of them, in order, if there are
    no more than ``size``), so that two datasets are embedded at the same sample count."""
    if len(y) <= size:
        return x, y
    rows = np.sort(np.random.default_rng(seed).choice(len(y), size=size, replace=False))
    return x[rows], y[rows]

