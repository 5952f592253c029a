"""Train one model of one width on one double-descent series (Figure 5 and its ablations)."""
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.double_descent import job_train_config
from mnist1d_repro.io import load_dataset, save_json
from mnist1d_repro.jobs import runtime_record, start_job
from mnist1d_repro.models import build_model, count_parameters
from mnist1d_repro.training import LOSSES, as_tensors, resolve_device, seed_everything, train

log = start_job(snakemake)
wc, params = snakemake.wildcards, snakemake.params
series, training = params.series, params.training
width, seed = int(wc.width), int(wc.seed)
device = resolve_device(params.device)
data = load_dataset(snakemake.input[0])
x, y = as_tensors(data["x"], data["y"], device)
x_test, y_test = as_tensors(data["x_test"], data["y_test"], device)
eval_sets = {"train": (x, y), "test": (x_test, y_test)}
if "y_clean" in data:  # how well the model fits the labels before noise was added
    eval_sets["train_clean"] = as_tensors(data["x"], data["y_clean"], device)

cfg = job_train_config(training, len(y), seed)
steps_per_epoch = cfg.steps // training["epochs"]
seed_everything(seed)
hidden_layers = None  # the MLP's depth (double_descent.mlp_hidden_layers, or the setting its folder names)
if series["model"] == "mlp":
    hidden_layers = int(params.mlp_hidden_layers)
    model = build_model("mlp", length=x.shape[1], hidden=width, residual=False, hidden_layers=hidden_layers)
else:
    model = build_model("cnn", length=x.shape[1], channels=width)
model = model.to(device)
depth = f", {hidden_layers} hidden layer(s)" if hidden_layers else ""
log(f"{wc.series}: {series['model']} width {width}{depth} ({count_parameters(model)} parameters), "
    f"{series['loss']} loss, {len(y)} training samples, {cfg.steps} steps")
history = train(model, (x, y), eval_sets, cfg, loss_fn=LOSSES[series["loss"]], progress=log)

final = history[-1]
save_json(snakemake.output[0], {
    "runtime": runtime_record(device),
    "series": wc.series, **series, "width": width, "mlp_hidden_layers": hidden_layers, "seed": seed,
    "parameters": count_parameters(model), "train_samples": len(y),
    "train_error": 100 - final["train_acc"], "test_error": 100 - final["test_acc"],
    "train_clean_error": 100 - final["train_clean_acc"] if "train_clean_acc" in final else None,
    "curve": [{"epoch": r["step"] // steps_per_epoch, "train_error": 100 - r["train_acc"],
               "test_error": 100 - r["test_acc"]} for r in history],
})
