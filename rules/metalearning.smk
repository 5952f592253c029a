# Paper sections 5.3 and 5.4: gradient-based metalearning (Figures 6 and 7).
# Figure 6: one job per initial learning rate, each from the reference's initial weights and from
# every draw in init_seeds (deviation switch metalearning.learning_rate.initial_weights picks the
# runs the verdicts use; both always run). Figure 7: the activation-metalearning job, one job per
# baseline activation through the same inner loop, and the transfer ablation's jobs.
# These rules run on the CPU: every inner step is a handful of small sequential operations.
#
# Deviation switches of Figure 7 (metalearning.activation.seeding, .noise_draw, .test_noise):
# the configured settings' files are results/metalearning/activation/learned/... and
# .../activation/baselines/...; each alternative the sensitivity section lists, with the other
# switches as configured, adds the same files under results/metalearning/activation/<key>_<setting>/
# (e.g. seeding_fresh/). The transfer ablation uses the configured settings' activation.

METALEARNING = config["metalearning"]
METALEARNING_CATEGORY = section_category("metalearning_lr")  # 5.3 and 5.4 share a category and a folder
METALEARNING_DIR = section_folder("metalearning_lr")
(METALEARNING_LR_SWITCH,) = section_switch_keys("metalearning_lr")
# the switches whose other settings train their own jobs, and those read from the configured one's files
METALEARNING_ACTIVATION_SWITCHES = section_switch_keys("metalearning_activation", reruns_jobs=True)
METALEARNING_WINDOW_SWITCH, METALEARNING_CURVE_SWITCH, METALEARNING_ADVANTAGE_TEST_SWITCH = section_switch_keys(
    "metalearning_activation", reruns_jobs=False
)
LEARNED_ACTIVATION = f"{METALEARNING_DIR}/activation/learned/activation_net.npz"
# Figure 7's fresh test set (the advantage claims are judged on it) and the outer steps it scores:
# the last of every window the final_outer_steps switch reads
FRESH_TEST = dataset_path(METALEARNING["activation"]["fresh_test_dataset"])
FRESH_TEST_STEPS = max(switch_settings(METALEARNING_WINDOW_SWITCH))
# Measured per outer step at paper size: the code's 1 -> 100 -> 1 network about 2.5 s and 0.6 GB;
# the paper text's 1 -> 100 -> 100 -> 1 about 35 s and 3.8 GB (checkpointed).
DEEP_ACTIVATION_NET = len(METALEARNING["activation"]["activation_hidden"]) > 1


include: "paths/metalearning.smk"


rule metalearn_lr:
    input:
        dataset_path(METALEARNING["learning_rate"]["dataset"]),
    output:
        f"{METALEARNING_DIR}/learning_rate/lr{{lr}}.csv",
    log:
        f"{LOGS}/metalearning/learning_rate/lr{{lr}}.log",
    benchmark:
        f"{BENCHMARKS}/metalearning/learning_rate/lr{{lr}}.tsv"
    wildcard_constraints:
        lr=name_pattern(re.escape(name) for name in metalearning_lr_names()),
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(10),
    params:
        settings=METALEARNING["learning_rate"],
    script:
        "../scripts/metalearn_lr.py"


rule metalearn_activation:
    input:
        dataset=dataset_path(METALEARNING["activation"]["dataset"]),
        fresh_test=FRESH_TEST,
    output:
        history=f"{METALEARNING_DIR}/activation/{{setting}}learned/history.csv",
        shapes=f"{METALEARNING_DIR}/activation/{{setting}}learned/shapes.npz",
        network=f"{METALEARNING_DIR}/activation/{{setting}}learned/activation_net.npz",
        correct=f"{METALEARNING_DIR}/activation/{{setting}}learned/test_correct.npz",
    log:
        f"{LOGS}/metalearning/activation/{{setting}}learned.log",
    benchmark:
        f"{BENCHMARKS}/metalearning/activation/{{setting}}learned.tsv"
    wildcard_constraints:
        setting=switch_dir_pattern(METALEARNING_ACTIVATION_SWITCHES),
    priority: 50  # the longest job of the pipeline: start it first
    conda:
        "../envs/pipeline.yaml"
    # --set-threads metalearn_activation=2 computes the learned activation's blocks side by side: the same bytes,
    # measured 1.2-1.4 times as fast; one by default, as a two-core job can wait long for two cores to free at once
    threads: 1
    resources:
        mem_mb=attempt_scaled(6000 if DEEP_ACTIVATION_NET else 4000),
        runtime=attempt_scaled(300 if DEEP_ACTIVATION_NET else 90),
    params:
        settings=metalearning_activation_settings,
        fresh_test_steps=FRESH_TEST_STEPS,
    script:
        "../scripts/metalearn_activation.py"


rule activation_baseline:
    input:
        dataset=dataset_path(METALEARNING["activation"]["dataset"]),
        fresh_test=FRESH_TEST,
    output:
        history=f"{METALEARNING_DIR}/activation/{{setting}}baselines/{{baseline}}.csv",
        correct=f"{METALEARNING_DIR}/activation/{{setting}}baselines/{{baseline}}_correct.npz",
    log:
        f"{LOGS}/metalearning/activation/{{setting}}baselines/{{baseline}}.log",
    benchmark:
        f"{BENCHMARKS}/metalearning/activation/{{setting}}baselines/{{baseline}}.tsv"
    wildcard_constraints:
        setting=switch_dir_pattern(METALEARNING_ACTIVATION_SWITCHES),
        baseline=name_pattern(METALEARNING["activation"]["baselines"]),
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(1000),
        runtime=attempt_scaled(20),
    params:
        settings=metalearning_activation_settings,
        fresh_test_steps=FRESH_TEST_STEPS,
    script:
        "../scripts/activation_baseline.py"


rule transfer_activation:
    input:
        dataset=dataset_path(config["classification"]["dataset"]),
        network=lambda wc: LEARNED_ACTIVATION if wc.activation == "learned" else [],
    output:
        f"{METALEARNING_DIR}/transfer/{{activation}}/seed{{seed}}.json",
    log:
        f"{LOGS}/metalearning/transfer/{{activation}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/metalearning/transfer/{{activation}}/seed{{seed}}.tsv"
    wildcard_constraints:
        activation=name_pattern(METALEARNING["transfer"]["activations"]),
        seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(2000),
        runtime=attempt_scaled(20),
        gpu=TRAINING_GPUS,
    params:
        training={k: config["classification"][k] for k in ("steps", "batch_size", "lr", "eval_every")},
        elu_weight=METALEARNING["activation"]["elu_weight"],
        device=config["device"],
    script:
        "../scripts/transfer_activation.py"


rule figure6:
    input:
        metalearning_lr_runs(),
    output:
        claims=f"{METALEARNING_DIR}/learning_rate_claims.csv",
        snippet=f"{METALEARNING_DIR}/learning_rate_claims.rst",
        csv=f"{METALEARNING_DIR}/learning_rates.csv",
        table=report(
            f"{METALEARNING_DIR}/learning_rates.html",
            caption="../report/metalearning/learning_rates.rst",
            category=METALEARNING_CATEGORY,
            subcategory="Figure 6: learning rate",
            labels={"result": "final learning rate per start"},
        ),
        figure=report(
            f"{METALEARNING_DIR}/figure6.png",
            caption="../report/metalearning/figure6.rst",
            category=METALEARNING_CATEGORY,
            subcategory="Figure 6: learning rate",
            labels={"result": "Figure 6: learning rate and meta-loss"},
        ),
        sensitivity=f"{METALEARNING_DIR}/learning_rate_sensitivity.csv",
    log:
        f"{LOGS}/metalearning/figure6.log",
    benchmark:
        f"{BENCHMARKS}/metalearning/figure6.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        paper_lrs=metalearning_lr_names(["initial_lrs"]),
        switch=METALEARNING_LR_SWITCH,
        initial_weights=config_value(METALEARNING_LR_SWITCH),
        claims=CLAIMS,
    script:
        "../scripts/figure6.py"


rule figure7:
    input:
        histories=metalearning_activation_runs("history.csv"),
        shapes=metalearning_activation_runs("shapes.npz"),
        correct=metalearning_activation_runs("test_correct.npz"),
        baselines=[
            path for _, _, folder in metalearning_activation_variants() for path in metalearning_baseline_runs(folder)
        ],
        baselines_correct=[
            path
            for _, _, folder in metalearning_activation_variants()
            for path in metalearning_baseline_runs(folder, "_correct.npz")
        ],
        transfer=metalearning_transfer_runs(),
        network=LEARNED_ACTIVATION,
    output:
        claims=f"{METALEARNING_DIR}/activation_claims.csv",
        snippet=f"{METALEARNING_DIR}/activation_claims.rst",
        csv=f"{METALEARNING_DIR}/activation_accuracy.csv",
        table=report(
            f"{METALEARNING_DIR}/activation_accuracy.html",
            caption="../report/metalearning/activation_accuracy.rst",
            category=METALEARNING_CATEGORY,
            subcategory="Figure 7: activation function",
            labels={"result": "test accuracy per activation"},
        ),
        figure=report(
            f"{METALEARNING_DIR}/figure7.png",
            caption="../report/metalearning/figure7.rst",
            category=METALEARNING_CATEGORY,
            subcategory="Figure 7: activation function",
            labels={"result": "Figure 7: shape, accuracy and meta-loss"},
        ),
        transfer=report(
            f"{METALEARNING_DIR}/transfer.html",
            caption="../report/metalearning/transfer.rst",
            category=METALEARNING_CATEGORY,
            subcategory="Figure 7: activation function",
            labels={"result": "transfer to Table 1's MLP"},
        ),
        sensitivity=f"{METALEARNING_DIR}/activation_sensitivity.csv",
    log:
        f"{LOGS}/metalearning/figure7.log",
    benchmark:
        f"{BENCHMARKS}/metalearning/figure7.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        # (switch, setting) of each input's setting, in input order: the configured one is (None, None)
        variants=[(switch, setting) for switch, setting, _ in metalearning_activation_variants()],
        configured={switch: config_value(switch) for switch in METALEARNING_ACTIVATION_SWITCHES},
        switches={
            switch: switch_settings(switch)
            for switch in config["sensitivity"]
            if switch in METALEARNING_ACTIVATION_SWITCHES
        },
        baselines=METALEARNING["activation"]["baselines"],
        final_outer_steps=METALEARNING["activation"]["final_outer_steps"],
        fresh_test_dataset=METALEARNING["activation"]["fresh_test_dataset"],
        window_settings=switch_settings(METALEARNING_WINDOW_SWITCH),  # configured setting first
        curve_settings=switch_settings(METALEARNING_CURVE_SWITCH),
        advantage_test_settings=switch_settings(METALEARNING_ADVANTAGE_TEST_SWITCH),
        curve_range=METALEARNING["activation"]["curve_range"],
        elu_weight=METALEARNING["activation"]["elu_weight"],
        claims=CLAIMS,
    script:
        "../scripts/figure7.py"
