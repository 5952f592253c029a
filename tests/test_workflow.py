"""End to end: the quick pipeline in a temporary copy, its report, rerun and lint."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import yaml

from conftest import QUICK, ROOT, config_of, differing_results, run_snakemake, skip_or_fail
from mnist1d_repro.generator import GeneratorArgs, make_dataset
from mnist1d_repro.io import load_dataset


def test_every_rule_output_log_and_benchmark_exist(quick_run):
    results = quick_run / "results"
    for name in ["figure1_construction.png", "examples_per_class.png", "variants.png",
                 "figure3_tsne.png", "datasets.csv", "datasets.html", "pixel_baselines.csv",
                 "pixel_baselines.html", "tsne_embedding.csv", "tsne_embedding_mnist.csv"]:
        assert (results / "dataset" / name).stat().st_size > 0, name
    logs = {p.relative_to(results / "logs").with_suffix("") for p in (results / "logs").rglob("*.log")}
    benchmarks = {p.relative_to(results / "benchmarks").with_suffix("")
                  for p in (results / "benchmarks").rglob("*.tsv")}
    assert logs == benchmarks  # every job wrote both
    assert len(logs) == 287  # the jobs of the quick config, MNIST (the bundled subset) included
    for name in ["table1.csv", "table1.html", "claims.csv", "figure2.png", "figureS1.png", "sensitivity.csv",
                 "mlp_sweep.csv", "mlp_sweep.html", "cost_mnist_vs_mnist1d.csv", "cost_mnist_vs_mnist1d.html"]:
        assert (results / "classification" / name).stat().st_size > 0, name
    for name in ["runs.csv", "summary.csv", "summary.html", "claims.csv", "figure5.png",
                 "noise_ablation.png", "loss_ablation.png"]:
        assert (results / "double_descent" / name).stat().st_size > 0, name
    for name in ["runs.csv", "claims.csv", "final_accuracy.html", "figure9.png"]:
        assert (results / "pooling" / name).stat().st_size > 0, name
    for name in ["probe_accuracy.csv", "probe_accuracy.html", "claims.csv", "figure8.png"]:
        assert (results / "ssl" / name).stat().st_size > 0, name
    for name in ["verdicts.png", "claims.csv", "claims.html", "deviations.csv", "deviations.html", "provenance.json", "cost.csv",
                 "scale_out.csv", "critical_path.csv",
                 "provenance.html", "sensitivity.csv", "sensitivity_runs.csv", "sensitivity.html"]:
        assert (results / "review" / name).stat().st_size > 0, name
    for name in ["chains.csv", "asymptotic.csv", "adjacency.csv", "claims.csv", "summary.html", "figure4.png",
                 "figureS2.png", "asymptotic.html", "pruning_rate.png", "asymptotic_ablation.png"]:
        assert (results / "lottery" / name).stat().st_size > 0, name
    for name in ["learning_rate_claims.csv", "learning_rates.csv", "learning_rates.html", "figure6.png",
                 "activation_claims.csv", "activation_accuracy.csv", "activation_accuracy.html", "figure7.png",
                 "transfer.html"]:
        assert (results / "metalearning" / name).stat().st_size > 0, name


def test_lottery_runs_share_dense_networks_and_use_the_configured_ticket(quick_run):
    import pandas as pd

    config = config_of(quick_run)["lottery"]
    runs = pd.read_csv(quick_run / "results" / "lottery" / "asymptotic.csv")
    variants, seeds = config["asymptotic"]["variants"], config["seeds"]
    assert len(runs) == len(variants) * 3 * 2 * len(seeds)
    # seeds 42 and 43: the new initialisation of trial 42 is trial 43's original one, so one dense run
    dense_files = list((quick_run / "results" / "lottery" / "asymptotic" / "original" / "dense").glob("*.json"))
    assert sorted(p.stem for p in dense_files) == ["init42", "init43", "init44"]
    chains = pd.read_csv(quick_run / "results" / "lottery" / "chains.csv")
    ticket = chains[(chains["schedule"] == "paper") & (chains["level"] == config["ticket_level"])]
    masked = runs[runs["network"] != "dense"]
    assert np.allclose(sorted(masked["kept_fraction"].unique()), sorted(ticket["kept_fraction"].unique()))


def test_learning_rate_verdicts_use_the_reference_weights_and_the_draws_are_the_ablation(quick_run):
    import pandas as pd

    config = config_of(quick_run)["metalearning"]["learning_rate"]
    assert config["initial_weights"] == "reference"
    folder = quick_run / "results" / "metalearning"
    reference, draws = {}, {}
    for lr in config["initial_lrs"]:
        run = pd.read_csv(folder / "learning_rate" / f"lr{lr:g}.csv")
        final = run[run["outer_step"] == config["outer_steps"]]
        reference[lr] = float(final.loc[final["initial_weights"] == "reference", "lr"].item())
        drawn = final[final["initial_weights"] == "draws"].set_index("init_seed")["lr"]
        assert sorted(drawn.index) == sorted(config["init_seeds"])
        draws[lr] = drawn
    low, high = min(config["initial_lrs"]), max(config["initial_lrs"])
    claims = pd.read_csv(folder / "learning_rate_claims.csv").set_index("claim_id")
    assert claims.loc["lr_from_low", "ours"] == pytest.approx(reference[low], abs=1e-4)
    assert claims.loc["lr_runs_agree", "ours"] == pytest.approx(abs(reference[high] - reference[low]), abs=1e-4)
    sensitivity = pd.read_csv(folder / "learning_rate_sensitivity.csv")
    alternative = sensitivity[sensitivity["setting"] == "draws"].set_index("claim_id")
    assert not alternative["default"].any()
    assert alternative.loc["lr_from_low", "ours"] == pytest.approx(draws[low].mean(), abs=1e-4)
    assert alternative.loc["lr_from_high", "spread"] == pytest.approx(draws[high].std(), abs=1e-4)
    assert alternative.loc["lr_runs_agree", "ours"] == pytest.approx((draws[high] - draws[low]).abs().max(), abs=1e-4)


def test_every_sensitivity_switch_ran_its_other_settings(quick_run):
    import pandas as pd

    from mnist1d_repro.sections.spec import setting_name

    config = config_of(quick_run)
    runs = pd.read_csv(quick_run / "results" / "review" / "sensitivity_runs.csv", dtype={"setting": str})
    for switch, others in config["sensitivity"].items():
        ran = runs[runs["switch"] == switch]
        assert set(ran["setting"]) >= {str(setting_name(setting)) for setting in others}, switch
        assert ran["default"].any(), switch
    deviations = yaml.safe_load((quick_run / "config" / "deviations.yaml").read_text())
    matrix = pd.read_csv(quick_run / "results" / "review" / "sensitivity.csv")
    moved = {(name, entry["switch"] or "none") for entry in deviations for name in entry["moves"]}
    assert moved <= set(zip(matrix["claim_id"], matrix["switch"]))


def test_another_label_noise_draw_trains_on_its_own_noisy_labels(quick_run):
    """variants.label_noise_15.draw: all_at_once (the quick config's alternative) makes its own variant
    file, whose labels are RandomState(0)'s draw on the same dataset, and the series it reruns train on it."""
    from mnist1d_repro.variants import label_noise

    config = config_of(quick_run)
    assert config["sensitivity"]["variants.label_noise_15.draw"] == ["all_at_once"]
    data = quick_run / "results" / "data" / config["double_descent"]["dataset"]
    reference, other = load_dataset(data / "label_noise_15.npz"), load_dataset(data / "label_noise_15_draw_all_at_once.npz")
    original = load_dataset(data / "original.npz")
    expected = label_noise(original, config["variants"]["label_noise_15"]["rate"], "all_at_once")
    assert np.array_equal(other["y"], expected["y"]) and not np.array_equal(other["y"], reference["y"])
    assert np.array_equal(other["x"], reference["x"])
    folder = quick_run / "results" / "double_descent"
    rerun = sorted((folder / "draw_all_at_once" / "mlp_noise_15").glob("width*/seed*/metrics.json"))
    assert rerun
    errors = [(json.loads(path.read_text())["train_error"],
               json.loads((folder / path.relative_to(folder / "draw_all_at_once")).read_text())["train_error"])
              for path in rerun]
    assert any(other != configured for other, configured in errors)  # other labels, other training errors


def test_double_descent_curves_are_means_over_the_seeds(quick_run):
    import pandas as pd

    from mnist1d_repro.sections.double_descent import series_seeds

    settings = config_of(quick_run)["double_descent"]
    seeds = series_seeds(settings)
    assert len(seeds[settings["figure5"][1]]) > 1  # the series the claims read run several seeds
    folder = quick_run / "results" / "double_descent"
    runs = pd.read_csv(folder / "runs.csv")
    for (series, _), run in runs.groupby(["series", "width"]):
        assert sorted(run["seed"]) == sorted(seeds[series])
    means = runs.groupby(["series", "width"])["test_error"].mean()
    summary = pd.read_csv(folder / "summary.csv").set_index("series")
    assert all(summary.loc[series, "seeds"] == len(seeds[series]) for series in summary.index)
    per_seed = pd.read_csv(folder / "per_seed.csv")  # the rows the claims are judged over
    assert sorted(zip(per_seed["series"], per_seed["seed"])) == sorted(
        (series, seed) for series in summary.index for seed in seeds[series])
    for series, row in summary.iterrows():
        curve = means[series].sort_index()
        assert row["widest_test_error"] == pytest.approx(curve.iloc[-1], abs=1e-3)
        assert row["min_test_error"] == pytest.approx(curve.min(), abs=1e-3)


def test_pipeline_dataset_equals_library_output(quick_run):
    config = config_of(quick_run)
    expected = make_dataset(GeneratorArgs.from_dict(config["generator"]))
    stored = load_dataset(quick_run / "results" / "data" / "mnist1d" / "original.npz")
    for key in ("x", "y", "x_test", "y_test", "t"):
        np.testing.assert_array_equal(stored[key], expected[key])
    assert stored["spec"]["generator"]["num_samples"] == config["generator"]["num_samples"]


def report_variable(report: str, name: str):
    """One of the JSON objects the report's page script is built from (``results``, ``categories``)."""
    start = report.index(f"var {name} = {{") + len(f"var {name} = ")
    return json.JSONDecoder().raw_decode(report[start:])[0]


def partial_label_grids(results: dict, categories: dict) -> list[str]:
    """The report's subcategories whose items' labels do not fill their grid. Snakemake's report
    offers every value of every label key as a toggle; where the items are fewer than the
    combinations, some combination shows a blank page (a console TypeError reading 'mime_type')."""
    partial = []
    for category, subcategories in categories.items():
        for subcategory, items in subcategories.items():
            labels = [results[item].get("labels") or {} for item in items]
            keys = set().union(*labels)
            combinations = int(np.prod([len({str(label.get(key)) for label in labels}) for key in keys]))
            if len(items) > 1 and combinations != len(items):
                partial.append(f"{category} / {subcategory}")
    return partial


def test_the_label_check_finds_the_blank_table1_page():
    # Table 1's two items before the fix: 2 tables x 2 contents, of which 2 exist
    results = {"t": {"labels": {"table": "Table 1", "content": "test accuracy"}},
               "s": {"labels": {"table": "MLP sweep", "content": "settings"}},
               "a": {"labels": {"result": "Figure 5"}}, "b": {"labels": {"result": "ablation"}}}
    assert partial_label_grids(results, {"4": {"Table 1": ["t", "s"]}}) == ["4 / Table 1"]
    assert partial_label_grids(results, {"5": {"Ablations": ["a", "b"]}, "4": {"Table 1": ["t"]}}) == []


def test_every_report_page_has_an_item_for_each_label_combination(quick_run):
    report = (quick_run / "results" / "report.html").read_text()
    assert partial_label_grids(report_variable(report, "results"), report_variable(report, "categories")) == []


def test_report_has_section_captions_and_measured_numbers(quick_run):
    html = (quick_run / "results" / "report.html").read_text()
    assert "3. MNIST-1D dataset" in html
    assert "Scaling Down Deep Learning" in html  # workflow description
    for fragment in ["Figure 1", "t-SNE of MNIST (a) and MNIST-1D (b)", "Cost: MNIST vs MNIST-1D",
                     "pixel knn accuracy", "silhouette", "5.1 Lottery tickets",
                     "Figure S2", "1. Review", "Did the paper reproduce?", "Deviations", "Provenance and cost"]:
        assert fragment in html, fragment
    import pandas as pd

    from mnist1d_repro.reporting import verdict_sentence

    # the caption states each claim's own verdict (a check for "reproduced" would also match
    # "not reproduced"): its line is the sentence built from that claim's row of the CSV
    snippet = (quick_run / "results" / "dataset" / "pixel_baselines.rst").read_text().splitlines()
    table = pd.read_csv(quick_run / "results" / "dataset" / "pixel_baselines.csv", keep_default_na=False,
                        na_values=[""])
    assert len(snippet) == len(table) == 3  # kNN and logistic on MNIST-1D, kNN on MNIST against it
    for line, (_, row) in zip(snippet, table.iterrows()):
        assert line.endswith(verdict_sentence(row)), (line, row["verdict"])
        assert f"**{row['verdict']}**" in line


def test_every_training_result_records_where_it_ran(quick_run):
    import json

    import pandas as pd

    results = quick_run / "results"
    json_results = {p for pattern in ("classification/**/metrics.json", "double_descent/**/metrics.json",
                                      "pooling/**/metrics.json", "ssl/**/metrics.json",
                                      "lottery/**/asymptotic/*/*/*.json", "metalearning/transfer/**/*.json")
                    for p in results.glob(pattern)}
    csv_results = {p for pattern in ("lottery/**/chains/*/*/seed*/levels.csv", "metalearning/learning_rate/lr*.csv",
                                     "metalearning/activation/**/history.csv", "metalearning/activation/**/baselines/*.csv")
                   for p in results.glob(pattern)}
    assert len(json_results) > 100 and len(csv_results) > 10
    for path in json_results:
        runtime = json.loads(path.read_text())["runtime"]
        assert runtime["device"] == "cpu" and runtime["threads"] == 1 and runtime["torch"], path
    for path in csv_results:
        row = pd.read_csv(path, nrows=1).iloc[0]
        assert row["runtime_device"] == "cpu" and row["runtime_threads"] == 1, path
    provenance = json.loads((results / "review" / "provenance.json").read_text())
    assert {record["device"] for record in provenance["runtimes"]} == {"cpu"}
    assert sum(record["files"] for record in provenance["runtimes"]) >= len(json_results) + len(csv_results)


def test_rerun_with_nothing_changed_does_no_work(quick_run):
    proc = run_snakemake(quick_run, "-n", *QUICK)
    assert "Nothing to be done" in proc.stdout + proc.stderr


def own_copy(quick_run, tmp_path):
    """A copy of the finished quick run (file times kept) for a test that reruns jobs in it, so
    that no other test sees the reran files' newer times."""
    workdir = tmp_path / "copy"
    shutil.copytree(quick_run, workdir, symlinks=True)
    return workdir


def test_forced_rerun_gives_identical_data(quick_run, tmp_path):
    workdir = own_copy(quick_run, tmp_path)
    path = workdir / "results" / "data" / "mnist1d" / "label_noise_15.npz"
    before = load_dataset(path)
    run_snakemake(workdir, "--cores", "1", *QUICK, "--forcerun", "generate_dataset",
                  "--until", str(path.relative_to(workdir)))
    after = load_dataset(path)
    for key in ("x", "y", "y_clean", "label_resampled", "x_test", "y_test"):
        np.testing.assert_array_equal(before[key], after[key])


def test_lint_is_clean(workflow_copy):
    proc = run_snakemake(workflow_copy, "--lint", check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_local_mnist_copy_is_used_before_the_bundled_subset(workflow_copy):
    from conftest import tiny_mnist

    tiny_mnist(workflow_copy / "local_mnist", n_train=20, n_test=10)
    (workflow_copy / "local_mnist.yaml").write_text("classification: {mnist: local_mnist}\n")
    target = "results/data/external/mnist.npz"
    with_copy = run_snakemake(workflow_copy, "-n", "-f", target, "--configfile", "config/quick.yaml", "local_mnist.yaml")
    default = run_snakemake(workflow_copy, "-n", "-f", target, "--configfile", "config/quick.yaml")
    assert "input: local_mnist" in with_copy.stdout and "local_mnist" not in default.stdout


def test_with_device_cuda_every_training_job_asks_for_one_gpu(workflow_copy, tmp_path):
    # parsing refuses device=cuda where torch finds no GPU: a stand-in torch that finds one (a dry
    # run imports torch only for that check)
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("class cuda:\n    is_available = staticmethod(lambda: True)\n")
    cuda = run_snakemake(workflow_copy, "-n", "-p", "-F", "--configfile", "config/quick.yaml", "--config", "device=cuda",
                         env={"PYTHONPATH": str(tmp_path)})
    default = run_snakemake(workflow_copy, "-n", "-p", "-F", "--configfile", "config/quick.yaml")
    jobs = [block for block in cuda.stdout.split("\n\n") if "rule " in block and "resources:" in block]
    training = [block for block in jobs if "gpu=" in block]
    assert training and all("gpu=1" in block for block in training)  # `--resources gpu=1` shares one GPU
    assert any("rule train_classifier" in block for block in training)
    assert "gpu=1" not in default.stdout and "gpu=0" in default.stdout


def test_snakefmt_is_clean():
    proc = subprocess.run([sys.executable, "-m", "snakefmt", "--check", "Snakefile", "rules"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 0, f"run `snakefmt Snakefile rules`:\n{proc.stdout}{proc.stderr}"


def test_classifier_job_rerun_gives_byte_identical_metrics(quick_run, tmp_path):
    workdir = own_copy(quick_run, tmp_path)
    path = workdir / "results" / "classification" / "shuffled" / "cnn" / "seed42" / "metrics.json"
    before = path.read_bytes()
    run_snakemake(workdir, "--cores", "1", *QUICK, "--forcerun", str(path.relative_to(workdir)),
                  "--until", str(path.relative_to(workdir)))
    assert path.read_bytes() == before


def test_table1_reports_every_cell_and_cites_humans(quick_run):
    import pandas as pd

    table = pd.read_csv(quick_run / "results" / "classification" / "table1.csv")
    assert len(table) == 12  # (original, shuffled, mnist) x 4 models
    # two seeds a cell, and the MLP's extra seed (classification.extra_seeds) on every dataset
    assert (table["seeds"] == table["model"].map(lambda model: 3 if model == "mlp" else 2)).all()
    assert set(table["variant"]) == {"original", "shuffled", "mnist"}
    html = (quick_run / "results" / "classification" / "table1.html").read_text()
    assert "96 ± 1 (paper, cited)" in html and "&gt; 99 (paper, cited)" in html
    assert "not run" not in html  # the MNIST row ran on the tiny stand-in


def test_review_lists_every_claim_and_the_cost_of_every_job(quick_run):
    import pandas as pd

    results = quick_run / "results"
    claims = pd.read_csv(results / "review" / "claims.csv")
    section_rows = sum(len(pd.read_csv(p)) for p in results.glob("*/*claims.csv") if p.parent.name != "review")
    section_rows += len(pd.read_csv(results / "dataset" / "pixel_baselines.csv"))
    assert len(claims) == section_rows and claims["report section"].notna().all()
    # every claim of claims.yaml is produced by its section: the quick run runs every section,
    # so "not run" could only come from a key the section's summary misspelt or dropped
    from mnist1d_repro.claims import VERDICTS, load_claims
    from mnist1d_repro.registry import CLAIM_SECTIONS

    expected = {name for section in CLAIM_SECTIONS for name in load_claims(ROOT / "config" / "claims.yaml", section)}
    assert set(claims["claim_id"]) == expected and claims["claim_id"].is_unique
    assert set(claims["verdict"]) <= set(VERDICTS)
    assert claims.loc[claims["verdict"] == "not run", "claim_id"].tolist() == []
    # each verdict reads its value with its standard error wherever one is defined
    assert claims["se"].notna().sum() >= len(claims) // 2
    cost = pd.read_csv(results / "review" / "cost.csv")
    jobs_with_benchmarks = len(list((results / "benchmarks").rglob("*.tsv")))
    assert cost["jobs"].sum() == jobs_with_benchmarks - 1  # all but the provenance job itself
    # the scale-out table: more cores never predict a longer run, and never beat the critical path
    scale = pd.read_csv(results / "review" / "scale_out.csv").sort_values("cores")
    assert scale["local_wall_seconds"].is_monotonic_decreasing
    assert (scale["local_wall_seconds"] >= scale["critical_path_seconds"] - 1e-6).all()
    assert (scale["slurm_wall_seconds"] > scale["local_wall_seconds"]).all()
    path = pd.read_csv(results / "review" / "critical_path.csv")
    assert path["rule"].iloc[0] in {"generate_dataset", "import_mnist"} and path["rule"].iloc[-1] == "review_claims"


def test_interrupted_run_resumes_to_the_same_results(quick_run, tmp_path):
    # The finished quick run with two pooling variants' jobs and Figure 9 removed: interrupting and
    # resuming their reruns exercises the same recovery as a whole interrupted run, in a fraction of the time.
    workdir = tmp_path / "interrupted"
    shutil.copytree(quick_run, workdir, symlinks=True)
    removed_logs = []
    for variant in ("max", "avg"):
        for folder in ("pooling", "logs/pooling", "benchmarks/pooling"):
            shutil.rmtree(workdir / "results" / folder / variant)
        removed_logs.append(f"results/logs/pooling/{variant}/**/*.log")
    (workdir / "results" / "pooling" / "figure9.png").unlink()

    def removed_jobs_started():
        return sum(len(list(workdir.glob(pattern))) for pattern in removed_logs)

    output = tmp_path / "interrupted.log"
    with open(output, "w") as out:
        # in its own session, so that a power loss can be imitated by killing Snakemake and its jobs at once
        proc = subprocess.Popen([sys.executable, "-m", "snakemake", "--cores", "2", *QUICK], cwd=workdir,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 600
        # Every job writes its log when it starts: stop once a few of the removed jobs have started.
        while time.time() < deadline and removed_jobs_started() < 2:
            time.sleep(0.2)
        os.killpg(proc.pid, signal.SIGKILL)  # kill -9 of Snakemake and its jobs: nothing gets to clean up
        returncode = proc.wait(timeout=300)
    started = removed_jobs_started()
    assert returncode != 0, f"not stopped before the end ({started} pooling jobs started)"
    assert not (workdir / "results" / "pooling" / "figure9.png").exists()
    refused = run_snakemake(workdir, "--cores", "2", *QUICK, check=False)  # the same command: the lock stayed
    assert refused.returncode != 0 and "cannot be locked" in refused.stdout + refused.stderr
    run_snakemake(workdir, "--unlock", *QUICK)  # the one extra command the README names
    run_snakemake(workdir, "--cores", "2", *QUICK)  # the same command again
    assert differing_results(workdir / "results", quick_run / "results") == []


def test_readme_results_section_is_written_from_the_run(quick_run, tmp_path, capsys):
    import pandas as pd
    import readme_results

    readme = tmp_path / "README.md"
    readme.write_text(f"# title\n\n{readme_results.TIME_BEGIN}\nstale time\n{readme_results.TIME_END}\n\n"
                      f"{readme_results.BEGIN}\nstale text\n{readme_results.END}\n\nkept\n")
    args = ["--results", str(quick_run / "results"), "--logs", str(quick_run / ".snakemake" / "log"),
            "--readme", str(readme)]
    assert readme_results.main(args) == 2  # a quick run is not the paper-scale result
    assert "paper scale only" in capsys.readouterr().err
    assert readme_results.main(args + ["--allow-quick"]) == 0
    text = readme.read_text()
    claims = pd.read_csv(quick_run / "results" / "review" / "claims.csv")
    claims_part = text.split("<summary>Every claim")[1].split("</details>")[0]
    claim_rows = [line for line in claims_part.splitlines() if line.startswith("| ")]
    assert len(claim_rows) == len(claims) + 2  # header, separator, one row per claim
    per_section = text.split("Verdicts per section")[1].split("\n\n")[1].splitlines()[2:]
    counts = [[int(cell) for cell in line.strip("| ").split(" | ")[1:]] for line in per_section]
    assert sum(row[0] for row in counts) == len(claims) and all(row[0] == sum(row[1:]) for row in counts)
    assert "By error kind: " in text
    assert "stale text" not in text and "stale time" not in text and text.endswith("\n\nkept\n")
    steps = readme_results.full_run_log(quick_run / ".snakemake" / "log")["steps"]
    assert f"The recorded run of the *Results* below ({steps} jobs) took " in text and " on 8 cores and " in text
    assert "Wall time" in text and "--configfile config/quick.yaml" in text
    scale = pd.read_csv(quick_run / "results" / "review" / "scale_out.csv")
    assert "On more cores" in text and f"{int(scale['cores'].iloc[-1])} cores" in text and "critical path" in text
    assert readme_results.main(args + ["--allow-quick", "--check"]) == 0
    readme.write_text(text.replace("reproduced", "REPRODUCED", 1))
    assert readme_results.main(args + ["--allow-quick", "--check"]) == 1
    # the record kept beside the README checks it without the run's outputs
    record = tmp_path / "record"
    assert readme_results.main(args + ["--allow-quick", "--record", str(record)]) == 0
    assert (record / "verdicts.png").stat().st_size > 0 and "](record/verdicts.png)" in readme.read_text()
    # ... with Table 1 in brief and every section's figures, linked from the README
    table1_rows = [line for line in readme.read_text().split("Table 1, test accuracy")[1].split("\n\n")[1].splitlines()]
    assert len(table1_rows) == 2 + 3 * 3  # header, separator; ours, paper, verdict for each of three datasets
    kept = sorted(path.relative_to(record / "figures") for path in (record / "figures").glob("*/*.png"))
    assert kept == sorted(path.relative_to(quick_run / "results") for path in (quick_run / "results").glob("*/*.png")
                          if path.parent.name != "review")
    assert {"figure2.png", "figure5.png", "figure9.png"} <= {path.name for path in kept}
    assert all(f"](record/figures/{path.as_posix()})" in readme.read_text() for path in kept)
    # the reviewer's check of a run against the record: this run is the record's own
    import verify_run
    assert verify_run.main(["--results", str(quick_run / "results"), "--record", str(record)]) == 0
    assert "identical to the record" in capsys.readouterr().out
    no_run = ["--results", str(tmp_path / "nothing"), "--logs", str(tmp_path / "nothing"), "--readme", str(readme),
              "--allow-quick", "--check", "--record", str(record)]
    assert readme_results.main(no_run) == 0
    run = json.loads((record / "run.json").read_text())
    (record / "run.json").write_text(json.dumps({**run, "elapsed": "9:99:99"}))
    assert readme_results.main(no_run) == 1
    readme.write_text("# no markers\n")
    assert readme_results.main(args + ["--allow-quick"]) == 2
    assert "markers" in capsys.readouterr().err


def snakemake_log(folder, name, date, command, progress, stamps, elapsed=None, config_md5="d698af81"):
    lines = ["SNAKEMAKE", f"  Date: {date}", f"  Command: /usr/bin/{command}", f"  Config MD5: {config_md5}",
             "Building DAG of jobs...", "Provided cores: 2"]
    for stamp, (finished, total) in zip(stamps, progress):
        lines += [f"[{stamp}]", f"{finished} of {total} steps ({100 * finished // total}%) done"]
    lines += [f"Elapsed time: {elapsed}"] if elapsed else ["Terminating processes on user request."]
    (folder / f"{name}.snakemake.log").write_text("\n".join(lines) + "\n")


def test_a_run_resumed_after_an_interruption_counts_all_its_invocations(tmp_path):
    """An interrupted run resumed with the same command is one run: its jobs and wall time are those of both
    invocations, not only the last one's (which ran only what was left)."""
    import readme_results

    snakemake_log(tmp_path, "2026-12-01T100000", "2026-12-01 10:00:00", "snakemake --cores 2 --dry-run", [], [])
    snakemake_log(tmp_path, "2026-12-01T100100", "2026-12-01 10:01:00", "snakemake --cores 2",
                  [(1, 10), (6, 10)], ["Tue Dec  1 10:30:00 2026", "Tue Dec  1 12:01:00 2026"])
    snakemake_log(tmp_path, "2026-12-02T090000", "2026-12-02 09:00:00", "snakemake --cores 2",
                  [(2, 5), (5, 5)], ["Wed Dec  2 09:10:00 2026", "Wed Dec  2 09:30:00 2026"], elapsed="0:30:00.25")
    run = readme_results.full_run_log(tmp_path)
    assert (run["steps"], run["elapsed"], run["invocations"], run["date"]) == (11, "2:30:00", 2, "2026-12-01 10:01:00")
    # a completed run on its own, and an interrupted run of another command that does not join it
    snakemake_log(tmp_path, "2026-12-03T090000", "2026-12-03 09:00:00", "snakemake --cores 2 table1",
                  [(1, 3)], ["Thu Dec  3 09:05:00 2026"])
    snakemake_log(tmp_path, "2026-12-03T100000", "2026-12-03 10:00:00", "snakemake --cores 2",
                  [(12, 12)], ["Thu Dec  3 11:00:00 2026"], elapsed="1:00:00")
    run = readme_results.full_run_log(tmp_path)
    assert (run["steps"], run["elapsed"], run["invocations"]) == (12, "1:00:00", 1)
    # resumed with a switch the default profile sets anyway: the same run, shown as the plain command
    snakemake_log(tmp_path, "2026-12-04T090000", "2026-12-04 09:00:00", "snakemake --cores 2",
                  [(4, 20)], ["Fri Dec  4 09:10:00 2026"])
    snakemake_log(tmp_path, "2026-12-04T100000", "2026-12-04 10:00:00", "snakemake --cores 2 --rerun-incomplete",
                  [(16, 16)], ["Fri Dec  4 11:00:00 2026"], elapsed="1:00:00")
    run = readme_results.full_run_log(tmp_path)
    assert (run["steps"], run["elapsed"], run["invocations"], run["command"]) == (
        20, "1:10:00", 2, "snakemake --cores 2")


def test_config_changes_name_the_settings_a_recorded_run_did_not_run():
    import readme_results

    recorded = {"seeds": [0, 1], "lottery": {"seeds": [42], "lr": 0.1}, "datasets": {"derived_n1000": {"n": 1}},
                "sensitivity": {"lottery.lr": [0.2]}}
    current = {"seeds": [0, 1], "lottery": {"seeds": [42, 43], "lr": 0.1}, "new_key": "x",
               "sensitivity": {"lottery.lr": [0.2, 0.3]}}
    # a derived setting the file does not hold is not compared; a sensitivity entry is compared whole
    assert readme_results.config_changes(recorded, current) == ["lottery.seeds", "new_key", "sensitivity.lottery.lr"]
    assert readme_results.config_changes(recorded, {"seeds": [0, 1], "lottery": {"lr": 0.1}}) == []
    provenance = {"config": readme_results.yaml.safe_load(readme_results.PAPER_CONFIG.read_text())}
    assert readme_results.config_change_text(provenance).startswith("It ran the paper configuration as it is now")
    provenance["config"]["lottery"]["seeds"] = [42]
    assert "(1 setting of `config/config.yaml`: `lottery.seeds`)" in readme_results.config_change_text(provenance)


def test_the_results_name_every_cpu_that_computed_them():
    import readme_results

    one = {"cpu": "AMD EPYC (family 25, model 17, stepping 1)", "cpu_numerics": "portable", "device": "cpu"}
    other = {**one, "cpu": "Intel Xeon (family 6, model 143, stepping 8)"}
    provenance = {"runtimes": [{**one, "files": 300, "threads": "1"}, {**one, "files": 10, "threads": "2"},
                               {**other, "files": 5}]}
    assert readme_results.runtimes_text(provenance) == (
        " Its training results were computed on AMD EPYC (family 25, model 17, stepping 1) in portable numerics "
        "(310 files); and on Intel Xeon (family 6, model 143, stepping 8) in portable numerics (5 files).")
    assert readme_results.runtimes_text({"runtimes": [{"device": "cpu", "files": 450}]}) == ""  # an old record


def test_readme_has_one_generated_results_section():
    import readme_results

    text = (ROOT / "README.md").read_text()
    assert text.count(readme_results.BEGIN) == 1 and text.count(readme_results.END) == 1
    assert text.count(readme_results.TIME_BEGIN) == 1 and text.count(readme_results.TIME_END) == 1


def test_readme_results_name_a_commit_of_this_history():
    """The README's Results come from a run of a commit that HEAD descends from, never from a side branch or a
    commit that no longer exists."""
    import readme_results

    section = (ROOT / "README.md").read_text().split(readme_results.BEGIN)[1].split(readme_results.END)[0]
    found = re.search(r"run of commit `([0-9a-f]{7,40})", section)
    assert found, "the README's Results do not name the commit of their run"
    ancestor = subprocess.run(["git", "merge-base", "--is-ancestor", found.group(1), "HEAD"], cwd=ROOT)
    assert ancestor.returncode == 0, f"commit {found.group(1)} of the README's Results is not an ancestor of HEAD"


def test_readme_results_match_the_recorded_paper_run(tmp_path):
    """The README's Results are exactly what readme_results.py writes from the recorded paper-scale run: a hand
    edit of a number, or a record that no longer matches, fails here."""
    import readme_results

    record = ROOT / "paper-run"
    assert (record / "run.json").is_file(), "paper-run/ holds no recorded run: see the README's Results"
    nowhere = str(tmp_path / "no-run")
    args = ["--check", "--record", str(record), "--readme", str(ROOT / "README.md"), "--results", nowhere,
            "--logs", nowhere]
    assert readme_results.main(args) == 0


def test_results_are_readable_by_the_group_under_the_usual_umask(quick_run):
    import os
    import stat

    umask = os.umask(0o022)
    os.umask(umask)
    if umask != 0o022:  # the quick run inherited the umask the tests run under
        skip_or_fail(f"the test run's umask is {umask:03o}, not 022")
    written = [p for p in (quick_run / "results").rglob("*") if p.is_file() and p.suffix in {".npz", ".json", ".csv"}]
    private = [str(p) for p in written if not stat.S_IMODE(p.stat().st_mode) & stat.S_IRGRP]
    assert written and private == []


def rule_priorities() -> dict[str, int]:
    """Each rule's ``priority:`` as the workflow's files declare it (0 where none; a ``use rule``
    keeps its parent's unless it sets one)."""
    priorities, parents = {}, {}
    for path in [ROOT / "Snakefile", *sorted((ROOT / "rules").glob("*.smk"))]:
        for block in re.split(r"^(?=rule \w+:|use rule )", path.read_text(), flags=re.M):
            name = re.match(r"rule (\w+):|use rule (\w+) as (\w+)", block)
            if name:
                found = re.search(r"^\s+priority:\s*(\d+)", block, flags=re.M)
                rule = name.group(1) or name.group(3)
                priorities[rule] = int(found.group(1)) if found else None
                parents[rule] = name.group(2)
    for rule in priorities:
        parent = rule
        while priorities[rule] is None and parents[parent]:
            parent = parents[parent]
            priorities[rule] = priorities[parent]
    return {rule: priority or 0 for rule, priority in priorities.items()}


def test_every_rule_a_prioritised_job_waits_for_has_its_priority(workflow_copy):
    """Snakemake weighs a rule's priority among ready jobs only, so a job that feeds a long
    prioritised one (a dataset the activation metalearning job reads) must carry that priority
    itself, or a resumed run starts it after hundreds of short jobs."""
    graph = run_snakemake(workflow_copy, "--rulegraph", "--forceall", "--configfile", "config/quick.yaml").stdout
    names = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", graph, flags=re.M))
    feeds = {}
    for source, target in re.findall(r"^\s*(\d+) -> (\d+)", graph, flags=re.M):
        feeds.setdefault(names[target], set()).add(names[source])
    priorities = rule_priorities()
    assert set(names.values()) <= set(priorities)
    too_low = []
    for rule, priority in priorities.items():
        waiting, upstream = [rule], set()
        while waiting:
            for source in feeds.get(waiting.pop(), ()):
                if source not in upstream:
                    upstream.add(source)
                    waiting.append(source)
        too_low += [f"{source} (priority {priorities[source]}) feeds {rule} (priority {priority})"
                    for source in sorted(upstream) if priorities[source] < priority]
    assert not too_low, too_low


def test_report_pages_carry_no_docutils_error(quick_run):
    """Every caption and included verdict line renders cleanly: docutils puts a "System Message" box on
    the page for markup it cannot read (a claim's unit |pooled minus none| once read as a substitution)."""
    source = (quick_run / "results" / "report.html").read_text(encoding="utf-8")
    assert "System Message" not in source and "Undefined substitution" not in source
