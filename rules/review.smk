# The review a reproducibility reviewer reads first: every claim with its verdict, where this
# pipeline departs from the paper or the reference code, and what produced the numbers.

REVIEW_CATEGORY = "1. Review"


rule review_claims:
    input:
        section_files("claims_tables"),
    output:
        csv=f"{REVIEW_DIR}/claims.csv",
        snippet=f"{REVIEW_DIR}/claims.rst",
        # the report lists a subcategory's items by their labels' text: the plot first
        plot=report(
            f"{REVIEW_DIR}/verdicts.png",
            caption="../report/review/verdicts.rst",
            category=REVIEW_CATEGORY,
            subcategory="Did it reproduce?",
            labels={"result": "1. every verdict at a glance (plot)"},
        ),
        table=report(
            f"{REVIEW_DIR}/claims.html",
            caption="../report/review/claims.rst",
            category=REVIEW_CATEGORY,
            subcategory="Did it reproduce?",
            labels={"result": "2. every claim and its verdict (table)"},
        ),
    log:
        f"{LOGS}/review/claims.log",
    benchmark:
        f"{BENCHMARKS}/review/claims.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        claims=CLAIMS,
        figures=CLAIM_FIGURES,
    script:
        "../scripts/review_claims.py"


rule review_deviations:
    input:
        DEVIATIONS,
    output:
        csv=f"{REVIEW_DIR}/deviations.csv",
        table=report(
            f"{REVIEW_DIR}/deviations.html",
            caption="../report/review/deviations.rst",
            category=REVIEW_CATEGORY,
            subcategory="Deviations",
            labels={"table": "paper, reference code and this pipeline"},
        ),
    log:
        f"{LOGS}/review/deviations.log",
    benchmark:
        f"{BENCHMARKS}/review/deviations.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/review_deviations.py"


rule provenance:
    input:
        section_files("outputs"),
        f"{REVIEW_DIR}/claims.csv",
    output:
        json=f"{REVIEW_DIR}/provenance.json",
        cost=f"{REVIEW_DIR}/cost.csv",
        scale_out=f"{REVIEW_DIR}/scale_out.csv",
        critical_path=f"{REVIEW_DIR}/critical_path.csv",
        page=report(
            f"{REVIEW_DIR}/provenance.html",
            caption="../report/review/provenance.rst",
            category=REVIEW_CATEGORY,
            subcategory="Provenance and cost",
            labels={"table": "commit, config, versions, hardware, cost per section"},
        ),
    log:
        f"{LOGS}/review/provenance.log",
    benchmark:
        f"{BENCHMARKS}/review/provenance.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        config=config,
        basedir=workflow.basedir,
        benchmarks=BENCHMARKS,
        logs=LOGS,
        results=lambda wildcards, output: os.path.dirname(os.path.dirname(output.json)),  # the results folder
        sections=registry.folder_categories(),
        scale_out=config["scale_out"],
        metadata=".snakemake/metadata",  # Snakemake's record of every job's inputs, outputs and times
        snakemake_logs=".snakemake/log",  # this invocation's log names its core count
        rule_priority=lambda wildcards: {rule.name: rule.priority for rule in workflow.rules},
    script:
        "../scripts/provenance.py"


rule review_sensitivity:
    input:
        tables=section_files("sensitivity_tables"),
        claims=f"{REVIEW_DIR}/claims.csv",
        deviations=DEVIATIONS,
    output:
        runs=f"{REVIEW_DIR}/sensitivity_runs.csv",
        csv=f"{REVIEW_DIR}/sensitivity.csv",
        snippet=f"{REVIEW_DIR}/sensitivity.rst",
        table=report(
            f"{REVIEW_DIR}/sensitivity.html",
            caption="../report/review/sensitivity.rst",
            category=REVIEW_CATEGORY,
            subcategory="Deviation sensitivity",
            labels={"table": "claim × deviation: verdict under each setting"},
        ),
    log:
        f"{LOGS}/review/sensitivity.log",
    benchmark:
        f"{BENCHMARKS}/review/sensitivity.tsv"
    conda:
        "../envs/pipeline.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/review_sensitivity.py"
