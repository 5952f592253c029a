"""Figure 7, one baseline: a fixed activation trained through the metalearning job's inner loop
under the same setting (variant). Reference seeding: one run, seeded as the reference seeds its
baselines; fresh seeding: one run per outer step, with that step's initial weights and noise."""
import numpy as np
import pandas as pd
import torch  # noqa: F401  (imported before start_job so that its thread count is set)

from mnist1d_repro.io import load_dataset, save_arrays, save_csv
from mnist1d_repro.jobs import start_job, with_runtime_columns
from mnist1d_repro.metalearning.activation import (activation_data, baseline_runs, experiment_from_settings,
                                                   fresh_test_set)

log = start_job(snakemake)
s = snakemake.params.settings
train, test = activation_data(load_dataset(snakemake.input.dataset), s["test_samples"])
fresh_test = fresh_test_set(load_dataset(snakemake.input.fresh_test), snakemake.params.fresh_test_steps)
history, correct, fresh = baseline_runs(experiment_from_settings(s), snakemake.wildcards.baseline, train, test,
                                        progress=log, fresh_test=fresh_test)
save_csv(snakemake.output.history,
         with_runtime_columns(pd.DataFrame(history).assign(activation=snakemake.wildcards.baseline), "cpu"))
save_arrays(snakemake.output.correct, {"outer_step": np.arange(len(correct)), "correct": correct, **fresh})
log("done")
