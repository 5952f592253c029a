# Path builders of pooling.smk: the files its rules write and read, from the config.


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
