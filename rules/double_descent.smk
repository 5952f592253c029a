# Paper section 5.2: deep double descent (Figure 5) and its label-noise and loss ablations.
# One job per series x width x seed; one aggregation job for the figures and verdicts.
#
# Deviation switch double_descent.mlp_hidden_layers (the MLP's depth; 2 in the reference code, 1 in
# the paper's text): the configured depth's files are results/double_descent/<series>/...; each
# alternative the sensitivity section lists reruns Figure 5's MLP series (every width and seed)
# under results/double_descent/mlp_hidden_layers_<setting>/<series>/width<w>/seed<s>/.
# Deviation switch double_descent.error_storage (errors kept as measured or cut to whole percents,
# as the reference keeps them) reruns nothing: the aggregation reads the claims under each setting.
# Deviation switch variants.label_noise_15.draw (which training labels the noise redraws): each
# alternative reruns the series a claim reads on that variant (every width and seed) under
# results/double_descent/draw_<setting>/<series>/..., on the variant made with that draw
# (results/data/<dataset>/label_noise_15_draw_<setting>.npz).

from mnist1d_repro.sections.double_descent import sensitivity_series as double_descent_sensitivity_series
from mnist1d_repro.sections.double_descent import series_seeds as double_descent_series_seeds
from mnist1d_repro.sections.double_descent import draw_series as double_descent_draw_series

DOUBLE_DESCENT = config["double_descent"]
DOUBLE_DESCENT_CATEGORY = section_category("double_descent")
DOUBLE_DESCENT_DIR = section_folder("double_descent")
(
    DOUBLE_DESCENT_DEPTH_SWITCH,
    DOUBLE_DESCENT_ERROR_STORAGE_SWITCH,
    DOUBLE_DESCENT_DRAW_SWITCH,
) = section_switch_keys("double_descent")


include: "paths/double_descent.smk"


rule train_double_descent:
    input:
        double_descent_dataset,
    output:
        f"{DOUBLE_DESCENT_DIR}/{{setting}}{{series}}/width{{width}}/seed{{seed}}/metrics.json",
    log:
        f"{LOGS}/double_descent/{{setting}}{{series}}/width{{width}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/double_descent/{{setting}}{{series}}/width{{width}}/seed{{seed}}.tsv"
    wildcard_constraints:
        setting=switch_dir_pattern([DOUBLE_DESCENT_DEPTH_SWITCH, DOUBLE_DESCENT_DRAW_SWITCH]),
        series=name_pattern(DOUBLE_DESCENT["series"]),
        width=r"\d+",
        seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(lambda wc: 60 if DOUBLE_DESCENT["series"][wc.series]["model"] == "cnn" else 20),
        gpu=TRAINING_GPUS,
    params:
        series=lambda wc: DOUBLE_DESCENT["series"][wc.series],
        mlp_hidden_layers=double_descent_mlp_hidden_layers,
        training={k: DOUBLE_DESCENT[k] for k in ("epochs", "batch_size", "lr", "momentum")},
        device=config["device"],
    script:
        "../scripts/train_double_descent.py"


rule figure5:
    input:
        runs=double_descent_runs(),
        sensitivity=double_descent_sensitivity_runs(),
        draw_sensitivity=[path for paths in double_descent_draw_runs().values() for path in paths],
    output:
        csv=f"{DOUBLE_DESCENT_DIR}/runs.csv",
        summary=f"{DOUBLE_DESCENT_DIR}/summary.csv",
        per_seed=f"{DOUBLE_DESCENT_DIR}/per_seed.csv",
        claims=f"{DOUBLE_DESCENT_DIR}/claims.csv",
        sensitivity=f"{DOUBLE_DESCENT_DIR}/sensitivity.csv",
        snippet=f"{DOUBLE_DESCENT_DIR}/claims.rst",
        table=report(
            f"{DOUBLE_DESCENT_DIR}/summary.html",
            caption="../report/double_descent/summary.rst",
            category=DOUBLE_DESCENT_CATEGORY,
            subcategory="Verdicts",
            labels={"table": "thresholds, peaks and verdicts"},
        ),
        figure5=report(
            f"{DOUBLE_DESCENT_DIR}/figure5.png",
            caption="../report/double_descent/figure5.rst",
            category=DOUBLE_DESCENT_CATEGORY,
            subcategory="Figure 5",
            labels={"figure": "Figure 5", "panel": "a-c"},
        ),
        noise=report(
            f"{DOUBLE_DESCENT_DIR}/noise_ablation.png",
            caption="../report/double_descent/noise_ablation.rst",
            category=DOUBLE_DESCENT_CATEGORY,
            subcategory="Ablations",
            labels={"figure": "ablation", "panel": "label-noise rate"},
        ),
        loss=report(
            f"{DOUBLE_DESCENT_DIR}/loss_ablation.png",
            caption="../report/double_descent/loss_ablation.rst",
            category=DOUBLE_DESCENT_CATEGORY,
            subcategory="Ablations",
            labels={"figure": "ablation", "panel": "MSE vs cross-entropy"},
        ),
    log:
        f"{LOGS}/double_descent/figure5.log",
    benchmark:
        f"{BENCHMARKS}/double_descent/figure5.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        runs=double_descent_run_keys(),
        settings=DOUBLE_DESCENT,
        claims=CLAIMS,
        mlp_hidden_layers=switch_settings(DOUBLE_DESCENT_DEPTH_SWITCH),  # configured setting first
        error_storages=switch_settings(DOUBLE_DESCENT_ERROR_STORAGE_SWITCH),
        label_noise_draws=switch_settings(DOUBLE_DESCENT_DRAW_SWITCH),
        draw_runs=double_descent_draw_runs(),  # alternative draw -> its runs
        draw_series=double_descent_draw_series(DOUBLE_DESCENT),
    script:
        "../scripts/figure5.py"
