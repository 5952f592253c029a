from mnist1d_repro import double_descent as dd
from mnist1d_repro.double_descent import interpolation_threshold


def test_threshold_is_the_first_width_that_fits():
    assert interpolation_threshold([2, 4, 8, 16], [30.0, 5.0, 0.4, 0.0], tolerance=0.5) == 8
    assert interpolation_threshold([2, 4], [30.0, 5.0], tolerance=0.5) is None


def test_peak_is_the_largest_rise_above_every_smaller_width():
    widths = [2, 4, 8, 16, 32, 64]
    errors = [70.0, 45.0, 40.0, 52.0, 47.0, 38.0]  # classic double descent
    peak = dd.test_error_peak(widths, errors)
    assert peak == {"width": 16, "error": 52.0, "height": 12.0, "fall": 14.0}


def test_a_falling_curve_has_no_peak():
    assert dd.test_error_peak([1, 2, 3], [50.0, 45.0, 41.0])["width"] is None
    assert dd.test_error_peak([1, 2, 3], [50.0, 45.0, 41.0])["height"] == 0.0


def test_a_wiggle_is_smaller_than_a_real_peak():
    peak = dd.test_error_peak([1, 2, 3, 4, 5], [50.0, 40.0, 40.5, 39.0, 38.0])
    assert peak["width"] == 3 and abs(peak["height"] - 0.5) < 1e-12


def test_a_job_trains_on_shuffled_batches_and_evaluates_every_tenth_of_its_epochs():
    import torch

    from mnist1d_repro.models import build_model
    from mnist1d_repro.training import train

    settings = {"epochs": 20, "batch_size": 50, "lr": 0.01, "momentum": 0.9}
    cfg = dd.job_train_config(settings, train_samples=120, seed=3)  # 3 batches an epoch, the last short
    assert (cfg.steps, cfg.eval_every, cfg.batch_order, cfg.shuffle_seed) == (60, 6, "shuffled", 3)
    torch.manual_seed(0)
    x, y = torch.randn(120, 40), torch.randint(0, 10, (120,))
    history = train(build_model("mlp", hidden=4, residual=False), (x, y), {"train": (x, y)}, cfg)
    assert [record["step"] // 3 for record in history] == list(range(0, 21, 2))  # epochs 0, 2, ..., 20
