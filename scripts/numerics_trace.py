"""Which torch operation makes two CPUs' numbers differ (see mnist1d_repro/op_trace.py).

  python scripts/numerics_trace.py record TRACE.json[.gz] [--mode portable] [--only WORKLOAD ...]
  python scripts/numerics_trace.py compare OURS.json[.gz] THEIRS.json[.gz]

record: every operation of a few training steps of each model family, with the shapes of its
inputs and digests of its outputs, and this CPU. compare: per model family, the first operation whose inputs
agree and whose output differs between the two traces, or that the two agree throughout.
manifests/portable-ops-trace.json.gz is the trace of the CPU the manifests were recorded on."""
import argparse
import gzip
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mnist1d_repro.numerics import apply_mode, configure_torch, numerics_record  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("action", choices=["record", "compare"])
parser.add_argument("paths", type=Path, nargs="+")
parser.add_argument("--mode", default="portable", choices=["portable", "native"])
parser.add_argument("--only", nargs="+", metavar="WORKLOAD", help="record these model families only (record)")
args = parser.parse_args()

if args.action == "record":
    apply_mode(args.mode)
    import torch

    configure_torch(args.mode)
    torch.set_num_threads(1)
    from mnist1d_repro.op_trace import trace_all

    record = {"numerics": numerics_record(torch.backends.cpu.get_cpu_capability()), "torch": torch.__version__,
              "workloads": trace_all(args.only)}
    text = json.dumps(record).encode()
    args.paths[0].write_bytes(gzip.compress(text, mtime=0) if args.paths[0].suffix == ".gz" else text)
    print(f"{args.paths[0]}: {sum(len(calls) for calls in record['workloads'].values())} calls, "
          f"{record['numerics']['cpu']}")
else:
    from mnist1d_repro.op_trace import first_divergence

    ours, theirs = (json.loads(gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes())
                    for path in args.paths)
    print(f"ours: {ours['numerics']['cpu']} ({ours['numerics']['cpu_numerics']}, torch {ours['torch']})")
    print(f"theirs: {theirs['numerics']['cpu']} ({theirs['numerics']['cpu_numerics']}, torch {theirs['torch']})")
    for name in ours["workloads"]:
        found = first_divergence(ours["workloads"][name], theirs["workloads"].get(name, []))
        if found is None:
            print(f"{name}: identical throughout")
        else:
            call = found["ours"] or {}
            print(f"{name}: call {found['index']}: {found['kind']}: {call.get('op')} inputs (shape, strides) "
                  f"{[tuple(i[:2]) for i in call.get('inputs', [])]}")
