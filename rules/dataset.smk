# Paper section 3: the MNIST-1D dataset and its variants, Figure 1, Figure 3 and the
# pixel-space baselines. Later sections ask for data with dataset_path(dataset, variant).

DATASET_SECTION = config["dataset_section"]
SECTION_CATEGORY = section_category("dataset")
DATASET_DIR = section_folder("dataset")  # section 3 figures and tables
(TSNE_METHOD_SWITCH,) = section_switch_keys("dataset")


include: "paths/dataset.smk"


wildcard_constraints:
    dataset=name_pattern(config["datasets"]),
    variant=name_pattern([*config["variants"], *switched_variants()]),


rule generate_dataset:
    output:
        dataset_path("{dataset}"),
    log:
        f"{LOGS}/data/{{dataset}}/original.log",
    benchmark:
        f"{BENCHMARKS}/data/{{dataset}}/original.tsv"
    priority: 50  # seconds each, and the long prioritised jobs wait for them (Snakemake weighs priority among ready jobs only)
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(lambda wc: dataset_mem_mb(wc.dataset)),
        runtime=attempt_scaled(10),
    params:
        generator=lambda wc: generator_args(wc.dataset),
    script:
        "../scripts/generate_dataset.py"


rule make_variant:
    input:
        dataset_path("{dataset}"),
    output:
        dataset_path("{dataset}", "{variant}"),
    log:
        f"{LOGS}/data/{{dataset}}/{{variant}}.log",
    benchmark:
        f"{BENCHMARKS}/data/{{dataset}}/{{variant}}.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(lambda wc: dataset_mem_mb(wc.dataset)),
        runtime=attempt_scaled(10),
    params:
        variant=lambda wc: variant_settings(wc.variant),
    script:
        "../scripts/make_variant.py"


rule dataset_summary:
    input:
        original=section_dataset(),
        variants=[section_dataset(v) for v in DATASET_SECTION["variants"]],
    output:
        csv=f"{DATASET_DIR}/datasets.csv",
        html=report(
            f"{DATASET_DIR}/datasets.html",
            caption="../report/dataset/datasets.rst",
            category=SECTION_CATEGORY,
            subcategory="Datasets and variants",
            labels={"result": "summary of the generated files"},
        ),
    log:
        f"{LOGS}/dataset/dataset_summary.log",
    benchmark:
        f"{BENCHMARKS}/dataset/dataset_summary.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/summarize_datasets.py"


rule figure1_construction:
    output:
        report(
            f"{DATASET_DIR}/figure1_construction.png",
            caption="../report/dataset/figure1.rst",
            category=SECTION_CATEGORY,
            subcategory="Construction",
            labels={"result": "Figure 1: construction steps"},
        ),
    log:
        f"{LOGS}/dataset/figure1_construction.log",
    benchmark:
        f"{BENCHMARKS}/dataset/figure1_construction.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        generator=generator_args(DATASET_SECTION["dataset"]),
        example=DATASET_SECTION["construction_example"],
    script:
        "../scripts/plot_construction.py"


rule plot_examples:
    input:
        original=section_dataset(),
        variants=[section_dataset(v) for v in DATASET_SECTION["variants"]],
    output:
        examples=report(
            f"{DATASET_DIR}/examples_per_class.png",
            caption="../report/dataset/examples.rst",
            category=SECTION_CATEGORY,
            subcategory="Construction",
            labels={"result": "examples: training samples per class"},
        ),
        variants=report(
            f"{DATASET_DIR}/variants.png",
            caption="../report/dataset/variants.rst",
            category=SECTION_CATEGORY,
            subcategory="Datasets and variants",
            labels={"result": "one sample under each variant"},
        ),
    log:
        f"{LOGS}/dataset/plot_examples.log",
    benchmark:
        f"{BENCHMARKS}/dataset/plot_examples.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        per_class=DATASET_SECTION["examples_per_class"],
        variant_names=DATASET_SECTION["variants"],
    script:
        "../scripts/plot_examples.py"


# Deviation switch dataset_section.tsne.method: one job embeds the samples with the configured
# method (files as always) and with each alternative the sensitivity section lists (its
# embedding under results/dataset/tsne_method_<method>/); tsne_sensitivity.csv has the verdicts.
rule figure3_tsne:
    input:
        mnist1d=section_dataset(),
        mnist=MNIST_FILE,
    output:
        embeddings=[f"{DATASET_DIR}/tsne_embedding_mnist.csv", f"{DATASET_DIR}/tsne_embedding.csv"],
        alternatives=[
            f"{DATASET_DIR}/tsne_method_{method}/{name}"
            for method in switch_settings(TSNE_METHOD_SWITCH)[1:]
            for name in ("tsne_embedding_mnist.csv", "tsne_embedding.csv")
        ],
        claims=f"{DATASET_DIR}/tsne_claims.csv",
        sensitivity=f"{DATASET_DIR}/tsne_sensitivity.csv",
        snippet=f"{DATASET_DIR}/figure3_tsne.rst",
        figure=report(
            f"{DATASET_DIR}/figure3_tsne.png",
            caption="../report/dataset/figure3.rst",
            category=SECTION_CATEGORY,
            subcategory="Figure 3: t-SNE",
            labels={"figure": "Figure 3", "panel": "t-SNE of MNIST (a) and MNIST-1D (b)"},
        ),
    log:
        f"{LOGS}/dataset/figure3_tsne.log",
    benchmark:
        f"{BENCHMARKS}/dataset/figure3_tsne.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: numeric_threads(2)
    resources:
        mem_mb=attempt_scaled(4000),
        runtime=attempt_scaled(30),
    params:
        tsne=DATASET_SECTION["tsne"],
        methods=switch_settings(TSNE_METHOD_SWITCH),  # configured method first
        claims=CLAIMS,
    script:
        "../scripts/plot_tsne.py"


rule pixel_baselines:
    input:
        mnist1d=section_dataset(),
        mnist=MNIST_FILE,
    output:
        csv=f"{DATASET_DIR}/pixel_baselines.csv",
        snippet=f"{DATASET_DIR}/pixel_baselines.rst",
        html=report(
            f"{DATASET_DIR}/pixel_baselines.html",
            caption="../report/dataset/pixel_baselines.rst",
            category=SECTION_CATEGORY,
            subcategory="Pixel-space baselines",
            labels={"table": "kNN and logistic regression"},
        ),
    log:
        f"{LOGS}/dataset/pixel_baselines.log",
    benchmark:
        f"{BENCHMARKS}/dataset/pixel_baselines.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: numeric_threads(2)
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(10),
    params:
        neighbors=DATASET_SECTION["knn_neighbors"],
        linear_probe=config["linear_probe"],
        claims=CLAIMS,
    script:
        "../scripts/pixel_baselines.py"
