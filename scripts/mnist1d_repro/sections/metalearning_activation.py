"""Section 5.4: metalearning an activation function (Figure 7, the transfer ablation)."""
from __future__ import annotations

from .spec import Section, Switch

SEEDING = Switch("metalearning.activation.seeding", ("reference", "fresh"), reruns_jobs=True)
NOISE_DRAW = Switch("metalearning.activation.noise_draw", ("shared", "per_sample"), reruns_jobs=True)
TEST_NOISE = Switch("metalearning.activation.test_noise", ("added", "none"), reruns_jobs=True)

SECTION = Section(
    name="metalearning_activation",
    folder="metalearning",
    category="5.3-5.4 Metalearning",
    outputs=("figure7.png", "activation_accuracy.html", "transfer.html"),
    claims_tables=("activation_claims.csv",),
    sensitivity_tables=("activation_sensitivity.csv",),
    switches=(SEEDING, NOISE_DRAW, TEST_NOISE),
)
