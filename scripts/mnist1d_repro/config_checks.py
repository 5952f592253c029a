"""Config checks beyond the JSON schema: cross references and generator constraints."""
from __future__ import annotations

import math
import os
import re
from pathlib import Path

import yaml

from .claims import is_number, load_claims
from .generator import GeneratorArgs


class ConfigError(ValueError):
    """A problem with the experiment config, naming the offending key."""

    @classmethod
    def from_validation(cls, error: Exception) -> "ConfigError":
        """Turn Snakemake's schema-validation error into one line that names the key."""
        cause = error  # Snakemake's error wraps jsonschema's, which knows the key's path
        while cause is not None and not hasattr(cause, "absolute_path"):
            cause = cause.__cause__ or cause.__context__
        if cause is None:
            return cls(f"config error: {error}")
        key = ".".join(str(p) for p in cause.absolute_path) or "(top level)"
        description = cause.schema.get("description") if isinstance(cause.schema, dict) else None
        bounds = ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf")
        if cause.validator in bounds and description:  # the bound says why
            return cls(f"config error at '{key}': {cause.message}: {description}")
        if cause.validator == "type" and isinstance(cause.instance, str) and is_number(cause.instance):
            whole = "integer" in cause.validator_value and float(cause.instance).is_integer()
            return cls(f"config error at '{key}': {cause.message}; {number_as_string_hint(cause.instance, whole)}")
        if cause.validator == "type" and cause.validator_value == "boolean" and isinstance(cause.instance, str):
            return cls(f"config error at '{key}': {cause.message}; write True or False (--config reads only these "
                       "two as a boolean, and any other word as text)")
        repeated = [item for i, item in enumerate(cause.instance) if item in cause.instance[:i]] \
            if cause.validator == "uniqueItems" else []
        if repeated:
            return cls(f"config error at '{key}': {repeated[0]!r} is listed more than once; list each entry once")
        return cls(f"config error at '{key}': {cause.message}")


def number_as_string_hint(text: str, whole: bool) -> str:
    """What to write instead of a number that arrived as a string (``whole``: the key takes an
    integer): YAML 1.1 reads 1e3 and 1e-3 as text, and --config every nested value."""
    if re.fullmatch(r"[+-]?0\d+", text):
        return (f"YAML reads a whole number with a leading 0 as octal, and as text where it holds an 8 or 9; write "
                f"{int(text)}")
    if "e" in text.lower():
        value = float(text)
        shown = str(int(value)) if whole else repr(value)
        return (f"the number arrived as text: YAML reads one written like 1e3 or 1e-3 as text, so write {shown} (an "
                "exponent needs a dot and a sign, as in 1.0e-3); and --config passes any nested value as text: put "
                "nested changes in a file and pass it with --configfile")
    return ("the number arrived as text: --config passes any nested value as text: put nested changes in a file and "
            "pass it with --configfile; and YAML reads a number written like 1e3 or 1e-3 as text (write 1000 or "
            "1.0e-3)")


def names_differing_in_case_only(names) -> list[str]:
    """The names that another of ``names`` equals except for letter case."""
    folded = [name.casefold() for name in names]
    return sorted(name for name, fold in zip(names, folded) if folded.count(fold) > 1 and names.count(name) == 1)


def non_finite_keys(value, key: str = "") -> list[str]:
    """The dotted keys of every NaN or infinite number in a config (YAML's .nan and .inf pass a
    schema's "number")."""
    if isinstance(value, dict):
        return [bad for k, v in value.items() for bad in non_finite_keys(v, f"{key}.{k}" if key else str(k))]
    if isinstance(value, list):
        return [bad for i, v in enumerate(value) for bad in non_finite_keys(v, f"{key}[{i}]")]
    if isinstance(value, float) and not math.isfinite(value):
        return [key]
    return []


def check_finite(config: dict) -> None:
    """Refuse NaN and infinity, which YAML's .nan and .inf give and a schema's "number" passes."""
    bad = non_finite_keys(config)
    if bad:
        raise ConfigError(f"config error at '{bad[0]}': not a finite number (NaN or infinity); give a real value")


def check_config(config: dict) -> None:
    """Raise ``ConfigError`` for the first problem the schema cannot express (the config has
    passed ``check_finite`` and the schema: ``validate_config``)."""
    for name, overrides in config["datasets"].items():
        try:
            args = GeneratorArgs.from_dict({**config["generator"], **overrides})
        except ValueError as error:
            where = f"datasets.{name}" if overrides else "generator"
            raise ConfigError(f"config error at '{where}': {error}") from None
        for vname, variant in config["variants"].items():
            if variant["kind"] == "chunk_swap":
                order = variant["order"]
                if sorted(order) != list(range(1, len(order) + 1)):
                    raise ConfigError(f"config error at 'variants.{vname}.order': must be a "
                                      f"permutation of 1..{len(order)}, got {order}")
                if args.final_seq_length % len(order):
                    raise ConfigError(
                        f"config error at 'variants.{vname}.order': {len(order)} chunks do not "
                        f"divide the {args.final_seq_length} positions of dataset '{name}'")
                if order == sorted(order):
                    raise ConfigError(f"config error at 'variants.{vname}.order': {order} keeps every chunk in place, "
                                      "so the variant is the original data; give another order, e.g. [3, 4, 1, 2]")

    section = config["dataset_section"]
    require_name(section["dataset"], config["datasets"], "dataset_section.dataset", "datasets")
    for variant in section["variants"]:
        require_name(variant, config["variants"], "dataset_section.variants", "variants")

    classification = config["classification"]
    require_name(classification["dataset"], config["datasets"], "classification.dataset", "datasets")
    for variant in classification["variants"]:
        if variant != "original":
            require_name(variant, config["variants"], "classification.variants", "variants")
    for model, extra in classification["extra_seeds"].items():
        key = f"classification.extra_seeds.{model}"
        if extra and model not in classification["models"]:
            raise ConfigError(f"config error at '{key}': '{model}' is not among classification.models "
                              f"{classification['models']}, so its extra seeds would run nothing; set it to [] "
                              "(an override file is merged over config/config.yaml, so leaving it out keeps it)")
        repeated = sorted(set(extra) & set(classification["seeds"]))
        if repeated:
            raise ConfigError(f"config error at '{key}': seeds {repeated} are already in classification.seeds "
                              "(each would be one job twice); give seeds that are not")
    double_descent = config["double_descent"]
    require_name(double_descent["dataset"], config["datasets"], "double_descent.dataset", "datasets")
    for model, widths in double_descent["widths"].items():
        if len(set(widths)) < 3:
            raise ConfigError(f"config error at 'double_descent.widths.{model}': {len(set(widths))} width"
                              f"{'s' if len(set(widths)) != 1 else ''} cannot show a test-error peak, which the claims "
                              "read as a rise above a narrower width and a fall at a wider one; give at least 3")
    for name, series in double_descent["series"].items():
        if series["variant"] != "original":
            require_name(series["variant"], config["variants"], f"double_descent.series.{name}.variant",
                         "variants")
    for figure in ("figure5", "noise_ablation", "loss_ablation"):
        for name in double_descent[figure]:
            require_name(name, double_descent["series"], f"double_descent.{figure}", "double_descent.series")
    losses = [double_descent["series"][name]["loss"] for name in double_descent["loss_ablation"]]
    repeated = sorted({loss for loss in losses if losses.count(loss) > 1})
    if repeated:
        raise ConfigError(f"config error at 'double_descent.loss_ablation': its series must each use another loss "
                          f"(the claims read one series per loss); {', '.join(repeated)} appears more than once")
    expected = [("mlp", False), ("mlp", True), ("cnn", True)]  # clean MLP, noisy MLP, noisy CNN
    noisy = {name for name, v in config["variants"].items() if v["kind"] == "label_noise"}
    found = [(s["model"], s["variant"] in noisy) for s in (double_descent["series"][n] for n in double_descent["figure5"])]
    if found != expected:
        raise ConfigError("config error at 'double_descent.figure5': its three series must be, in order, an MLP on "
                          "the original data, an MLP on noisy labels and a CNN on noisy labels")
    clean, noisy_mlp, noisy_cnn = ((name, double_descent["series"][name]["variant"])
                                   for name in double_descent["figure5"])
    if clean[1] != "original":
        raise ConfigError(f"config error at 'double_descent.figure5': its first series '{clean[0]}' (the clean MLP) "
                          f"must train on variant 'original', not '{clean[1]}'; give a series of the MLP on the "
                          "original data")
    if noisy_mlp[1] != noisy_cnn[1]:
        raise ConfigError(f"config error at 'double_descent.figure5': its noisy series '{noisy_mlp[0]}' and "
                          f"'{noisy_cnn[0]}' train on {noisy_mlp[1]} and {noisy_cnn[1]}, but the panels compare the "
                          "MLP and the CNN at one label-noise rate; give both the same variant")
    ssl = config["ssl"]
    require_name(ssl["dataset"], config["datasets"], "ssl.dataset", "datasets")
    length = GeneratorArgs.from_dict({**config["generator"], **config["datasets"][ssl["dataset"]]}).final_seq_length
    if ssl["augmentation"]["max_shift"] > length:
        raise ConfigError(f"config error at 'ssl.augmentation.max_shift': {ssl['augmentation']['max_shift']} is more "
                          f"than the {length} positions of dataset '{ssl['dataset']}' (a circular shift beyond the "
                          f"length repeats smaller ones); give at most {length}")
    pooling = config["pooling"]
    require_name(pooling["dataset"], config["datasets"], "pooling.dataset", "datasets")
    pool_args = GeneratorArgs.from_dict({**config["generator"], **config["datasets"][pooling["dataset"]]})
    available = int((pool_args.num_samples // 10) * 10 * pool_args.train_split)
    too_big = [n for n in pooling["train_sizes"] if n > available]
    if too_big:
        raise ConfigError(f"config error at 'pooling.train_sizes': {too_big} exceed the {available} training "
                          f"samples of dataset '{pooling['dataset']}'")
    stray = sorted(set(pooling["curve_sizes"]) - set(pooling["train_sizes"]))
    if stray:
        raise ConfigError(f"config error at 'pooling.curve_sizes': {stray} are not in pooling.train_sizes")
    ssl = config["ssl"]
    require_name(ssl["dataset"], config["datasets"], "ssl.dataset", "datasets")
    missing = [seed for seed in ssl["ablation_seeds"] if seed not in ssl["seeds"]]
    if missing:
        raise ConfigError(f"config error at 'ssl.ablation_seeds': {missing} are not in ssl.seeds, so the configured "
                          "InfoNCE jobs that the alternative settings are compared with would not run; give a "
                          "subset of ssl.seeds")
    if ssl["tsne"]["head_layers"] not in ssl["head_layers"] or ssl["tsne"]["loss"] not in ssl["losses"]:
        raise ConfigError("config error at 'ssl.tsne': its head_layers and loss must be among "
                          "ssl.head_layers and ssl.losses")
    if "info_nce" not in ssl["losses"]:
        from .sections.ssl import SECTION as SSL_SECTION

        # the other settings of the section's switches train InfoNCE only (the claims' loss)
        needing = [switch.key for switch in SSL_SECTION.switches if config["sensitivity"].get(switch.key)]
        if needing:
            raise ConfigError(f"config error at 'ssl.losses': it leaves out info_nce, but the other settings that "
                              f"sensitivity lists for {', '.join(needing)} are run with info_nce; keep info_nce in "
                              "ssl.losses or set those sensitivity lists to []")
    check_lottery(config)
    check_metalearning(config)
    check_sample_counts(config)
    check_evaluation_steps(config)
    check_batch_sizes(config)
    names = [entry["name"] for entry in classification["mlp_sweep"]["settings"]]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ConfigError(f"config error at 'classification.mlp_sweep.settings': repeated names {repeated}")
    for key, named in [("classification.mlp_sweep.settings", names), ("datasets", list(config["datasets"])),
                       ("variants", list(config["variants"])), ("double_descent.series", list(double_descent["series"]))]:
        clashes = names_differing_in_case_only(named)
        if clashes:
            raise ConfigError(f"config error at '{key}': the names {clashes} differ only in upper and lower case, "
                              "and name folders that are one folder on a case-insensitive file system (macOS, "
                              "Windows); rename one")
    mnist = classification["mnist"]
    if mnist is not None:
        if not Path(mnist).exists() and str(mnist).startswith("~"):
            raise ConfigError(f"config error at 'classification.mnist': {mnist}: ~ is not expanded (the path is read "
                              f"as written); give the full path, e.g. {os.path.expanduser(mnist)}")
        if not Path(mnist).exists():
            raise ConfigError(f"config error at 'classification.mnist': no such file or folder: {mnist}")
        check_mnist_copy(mnist)


def check_mnist_copy(path) -> None:
    """A local MNIST copy must be laid out as ``mnist.load_mnist`` reads it: a folder of the four
    IDX files or an .npz holding the four arrays. Only the files' first bytes and the archive's
    names are read here; the job that imports the copy checks its digits."""
    import zipfile

    from .mnist import IDX_FILES

    path = Path(path)
    if path.is_dir():
        problem = next(filter(None, (idx_file_problem(path, stem) for stem in IDX_FILES.values())), None)
    elif path.suffix == ".npz":
        try:
            with zipfile.ZipFile(path) as archive:
                names = {name.removesuffix(".npy") for name in archive.namelist()}
                missing = {"x_train", "y_train", "x_test", "y_test"} - names
                problem = f"it lacks {', '.join(sorted(missing))}" if missing else npz_mnist_shape_problem(archive)
        except (OSError, ValueError, zipfile.BadZipFile):
            problem = "it is not an .npz archive of arrays"
    else:
        problem = "it is neither a folder nor an .npz file"
    if problem:
        raise ConfigError(f"config error at 'classification.mnist': {path} is not a copy of MNIST ({problem}); give "
                          "a folder of the four IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, "
                          "t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each optionally .gz), an .npz with "
                          "x_train, y_train, x_test and y_test, or null for the bundled 5000-digit subset")


def npz_mnist_shape_problem(archive) -> str | None:
    """What is wrong with the shapes of an MNIST .npz's four arrays (read from their headers, not
    their data): images (n, 28, 28) with n > 0, and one label per image; None if nothing."""
    import numpy as np

    from .mnist import IMAGE_SHAPE

    shapes = {}
    for name in ("x_train", "y_train", "x_test", "y_test"):
        with archive.open(f"{name}.npy") as handle:
            major, _ = np.lib.format.read_magic(handle)
            read_header = np.lib.format.read_array_header_1_0 if major == 1 else np.lib.format.read_array_header_2_0
            shapes[name] = read_header(handle)[0]
    for split in ("train", "test"):
        images, labels = shapes[f"x_{split}"], shapes[f"y_{split}"]
        if len(images) != 3 or images[1:] != IMAGE_SHAPE or images[0] == 0:
            return f"x_{split} has shape {images}, not (images, 28, 28)"
        if labels != images[:1]:
            return f"y_{split} has shape {labels}, not one label per image of x_{split} ({images[0]},)"
    return None


def idx_file_problem(folder: Path, stem: str) -> str | None:
    """What keeps ``folder`` from holding the IDX file ``stem`` (or ``stem``.gz); None if nothing."""
    import gzip

    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            try:
                with (gzip.open if candidate.suffix == ".gz" else open)(candidate, "rb") as handle:
                    if handle.read(3) == b"\x00\x00\x08":  # the magic number of unsigned-byte IDX data
                        return None
            except (OSError, EOFError):
                pass
            return f"its {candidate.name} is not an unsigned-byte IDX file"
    return f"it has no {stem} (or {stem}.gz)"


def check_lottery(config: dict) -> None:
    lottery = config["lottery"]
    require_name(lottery["dataset"], config["datasets"], "lottery.dataset", "datasets")
    for name in lottery["random_schedules"]:
        require_name(name, lottery["schedules"], "lottery.random_schedules", "lottery.schedules")
    levels = lottery["schedules"]["paper"]["levels"]
    if lottery["ticket_level"] >= levels:
        raise ConfigError(f"config error at 'lottery.ticket_level': {lottery['ticket_level']} is not a level of "
                          f"the paper schedule (levels 0..{levels - 1})")
    asymptotic = lottery["asymptotic"]
    require_name(asymptotic["dataset"], config["datasets"], "lottery.asymptotic.dataset", "datasets")
    if asymptotic["dataset"] == lottery["dataset"]:
        raise ConfigError(f"config error at 'lottery.asymptotic.dataset': '{lottery['dataset']}' is lottery.dataset, "
                          "the data the tickets were found on, but the long runs test them on a fresh dataset; give "
                          "another, e.g. one with another seed (config/config.yaml's mnist1d_seed43)")
    if generator_params(config, asymptotic["dataset"]) == generator_params(config, lottery["dataset"]):
        raise ConfigError(f"config error at 'lottery.asymptotic.dataset': '{asymptotic['dataset']}' has the same "
                          f"generator parameters as lottery.dataset '{lottery['dataset']}', so it is the data the "
                          "tickets were found on, but the long runs test them on a fresh dataset; give it another "
                          "seed")
    for variant in asymptotic["variants"]:
        if variant != "original":
            require_name(variant, config["variants"], "lottery.asymptotic.variants", "variants")
    if "random" in asymptotic["networks"] and "paper" not in lottery["random_schedules"]:
        raise ConfigError("config error at 'lottery.random_schedules': the asymptotic 'random' network needs "
                          "a random chain of the 'paper' schedule")
    length = GeneratorArgs.from_dict({**config["generator"], **config["datasets"][lottery["dataset"]]}).final_seq_length
    too_long = [run for run in lottery["adjacency_runs"] if run > length]
    if too_long:
        raise ConfigError(f"config error at 'lottery.adjacency_runs': {too_long} are longer than the {length} inputs "
                          f"of dataset '{lottery['dataset']}'; give runs of at most {length} adjacent inputs")
    chain = lottery["chain"]
    if chain["checkpoint_every"] > chain["steps"]:
        raise ConfigError(f"config error at 'lottery.chain.checkpoint_every': {chain['checkpoint_every']} is more than "
                          f"lottery.chain.steps ({chain['steps']}), so a retrain keeps only its weights after the first "
                          "update and score_weights 'last_checkpoint' scores nearly untrained weights; give at most "
                          "the steps")
    if asymptotic["average_last_steps"] >= asymptotic["steps"]:
        raise ConfigError("config error at 'lottery.asymptotic.average_last_steps': must be less than "
                          "lottery.asymptotic.steps")


def generator_params(config: dict, dataset: str) -> dict:
    """The generator parameters of a named dataset: the defaults with its overrides."""
    return {**config["generator"], **config["datasets"][dataset]}


def dataset_counts(config: dict, dataset: str) -> tuple[int, int]:
    """(training, test) samples of a named dataset, as the generator splits them."""
    from .generator import split_counts

    args = {**config["generator"], **config["datasets"][dataset]}
    return split_counts(args["num_samples"], args["train_split"])


def check_sample_counts(config: dict) -> None:
    """Settings that need more samples than their dataset has, found before any job runs."""
    def check_subsets(dataset, variants, where):
        train = dataset_counts(config, dataset)[0]
        for variant in variants:
            spec = config["variants"].get(variant, {})
            if spec.get("kind") == "train_subset" and spec["size"] > train:
                raise ConfigError(f"config error at 'variants.{variant}.size': {spec['size']} training samples, but "
                                  f"dataset '{dataset}' (used by {where}) has {train}")

    classification = config["classification"]
    train = dataset_counts(config, classification["dataset"])[0]
    fraction = classification["validation"]["fraction"]
    held_out = round(fraction * train)
    if not 1 <= held_out < train:
        dataset = classification["dataset"]
        raise ConfigError(f"config error at 'classification.validation.fraction': {fraction} of the {train} training "
                          f"samples of dataset '{dataset}' (datasets.{dataset}.num_samples x train_split, or the "
                          f"generator's) holds out {held_out}; it must hold out at least one and leave at least one "
                          "to train on")
    check_subsets(classification["dataset"], classification["variants"], "classification")
    section = config["dataset_section"]
    train, test = dataset_counts(config, section["dataset"])
    check_subsets(section["dataset"], section["variants"], "dataset_section")
    if section["knn_neighbors"] > train:
        raise ConfigError(f"config error at 'dataset_section.knn_neighbors': {section['knn_neighbors']} neighbours, "
                          f"but dataset '{section['dataset']}' has {train} training samples")
    ssl_dataset = config["ssl"]["dataset"]
    tsne_limits = [("dataset_section.tsne.perplexity", section["tsne"]["perplexity"], train + test,
                    section["dataset"], "all"),
                   ("ssl.tsne.perplexity", config["ssl"]["tsne"]["perplexity"],
                    dataset_counts(config, ssl_dataset)[0], ssl_dataset, "the training")]
    for key, perplexity, samples, dataset, which in tsne_limits:
        if 3 * perplexity > samples - 1:  # openTSNE's limit, stricter than scikit-learn's
            raise ConfigError(f"config error at '{key}': perplexity {perplexity:g} needs at least "
                              f"{math.ceil(3 * perplexity) + 1} samples to embed, the embedding has {samples} "
                              f"({which} samples of dataset '{dataset}', datasets.{dataset}.num_samples); give "
                              "more samples or a smaller perplexity")
    dd = config["double_descent"]
    check_subsets(dd["dataset"], [s["variant"] for s in dd["series"].values()], "double_descent")


def check_evaluation_steps(config: dict) -> None:
    """A run evaluates at step 0, every eval_every steps and at its last step: an eval_every beyond
    the run's steps leaves two evaluations, and early stopping nothing to choose from."""
    runs = [("classification", config["classification"]), ("pooling", config["pooling"]),
            ("lottery.chain", config["lottery"]["chain"]), ("lottery.asymptotic", config["lottery"]["asymptotic"])]
    for key, section in runs:
        if section["eval_every"] > section["steps"]:
            raise ConfigError(f"config error at '{key}.eval_every': {section['eval_every']} is more than {key}.steps "
                              f"({section['steps']}), so a run is evaluated only at step 0 and at its last step "
                              "(early stopping would pick from those two); give at most the steps")
    eval_every = config["classification"]["eval_every"]
    for i, setting in enumerate(config["classification"]["mlp_sweep"]["settings"]):
        if setting.get("steps", eval_every) < eval_every:
            raise ConfigError(
                f"config error at 'classification.mlp_sweep.settings[{i}].steps': setting '{setting['name']}' runs "
                f"{setting['steps']} steps, fewer than the classification.eval_every ({eval_every}) its runs evaluate "
                "at, so early stopping would pick from step 0 and the last step; give at least that many steps or "
                "lower classification.eval_every")


def check_batch_sizes(config: dict) -> None:
    """A batch cannot hold more samples than the training set it is drawn from (a batch in order
    would silently shrink to the whole set). Each section's training set is computed as its jobs
    make it; a local MNIST copy (classification.mnist) is not read here, so its size is not checked."""
    def train_samples(dataset, variant="original"):
        train = dataset_counts(config, dataset)[0]
        spec = config["variants"].get(variant, {})
        return min(spec["size"], train) if spec.get("kind") == "train_subset" else train

    def require(key, batch, samples, what):
        if batch > samples:
            raise ConfigError(f"config error at '{key}': a batch of {batch} is more than the {samples} training "
                              f"samples it is drawn from ({what}); give at most {samples}")

    classification = config["classification"]
    fraction = classification["validation"]["fraction"]

    def early_stopping_set(variant):
        if variant == "mnist":
            train, where = 5000 - classification["mnist_subset"]["test_samples"], "the bundled MNIST subset"
        else:
            train, where = train_samples(classification["dataset"], variant), f"dataset '{classification['dataset']}'"
        held_out = round(fraction * train)
        return train - held_out, (f"the early-stopping run of variant '{variant}': the {train} training samples of "
                                  f"{where} less the {held_out} classification.validation.fraction holds out")

    variants = classification["variants"] + (["mnist"] if classification["mnist"] is None else [])
    for variant in variants:
        require("classification.batch_size", classification["batch_size"], *early_stopping_set(variant))
    for i, setting in enumerate(classification["mlp_sweep"]["settings"]):
        key = f"classification.mlp_sweep.settings[{i}].batch_size" if "batch_size" in setting \
            else "classification.batch_size"
        require(key, setting.get("batch_size", classification["batch_size"]), *early_stopping_set("original"))

    pooling = config["pooling"]
    require("pooling.batch_size", pooling["batch_size"], min(pooling["train_sizes"]),
            "the smallest of pooling.train_sizes")
    ssl = config["ssl"]
    train_data = [ssl["train_data"]] + config["sensitivity"].get("ssl.train_data", [])
    ssl_train, ssl_test = dataset_counts(config, ssl["dataset"])
    samples = ssl_train if "train" in train_data else ssl_train + ssl_test
    require("ssl.batch_size", ssl["batch_size"], samples, f"ssl.train_data of dataset '{ssl['dataset']}'")
    dd = config["double_descent"]
    for name, series in dd["series"].items():
        require("double_descent.batch_size", dd["batch_size"], train_samples(dd["dataset"], series["variant"]),
                f"series '{name}' on dataset '{dd['dataset']}', variant '{series['variant']}'")
    lottery = config["lottery"]
    require("lottery.chain.batch_size", lottery["chain"]["batch_size"], train_samples(lottery["dataset"]),
            f"dataset '{lottery['dataset']}'")
    asymptotic = lottery["asymptotic"]
    for variant in asymptotic["variants"]:
        require("lottery.asymptotic.batch_size", asymptotic["batch_size"], train_samples(asymptotic["dataset"], variant),
                f"dataset '{asymptotic['dataset']}', variant '{variant}'")
    for part in ("learning_rate", "activation"):
        meta = config["metalearning"][part]
        require(f"metalearning.{part}.batch_size", meta["batch_size"], train_samples(meta["dataset"]),
                f"dataset '{meta['dataset']}'")


def check_device(config: dict) -> None:
    """``device: cuda`` needs CUDA on the machine that parses the workflow (the executor is not
    known yet when it is parsed, so a cluster's login node counts too: there ``auto`` lets each job
    use its node's GPU). torch is imported only for ``cuda``, so that parsing stays fast otherwise."""
    if config["device"] != "cuda":
        return
    import torch

    if not torch.cuda.is_available():
        raise ConfigError("config error at 'device': 'cuda', but torch finds no CUDA device on this machine; "
                          "give 'auto' (CUDA where a job finds it, else the CPU; on a cluster whose login node has no GPU, "
                          "with set-resources asking for GPUs) or 'cpu'")


def check_cpu_numerics(config: dict) -> None:
    """``cpu_numerics: portable`` needs an x86-64 CPU with AVX2 on the machine that parses the
    workflow (each job checks its own CPU again)."""
    from .numerics import check_machine

    refusal = check_machine(config["cpu_numerics"])
    if refusal:
        raise ConfigError(f"config error at 'cpu_numerics': {refusal}")


# what a fresh test set may change of its dataset's recipe: its size, its split, and (it must) its seed
FRESH_TEST_OWN_PARAMETERS = ("num_samples", "train_split", "seed")


def check_fresh_test_set(config: dict, dataset: str, fresh: str, key: str) -> None:
    """A fresh test set draws new samples of ``dataset``'s distribution: every generator parameter
    the same but its size, split and seed, and a seed that neither ``dataset`` nor any other
    named dataset uses (the same seed would redraw the same samples)."""
    require_name(fresh, config["datasets"], key, "datasets")
    ours, theirs = generator_params(config, fresh), generator_params(config, dataset)
    differ = sorted(name for name in theirs if name not in FRESH_TEST_OWN_PARAMETERS and ours[name] != theirs[name])
    if differ:
        raise ConfigError(f"config error at '{key}': dataset '{fresh}' differs from '{dataset}' in {differ}; a fresh "
                          f"test set has the same generator parameters as the data it tests (only "
                          f"{list(FRESH_TEST_OWN_PARAMETERS)} may differ)")
    shared = sorted(name for name in config["datasets"] if name != fresh
                    and generator_params(config, name)["seed"] == ours["seed"])
    if shared:
        raise ConfigError(f"config error at '{key}': dataset '{fresh}' has seed {ours['seed']}, which {shared} use too, "
                          "so its samples would not be fresh; give it a seed no other named dataset has")


def check_metalearning(config: dict) -> None:
    meta = config["metalearning"]
    require_name(meta["learning_rate"]["dataset"], config["datasets"], "metalearning.learning_rate.dataset",
                 "datasets")
    act = meta["activation"]
    require_name(act["dataset"], config["datasets"], "metalearning.activation.dataset", "datasets")
    if act["elu_weight"] == 0:
        raise ConfigError("config error at 'metalearning.activation.elu_weight': 0 makes the activation ELU(z) + "
                          "0 * g(z), so g's weights get no gradient and nothing is learned; give a weight other than 0 "
                          "(the reference: 0.2)")
    if act["meta_loss_last_steps"] > act["inner_steps"]:
        raise ConfigError("config error at 'metalearning.activation.meta_loss_last_steps': must be at most "
                          "metalearning.activation.inner_steps")
    if act["final_outer_steps"] > act["outer_steps"]:
        raise ConfigError("config error at 'metalearning.activation.final_outer_steps': must be at most "
                          "metalearning.activation.outer_steps")
    window_key = "metalearning.activation.final_outer_steps"
    too_long = [steps for steps in config.get("sensitivity", {}).get(window_key, []) if steps > act["outer_steps"]]
    if too_long:
        raise ConfigError(f"config error at 'sensitivity.{window_key}': {too_long} read more outer steps than the "
                          f"{act['outer_steps']} of metalearning.activation.outer_steps; give at most that many")
    if act["snapshot_every"] > act["outer_steps"]:
        raise ConfigError(f"config error at 'metalearning.activation.snapshot_every': {act['snapshot_every']} is more "
                          f"than metalearning.activation.outer_steps ({act['outer_steps']}), so only the start's shape "
                          "would be kept; give at most the outer steps")
    test = dataset_counts(config, act["dataset"])[1]
    if act["test_samples"] > test:
        raise ConfigError(f"config error at 'metalearning.activation.test_samples': {act['test_samples']} is more than "
                          f"the {test} test samples of dataset '{act['dataset']}'; give at most {test}")
    check_fresh_test_set(config, act["dataset"], act["fresh_test_dataset"], "metalearning.activation.fresh_test_dataset")
    low, high = act["curve_range"]
    if low >= high:
        raise ConfigError(f"config error at 'metalearning.activation.curve_range': [{low}, {high}] is empty")
    overlap = sorted(set(meta["learning_rate"]["initial_lrs"]) & set(meta["learning_rate"]["ablation_initial_lrs"]))
    if overlap:
        raise ConfigError(f"config error at 'metalearning.learning_rate.ablation_initial_lrs': {overlap} are "
                          "already in initial_lrs")
    for key in ("initial_lrs", "ablation_initial_lrs"):
        # a job's file name (and the rate it runs at) is the rate to 6 significant digits, lr<rate:g>.csv
        starts = meta["learning_rate"]["initial_lrs"] + meta["learning_rate"]["ablation_initial_lrs"]
        names = [f"{lr:g}" for lr in starts]
        unclear = [lr for lr in meta["learning_rate"][key] if float(f"{lr:g}") != lr or names.count(f"{lr:g}") > 1]
        if unclear:
            raise ConfigError(f"config error at 'metalearning.learning_rate.{key}': {unclear} need more than 6 "
                              "significant digits, which the jobs' file names do not keep; give at most 6")


def require_name(name: str, defined: dict, key: str, where: str) -> None:
    if name not in defined:
        known = ", ".join(sorted(defined)) or "none"
        raise ConfigError(f"config error at '{key}': unknown name '{name}' (defined under "
                          f"'{where}': {known})")


def dotted_value(config: dict, key: str):
    """The value at a dotted config key, e.g. "lottery.score_weights"; KeyError if there is none."""
    value = config
    for part in key.split("."):
        if not isinstance(value, dict) or part not in value:
            raise KeyError(key)
        value = value[part]
    return value


class _StrictConfigLoader(yaml.SafeLoader):
    """YAML's safe loader, refusing what it would read silently otherwise than written: a key given
    twice in one mapping (plain YAML keeps the last) and a plain integer in octal (042), base 60
    (1:30) or with underscores (6_000). Merge keys (<<) work as in YAML: an explicit key may
    override a merged one."""

    def flatten_mapping(self, node):
        # checked before flattening, which puts the merged keys beside the explicit ones; a node
        # is flattened again whenever another merges it, by then without its own merge keys
        checked = self.__dict__.setdefault("_checked_nodes", set())
        if id(node) not in checked:
            checked.add(id(node))
            seen = {}
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                if key in seen:
                    raise ConfigError(f"config error in {self.name}, line {key_node.start_mark.line + 1}: the key "
                                      f"'{key}' is given twice in one mapping (first on line {seen[key] + 1}); YAML "
                                      "would keep the last one without a word. Keep one.")
                seen[key] = key_node.start_mark.line
        super().flatten_mapping(node)

    def construct_checked_int(self, node):
        value = self.construct_yaml_int(node)
        text = node.value.lstrip("+-")
        if node.style is None and not text.startswith(("0x", "0b")):
            quoted = f"'{node.value}' in quotes for text"
            if ":" in text:
                problem = f"is read by YAML as {value}, a number in base 60 (as in times); write {value} (or {quoted})"
            elif len(text) > 1 and text.startswith("0"):
                decimal = int(node.value.replace("_", ""))
                problem = f"is read by YAML as the octal number {value}, not {decimal}; write {decimal} (or {quoted})"
            elif "_" in text:
                problem = f"is read by YAML as {value}, its underscores dropped (YAML 1.2 and JSON read no " \
                          f"underscores); write {value}"
            else:
                return value
            raise ConfigError(f"config error in {self.name}, line {node.start_mark.line + 1}: {node.value} {problem}")
        return value


_StrictConfigLoader.add_constructor("tag:yaml.org,2002:int", _StrictConfigLoader.construct_checked_int)


def check_config_files(paths) -> None:
    """The config files Snakemake read (the workflow's own and each --configfile), checked for
    what its YAML reader accepts silently (``_StrictConfigLoader``): a key given twice, an integer
    that YAML 1.1 reads otherwise than its digits say."""
    for path in dict.fromkeys(str(p) for p in paths):
        if Path(path).is_file():
            loader = _StrictConfigLoader(Path(path).read_text())
            loader.name = path
            try:
                loader.get_single_data()
            finally:
                loader.dispose()


def check_results_folder(path) -> None:
    """The results folder, where it exists, and every folder in it must be writable: a job would
    otherwise fail late, inside its script, with a bare PermissionError. (A walk over folders
    only: some thousands at paper scale, milliseconds.)"""
    path = Path(path)
    if not path.is_dir():
        return
    for folder, subfolders, _ in os.walk(path):
        subfolders.sort()
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ConfigError(f"results folder error: {Path(folder).absolute()} is not writable by this user, so no "
                              f"job could write its files there; make it writable (chmod -R u+w {path.absolute()}, "
                              "and chattr -R -i if it was made immutable) or run in another working directory "
                              "(--directory)")


def validate_config(config: dict, schema_path, switches: dict) -> None:
    """Every check a config passes when the workflow is parsed, short of those that need the
    workflow's rules: the schema with the settings of each runnable switch (``switches``: dotted
    key -> ``sections.spec.Switch``, the registry's) filled in, which also fills in defaults;
    then ``check_config``, ``check_sensitivity``, ``check_device``, ``check_cpu_numerics`` and
    ``check_scale`` against the paper configuration (``config.yaml`` beside the schema). Raises
    ``ConfigError`` naming the key."""
    import tempfile

    from snakemake.utils import validate

    check_finite(config)  # before the schema, whose bounds would call .inf too large
    schema = schema_with_switch_values(yaml.safe_load(Path(schema_path).read_text()), switches)
    with tempfile.TemporaryDirectory() as folder:
        schema_file = Path(folder) / "schema.yaml"
        schema_file.write_text(yaml.safe_dump(schema, sort_keys=False))
        try:
            validate(config, schema=str(schema_file))
        except Exception as error:  # re-raised as one line naming the key
            raise ConfigError.from_validation(error) from None
        floats = integers_written_as_floats(config, schema, schema.get("$defs", {}))
        if floats:
            raise ConfigError(f"config error at '{floats[0]}': {dotted_or_indexed(config, floats[0])!r} must be a whole "
                              f"number written without a decimal point")
        check_config(config)
        check_sensitivity(config, switches,
                          lambda changed: validate(changed, schema=str(schema_file), set_default=False))
        check_device(config)
        check_cpu_numerics(config)
        paper = yaml.safe_load(Path(schema_path).with_name(PAPER_CONFIG).read_text())
        validate(paper, schema=str(schema_file))  # fills in the same defaults
        check_scale(config, paper)


PAPER_CONFIG = "config.yaml"  # the paper configuration, beside the schema
# Keys that say how or where a run computes, which extra settings it also runs (each beside the
# configured one) or what its report predicts, not what the paper's numbers are computed from; a
# local MNIST copy (classification.mnist) is the full MNIST the paper used.
NOT_EXPERIMENT_SETTINGS = ("scale", "device", "cpu_numerics", "cuda_deterministic", "sensitivity", "scale_out",
                           "classification.mnist")


def differing_keys(config, other, key: str = "") -> list[str]:
    """The dotted keys whose values differ between two configs: mappings key by key, anything
    else (a list, a number) whole; a key only one of them has differs too."""
    if not (isinstance(config, dict) and isinstance(other, dict)):
        return [] if config == other else [key]
    names = list(config) + [name for name in other if name not in config]
    return [bad for name in names for bad in differing_keys(config.get(name), other.get(name),
                                                            f"{key}.{name}" if key else str(name))]


def check_scale(config: dict, paper: dict) -> None:
    """``scale`` labels the run's numbers in the report: ``paper`` (comparable with the paper's)
    only when every experiment setting equals the paper configuration's (``paper``); ``quick``
    (the smoke run) or ``custom`` (settings of one's own) when some setting differs."""
    differing = [key for key in differing_keys(config, paper)
                 if not any(key == name or key.startswith(f"{name}.") for name in NOT_EXPERIMENT_SETTINGS)]
    if config["scale"] == "paper" and differing:
        shown = ", ".join(differing[:6]) + (f" and {len(differing) - 6} more" if len(differing) > 6 else "")
        raise ConfigError(f"config error at 'scale': 'paper' would call the numbers comparable with the paper's, but "
                          f"experiment settings differ from config/{PAPER_CONFIG}'s ({len(differing)}): {shown}; "
                          "give scale: custom (settings of your own) or quick (the smoke run), or the paper's values")
    if config["scale"] != "paper" and not differing:
        raise ConfigError(f"config error at 'scale': '{config['scale']}' would call the numbers not comparable with "
                          f"the paper's, but every experiment setting is config/{PAPER_CONFIG}'s; give scale: paper")


def integers_written_as_floats(value, node: dict, defs: dict, key: str = "") -> list[str]:
    """The dotted keys where the schema asks for an integer and the config holds a float such as
    42.0: JSON Schema accepts it as an integer, but it would name a file "seed42.0" that no rule
    writes. ``node``: the schema at ``value``; ``defs``: the schema's $defs."""
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **{k: v for k, v in node.items() if k != "$ref"}}
    found = []
    for part in node.get("allOf", []):
        condition = part.get("if", {}).get("properties", {})
        if "if" not in part or (isinstance(value, dict) and all(
                value.get(k) == c.get("const") for k, c in condition.items())):
            found += integers_written_as_floats(value, part.get("then", part), defs, key)
    if node.get("type") == "integer" and isinstance(value, float):
        found.append(key)
    elif isinstance(value, dict):
        for name, item in value.items():
            child = node.get("properties", {}).get(name, node.get("additionalProperties"))
            if isinstance(child, dict):
                found += integers_written_as_floats(item, child, defs, f"{key}.{name}" if key else str(name))
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            found += integers_written_as_floats(item, node["items"], defs, f"{key}[{i}]")
    return list(dict.fromkeys(found))


def dotted_or_indexed(config: dict, key: str):
    """The value at a key as ``integers_written_as_floats`` names it, e.g. "classification.seeds[0]"."""
    value = config
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", key):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def schema_with_switch_values(schema: dict, switches: dict) -> dict:
    """The config schema with each switch's settings as the enum of its key: the sections
    declare them (``sections.spec.Switch.values``), the schema file does not repeat them."""
    for key, switch in switches.items():
        if switch.values is None:
            continue
        node = schema
        for part in key.split("."):
            node = node["properties"][part]
        if "enum" in node:
            raise ValueError(f"config/schema.yaml: '{key}' lists its settings, which its section declares; "
                             "remove the enum")
        node["enum"] = list(switch.values)
    return schema


def check_sensitivity(config: dict, switches: dict, validate) -> None:
    """Each switch of the ``sensitivity`` section must be one whose other settings some section
    runs (``switches``), and each of its alternative settings another value than the configured
    one and a valid value of it: the config with the switch set to it passes ``validate`` (the
    schema)."""
    import copy

    for switch, settings in config["sensitivity"].items():
        if switch not in switches:
            raise ConfigError(
                f"config error at 'sensitivity.{switch}': no section runs this switch's other settings; "
                f"switches that can be run: {', '.join(sorted(switches))}")
        parent_key, _, key = switch.rpartition(".")
        configured = dotted_value(config, switch)
        for setting in settings:
            if isinstance(setting, float) and isinstance(configured, int) and not isinstance(configured, bool):
                raise ConfigError(f"config error at 'sensitivity.{switch}': {setting!r} is a float where {switch} is a "
                                  f"whole number; write {setting:g} (its results folder is named after the value)")
            if setting == configured:
                raise ConfigError(f"config error at 'sensitivity.{switch}': '{setting}' is the configured setting, "
                                  "which runs anyway; list only other settings")
            changed = copy.deepcopy(config)
            (dotted_value(changed, parent_key) if parent_key else changed)[key] = setting
            try:
                validate(changed)
            except Exception:
                hint = ""
                if isinstance(setting, str) and is_number(setting):
                    whole = isinstance(configured, int) and float(setting).is_integer()
                    hint = f"; {number_as_string_hint(setting, whole)}"
                raise ConfigError(f"config error at 'sensitivity.{switch}': '{setting}' is not a valid value "
                                  f"of {switch}{hint}") from None


def check_claims_file(path, sections) -> None:
    """The claims file the report's verdicts come from must exist, be complete, and hold the
    claims of exactly the given sections (the registry's): a section of its own would never run."""
    try:
        for section in sections:
            load_claims(path, section)
        stray = [name for name in yaml.safe_load(Path(path).read_text()) if name not in sections]
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"claims file error: {error}") from None
    if stray:
        raise ConfigError(f"claims file error: {path}: {stray} are not paper sections (those are declared in "
                          f"scripts/mnist1d_repro/sections/: {', '.join(sections)})")


def check_claim_figures(figures: dict, report_files: list, claims_path) -> None:
    """Every claim's ``figure`` must be one of the report's figures or tables."""
    for name, path in figures.items():
        if path not in report_files:
            raise ConfigError(f"claims file error: {claims_path}: {name}.figure is {path!r}, which is not a "
                              f"figure or table of the report (e.g. {report_files[0]!r})")
