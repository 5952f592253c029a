"""Benchmark: each paper section's job time in a finished run against its arithmetic floor.

    python tests/benchmarks/bench_pipeline.py [--run DIR] [--repeats 2]

DIR is the folder a run ran in (default: this checkout); its `results/benchmarks/` gives every
job's time, its `.snakemake/metadata/` which script each job ran, and its
`results/review/provenance.json` the resolved config (else config/config.yaml). In this process
the benchmark measures:

- the matrix-product rate of one core (a 512 x 512 float32 product on one thread, best of several);
- for every kind of training job, a few real training steps of the library's own loop on
  random data of the job's shapes: their FLOPs (torch's FlopCounterMode: matrix products and
  convolutions, forward and backward) and their time. The section's floor is its training
  steps' FLOPs at the core's rate; "steps" is the same steps at the measured speed;
- the start-up of each rule script in a fresh interpreter: Snakemake's preamble imports and
  the script's own top-level imports, best of `--repeats`.

Per section it prints: jobs, job time and CPU time (from the benchmark files; Snakemake samples
a job's CPU time, so it undercounts, but unlike job time it does not grow when other work shares
the cores), floor, steps, start-up, the
rest (job time minus steps and start-up: evaluations, data loading, writing, non-training
jobs) and the ratio of job time to floor, and the start-up the jobs logged in the run itself
where their logs have it. Times in job-minutes (one thread a job).
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import yaml
from torch.utils.flop_counter import FlopCounterMode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from mnist1d_repro.metalearning.activation import (  # noqa: E402
    activation_module, baseline_runs, experiment_from_settings, metalearn_activation)
from mnist1d_repro.metalearning.engine import linear_layers, seeded_generator  # noqa: E402
from mnist1d_repro.metalearning.learning_rate import (  # noqa: E402
    learning_rate_initial_weights, metalearn_learning_rate)
from mnist1d_repro.models import build_model  # noqa: E402
from mnist1d_repro.ssl import SSL_LOSSES, SSLNetwork, augment  # noqa: E402
from mnist1d_repro.training import TrainConfig, train  # noqa: E402
from timing import best_time, timed  # noqa: E402

SNAKEMAKE_PREAMBLE_IMPORTS = "import pickle, snakemake.logging, snakemake.iocontainers"
LENGTH = 40  # MNIST-1D's signal length
MEASURED_STEPS = 20
# each kind's step time is the best of two runs of at least this long: over 20 steps a GRU step
# (about 10 ms) came out 20-30 % below what its jobs take a step
MEASURED_SECONDS = 1.0


def matmul_rate(size: int = 512, repeats: int = 5) -> float:
    """FLOP/s of one float32 matrix product of size x size matrices on the current threads."""
    a, b = torch.randn(size, size), torch.randn(size, size)
    products = 10
    seconds, _ = best_time(lambda: [a @ b for _ in range(products)], repeats)
    return products * 2 * size**3 / seconds


class Workload:
    """``run(k)`` performs k units (training steps, or outer steps) of one kind of job."""

    def __init__(self, run, units_measured=MEASURED_STEPS):
        self.run, self.units = run, units_measured

    def per_unit(self) -> tuple[float, float]:
        """(FLOPs, seconds) of one unit."""
        warm_up = timed(lambda: self.run(self.units))  # also allocations, first-call dispatch
        with FlopCounterMode(display=False) as counter:
            self.run(self.units)
        timed_units = max(self.units, math.ceil(self.units * MEASURED_SECONDS / warm_up))
        seconds, _ = best_time(lambda: self.run(timed_units), 2)
        return counter.get_total_flops() / self.units, seconds / timed_units


def random_set(n, shape=(LENGTH,), classes=10, seed=0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(n, *shape, generator=generator), torch.randint(0, classes, (n,), generator=generator)


def sgd_workload(make_model, batch_size, shape=(LENGTH,), batch_loss=None, **train_options):
    """Steps of ``training.train`` (no evaluation) on a model from ``make_model()``."""
    data = random_set(max(1000, 10 * batch_size), shape)

    def run(k):
        torch.manual_seed(0)
        cfg = TrainConfig(steps=k, batch_size=batch_size, lr=0.01, eval_every=k + 1, **train_options)
        train(make_model(), data, {}, cfg, batch_loss=batch_loss)

    return Workload(run)


def ssl_workload(head, loss, settings):
    views = torch.Generator().manual_seed(0)
    criterion = SSL_LOSSES[loss]
    options = {"temperature": settings["temperature"], "form": settings["info_nce"]} if loss == "info_nce" else {}

    def two_view_loss(model, xb, _):
        return criterion(model(augment(xb, views, **settings["augmentation"])),
                         model(augment(xb, views, **settings["augmentation"])), **options)

    return sgd_workload(lambda: SSLNetwork(head_layers=head, length=LENGTH), settings["batch_size"],
                        batch_loss=two_view_loss)


def learning_rate_workload(s):
    """One outer step of Figure 6 (an unrolled run and its meta-gradient), from ``inner`` steps."""
    x, y = random_set(4000)
    inner = 10
    init = learning_rate_initial_weights("reference", LENGTH, s["hidden"], 0)

    def run(outer):
        metalearn_learning_rate(x, y, initial_lr=0.15, init=init, inner_steps=inner,
                                batch_size=s["batch_size"], outer_steps=outer, outer_lr=s["outer_lr"])

    return Workload(run, units_measured=2), s["inner_steps"] / inner


def activation_data(s):
    x, y = random_set(8000)
    x_test, y_test = random_set(s["test_samples"], seed=1)
    return (x, y), (x_test, y_test)


def activation_settings(s, inner):
    return experiment_from_settings({**s, "inner_steps": inner, "meta_loss_last_steps": min(
        s["meta_loss_last_steps"], inner), "outer_steps": 1})


def activation_workload(s):
    """One outer step of Figure 7's metalearning, from ``inner`` inner steps."""
    train_set, test_set = activation_data(s)
    inner, grid = 10, torch.linspace(-4, 4, 801)
    exp = activation_settings(s, inner)
    return Workload(lambda k: [metalearn_activation(exp, train_set, test_set, grid, 10) for _ in range(k)],
                    units_measured=1), s["inner_steps"] / inner


def baseline_workload(s, name):
    train_set, test_set = activation_data(s)
    inner = 10
    exp = activation_settings(s, inner)
    return Workload(lambda k: [baseline_runs(exp, name, train_set, test_set) for _ in range(k)],
                    units_measured=1), s["inner_steps"] / inner


def transfer_model(activation, s):
    layers = linear_layers([1, *s["activation_hidden"], 1], seeded_generator(0))
    return lambda: build_model("mlp", length=LENGTH, activation=activation_module(
        activation, [p.detach() for p in layers], s["elu_weight"]))


def train_samples(config, dataset, with_test=False):
    """Training samples of a generated dataset of the config (all its samples ``with_test``)."""
    recipe = {**config["generator"], **config["datasets"][dataset]}
    return recipe["num_samples"] if with_test else round(recipe["num_samples"] * recipe["train_split"])


def job_workloads(config):
    """(pattern on the benchmark path under results/benchmarks, function(match) -> (workload key,
    workload factory, units a job runs)). Jobs that match none train nothing."""
    c, lot, dd, pool, ssl = (config[k] for k in ("classification", "lottery", "double_descent", "pooling", "ssl"))
    act, lr = config["metalearning"]["activation"], config["metalearning"]["learning_rate"]
    table1 = 2 * c["steps"]  # each Table 1 job trains twice: whole training set, then for early stopping
    dd_steps = dd["epochs"] * math.ceil(train_samples(config, dd["dataset"]) / dd["batch_size"])
    ssl_samples = train_samples(config, ssl["dataset"], with_test=ssl["train_data"] == "train_and_test")
    ssl_steps = ssl["epochs"] * math.ceil(ssl_samples / ssl["batch_size"])

    def classifier(m):
        model, mnist = m["model"], m["variant"] == "mnist"
        shape = (28, 28) if mnist else (LENGTH,)
        return ((model, shape), lambda: sgd_workload(lambda: build_model(
            model, length=shape[0], in_channels=shape[1] if mnist else 1), c["batch_size"], shape), table1)

    def sweep(m):
        entry = next(e for e in c["mlp_sweep"]["settings"] if e["name"] == m["setting"])
        options = {k: entry[k] for k in ("hidden", "residual") if k in entry}
        batch, steps = entry.get("batch_size", c["batch_size"]), entry.get("steps", c["steps"])
        return (("sweep", batch, tuple(sorted(options.items()))),
                lambda: sgd_workload(lambda: build_model("mlp", **options), batch), 2 * steps)

    def chain(m):
        schedule = lot["schedules"][m["schedule"]]
        return (("lottery", lot["chain"]["batch_size"]), lambda: sgd_workload(
            lambda: build_model("mlp", hidden=lot["hidden"]), lot["chain"]["batch_size"]),
            schedule["levels"] * lot["chain"]["steps"])

    def long_run(m):
        batch = lot["asymptotic"]["batch_size"]
        return (("lottery", batch), lambda: sgd_workload(lambda: build_model("mlp", hidden=lot["hidden"]), batch),
                lot["asymptotic"]["steps"])

    def double_descent(m):
        series, width = dd["series"][m["series"]], int(m["width"])
        depth = int(m["depth"]) if m["depth"] else dd["mlp_hidden_layers"]
        if series["model"] == "mlp":
            make = lambda: build_model("mlp", hidden=width, residual=False, hidden_layers=depth)  # noqa: E731
        else:
            make = lambda: build_model("cnn", channels=width)  # noqa: E731
        return ((series["model"], width, depth), lambda: sgd_workload(
            make, dd["batch_size"], optimizer="sgd", momentum=dd["momentum"]), dd_steps)

    def pooling(m):
        return (("pooling", m["pooling"]), lambda: sgd_workload(
            lambda: build_model("pooling_cnn", pooling=m["pooling"]), pool["batch_size"]), pool["steps"])

    def ssl_run(m):
        return (("ssl", m["loss"], int(m["head"])), lambda: ssl_workload(int(m["head"]), m["loss"], ssl), ssl_steps)

    def learning_rate(m):
        runs = 1 + len(lr["init_seeds"])  # the reference's weights, then the draws
        return (("learning_rate",), lambda: learning_rate_workload(lr), runs * lr["outer_steps"])

    def activation(m):
        return (("activation",), lambda: activation_workload(act), act["outer_steps"])

    def baseline(m):
        runs = 1 if act["seeding"] == "reference" and "seeding_fresh" not in m.string else act["outer_steps"]
        return (("baseline", m["name"]), lambda: baseline_workload(act, m["name"]), runs)

    def transfer(m):
        return (("transfer", m["activation"]), lambda: sgd_workload(transfer_model(m["activation"], act),
                                                                    c["batch_size"]), c["steps"])

    switch = r"(?:[a-z_0-9.]+/)?"  # the folder of a deviation switch's other setting
    return [
        (r"classification/mlp_sweep/(?P<setting>[^/]+)/seed\d+", sweep),
        (r"classification/(?P<variant>[^/]+)/(?P<model>logistic|mlp|cnn|gru)/seed\d+", classifier),
        (rf"lottery/{switch}chains/(?P<schedule>[^/]+)/[^/]+/seed\d+", chain),
        (rf"lottery/{switch}asymptotic/.+", long_run),
        (r"double_descent/(?:mlp_hidden_layers_(?P<depth>\d+)/)?(?P<series>[^/]+)/width(?P<width>\d+)/seed\d+",
         double_descent),
        (r"pooling/(?:train_sets_[a-z_]+/)?(?P<pooling>[a-z0-9]+)/n\d+/seed\d+", pooling),
        (rf"ssl/{switch}(?P<loss>info_nce|vicreg)/head(?P<head>\d+)/seed\d+", ssl_run),
        (r"metalearning/learning_rate/lr[0-9.]+", learning_rate),
        (rf"metalearning/activation/{switch}learned", activation),
        (rf"metalearning/activation/{switch}baselines/(?P<name>[a-z]+)", baseline),
        (r"metalearning/transfer/(?P<activation>[a-z]+)/seed\d+", transfer),
    ]


def read_jobs(run: Path) -> pd.DataFrame:
    rows = []
    for path in sorted((run / "results" / "benchmarks").rglob("*.tsv")):
        record = pd.read_csv(path, sep="\t").iloc[0]
        cpu = pd.to_numeric(record.get("cpu_time"), errors="coerce")
        rows.append({"job": path.relative_to(run / "results" / "benchmarks").with_suffix("").as_posix(),
                     "seconds": float(record["s"]), "cpu_seconds": float(cpu)})
    if not rows:
        sys.exit(f"no benchmark files under {run}/results/benchmarks: run the pipeline there first")
    jobs = pd.DataFrame(rows)
    jobs["section"] = jobs["job"].str.split("/").str[0]
    return jobs


def dry_run_jobs() -> pd.DataFrame:
    """Every job of this checkout's paper-scale DAG, named by its benchmark path, from a dry run."""
    dry_run = subprocess.run(["snakemake", "-n", "--forceall"], cwd=ROOT, capture_output=True, text=True, check=True)
    names = sorted(set(re.findall(r"benchmark: results/benchmarks/(\S+)\.tsv", dry_run.stdout)))
    jobs = pd.DataFrame({"job": names, "seconds": 0.0, "cpu_seconds": 0.0})
    jobs["section"] = jobs["job"].str.split("/").str[0]
    return jobs


def script_of_jobs(run: Path) -> dict[str, str]:
    """Benchmark path (as in read_jobs) -> the rule script the job ran, from Snakemake's metadata
    (a job's log and benchmark files share their path under results/logs and results/benchmarks)."""
    scripts = {}
    for record_file in (run / ".snakemake" / "metadata").rglob("*"):
        if not record_file.is_file():
            continue
        record = json.loads(record_file.read_text())
        script = re.search(r"scripts/([\w.]+\.py)", record.get("code") or "")
        for log in record.get("log") or []:
            if script and log.startswith("results/logs/"):
                scripts[log.removeprefix("results/logs/").removesuffix(".log")] = script.group(1)
    return scripts


def startup_seconds(script: str, repeats: int) -> float:
    """A fresh interpreter's time to Snakemake's preamble and the script's top-level imports."""
    tree = ast.parse((ROOT / "scripts" / script).read_text())
    imports = "\n".join(ast.unparse(node) for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))
                         and getattr(node, "module", None) != "__future__")
    code = f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r})\n{SNAKEMAKE_PREAMBLE_IMPORTS}\n{imports}"
    return best_time(lambda: subprocess.run([sys.executable, "-c", code], check=True), repeats)[0]


def logged_startup(log: Path) -> float:
    """The start-up a job logged (jobs.start_job, since this benchmark was written), or NaN."""
    found = re.search(r"\] start-up ([0-9.]+) s", log.read_text()) if log.exists() else None
    return float(found.group(1)) if found else float("nan")


def load_config(run: Path) -> dict:
    provenance = run / "results" / "review" / "provenance.json"
    if provenance.exists():
        return json.loads(provenance.read_text())["config"]
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", type=Path, default=ROOT, help="the folder a finished run ran in")
    parser.add_argument("--repeats", type=int, default=2, help="fresh interpreters per script for start-up")
    parser.add_argument("--measurements", type=Path,
                        help="a JSON cache of this process's measurements: what it holds is reused, the rest is "
                             "measured and added (so that they can be taken once on a quiet machine)")
    parser.add_argument("--measure-only", action="store_true",
                        help="measure every job kind of this checkout's paper-scale DAG (from a dry run) and every "
                             "rule script's start-up into --measurements, and print no table")
    opts = parser.parse_args()
    torch.set_num_threads(1)
    if opts.measure_only and not opts.measurements:
        parser.error("--measure-only needs --measurements FILE")
    config = load_config(ROOT if opts.measure_only else opts.run)
    jobs = dry_run_jobs() if opts.measure_only else read_jobs(opts.run)
    cache = json.loads(opts.measurements.read_text()) if opts.measurements and opts.measurements.exists() else {}
    cache.setdefault("units", {}), cache.setdefault("startups", {})
    rate = cache["rate"] if "rate" in cache else cache.setdefault("rate", matmul_rate())
    print(f"matrix-product rate of one core: {rate / 1e9:.1f} GFLOP/s (512 x 512 float32, one thread)")

    patterns = [(re.compile(pattern), factory) for pattern, factory in job_workloads(config)]
    flops, step_seconds = [], []
    for job in jobs["job"]:
        found = next(((m, factory) for pattern, factory in patterns if (m := pattern.fullmatch(job))), None)
        if found is None:
            flops.append(0.0), step_seconds.append(0.0)
            continue
        match, factory = found
        key, make, units = factory(match)
        if repr(key) not in cache["units"]:
            made = make()
            workload, scale = made if isinstance(made, tuple) else (made, 1.0)
            unit_flops, unit_seconds = workload.per_unit()
            cache["units"][repr(key)] = [unit_flops * scale, unit_seconds * scale]
        unit_flops, unit_seconds = cache["units"][repr(key)]
        flops.append(unit_flops * units), step_seconds.append(unit_seconds * units)
    jobs["floor"] = np.array(flops) / rate
    jobs["steps"] = step_seconds

    if opts.measure_only:
        for script in sorted(path.name for path in (ROOT / "scripts").glob("*.py")):
            if script not in cache["startups"]:
                cache["startups"][script] = startup_seconds(script, opts.repeats)
        opts.measurements.write_text(json.dumps(cache, indent=1))
        print(f"measured {len(cache['units'])} job kinds and {len(cache['startups'])} scripts into {opts.measurements}")
        return
    scripts = script_of_jobs(opts.run)
    jobs["script"] = jobs["job"].map(scripts).fillna("")
    for script in sorted(set(jobs["script"]) - {""} - set(cache["startups"])):
        cache["startups"][script] = startup_seconds(script, opts.repeats)
    startups = {script: cache["startups"][script] for script in set(jobs["script"]) - {""}}
    jobs["startup"] = jobs["script"].map(startups).fillna(np.mean(list(startups.values())) if startups else 0.0)
    if opts.measurements:
        opts.measurements.write_text(json.dumps(cache, indent=1))
    jobs["startup_logged"] = [logged_startup(opts.run / "results" / "logs" / f"{job}.log") for job in jobs["job"]]
    print("start-up per job (fresh interpreter, preamble and top-level imports), seconds:")
    for script, seconds in sorted(startups.items(), key=lambda item: -item[1]):
        print(f"  {seconds:5.2f}  {script} ({int((jobs['script'] == script).sum())} jobs)")

    table = jobs.groupby("section", sort=False).agg(
        jobs=("job", "size"), job_min=("seconds", "sum"), cpu_min=("cpu_seconds", "sum"), floor_min=("floor", "sum"), steps_min=("steps", "sum"),
        startup_min=("startup", "sum"), startup_logged_min=("startup_logged", lambda v: v.sum(min_count=1)))
    table.loc["all"] = table.sum(min_count=1)
    table[["job_min", "cpu_min", "floor_min", "steps_min", "startup_min", "startup_logged_min"]] /= 60
    table["rest_min"] = table["job_min"] - table["steps_min"] - table["startup_min"]
    table["time/floor"] = (table["job_min"] / table["floor_min"]).where(table["floor_min"] > 0)
    table["jobs"] = table["jobs"].astype(int)
    pd.set_option("display.width", 160)
    print(table.round(2).to_string())
    print(f"mean start-up per job: {jobs['startup'].mean():.2f} s; start-up in all: {jobs['startup'].sum() / 60:.1f} job-minutes "
          f"of {jobs['seconds'].sum() / 60:.1f}")


if __name__ == "__main__":
    main()
