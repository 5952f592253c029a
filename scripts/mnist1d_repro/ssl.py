"""Self-supervised learning on MNIST-1D (paper section 5.5): augmentations, losses, network.

The network is the classifier CNN's convolutional encoder followed by a projection head of
0, 2 or 4 linear layers (ReLU between them); ``layer_outputs`` returns the representation after
every layer so that each can be probed linearly (layer 0 is the input).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .models import conv_stack_length


def augment(x: torch.Tensor, generator: torch.Generator, max_shift: int = 10,
            slope_std: float = 0.04, offset_std: float = 0.3) -> torch.Tensor:
    """One random view per sample: centre, regress out the linear trend, shift circularly by
    0..max_shift-1 positions, then add a random slope (per position) and offset."""
    n, length = x.shape
    pos = torch.arange(length, dtype=x.dtype, device=x.device) - (length - 1) / 2
    x = x - x.mean(1, keepdim=True)
    x = x - (x @ pos / pos.square().sum())[:, None] * pos  # least-squares slope through the centred signal
    shifts = torch.randint(0, max_shift, (n,), generator=generator).to(x.device)
    index = (torch.arange(length, device=x.device)[None, :] - shifts[:, None]) % length
    x = torch.gather(x, 1, index)
    slope = slope_std * torch.randn(n, 1, generator=generator).to(x.device)
    offset = offset_std * torch.randn(n, 1, generator=generator).to(x.device)
    return x + slope * pos + offset


def info_nce(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5) -> torch.Tensor:
    """InfoNCE on cosine similarities between the two views' batches, symmetrised: each sample's
    other view is its positive, the other samples' views are negatives."""
    z1, z2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    logits = z1 @ z2.T / temperature
    target = torch.arange(len(z1), device=z1.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


def vicreg(z1: torch.Tensor, z2: torch.Tensor, invariance: float = 25.0, variance: float = 25.0,
           covariance: float = 1.0) -> torch.Tensor:
    """VICReg (Bardes et al., 2022): pull the two views together, keep every dimension's std
    near 1 and decorrelate dimensions. No negatives, unlike InfoNCE."""
    sim = F.mse_loss(z1, z2)

    def var_cov(z):
        z = z - z.mean(0)
        std = torch.sqrt(z.var(0) + 1e-4)
        cov = (z.T @ z) / (len(z) - 1)
        off_diagonal = cov - torch.diag(torch.diag(cov))
        return F.relu(1 - std).mean(), off_diagonal.square().sum() / z.shape[1]

    v1, c1 = var_cov(z1)
    v2, c2 = var_cov(z2)
    return invariance * sim + variance * (v1 + v2) + covariance * (c1 + c2)


SSL_LOSSES = {"info_nce": info_nce, "vicreg": vicreg}


class SSLNetwork(nn.Module):
    """Conv encoder (3 stride-2 convolutions, 25 channels, 125 features) + projection head."""

    def __init__(self, head_layers: int = 2, length: int = 40, channels: int = 25, hidden: int = 125,
                 out_dim: int = 16):
        super().__init__()
        if head_layers not in (0, 2, 4):
            raise ValueError(f"head_layers must be 0, 2 or 4, got {head_layers}")
        self.encoder = nn.ModuleList([
            nn.Conv1d(1, channels, 5, stride=2, padding=1),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        ])
        features = channels * conv_stack_length(length)
        sizes = [features] + [hidden] * (head_layers - 1) + [out_dim] if head_layers else [features]
        self.head = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

    def layer_outputs(self, x: torch.Tensor) -> list[torch.Tensor]:
        """[input, after conv 1, 2, 3 (flattened), after each head layer]."""
        outputs = [x]
        h = x.unsqueeze(1)
        for conv in self.encoder:
            h = torch.relu(conv(h))
            outputs.append(h.flatten(1))
        h = h.flatten(1)
        for i, linear in enumerate(self.head):
            h = linear(h)
            if i < len(self.head) - 1:
                h = torch.relu(h)
            outputs.append(h)
        return outputs

    def forward(self, x):
        return self.layer_outputs(x)[-1]
