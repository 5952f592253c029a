# Shared helpers and config validation. Everything here runs when the workflow is parsed,
# so a bad config stops the run with one clear message before any job starts.
import re
import sys
from pathlib import Path

from snakemake.utils import validate

# The library lives beside the rule scripts (Snakemake puts a script's folder on sys.path).
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from mnist1d_repro.claims import claim_field  # noqa: E402
from mnist1d_repro.config_checks import (  # noqa: E402
    ConfigError,
    check_claim_figures,
    check_claims_file,
    check_config,
    check_deviations_file,
)

try:
    validate(config, schema="../config/schema.yaml")
except Exception as error:  # re-raised as one line naming the key
    raise ConfigError.from_validation(error) from None
check_config(config)

CLAIMS = str(Path(workflow.basedir) / "config" / "claims.yaml")
check_claims_file(CLAIMS)
DEVIATIONS = str(Path(workflow.basedir) / "config" / "deviations.yaml")
check_deviations_file(DEVIATIONS)
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

# Report category of each folder under results/benchmarks (the cost table sums per section).
SECTION_OF_BENCHMARK_FOLDER = {
    "data": "datasets and variants (every section)",
    "dataset": "3. MNIST-1D dataset",
    "classification": "4. Classification",
    "lottery": "5.1 Lottery tickets",
    "double_descent": "5.2 Deep double descent",
    "metalearning": "5.3-5.4 Metalearning",
    "ssl": "5.5 Self-supervised learning",
    "pooling": "5.6 Pooling",
    "review": "review (this summary)",
}


def config_value(dotted):
    """The config value at a dotted key, e.g. "lottery.score_weights"."""
    value = config
    for part in dotted.split("."):
        value = value[part]
    return value


def switch_settings(switch):
    """Every setting of a deviation switch that runs: its configured (default) value first, then
    the alternatives the ``sensitivity`` section asks for."""
    default = config_value(switch)
    return [default] + [s for s in config["sensitivity"].get(switch, []) if s != default]


def dataset_path(dataset, variant="original"):
    """The file an experiment asks for: a named dataset, original or transformed."""
    return f"{RESULTS}/data/{dataset}/{variant}.npz"


def generator_args(dataset):
    """Generator parameters of a named dataset: the defaults with its overrides."""
    return {**config["generator"], **config["datasets"][dataset]}


def name_pattern(names):
    """A wildcard constraint that matches exactly the given names."""
    return "|".join(sorted(names)) or "(?!)"


def section_dataset(variant="original"):
    """A file of the dataset that section 3 (and its figures) is about."""
    return dataset_path(config["dataset_section"]["dataset"], variant)


def dataset_section_outputs():
    """The files that make section 3 of the report."""
    names = ["figure1_construction.png", "examples_per_class.png", "variants.png",
             "datasets.html", "figure3_tsne.png", "pixel_baselines.html"]
    return [f"{DATASET_DIR}/{name}" for name in names]


MNIST_FILE = f"{RESULTS}/data/external/mnist.npz"


def classification_variants():
    """The datasets of Table 1: the configured variants, and MNIST when a copy is configured."""
    c = config["classification"]
    return c["variants"] + (["mnist"] if c["mnist"] else [])


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
    return [f"{CLASSIFICATION_DIR}/{name}" for name in ("table1.html", "figure2.png", "figureS1.png")]


def double_descent_run_keys():
    """(series, width, seed) of every double-descent job, in a fixed order."""
    dd = config["double_descent"]
    return [(name, width, seed) for name, series in dd["series"].items()
            for width in dd["widths"][series["model"]] for seed in dd["seeds"]]


def double_descent_runs():
    return [f"{DOUBLE_DESCENT_DIR}/{name}/width{width}/seed{seed}/metrics.json"
            for name, width, seed in double_descent_run_keys()]


def double_descent_outputs():
    """The files that make section 5.2 of the report."""
    names = ("summary.html", "figure5.png", "noise_ablation.png", "loss_ablation.png")
    return [f"{DOUBLE_DESCENT_DIR}/{name}" for name in names]


def pooling_run_keys():
    """(pooling, size, seed) of every pooling job, in a fixed order."""
    p = config["pooling"]
    return [(pool, size, seed) for pool in p["poolings"] for size in p["train_sizes"] for seed in p["seeds"]]


def pooling_runs():
    return [f"{POOLING_DIR}/{pool}/n{size}/seed{seed}/metrics.json" for pool, size, seed in pooling_run_keys()]


def pooling_outputs():
    """The files that make section 5.6 of the report."""
    return [f"{POOLING_DIR}/final_accuracy.html", f"{POOLING_DIR}/figure9.png"]


def ssl_runs(filename):
    """One file of every self-supervised job (loss x head depth x seed)."""
    c = config["ssl"]
    return [f"{SSL_DIR}/{loss}/head{head}/seed{seed}/{filename}"
            for loss in c["losses"] for head in c["head_layers"] for seed in c["seeds"]]


def ssl_outputs():
    """The files that make section 5.5 of the report."""
    return [f"{SSL_DIR}/probe_accuracy.html", f"{SSL_DIR}/figure8.png"]


def lottery_chain_keys():
    """(schedule, method, seed) of every pruning chain, in a fixed order."""
    c = config["lottery"]
    return [(schedule, method, seed) for schedule in c["schedules"]
            for method in (["magnitude", "random"] if schedule in c["random_schedules"] else ["magnitude"])
            for seed in c["seeds"]]


def lottery_chain_path(schedule, method, seed, filename):
    return f"{LOTTERY_DIR}/chains/{schedule}/{method}/seed{seed}/{filename}"


LOTTERY_MASK_METHOD = {"lottery": "magnitude", "random": "random"}


def lottery_asymptotic_masks(wildcards):
    """The paper schedule's chain whose masks a ticket (or random subnetwork) comes from."""
    method = LOTTERY_MASK_METHOD[wildcards.network]
    return lottery_chain_path("paper", method, wildcards.seed, "masks.npz")


def lottery_asymptotic_runs():
    """One dict per asymptotic run: its keys and its metrics file. A dense network has no mask,
    so its run depends only on the variant and the initialisation seed; trials that share
    an initialisation seed share that file."""
    c = config["lottery"]
    a = c["asymptotic"]
    runs = []
    for variant in a["variants"]:
        for network in a["networks"]:
            for init in a["inits"]:
                for seed in c["seeds"]:
                    init_seed = seed if init == "original" else seed + a["new_init_offset"]
                    name = f"init{init_seed}" if network == "dense" else f"seed{seed}_init{init_seed}"
                    runs.append({"variant": variant, "network": network, "init": init, "seed": seed,
                                 "init_seed": init_seed,
                                 "path": f"{LOTTERY_DIR}/asymptotic/{variant}/{network}/{name}.json"})
    return runs


def lottery_panel_variants():
    """The asymptotic variant behind each Figure 4 panel, found by its kind (None: not run)."""
    variants = config["lottery"]["asymptotic"]["variants"]

    def of_kind(kind):
        return next((v for v in variants if v != "original" and config["variants"][v]["kind"] == kind), None)

    return {"original": "original" if "original" in variants else None,
            "flipped": of_kind("flip"), "shuffled": of_kind("shuffle")}


def lottery_outputs():
    """The files that make section 5.1 of the report."""
    names = ("summary.html", "figure4.png", "figureS2.png", "asymptotic.html", "pruning_rate.png",
             "asymptotic_ablation.png")
    return [f"{LOTTERY_DIR}/{name}" for name in names]


def metalearning_lr_names(which=("initial_lrs", "ablation_initial_lrs")):
    """Initial learning rates of the Figure 6 jobs as they appear in file names (e.g. "0.15")."""
    c = config["metalearning"]["learning_rate"]
    return [f"{lr:g}" for key in which for lr in c[key]]


def metalearning_lr_runs():
    return [f"{METALEARNING_DIR}/learning_rate/lr{name}.csv" for name in metalearning_lr_names()]


def metalearning_baseline_runs():
    return [f"{METALEARNING_DIR}/activation/baselines/{name}.csv"
            for name in config["metalearning"]["activation"]["baselines"]]


def metalearning_transfer_runs():
    c = config["metalearning"]["transfer"]
    return [f"{METALEARNING_DIR}/transfer/{activation}/seed{seed}.json"
            for activation in c["activations"] for seed in c["seeds"]]


def metalearning_outputs():
    """The files that make sections 5.3 and 5.4 of the report."""
    names = ("figure6.png", "learning_rates.html", "figure7.png", "activation_accuracy.html", "transfer.html")
    return [f"{METALEARNING_DIR}/{name}" for name in names]


def section_claims_files():
    """The claims table every section writes, by section."""
    return {
        "dataset_pixels": f"{DATASET_DIR}/pixel_baselines.csv",
        "dataset_tsne": f"{DATASET_DIR}/tsne_claims.csv",
        "classification": f"{CLASSIFICATION_DIR}/claims.csv",
        "lottery": f"{LOTTERY_DIR}/claims.csv",
        "double_descent": f"{DOUBLE_DESCENT_DIR}/claims.csv",
        "metalearning_lr": f"{METALEARNING_DIR}/learning_rate_claims.csv",
        "metalearning_activation": f"{METALEARNING_DIR}/activation_claims.csv",
        "ssl": f"{SSL_DIR}/claims.csv",
        "pooling": f"{POOLING_DIR}/claims.csv",
    }


def section_outputs():
    """Every section's report files: what the review waits for."""
    return (dataset_section_outputs() + classification_outputs() + lottery_outputs()
            + double_descent_outputs() + metalearning_outputs() + ssl_outputs() + pooling_outputs())


# The figure or table each claim of the review links to.
CLAIM_FIGURES = {name: f"{RESULTS}/{path}" for name, path in claim_field(CLAIMS, "figure").items()}
check_claim_figures(CLAIM_FIGURES, section_outputs(), CLAIMS)


def review_outputs():
    return [f"{REVIEW_DIR}/{name}" for name in ("claims.html", "deviations.html", "provenance.html")]
