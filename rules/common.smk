# Shared helpers and config validation. Everything here runs when the workflow is parsed,
# so a bad config stops the run with one clear message before any job starts.
import os
import sys
from pathlib import Path

from snakemake.utils import validate

# The library lives in src/; rule scripts find it through PYTHONPATH, also on cluster nodes.
LIBRARY = str(Path(workflow.basedir) / "src")
sys.path.insert(0, LIBRARY)
os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (LIBRARY, os.environ.get("PYTHONPATH")) if p)

from mnist1d_repro.config_checks import ConfigError, check_config  # noqa: E402

try:
    validate(config, schema="../config/schema.yaml")
except Exception as error:  # re-raised as one line naming the key
    raise ConfigError.from_validation(error) from None
check_config(config)

CLAIMS = str(Path(workflow.basedir) / "config" / "claims.yaml")
RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"


def dataset_path(dataset, variant="original"):
    """The file an experiment asks for: a named dataset, original or transformed."""
    return f"{RESULTS}/data/{dataset}/{variant}.npz"


def generator_args(dataset):
    """Generator parameters of a named dataset: the defaults with its overrides."""
    return {**config["generator"], **config["datasets"][dataset]}


def name_pattern(names):
    """A wildcard constraint that matches exactly the given names."""
    return "|".join(sorted(names)) or "(?!)"
