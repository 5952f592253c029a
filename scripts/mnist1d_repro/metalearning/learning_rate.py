"""Figure 6 (section 5.3): gradient descent on SGD's learning rate through the unrolled inner loop."""
from __future__ import annotations

from typing import Callable

import torch

from ..sections.metalearning_lr import INITIAL_WEIGHTS
from .engine import Params, linear_layers, torch_linear_layers, unrolled_sgd


def learning_rate_initial_weights(kind: str, n_inputs: int, hidden: int, seed: int) -> Params:
    """The initial weights of Figure 6's inner runs. ``reference``: what ``torch.manual_seed(seed)``
    followed by ``nn.Linear(n_inputs, hidden)`` and ``nn.Linear(hidden, 10)`` gives, as in the
    reference notebook; ``draws``: one draw of the same distribution from a generator seeded with
    ``seed`` (one of init_seeds: the ablation over initial weights)."""
    generator = torch.Generator().manual_seed(seed)
    if kind == "reference":
        return torch_linear_layers([n_inputs, hidden, 10], generator)
    if kind == "draws":
        return linear_layers([n_inputs, hidden, 10], generator)
    raise ValueError(f"unknown initial weights '{kind}' (one of {INITIAL_WEIGHTS.values})")


def metalearn_learning_rate(x, y, *, initial_lr: float, init: Params, inner_steps: int, batch_size: int,
                            outer_steps: int, outer_lr: float,
                            progress: Callable[[str], None] | None = None) -> list[dict]:
    """Figure 6: gradient descent on SGD's learning rate; the meta-loss is the mean training loss
    over the inner run, which always starts from the initial weights ``init``."""
    lr = torch.tensor(float(initial_lr), requires_grad=True)
    history = []
    for outer in range(outer_steps + 1):
        losses, _ = unrolled_sgd(init, lr, x, y, inner_steps, batch_size)
        meta_loss = losses.mean()
        record = {"outer_step": outer, "lr": lr.item(), "meta_loss": meta_loss.item()}
        if outer < outer_steps:
            (grad,) = torch.autograd.grad(meta_loss, lr)
            record["meta_grad"] = grad.item()
            with torch.no_grad():
                lr -= outer_lr * grad
        history.append(record)
        if progress and (outer % 5 == 0 or outer == outer_steps):
            progress(f"outer step {outer}/{outer_steps}: lr {record['lr']:.4f}, meta-loss {record['meta_loss']:.4f}")
    return history
