"""One long run of a dense network, a lottery ticket or a random subnetwork (Figure 4c-f)."""
import numpy as np
import torch

from mnist1d_repro.io import load_arrays, load_dataset, save_json
from mnist1d_repro.jobs import runtime_record, start_job
from mnist1d_repro.lottery import train_masked
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, resolve_device, seed_everything, train_test_sets

log = start_job(snakemake)
wc, params = snakemake.wildcards, snakemake.params
training, init_seed = params.training, int(wc.init_seed)
network = wc.get("network", "dense")
device = resolve_device(params.device)
data = load_dataset(snakemake.input.data)
(x, y), eval_sets = train_test_sets(data, device)
cfg = TrainConfig(**training)  # steps, batch_size, lr, eval_every

seed_everything(init_seed)
model = build_model("mlp", length=x.shape[1], hidden=params.hidden).to(device)
initial = {name: p.detach().clone() for name, p in model.named_parameters()}
masks = None
if network != "dense":
    level = params.ticket_level
    masks = {name: torch.as_tensor(stack[level]) for name, stack in load_arrays(snakemake.input.masks).items()}
    kept = sum(int(m.sum()) for m in masks.values()) / sum(m.numel() for m in masks.values())
    log(f"{network} mask of seed {wc.seed}, level {level}: {100 * kept:.2f} % of parameters kept")
log(f"{network} network, variant {wc.variant}, initialisation seed {init_seed}, {cfg.steps} steps")
history = train_masked(model, initial, masks, (x, y), eval_sets, cfg, progress=log)

late = [r["test_acc"] for r in history if r["step"] >= cfg.steps - params.average_last_steps]
save_json(snakemake.output[0], {
    "runtime": runtime_record(device),
    "variant": wc.variant, "network": network, "mask_seed": int(wc.seed) if masks else None,
    "init_seed": init_seed,
    "kept_fraction": 1.0 if masks is None else kept,
    "final_test_acc": history[-1]["test_acc"], "final_train_acc": history[-1]["train_acc"],
    "asymptotic_test_acc": float(np.mean(late)),
    "curve": [{"step": r["step"], "train_acc": r["train_acc"], "test_acc": r["test_acc"],
               "test_loss": r["test_loss"]} for r in history],
})
log("done")
