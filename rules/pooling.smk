# Paper section 5.6: pooling versus training-set size (Figure 9).
# One job per pooling variant x training size x seed; one aggregation job.
#
# Deviation switch pooling.train_sets: per_size (the reference) trains each size on its own
# generated dataset, results/data/<pooling.dataset>_n<size>/original.npz (registered in
# rules/common.smk); nested trains on the first n samples of pooling.dataset. The configured
# setting's files are results/pooling/<pooling>/n<size>/seed<seed>/; each alternative the
# sensitivity section lists reruns every job under results/pooling/train_sets_<setting>/.

from mnist1d_repro.pooling import per_size_name

POOLING = config["pooling"]
POOLING_CATEGORY = section_category("pooling")
POOLING_DIR = section_folder("pooling")
(POOLING_TRAIN_SETS_SWITCH,) = section_switch_keys("pooling")


include: "paths/pooling.smk"


rule train_pooling:
    input:
        pooling_input,
    output:
        f"{POOLING_DIR}/{{train_sets}}{{pooling}}/n{{size}}/seed{{seed}}/metrics.json",
    log:
        f"{LOGS}/pooling/{{train_sets}}{{pooling}}/n{{size}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/pooling/{{train_sets}}{{pooling}}/n{{size}}/seed{{seed}}.tsv"
    wildcard_constraints:
        train_sets=switch_dir_pattern([POOLING_TRAIN_SETS_SWITCH]),
        pooling=name_pattern(POOLING["poolings"]),
        size=r"\d+",
        seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(15),
        gpu=TRAINING_GPUS,
    params:
        train_sets=pooling_train_sets,
        training={k: POOLING[k] for k in ("steps", "batch_size", "lr", "eval_every")},
        device=config["device"],
    script:
        "../scripts/train_pooling.py"


rule figure9:
    input:
        runs=pooling_runs(),
        sensitivity=pooling_sensitivity_runs(),
    output:
        csv=f"{POOLING_DIR}/runs.csv",
        claims=f"{POOLING_DIR}/claims.csv",
        sensitivity=f"{POOLING_DIR}/sensitivity.csv",
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
    log:
        f"{LOGS}/pooling/figure9.log",
    benchmark:
        f"{BENCHMARKS}/pooling/figure9.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        runs=pooling_run_keys(),
        curve_sizes=POOLING["curve_sizes"],
        claims=CLAIMS,
        train_sets=switch_settings(POOLING_TRAIN_SETS_SWITCH),  # configured setting first
    script:
        "../scripts/figure9.py"
