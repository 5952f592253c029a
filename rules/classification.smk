# Paper section 4: Table 1, Figure 2 and Figure S1. One training job per
# variant x model x seed; one aggregation job for the table and figures.

CLASSIFICATION = config["classification"]
CLASSIFICATION_CATEGORY = "4. Classification"


rule import_mnist:
    input:
        CLASSIFICATION["mnist"] or [],
    output:
        MNIST_FILE,
    log:
        f"{LOGS}/data/external/mnist.log",
    benchmark:
        f"{BENCHMARKS}/data/external/mnist.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/import_mnist.py"


rule train_classifier:
    input:
        classification_input,
    output:
        metrics=f"{CLASSIFICATION_DIR}/{{variant}}/{{model}}/seed{{seed}}/metrics.json",
        curves=f"{CLASSIFICATION_DIR}/{{variant}}/{{model}}/seed{{seed}}/curves.csv",
        confusion=f"{CLASSIFICATION_DIR}/{{variant}}/{{model}}/seed{{seed}}/confusion.csv",
    wildcard_constraints:
        variant=name_pattern(classification_variants()),
        model=name_pattern(CLASSIFICATION["models"]),
        seed=r"\d+",
    params:
        training={k: CLASSIFICATION[k] for k in ("steps", "batch_size", "lr", "eval_every")},
        validation=CLASSIFICATION["validation"],
        device=config["device"],
    log:
        f"{LOGS}/classification/{{variant}}/{{model}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/classification/{{variant}}/{{model}}/seed{{seed}}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=lambda wc: 30 if wc.model == "gru" else 10,
        gpu=0,  # a GPU cluster profile raises this with set-resources
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/train_classifier.py"


rule table1:
    input:
        metrics=classification_runs("metrics.json"),
        curves=classification_runs("curves.csv"),
        confusion=classification_runs("confusion.csv"),
    output:
        csv=f"{CLASSIFICATION_DIR}/table1.csv",
        claims=f"{CLASSIFICATION_DIR}/claims.csv",
        snippet=f"{CLASSIFICATION_DIR}/table1.rst",
        html=report(
            f"{CLASSIFICATION_DIR}/table1.html",
            caption="../report/classification/table1.rst",
            category=CLASSIFICATION_CATEGORY,
            subcategory="Table 1",
            labels={"table": "Table 1", "content": "test accuracy, paper vs ours"},
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
    params:
        runs=classification_run_keys(),
        claims=CLAIMS,
    log:
        f"{LOGS}/classification/table1.log",
    benchmark:
        f"{BENCHMARKS}/classification/table1.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../envs/pipeline.yaml"
    script:
        "../scripts/table1.py"
