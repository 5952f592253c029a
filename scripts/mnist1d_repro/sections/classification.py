"""Section 4: classification (Table 1, Figure 2, Figure S1, the MLP sweep)."""
from __future__ import annotations

from .spec import Section, Switch

# An alternative protocol picks other steps of the same training runs: no job runs again.
PROTOCOL = Switch(
    "classification.protocol",
    ("early_stopping", "last_step", "early_stopping_subset", "best_test_step"),
    reruns_jobs=False,
)

SECTION = Section(
    name="classification",
    folder="classification",
    category="4. Classification",
    outputs=("table1.html", "figure2.png", "figureS1.png", "mlp_sweep.html"),
    claims_tables=("claims.csv",),
    sensitivity_tables=("sensitivity.csv",),
    switches=(PROTOCOL,),
)
