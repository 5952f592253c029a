"""Figure 6, one starting point: metalearn SGD's learning rate by gradient descent through the
unrolled inner training run, once for each draw of the inner MLP's initial weights."""
import pandas as pd
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.io import load_dataset, save_csv
from mnist1d_repro.jobs import start_job
from mnist1d_repro.metalearning import metalearn_learning_rate
from mnist1d_repro.training import as_tensors

log = start_job(snakemake)
s = snakemake.params.settings
data = load_dataset(snakemake.input[0])
x, y = as_tensors(data["x"], data["y"], "cpu")
initial_lr = float(snakemake.wildcards.lr)
log(f"initial learning rate {initial_lr}: {s['outer_steps']} outer steps of {s['inner_steps']} inner SGD "
    f"steps (batch {s['batch_size']}, MLP hidden {s['hidden']}) on {len(y)} training samples, "
    f"for each of {len(s['init_seeds'])} draws of the initial weights")
runs = []
for init_seed in s["init_seeds"]:
    history = metalearn_learning_rate(
        x, y, initial_lr=initial_lr, hidden=s["hidden"], inner_steps=s["inner_steps"], batch_size=s["batch_size"],
        outer_steps=s["outer_steps"], outer_lr=s["outer_lr"], init_seed=init_seed, progress=log)
    runs.append(pd.DataFrame(history).assign(initial_lr=initial_lr, init_seed=init_seed))
    log(f"initial weights {init_seed}: final learning rate {history[-1]['lr']:.4f}")
save_csv(snakemake.output[0], pd.concat(runs, ignore_index=True))
