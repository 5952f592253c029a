"""Apply one configured variant (shuffle, flip, chunk swap, label noise) to a dataset."""
from mnist1d_repro.io import load_dataset, save_dataset
from mnist1d_repro.jobs import start_job
from mnist1d_repro.variants import apply_variant

log = start_job(snakemake)
data = load_dataset(snakemake.input[0])
spec = data.pop("spec")
variant = dict(snakemake.params.variant)
out = apply_variant(data, variant, generator=spec.get("generator"))
if "label_resampled" in out:
    log(f"redrew {int(out['label_resampled'].sum())} of {len(out['y'])} training labels; "
        f"{int((out['y'] != out['y_clean']).sum())} changed class")
spec.update(variant=snakemake.wildcards.variant, variant_spec=variant)
save_dataset(snakemake.output[0], out, spec)
log(f"wrote {snakemake.output[0]}")
