"""What produced this run's numbers: commit, resolved config, versions, hardware, cost."""
import html

import yaml

from mnist1d_repro.io import atomic_path, save_csv, save_json
from mnist1d_repro.jobs import start_job
from mnist1d_repro.reporting import html_table, page
from mnist1d_repro.review import cost_per_section, git_state, hardware, package_versions, runtime_records
from mnist1d_repro.schedule import invocation_cores, run_scale_out

log = start_job(snakemake)
params = snakemake.params
facts = {"git": git_state(params.basedir), "packages": package_versions(), "hardware": hardware()}
cost = cost_per_section(params.benchmarks, dict(params.sections))
save_csv(snakemake.output.cost, cost)
runtimes = runtime_records(params.results)
scale = run_scale_out(params.metadata, snakemake.input, params.rule_priority, params.scale_out["cores"],
                      params.scale_out["slurm_submission_seconds"], params.logs, params.benchmarks)
save_csv(snakemake.output.scale_out, scale["predicted"])
save_csv(snakemake.output.critical_path, scale["critical_path"])
save_json(snakemake.output.json, {**facts, "runtimes": runtimes.to_dict(orient="records"), "config": params.config})


def key_values(mapping):
    return "<table>" + "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                               for k, v in mapping.items()) + "</table>"


totals = cost[["jobs", "job_minutes", "cpu_minutes"]].sum()
predicted = scale["predicted"]
cores = invocation_cores(params.snakemake_logs)
own_cores = predicted[predicted["cores"] == cores]
if own_cores.empty:
    replay = (f"This run used {cores or 'an unknown number of'} core(s); with that count in "
              f"<code>scale_out.cores</code> the table would set the prediction beside its measured wall time, "
              f"{scale['measured_wall'] / 60:.1f} minutes.")
else:
    replay = (f"This run used {cores} core(s): predicted {own_cores['local_wall_seconds'].iloc[0] / 60:.1f} "
              f"minutes, measured {scale['measured_wall'] / 60:.1f} (first job start to last job end; the difference "
              f"is the scheduler's own time between jobs and whatever else ran on the machine, or, when these "
              f"results come from more than one invocation, the time between them).")
minutes = predicted.assign(**{column: predicted[column] / 60 for column in predicted if column.endswith("seconds")})
minutes.columns = [column.replace("_seconds", "_minutes") for column in minutes.columns]
path = scale["critical_path"]
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
    f"<h3>Scale-out: the critical path and the wall time on more cores</h3><p class='note'>Rebuilt from "
    f"Snakemake's records of this run's {len(scale['jobs'])} jobs (.snakemake/metadata: each job's inputs, "
    f"outputs, start and end), each job taking the time it took here. The critical path, the chain of dependent "
    f"jobs no number of cores can shorten, takes {path['seconds'].sum() / 60:.1f} minutes. The predicted wall time "
    f"comes from a list schedule: whenever a core is free it starts the ready job of the highest rule priority, "
    f"ties going to the job this run started first. On Slurm every job also costs "
    f"{params.scale_out['slurm_submission_seconds']:g} s from submission to Snakemake seeing it finished "
    f"(<code>scale_out.slurm_submission_seconds</code>: measured on the project's test cluster; queue waits on a "
    f"busy cluster come on top). Lower bounds: the critical path, and the total work spread over the cores. "
    f"{replay}</p>{html_table(minutes.round(2))}"
    f"<p class='note'>The critical path, first job first:</p>{html_table(path.round(1))}"
    f"<h3>Package versions</h3>{key_values(facts['packages'])}"
    f"<h3>Resolved configuration</h3><pre>{html.escape(yaml.safe_dump(params.config, sort_keys=False))}</pre>"
)
with atomic_path(snakemake.output.page, suffix=".html") as tmp:
    tmp.write_text(page("Provenance and cost of this run", body))
log(cost.to_string())
