"""The review's verdict plot: each claim's coordinates, worked out by hand from its rule, value,
standard error and the critical value its error kind calls for."""
import math

import pandas as pd
import pytest

from mnist1d_repro.claims import judge
from mnist1d_repro.verdict_plot import (EXACT_NOTE, ONE_SEED_NOTE, verdict_plot_row, verdict_plot_rows,
                                        verdict_summary)

T_2_DF = 4.302653  # Student-t, two-sided 95 %, 2 degrees of freedom (3 seeds)
T_1_DF = 12.706205  # 1 degree of freedom (2 seeds)
NORMAL = 1.959964  # the normal quantile


def spec(rule, kind, **fields):
    return {"rule": rule, "error": {"kind": kind, "why": "test"}, "claim": "c", "why": "w", "section": "s",
            "figure": "f.png", **fields}


def row(claim_id, ours, se, n, target, verdict):
    return {"claim_id": claim_id, "report section": "4. Classification", "ours": ours, "se": se, "n": n,
            "target": target, "verdict": verdict}


SPECS = {
    "exact_inside": spec("within", "exact", paper=59.6, tolerance=1.0),
    "three_seeds_straddle": spec("above", "seeds", threshold=5),
    "above_reproduced": spec("above", "population", threshold=20),
    "below_two_seeds": spec("below", "seeds", threshold=3),
    "one_seed": spec("above", "paired", threshold=5),
    "not_run": spec("within", "seeds", paper=68, tolerance=3),
    "zero_band": spec("within", "exact", paper=2, tolerance=0),
    "band_from_spread": spec("within", "exact", paper=0.62, tolerance=0.1, tolerance_from_spread=2),
}
ROWS = pd.DataFrame([
    row("exact_inside", 59.1, 1.5, float("nan"), "59.6 ± 1%", "reproduced"),
    row("three_seeds_straddle", 6.0, 0.5, 3, "> 5 points", "inconclusive"),
    row("above_reproduced", 30.0, 2.0, float("nan"), "> 20 points", "reproduced"),
    row("below_two_seeds", 0.5, 0.1, 2, "< 3 points", "reproduced"),
    row("one_seed", 3.778, float("nan"), 1, "> 5 points", "inconclusive"),
    row("not_run", float("nan"), float("nan"), float("nan"), "68 ± 3%", "not run"),
    row("zero_band", 0.0, float("nan"), float("nan"), "2 ± 0 extrema", "not reproduced"),
    row("band_from_spread", 0.64, float("nan"), float("nan"), "0.62 ± 0.0726 learning rate", "reproduced"),
])


@pytest.fixture(scope="module")
def plotted():
    return verdict_plot_rows(ROWS, SPECS).set_index("claim_id")


def test_the_hand_made_rows_have_the_verdicts_they_are_named_for():
    for _, r in ROWS.iterrows():
        if r["claim_id"] in ("not_run", "band_from_spread"):
            continue
        claim = SPECS[r["claim_id"]]
        n = None if pd.isna(r["n"]) else int(r["n"])
        se = None if pd.isna(r["se"]) else r["se"]
        assert judge(claim, r["ours"], se, n)["verdict"] == r["verdict"], r["claim_id"]


def test_an_exact_claim_inside_its_band_has_no_interval(plotted):
    r = plotted.loc["exact_inside"]
    # (59.1 - 59.6) / 1 = -0.5, inside the band -1 ... 1; the rule alone decides, whatever the se
    assert r["x"] == pytest.approx(-0.5)
    assert (r["band_low"], r["band_high"]) == (-1.0, 1.0)
    assert r["critical"] == 0 and math.isnan(r["low"]) and math.isnan(r["high"])
    assert r["note"] == EXACT_NOTE and r["ours_text"] == "59.1 (exact: the rule alone)"
    assert r["verdict"] == "reproduced"


def test_three_seeds_whose_interval_straddles_the_threshold(plotted):
    r = plotted.loc["three_seeds_straddle"]
    # half-width t(2 df) * 0.5 = 2.151326; distance 6 - 5 = 1 < 2.151326, so the scale is 2.151326:
    # x = 1 / 2.151326 = 0.464830, interval x ± 1 = -0.535170 ... 1.464830, across the threshold at 0
    # (with a fixed 2 SE the half-width would be 1: x = 1, interval 0 ... 2)
    assert r["critical"] == pytest.approx(T_2_DF, abs=1e-6)
    assert r["half_width"] == pytest.approx(2.151326, abs=1e-6)
    assert r["scale"] == pytest.approx(2.151326, abs=1e-6)
    assert r["x"] == pytest.approx(0.464830, abs=1e-6)
    assert (r["low"], r["high"]) == (pytest.approx(-0.535170, abs=1e-6), pytest.approx(1.464830, abs=1e-6))
    assert (r["band_low"], r["band_high"]) == (0.0, math.inf)
    assert r["ours_text"] == "6 ± 2.2 (4.3 SE)" and r["verdict"] == "inconclusive"


def test_a_claim_above_its_threshold_by_more_than_its_interval(plotted):
    r = plotted.loc["above_reproduced"]
    # population error: normal quantile, half-width 1.959964 * 2 = 3.919928; the distance 10 is larger,
    # so the scale is 10: x = 1, interval 1 ± 0.391993 = 0.608007 ... 1.391993 (fixed 2: 0.6 ... 1.4)
    assert r["critical"] == pytest.approx(NORMAL, abs=1e-6)
    assert r["scale"] == pytest.approx(10.0)
    assert r["x"] == pytest.approx(1.0)
    assert (r["low"], r["high"]) == (pytest.approx(0.608007, abs=1e-6), pytest.approx(1.391993, abs=1e-6))
    assert r["verdict"] == "reproduced"


def test_a_claim_below_its_threshold_over_two_seeds(plotted):
    r = plotted.loc["below_two_seeds"]
    # t(1 df) * 0.1 = 1.270620; distance 0.5 - 3 = -2.5, scale 2.5: x = -1,
    # interval -1 ± 0.508248 = -1.508248 ... -0.491752, all on the satisfying side (below 0)
    assert r["x"] == pytest.approx(-1.0)
    assert (r["low"], r["high"]) == (pytest.approx(-1.508248, abs=1e-6), pytest.approx(-0.491752, abs=1e-6))
    assert (r["band_low"], r["band_high"]) == (-math.inf, 0.0)
    assert r["critical"] == pytest.approx(T_1_DF, abs=1e-6)


def test_one_seed_has_no_interval_and_says_so(plotted):
    r = plotted.loc["one_seed"]
    # no spread: nothing decides; the scale is the distance |3.778 - 5| = 1.222, so x = -1
    assert r["critical"] is None or math.isnan(r["critical"])
    assert math.isnan(r["low"]) and math.isnan(r["high"])
    assert r["x"] == pytest.approx(-1.0)
    assert r["note"] == ONE_SEED_NOTE and r["ours_text"] == "3.778 (undecidable: one seed)"


def test_a_claim_not_run_has_no_point(plotted):
    r = plotted.loc["not_run"]
    assert math.isnan(r["x"]) and r["ours_text"] == "not run" and r["verdict"] == "not run"


def test_a_band_of_zero_width_is_scaled_like_a_threshold(plotted):
    r = plotted.loc["zero_band"]
    # 2 ± 0 extrema, ours 0: the band is the line at 0, the scale the distance 2, x = -1
    assert (r["band_low"], r["band_high"]) == (0.0, 0.0)
    assert r["x"] == pytest.approx(-1.0)


def test_a_band_set_from_a_spread_is_read_from_the_target(plotted):
    # the recorded band 0.0726, not the spec's fallback 0.1: x = (0.64 - 0.62) / 0.0726 = 0.275482
    assert plotted.loc["band_from_spread", "x"] == pytest.approx(0.275482, abs=1e-6)
    assert plotted.loc["band_from_spread", "scale"] == pytest.approx(0.0726)


def test_the_title_counts_the_verdicts():
    verdicts = pd.Series(["reproduced", "reproduced", "inconclusive", "not run", "not reproduced"])
    assert verdict_summary(verdicts) == "2 of 5 claims reproduced, 1 not reproduced, 1 inconclusive, 1 not run."


def test_a_non_finite_value_has_no_interval():
    claim = spec("within", "seeds", paper=0, tolerance=1)
    r = verdict_plot_row(row("x", math.inf, float("nan"), 2, "0 ± 1 log2", "not reproduced"), claim)
    assert r["x"] == math.inf and math.isnan(r["low"]) and r["ours_text"] == "inf (not finite)"


def test_the_plot_draws_every_row(tmp_path):
    from mnist1d_repro.plotting import verdict_plot

    rows = verdict_plot_rows(ROWS, SPECS)
    path = tmp_path / "verdicts.png"
    verdict_plot(rows, verdict_summary(ROWS["verdict"]), path)
    assert path.stat().st_size > 0
