import math

import numpy as np
import pytest
import torch

from conftest import ROOT, config_of
from mnist1d_repro.ssl import SSLNetwork, augment, info_nce, linear_probe, ssl_training_inputs, vicreg


def test_augment_removes_the_trend_before_adding_a_new_one():
    length = 40
    pos = torch.arange(length, dtype=torch.float32) - (length - 1) / 2
    x = 3.0 + 0.5 * pos.repeat(4, 1)  # pure offset + trend
    out = augment(x, torch.Generator().manual_seed(0), max_shift=1, slope_std=0.0, offset_std=0.0)
    assert torch.allclose(out, torch.zeros_like(out), atol=1e-5)


def test_augment_is_seeded_and_shifts_within_bounds():
    x = torch.randn(6, 40)
    a = augment(x, torch.Generator().manual_seed(1))
    b = augment(x, torch.Generator().manual_seed(1))
    assert torch.equal(a, b)
    assert not torch.equal(a, augment(x, torch.Generator().manual_seed(2)))


def test_augment_shifts_each_sample_circularly_by_less_than_max_shift():
    n, length, max_shift = 300, 40, 10
    pos = torch.arange(length, dtype=torch.float64) - (length - 1) / 2
    x = torch.randn(n, length, dtype=torch.float64)
    x = x - x.mean(1, keepdim=True)
    x = x - (x @ pos / pos.square().sum())[:, None] * pos  # no offset, no trend: detrending leaves it as it is
    out = augment(x, torch.Generator().manual_seed(0), max_shift=max_shift, slope_std=0.0, offset_std=0.0)
    shifts = []
    for original, view in zip(x, out):
        matches = [s for s in range(length) if torch.allclose(view, torch.roll(original, s))]
        assert len(matches) == 1
        shifts.append(matches[0])
    assert set(shifts) == set(range(max_shift))  # every shift 0..max_shift-1 occurs, and no other


def test_info_nce_prefers_matching_views():
    z = torch.randn(32, 16)
    assert info_nce(z, z + 0.01 * torch.randn_like(z)) < info_nce(z, torch.randn(32, 16))


def test_vicreg_penalises_collapse():
    z = torch.randn(64, 16)
    collapsed = torch.zeros(64, 16)
    assert vicreg(collapsed, collapsed) > vicreg(z, z)


@pytest.mark.parametrize("head,widths", [(0, [40, 475, 250, 125]), (2, [40, 475, 250, 125, 125, 16]),
                                         (4, [40, 475, 250, 125, 125, 125, 125, 16])])
def test_every_layer_is_exposed_for_probing(head, widths):
    outputs = SSLNetwork(head).layer_outputs(torch.randn(3, 40))
    assert [o.shape[1] for o in outputs] == widths


# Two views of three samples, chosen so that rows and columns of the similarity matrix differ.
VIEW_1 = [[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]]
VIEW_2 = [[1.0, 1.0], [-1.0, 1.0], [2.0, 0.0]]


def by_hand(view_1, view_2, temperature, anchors_from_first=True):
    """The reference's loss written out: S = exp(o1 o2^T / t), mean over rows i of
    -log S_ii + log sum_j S_ij (with the views swapped for the second view as anchors)."""
    if not anchors_from_first:
        view_1, view_2 = view_2, view_1
    o1 = [[v / math.hypot(*row) for v in row] for row in view_1]
    o2 = [[v / math.hypot(*row) for v in row] for row in view_2]
    s = [[math.exp(sum(a * b for a, b in zip(r1, r2)) / temperature) for r2 in o2] for r1 in o1]
    return sum(-math.log(s[i][i]) + math.log(sum(s[i])) for i in range(len(s))) / len(s)


def test_info_nce_default_is_the_reference_one_directional_loss():
    z1, z2 = torch.tensor(VIEW_1, dtype=torch.float64), torch.tensor(VIEW_2, dtype=torch.float64)
    rows, columns = by_hand(VIEW_1, VIEW_2, 0.5), by_hand(VIEW_1, VIEW_2, 0.5, anchors_from_first=False)
    assert abs(rows - columns) > 0.05  # the example tells the two forms apart
    assert info_nce(z1, z2, temperature=0.5).item() == pytest.approx(rows, rel=1e-12)
    assert info_nce(z1, z2, 0.5, form="one_directional").item() == pytest.approx(rows, rel=1e-12)
    symmetric = info_nce(z1, z2, 0.5, form="symmetric").item()
    assert symmetric == pytest.approx((rows + columns) / 2, rel=1e-12)
    assert symmetric != pytest.approx(rows, rel=1e-3)
    with pytest.raises(ValueError):
        info_nce(z1, z2, 0.5, form="both")


def test_default_ssl_training_set_is_the_training_split_only():
    for name in (None, "quick.yaml"):
        ssl = config_of(ROOT, name)["ssl"]
        assert (ssl["train_data"], ssl["info_nce"]) == ("train", "one_directional"), name
    data = {"x": np.arange(4000 * 40, dtype=float).reshape(4000, 40),
            "x_test": -np.ones((1000, 40))}
    x = ssl_training_inputs(data)
    assert x.shape == (4000, 40) and np.array_equal(x, data["x"])
    assert np.array_equal(ssl_training_inputs(data, "train"), data["x"])
    both = ssl_training_inputs(data, "train_and_test")
    assert both.shape == (5000, 40) and np.array_equal(both[4000:], data["x_test"])
    with pytest.raises(ValueError):
        ssl_training_inputs(data, "test")


def test_linear_probe_stops_as_the_reference_by_default():
    for name in (None, "quick.yaml"):
        settings = config_of(ROOT, name)["linear_probe"]
        assert settings == {"tol": 0.01, "max_iter": 1000}, name
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 20))
    y = (x[:, :10].sum(axis=1) > 0).astype(int) + 2 * (x[:, 10:].sum(axis=1) > 0)
    loose, tight = linear_probe(tol=1e-2, max_iter=1000), linear_probe(tol=1e-6, max_iter=1000)
    loose.fit(x, y), tight.fit(x, y)
    # the tolerance reaches the solver: the reference's stops after fewer iterations
    assert loose[-1].n_iter_[0] < tight[-1].n_iter_[0]
    assert loose.score(x, y) > 0.8
