# Paper section 5.1: lottery tickets (Figure 4, Figure S2) and the pruning-rate and
# re-initialisation ablations. Pruning chains (schedule x method x seed), then asymptotic
# runs of the ticket (variant x network x initialisation x seed), then one aggregation job.
#
# Deviation switch lottery.score_weights (which weights of a retrain score the next level): the
# configured setting's files are results/lottery/chains/... and results/lottery/asymptotic/...;
# each alternative the sensitivity section lists adds, under results/lottery/score_weights_<setting>/,
# the jobs that read the scores: the paper schedule's magnitude chains and the tickets' asymptotic
# runs (random scores ignore the weights and a dense network has no mask, so those are shared).

LOTTERY = config["lottery"]
LOTTERY_CATEGORY = section_category("lottery")
LOTTERY_DIR = section_folder("lottery")
(LOTTERY_SCORE_SWITCH,) = section_switch_keys("lottery")
LOTTERY_SCORE_SETTINGS = switch_settings(LOTTERY_SCORE_SWITCH)  # the configured setting first


include: "paths/lottery.smk"


rule lottery_chain:
    input:
        dataset_path(LOTTERY["dataset"]),
    output:
        levels=lottery_chain_path("{schedule}", "{method}", "{seed}", "levels.csv", "{scoring}"),
        masks=lottery_chain_path("{schedule}", "{method}", "{seed}", "masks.npz", "{scoring}"),
    log:
        f"{LOGS}/lottery/{{scoring}}chains/{{schedule}}/{{method}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/lottery/{{scoring}}chains/{{schedule}}/{{method}}/seed{{seed}}.tsv"
    wildcard_constraints:
        scoring=switch_dir_pattern([LOTTERY_SCORE_SWITCH]),  # empty for the configured score_weights
        schedule=name_pattern(LOTTERY["schedules"]),
        method="magnitude|random",
        seed=r"\d+",
    priority: 50  # the longest jobs, and the asymptotic runs wait for them: start them first
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        # about 5 s per level at paper scale on one CPU core
        runtime=attempt_scaled(lambda wc: 10 + LOTTERY["schedules"][wc.schedule]["levels"] // 6),
        gpu=TRAINING_GPUS,
    params:
        schedule=lambda wc: LOTTERY["schedules"][wc.schedule],
        hidden=LOTTERY["hidden"],
        training={k: v for k, v in LOTTERY["chain"].items() if k != "checkpoint_every"},
        checkpoint_every=LOTTERY["chain"]["checkpoint_every"],
        score_weights=lottery_score_weights,
        device=config["device"],
    script:
        "../scripts/lottery_chain.py"


rule lottery_asymptotic_dense:
    input:
        data=lambda wc: dataset_path(LOTTERY["asymptotic"]["dataset"], wc.variant),
    output:
        f"{LOTTERY_DIR}/asymptotic/{{variant}}/dense/init{{init_seed}}.json",
    log:
        f"{LOGS}/lottery/asymptotic/{{variant}}/dense/init{{init_seed}}.log",
    benchmark:
        f"{BENCHMARKS}/lottery/asymptotic/{{variant}}/dense/init{{init_seed}}.tsv"
    wildcard_constraints:
        variant=name_pattern(LOTTERY["asymptotic"]["variants"]),
        init_seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(20),
        gpu=TRAINING_GPUS,
    params:
        hidden=LOTTERY["hidden"],
        ticket_level=LOTTERY["ticket_level"],
        training={k: LOTTERY["asymptotic"][k] for k in ("steps", "batch_size", "lr", "eval_every")},
        average_last_steps=LOTTERY["asymptotic"]["average_last_steps"],
        device=config["device"],
    script:
        "../scripts/lottery_asymptotic.py"


use rule lottery_asymptotic_dense as lottery_asymptotic_masked with:
    input:
        data=lambda wc: dataset_path(LOTTERY["asymptotic"]["dataset"], wc.variant),
        masks=lottery_asymptotic_masks,
    output:
        f"{LOTTERY_DIR}/{{scoring}}asymptotic/{{variant}}/{{network}}/seed{{seed}}_init{{init_seed}}.json",
    log:
        f"{LOGS}/lottery/{{scoring}}asymptotic/{{variant}}/{{network}}/seed{{seed}}_init{{init_seed}}.log",
    benchmark:
        f"{BENCHMARKS}/lottery/{{scoring}}asymptotic/{{variant}}/{{network}}/seed{{seed}}_init{{init_seed}}.tsv"
    wildcard_constraints:
        scoring=switch_dir_pattern([LOTTERY_SCORE_SWITCH]),  # empty for the configured score_weights
        variant=name_pattern(LOTTERY["asymptotic"]["variants"]),
        network="lottery|random",
        seed=r"\d+",
        init_seed=r"\d+",


rule figure4:
    input:
        chains=[lottery_chain_path(*key, "levels.csv") for key in lottery_chain_keys()],
        # the paper chains and asymptotic runs of every score_weights setting (params.scoring)
        scored=lottery_scored_files(),
    output:
        chains=f"{LOTTERY_DIR}/chains.csv",
        asymptotic_csv=f"{LOTTERY_DIR}/asymptotic.csv",
        adjacency=f"{LOTTERY_DIR}/adjacency.csv",
        claims=f"{LOTTERY_DIR}/claims.csv",
        sensitivity=f"{LOTTERY_DIR}/sensitivity.csv",
        snippet=f"{LOTTERY_DIR}/claims.rst",
        summary=report(
            f"{LOTTERY_DIR}/summary.html",
            caption="../report/lottery/summary.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Verdicts",
            labels={"table": "claims and verdicts"},
        ),
        figure4=report(
            f"{LOTTERY_DIR}/figure4.png",
            caption="../report/lottery/figure4.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Figure 4",
            labels={"figure": "Figure 4", "panel": "a-g"},
        ),
        figureS2=report(
            f"{LOTTERY_DIR}/figureS2.png",
            caption="../report/lottery/figureS2.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Figure S2",
            labels={"figure": "Figure S2", "panel": "first-layer masks"},
        ),
        asymptotic_table=report(
            f"{LOTTERY_DIR}/asymptotic.html",
            caption="../report/lottery/asymptotic.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Ablations",
            labels={"result": "asymptotic accuracy, every variant and initialisation"},
        ),
        pruning_rate=report(
            f"{LOTTERY_DIR}/pruning_rate.png",
            caption="../report/lottery/pruning_rate.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Ablations",
            labels={"result": "pruning rate"},
        ),
        asymptotic_ablation=report(
            f"{LOTTERY_DIR}/asymptotic_ablation.png",
            caption="../report/lottery/asymptotic_ablation.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Ablations",
            labels={"result": "sparsity pattern with new weights"},
        ),
    log:
        f"{LOGS}/lottery/figure4.log",
    benchmark:
        f"{BENCHMARKS}/lottery/figure4.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    params:
        chains=lottery_chain_keys(),
        panels=lottery_panel_variants(),
        # per score_weights setting (the configured one first): the paper chains and asymptotic
        # runs its claims come from
        scoring={
            setting: {"chains": lottery_paper_chains(setting), "asymptotic": lottery_asymptotic_runs(setting)}
            for setting in LOTTERY_SCORE_SETTINGS
        },
        score_switch=LOTTERY_SCORE_SWITCH,
        settings=LOTTERY,
        claims=CLAIMS,
    script:
        "../scripts/figure4.py"
