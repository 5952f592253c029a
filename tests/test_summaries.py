"""Section summaries on small hand-made job outputs: each claim's value, spread and error."""
import pytest

from mnist1d_repro.claims import binomial_se


def ssl_job(loss, head, seed, accuracies, train_data="train", info_nce="one_directional"):
    return {"loss": loss, "train_data": train_data, "info_nce": info_nce if loss == "info_nce" else None,
            "head_layers": head, "seed": seed, "probe_accuracy": accuracies,
            "layer_features": [40] + [125] * (len(accuracies) - 1)}


def test_ssl_claims_read_the_encoder_output_of_the_chosen_setting():
    from mnist1d_repro.summaries import probe_table, runs_under, ssl_claim_values
    jobs = [ssl_job("info_nce", 2, 0, [33, 75, 81, 82, 76, 75]),
            ssl_job("info_nce", 0, 0, [33, 75, 81, 85]),  # peaks at the last layer: not inside
            ssl_job("info_nce", 2, 0, [33, 70, 71, 72, 60, 50], info_nce="symmetric"),
            ssl_job("vicreg", 2, 0, [33, 60, 61, 62, 50, 40])]
    probes = probe_table(jobs)
    assert len(probes) == 6 + 4 + 6 + 6
    configured = runs_under(probes, {"train_data": "train", "info_nce": "one_directional"})
    values, spread, errors = ssl_claim_values(configured, test_samples=1000)
    assert values == {"linear_accuracy_before_head": 82.0, "accuracy_peaks_in_the_middle": 0.5}
    assert spread["linear_accuracy_before_head"] is None  # one seed
    assert errors["linear_accuracy_before_head"] == pytest.approx(binomial_se(82.0, 1000))
    symmetric, _, _ = ssl_claim_values(runs_under(probes, {"train_data": "train", "info_nce": "symmetric"}), 1000)
    assert symmetric["linear_accuracy_before_head"] == 72.0
    two_seeds = probe_table(jobs[:1] + [ssl_job("info_nce", 2, 1, [33, 75, 81, 84, 76, 75])])
    values, spread, errors = ssl_claim_values(two_seeds, 1000)
    assert values["linear_accuracy_before_head"] == 83.0
    assert errors["linear_accuracy_before_head"] == pytest.approx(spread["linear_accuracy_before_head"] / 2 ** 0.5)
