import numpy as np
import pytest

from mnist1d_repro.claims import INCONCLUSIVE, NOT_REPRODUCED, NOT_RUN, REPRODUCED, judge, load_claims, verdict
from mnist1d_repro.io import atomic_path, load_dataset, save_dataset
from mnist1d_repro.generator import GeneratorArgs, make_dataset

from conftest import ROOT


def test_dataset_round_trip_without_pickle(tmp_path):
    data = make_dataset(GeneratorArgs(num_samples=100))
    path = tmp_path / "d.npz"
    save_dataset(path, data, {"dataset": "tiny"})
    with np.load(path, allow_pickle=False) as archive:  # loads without pickle
        assert archive["x"].dtype == np.float64
    loaded = load_dataset(path)
    assert loaded["spec"] == {"dataset": "tiny"}
    for key in ("x", "y", "x_test", "y_test", "t"):
        np.testing.assert_array_equal(loaded[key], data[key])


def test_missing_or_foreign_dataset_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        load_dataset(tmp_path / "nope.npz")
    np.savez(tmp_path / "other.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="other.npz.*missing"):
        load_dataset(tmp_path / "other.npz")


def test_failed_write_leaves_nothing_behind(tmp_path):
    target = tmp_path / "out.json"
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


def test_results_get_the_mode_the_umask_gives(tmp_path):
    import os
    import stat

    from mnist1d_repro.io import save_csv, save_json
    previous = os.umask(0o022)
    try:
        save_json(tmp_path / "a.json", {"x": 1})
        save_csv(tmp_path / "b.csv", __import__("pandas").DataFrame({"x": [1]}))
        os.umask(0o077)
        save_json(tmp_path / "c.json", {"x": 1})
    finally:
        os.umask(previous)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert modes == {"a.json": 0o644, "b.csv": 0o644, "c.json": 0o600}  # mkstemp alone gave 0600 to all


def test_json_refuses_numbers_it_cannot_hold(tmp_path):
    from mnist1d_repro.io import save_json
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="bad.json: refusing to write a NaN or infinite number"):
            save_json(tmp_path / "bad.json", {"loss": bad})
    assert list(tmp_path.iterdir()) == []


def test_verdict_rules():
    within = {"rule": "within", "paper": 59.6, "tolerance": 1.0}
    assert verdict(within, 59.0) == REPRODUCED
    assert verdict(within, 58.5) == NOT_REPRODUCED
    assert verdict(within, None) == NOT_RUN
    below = {"rule": "below", "threshold": 0.25}
    assert verdict(below, 0.1) == REPRODUCED and verdict(below, 0.3) == NOT_REPRODUCED
    above = {"rule": "above", "threshold": 0.0}
    assert verdict(above, 0.5) == REPRODUCED and verdict(above, -0.5) == NOT_REPRODUCED


def test_a_margin_inside_the_noise_is_inconclusive():
    # the lottery's shuffled-data claim passed at -0.41 points; one accuracy on 1000 test
    # samples has a standard error of about 1.5 points, so the old rule's "reproduced" was noise
    worse = {"rule": "below", "threshold": 0.0}
    assert verdict(worse, -0.41) == REPRODUCED  # no standard error: the old verdict
    judged = judge(worse, -0.41, se=1.5, n=1)
    assert judged["verdict"] == INCONCLUSIVE and judged["margin"] == pytest.approx(0.41)
    # the standard error shrinks as 1/sqrt(n): 2 * 1.5 / sqrt(n) < 0.41 from n = 54 on
    assert judged["seeds_needed"] == 54
    assert verdict(worse, -0.41, se=0.41 / 2.01, n=54) == REPRODUCED
    assert verdict(worse, 3.5, se=1.5, n=1) == NOT_REPRODUCED  # beyond two standard errors outside
    # an estimate past the cap, or a value exactly on the rule's edge, names no number
    assert judge(worse, -0.05, se=1.5, n=1)["seeds_needed"] is None
    assert judge(worse, 0.0, se=1.5, n=1)["seeds_needed"] is None
    within = {"rule": "within", "paper": 0.62, "tolerance": 0.1}
    assert judge(within, 0.535, se=0.03, n=5)["verdict"] == INCONCLUSIVE  # cleared by 0.015 < 2 SE
    assert judge(within, 0.62, se=0.03, n=5)["verdict"] == REPRODUCED


def test_a_diverged_value_fails_its_claim():
    below = {"rule": "below", "threshold": 0.25}
    for diverged in (float("nan"), float("inf"), -float("inf")):
        assert judge(below, diverged, se=0.1, n=3)["verdict"] == NOT_REPRODUCED
    assert judge(below, None)["verdict"] == NOT_RUN


def test_shipped_claims_file_is_complete():
    claims = load_claims(ROOT / "config" / "claims.yaml", "dataset")
    assert {"pixel_knn_accuracy", "pixel_logistic_accuracy", "tsne_no_clusters"} <= set(claims)


def test_claims_file_with_missing_tolerance_is_rejected(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: within, paper: 1, claim: c, why: w}\n")
    with pytest.raises(ValueError, match="dataset.x needs 'tolerance'"):
        load_claims(path, "dataset")


def test_html_table_colours_verdicts_in_any_cell(tmp_path):
    import pandas as pd

    from mnist1d_repro.reporting import write_html_table

    frame = pd.DataFrame([{"result": "verdict", "CNN": REPRODUCED, "MLP": NOT_REPRODUCED, "x": 1.5}])
    write_html_table(frame, tmp_path / "t.html", "T", note="n")
    page = (tmp_path / "t.html").read_text()
    assert '<td class="reproduced">reproduced</td>' in page
    assert '<td class="not-reproduced">not reproduced</td>' in page
    assert '<td class="num">1.5</td>' in page


def test_claims_table_keeps_the_spread_and_shows_the_standard_error():
    from mnist1d_repro.reporting import claims_table, ours_with_error

    claims = {"a": {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%"},
              "b": {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%"},
              "c": {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%"}}
    table = claims_table(claims, {"a": 59.4321, "b": 65.0}, spread={"a": 1.234}, n={"a": 4}).set_index("claim_id")
    assert table.loc["a", "spread"] == 1.234 and table.loc["a", "se"] == pytest.approx(0.617)
    assert ours_with_error(table.loc["a"]) == "59.43 ± 0.62"
    assert ours_with_error(table.loc["a"], significant=3) == "59.4 ± 0.62"
    assert ours_with_error(table.loc["b"]) == "65"  # no standard error given
    assert ours_with_error(table.loc["c"]) is None  # not run
    assert list(table["verdict"]) == [REPRODUCED, NOT_REPRODUCED, NOT_RUN]


def test_a_band_from_the_spread_over_initial_weights(tmp_path):
    from mnist1d_repro.reporting import claims_table, sensitivity_table

    lr = {"claim": "c", "rule": "within", "paper": 0.62, "tolerance": 0.1, "tolerance_from_spread": 2,
          "why": "w", "unit": "learning rate"}
    # 0.75 misses the fixed band 0.62 +- 0.1, but lies inside twice a spread of 0.069 over draws
    assert judge(lr, 0.75)["verdict"] == NOT_REPRODUCED
    table = claims_table({"lr": lr}, {"lr": 0.75}, tolerance_spread={"lr": 0.069}).set_index("claim_id")
    assert table.loc["lr", "verdict"] == REPRODUCED and table.loc["lr", "target"] == "0.62 ± 0.138 learning rate"
    narrow = claims_table({"lr": lr}, {"lr": 0.75}, tolerance_spread={"lr": 0.02}).set_index("claim_id")
    assert narrow.loc["lr", "verdict"] == NOT_REPRODUCED  # a narrower spread narrows the band
    one_draw = claims_table({"lr": lr}, {"lr": 0.75}, tolerance_spread={"lr": None}).set_index("claim_id")
    assert one_draw.loc["lr", "target"] == "0.62 ± 0.1 learning rate"  # no spread: the fixed fallback
    rows = sensitivity_table({"lr": lr}, "s", "reference", {"reference": {"lr": 0.75}, "draws": {"lr": 0.70}},
                             tolerance_spread={"lr": 0.069})
    assert list(rows["verdict"]) == [REPRODUCED, REPRODUCED]
    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: above, threshold: 1, tolerance_from_spread: 2, claim: c, why: w, "
                    "section: s, figure: f}\n")
    with pytest.raises(ValueError, match="dataset.x.tolerance_from_spread must be a positive number"):
        load_claims(path, "dataset")


def test_a_claim_names_a_figure_of_the_report(tmp_path):
    from mnist1d_repro.config_checks import ConfigError, check_claim_figures

    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: below, threshold: 1, claim: c, why: w, section: s}\n")
    with pytest.raises(ValueError, match="dataset.x needs 'figure'"):
        load_claims(path, "dataset")
    check_claim_figures({"x": "results/a.png"}, ["results/a.png", "results/b.html"], path)
    with pytest.raises(ConfigError, match=r"x.figure is 'results/nope.png', which is not a figure or table"):
        check_claim_figures({"x": "results/nope.png"}, ["results/a.png"], path)


def test_standard_errors_of_accuracies():
    from mnist1d_repro.claims import accuracy_se, binomial_se
    assert binomial_se(50.0, 1000) == pytest.approx(1.5811, abs=1e-4)  # one run on 1000 test samples
    assert binomial_se(100.0, 1000) == 0.0
    assert accuracy_se(64.0, 1.2, seeds=3, test_samples=1000) == pytest.approx(1.2 / np.sqrt(3))
    assert accuracy_se(64.0, None, seeds=1, test_samples=1000) == pytest.approx(binomial_se(64.0, 1000))


def test_claims_table_shows_the_standard_error_and_the_seeds_that_would_decide():
    from mnist1d_repro.reporting import claims_table, to_decide_text, verdict_sentence
    claims = {"worse": {"claim": "c", "rule": "below", "threshold": 0.0, "why": "w", "unit": "points"},
              "cell": {"claim": "d", "rule": "within", "paper": 68.0, "tolerance": 2.0, "why": "w", "unit": "%"}}
    table = claims_table(claims, {"worse": -0.41, "cell": 64.4}, spread={"worse": 1.0, "cell": 1.0},
                         n={"worse": 3, "cell": 3}).set_index("claim_id")
    assert table.loc["worse", "se"] == pytest.approx(1 / np.sqrt(3), abs=1e-3)
    # 2 * 0.577 / sqrt(n / 3) < 0.41 from n = 24 seeds on
    assert table.loc["worse", "verdict"] == INCONCLUSIVE and table.loc["worse", "seeds_needed"] == 24
    assert to_decide_text(table.loc["worse"]) == "24 seeds"
    assert "inconclusive" in verdict_sentence(table.loc["worse"]) and "± 0.58" in verdict_sentence(table.loc["worse"])
    assert table.loc["cell", "verdict"] == NOT_REPRODUCED and to_decide_text(table.loc["cell"]) == ""


def test_one_run_is_decided_by_more_test_samples_not_more_seeds():
    """A single run's error is its test set's sampling error: more seeds of a deterministic baseline
    change nothing, so the estimate names a multiple of the test samples; over seeds it names seeds."""
    from mnist1d_repro.claims import binomial_se
    from mnist1d_repro.reporting import claims_table, to_decide_text, verdict_sentence
    knn = {"claim": "k", "rule": "within", "paper": 59.6, "tolerance": 1.0, "why": "w", "unit": "%"}
    one_run = claims_table({"knn": knn}, {"knn": 59.6}, se={"knn": binomial_se(59.6, 1000)}).iloc[0]
    assert one_run["verdict"] == INCONCLUSIVE
    assert to_decide_text(one_run) == "10× the test samples"
    assert "10× the test samples would decide it" in verdict_sentence(one_run)
    over_seeds = claims_table({"knn": knn}, {"knn": 59.6}, spread={"knn": 2.7}, n={"knn": 3}).iloc[0]
    assert to_decide_text(over_seeds).endswith(" seeds") and "test samples" not in to_decide_text(over_seeds)
    far = claims_table({"knn": knn}, {"knn": 59.6}, se={"knn": 50.0}).iloc[0]
    assert to_decide_text(far) == "> 100× the test samples"


def test_every_claim_can_pass_and_can_fail():
    from mnist1d_repro.claims import margin
    from mnist1d_repro.registry import CLAIM_SECTIONS

    for section in CLAIM_SECTIONS:
        for name, claim in load_claims(ROOT / "config" / "claims.yaml", section).items():
            if claim["rule"] == "within":
                inside, outside = claim["paper"], claim["paper"] + 2 * claim["tolerance"] + 1
            else:
                step = max(abs(claim["threshold"]), 1.0)
                below = claim["rule"] == "below"
                inside = claim["threshold"] - step if below else claim["threshold"] + step
                outside = claim["threshold"] + step if below else claim["threshold"] - step
            room = abs(margin(claim, inside))
            scale = room or 1.0  # a tolerance of 0 (a count) leaves no room
            if room:
                assert judge(claim, inside, se=scale / 4, n=3)["verdict"] == REPRODUCED, name
            assert judge(claim, inside, se=0, n=3)["verdict"] == REPRODUCED, name  # an exact value
            assert judge(claim, outside, se=scale / 4, n=3)["verdict"] == NOT_REPRODUCED, name
            assert judge(claim, inside, se=scale, n=3)["verdict"] == INCONCLUSIVE, name
            assert judge(claim, float("nan"))["verdict"] == NOT_REPRODUCED, name


def test_a_damaged_result_is_named_with_what_to_do(tmp_path):
    from mnist1d_repro.io import UnreadableFileError, load_arrays, load_json, save_arrays
    data = make_dataset(GeneratorArgs(num_samples=100))
    good = tmp_path / "good.npz"
    save_dataset(good, data, {"seed": 42})
    damaged = {"truncated.npz": good.read_bytes()[: len(good.read_bytes()) // 2], "empty.npz": b"",
               "flipped.npz": good.read_bytes()[:200] + bytes(b ^ 0xFF for b in good.read_bytes()[200:400])
               + good.read_bytes()[400:]}
    for name, content in damaged.items():
        (tmp_path / name).write_bytes(content)
        with pytest.raises(UnreadableFileError, match=f"{name}: cannot read this dataset file .*Delete it and rerun"):
            load_dataset(tmp_path / name)
    (tmp_path / "half.json").write_text('{"a": 1')
    with pytest.raises(UnreadableFileError, match="half.json: cannot read this JSON file"):
        load_json(tmp_path / "half.json")
    save_arrays(tmp_path / "masks.npz", {"m": np.ones(3)})
    (tmp_path / "masks.npz").write_bytes((tmp_path / "masks.npz").read_bytes()[:20])
    with pytest.raises(UnreadableFileError, match="masks.npz: cannot read this array file"):
        load_arrays(tmp_path / "masks.npz")


def test_bad_labels_and_shapes_are_caught_when_a_dataset_loads(tmp_path):
    from mnist1d_repro.io import UnreadableFileError
    data = make_dataset(GeneratorArgs(num_samples=100))
    for name, change, message in [("labels.npz", {"y": data["y"] + 5}, "labels in 'y' must be integers 0-9"),
                                  ("width.npz", {"x_test": data["x_test"][:, :20]}, "'x' has shape \\(40,\\)"),
                                  ("count.npz", {"y_test": data["y_test"][:-1]}, "one label per sample")]:
        save_dataset(tmp_path / name, {**data, **change}, {})
        with pytest.raises(UnreadableFileError, match=message):
            load_dataset(tmp_path / name)
    images = {"x": np.zeros((6, 28, 28)), "y": np.arange(6), "x_test": np.zeros((2, 28, 28)), "y_test": np.arange(2),
              "t": np.arange(28)}  # MNIST keeps its images 2-D
    save_dataset(tmp_path / "images.npz", images, {})
    assert load_dataset(tmp_path / "images.npz")["x"].shape == (6, 28, 28)


def test_a_full_disk_names_the_file_and_leaves_nothing(tmp_path, monkeypatch):
    import errno

    import numpy as np

    from mnist1d_repro.io import save_arrays

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(np, "savez_compressed", no_space)
    with pytest.raises(OSError, match="masks.npz: not written, the disk is full") as error:
        save_arrays(tmp_path / "masks.npz", {"m": np.zeros(3)})
    assert error.value.errno == errno.ENOSPC and list(tmp_path.iterdir()) == []
