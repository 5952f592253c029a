# Reproduction of "Scaling Down Deep Learning with MNIST-1D" (Greydanus & Kobak, ICML 2024).
#   snakemake --cores 8                          paper scale (config/config.yaml)
#   snakemake --cores 2 --configfile config/quick.yaml   quick run
#   snakemake --report results/report.html       the HTML report, after a run
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "rules/common.smk"


report: "report/workflow.rst"


# One rules file per paper section.
include: "rules/dataset.smk"
include: "rules/classification.smk"
include: "rules/lottery.smk"
include: "rules/double_descent.smk"
include: "rules/metalearning.smk"
include: "rules/ssl.smk"
include: "rules/pooling.smk"
include: "rules/review.smk"


rule all:
    default_target: True
    input:
        section_files("outputs"),
        review_outputs(),
