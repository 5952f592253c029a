"""Compare your run with the recorded paper-scale run, section by section.

    python scripts/verify_run.py                          # results/ against paper-run/
    python scripts/verify_run.py --results R --record P   # any run against any record

Prints, per results section, whether every computed result file is identical to the record's
(digests of the numbers, not of logs or timings), numerically different (with the largest
difference of a claim's value in that section and the verdicts that changed), or missing; then
the commit, CPU and numerics settings of both runs, and every file that is not identical
(--all-files). Exit status: 0 identical, 1 different or missing, 2 cannot compare."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mnist1d_repro.verify import verify  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--record", type=Path, default=Path("paper-run"))
    parser.add_argument("--all-files", action="store_true", help="list every file that is not identical")
    args = parser.parse_args(argv)
    try:
        outcome = verify(args.results, args.record)
    except FileNotFoundError as error:
        print(f"verify_run: {error}", file=sys.stderr)
        return 2
    sections = outcome["sections"]
    print(sections.to_string(index=False))
    for name in ("ours", "recorded"):
        facts = outcome[name]
        print(f"{name:>8}: " + (", ".join(f"{key} {value}" for key, value in facts.items()) or "no provenance.json"))
    different = outcome["files"][outcome["files"]["status"] != "identical"]
    shown = different if args.all_files else different.head(20)
    for row in shown.itertuples(index=False):
        print(f"{row.status}: {row.file}")
    if len(different) > len(shown):
        print(f"... and {len(different) - len(shown)} more (--all-files)")
    identical = different.empty
    print("identical to the record" if identical else
          f"NOT identical to the record: {len(different)} of {len(outcome['files'])} files")
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
