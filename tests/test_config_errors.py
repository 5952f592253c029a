"""A bad config stops the workflow with one message naming the key, before any job runs. Each
case is checked in-process against the checks the workflow runs when it is parsed
(config_checks.validate_config); a few, and those only the workflow can check, end to end."""
import copy

import pytest
import yaml

from mnist1d_repro.registry import SWITCHES

from conftest import ROOT, config_of, copy_workflow, run_snakemake

BAD_CONFIGS = [
    ("bogus_key: 1", ["(top level)", "bogus_key"]),
    ("generator: {num_sample: 5}", ["'generator'", "num_sample"]),
    ("generator: {num_samples: many}", ["generator.num_samples", "not of type 'integer'"]),
    ("generator: {num_samples: -5}", ["generator.num_samples", "minimum"]),
    ("datasets: {big: {train_split: 1.5}}", ["datasets.big.train_split"]),
    ("generator: {padding: [60, 36]}", ["'generator'", "padding"]),
    ("variants: {noisy: {kind: label_noise, rate: 1.5, seed: 0}}", ["variants.noisy.rate", "maximum"]),
    ("variants: {rot: {kind: rotate}}", ["variants.rot.kind", "rotate"]),
    ("variants: {sh: {kind: shuffle}}", ["variants.sh", "'seed' is a required property"]),
    ("variants: {cs: {kind: chunk_swap, order: [1, 2, 3]}}", ["variants.cs.order", "3 chunks"]),
    ("dataset_section: {variants: [nope]}", ["dataset_section.variants", "'nope'"]),
    ("dataset_section: {dataset: mnist2d}", ["dataset_section.dataset", "'mnist2d'"]),
    ("classification: {variants: [original, flipped_typo]}", ["classification.variants", "'flipped_typo'"]),
    ("classification: {models: [cnn, resnet]}", ["classification.models", "resnet"]),
    ("classification: {mnist: /no/such/mnist}", ["classification.mnist", "/no/such/mnist"]),
    ("classification: {protocol: best}", ["classification.protocol", "best"]),
    ("classification: {mlp_sweep: {settings: [{name: a, lr: 0.1}, {name: a}]}}",
     ["classification.mlp_sweep.settings", "repeated names ['a']"]),
    ("classification: {mlp_sweep: {settings: [{name: a, momentum: 0.9}]}}",
     ["classification.mlp_sweep.settings.0", "momentum"]),
    ("sensitivity: {ssl.info_nce: [both_ways]}", ["sensitivity.ssl.info_nce", "both_ways"]),
    ("sensitivity: {ssl.no_such_switch: [x]}", ["sensitivity.ssl.no_such_switch"]),
    ("sensitivity: {lottery.score_weights: [last_checkpoint]}", ["sensitivity.lottery.score_weights",
                                                                "is the configured setting"]),
    ("sensitivity: {generator.scale_coeff: [0.5]}", ["sensitivity.generator.scale_coeff", "no section runs"]),
    ("double_descent: {figure5: [mlp_clean, cnn_noise_15, mlp_noise_15]}", ["double_descent.figure5", "in order"]),
    ("device: tpu", ["'device'", "tpu"]),
    ("classification: {lr: .nan}", ["classification.lr", "not a finite number"]),
    ("classification: {validation: {fraction: 0.0001, seed: 0}}", ["classification.validation.fraction", "holds out 0"]),
    ("datasets: {tiny: {num_samples: 10, train_split: 0.05}}", ["datasets.tiny", "0 training"]),
    ("generator: {num_samples: 10000000000}", ["'generator'", "at most 10,000,000"]),
    ("classification: {validation: {fraction: 0.9999, seed: 0}}", ["classification.validation.fraction", "leave at least one"]),
    ("metalearning: {activation: {final_outer_steps: 500}}",
     ["metalearning.activation.final_outer_steps", "outer_steps"]),
    ("linear_probe: {tol: 0, max_iter: 1000}", ["linear_probe.tol"]),
    ("linear_probe: {tol: 0.01, max_iter: 0}", ["linear_probe.max_iter", "minimum"]),
    ("ssl: {tsne: {head_layers: 2, loss: info_nce, perplexity: 2000.0, seed: 0}}", ["ssl.tsne.perplexity", "4000"]),
    ("double_descent: {figure5: [mlp_clean, mlp_noise_15]}", ["double_descent.figure5"]),
    ("sensitivity: {linear_probe.tol: [-1]}", ["sensitivity.linear_probe.tol", "-1"]),
    ("dataset_section: {knn_neighbors: 5000}", ["dataset_section.knn_neighbors", "4000 training samples"]),
    ("dataset_section: {tsne: {method: opentsne, perplexity: 2000.0, seeds: [0]}}",
     ["dataset_section.tsne.perplexity", "5000"]),
    ("variants: {few: {kind: train_subset, size: 9000}}\nclassification: {variants: [original, few]}",
     ["variants.few.size", "has 4000"]),
    ("lottery: {chain: {lr: .inf}}", ["lottery.chain.lr", "not a finite number"]),
    ("pooling: {train_sizes: [1000, 60000]}", ["pooling.train_sizes", "60000"]),
    ("pooling: {poolings: [max, median]}", ["pooling.poolings", "median"]),
    ("double_descent: {series: {x: {model: mlp, variant: nope, loss: mse}}}",
     ["double_descent.series.x.variant", "'nope'"]),
    ("lottery: {ticket_level: 100}", ["lottery.ticket_level", "levels 0..99"]),
    ("lottery: {schedules: {paper: {levels: 10, final_sparsity: 1.5}}}",
     ["lottery.schedules.paper.final_sparsity", "maximum"]),
    ("lottery: {random_schedules: [slow]}", ["lottery.random_schedules", "'slow'"]),
    ("lottery: {asymptotic: {variants: [original, upside_down]}}", ["lottery.asymptotic.variants", "'upside_down'"]),
    ("lottery: {asymptotic: {networks: [dense, winning]}}", ["lottery.asymptotic.networks", "winning"]),
    ("metalearning: {activation: {baselines: [relu, gelu]}}", ["metalearning.activation.baselines", "gelu"]),
    ("metalearning: {activation: {meta_loss_last_steps: 400}}",
     ["metalearning.activation.meta_loss_last_steps", "inner_steps"]),
    ("metalearning: {learning_rate: {initial_lrs: [0.15, -1]}}", ["metalearning.learning_rate.initial_lrs", "-1"]),
    ("classification: {seeds: [42.0]}", ["classification.seeds[0]", "42.0", "whole number"]),
    ("variants: {shuffled: {kind: shuffle, seed: 3.0}}", ["variants.shuffled.seed", "whole number"]),
    ("double_descent: {seeds: [0, 1.0]}", ["double_descent.seeds[1]", "whole number"]),
    ("metalearning: {learning_rate: {initial_lrs: [0.15, 0.1500001, 1.5]}}",
     ["metalearning.learning_rate.initial_lrs", "0.1500001", "6 significant digits"]),
    ("metalearning: {learning_rate: {initial_lrs: [1.23456789]}}",
     ["metalearning.learning_rate.initial_lrs", "1.23456789"]),
    ("metalearning: {learning_rate: {ablation_initial_lrs: [1.5]}}",
     ["metalearning.learning_rate.ablation_initial_lrs", "1.5"]),
]


# A few of the cases above end to end, to show the same messages reach the user through Snakemake.
END_TO_END = [case for case in BAD_CONFIGS if case[0] in (
    "bogus_key: 1", "classification: {lr: .nan}", "classification: {mnist: /no/such/mnist}",
    "double_descent: {figure5: [mlp_clean, cnn_noise_15, mlp_noise_15]}",
    "sensitivity: {generator.scale_coeff: [0.5]}")]
IN_PROCESS = BAD_CONFIGS


@pytest.fixture(scope="module")
def paper_config():
    return config_of(ROOT, None)


@pytest.mark.parametrize("text,expected", IN_PROCESS, ids=[c[0] for c in IN_PROCESS])
def test_bad_config_is_refused_naming_the_key(paper_config, text, expected):
    from snakemake.utils import update_config

    from mnist1d_repro.config_checks import ConfigError, validate_config

    config = copy.deepcopy(paper_config)
    update_config(config, yaml.safe_load(text))
    with pytest.raises(ConfigError) as error:
        validate_config(config, ROOT / "config" / "schema.yaml", SWITCHES)
    message = str(error.value)
    assert message.startswith("config error") and "\n" not in message.strip(), message
    for fragment in expected:
        assert fragment in message, message


def test_the_paper_and_quick_configs_pass_the_same_checks():
    from mnist1d_repro.config_checks import validate_config

    for override in (None, "quick.yaml"):
        validate_config(config_of(ROOT, override), ROOT / "config" / "schema.yaml", SWITCHES)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return copy_workflow(tmp_path_factory.mktemp("badconfig"))


@pytest.mark.parametrize("text,expected", END_TO_END, ids=[c[0] for c in END_TO_END])
def test_bad_config_is_named_before_any_job(workdir, text, expected):
    (workdir / "bad.yaml").write_text(text + "\n")
    # a dry run: if a check regresses, the run must not start the paper-scale pipeline
    proc = run_snakemake(workdir, "-n", "--configfile", "bad.yaml", check=False, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "config error" in output
    for fragment in expected:
        assert fragment in output, output
    assert not (workdir / "results").exists()


def test_missing_config_file_is_named(workdir):
    proc = run_snakemake(workdir, "-n", "--configfile", "no_such_config.yaml", check=False)
    assert proc.returncode != 0
    assert "no_such_config.yaml" in proc.stdout + proc.stderr


def test_missing_claims_file_is_named(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    (workdir / "config" / "claims.yaml").unlink()
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "claims file error" in output and "claims.yaml" in output


def test_command_line_override_is_validated(workdir):
    proc = run_snakemake(workdir, "-n", "--config", "scale=huge", check=False)
    assert proc.returncode != 0
    assert "config error at 'scale'" in proc.stdout + proc.stderr


def test_incomplete_deviations_file_is_named(tmp_path):
    workdir = copy_workflow(tmp_path / "wf")
    (workdir / "config" / "deviations.yaml").write_text("- topic: early stopping\n  section: '4'\n")
    proc = run_snakemake(workdir, "-n", check=False)
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "deviations file error" in output and "deviation 1 needs paper, reference, ours, why" in output
