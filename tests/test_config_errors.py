"""A bad config stops the workflow with one message naming the key, before any job runs. Each
case is checked in-process against the checks the workflow runs when it is parsed
(config_checks.validate_config); a few, and those only the workflow can check, end to end. A
dataset file changed or damaged after it was written is named when a job loads it."""
import copy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from mnist1d_repro.registry import SWITCHES

from conftest import QUICK, ROOT, config_of, copy_workflow, run_snakemake, tiny_mnist

BAD_CONFIGS = [
    # the fifth probe round's silently accepted inputs and misleading advice
    ("ssl: {losses: [vicreg], tsne: {loss: vicreg}}",
     ["ssl.losses", "ssl.train_data, ssl.info_nce, linear_probe.tol", "keep info_nce", "to []"]),
    ("double_descent: {widths: {mlp: [8], cnn: [8]}}", ["double_descent.widths.mlp", "1 width", "at least 3"]),
    ("double_descent: {widths: {cnn: [4, 8]}}", ["double_descent.widths.cnn", "2 widths", "at least 3"]),
    ("double_descent: {widths: {mlp: [2, 8, 8, 32]}}", ["double_descent.widths.mlp", "8 is listed more than once"]),
    ("classification: {seeds: [42, 42, 43]}", ["classification.seeds", "42 is listed more than once"]),
    ("classification: {extra_seeds: {mlp: [54, 43, 55]}}",
     ["classification.extra_seeds.mlp", "[43]", "already in classification.seeds"]),
    ("classification: {models: [mlp, cnn], extra_seeds: {gru: [54]}}",
     ["classification.extra_seeds.gru", "not among classification.models", "set it to []"]),
    ("classification: {extra_seeds: {resnet: [54]}}", ["classification.extra_seeds", "resnet"]),
    ("ssl: {ablation_seeds: [42, 7]}", ["ssl.ablation_seeds", "[7] are not in ssl.seeds", "subset"]),
    ("pooling: {train_sizes: [1000, 1000, 5000]}", ["pooling.train_sizes", "1000 is listed more than once"]),
    ("classification: {models: [mlp, cnn, mlp]}", ["classification.models", "'mlp' is listed more than once"]),
    ("classification: {variants: [original, shuffled, shuffled]}",
     ["classification.variants", "'shuffled' is listed more than once"]),
    ("double_descent: {interpolation_train_error: 100}",
     ["double_descent.interpolation_train_error", "maximum of 2", "none of the redrawn"]),
    ("metalearning: {activation: {elu_weight: 0}}", ["metalearning.activation.elu_weight", "no gradient"]),
    ("classification: {lr: 1000.0}", ["classification.lr", "maximum of 1", "0.02"]),
    ("classification: {mlp_sweep: {settings: [{name: fast, lr: 5.0}]}}",
     ["classification.mlp_sweep.settings.0.lr", "maximum of 1"]),
    ("double_descent: {lr: 10.0}", ["double_descent.lr", "maximum of 1"]),
    ("ssl: {lr: 10.0}", ["ssl.lr", "maximum of 1"]),
    ("lottery: {asymptotic: {lr: 10.0}}", ["lottery.asymptotic.lr", "maximum of 1"]),
    ("metalearning: {learning_rate: {initial_lrs: [100.0]}}",
     ["metalearning.learning_rate.initial_lrs.0", "maximum of 30", "3.0"]),
    ("metalearning: {learning_rate: {outer_lr: 100.0}}", ["metalearning.learning_rate.outer_lr", "maximum of 3"]),
    ("metalearning: {activation: {inner_lr: 5.0}}", ["metalearning.activation.inner_lr", "maximum of 0.1"]),
    ("lottery: {asymptotic: {dataset: mnist1d}}", ["lottery.asymptotic.dataset", "lottery.dataset", "fresh"]),
    ("datasets: {mnist1d_copy: {}}\nlottery: {asymptotic: {dataset: mnist1d_copy}}",
     ["lottery.asymptotic.dataset", "same generator parameters", "'mnist1d'"]),
    ("variants: {label_noise_05: {kind: label_noise, rate: 0, draw: reference}}",
     ["variants.label_noise_05.rate", "minimum of 0", "original data"]),
    ("double_descent: {series: {mlp_flipped: {model: mlp, variant: flipped, loss: cross_entropy}}, "
     "figure5: [mlp_flipped, mlp_noise_15, cnn_noise_15]}",
     ["double_descent.figure5", "'mlp_flipped'", "variant 'original'", "not 'flipped'"]),
    ("double_descent: {figure5: [mlp_clean, mlp_noise_05, cnn_noise_15]}",
     ["double_descent.figure5", "label_noise_05", "label_noise_15", "same variant"]),
    ("variants: {x: {kind: chunk_swap, order: [1, 2, 3, 4]}}", ["variants.x.order", "keeps every chunk in place"]),
    ("variants: {x: {kind: chunk_swap, order: [1]}}", ["variants.x.order", "keeps every chunk in place"]),
    ("classification: {steps: 1e3}", ["classification.steps", "write 1000", "1e3 or 1e-3", "--configfile"]),
    ("classification: {seeds: [08]}", ["classification.seeds.0", "leading 0", "write 8"]),
    ("classification: {lr: 1e-3}", ["classification.lr", "write 0.001", "1.0e-3", "--configfile"]),
    ("sensitivity: {linear_probe.tol: ['1e-4']}", ["sensitivity.linear_probe.tol", "'1e-4'", "write 0.0001"]),
    ("sensitivity: {linear_probe.tol: [1e-4]}", ["sensitivity.linear_probe.tol", "write 0.0001", "--configfile"]),
    ("cuda_deterministic: 'true'", ["'cuda_deterministic'", "write True or False"]),
    ("cuda_deterministic: 'None'", ["'cuda_deterministic'", "write True or False"]),
    ("classification: {mnist: '~/mnist'}", ["classification.mnist", "~ is not expanded", "full path"]),
    # the fourth probe round's silently accepted inputs and a key named wrongly
    ("generator: {num_samples: 1005}", ["generator.num_samples", "multiple of 10", "of each class"]),
    ("datasets: {small: {num_samples: 995}}", ["datasets.small.num_samples", "multiple of 10"]),
    ("double_descent: {loss_ablation: [mlp_clean, mlp_noise_15]}",
     ["double_descent.loss_ablation", "cross_entropy appears more than once"]),
    ("sensitivity: {double_descent.mlp_hidden_layers: [1.0]}",
     ["sensitivity.double_descent.mlp_hidden_layers", "1.0", "write 1"]),
    ("classification: {mlp_sweep: {settings: [{name: Wide, hidden: 200}, {name: wide, hidden: 300}]}}",
     ["classification.mlp_sweep.settings", "['Wide', 'wide']", "case-insensitive"]),
    ("variants: {Shuffled: {kind: shuffle, seed: 1}}", ["'variants'", "['Shuffled', 'shuffled']"]),
    ("datasets: {mnist1d: {train_split: 0.0003}}",
     ["classification.validation.fraction", "dataset 'mnist1d'", "datasets.mnist1d.num_samples x train_split"]),
    # the third probe round's silently accepted inputs, and a nested --config value (always a string)
    ("classification: {steps: '100'}", ["classification.steps", "pass it with --configfile"]),
    ("classification: {mlp_sweep: {target: 680}}", ["classification.mlp_sweep.target", "maximum"]),
    ("double_descent: {epochs: 1000000000}", ["double_descent.epochs", "200 times the paper's 500"]),
    ("double_descent: {widths: {mlp: [100000000], cnn: [2]}}", ["double_descent.widths.mlp.0", "widest"]),
    ("ssl: {epochs: 1000000000}", ["ssl.epochs", "500 times the paper's 200"]),
    ("ssl: {augmentation: {max_shift: 1000, slope_std: 0.04, offset_std: 0.3}}",
     ["ssl.augmentation.max_shift", "40 positions"]),
    ("lottery: {schedules: {paper: {levels: 1000000, final_sparsity: 0.97}}}", ["lottery.schedules.paper.levels",
                                                                               "reference's 100"]),
    ("lottery: {chain: {checkpoint_every: 2000}}", ["lottery.chain.checkpoint_every", "lottery.chain.steps"]),
    ("metalearning: {learning_rate: {inner_steps: 1000000000}}", ["metalearning.learning_rate.inner_steps",
                                                                  "maximum"]),
    ("metalearning: {activation: {outer_steps: 1000000000}}", ["metalearning.activation.outer_steps", "301"]),
    ("metalearning: {activation: {test_samples: 100000}}", ["metalearning.activation.test_samples",
                                                           "test samples of dataset"]),
    ("metalearning: {activation: {snapshot_every: 1000}}", ["metalearning.activation.snapshot_every",
                                                           "outer_steps"]),
    ("sensitivity: {metalearning.activation.final_outer_steps: [1, 400]}",
     ["sensitivity.metalearning.activation.final_outer_steps", "[400]", "301"]),
    ("metalearning: {activation: {fresh_test_dataset: mnist1d}}",
     ["metalearning.activation.fresh_test_dataset", "'mnist1d' has seed 42", "'mnist1d_10k'", "not be fresh"]),
    ("datasets: {mnist1d_fresh_test: {num_samples: 12500, train_split: 0.2, seed: 1000, shear_scale: 0.5}}",
     ["metalearning.activation.fresh_test_dataset", "'mnist1d_fresh_test' differs from 'mnist1d_10k'",
      "['shear_scale']"]),
    ("metalearning: {activation: {fresh_test_dataset: mnist1d_fresh}}",
     ["metalearning.activation.fresh_test_dataset", "unknown name 'mnist1d_fresh'"]),
    ("generator: {iid_noise_scale: 1.0e+308}", ["generator.iid_noise_scale", "maximum"]),
    ("datasets: {mnist1d_dd: {shear_scale: 1.0e+200}}", ["datasets.mnist1d_dd.shear_scale", "maximum"]),
    ("lottery: {adjacency_runs: [2, 1000]}", ["lottery.adjacency_runs", "[1000]", "40 inputs"]),
    ("metalearning: {transfer: {seeds: []}}", ["metalearning.transfer.seeds", "non-empty"]),
    ("bogus_key: 1", ["(top level)", "bogus_key"]),
    ("generator: {num_sample: 5}", ["'generator'", "num_sample"]),
    ("generator: {num_samples: many}", ["generator.num_samples", "not of type 'integer'"]),
    ("generator: {num_samples: -5}", ["generator.num_samples", "minimum"]),
    ("datasets: {big: {train_split: 1.5}}", ["datasets.big.train_split"]),
    ("generator: {padding: [60, 36]}", ["'generator'", "padding"]),
    ("variants: {noisy: {kind: label_noise, rate: 1.5, draw: all_at_once, seed: 0}}", ["variants.noisy.rate", "maximum"]),
    ("variants: {noisy: {kind: label_noise, rate: 0.1, draw: reference, seed: 3}}", ["variants.noisy", "seed"]),
    ("variants: {noisy: {kind: label_noise, rate: 0.1, draw: at_random}}", ["variants.noisy.draw", "at_random"]),
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
    ("sensitivity: {variants.label_noise_15.draw: [bogus]}", ["sensitivity.variants.label_noise_15.draw", "bogus"]),
    ("ssl: {seeds: [42, 43, 44]}\nsensitivity: {ssl.seeds: [[42, 43, 44]]}", ["sensitivity.ssl.seeds", "configured setting"]),
    ("sensitivity: {ssl.seeds: [[-1, 2]]}", ["sensitivity.ssl.seeds", "not a valid value"]),
    ("sensitivity: {ssl.seeds: [[0, 1.5]]}", ["sensitivity.ssl.seeds.0.1", "integer"]),
    ("sensitivity: {lottery.score_weights: [last_checkpoint]}", ["sensitivity.lottery.score_weights",
                                                                "is the configured setting"]),
    ("sensitivity: {generator.scale_coeff: [0.5]}", ["sensitivity.generator.scale_coeff", "no section runs"]),
    ("double_descent: {figure5: [mlp_clean, cnn_noise_15, mlp_noise_15]}", ["double_descent.figure5", "in order"]),
    ("device: tpu", ["'device'", "tpu"]),
    ("classification: {lr: .nan}", ["classification.lr", "not a finite number"]),
    ("classification: {validation: {fraction: 0.0001, seed: 0}}", ["classification.validation.fraction", "holds out 0"]),
    ("datasets: {tiny: {num_samples: 10, train_split: 0.05}}", ["datasets.tiny", "0 training"]),
    ("generator: {num_samples: 10000000000}", ["generator.num_samples", "maximum of 10000000"]),
    ("classification: {validation: {fraction: 0.9999, seed: 0}}", ["classification.validation.fraction", "leave at least one"]),
    ("metalearning: {activation: {final_outer_steps: 500}}",
     ["metalearning.activation.final_outer_steps", "outer_steps"]),
    ("linear_probe: {tol: 0, max_iter: 1000}", ["linear_probe.tol"]),
    ("linear_probe: {tol: 0.01, max_iter: 0}", ["linear_probe.max_iter", "minimum"]),
    ("ssl: {tsne: {head_layers: 2, loss: info_nce, perplexity: 2000.0, seed: 0}}", ["ssl.tsne.perplexity", "4000"]),
    ("datasets: {mnist1d: {num_samples: 20}}", ["dataset_section.tsne.perplexity", "datasets.mnist1d.num_samples"]),
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
    # an eval_every beyond the run's steps: evaluated at step 0 and the last step only
    ("classification: {eval_every: 7000}", ["classification.eval_every", "7000", "classification.steps (6000)"]),
    ("pooling: {eval_every: 6001}", ["pooling.eval_every", "pooling.steps (6000)"]),
    ("lottery: {chain: {eval_every: 1502}}", ["lottery.chain.eval_every", "lottery.chain.steps (1501)"]),
    ("lottery: {asymptotic: {eval_every: 7000}}", ["lottery.asymptotic.eval_every", "lottery.asymptotic.steps"]),
    ("classification: {mlp_sweep: {settings: [{name: short, steps: 100}]}}",
     ["classification.mlp_sweep.settings[0].steps", "'short'", "classification.eval_every (250)"]),
    # a batch larger than the training set it is drawn from
    ("classification: {batch_size: 1000000}", ["classification.batch_size", "3600 training samples", "'original'"]),
    ("classification: {batch_size: 3601}", ["classification.batch_size", "less the 400", "at most 3600"]),
    ("variants: {few: {kind: train_subset, size: 50}}\nclassification: {variants: [original, few]}",
     ["classification.batch_size", "'few'", "at most 45"]),
    ("classification: {mnist_subset: {test_samples: 4950, seed: 0}}",
     ["classification.batch_size", "MNIST subset", "at most 45"]),
    ("classification: {mlp_sweep: {settings: [{name: big, batch_size: 5000}]}}",
     ["classification.mlp_sweep.settings[0].batch_size", "at most 3600"]),
    ("pooling: {batch_size: 1001}", ["pooling.batch_size", "pooling.train_sizes", "at most 1000"]),
    ("ssl: {batch_size: 4001}", ["ssl.batch_size", "at most 4000"]),
    ("ssl: {batch_size: 5001, train_data: train_and_test}\nsensitivity: {ssl.train_data: []}",
     ["ssl.batch_size", "at most 5000"]),
    ("double_descent: {batch_size: 4001}", ["double_descent.batch_size", "mnist1d_dd", "at most 4000"]),
    ("lottery: {chain: {batch_size: 4001}}", ["lottery.chain.batch_size", "at most 4000"]),
    ("lottery: {asymptotic: {batch_size: 4001}}", ["lottery.asymptotic.batch_size", "mnist1d_seed43"]),
    ("metalearning: {learning_rate: {batch_size: 4001}}", ["metalearning.learning_rate.batch_size", "at most 4000"]),
    ("metalearning: {activation: {batch_size: 8001}}", ["metalearning.activation.batch_size", "at most 8000"]),
    # upper bounds of the schema (the reasons are in the keys' descriptions)
    ("classification: {steps: 1000001}", ["classification.steps", "maximum of 1000000", "half an hour to 8 hours"]),
    ("classification: {mlp_sweep: {settings: [{name: long, steps: 2000000}]}}",
     ["classification.mlp_sweep.settings.0.steps", "maximum of 1000000"]),
    ("pooling: {steps: 2000000}", ["pooling.steps", "maximum of 1000000"]),
    ("lottery: {chain: {steps: 2000000}}", ["lottery.chain.steps", "maximum of 1000000"]),
    ("lottery: {asymptotic: {steps: 2000000}}", ["lottery.asymptotic.steps", "maximum of 1000000"]),
    ("generator: {final_seq_length: 2000}", ["generator.final_seq_length", "maximum of 1000", "only interpolates"]),
    ("datasets: {long: {final_seq_length: 2000}}", ["datasets.long.final_seq_length", "maximum of 1000"]),
    ("datasets: {big: {num_samples: 20000000}}", ["datasets.big.num_samples", "maximum of 10000000"]),
    # scale labels the numbers: 'paper' only with the paper configuration's experiment settings
    ("classification: {steps: 3000}", ["'scale'", "settings differ from config/config.yaml's (1): classification.steps",
                                       "scale: custom"]),
    ("datasets: {mnist1d_dd: {num_samples: 2000}}\nlottery: {seeds: [42]}",
     ["'scale'", "datasets.mnist1d_dd.num_samples, lottery.seeds"]),
    ("scale: quick", ["'scale'", "every experiment setting", "give scale: paper"]),
    ("scale: custom", ["'scale'", "every experiment setting", "give scale: paper"]),
]

# Settings at the edge of the checks above, which pass (no longer the paper's: scale quick).
GOOD_CONFIGS = [
    "classification: {models: [cnn, gru], extra_seeds: {mlp: []}}",  # the paper's MLP seeds emptied by an override
    "classification: {steps: 1501, eval_every: 1501, batch_size: 3600}",  # the sweep's shortest setting: 1501
    "pooling: {eval_every: 6000, batch_size: 1000}",
    "classification: {mlp_sweep: {settings: [{name: just, steps: 250, batch_size: 3600}]}}",
    "generator: {final_seq_length: 1000}\nvariants: {chunk_swapped: {kind: chunk_swap, order: [2, 1]}}",
    "ssl: {batch_size: 5000, train_data: train_and_test}\nsensitivity: {ssl.train_data: []}",
    "generator: {iid_noise_scale: 1.0e+100}\nlottery: {adjacency_runs: [2, 40]}",
    # VICReg alone, with no sensitivity switch that runs InfoNCE
    "ssl: {losses: [vicreg], tsne: {loss: vicreg}}\nsensitivity: {ssl.train_data: [], ssl.info_nce: [], "
    "linear_probe.tol: [], ssl.seeds: []}",
    "double_descent: {widths: {mlp: [2, 8, 32], cnn: [2, 8, 32]}, interpolation_train_error: 2}",
    "classification: {lr: 1.0}\nmetalearning: {learning_rate: {initial_lrs: [30.0], ablation_initial_lrs: []}}",
    "metalearning: {activation: {elu_weight: -0.2}}",
]
# What changes how or where the paper's numbers are computed, or adds runs beside them, keeps scale: paper.
PAPER_SCALE_CONFIGS = [
    "device: cpu\ncpu_numerics: native\ncuda_deterministic: false",
    "sensitivity: {lottery.score_weights: [final], pooling.train_sets: [nested]}",
    "scale_out: {cores: [4], slurm_submission_seconds: 1.0}",
    "classification: {mnist: MNIST_COPY}",  # a local copy of the full MNIST, as the paper used
]


# A few of the cases above end to end, to show the same messages reach the user through Snakemake.
END_TO_END = [case for case in BAD_CONFIGS if case[0] in (
    "bogus_key: 1", "classification: {lr: .nan}", "classification: {mnist: /no/such/mnist}",
    "double_descent: {figure5: [mlp_clean, cnn_noise_15, mlp_noise_15]}",
    "sensitivity: {generator.scale_coeff: [0.5]}", "classification: {eval_every: 7000}",
    "classification: {batch_size: 1000000}")] + [
    # what only the workflow sees: the file as written (YAML's reader keeps a repeated key's last value)
    ("classification:\n  steps: 5\n  lr: 0.1\n  steps: 100", ["bad.yaml, line 4", "'steps' is given twice",
                                                             "first on line 2"])]
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


@pytest.mark.parametrize("text", GOOD_CONFIGS)
def test_settings_at_the_edge_of_a_check_pass(paper_config, text):
    from snakemake.utils import update_config

    from mnist1d_repro.config_checks import validate_config

    config = copy.deepcopy(paper_config)
    update_config(config, {**yaml.safe_load(text), "scale": "quick"})
    validate_config(config, ROOT / "config" / "schema.yaml", SWITCHES)
    validate_config({**config, "scale": "custom"}, ROOT / "config" / "schema.yaml", SWITCHES)


@pytest.mark.parametrize("text", PAPER_SCALE_CONFIGS)
def test_paper_scale_survives_what_does_not_change_the_numbers(paper_config, tmp_path, text):
    from snakemake.utils import update_config

    from mnist1d_repro.config_checks import validate_config

    tiny_mnist(tmp_path / "mnist")
    config = copy.deepcopy(paper_config)
    update_config(config, yaml.safe_load(text.replace("MNIST_COPY", str(tmp_path / "mnist"))))
    validate_config(config, ROOT / "config" / "schema.yaml", SWITCHES)


def text_file(tmp_path):
    (tmp_path / "README.md").write_text("hello")
    return tmp_path / "README.md"


def folder_with_a_bad_idx_file(tmp_path):
    tiny_mnist(tmp_path / "m", gz=False)
    (tmp_path / "m" / "t10k-labels-idx1-ubyte").write_text("not IDX")
    return tmp_path / "m"


def npz_without_mnist(tmp_path):
    np.savez(tmp_path / "m.npz", x_train=np.zeros(1))
    return tmp_path / "m.npz"


def npz_of_flat_images(tmp_path):
    np.savez_compressed(tmp_path / "m.npz", x_train=np.zeros((3, 784), np.uint8), y_train=np.zeros(3, np.uint8),
                        x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.zeros(2, np.uint8))
    return tmp_path / "m.npz"


def npz_with_labels_missing(tmp_path):
    np.savez(tmp_path / "m.npz", x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.zeros(3, np.uint8),
             x_test=np.zeros((2, 28, 28), np.uint8), y_test=np.zeros(1, np.uint8))
    return tmp_path / "m.npz"


def text_named_npz(tmp_path):
    (tmp_path / "m.npz").write_text("not a zip")
    return tmp_path / "m.npz"


# A local MNIST copy that is not MNIST, named at parse time (the job that imports it checks its digits).
@pytest.mark.parametrize("make, expected", [
    (text_file, "neither a folder nor an .npz"),
    (lambda tmp_path: tmp_path, "it has no train-images-idx3-ubyte"),
    (folder_with_a_bad_idx_file, "its t10k-labels-idx1-ubyte is not an unsigned-byte IDX file"),
    (npz_without_mnist, "lacks x_test, y_test, y_train"),
    (text_named_npz, "not an .npz archive"),
    (npz_of_flat_images, r"x_train has shape \(3, 784\), not \(images, 28, 28\)"),
    (npz_with_labels_missing, r"y_test has shape \(1,\), not one label per image"),
], ids=["a text file", "a folder without IDX files", "a bad IDX file", "an .npz without MNIST", "not an .npz",
        "flat images", "a label short"])
def test_a_local_mnist_copy_that_is_not_mnist_is_named(paper_config, tmp_path, make, expected):
    from mnist1d_repro.config_checks import ConfigError, check_config

    config = copy.deepcopy(paper_config)
    config["classification"]["mnist"] = str(make(tmp_path))
    with pytest.raises(ConfigError, match=f"^config error at 'classification.mnist': .* is not a copy of MNIST "
                                          f"\\(.*{expected}.*null for the bundled"):
        check_config(config)


@pytest.mark.parametrize("gz", [True, False])
def test_a_local_mnist_copy_passes(paper_config, tmp_path, gz):
    from mnist1d_repro.config_checks import check_config

    arrays = tiny_mnist(tmp_path / "idx", gz=gz)
    np.savez(tmp_path / "mnist.npz", x_train=arrays["x"], y_train=arrays["y"], x_test=arrays["x_test"],
             y_test=arrays["y_test"])
    for copy_path in (tmp_path / "idx", tmp_path / "mnist.npz"):
        check_config({**paper_config, "classification": {**paper_config["classification"], "mnist": str(copy_path)}})


@pytest.mark.parametrize("cuda", [False, True], ids=["no CUDA", "CUDA"])
def test_device_cuda_needs_cuda(paper_config, monkeypatch, cuda):
    torch = pytest.importorskip("torch")
    from mnist1d_repro.config_checks import ConfigError, validate_config

    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda)
    config = {**copy.deepcopy(paper_config), "device": "cuda"}
    if cuda:
        validate_config(config, ROOT / "config" / "schema.yaml", SWITCHES)
        return
    with pytest.raises(ConfigError) as error:
        validate_config(config, ROOT / "config" / "schema.yaml", SWITCHES)
    message = str(error.value)
    assert message.startswith("config error at 'device'") and "'auto'" in message and "'cpu'" in message, message


def test_checks_import_torch_only_for_device_cuda():
    """Parsing stays fast: without device: cuda the checks never import torch."""
    code = ("import sys, yaml; sys.path.insert(0, 'scripts'); "
            "from mnist1d_repro.config_checks import validate_config; from mnist1d_repro.registry import SWITCHES; "
            "validate_config(yaml.safe_load(open('config/config.yaml')), 'config/schema.yaml', SWITCHES); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=120)


def test_the_paper_and_quick_configs_pass_the_same_checks():
    from mnist1d_repro.config_checks import validate_config

    for override in (None, "quick.yaml"):
        validate_config(config_of(ROOT, override), ROOT / "config" / "schema.yaml", SWITCHES)


def test_per_size_datasets_past_the_generators_limit_name_the_pooling_keys(paper_config):
    from mnist1d_repro.config_checks import ConfigError
    from mnist1d_repro.pooling import per_size_datasets

    config = copy.deepcopy(paper_config)
    config["pooling"]["test_samples"] = 20_000_000
    with pytest.raises(ConfigError, match=r"^config error at 'pooling.train_sizes' / 'pooling.test_samples': .* "
                                          r"\+ 20000000 test samples .* at most 10,000,000"):
        per_size_datasets(config)


# YAML 1.1 reads these plain scalars as integers other than the digits say (the file as written is
# checked, as the workflow checks each config file it reads).
@pytest.mark.parametrize("text, expected", [
    ("classification:\n  seeds: [042, 43]\n", [", line 2: 042", "octal", "34", "write 42"]),
    ("lottery:\n  chain:\n    steps: 1:30\n", [", line 3: 1:30", "base 60", "90", "write 90"]),
    ("pooling: {steps: 6_000}\n", [", line 1: 6_000", "underscores", "write 6000"]),
], ids=["octal", "sexagesimal", "underscores"])
def test_integers_yaml_reads_otherwise_are_refused(tmp_path, text, expected):
    from mnist1d_repro.config_checks import ConfigError, check_config_files

    (tmp_path / "my.yaml").write_text(text)
    with pytest.raises(ConfigError) as error:
        check_config_files([tmp_path / "my.yaml"])
    message = str(error.value)
    assert message.startswith(f"config error in {tmp_path / 'my.yaml'}") and "\n" not in message, message
    for fragment in expected:
        assert fragment in message, message


def test_quoted_or_plain_numbers_and_merge_keys_pass_the_file_check(tmp_path):
    from mnist1d_repro.config_checks import ConfigError, check_config_files

    (tmp_path / "ok.yaml").write_text(
        "classification: {seeds: [42, 0], mnist: '042', steps: 0x10}\n"
        "chain: &chain {steps: 100, lr: 0.02}\n"
        "asymptotic:\n  <<: *chain\n  steps: 200\n"  # an explicit key overrides a merged one, as YAML says
        "pooling:\n  <<: {steps: 100}\n  eval_every: 50\n")
    check_config_files([tmp_path / "ok.yaml"])
    (tmp_path / "twice.yaml").write_text("pooling:\n  <<: {steps: 100}\n  eval_every: 50\n  eval_every: 60\n")
    with pytest.raises(ConfigError, match="line 4: the key 'eval_every' is given twice"):
        check_config_files([tmp_path / "twice.yaml"])


@pytest.mark.parametrize("locked_folder", ["results", "results/ssl", "results/data/mnist1d"])
def test_a_results_folder_that_cannot_be_written_is_named(tmp_path, monkeypatch, locked_folder):
    from mnist1d_repro import config_checks

    (tmp_path / "results" / "ssl").mkdir(parents=True)
    (tmp_path / "results" / "data" / "mnist1d").mkdir(parents=True)
    config_checks.check_results_folder(tmp_path / "results")
    config_checks.check_results_folder(tmp_path / "no_results_yet")
    locked = tmp_path / locked_folder
    # the check asks os.access, not the mode bits, which root (who runs the tests in CI) ignores
    monkeypatch.setattr(config_checks.os, "access", lambda path, mode: Path(path) != locked)
    with pytest.raises(config_checks.ConfigError, match=f"^results folder error: {locked} .*not writable"):
        config_checks.check_results_folder(tmp_path / "results")


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


def test_quick_numbers_labelled_paper_are_refused_before_any_job(workdir):
    (workdir / "paper_label.yaml").write_text("scale: paper\n")
    proc = run_snakemake(workdir, "-n", *QUICK, "paper_label.yaml", check=False, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "config error at 'scale'" in output and "generator.num_samples" in output, output
    assert not (workdir / "results").exists()


def test_device_cuda_without_cuda_is_refused_before_any_job(workdir, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")  # no CUDA device, even on a machine with one
    proc = run_snakemake(workdir, "-n", "--configfile", "config/quick.yaml", "--config", "device=cuda",
                         check=False, timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "config error at 'device'" in output and "'auto'" in output, output
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


# A dataset file that was changed or damaged after it was written is named when it loads, before
# any training: its arrays are checked against the sha256 written with them, its inputs for NaN.
def scramble_labels(arrays):
    arrays["y"] = np.random.default_rng(0).permutation(arrays["y"])


def drop_digest(arrays):
    del arrays["sha256"]


def nan_rows(arrays):
    arrays["x"][[3, 7]] = np.nan


def edit_spec(arrays):
    arrays["spec_json"] = np.array('{"dataset": "other"}')


@pytest.mark.parametrize("change, expected", [
    (scramble_labels, "do not match the sha256 recorded when it was written"),
    (nan_rows, "do not match the sha256 recorded when it was written"),
    (edit_spec, "do not match the sha256 recorded when it was written"),
    (drop_digest, "no sha256 of its arrays is recorded"),
], ids=["scrambled labels", "NaN rows", "edited description", "no digest"])
def test_a_changed_dataset_file_is_named_when_it_loads(tmp_path, change, expected):
    from mnist1d_repro.generator import GeneratorArgs, make_dataset
    from mnist1d_repro.io import UnreadableFileError, load_dataset, save_dataset

    path = tmp_path / "original.npz"
    save_dataset(path, make_dataset(GeneratorArgs(num_samples=100)), {"dataset": "tiny"})
    load_dataset(path)
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    change(arrays)
    np.savez(path, **arrays)  # rewritten as a person or another tool would
    with pytest.raises(UnreadableFileError, match=f"original.npz: .*{expected}.*Delete it and rerun"):
        load_dataset(path)


def test_a_dataset_written_with_nan_is_named_when_it_loads(tmp_path):
    from mnist1d_repro.generator import GeneratorArgs, make_dataset
    from mnist1d_repro.io import UnreadableFileError, load_dataset, save_dataset

    data = make_dataset(GeneratorArgs(num_samples=100))
    data["x_test"][[1, 4]] = np.inf
    save_dataset(tmp_path / "d.npz", data, {})
    with pytest.raises(UnreadableFileError, match=r"d.npz: 2 samples of 'x_test' \(rows \[1, 4\]\) hold NaN or inf"):
        load_dataset(tmp_path / "d.npz")


def test_a_dataset_in_another_datasets_place_is_named_when_it_loads(tmp_path):
    """A valid file copied over another dataset's (the probe put the 600-sample pooling dataset
    where the 100-sample one belongs): its recorded description names another dataset."""
    from mnist1d_repro.generator import GeneratorArgs, make_dataset
    from mnist1d_repro.io import UnreadableFileError, load_dataset, save_dataset

    path = tmp_path / "data" / "mnist1d_pool_n100" / "original.npz"
    path.parent.mkdir(parents=True)
    data = make_dataset(GeneratorArgs(num_samples=100))
    spec = {"variant": "original", "generator": GeneratorArgs(num_samples=100).to_dict()}
    save_dataset(path, data, {"dataset": "mnist1d_pool_n100", **spec})
    load_dataset(path)
    save_dataset(path, data, {"dataset": "mnist1d_pool_n600", **spec})
    with pytest.raises(UnreadableFileError, match="holds variant 'original' of dataset 'mnist1d_pool_n600'.*"
                                                  r"dataset 'mnist1d_pool_n100'.*copied or moved here\. Delete it"):
        load_dataset(path)


def test_the_frozen_dataset_changed_and_rehashed_is_named_when_it_loads(tmp_path):
    """Scrambled labels with the file's sha256 recomputed pass the file's own check; the frozen
    dataset's arrays are known (the tests run in portable numerics, as the jobs do)."""
    from mnist1d_repro.generator import GeneratorArgs, make_dataset
    from mnist1d_repro.io import UnreadableFileError, load_dataset, save_dataset

    spec = {"dataset": "mnist1d", "variant": "original", "generator": GeneratorArgs().to_dict()}
    path = tmp_path / "data" / "mnist1d" / "original.npz"
    path.parent.mkdir(parents=True)
    frozen = make_dataset(GeneratorArgs())
    save_dataset(path, frozen, spec)
    load_dataset(path)  # the generator still makes the frozen dataset's bytes
    scramble_labels(frozen)
    save_dataset(path, frozen, spec)
    with pytest.raises(UnreadableFileError, match="not the frozen dataset's.*sha256 recomputed"):
        load_dataset(path)
