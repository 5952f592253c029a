# Paper section 5.5: self-supervised learning and the guillotine effect (Figure 8).
# One job per loss x projection-head depth x seed; one aggregation job.
#
# Deviation switches ssl.train_data, ssl.info_nce and linear_probe.tol (each job fits its own
# probes): the configured settings' files are
# results/ssl/<loss>/...; each alternative the sensitivity section lists reruns the InfoNCE jobs
# (every head depth and seed) with that one switch flipped, under results/ssl/<key>_<setting>/
# (e.g. results/ssl/info_nce_symmetric/info_nce/head2/seed42/). VICReg runs under the configured
# settings only. The configured InfoNCE jobs run ssl.seeds (the claims'); VICReg and the alternatives
# run ssl.ablation_seeds, and each alternative is compared with the configured setting on those.
# Deviation switch ssl.seeds (the seeds the claims are judged over): another seed set adds the
# InfoNCE jobs of its seeds beside the configured ones, in the same folders.

SSL = config["ssl"]
SSL_CATEGORY = section_category("ssl")
SSL_DIR = section_folder("ssl")
SSL_SWITCHES = section_switch_keys("ssl")


# deviation switches of section 5.5; the probe's tolerance reruns the jobs too (each job fits its probes)


include: "paths/ssl.smk"


rule train_ssl:
    input:
        dataset_path(SSL["dataset"]),
    output:
        metrics=f"{SSL_DIR}/{{ssl_setting}}{{loss}}/head{{head}}/seed{{seed}}/metrics.json",
        representation=f"{SSL_DIR}/{{ssl_setting}}{{loss}}/head{{head}}/seed{{seed}}/output_representation.npz",
    log:
        f"{LOGS}/ssl/{{ssl_setting}}{{loss}}/head{{head}}/seed{{seed}}.log",
    benchmark:
        f"{BENCHMARKS}/ssl/{{ssl_setting}}{{loss}}/head{{head}}/seed{{seed}}.tsv"
    wildcard_constraints:
        ssl_setting=switch_dir_pattern(SSL_SWITCHES),
        loss=name_pattern(SSL["losses"]),
        head=r"\d",
        seed=r"\d+",
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=attempt_scaled(3000),
        runtime=attempt_scaled(20),
        gpu=TRAINING_GPUS,
    params:
        settings=ssl_settings,
        linear_probe=ssl_linear_probe,
        device=config["device"],
    script:
        "../scripts/train_ssl.py"


rule figure8:
    input:
        metrics=ssl_runs("metrics.json"),
        sensitivity=ssl_sensitivity_runs("metrics.json"),
        tsne=ssl_tsne_input(),
    output:
        csv=f"{SSL_DIR}/probe_accuracy.csv",
        claims=f"{SSL_DIR}/claims.csv",
        sensitivity=f"{SSL_DIR}/sensitivity.csv",
        snippet=f"{SSL_DIR}/claims.rst",
        table=report(
            f"{SSL_DIR}/probe_accuracy.html",
            caption="../report/ssl/table.rst",
            category=SSL_CATEGORY,
            subcategory="Linear probes",
            labels={"table": "probe accuracy per layer"},
        ),
        figure=report(
            f"{SSL_DIR}/figure8.png",
            caption="../report/ssl/figure8.rst",
            category=SSL_CATEGORY,
            subcategory="Figure 8",
            labels={"figure": "Figure 8", "panel": "t-SNE and per-layer accuracy"},
        ),
    log:
        f"{LOGS}/ssl/figure8.log",
    benchmark:
        f"{BENCHMARKS}/ssl/figure8.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: numeric_threads(2)
    resources:
        mem_mb=3000,
        runtime=15,
    params:
        tsne=SSL["tsne"],
        claims=CLAIMS,
        switches={switch: switch_settings(switch) for switch in SSL_SWITCHES},  # configured setting first
        ablation_seeds=SSL["ablation_seeds"],  # what the alternatives of every switch but ssl.seeds ran
        test_samples=dataset_test_samples(SSL["dataset"]),  # what each probe's accuracy is measured on
    script:
        "../scripts/figure8.py"
