"""Benchmark: the pooling (Figure 9) and self-supervised (Figure 8) networks' training steps with
their channels-last matrix-product convolutions against torch's Conv1d and pooling, same process.

    python tests/benchmarks/bench_convolutions.py [--steps 600] [--mode portable|native]

Each network trains with the library's `train` loop (Adam, the configured batch size and
learning rate, shuffled batches as the jobs do, no evaluations) on random data of the job's
shapes, once through its `forward` and once through torch's layers (the same function, tested
in tests/test_training.py), from the same initial weights; the self-supervised step is the
job's: two augmented views, InfoNCE. Prints ms per step for each, and the ratio. Portable mode
(the default) pins the numerics as every pipeline job does.
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from mnist1d_repro.numerics import apply_mode, configure_torch  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("--steps", type=int, default=600)
parser.add_argument("--mode", choices=("portable", "native"), default="portable")
args = parser.parse_args()
apply_mode(args.mode)

import torch  # noqa: E402
import yaml  # noqa: E402

from mnist1d_repro.models import PoolingCNN, build_model  # noqa: E402
from mnist1d_repro.ssl import SSLNetwork, augment, info_nce  # noqa: E402
from mnist1d_repro.training import TrainConfig, train  # noqa: E402
from timing import best_time  # noqa: E402

configure_torch(args.mode)
torch.set_num_threads(1)
CONFIG = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
LENGTH = 40


def ms_per_step(make_model, through_torch: bool, settings: dict, batch_loss=None) -> float:
    torch.manual_seed(0)
    model = make_model()
    if through_torch:
        model.forward = model.reference_forward
    x = torch.randn(5000, LENGTH)
    y = torch.randint(0, 10, (5000,))
    cfg = TrainConfig(steps=args.steps, batch_size=settings["batch_size"], lr=settings["lr"],
                      eval_every=args.steps, batch_order="shuffled")
    seconds, _ = best_time(lambda: train(model, (x, y), {}, cfg, batch_loss=batch_loss), 2)
    return 1000 * seconds / args.steps


def ssl_model(head):
    model = SSLNetwork(head_layers=head, length=LENGTH)
    model.reference_forward = lambda x: model.layer_outputs(x, reference=True)[-1]
    return model


def main():
    print(f"{args.mode} numerics, one thread, {args.steps} steps, best of 2")
    print(f"{'network':<24} {'torch layers (ms/step)':>23} {'ours (ms/step)':>15} {'ratio':>6}")
    pooling = CONFIG["pooling"]
    for kind in PoolingCNN.POOLINGS:
        def make(kind=kind):
            return build_model("pooling_cnn", pooling=kind, length=LENGTH)
        old, new = ms_per_step(make, True, pooling), ms_per_step(make, False, pooling)
        print(f"{'pooling ' + kind:<24} {old:>23.2f} {new:>15.2f} {old / new:>6.2f}")
    ssl = CONFIG["ssl"]
    views = torch.Generator().manual_seed(0)

    def two_views(model, xb, _):
        return info_nce(model(augment(xb, views, **ssl["augmentation"])),
                        model(augment(xb, views, **ssl["augmentation"])), temperature=ssl["temperature"])
    for head in ssl["head_layers"]:
        def make(head=head):
            return ssl_model(head)
        old, new = ms_per_step(make, True, ssl, two_views), ms_per_step(make, False, ssl, two_views)
        print(f"{'ssl, ' + str(head) + '-layer head':<24} {old:>23.2f} {new:>15.2f} {old / new:>6.2f}")


if __name__ == "__main__":
    main()
