"""Record or check a manifest of bytes (see mnist1d_repro/manifest.py).

  python scripts/numerics_manifest.py record RESULTS MANIFEST --description TEXT [--mode portable]
                                             [--targets TARGET ...]
  python scripts/numerics_manifest.py check RESULTS MANIFEST [--subset]
  python scripts/numerics_manifest.py confirm RESULTS MANIFEST [--subset]
  python scripts/numerics_manifest.py targets MANIFEST

record: the digests of every computed result under RESULTS; --targets names the Snakemake
targets that made them (a manifest of some jobs, run in a fresh folder), kept in the manifest.
check prints whether the results are identical to the manifest, both CPUs, and the files that
differ; it exits with 1 when they are not identical. --subset: RESULTS may hold more files than
the manifest (a whole run checked against a manifest of some of its jobs).
confirm checks, and where the run is identical with the recorded library versions adds this CPU
to the manifest's identical_on, the CPUs known to give its bytes (commit the manifest).
targets prints a manifest's targets, for `snakemake --cores N $(... targets MANIFEST)`."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mnist1d_repro.manifest import (check_against, confirm, describe, make_manifest, read_manifest,  # noqa: E402
                                    write_manifest)

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("action", choices=["record", "check", "confirm", "targets"])
parser.add_argument("paths", type=Path, nargs="+", metavar="RESULTS MANIFEST")
parser.add_argument("--description", default="")
parser.add_argument("--mode", default="portable", choices=["portable", "native"])
parser.add_argument("--subset", action="store_true")
parser.add_argument("--targets", nargs="+", default=None)
args = parser.parse_args()
if args.action == "targets":
    if len(args.paths) != 1:
        parser.error("targets takes one argument, the manifest")
    print(" ".join(read_manifest(args.paths[0]).get("targets", [])))
    sys.exit(0)
if len(args.paths) != 2:
    parser.error(f"{args.action} takes two arguments, the results folder and the manifest")
args.results, args.manifest = args.paths
if not args.results.is_dir():
    sys.exit(f"no results folder at {args.results}")
if args.action == "record":
    write_manifest(make_manifest(args.results, args.description, args.mode, targets=args.targets), args.manifest)
    print(f"recorded {args.manifest}")
else:
    manifest = read_manifest(args.manifest)
    outcome = check_against(args.results, manifest, every_file=not args.subset)
    print(describe(outcome))
    if args.action == "check":
        sys.exit(0 if outcome["identical"] else 1)
    try:
        write_manifest(confirm(manifest, outcome), args.manifest)
    except ValueError:
        sys.exit("not confirmed: only an identical run with the recorded versions confirms a manifest")
    print(f"{outcome['cpu']} listed in {args.manifest}'s identical_on")
