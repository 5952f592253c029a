"""Train one classifier on one dataset variant with one seed (Table 1, Figure 2, Figure S1, and
the MLP sweep, which changes the training settings and the MLP's residual connection).

Two runs from the same initialisation:
  last step       trained on the whole training set, as the reference notebook does;
  early stopping  trained on the training set minus a held-out validation part; the reported
                  test accuracy is the one at the evaluation step with the best validation accuracy.
"""
import numpy as np
import pandas as pd
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.classification import reference_gru_forward_batches, seed_initial_weights
from mnist1d_repro.io import load_dataset, save_csv, save_json
from mnist1d_repro.jobs import runtime_record, start_job
from mnist1d_repro.models import build_model, count_parameters
from mnist1d_repro.training import (TrainConfig, as_tensors, early_stopping_record, predict,
                                    resolve_device, train)

log = start_job(snakemake)
wc, params = snakemake.wildcards, snakemake.params
seed, model_name, variant = int(wc.seed), params.model, params.variant
device = resolve_device(params.device)
cfg = TrainConfig(**params.training)
data = load_dataset(snakemake.input[0])
x, y = as_tensors(data["x"], data["y"], device)
x_test, y_test = as_tensors(data["x_test"], data["y_test"], device)
log(f"{model_name} {params.model_options or ''} on {variant}, seed {seed}, device {device}, {cfg}, "
    f"{len(y)} train / {len(y_test)} test, torch seeding {params.torch_seeding}")
in_channels = x.shape[2] if x.dim() == 3 else 1  # MNIST: 28 rows of 28 pixels


def built(name, **options):
    return build_model(name, length=x.shape[1], in_channels=in_channels, **options)


def fresh_model():
    seed_initial_weights(params.torch_seeding, seed, variant, model_name, built, reference_gru_forward_batches(
        cfg.steps, cfg.batch_size, cfg.eval_every, len(y), len(y_test)))
    return built(model_name, **params.model_options).to(device)


log("run 1/2: whole training set, last step")
model = fresh_model()
full = train(model, (x, y), {"train": (x, y), "test": (x_test, y_test)}, cfg, progress=log)
predicted = predict(model, x_test)
confusion = np.zeros((10, 10), dtype=np.int64)
np.add.at(confusion, (data["y_test"], predicted), 1)

n_val = int(round(params.validation["fraction"] * len(y)))
held_out = np.random.RandomState(params.validation["seed"]).permutation(len(y))[:n_val]
is_val = np.zeros(len(y), dtype=bool)
is_val[held_out] = True
fit_rows = torch.as_tensor(np.flatnonzero(~is_val), device=device)  # keeps the reference's batch order
val_rows = torch.as_tensor(np.flatnonzero(is_val), device=device)
log(f"run 2/2: {len(fit_rows)} training samples, {len(val_rows)} for early stopping")
model = fresh_model()
fit_set, val_set = (x[fit_rows], y[fit_rows]), (x[val_rows], y[val_rows])
stopped = train(model, fit_set, {"train": fit_set, "val": val_set, "test": (x_test, y_test)}, cfg,
                progress=log)
best = early_stopping_record(stopped, "val_acc")

last = full[-1]
metrics = {
    "model": model_name, **params.model_options, "variant": variant, "seed": seed,
    "training": params.training, "parameters": count_parameters(model),
    "train_samples": len(y), "test_samples": len(y_test),
    "last_step": {"step": last["step"], "train_acc": last["train_acc"], "test_acc": last["test_acc"],
                  "test_loss": last["test_loss"]},
    "early_stopping": {"step": best["step"], "val_acc": best["val_acc"], "test_acc": best["test_acc"],
                       "train_samples": len(fit_rows), "val_samples": len(val_rows)},
}
log(f"last step: test {last['test_acc']:.2f} %; early stopping at step {best['step']}: "
    f"test {best['test_acc']:.2f} %")
curves = pd.concat([pd.DataFrame(full).assign(run="last_step"),
                    pd.DataFrame(stopped).assign(run="early_stopping")], ignore_index=True)
save_json(snakemake.output.metrics, {"runtime": runtime_record(device), **metrics})
save_csv(snakemake.output.curves, curves)
save_csv(snakemake.output.confusion, pd.DataFrame(confusion, columns=[f"pred_{i}" for i in range(10)])
         .assign(true=range(10)))
