"""Compare your run with the recorded paper-scale run, section by section.

    python scripts/verify_run.py                          # results/ against paper-run/
    python scripts/verify_run.py --results R --record P   # any run against any record

Prints, per results section, whether every computed result file is identical to the record's
(digests of the numbers, not of logs or timings), numerically different (with the largest
difference of a claim's value in that section and the verdicts that changed), or missing; then
the commit, CPU and numerics settings of both runs, and every file that is not identical
(--all-files). Exit status: 0 identical, 1 different or missing, 2 cannot compare.

    python scripts/verify_run.py --claims                 # every claim before (record) and after (run)

--claims prints one table of every claim: the record's value ± error, error kind and verdict beside the
run's (a Markdown table; works for a record that keeps no digests too)."""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mnist1d_repro.verify import claims_before_after, verify  # noqa: E402


def print_claims(results: Path, record: Path) -> int:
    import pandas as pd

    paths = {"after": results / "review" / "claims.csv", "before": record / "claims.csv"}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        print(f"verify_run: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    read = dict(keep_default_na=False, na_values=[""])
    table = claims_before_after(pd.read_csv(paths["after"], **read), pd.read_csv(paths["before"], **read))
    print("| " + " | ".join(table.columns) + " |\n|" + " --- |" * len(table.columns))
    for row in table.itertuples(index=False):
        print("| " + " | ".join("**yes**" if value is True else "" if value is False else str(value)
                                for value in row) + " |")
    moved = int(table["moved"].sum())
    print(f"\n{len(table)} claims; {moved} verdicts moved")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=Path("results"))
    parser.add_argument("--record", type=Path, default=Path("paper-run"))
    parser.add_argument("--all-files", action="store_true", help="list every file that is not identical")
    parser.add_argument("--claims", action="store_true", help="print every claim before (record) and after (run)")
    args = parser.parse_args(argv)
    if args.claims:
        return print_claims(args.results, args.record)
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
