# What every section's rules share: the config's validation, the results layout, deviation
# switches, datasets, and the review's checks of the claims. Each section's own path builders live
# in its rules file. Everything here runs when the workflow is parsed, so a bad config stops the
# run with one clear message before any job starts.
import re
import sys
from pathlib import Path

# The library lives beside the rule scripts (Snakemake puts a script's folder on sys.path).
sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

from mnist1d_repro import registry  # noqa: E402
from mnist1d_repro.claims import claim_field, load_claims  # noqa: E402
from mnist1d_repro.generator import MEMORY_KB_PER_SAMPLE, split_counts  # noqa: E402
from mnist1d_repro.jobs import attempt_scaled  # noqa: E402
from mnist1d_repro.pooling import per_size_datasets  # noqa: E402
from mnist1d_repro.sections.pooling import TRAIN_SETS as POOLING_TRAIN_SETS  # noqa: E402
from mnist1d_repro.sections.classification import model_seeds as classification_model_seeds  # noqa: E402
from mnist1d_repro.sections.classification import seeding_reruns as classification_seeding_reruns  # noqa: E402
from mnist1d_repro.config_checks import (  # noqa: E402
    ConfigError,
    check_claim_figures,
    check_claims_file,
    check_config_files,
    check_results_folder,
    dotted_value,
    validate_config,
)
from mnist1d_repro.deviations import check_deviations_file  # noqa: E402
from mnist1d_repro.numerics import apply_mode as apply_cpu_numerics  # noqa: E402

check_config_files([*workflow.configfiles, *(workflow.overwrite_configfiles or [])])
validate_config(config, Path(workflow.basedir) / "config" / "schema.yaml", registry.SWITCHES)
# Every job inherits the CPU-numerics pins from this process's environment (a Slurm job's own
# Snakemake parses the workflow again and sets them there too).
apply_cpu_numerics(config["cpu_numerics"])


def numeric_threads(threads):
    """A job's threads: one in portable numerics, since a multi-threaded t-SNE sums its
    gradients in another order on each thread count (and Snakemake lowers a job's threads to
    --cores), so its bytes would depend on the machine; ``threads`` in native numerics."""
    return 1 if config["cpu_numerics"] == "portable" else threads


# GPUs a training job asks for: one when the config says cuda, so that a local run shares one GPU
# through `--resources gpu=N`; none otherwise (a Slurm profile may raise it with set-resources).
TRAINING_GPUS = 1 if config["device"] == "cuda" else 0
CLAIMS = str(Path(workflow.basedir) / "config" / "claims.yaml")
check_claims_file(CLAIMS, registry.CLAIM_SECTIONS)
DEVIATIONS = str(Path(workflow.basedir) / "config" / "deviations.yaml")
check_deviations_file(
    DEVIATIONS,
    config,
    {name: list(load_claims(CLAIMS, name)) for name in registry.CLAIM_SECTIONS},
    {key: registry.switch_section(key).name for key in registry.SWITCHES},
)
RESULTS = "results"
check_results_folder(RESULTS)
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"
REVIEW_DIR = f"{RESULTS}/review"  # the reviewer's summary: claims, deviations, provenance
MNIST_FILE = f"{RESULTS}/data/external/mnist.npz"


def section_folder(name):
    """A paper section's folder under results/ (its logs and benchmarks use the same name)."""
    return f"{RESULTS}/{registry.section(name).folder}"


def section_category(name):
    """A paper section's report category."""
    return registry.section(name).category


def section_switch_keys(name, reruns_jobs=None):
    """The dotted config keys of the deviation switches a section runs (only those whose other
    settings train their own jobs, or only those that do not, when ``reruns_jobs`` says so)."""
    return tuple(
        switch.key
        for switch in registry.section(name).switches
        if reruns_jobs is None or switch.reruns_jobs == reruns_jobs
    )


def section_files(kind):
    """Every section's files of one kind ("outputs", "claims_tables", "sensitivity_tables"), in
    report order."""
    return registry.section_files(RESULTS, kind)


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
    sensitivity section lists. A seed-set switch's jobs are the configured folders' jobs at other
    seeds: no sub-folder."""
    if setting == config_value(switch) or registry.SWITCHES[switch].seed_set:
        return ""
    return f"{registry.SWITCHES[switch].folder_prefix}_{setting}/"


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
        if registry.SWITCHES[switch].seed_set:
            continue  # its jobs run under the configured settings
        if switch_dir(switch, setting) == folder and parent == section:
            return {**config_value(section), key: setting}
    return config_value(section)


def switched_variant(switch, setting):
    """The name of a variant under another setting of one of its keys (a switch such as
    variants.label_noise_15.draw): "<variant>_<key>_<setting>", e.g. label_noise_15_draw_all_at_once."""
    _, variant, _ = switch.split(".")
    return f"{variant}_{registry.SWITCHES[switch].folder_prefix}_{setting}"


def switched_variants():
    """Every variant that an alternative of a variant switch in the sensitivity section adds:
    name -> its config entry (the configured one with that key's setting swapped in)."""
    found = {}
    for switch, setting in switch_alternatives([key for key in registry.SWITCHES if key.startswith("variants.")]):
        _, variant, key = switch.split(".")
        found[switched_variant(switch, setting)] = {**config["variants"][variant], key: setting}
    return found


def variant_settings(variant):
    """A variant's config entry, configured or added by a variant switch's alternative."""
    return config["variants"][variant] if variant in config["variants"] else switched_variants()[variant]


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


def register_pooling_datasets():
    """With pooling.train_sets per_size (configured or run as an alternative), one named dataset
    per training size, derived from pooling.dataset (see mnist1d_repro.pooling): added to
    config["datasets"] here, before rules/dataset.smk reads the names it can build."""
    if "per_size" not in switch_settings(POOLING_TRAIN_SETS.key):
        return
    for name, overrides in per_size_datasets(config).items():
        if config["datasets"].get(name, overrides) != overrides:
            raise ConfigError(
                f"config error at 'datasets.{name}': this name is taken by the per-size dataset of "
                "pooling.train_sets per_size; rename it"
            )
        config["datasets"][name] = overrides


register_pooling_datasets()

# The figure or table each claim of the review links to.
CLAIM_FIGURES = {
    name: f"{RESULTS}/{path}" for name, path in claim_field(CLAIMS, "figure", registry.CLAIM_SECTIONS).items()
}
check_claim_figures(CLAIM_FIGURES, section_files("outputs"), CLAIMS)


def review_outputs():
    names = ("verdicts.png", "claims.html", "deviations.html", "sensitivity.html", "provenance.html")
    return [f"{REVIEW_DIR}/{name}" for name in names]
