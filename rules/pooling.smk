# Paper section 5.6: pooling versus training-set size (Figure 9).
# One job per pooling variant x training size x seed; one aggregation job.

POOLING = config["pooling"]
POOLING_CATEGORY = "5.6 Pooling"


rule train_pooling:
    input:
        dataset_path(POOLING["dataset"]),
    output:
        f"{POOLING_DIR}/{{pooling}}/n{{size}}/seed{{seed}}/metrics.json",
    wildcard_constraints:
        pooling=name_pattern(POOLING["poolings"]),
        size=r"\d+",
        seed=r"\d+",
    params:
        training={k: POOLING[k] for k in ("steps", "batch_size", "lr", "eval_every")},
        device=config["device"],
    log:
        f"{LOGS}/pooling/{{pooling}}/n{{size}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/pooling/{{pooling}}/n{{size}}/seed{{seed}}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=15,
        gpu=0,  # a GPU cluster profile raises this with set-resources
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/train_pooling.py"


rule figure9:
    input:
        pooling_runs(),
    output:
        csv=f"{POOLING_DIR}/runs.csv",
        claims=f"{POOLING_DIR}/claims.csv",
        snippet=f"{POOLING_DIR}/claims.rst",
        table=report(
            f"{POOLING_DIR}/final_accuracy.html",
            caption="../report/pooling/table.rst",
            category=POOLING_CATEGORY,
            subcategory="Final accuracy",
            labels={"table": "final test accuracy by pooling and size"},
        ),
        figure=report(
            f"{POOLING_DIR}/figure9.png",
            caption="../report/pooling/figure9.rst",
            category=POOLING_CATEGORY,
            subcategory="Figure 9",
            labels={"figure": "Figure 9", "panel": "curves and final accuracy"},
        ),
    params:
        runs=pooling_run_keys(),
        curve_sizes=POOLING["curve_sizes"],
        claims=CLAIMS,
    log:
        f"{LOGS}/pooling/figure9.log",
    benchmark:
        f"{BENCHMARKS}/pooling/figure9.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/figure9.py"
