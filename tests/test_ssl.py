import pytest
import torch

from mnist1d_repro.ssl import SSLNetwork, augment, info_nce, vicreg


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
