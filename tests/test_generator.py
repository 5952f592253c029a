import numpy as np
import pytest

from conftest import skip_or_fail
from mnist1d_repro.generator import GeneratorArgs, make_dataset, resample_linear, templates

ARRAY_KEYS = ("x", "x_test", "t")


def reference_dataset(**overrides):
    try:
        import mnist1d.data as data
    except ImportError:
        skip_or_fail("the reference package is not installed (pip install '.[test]' installs mnist1d)")
    args = data.get_dataset_args()
    for key, value in overrides.items():
        setattr(args, key, value)
    return data.make_dataset(args)


def assert_matches_reference(ours, ref):
    for key in ARRAY_KEYS:
        assert ours[key].shape == ref[key].shape, key
        assert np.max(np.abs(ours[key] - ref[key])) <= 1e-12, key
    np.testing.assert_array_equal(ours["y"], ref["y"])
    np.testing.assert_array_equal(ours["y_test"], ref["y_test"])


def test_frozen_dataset_equals_reference_package():
    ours = make_dataset(GeneratorArgs())
    ref = reference_dataset()
    assert ours["x"].shape == (4000, 40) and ours["x_test"].shape == (1000, 40)
    assert_matches_reference(ours, ref)
    assert np.max(np.abs(ours["templates_x"] - ref["templates"]["x"])) <= 1e-12
    np.testing.assert_array_equal(ours["templates_t"], ref["templates"]["t"])


@pytest.mark.parametrize("overrides", [
    dict(num_samples=1234, train_split=0.6, seed=7),
    dict(padding=[5, 20], max_translation=10, scale_coeff=0.9, seed=3),
    dict(corr_noise_scale=0.7, iid_noise_scale=0.3, shear_scale=2.0, final_seq_length=57),
    dict(shuffle_seq=True, padding=[0, 0], max_translation=1, seed=0),
    dict(padding=[36, 61], num_samples=500),  # odd dilated length: Gaussian draws straddle samples
])
def test_every_parameter_matches_reference(overrides):
    args = GeneratorArgs.from_dict({**GeneratorArgs().to_dict(), **overrides})
    assert_matches_reference(make_dataset(args), reference_dataset(**overrides))


def test_generation_is_deterministic_and_seed_dependent():
    args = GeneratorArgs(num_samples=300)
    a, b = make_dataset(args), make_dataset(args)
    for key in ("x", "y", "x_test", "y_test", "t"):
        np.testing.assert_array_equal(a[key], b[key])
    other = make_dataset(GeneratorArgs(num_samples=300, seed=43))
    assert not np.array_equal(a["x"], other["x"])


@pytest.mark.parametrize("num_samples,split", [(5000, 0.8), (16000, 0.25), (1010, 0.5), (37, 0.9)])
def test_sizes_are_exact(num_samples, split):
    data = make_dataset(GeneratorArgs(num_samples=num_samples, train_split=split))
    total = (num_samples // 10) * 10
    assert len(data["y"]) == int(total * split) == len(data["x"])
    assert len(data["y"]) + len(data["y_test"]) == total
    assert np.bincount(np.concatenate([data["y"], data["y_test"]])).tolist() == [total // 10] * 10


def test_resample_linear_is_bitwise_np_interp():
    rng = np.random.default_rng(0)
    for n_in, n_out in [(12, 72), (50, 72), (72, 40), (72, 72), (3, 100)]:
        rows = rng.normal(size=(5, n_in))
        expected = np.stack([np.interp(np.linspace(0, 1, n_out), np.linspace(0, 1, n_in), r)
                             for r in rows])
        np.testing.assert_array_equal(resample_linear(rows, n_out), expected)


def test_templates_are_normalised_and_start_at_zero():
    tmpl = templates()
    assert tmpl["x"].shape == (10, 12)
    np.testing.assert_array_equal(tmpl["x"][:, 0], 0)
    np.testing.assert_allclose(tmpl["x"].std(axis=1), 1 / 6)


@pytest.mark.parametrize("bad,word", [
    (dict(num_samples=-5), "num_samples"), (dict(train_split=1.0), "train_split"),
    (dict(padding=(60, 36)), "padding"), (dict(max_translation=0), "max_translation"),
    (dict(iid_noise_scale=-1.0), "iid_noise_scale"), (dict(template_len=10), "template_len"),
])
def test_invalid_arguments_name_the_parameter(bad, word):
    with pytest.raises(ValueError, match=word):
        GeneratorArgs(**bad)


def test_unknown_argument_is_rejected():
    with pytest.raises(ValueError, match="num_sample"):
        GeneratorArgs.from_dict({"num_sample": 10})
