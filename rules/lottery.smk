# Paper section 5.1: lottery tickets (Figure 4, Figure S2) and the pruning-rate and
# re-initialisation ablations. Pruning chains (schedule x method x seed), then asymptotic
# runs of the ticket (variant x network x initialisation x seed), then one aggregation job.

LOTTERY = config["lottery"]
LOTTERY_CATEGORY = "5.1 Lottery tickets"


rule lottery_chain:
    input:
        dataset_path(LOTTERY["dataset"]),
    output:
        levels=lottery_chain_path("{schedule}", "{method}", "{seed}", "levels.csv"),
        masks=lottery_chain_path("{schedule}", "{method}", "{seed}", "masks.npz"),
    wildcard_constraints:
        schedule=name_pattern(LOTTERY["schedules"]),
        method="magnitude|random",
        seed=r"\d+",
    params:
        schedule=lambda wc: LOTTERY["schedules"][wc.schedule],
        hidden=LOTTERY["hidden"],
        training=LOTTERY["chain"],
        device=config["device"],
    log:
        f"{LOGS}/lottery/chains/{{schedule}}/{{method}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/lottery/chains/{{schedule}}/{{method}}/seed{{seed}}.tsv"
    threads: 1
    priority: 50  # the longest jobs, and the asymptotic runs wait for them: start them first
    resources:
        mem_mb=2000,
        # about 5 s per level at paper scale on one CPU core
        runtime=lambda wc: 10 + LOTTERY["schedules"][wc.schedule]["levels"] // 6,
        gpu=0,  # a GPU cluster profile raises this with set-resources
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/lottery_chain.py"


rule lottery_asymptotic_dense:
    input:
        data=lambda wc: dataset_path(LOTTERY["asymptotic"]["dataset"], wc.variant),
    output:
        f"{LOTTERY_DIR}/asymptotic/{{variant}}/dense/init{{init_seed}}.json",
    wildcard_constraints:
        variant=name_pattern(LOTTERY["asymptotic"]["variants"]),
        init_seed=r"\d+",
    params:
        hidden=LOTTERY["hidden"],
        ticket_level=LOTTERY["ticket_level"],
        training={k: LOTTERY["asymptotic"][k] for k in ("steps", "batch_size", "lr", "eval_every")},
        average_last_steps=LOTTERY["asymptotic"]["average_last_steps"],
        device=config["device"],
    log:
        f"{LOGS}/lottery/asymptotic/{{variant}}/dense/init{{init_seed}}.log",
    benchmark:
        f"{BENCHMARKS}/lottery/asymptotic/{{variant}}/dense/init{{init_seed}}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
        gpu=0,  # a GPU cluster profile raises this with set-resources
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/lottery_asymptotic.py"


use rule lottery_asymptotic_dense as lottery_asymptotic_masked with:
    input:
        data=lambda wc: dataset_path(LOTTERY["asymptotic"]["dataset"], wc.variant),
        masks=lottery_asymptotic_masks,
    output:
        f"{LOTTERY_DIR}/asymptotic/{{variant}}/{{network}}/seed{{seed}}_init{{init_seed}}.json",
    wildcard_constraints:
        variant=name_pattern(LOTTERY["asymptotic"]["variants"]),
        network="lottery|random",
        seed=r"\d+",
        init_seed=r"\d+",
    log:
        f"{LOGS}/lottery/asymptotic/{{variant}}/{{network}}/seed{{seed}}_init{{init_seed}}.log",
    benchmark:
        f"{BENCHMARKS}/lottery/asymptotic/{{variant}}/{{network}}/seed{{seed}}_init{{init_seed}}.tsv"


rule figure4:
    input:
        chains=[lottery_chain_path(*key, "levels.csv") for key in lottery_chain_keys()],
        masks=[lottery_chain_path("paper", method, seed, "masks.npz")
               for method in ("magnitude", "random") for seed in LOTTERY["seeds"]],
        asymptotic=list(dict.fromkeys(run["path"] for run in lottery_asymptotic_runs())),
    output:
        chains=f"{LOTTERY_DIR}/chains.csv",
        asymptotic_csv=f"{LOTTERY_DIR}/asymptotic.csv",
        adjacency=f"{LOTTERY_DIR}/adjacency.csv",
        claims=f"{LOTTERY_DIR}/claims.csv",
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
            labels={"table": "asymptotic accuracy, every variant and initialisation"},
        ),
        pruning_rate=report(
            f"{LOTTERY_DIR}/pruning_rate.png",
            caption="../report/lottery/pruning_rate.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Ablations",
            labels={"figure": "ablation", "panel": "pruning rate"},
        ),
        asymptotic_ablation=report(
            f"{LOTTERY_DIR}/asymptotic_ablation.png",
            caption="../report/lottery/asymptotic_ablation.rst",
            category=LOTTERY_CATEGORY,
            subcategory="Ablations",
            labels={"figure": "ablation", "panel": "sparsity pattern with new weights"},
        ),
    params:
        chains=lottery_chain_keys(),
        mask_keys=[(method, seed) for method in ("magnitude", "random") for seed in LOTTERY["seeds"]],
        asymptotic=lottery_asymptotic_runs(),
        panels=lottery_panel_variants(),
        settings=LOTTERY,
        claims=CLAIMS,
    log:
        f"{LOGS}/lottery/figure4.log",
    benchmark:
        f"{BENCHMARKS}/lottery/figure4.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/figure4.py"
