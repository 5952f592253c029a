"""Table 1's reporting protocols (the settings of classification.protocol), read off a job's
evaluation curves, and where a job's initial weights come from (classification.torch_seeding);
the tables and claims built from them are in sections.classification.

Every classification job trains twice from the same initialisation and evaluates both runs at
the same steps: ``last_step`` on the whole training set (the reference's run) and
``early_stopping`` on the training set minus a held-out part, which is evaluated on that part
(``val_acc``). The protocols read test accuracies off those curves:

  last_step              the whole-training-set run at its last step (the reference notebook);
  early_stopping         the step with the best held-out accuracy, read from the whole-training-set
                         run at that step: early stopping that trains on every sample;
  early_stopping_subset  the held-out run's own test accuracy at that step (trained on less data);
  best_test_step         the whole-training-set run at its best test step: optimistic, since the
                         step is chosen on the test set.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd

from .sections.classification import NOTEBOOK_RUN_ORDER, PROTOCOLS, TORCH_SEEDING, seeding_reruns
from .training import seed_everything

NOTEBOOK_GRU_STATES = 2  # its GRU draws (2, batch, hidden) normals for a zero initial state in every forward pass


def _earliest_best(frame: pd.DataFrame, column: str) -> pd.Series:
    """The evaluation row with the highest ``column``; the earliest step among ties."""
    ordered = frame.sort_values("step", kind="stable")
    return ordered.loc[ordered[column].idxmax()]


def protocol_results(curves: pd.DataFrame) -> dict[str, dict]:
    """Step and test accuracy of one job under every protocol. ``curves`` has the columns run
    ("last_step" or "early_stopping"), step, test_acc, and val_acc for the early-stopping run."""
    full = curves[curves["run"] == "last_step"].sort_values("step", kind="stable").reset_index(drop=True)
    held = curves[curves["run"] == "early_stopping"]
    if full.empty or held.empty:
        raise ValueError("curves need both runs, 'last_step' and 'early_stopping'")
    chosen = _earliest_best(held, "val_acc")
    step = int(chosen["step"])
    at_step = full.loc[full["step"] == step, "test_acc"]
    if at_step.empty:
        raise ValueError(f"the whole-training-set run was not evaluated at step {step}")
    best_test = _earliest_best(full, "test_acc")
    results = {
        "last_step": {"step": int(full["step"].iloc[-1]), "test_acc": float(full["test_acc"].iloc[-1])},
        "early_stopping": {"step": step, "test_acc": float(at_step.iloc[0])},
        "early_stopping_subset": {"step": step, "test_acc": float(chosen["test_acc"])},
        "best_test_step": {"step": int(best_test["step"]), "test_acc": float(best_test["test_acc"])},
    }
    return {protocol: results[protocol] for protocol in PROTOCOLS}


def protocol_table(curves_by_job: dict[tuple, pd.DataFrame], key_names: tuple[str, ...]) -> pd.DataFrame:
    """One row per job and protocol: the job's keys, protocol, step, test_acc."""
    rows = []
    for key, curves in curves_by_job.items():
        for protocol, result in protocol_results(curves).items():
            rows.append({**dict(zip(key_names, key)), "protocol": protocol, **result})
    return pd.DataFrame(rows)


def reference_gru_forward_batches(steps: int, batch_size: int, eval_every: int, train_samples: int,
                                  test_samples: int) -> list[int]:
    """The batch size of every forward pass of the reference's training loop (notebooks/train.py)
    for a run of ``steps`` updates as we count them: the reference's loop runs steps + 1
    iterations (0 to steps), each a forward pass on the next batch taken in order, and at every
    multiple of eval_every three more: the test loss, the training accuracy, the test accuracy."""
    passes = []
    for step in range(steps + 1):
        start = (step * batch_size) % train_samples
        passes.append(min(batch_size, train_samples - start))
        if eval_every > 0 and step % eval_every == 0:
            passes += [test_samples, train_samples, test_samples]
    return passes


def seed_initial_weights(setting: str, seed: int, variant: str, model: str, build: Callable[[str], object],
                         gru_forward_batches: list[int]) -> None:
    """Prepare torch's global generator so that the next model built draws the initial weights
    that ``setting`` of classification.torch_seeding gives the run (variant, model) at ``seed``.

    per_job: seed every generator with ``seed`` (ours: a model's original and shuffled runs start
    from the same weights). notebook_stream: seed them with ``seed`` once, then make every torch
    draw of the reference notebook's runs before this one in NOTEBOOK_RUN_ORDER: each model's
    initialisation (``build(name)`` builds one as this job does) and, for the GRU (its ``gru``
    layer), the normals of its zero initial state in each forward pass (``gru_forward_batches``). That is the notebook's one unseeded stream, seeded. A run outside that order (MNIST,
    another variant), and its first run, is seeded per job under either setting."""
    if setting not in TORCH_SEEDING.values:
        raise ValueError(f"{TORCH_SEEDING.key} must be one of {TORCH_SEEDING.values}, not {setting!r}")
    seed_everything(seed)
    if setting == "per_job" or not seeding_reruns(variant, model):
        return
    import torch

    for _, earlier in NOTEBOOK_RUN_ORDER[:NOTEBOOK_RUN_ORDER.index((variant, model))]:
        built = build(earlier)
        if earlier == "gru":
            for batch in gru_forward_batches:
                torch.randn(NOTEBOOK_GRU_STATES, batch, built.gru.hidden_size)
