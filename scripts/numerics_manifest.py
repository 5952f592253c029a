"""Record or check a manifest of bytes (see mnist1d_repro/manifest.py).

  python scripts/numerics_manifest.py record RESULTS MANIFEST --description TEXT [--mode portable]
  python scripts/numerics_manifest.py check RESULTS MANIFEST [--subset]

check prints whether the results are identical to the manifest, both CPUs, and the files that
differ; it exits with 1 when they are not identical. --subset: RESULTS may hold more files than
the manifest (a whole run checked against a manifest of some of its jobs)."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mnist1d_repro.manifest import check_against, describe, make_manifest, read_manifest, write_manifest  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("action", choices=["record", "check"])
parser.add_argument("results", type=Path)
parser.add_argument("manifest", type=Path)
parser.add_argument("--description", default="")
parser.add_argument("--mode", default="portable", choices=["portable", "native"])
parser.add_argument("--subset", action="store_true")
args = parser.parse_args()
if not args.results.is_dir():
    sys.exit(f"no results folder at {args.results}")
if args.action == "record":
    write_manifest(make_manifest(args.results, args.description, args.mode), args.manifest)
    print(f"recorded {args.manifest}")
else:
    outcome = check_against(args.results, read_manifest(args.manifest), every_file=not args.subset)
    print(describe(outcome))
    sys.exit(0 if outcome["identical"] else 1)
