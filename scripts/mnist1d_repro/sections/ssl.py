"""Section 5.5: self-supervised learning (Figure 8)."""
from __future__ import annotations

from .spec import Section, Switch

TRAIN_DATA = Switch("ssl.train_data", ("train", "train_and_test"), reruns_jobs=True)
INFO_NCE = Switch("ssl.info_nce", ("one_directional", "symmetric"), reruns_jobs=True)
# each SSL job fits its own linear probes, so another tolerance reruns the jobs
PROBE_TOL = Switch("linear_probe.tol", None, reruns_jobs=True)

SECTION = Section(
    name="ssl",
    folder="ssl",
    category="5.5 Self-supervised learning",
    outputs=("probe_accuracy.html", "figure8.png"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(TRAIN_DATA, INFO_NCE, PROBE_TOL),
)
