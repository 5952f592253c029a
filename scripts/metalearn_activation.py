"""Figure 7: metalearn an activation function, f = ELU + w * g with g a small tanh network, by
clipped gradient descent through unrolled inner training runs, under one setting of the
seeding, noise_draw and test_noise switches (the rule's variant)."""
import numpy as np
import pandas as pd

from mnist1d_repro.io import load_dataset, save_arrays, save_csv
from mnist1d_repro.jobs import start_job, with_runtime_columns
from mnist1d_repro.metalearning.activation import (activation_data, curve_grid, experiment_from_settings,
                                                   fresh_test_set, metalearn_activation)
from mnist1d_repro.metalearning.engine import spread_activation_blocks

log = start_job(snakemake)
spread_activation_blocks(snakemake.threads)  # the same bytes on any number (--set-threads)
s = snakemake.params.settings
train, test = activation_data(load_dataset(snakemake.input.dataset), s["test_samples"])
fresh_test = fresh_test_set(load_dataset(snakemake.input.fresh_test), snakemake.params.fresh_test_steps)
experiment = experiment_from_settings(s)
grid = curve_grid(s)
log(f"activation network 1 -> {' -> '.join(map(str, s['activation_hidden']))} -> 1; {s['outer_steps']} outer "
    f"steps of {s['inner_steps']} inner steps; {len(train[1])} training, {len(test[1])} test samples, "
    f"{len(fresh_test.data[1])} fresh test samples over the last {fresh_test.last_runs} outer steps; seeding "
    f"{experiment.seeding}, noise {experiment.noise_draw}, test noise {experiment.test_noise}")
history, shapes, network, correct, fresh = metalearn_activation(experiment, train, test, grid, s["snapshot_every"],
                                                                progress=log, fresh_test=fresh_test)
save_csv(snakemake.output.history, with_runtime_columns(pd.DataFrame(history), "cpu"))
save_arrays(snakemake.output.correct, {"outer_step": np.arange(len(correct)), "correct": correct, **fresh})
steps = sorted(shapes)
save_arrays(snakemake.output.shapes, {"grid": grid.numpy(), "outer_steps": np.array(steps),
                                      "values": np.stack([shapes[k] for k in steps])})
save_arrays(snakemake.output.network, {f"layer{i // 2}_{'weight' if i % 2 == 0 else 'bias'}": p.numpy()
                                       for i, p in enumerate(network)})
log("done")
