# Path builders of metalearning.smk: the files its rules write and read, from the config.


def metalearning_lr_names(which=("initial_lrs", "ablation_initial_lrs")):
    """Initial learning rates of the Figure 6 jobs as they appear in file names (e.g. "0.15")."""
    c = config["metalearning"]["learning_rate"]
    return [f"{lr:g}" for key in which for lr in c[key]]


def metalearning_lr_runs():
    return [f"{METALEARNING_DIR}/learning_rate/lr{name}.csv" for name in metalearning_lr_names()]


def metalearning_baseline_runs(setting_dir="", suffix=".csv"):
    """Every baseline's file of Figure 7 (its history, or with suffix "_correct.npz" which test
    samples it classifies correctly), under one setting's folder (default: the configured one)."""
    return [
        f"{METALEARNING_DIR}/activation/{setting_dir}baselines/{name}{suffix}"
        for name in config["metalearning"]["activation"]["baselines"]
    ]


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
