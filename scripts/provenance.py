"""What produced this run's numbers: commit, resolved config, versions, hardware, cost."""
import html

import yaml

from mnist1d_repro.io import atomic_path, save_csv, save_json
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import html_table, page
from mnist1d_repro.review import cost_per_section, git_state, hardware, package_versions, runtime_records

log = start_job(snakemake)
params = snakemake.params
facts = {"git": git_state(params.basedir), "packages": package_versions(), "hardware": hardware()}
cost = cost_per_section(params.benchmarks, dict(params.sections))
save_csv(snakemake.output.cost, cost)
runtimes = runtime_records(params.results)
save_json(snakemake.output.json, {**facts, "runtimes": runtimes.to_dict(orient="records"), "config": params.config})


def key_values(mapping):
    return "<table>" + "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                               for k, v in mapping.items()) + "</table>"


totals = cost[["jobs", "job_minutes", "cpu_minutes"]].sum()
body = (
    f"<h3>Code</h3>{key_values(facts['git'])}"
    f"<h3>Hardware</h3>{key_values(facts['hardware'])}"
    f"<h3>Where the training jobs ran</h3><p class='note'>Each training job records in its result file the "
    f"device it really ran on, the torch, CUDA and cuDNN versions and its thread count; one row per distinct "
    f"record, with the number of result files holding it (a table that gathers several jobs counts once).</p>"
    f"{html_table(runtimes)}"
    f"<h3>Cost per paper section</h3><p class='note'>From the benchmark file of every job "
    f"(results/benchmarks/): {int(totals['jobs'])} jobs, {totals['job_minutes']:.1f} minutes of job time, "
    f"{totals['cpu_minutes']:.1f} CPU minutes. Job time is per job, so on several cores the wall time is "
    f"shorter. CPU minutes undercount: Snakemake samples a job's CPU time and memory every 0.5 s for its "
    f"first 15 s, then every 30 s, and what a job uses after its last sample is not counted; job time is "
    f"exact, and most jobs run on one thread. Peak memory is the largest resident set of one job.</p>"
    f"{html_table(cost.round(2))}"
    f"<h3>Package versions</h3>{key_values(facts['packages'])}"
    f"<h3>Resolved configuration</h3><pre>{html.escape(yaml.safe_dump(params.config, sort_keys=False))}</pre>"
)
with atomic_path(snakemake.output.page, suffix=".html") as tmp:
    tmp.write_text(page("Provenance and cost of this run", body))
log(cost.to_string())
