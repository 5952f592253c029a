"""Lottery tickets (paper section 5.1): per-layer pruning masks, iterative magnitude pruning
with rewinding to the original initialisation, and the first-layer adjacency statistic.

A layer's mask covers its weight and bias together: at sparsity s the ``int(s * n)``
lowest-scoring of the layer's ``n`` parameters are removed. Scores are the magnitudes of the
trained parameters (a lottery ticket) or fresh uniform random numbers (a random subnetwork).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import nn

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


def magnitude_scores(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().abs() for name, p in model.named_parameters()}


def random_scores(model: nn.Module, generator: torch.Generator) -> dict[str, torch.Tensor]:
    return {name: torch.rand(p.shape, generator=generator) for name, p in model.named_parameters()}


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
            value = initial[name] if masks is None else initial[name] * masks[name].to(initial[name].dtype)
            p.copy_(value)


def train_masked(model, initial, masks, train_set, eval_sets, cfg: TrainConfig,
                 progress: Callable[[str], None] | None = None) -> list[dict]:
    """Rewind to ``initial`` under ``masks`` (None: dense) and train with the mask enforced."""
    rewind(model, initial, masks)
    after_step = None if masks is None else MaskedParameters(model, masks)
    return train(model, train_set, eval_sets, cfg, after_step=after_step, progress=progress)


def pruning_chain(model, method: str, sparsities, train_set, eval_sets, cfg: TrainConfig, seed: int,
                  log: Callable[[str], None] = print):
    """Iterative pruning with rewinding. Level k prunes to ``sparsities[k]`` using scores from
    the network trained at level k-1 (magnitude) or fresh random scores (random), rewinds the
    kept parameters to the initial values and trains. Returns one row per level (final
    evaluation) and the keep-masks of every level as {parameter: (levels, *shape) bool array}.
    """
    if method not in METHODS:
        raise ValueError(f"unknown pruning method {method!r}; expected one of {METHODS}")
    layers = prunable_layers(model)
    initial = {name: p.detach().clone() for name, p in model.named_parameters()}
    generator = torch.Generator().manual_seed(seed)
    rows, saved = [], {name: [] for name in initial}
    for level, sparsity in enumerate(sparsities):
        scores = magnitude_scores(model) if method == "magnitude" else random_scores(model, generator)
        masks = layer_masks(scores, layers, float(sparsity))
        final = train_masked(model, initial, masks, train_set, eval_sets, cfg)[-1]
        kept = sum(int(m.sum()) for m in masks.values())
        rows.append({"level": level, "sparsity": float(sparsity),
                     "kept_fraction": kept / sum(m.numel() for m in masks.values()),
                     **{k: v for k, v in final.items() if k != "step"}})
        for name, mask in masks.items():
            saved[name].append(mask.cpu().numpy())
        shown = ", ".join(f"{k} {v:.4g}" for k, v in final.items() if k.endswith("acc"))
        log(f"level {level + 1}/{len(sparsities)} (sparsity {sparsity:.3f}): {shown}")
    return rows, {name: np.stack(masks) for name, masks in saved.items()}


def adjacency_fractions(first_layer_mask: np.ndarray, run_length: int) -> np.ndarray:
    """Per hidden unit (row), the fraction of the ``inputs - run_length + 1`` windows of
    ``run_length`` adjacent inputs whose weights are all kept. A random mask of density p
    gives p ** run_length on average."""
    mask = np.asarray(first_layer_mask, dtype=bool)
    windows = np.ones((mask.shape[0], mask.shape[1] - run_length + 1), dtype=bool)
    for offset in range(run_length):
        windows &= mask[:, offset:mask.shape[1] - run_length + 1 + offset]
    return windows.mean(axis=1)
