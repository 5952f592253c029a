"""Lottery tickets (paper section 5.1): per-layer pruning masks and iterative magnitude pruning
with rewinding to the original initialisation (the first-layer adjacency statistic and the
claims are measured in ``sections.lottery``).

A layer's mask covers its weight and bias together: at sparsity s the ``int(s * n)``
lowest-scoring of the layer's ``n`` parameters are removed. Scores are the magnitudes of the
trained parameters (a lottery ticket) or fresh uniform random numbers (a random subnetwork).

Which trained parameters a magnitude score reads is a setting (``sections.lottery.SCORE_WEIGHTS``).
The reference keeps a checkpoint every ``checkpoint_every`` steps of a retrain and scores the next
level from the last one ("last_checkpoint": after 1001 updates of a 1501-step retrain); "final"
scores from the weights after the last step. Either way a level reports its final evaluation.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn

from .sections.lottery import SCORE_WEIGHTS
from .training import TrainConfig, train

METHODS = ("magnitude", "random")


def sparsity_schedule(levels: int, final_sparsity: float = 1.0) -> np.ndarray:
    """The sparsity of each pruning level: ``levels`` evenly spaced values from 0 (dense)."""
    return np.linspace(0.0, final_sparsity, levels)


def prunable_layers(model: nn.Module) -> list[tuple[str, list[str]]]:
    """(layer name, names of its parameters) for every linear layer, in forward order."""
    return [(name, [f"{name}.{p}" for p, _ in module.named_parameters(recurse=False)])
            for name, module in model.named_modules() if isinstance(module, nn.Linear)]


def layer_masks(scores: dict[str, torch.Tensor], layers, sparsity: float) -> dict[str, torch.Tensor]:
    """Boolean keep-masks: per layer, drop the ``int(sparsity * n)`` lowest scores of its
    weight and bias together. Ties go to the earlier entry (stable sort), so a parameter that
    was already pruned (score 0) stays pruned."""
    masks = {}
    for _, names in layers:
        flat = torch.cat([scores[n].flatten() for n in names])
        keep = torch.ones_like(flat, dtype=torch.bool)
        keep[torch.argsort(flat, stable=True)[:int(sparsity * flat.numel())]] = False
        for name, part in zip(names, keep.split([scores[n].numel() for n in names])):
            masks[name] = part.view_as(scores[name])
    return masks


def magnitude_scores(weights) -> dict[str, torch.Tensor]:
    """|w| of every parameter of a model, or of a {name: tensor} mapping such as a checkpoint."""
    items = weights.named_parameters() if isinstance(weights, nn.Module) else weights.items()
    return {name: p.detach().abs() for name, p in items}


def random_scores(model: nn.Module, generator: torch.Generator) -> dict[str, torch.Tensor]:
    return {name: torch.rand(p.shape, generator=generator) for name, p in model.named_parameters()}


def last_checkpoint_updates(steps: int, checkpoint_every: int) -> int:
    """How many optimizer updates the weights of a run's last checkpoint hold, counted as the
    reference counts them: its loop checkpoints at every index that is a multiple of
    ``checkpoint_every`` (index 0 included), right after that index's update, so the checkpoint
    at index i holds i + 1 updates: 1001 for 1501 steps and checkpoints every 1000. Capped at
    ``steps``, the updates this run makes."""
    if checkpoint_every < 1:
        raise ValueError(f"checkpoint_every must be at least 1, got {checkpoint_every}")
    if steps < 1:
        raise ValueError(f"a retrain needs at least one step, got {steps}")
    return min(steps // checkpoint_every * checkpoint_every + 1, steps)


class Snapshot:
    """An ``after_step`` hook that copies the parameters once, right after step ``step``
    (counting from 1, after the mask was re-applied), into ``self.weights``."""

    def __init__(self, model: nn.Module, step: int):
        self.model, self.step, self.count, self.weights = model, step, 0, None

    def __call__(self) -> None:
        self.count += 1
        if self.count == self.step:
            self.weights = {name: p.detach().clone() for name, p in self.model.named_parameters()}


class MaskedParameters:
    """Keeps masked parameters at exactly zero: call once after each optimizer step.

    One multi-tensor multiply per step; with Adam this is exact, because a parameter that is
    zero after every step never enters a forward pass with any other value.
    """

    def __init__(self, model: nn.Module, masks: dict[str, torch.Tensor]):
        named = dict(model.named_parameters())
        self.params = [named[name] for name in masks]
        self.factors = [mask.to(device=named[name].device, dtype=named[name].dtype) for name, mask in masks.items()]

    @torch.no_grad()
    def __call__(self) -> None:
        torch._foreach_mul_(self.params, self.factors)


def rewind(model: nn.Module, initial: dict[str, torch.Tensor], masks: dict[str, torch.Tensor] | None) -> None:
    """Set the parameters to their initial values, zeroed where the mask removes them."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            # a mask drawn or loaded on the CPU meets weights that may live on the GPU
            value = initial[name] if masks is None else initial[name] * masks[name].to(initial[name])
            p.copy_(value)


def train_masked(model, initial, masks, train_set, eval_sets, cfg: TrainConfig,
                 progress: Callable[[str], None] | None = None,
                 after_step: Callable[[], None] | None = None) -> list[dict]:
    """Rewind to ``initial`` under ``masks`` (None: dense) and train with the mask enforced.
    ``after_step`` runs after every step, once the mask is re-applied (e.g. a Snapshot)."""
    rewind(model, initial, masks)
    hook = None if masks is None else MaskedParameters(model, masks)
    if after_step is not None:
        hook = after_step if hook is None else _in_turn(hook, after_step)
    return train(model, train_set, eval_sets, cfg, after_step=hook, progress=progress)


def _in_turn(*hooks: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        for hook in hooks:
            hook()
    return run


def pruning_chain(model, method: str, sparsities, train_set, eval_sets, cfg: TrainConfig, seed: int,
                  log: Callable[[str], None] = print, score_weights: str = "last_checkpoint",
                  checkpoint_every: int = 1000):
    """Iterative pruning with rewinding. Level k prunes to ``sparsities[k]`` using scores from
    the network trained at level k-1 (magnitude) or fresh random scores (random), rewinds the
    kept parameters to the initial values and trains. A magnitude score reads the weights of
    level k-1's last checkpoint (``score_weights="last_checkpoint"``: after
    ``last_checkpoint_updates(cfg.steps, checkpoint_every)`` updates, the reference's) or its final weights
    (``"final"``); level 0 reads the initial weights. Returns one row per level (its final
    evaluation, whichever weights the next level is scored from) and the keep-masks of every
    level as {parameter: (levels, *shape) bool array}.
    """
    if method not in METHODS:
        raise ValueError(f"unknown pruning method {method!r}; expected one of {METHODS}")
    if score_weights not in SCORE_WEIGHTS.values:
        raise ValueError(f"unknown score_weights {score_weights!r}; expected one of {SCORE_WEIGHTS.values}")
    layers = prunable_layers(model)
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    scored_updates = cfg.steps if score_weights == "final" else last_checkpoint_updates(cfg.steps, checkpoint_every)
    if method == "magnitude":
        log(f"magnitude scores from the weights after {scored_updates} of the previous level's {cfg.steps} "
            f"updates (score_weights {score_weights}, checkpoint every {checkpoint_every} steps)")
    generator = torch.Generator().manual_seed(seed)
    rows, saved = [], {name: [] for name in initial}
    scored = initial  # level 0 (sparsity 0 in every schedule) has no previous level
    for level, sparsity in enumerate(sparsities):
        scores = magnitude_scores(scored) if method == "magnitude" else random_scores(model, generator)
        masks = layer_masks(scores, layers, float(sparsity))
        snapshot = Snapshot(model, scored_updates) if method == "magnitude" and scored_updates < cfg.steps else None
        final = train_masked(model, initial, masks, train_set, eval_sets, cfg, after_step=snapshot)[-1]
        scored = snapshot.weights if snapshot is not None else dict(model.named_parameters())
        kept = sum(int(m.sum()) for m in masks.values())
        rows.append({"level": level, "sparsity": float(sparsity),
                     "kept_fraction": kept / sum(m.numel() for m in masks.values()),
                     **{k: v for k, v in final.items() if k != "step"}})
        for name, mask in masks.items():
            saved[name].append(mask.cpu().numpy())
        shown = ", ".join(f"{k} {v:.4g}" for k, v in final.items() if k.endswith("acc"))
        log(f"level {level + 1}/{len(sparsities)} (sparsity {sparsity:.3f}): {shown}")
    return rows, {name: np.stack(masks) for name, masks in saved.items()}
