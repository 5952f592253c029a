"""Generate one named MNIST-1D dataset (train/test split) and save it as .npz."""
from mnist1d_repro.generator import GeneratorArgs, make_dataset
from mnist1d_repro.io import save_dataset
from mnist1d_repro.jobs import start_job

log = start_job(snakemake)
args = GeneratorArgs.from_dict(snakemake.params.generator)
data = make_dataset(args)
log(f"generated {len(data['y'])} train + {len(data['y_test'])} test samples of "
    f"{data['x'].shape[1]} points with seed {args.seed}")
save_dataset(snakemake.output[0], data,
             {"dataset": snakemake.wildcards.dataset, "variant": "original", "generator": args.to_dict()})
