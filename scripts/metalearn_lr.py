"""Figure 6, one starting point: metalearn SGD's learning rate by gradient descent through the
unrolled inner training run, from the reference's initial weights and, as the ablation, from
each draw of them in init_seeds. Both always run; the config's initial_weights chooses which
one the verdicts use (figure6.py)."""
import pandas as pd
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job, with_runtime_columns
from mnist1d_repro.metalearning.learning_rate import learning_rate_initial_weights, metalearn_learning_rate
from mnist1d_repro.training import as_tensors

log = start_job(snakemake)
s = snakemake.params.settings
data = load_dataset(snakemake.input[0])
x, y = as_tensors(data["x"], data["y"], "cpu")
initial_lr = float(snakemake.wildcards.lr)
inits = [("reference", s["reference_seed"])] + [("draws", seed) for seed in s["init_seeds"]]
log(f"initial learning rate {initial_lr}: {s['outer_steps']} outer steps of {s['inner_steps']} inner SGD "
    f"steps (batch {s['batch_size']}, MLP hidden {s['hidden']}) on {len(y)} training samples, from the "
    f"reference's initial weights (torch seed {s['reference_seed']}) and {len(s['init_seeds'])} draws of them")
runs = []
for kind, seed in inits:
    init = learning_rate_initial_weights(kind, x.shape[1], s["hidden"], seed)
    history = metalearn_learning_rate(
        x, y, initial_lr=initial_lr, init=init, inner_steps=s["inner_steps"], batch_size=s["batch_size"],
        outer_steps=s["outer_steps"], outer_lr=s["outer_lr"], progress=log)
    runs.append(pd.DataFrame(history).assign(initial_lr=initial_lr, initial_weights=kind, init_seed=seed))
    log(f"initial weights {kind} {seed}: final learning rate {history[-1]['lr']:.4f}")
save_csv(snakemake.output[0], with_runtime_columns(pd.concat(runs, ignore_index=True), "cpu"))
