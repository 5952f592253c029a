# Paper section 4: Table 1, Figure 2 and Figure S1. One training job per
# variant x model x seed; one aggregation job for the table and figures.

CLASSIFICATION = config["classification"]
CLASSIFICATION_CATEGORY = section_category("classification")
CLASSIFICATION_DIR = section_folder("classification")
CLASSIFICATION_PROTOCOL_SWITCH, CLASSIFICATION_SEEDING_SWITCH = section_switch_keys("classification")
MLP_SWEEP = CLASSIFICATION["mlp_sweep"]


include: "paths/classification.smk"


rule import_mnist:
    input:
        CLASSIFICATION["mnist"] or [],
    output:
        MNIST_FILE,
    log:
        f"{LOGS}/data/external/mnist.log",
    benchmark:
        f"{BENCHMARKS}/data/external/mnist.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(10),
    params:
        local=CLASSIFICATION["mnist"],
        subset=CLASSIFICATION["mnist_subset"],
    script:
        "../scripts/import_mnist.py"


# {setting}: "" for the configured classification.torch_seeding, else an alternative's folder
# (torch_seeding_<setting>/), which holds Table 1's eight MNIST-1D cells only.
rule train_classifier:
    input:
        classification_input,
    output:
        metrics=f"{CLASSIFICATION_DIR}/{{setting}}{{variant}}/{{model}}/seed{{seed}}/metrics.json",
        curves=f"{CLASSIFICATION_DIR}/{{setting}}{{variant}}/{{model}}/seed{{seed}}/curves.csv",
        confusion=f"{CLASSIFICATION_DIR}/{{setting}}{{variant}}/{{model}}/seed{{seed}}/confusion.csv",
    log:
        f"{LOGS}/classification/{{setting}}{{variant}}/{{model}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/classification/{{setting}}{{variant}}/{{model}}/seed{{seed}}.tsv"
    wildcard_constraints:
        setting=switch_dir_pattern([CLASSIFICATION_SEEDING_SWITCH]),
        variant=name_pattern(classification_variants()),
        model=name_pattern(CLASSIFICATION["models"]),
        seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(lambda wc: 30 if wc.model == "gru" else 10),
        gpu=TRAINING_GPUS,
    params:
        model=lambda wc: wc.model,
        model_options={},
        variant=lambda wc: wc.variant,
        training=TABLE1_TRAINING,
        validation=CLASSIFICATION["validation"],
        device=config["device"],
        torch_seeding=lambda wc: switched_section("classification", [CLASSIFICATION_SEEDING_SWITCH], wc.setting)[
            "torch_seeding"
        ],
    script:
        "../scripts/train_classifier.py"


rule table1:
    input:
        metrics=classification_runs("metrics.json"),
        curves=classification_runs("curves.csv"),
        confusion=classification_runs("confusion.csv"),
        seeding_metrics=seeding_alternative_runs("metrics.json"),
        seeding_curves=seeding_alternative_runs("curves.csv"),
        seeding_confusion=seeding_alternative_runs("confusion.csv"),
        mnist=MNIST_FILE,
    output:
        csv=f"{CLASSIFICATION_DIR}/table1.csv",
        cost_csv=f"{CLASSIFICATION_DIR}/cost_mnist_vs_mnist1d.csv",
        claims=f"{CLASSIFICATION_DIR}/claims.csv",
        sensitivity=f"{CLASSIFICATION_DIR}/sensitivity.csv",
        snippet=f"{CLASSIFICATION_DIR}/table1.rst",
        html=report(
            f"{CLASSIFICATION_DIR}/table1.html",
            caption="../report/classification/table1.rst",
            category=CLASSIFICATION_CATEGORY,
            subcategory="Table 1",
            labels={"result": "Table 1: test accuracy, paper vs ours"},
        ),
        figure2=report(
            f"{CLASSIFICATION_DIR}/figure2.png",
            caption="../report/classification/figure2.rst",
            category=CLASSIFICATION_CATEGORY,
            subcategory="Figure 2",
            labels={"figure": "Figure 2", "content": "accuracy curves"},
        ),
        figure_s1=report(
            f"{CLASSIFICATION_DIR}/figureS1.png",
            caption="../report/classification/figureS1.rst",
            category=CLASSIFICATION_CATEGORY,
            subcategory="Figure S1",
            labels={"figure": "Figure S1", "content": "CNN per-class test error"},
        ),
        cost=report(
            f"{CLASSIFICATION_DIR}/cost_mnist_vs_mnist1d.html",
            caption="../report/classification/cost.rst",
            category=CLASSIFICATION_CATEGORY,
            subcategory="Cost: MNIST vs MNIST-1D",
            labels={"table": "cost per model", "content": "time per step, parameters, time to final accuracy"},
        ),
    log:
        f"{LOGS}/classification/table1.log",
    benchmark:
        f"{BENCHMARKS}/classification/table1.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        runs=classification_run_keys(),
        benchmarks=[
            f"{BENCHMARKS}/classification/{variant}/{model}/seed{seed}.tsv"
            for variant, model, seed in classification_run_keys()
        ],
        protocol=CLASSIFICATION["protocol"],
        protocols=switch_settings(CLASSIFICATION_PROTOCOL_SWITCH),
        torch_seeding=CLASSIFICATION["torch_seeding"],
        seeding_runs=seeding_alternative_run_keys(),
        claims=CLAIMS,
    script:
        "../scripts/table1.py"


# The MLP's 68 %: Table 1's MLP job with some training settings changed, on the original data.
rule train_mlp_sweep:
    input:
        dataset_path(CLASSIFICATION["dataset"]),
    output:
        metrics=f"{CLASSIFICATION_DIR}/mlp_sweep/{{setting}}/seed{{seed}}/metrics.json",
        curves=f"{CLASSIFICATION_DIR}/mlp_sweep/{{setting}}/seed{{seed}}/curves.csv",
        confusion=f"{CLASSIFICATION_DIR}/mlp_sweep/{{setting}}/seed{{seed}}/confusion.csv",
    log:
        f"{LOGS}/classification/mlp_sweep/{{setting}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/classification/mlp_sweep/{{setting}}/seed{{seed}}.tsv"
    wildcard_constraints:
        setting=name_pattern(mlp_sweep_settings()),
        seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(lambda wc: 5 + mlp_sweep_options(wc.setting)[0]["steps"] // 1000),
        gpu=TRAINING_GPUS,
    params:
        model="mlp",
        model_options=lambda wc: mlp_sweep_options(wc.setting)[1],
        variant="original",
        training=lambda wc: mlp_sweep_options(wc.setting, wc.seed)[0],
        validation=CLASSIFICATION["validation"],
        device=config["device"],
        torch_seeding="per_job",  # the sweep asks about training settings; the notebook's stream has no sweep
    script:
        "../scripts/train_classifier.py"


rule mlp_sweep:
    input:
        curves=mlp_sweep_runs("curves.csv"),
    output:
        csv=f"{CLASSIFICATION_DIR}/mlp_sweep.csv",
        snippet=f"{CLASSIFICATION_DIR}/mlp_sweep.rst",
        html=report(
            f"{CLASSIFICATION_DIR}/mlp_sweep.html",
            caption="../report/classification/mlp_sweep.rst",
            category=CLASSIFICATION_CATEGORY,
            subcategory="Table 1",
            labels={"result": "MLP sweep: which settings reach the paper's 68 %"},
        ),
    log:
        f"{LOGS}/classification/mlp_sweep.log",
    benchmark:
        f"{BENCHMARKS}/classification/mlp_sweep.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        runs=mlp_sweep_run_keys(),
        settings=mlp_sweep_settings(),
        base=TABLE1_TRAINING,
        target=MLP_SWEEP["target"],
        band=MLP_SWEEP["band"],
        protocol=CLASSIFICATION["protocol"],
    script:
        "../scripts/mlp_sweep.py"
