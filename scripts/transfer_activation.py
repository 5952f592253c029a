"""Ablation: Table 1's MLP with a given activation (the learned one frozen, or a baseline),
trained as in Table 1; reports the last step's test accuracy."""
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.io import load_arrays, load_dataset, save_json
from mnist1d_repro.jobs import runtime_record, start_job
from mnist1d_repro.metalearning.activation import activation_module, network_from_arrays
from mnist1d_repro.models import build_model
from mnist1d_repro.training import TrainConfig, resolve_device, seed_everything, train, train_test_sets

log = start_job(snakemake)
wc, params = snakemake.wildcards, snakemake.params
seed = int(wc.seed)
device = resolve_device(params.device)
(x, y), eval_sets = train_test_sets(load_dataset(snakemake.input.dataset), device)
learned = network_from_arrays(load_arrays(snakemake.input.network)) if wc.activation == "learned" else None
seed_everything(seed)
activation = activation_module(wc.activation, learned, params.elu_weight)
model = build_model("mlp", length=x.shape[1], activation=activation).to(device)
history = train(model, (x, y), eval_sets, TrainConfig(**params.training), progress=log)
last = history[-1]
save_json(snakemake.output[0], {"runtime": runtime_record(device), "activation": wc.activation, "seed": seed, "step": last["step"],
                                "train_acc": last["train_acc"], "test_acc": last["test_acc"]})
