"""Self-supervised learning on MNIST-1D (paper section 5.5): augmentations, losses, network.

The network is the classifier CNN's convolutional encoder followed by a projection head of
0, 2 or 4 linear layers (ReLU between them); ``layer_outputs`` returns the representation after
every layer so that each can be probed linearly (layer 0 is the input).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from .models import as_channels_first, as_channels_last, channels_last_linear, conv_relu, conv_stack_length
from .sections.ssl import INFO_NCE, TRAIN_DATA


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


def info_nce(z1: torch.Tensor, z2: torch.Tensor, temperature: float = 0.5,
             form: str = "one_directional") -> torch.Tensor:
    """InfoNCE on cosine similarities between the two views' batches: each sample's other view
    is its positive, the other samples' views are its negatives.

    With S = exp(o1 o2^T / temperature) for the normalised outputs o1, o2, "one_directional"
    (the reference notebook) is the mean over rows i of -log S_ii + log sum_j S_ij: only the
    first view's samples act as anchors. "symmetric" averages that with the same loss taken
    over columns (the second view's samples as anchors)."""
    if form not in INFO_NCE.values:
        raise ValueError(f"unknown InfoNCE form {form!r}; expected one of {INFO_NCE.values}")
    z1, z2 = F.normalize(z1, dim=1), F.normalize(z2, dim=1)
    logits = z1 @ z2.T / temperature
    target = torch.arange(len(z1), device=z1.device)
    loss = F.cross_entropy(logits, target)  # row i: -log softmax(logits[i])[i]
    if form == "symmetric":
        loss = (loss + F.cross_entropy(logits.T, target)) / 2
    return loss


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


def ssl_training_inputs(data: dict, train_data: str = "train") -> np.ndarray:
    """The samples the encoder is trained on, without labels: the training split only ("train",
    the reference notebook) or the training and test splits together ("train_and_test", the
    paper's text). The linear probes always fit on the training split and score on the test split."""
    if train_data == "train":
        return data["x"]
    if train_data == "train_and_test":
        return np.concatenate([data["x"], data["x_test"]])
    raise ValueError(f"unknown SSL training data {train_data!r}; expected one of {TRAIN_DATA.values}")


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

    def layer_outputs(self, x: torch.Tensor, reference: bool = False) -> list[torch.Tensor]:
        """[input, after conv 1, 2, 3 (flattened channels-first), after each head layer]. The
        convolutions run channels-last as the classifier CNN's (``models._ConvReLU``);
        ``reference``: through torch's Conv1d and Linear (the same function, for the tests)."""
        outputs = [x]
        h = as_channels_first(x) if reference else as_channels_last(x)
        for conv in self.encoder:
            h = torch.relu(conv(h)) if reference else conv_relu(h, conv)
            outputs.append(h.flatten(1) if reference else h.transpose(1, 2).flatten(1))
        for i in range(len(self.head)):
            h = self._head_layer(i, h, reference)
            outputs.append(h)
        return outputs

    def _head_layer(self, i: int, h, reference: bool = False):
        """Head layer i (ReLU after all but the last); the first takes the encoder's output,
        channels-last unless ``reference``."""
        if i == 0:
            h = self.head[0](h.flatten(1)) if reference else channels_last_linear(h, self.head[0])
        else:
            h = self.head[i](h)
        return torch.relu(h) if i < len(self.head) - 1 else h

    def forward(self, x):
        h = as_channels_last(x)
        for conv in self.encoder:
            h = conv_relu(h, conv)
        if not self.head:
            return h.transpose(1, 2).flatten(1)
        for i in range(len(self.head)):
            h = self._head_layer(i, h)
        return h


def linear_probe(tol: float, max_iter: int):
    """An unfitted linear probe: standardisation (fit on whatever the probe is fit on), then a
    logistic regression stopped at ``tol`` or after ``max_iter`` iterations."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    return make_pipeline(StandardScaler(), LogisticRegression(tol=tol, max_iter=max_iter))

