"""Train one pooling CNN on a training set of `size` samples with one seed (Figure 9): its own
generated dataset (pooling.train_sets per_size) or the first `size` samples of one (nested)."""
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.io import load_dataset, save_json
from mnist1d_repro.jobs import runtime_record, start_job
from mnist1d_repro.models import build_model, count_parameters
from mnist1d_repro.pooling import job_data
from mnist1d_repro.training import TrainConfig, as_tensors, evaluate, resolve_device, seed_everything, train

log = start_job(snakemake)
wc = snakemake.wildcards
size, seed = int(wc.size), int(wc.seed)
device = resolve_device(snakemake.params.device)
train_sets = snakemake.params.train_sets
data = job_data(load_dataset(snakemake.input[0]), size, train_sets)
x, y = as_tensors(data["x"], data["y"], device)
x_test, y_test = as_tensors(data["x_test"], data["y_test"], device)

seed_everything(seed)
model = build_model("pooling_cnn", length=x.shape[1], pooling=wc.pooling).to(device)
log(f"pooling {wc.pooling}, {size} training samples ({train_sets}), {len(y_test)} test samples, seed {seed}, "
    f"{count_parameters(model)} parameters")
# The training set can be large: only the test set is evaluated along the way.
history = train(model, (x, y), {"test": (x_test, y_test)}, TrainConfig(**snakemake.params.training),
                progress=log)
train_loss, train_acc = evaluate(model, x, y)
save_json(snakemake.output[0], {
    "runtime": runtime_record(device),
    "pooling": wc.pooling, "train_size": size, "train_sets": train_sets, "test_size": len(y_test), "seed": seed,
    "parameters": count_parameters(model),
    "train_acc": train_acc, "test_acc": history[-1]["test_acc"],
    "curve": [{"step": r["step"], "test_acc": r["test_acc"]} for r in history],
})
