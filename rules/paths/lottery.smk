# Path builders of lottery.smk: the files its rules write and read, from the config.


def lottery_chain_keys():
    """(schedule, method, seed) of every pruning chain, in a fixed order."""
    c = config["lottery"]
    return [
        (schedule, method, seed)
        for schedule in c["schedules"]
        for method in (["magnitude", "random"] if schedule in c["random_schedules"] else ["magnitude"])
        for seed in c["seeds"]
    ]


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
