"""One pruning chain (Figure 4a-b): prune, rewind to the initialisation, retrain, repeat."""
import pandas as pd
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.io import load_dataset, save_arrays, save_csv
from mnist1d_repro.jobs import start_job, with_runtime_columns
from mnist1d_repro.lottery import pruning_chain, sparsity_schedule
from mnist1d_repro.models import build_model, count_parameters
from mnist1d_repro.training import TrainConfig, resolve_device, seed_everything, train_test_sets

log = start_job(snakemake)
wc, params = snakemake.wildcards, snakemake.params
seed, training = int(wc.seed), params.training
device = resolve_device(params.device)
data = load_dataset(snakemake.input[0])
(x, y), eval_sets = train_test_sets(data, device)
cfg = TrainConfig(**training)  # steps, batch_size, lr, eval_every

seed_everything(seed)
model = build_model("mlp", length=x.shape[1], hidden=params.hidden).to(device)
sparsities = sparsity_schedule(params.schedule["levels"], params.schedule["final_sparsity"])
log(f"{wc.method} chain, schedule {wc.schedule}: {len(sparsities)} levels to sparsity {sparsities[-1]:.3f}, "
    f"MLP hidden {params.hidden} ({count_parameters(model)} parameters), {cfg.steps} steps per level")
rows, masks = pruning_chain(model, wc.method, sparsities, (x, y), eval_sets, cfg, seed=seed, log=log,
                            score_weights=params.score_weights, checkpoint_every=params.checkpoint_every)
save_arrays(snakemake.output.masks, masks)
save_csv(snakemake.output.levels, with_runtime_columns(pd.DataFrame(rows), device))
log("done")
