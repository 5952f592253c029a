"""Self-supervised training (SimCLR-style, or VICReg for the ablation) of one head variant,
then a linear probe on every layer's representation (Figure 8)."""
import math

import numpy as np
import torch

from mnist1d_repro.io import atomic_path, load_dataset, save_json
from mnist1d_repro.jobs import runtime_record, start_job
from mnist1d_repro.ssl import SSL_LOSSES, SSLNetwork, augment, linear_probe, ssl_training_inputs
from mnist1d_repro.training import TrainConfig, as_tensors, resolve_device, seed_everything, train

log = start_job(snakemake)
wc, params = snakemake.wildcards, snakemake.params
settings = params.settings  # the ssl config section, with a sensitivity job's setting swapped in
head, seed = int(wc.head), int(wc.seed)
device = resolve_device(params.device)
data = load_dataset(snakemake.input[0])
# The encoder trains without labels on ssl.train_data (the reference: the training split only);
# the linear probes are then fitted on the training split and scored on the test split.
x_ssl = ssl_training_inputs(data, settings["train_data"])
x_all, no_labels = as_tensors(x_ssl, np.zeros(len(x_ssl)), device)

seed_everything(seed)
model = SSLNetwork(head_layers=head, length=x_all.shape[1]).to(device)
views = torch.Generator().manual_seed(seed)
criterion = SSL_LOSSES[wc.loss]
loss_options = ({"temperature": settings["temperature"], "form": settings["info_nce"]}
                if wc.loss == "info_nce" else {})


def two_view_loss(model, xb, _):
    return criterion(model(augment(xb, views, **settings["augmentation"])),
                     model(augment(xb, views, **settings["augmentation"])), **loss_options)


steps_per_epoch = math.ceil(len(x_all) / settings["batch_size"])
cfg = TrainConfig(steps=settings["epochs"] * steps_per_epoch, batch_size=settings["batch_size"], lr=settings["lr"],
                  eval_every=steps_per_epoch * max(1, settings["epochs"] // 20), batch_order="shuffled",
                  shuffle_seed=seed)
loss_name = f"{wc.loss} ({settings['info_nce']})" if wc.loss == "info_nce" else wc.loss
log(f"{loss_name}, {head}-layer head, seed {seed}: {cfg.steps} steps on {len(x_all)} samples "
    f"({settings['train_data']})")
history = train(model, (x_all, no_labels), {}, cfg, batch_loss=two_view_loss, progress=log)

model.eval()
with torch.no_grad():
    train_layers = [h.cpu().numpy() for h in model.layer_outputs(as_tensors(data["x"], data["y"], device)[0])]
    test_layers = [h.cpu().numpy() for h in model.layer_outputs(as_tensors(data["x_test"], data["y_test"], device)[0])]
accuracies = []
for layer, (train_h, test_h) in enumerate(zip(train_layers, test_layers)):
    probe = linear_probe(**snakemake.params.linear_probe)
    probe.fit(train_h, data["y"])
    accuracies.append(100 * probe.score(test_h, data["y_test"]))
    log(f"linear probe after layer {layer} ({train_h.shape[1]} features): {accuracies[-1]:.1f} %")

save_json(snakemake.output.metrics, {
    "runtime": runtime_record(device),
    "loss": wc.loss, "head_layers": head, "seed": seed, "encoder_layers": 3,
    "train_data": settings["train_data"], "ssl_samples": len(x_ssl), "probe_tol": snakemake.params.linear_probe["tol"],
    "info_nce": settings["info_nce"] if wc.loss == "info_nce" else None,
    "probe_accuracy": accuracies, "layer_features": [h.shape[1] for h in train_layers],
    "fit_loss": [{"step": r["step"], "loss": r["fit_loss"]} for r in history],
})
# Figure 8a embeds the training samples' outputs (as the reference); the test outputs are kept too.
with atomic_path(snakemake.output.representation, suffix=".npz") as tmp:
    np.savez_compressed(tmp, output=train_layers[-1], label=data["y"],
                        output_test=test_layers[-1], label_test=data["y_test"])
