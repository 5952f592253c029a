"""Convert a local MNIST copy (IDX folder or .npz) into the pipeline's dataset format."""
from mnist1d_repro.io import save_dataset
from mnist1d_repro.jobs import start_job
from mnist1d_repro.mnist import load_mnist

log = start_job(snakemake)
data = load_mnist(snakemake.input[0])
log(f"MNIST from {snakemake.input[0]}: {len(data['y'])} train, {len(data['y_test'])} test images")
save_dataset(snakemake.output[0], data, {"dataset": "mnist", "variant": "original",
                                         "source": str(snakemake.input[0])})
