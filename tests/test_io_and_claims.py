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


EXACT = {"kind": "exact", "why": "w"}
SEEDS = {"kind": "seeds", "why": "w"}
PAIRED = {"kind": "paired", "why": "w"}
POPULATION = {"kind": "population", "why": "w"}


def test_verdict_rules():
    within = {"rule": "within", "paper": 59.6, "tolerance": 1.0, "error": EXACT}
    assert verdict(within, 59.0) == REPRODUCED
    assert verdict(within, 58.5) == NOT_REPRODUCED
    assert verdict(within, None) == NOT_RUN
    below = {"rule": "below", "threshold": 0.25, "error": EXACT}
    assert verdict(below, 0.1) == REPRODUCED and verdict(below, 0.3) == NOT_REPRODUCED
    above = {"rule": "above", "threshold": 0.0, "error": EXACT}
    assert verdict(above, 0.5) == REPRODUCED and verdict(above, -0.5) == NOT_REPRODUCED


def test_an_exact_match_is_reproduced_whatever_sampling_error_it_is_given():
    """The pixel kNN gave 59.6 against the paper's 59.6 on the same frozen data; with the binomial
    error of 1000 test samples (1.55) and a band of 1 the old engine could only say inconclusive."""
    from mnist1d_repro.claims import binomial_se

    knn = {"rule": "within", "paper": 59.6, "tolerance": 1.0, "error": EXACT}
    judged = judge(knn, 59.6, se=binomial_se(59.6, 1000))
    assert judged["verdict"] == REPRODUCED and judged["critical"] == 0.0
    assert judge(knn, 58.5, se=binomial_se(58.5, 1000))["verdict"] == NOT_REPRODUCED  # 1.1 off: outside the band


def test_seeds_are_judged_with_student_t_at_n_minus_1_degrees_of_freedom():
    # t(0.975) at 1, 2 and 3 degrees of freedom: 12.706, 4.303, 3.182 (any table of Student's t)
    above = {"rule": "above", "threshold": 0.0, "error": SEEDS}
    three = judge(above, 3.0, se=1.0, n=3)  # a fixed 2 would say reproduced: 3 > 2 * 1
    assert three["verdict"] == INCONCLUSIVE and three["critical"] == pytest.approx(4.303, abs=1e-3)
    # the spread is 1 * sqrt(3) = 1.732; at 4 seeds 3.182 * 1.732 / sqrt(4) = 2.756 < 3
    assert three["seeds_needed"] == 4
    assert judge(above, 5.0, se=1.0, n=3)["verdict"] == REPRODUCED  # 5 > 4.303
    assert judge(above, -5.0, se=1.0, n=3)["verdict"] == NOT_REPRODUCED
    two = judge(above, 5.0, se=1.0, n=2)  # two seeds: 5 < 12.706
    assert two["verdict"] == INCONCLUSIVE and two["critical"] == pytest.approx(12.706, abs=1e-3)
    # spread 1 * sqrt(2) = 1.414; at 3 seeds 4.303 * 1.414 / sqrt(3) = 3.513 < 5
    assert two["seeds_needed"] == 3
    assert judge(above, 13.0, se=1.0, n=2)["verdict"] == REPRODUCED
    # paired differences over seeds are judged alike
    assert judge({**above, "error": PAIRED}, 3.0, se=1.0, n=3)["verdict"] == INCONCLUSIVE


def test_one_seed_cannot_decide_a_claim_over_seeds():
    """Double descent ran one seed and let the binomial error of one accuracy stand in for the
    seed-to-seed spread: 6.2 points above 2 with a binomial error of 0.64 was 'reproduced'."""
    peak = {"rule": "above", "threshold": 2.0, "error": SEEDS}
    judged = judge(peak, 6.2, se=0.64, n=1)
    assert judged["verdict"] == INCONCLUSIVE and judged["critical"] is None and judged["seeds_needed"] is None
    assert judge(peak, 6.2)["verdict"] == INCONCLUSIVE  # no error at all: nothing decides either
    assert judge(peak, float("inf"), se=0.64, n=1)["verdict"] == NOT_REPRODUCED  # a diverged value still fails


def test_a_margin_inside_the_noise_is_inconclusive():
    # the lottery's shuffled-data claim passed at -0.41 points; with a spread of 1 point over 3 seeds
    # (se 0.577) it cannot be told from 0: 0.41 < 4.303 * 0.577 = 2.48
    worse = {"rule": "below", "threshold": 0.0, "error": SEEDS}
    judged = judge(worse, -0.41, se=1 / np.sqrt(3), n=3)
    assert judged["verdict"] == INCONCLUSIVE and judged["margin"] == pytest.approx(0.41)
    # t(0.975, m - 1) * 1 / sqrt(m) < 0.41 first at m = 26: 2.0595 / 5.099 = 0.4039 (m = 25: 0.4128)
    assert judged["seeds_needed"] == 26
    # an estimate past the cap, or a value exactly on the rule's edge, names no number
    assert judge(worse, -0.05, se=1.5, n=3)["seeds_needed"] is None
    assert judge(worse, 0.0, se=1.5, n=3)["seeds_needed"] is None
    within = {"rule": "within", "paper": 0.62, "tolerance": 0.1, "error": SEEDS}
    assert judge(within, 0.535, se=0.003, n=5)["verdict"] == REPRODUCED  # 0.015 > 2.776 * 0.003
    assert judge(within, 0.535, se=0.03, n=5)["verdict"] == INCONCLUSIVE


def test_a_population_claim_is_judged_with_the_normal_quantile():
    population = {"rule": "above", "threshold": 0.0, "error": POPULATION}
    judged = judge(population, 1.0, se=0.5)  # 1.0 > 1.96 * 0.5 = 0.98
    assert judged["verdict"] == REPRODUCED and judged["critical"] == pytest.approx(1.95996, abs=1e-4)
    close = judge(population, 0.5, se=0.5)
    # (1.96 * 0.5 / 0.5)^2 = 3.84: 4 times the test samples would decide it
    assert close["verdict"] == INCONCLUSIVE and close["seeds_needed"] == 4


def test_a_diverged_value_fails_its_claim():
    below = {"rule": "below", "threshold": 0.25, "error": SEEDS}
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


def test_a_claim_without_an_error_kind_is_rejected(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: above, threshold: 1, claim: c, why: w, section: s, figure: f}\n")
    with pytest.raises(ValueError, match=r"dataset.x needs error: \{kind, why\}"):
        load_claims(path, "dataset")
    path.write_text("dataset:\n  x: {rule: above, threshold: 1, claim: c, why: w, section: s, figure: f,\n"
                    "      error: {kind: binomial, why: w}}\n")
    with pytest.raises(ValueError, match="kind one of"):
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

    cell = {"rule": "within", "paper": 60, "tolerance": 2, "claim": "c", "why": "w", "unit": "%", "error": SEEDS}
    claims = {"a": cell, "b": {**cell, "error": EXACT}, "c": cell, "d": cell}
    table = claims_table(claims, {"a": 59.4321, "b": 65.0, "d": 59.9}, spread={"a": 1.234, "d": 0.2},
                         n={"a": 4, "d": 4}).set_index("claim_id")
    assert table.loc["a", "spread"] == 1.234 and table.loc["a", "se"] == pytest.approx(0.617)
    assert ours_with_error(table.loc["a"]) == "59.43 ± 0.62"
    assert ours_with_error(table.loc["a"], significant=3) == "59.4 ± 0.62"
    assert ours_with_error(table.loc["b"]) == "65"  # no standard error given
    assert ours_with_error(table.loc["c"]) is None  # not run
    # a: margin 2 - 0.568 = 1.432 < 3.182 * 0.617 = 1.963 (a fixed 2 would have decided: 1.234);
    # d: 1.9 > 3.182 * 0.1 = 0.318
    assert list(table["verdict"]) == [INCONCLUSIVE, NOT_REPRODUCED, NOT_RUN, REPRODUCED]
    assert list(table["error_kind"]) == ["seeds", "exact", "seeds", "seeds"]
    assert table.loc["a", "critical"] == pytest.approx(3.182, abs=1e-3) and table.loc["b", "critical"] == 0


def test_a_band_from_the_spread_over_initial_weights(tmp_path):
    from mnist1d_repro.reporting import claims_table, sensitivity_table

    lr = {"claim": "c", "rule": "within", "paper": 0.62, "tolerance": 0.1, "tolerance_from_spread": 2,
          "why": "w", "unit": "learning rate", "error": EXACT}
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
    claims = {"worse": {"claim": "c", "rule": "below", "threshold": 0.0, "why": "w", "unit": "points", "error": SEEDS},
              "cell": {"claim": "d", "rule": "within", "paper": 68.0, "tolerance": 2.0, "why": "w", "unit": "%",
                       "error": SEEDS}}
    table = claims_table(claims, {"worse": -0.41, "cell": 60.0}, spread={"worse": 1.0, "cell": 1.0},
                         n={"worse": 3, "cell": 3}).set_index("claim_id")
    assert table.loc["worse", "se"] == pytest.approx(1 / np.sqrt(3), abs=1e-3)
    # t(0.975, m - 1) / sqrt(m) < 0.41 from m = 26 seeds on (see test_a_margin_inside_the_noise_is_inconclusive)
    assert table.loc["worse", "verdict"] == INCONCLUSIVE and table.loc["worse", "seeds_needed"] == 26
    assert to_decide_text(table.loc["worse"]) == "26 seeds"
    assert "inconclusive" in verdict_sentence(table.loc["worse"]) and "± 0.58" in verdict_sentence(table.loc["worse"])
    assert table.loc["cell", "verdict"] == NOT_REPRODUCED and to_decide_text(table.loc["cell"]) == ""


def test_what_would_decide_follows_the_error_kind():
    """An error over test samples (a population claim) names a multiple of the test samples; one
    over seeds names seeds; a claim over seeds that ran one seed asks for a second; an exact
    number is never undecided."""
    from mnist1d_repro.claims import binomial_se
    from mnist1d_repro.reporting import claims_table, decided_by_text, to_decide_text, verdict_sentence
    knn = {"claim": "k", "rule": "within", "paper": 59.6, "tolerance": 1.0, "why": "w", "unit": "%", "error": EXACT}
    exact = claims_table({"knn": knn}, {"knn": 59.6}, se={"knn": binomial_se(59.6, 1000)}).iloc[0]
    assert exact["verdict"] == REPRODUCED and decided_by_text(exact) == "the rule alone (exact)"
    population = {**knn, "error": POPULATION}
    # margin 1 against 1.96 * 1.551: (1.96 * 1.551 / 1)^2 = 9.24 -> 10 times the test samples
    fresh = claims_table({"knn": population}, {"knn": 59.6}, se={"knn": binomial_se(59.6, 1000)}).iloc[0]
    assert fresh["verdict"] == INCONCLUSIVE and to_decide_text(fresh) == "10× the test samples"
    assert "10× the test samples would decide it" in verdict_sentence(fresh)
    assert decided_by_text(fresh) == "1.96 SE (normal; population)"
    seeds = {**knn, "error": SEEDS}
    over_seeds = claims_table({"knn": seeds}, {"knn": 59.6}, spread={"knn": 2.7}, n={"knn": 3}).iloc[0]
    assert to_decide_text(over_seeds).endswith(" seeds") and "test samples" not in to_decide_text(over_seeds)
    assert decided_by_text(over_seeds) == "4.3 SE (Student-t, 2 df; seeds)"
    one_seed = claims_table({"knn": seeds}, {"knn": 59.6}, se={"knn": 1.55}, n={"knn": 1}).iloc[0]
    assert to_decide_text(one_seed) == "2 seeds or more (one has no spread)"
    assert decided_by_text(one_seed) == "nothing: one seed has no spread (seeds)"
    unbounded = claims_table({"knn": seeds}, {"knn": 59.6}, se={"knn": float("inf")}, n={"knn": 3}).iloc[0]
    assert decided_by_text(unbounded) == "nothing: no finite error (seeds)"
    far = claims_table({"knn": population}, {"knn": 59.6}, se={"knn": 50.0}).iloc[0]
    assert to_decide_text(far) == "> 100× the test samples"
    # a row recorded before error kinds (no error_kind column) reads as it did
    assert to_decide_text({"verdict": INCONCLUSIVE, "seeds_needed": 10, "n": None}) == "10× the test samples"


def test_a_record_from_before_error_kinds_is_judged_again_by_todays_engine():
    import pandas as pd

    from mnist1d_repro.reporting import rejudged_verdicts

    specs = {"knn": {"rule": "within", "paper": 59.6, "tolerance": 1.0, "error": EXACT},
             "peak": {"rule": "above", "threshold": 2.0, "error": SEEDS},
             "cell": {"rule": "within", "paper": 94.0, "tolerance": 3.0, "error": SEEDS}}
    # recorded: the exact kNN match inconclusive (binomial 1.55 and a band of 1), a one-seed peak reproduced
    # on its binomial error, a 3-seed cell 3 - 1.37 = 1.63 inside its band with se 0.567 (2.9 SE: reproduced by a
    # fixed 2)
    recorded = pd.DataFrame({"claim_id": ["knn", "peak", "cell"], "ours": [59.6, 6.2, 92.63],
                             "se": [1.552, 0.64, 0.5667], "n": [None, None, 3.0],
                             "verdict": [INCONCLUSIVE, REPRODUCED, REPRODUCED]})
    # today: exact -> the band alone; one seed -> undecided; 1.63 < 4.303 * 0.5667 = 2.44 -> undecided
    assert list(rejudged_verdicts(recorded, specs)) == [REPRODUCED, INCONCLUSIVE, INCONCLUSIVE]


def test_verdicts_are_counted_by_error_kind():
    import pandas as pd

    from mnist1d_repro.reporting import verdict_counts_by_kind

    claims = pd.DataFrame({"error_kind": ["seeds", "exact", "seeds", "seeds"],
                           "verdict": [REPRODUCED, REPRODUCED, INCONCLUSIVE, NOT_REPRODUCED]})
    assert verdict_counts_by_kind(claims) == ("exact: 1 (1 reproduced); seeds: 3 (1 not reproduced, 1 inconclusive, "
                                              "1 reproduced)")


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
            if room:  # Student-t at 2 degrees of freedom: 4.303 * scale / 8 < scale
                assert judge(claim, inside, se=scale / 8, n=3)["verdict"] == REPRODUCED, name
            assert judge(claim, inside, se=0, n=3)["verdict"] == REPRODUCED, name  # an exact value
            assert judge(claim, outside, se=scale / 8, n=3)["verdict"] == NOT_REPRODUCED, name
            undecided = EXACT["kind"] != claim["error"]["kind"]  # an exact claim ignores any error
            assert (judge(claim, inside, se=scale, n=3)["verdict"] == INCONCLUSIVE) == undecided, name
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


def test_a_zip_without_the_datasets_arrays_is_named_with_what_to_do(tmp_path):
    import zipfile

    from mnist1d_repro.io import UnreadableFileError

    with zipfile.ZipFile(tmp_path / "d.npz", "w") as archive:
        archive.writestr("a.txt", "not an array")
    with pytest.raises(UnreadableFileError, match=r"d.npz: .*missing x, y, x_test, y_test, t.*Delete it and rerun the "
                                                  "same snakemake command"):
        load_dataset(tmp_path / "d.npz")


def test_a_file_that_is_no_npz_gets_no_advice_on_pickles(tmp_path):
    from mnist1d_repro.io import UnreadableFileError

    (tmp_path / "d.npz").write_text("hello")
    with pytest.raises(UnreadableFileError, match="d.npz: cannot read this dataset file .*Delete it") as error:
        load_dataset(tmp_path / "d.npz")
    assert "pickle" not in str(error.value), error.value


def test_a_claims_file_that_is_not_yaml_is_named_with_its_line(tmp_path):
    from mnist1d_repro.config_checks import ConfigError, check_claims_file

    path = tmp_path / "claims.yaml"
    path.write_text("dataset:\n  x: {rule: above, threshold: [1, 2}\n")
    with pytest.raises(ConfigError, match=f"^claims file error: {path}, line 2: not valid YAML"):
        check_claims_file(path, ["dataset"])


@pytest.mark.parametrize("field, value", [("tolerance", "lots"), ("paper", '"0.62"'), ("threshold", "true"),
                                          ("tolerance", ".nan")])
def test_a_claims_number_that_is_not_a_number_is_named(tmp_path, field, value):
    rule = "above" if field == "threshold" else "within"
    fields = {"paper": "1", "tolerance": "1"} if rule == "within" else {"threshold": "1"}
    fields[field] = value
    path = tmp_path / "claims.yaml"
    path.write_text(f"dataset:\n  x: {{rule: {rule}, {', '.join(f'{k}: {v}' for k, v in fields.items())}, "
                    "claim: c, why: w, section: s, figure: f, error: {kind: exact, why: w}}\n")
    with pytest.raises(ValueError, match=f"{path}: dataset.x.{field} must be a finite number"):
        load_claims(path, "dataset")
