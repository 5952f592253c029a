# Path builders of double_descent.smk: the files its rules write and read, from the config.


def double_descent_run_keys():
    """(series, width, seed) of every double-descent job, in a fixed order."""
    dd = config["double_descent"]
    seeds = double_descent_series_seeds(dd)
    return [
        (name, width, seed)
        for name, series in dd["series"].items()
        for width in dd["widths"][series["model"]]
        for seed in seeds[name]
    ]


def double_descent_runs(setting_dir="", series_names=None):
    """The metrics file of every double-descent job (default: every series, configured settings)
    or of the given series in one alternative setting's folder."""
    return [
        f"{DOUBLE_DESCENT_DIR}/{setting_dir}{name}/width{width}/seed{seed}/metrics.json"
        for name, width, seed in double_descent_run_keys()
        if series_names is None or name in series_names
    ]


def double_descent_mlp_hidden_layers(wildcards):
    """The MLP depth a job runs with, from its {setting} folder."""
    return switched_section("double_descent", [DOUBLE_DESCENT_DEPTH_SWITCH], wildcards.setting)["mlp_hidden_layers"]


def double_descent_dataset(wildcards):
    """The data a job trains on: its series' variant, or that variant made with another label-noise
    draw where the job's {setting} folder is that draw's."""
    variant = DOUBLE_DESCENT["series"][wildcards.series]["variant"]
    for switch, setting in switch_alternatives([DOUBLE_DESCENT_DRAW_SWITCH]):
        if switch_dir(switch, setting) == wildcards.setting and switch.split(".")[1] == variant:
            variant = switched_variant(switch, setting)
    return dataset_path(DOUBLE_DESCENT["dataset"], variant)


def double_descent_draw_runs():
    """The metrics file of every job another label-noise draw adds, by draw: the series a claim
    reads on the switched variant (every width and seed) in that draw's folder."""
    rerun = double_descent_draw_series(config["double_descent"])
    return {
        setting: double_descent_runs(switch_dir(DOUBLE_DESCENT_DRAW_SWITCH, setting), rerun)
        for setting in switch_settings(DOUBLE_DESCENT_DRAW_SWITCH)[1:]
    }


def double_descent_sensitivity_runs():
    """The metrics file of every job the alternative MLP depths add: Figure 5's MLP series
    (every width and seed) in each alternative's folder."""
    rerun = double_descent_sensitivity_series(config["double_descent"])
    return [
        path
        for setting in switch_settings(DOUBLE_DESCENT_DEPTH_SWITCH)[1:]
        for path in double_descent_runs(switch_dir(DOUBLE_DESCENT_DEPTH_SWITCH, setting), rerun)
    ]
