"""The paper's classifiers; outputs are class logits.

Inputs are (batch, length) signals, or (batch, length, channels) sequences such as MNIST
images read as 28 rows of 28 pixels. Logistic regression and the MLP see the flattened input,
the CNN convolves along the length with the channels as input channels, and the GRU reads one
position (row) per step.
"""
from __future__ import annotations

import torch
from torch import nn

from .sections.double_descent import MLP_HIDDEN_LAYERS

NUM_CLASSES = 10


def as_channels_first(x):
    """(batch, length) or (batch, length, channels) -> (batch, channels, length)."""
    return x.unsqueeze(1) if x.dim() == 2 else x.transpose(1, 2)


def _trained_without_hooks(model: nn.Module) -> bool:
    """Every parameter trained, and no hooks that autograd or a forward call would run: what a
    hand-written gradient needs to give what ``loss.backward()`` gives."""
    return all(p.requires_grad for p in model.parameters()) and not any(
        m._forward_hooks or m._forward_pre_hooks or m._backward_hooks or m._backward_pre_hooks
        for m in model.modules()) and not any(p._backward_hooks for p in model.parameters())


def cross_entropy_and_logit_gradient(logits, y):
    """The mean cross-entropy of a batch and its gradient for the logits, by the operations
    autograd runs for ``F.cross_entropy(logits, y).backward()``."""
    log_probs = torch._log_softmax(logits, 1, False)
    loss, total_weight = torch.ops.aten.nll_loss_forward(log_probs, y, None, 1, -100)  # 1: mean, -100: no ignored class
    grad = torch.ops.aten.nll_loss_backward(torch.ones_like(loss), log_probs, y, None, 1, -100, total_weight)
    return loss, torch.ops.aten._log_softmax_backward_data(grad, log_probs, 1, log_probs.dtype)


class Logistic(nn.Module):
    def __init__(self, length: int = 40, in_channels: int = 1):
        super().__init__()
        self.linear = nn.Linear(length * in_channels, NUM_CLASSES)

    def forward(self, x):
        return self.linear(x.flatten(1))


class MLP(nn.Module):
    """Hidden layers of equal width: two by default. Table 1's has a residual connection around
    the second; the double-descent MLP (``residual=False``) does not. ``hidden_layers=1`` drops
    the second layer (input -> hidden -> classes, as the paper's text describes the
    double-descent MLP; no residual connection then); ``linear3`` is the read-out either way.
    ``activation`` replaces ReLU (e.g. a learned activation)."""

    def __init__(self, length: int = 40, hidden: int = 100, in_channels: int = 1, residual: bool = True,
                 activation: nn.Module | None = None, hidden_layers: int = 2):
        super().__init__()
        if hidden_layers not in MLP_HIDDEN_LAYERS.values:
            raise ValueError(f"hidden_layers must be one of {MLP_HIDDEN_LAYERS.values}, got {hidden_layers!r}")
        if hidden_layers == 1 and residual:
            raise ValueError("a residual connection needs two hidden layers (pass residual=False)")
        self.residual = residual
        self.hidden_layers = hidden_layers
        self.activation = activation or nn.ReLU()
        self.linear1 = nn.Linear(length * in_channels, hidden)
        if hidden_layers == 2:
            self.linear2 = nn.Linear(hidden, hidden)
        self.linear3 = nn.Linear(hidden, NUM_CLASSES)

    def forward(self, x):
        h = self.activation(self.linear1(x.flatten(1)))
        if self.hidden_layers == 2:
            h2 = self.activation(self.linear2(h))
            h = h + h2 if self.residual else h2
        return self.linear3(h)

    def has_hand_written_gradients(self) -> bool:
        """Whether ``cross_entropy_gradients`` applies: ReLU activations, every parameter
        trained, and no hooks that autograd or a forward call would run."""
        return type(self.activation) is nn.ReLU and _trained_without_hooks(self)

    @torch.no_grad()
    def cross_entropy_gradients(self, x, y):
        """The mean cross-entropy of a batch and its gradient for every parameter (in
        ``parameters()`` order), computed without building an autograd graph. Each operation is
        the one autograd runs for ``F.cross_entropy(self(x), y).backward()``, on the same operands
        (a linear layer's weight gradient grad^T h, its input's gradient grad W, its bias's the
        gradient summed to the bias's shape), so the numbers are the same bits (tested). A small
        network's step takes about two thirds of the time: autograd's bookkeeping is much of it."""
        layers = [self.linear1, self.linear2, self.linear3] if self.hidden_layers == 2 else [self.linear1, self.linear3]
        inputs, activations = [], []  # each layer's input; each hidden layer's ReLU output
        h = x.flatten(1)
        for i, layer in enumerate(layers):
            inputs.append(h)
            h = torch.addmm(layer.bias, h, layer.weight.t())
            if layer is not self.linear3:
                h = torch.relu(h)
                activations.append(h)
                if i == 1 and self.residual:
                    h = inputs[1] + h
        loss, grad = cross_entropy_and_logit_gradient(h, y)
        grads = {}
        for i in reversed(range(len(layers))):
            layer = layers[i]
            grads[layer.weight], grads[layer.bias] = grad.t().mm(inputs[i]), grad.sum_to_size(layer.bias.shape)
            if i == 0:
                break
            into_layer = grad.mm(layer.weight)
            if i == 1 and self.residual:  # the first hidden layer's output also reaches the read-out directly
                into_layer = residual + into_layer
            grad = torch.ops.aten.threshold_backward(into_layer, activations[i - 1], 0)
            if i == 2 and self.residual:
                residual = into_layer
        return loss, [grads[p] for p in self.parameters()]


def conv_length(length: int, kernel: int, stride: int = 2) -> int:
    """Output length of a convolution with padding 1."""
    return (length + 2 - kernel) // stride + 1


def conv_stack_length(length: int) -> int:
    """Output length of the paper's three stride-2 convolutions (kernels 5, 3, 3; padding 1)."""
    for kernel in (5, 3, 3):
        length = conv_length(length, kernel)
    return length


def as_channels_last(x):
    """(batch, length) or (batch, length, channels) -> (batch, length, channels)."""
    return x.unsqueeze(2) if x.dim() == 2 else x


def _conv_relu_forward(h, weight, bias, stride):
    """relu(conv1d(h, weight, bias, stride, padding=1)) for a channels-last h (batch, length,
    channels), channels-last too, and what its backward pass needs."""
    batch, length, channels = h.shape
    out_channels, _, kernel = weight.shape
    out_length = conv_length(length, kernel, stride)
    padded = nn.functional.pad(h, (0, 0, 1, 1))
    # window j is padded rows stride*j .. stride*j + kernel - 1: kernel * channels consecutive values
    windows = padded.as_strided((batch, out_length, kernel * channels),
                                ((length + 2) * channels, stride * channels, 1)).reshape(batch * out_length, -1)
    weight_matrix = weight.permute(2, 1, 0).reshape(kernel * channels, out_channels)
    out = torch.addmm(bias, windows, weight_matrix).clamp_(min=0)
    saved = (windows, weight_matrix, out, (batch, length, channels, kernel, out_length, stride))
    return out.view(batch, out_length, out_channels), saved


def _conv_relu_backward(grad, saved, input_gradient: bool):
    """The gradients of ``_conv_relu_forward``'s input (None unless ``input_gradient``), weight
    (in the weight's permuted layout) and bias, given its output's gradient."""
    windows, weight_matrix, out, (batch, length, channels, kernel, out_length, stride) = saved
    grad = torch.ops.aten.threshold_backward(grad.reshape(out.shape), out, 0)
    grad_h = None
    if input_gradient:
        grad_windows = (grad @ weight_matrix.t()).view(batch, out_length, kernel, channels)
        grad_padded = grad.new_zeros(batch, length + 2, channels)
        for k in range(kernel):
            grad_padded[:, k:k + stride * (out_length - 1) + 1:stride] += grad_windows[:, :, k]
        grad_h = grad_padded[:, 1:length + 1]
    grad_weight = (windows.t() @ grad).view(kernel, channels, -1).permute(2, 1, 0)
    return grad_h, grad_weight, grad.sum(0)


class _ConvReLU(torch.autograd.Function):
    """relu(conv1d(h, weight, bias, stride, padding=1)) for a channels-last input h
    (batch, length, channels), as one matrix product over the stacked input windows; the output
    is channels-last too. The same function as ``nn.Conv1d`` followed by ReLU (tested to
    float64 rounding). Why: the paper's convolutional networks are small, and torch's CPU
    convolution spends much of each call outside the arithmetic (reordering layouts, ~0.4 ms a
    backward call at 8 channels); here a layer is one copy and one matrix product forward, two
    products backward."""

    @staticmethod
    def forward(ctx, h, weight, bias, stride):
        out, saved = _conv_relu_forward(h, weight, bias, stride)
        windows, weight_matrix, out_matrix, ctx.sizes = saved
        ctx.save_for_backward(windows, weight_matrix, out_matrix)
        return out

    @staticmethod
    def backward(ctx, grad):
        grad_h, grad_weight, grad_bias = _conv_relu_backward(grad, (*ctx.saved_tensors, ctx.sizes),
                                                             ctx.needs_input_grad[0])
        return grad_h, grad_weight, grad_bias, None


def conv_relu(h, conv: nn.Conv1d):
    """relu(conv(h)) for a channels-last h, through ``_ConvReLU`` (``conv``'s padding must be 1)."""
    return _ConvReLU.apply(h, conv.weight, conv.bias, conv.stride[0])


def _channels_last_read_out_weight(linear: nn.Linear, channels: int, length: int):
    """``linear``'s weight with its columns reordered from channels-first to channels-last."""
    return linear.weight.view(-1, channels, length).transpose(1, 2).reshape(linear.weight.shape[0], -1)


def channels_last_linear(h, linear: nn.Linear):
    """``linear`` applied to the flattened channels-first form of the channels-last h (batch,
    length, channels): its weight reordered, so that no transposed copy of h is made."""
    batch, length, channels = h.shape
    return nn.functional.linear(h.reshape(batch, -1), _channels_last_read_out_weight(linear, channels, length),
                                linear.bias)


@torch.no_grad()
def _conv_stack_cross_entropy_gradients(convs, linear: nn.Linear, x, y, pool_pairs=None, pool_pairs_backward=None):
    """The mean cross-entropy of a batch and its gradient for every parameter of a network of
    channels-last convolutions with ReLU (``convs``, each optionally followed by ``pool_pairs``)
    and a read-out (``linear``, as ``channels_last_linear``), in ``parameters()`` order, without an
    autograd graph. The forward pass's operations, then those autograd runs backward: through
    the read-out as through ``MLP.cross_entropy_gradients``'s linear layers,
    ``pool_pairs_backward(grad, pooling input, pooling output)`` and ``_ConvReLU``'s own backward,
    on the same operands, so the numbers are the same bits (tested)."""
    h, saved = as_channels_last(x), []
    for conv in convs:
        conv_out, conv_saved = _conv_relu_forward(h, conv.weight, conv.bias, conv.stride[0])
        h = conv_out if pool_pairs is None else pool_pairs(conv_out)
        saved.append((conv_saved, conv_out, h))
    batch, length, channels = h.shape
    features = h.reshape(batch, -1)
    read_out = _channels_last_read_out_weight(linear, channels, length)
    loss, grad = cross_entropy_and_logit_gradient(torch.addmm(linear.bias, features, read_out.t()), y)
    grads = [grad.t().mm(features).view(-1, length, channels).transpose(1, 2).reshape(read_out.shape),
             grad.sum_to_size(linear.bias.shape)]
    grad = grad.mm(read_out).view(batch, length, channels)
    for i in reversed(range(len(convs))):
        conv_saved, conv_out, pooled = saved[i]
        if pool_pairs_backward is not None:
            grad = pool_pairs_backward(grad, conv_out, pooled)
        grad, grad_weight, grad_bias = _conv_relu_backward(grad, conv_saved, input_gradient=i > 0)
        grads[:0] = [grad_weight.contiguous(), grad_bias]
    return loss, grads


class CNN(nn.Module):
    """Three stride-2 1-D convolutions with ReLU, then a linear read-out.

    The layers are torch's ``Conv1d`` and ``Linear`` (their parameters and initialisation), but
    the forward pass runs the convolutions channels-last through ``_ConvReLU``; the
    read-out's weight is reordered so that it sees the features as the flattened
    channels-first ``Conv1d`` output of the reference."""

    def __init__(self, length: int = 40, channels: int = 25, in_channels: int = 1):
        super().__init__()
        self.conv1 = nn.Conv1d(in_channels, channels, 5, stride=2, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, 3, stride=2, padding=1)
        self.conv3 = nn.Conv1d(channels, channels, 3, stride=2, padding=1)
        self.linear = nn.Linear(channels * conv_stack_length(length), NUM_CLASSES)

    def forward(self, x):
        h = as_channels_last(x)
        for conv in (self.conv1, self.conv2, self.conv3):
            h = conv_relu(h, conv)
        return channels_last_linear(h, self.linear)

    def has_hand_written_gradients(self) -> bool:
        """Whether ``cross_entropy_gradients`` applies: every parameter trained, and no hooks
        that autograd or a forward call would run."""
        return _trained_without_hooks(self)

    def cross_entropy_gradients(self, x, y):
        """The mean cross-entropy of a batch and its gradient for every parameter, the same bits
        as autograd's (see ``_conv_stack_cross_entropy_gradients``)."""
        return _conv_stack_cross_entropy_gradients((self.conv1, self.conv2, self.conv3), self.linear, x, y)

    def reference_forward(self, x):
        """The same function with torch's Conv1d (for the tests and the benchmark)."""
        h = torch.relu(self.conv1(as_channels_first(x)))
        h = torch.relu(self.conv2(h))
        h = torch.relu(self.conv3(h))
        return self.linear(h.flatten(1))


def _gate_views(gates, hidden: int):
    """The reset, update and new-gate columns of (steps, ..., 3 hidden) gates, each as one view
    per step."""
    return tuple(gates[..., i * hidden:(i + 1) * hidden].unbind(0) for i in range(3))


class _GRUGradientWorkspace:
    """The buffers of ``GRU.cross_entropy_gradients`` for one batch shape, and their per-step views,
    made once and reused from training step to training step: a step of this tiny GRU is
    mostly the cost of launching operations, and making ~1000 views a step was a fifth of it.

    Buffers are (step, direction, batch, ...): the forward direction's step i beside the reverse
    direction's step i, which reads position length-1-i. Every buffer a step reads is written
    earlier in that step, except the initial state (zeros). They start as zeros, so that no view
    shows unset memory (the numerics trace digests views)."""

    def __init__(self, x, length: int, batch: int, hidden: int):
        zeros = x.new_zeros
        self.key = (x.dtype, x.device, length, batch, hidden)
        self.reversed_steps = torch.arange(length - 1, -1, -1, device=x.device)  # index_select: a copy, cheaper than flip
        self.gates_in = zeros(length, 2, batch, 3 * hidden)
        gates_hidden = zeros(length, 2, batch, 3 * hidden)
        self.in_r, self.in_z, self.in_n = _gate_views(self.gates_in, hidden)
        self.hid_r, self.hid_z, self.hid_n = _gate_views(gates_hidden, hidden)
        self.gates_hidden = gates_hidden.view(2 * length, batch, 3 * hidden).unbind(0)  # [2 step + direction]
        self.candidate = zeros(length, 2, batch, hidden).unbind(0)
        states = zeros(length + 1, 2, batch, hidden)  # states[i + 1]: step i's output; states[0]: zeros
        self.outputs = states[1:]
        self.states = states.unbind(0)
        self.state_blocks = states.view(2 * (length + 1), batch, hidden).unbind(0)  # [2 step + direction]
        self.h_minus_n = zeros(length, 2, batch, hidden).unbind(0)
        self.grad_out = zeros(length, 2, batch, hidden)
        self.grad_out_steps = self.grad_out.unbind(0)
        self.grad_gates_in = zeros(length, 2, batch, 3 * hidden)
        self.grad_in_rz, self.grad_in_n = (part.unbind(0) for part in self.grad_gates_in.split([2 * hidden, hidden], 3))
        self.grad_gates_hidden = zeros(2, batch, 3 * hidden)
        self.grad_hid_r, self.grad_hid_z, self.grad_hid_n = self.grad_gates_hidden.split(hidden, 2)
        self.grad_hid_rz = self.grad_gates_hidden[:, :, :2 * hidden]
        self.grad_gates_blocks = self.grad_gates_hidden.unbind(0)
        self.grad_gates_blocks_t = tuple(block.t() for block in self.grad_gates_blocks)
        self.through_hidden = zeros(2, batch, hidden)
        self.through_hidden_blocks = self.through_hidden.unbind(0)
        self.step_w, self.step_b = zeros(2, 3 * hidden, hidden), zeros(2, 3 * hidden)
        self.step_w_blocks, self.step_b_blocks = self.step_w.unbind(0), self.step_b.unbind(0)
        self.grad_w_hh, self.grad_b_hh = zeros(2, 3 * hidden, hidden), zeros(2, 3 * hidden)


class GRU(nn.Module):
    """Bidirectional GRU over the positions; every output step feeds the read-out."""

    def __init__(self, length: int = 40, hidden: int = 6, in_channels: int = 1):
        super().__init__()
        self.gru = nn.GRU(in_channels, hidden, batch_first=True, bidirectional=True)
        self.linear = nn.Linear(2 * hidden * length, NUM_CLASSES)

    def forward(self, x):
        out, _ = self.gru(x.unsqueeze(-1) if x.dim() == 2 else x)  # zero initial state
        return self.linear(out.flatten(1))

    def has_hand_written_gradients(self) -> bool:
        """Whether ``cross_entropy_gradients`` applies: on the CPU (on a GPU torch runs cuDNN's
        fused GRU, another arithmetic), every parameter trained, and no hooks."""
        return self.linear.weight.device.type == "cpu" and _trained_without_hooks(self)

    @torch.no_grad()
    def cross_entropy_gradients(self, x, y):
        """The mean cross-entropy of a batch and its gradient for every parameter (in
        ``parameters()`` order) without an autograd graph, the same bits as
        ``F.cross_entropy(self(x), y).backward()`` (tested), in less than half its time.

        Each matrix product is one that torch's CPU GRU (the input projections of all steps at
        once, then one cell per step) or autograd's backward of it runs, on operands of the same
        shape and layout. The two directions' element-wise work is one operation a step, and each
        sigmoid still runs over rows of ``hidden`` gate values, as in torch's GRU: its vectorised
        loop ends in a scalar one that rounds differently, so an element's result depends on where
        it falls in a row. Sums over steps are added in autograd's order: the last step first."""
        gru, hidden = self.gru, self.gru.hidden_size
        x = x.unsqueeze(-1) if x.dim() == 2 else x
        batch, length, channels = x.shape
        work = self.__dict__.get("_gradient_workspace")
        if work is None or work.key != (x.dtype, x.device, length, batch, hidden):
            work = self.__dict__["_gradient_workspace"] = _GRUGradientWorkspace(x, length, batch, hidden)
        steps_first = x.transpose(0, 1).contiguous().view(length * batch, channels)
        weights = [[getattr(gru, f"{name}_l0{suffix}") for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
                   for suffix in ("", "_reverse")]
        for direction, (w_ih, _, b_ih, _) in enumerate(weights):
            projected = torch.mm(steps_first, w_ih.t()).view(length, batch, 3 * hidden) + b_ih
            work.gates_in[:, direction] = projected if direction == 0 else projected.index_select(0, work.reversed_steps)
        (_, w_hh, _, b_hh), (_, w_hh_reverse, _, b_hh_reverse) = weights
        w_hh_t, w_hh_reverse_t = w_hh.t(), w_hh_reverse.t()
        states, state_blocks, gates_hidden = work.states, work.state_blocks, work.gates_hidden
        for i in range(length):
            torch.addmm(b_hh, state_blocks[2 * i], w_hh_t, out=gates_hidden[2 * i])
            torch.addmm(b_hh_reverse, state_blocks[2 * i + 1], w_hh_reverse_t, out=gates_hidden[2 * i + 1])
            r = work.hid_r[i].add_(work.in_r[i]).sigmoid_()
            z = work.hid_z[i].add_(work.in_z[i]).sigmoid_()
            n = torch.add(work.in_n[i], work.hid_n[i] * r, out=work.candidate[i]).tanh_()
            torch.mul(torch.sub(states[i], n, out=work.h_minus_n[i]), z, out=states[i + 1]).add_(n)
        outputs = work.outputs
        features = torch.cat((outputs[:, 0], outputs[:, 1].index_select(0, work.reversed_steps)), 2).transpose(0, 1).reshape(batch, -1)
        linear = self.linear
        loss, grad_logits = cross_entropy_and_logit_gradient(torch.addmm(linear.bias, features, linear.weight.t()), y)
        grads = {linear.weight: grad_logits.t().mm(features),
                 linear.bias: grad_logits.sum_to_size(linear.bias.shape)}
        grad_outputs = grad_logits.mm(linear.weight).view(batch, length, 2, hidden).transpose(0, 1)
        work.grad_out[:, 0] = grad_outputs[:, :, 0]
        work.grad_out[:, 1] = grad_outputs[:, :, 1].index_select(0, work.reversed_steps)
        grad_out, grad_blocks, grad_blocks_t = work.grad_out_steps, work.grad_gates_blocks, work.grad_gates_blocks_t
        through_hidden, step_w, step_b = work.through_hidden_blocks, work.step_w_blocks, work.step_b_blocks
        grad_h = grad_out[length - 1]
        for i in range(length - 1, -1, -1):
            r, z = work.hid_r[i], work.hid_z[i]
            grad_z = grad_h * work.h_minus_n[i]
            grad_h_minus_n = grad_h * z
            grad_n_in = torch.ops.aten.tanh_backward.grad_input(grad_h - grad_h_minus_n, work.candidate[i],
                                                                grad_input=work.grad_in_n[i])
            torch.ops.aten.sigmoid_backward.grad_input(grad_z, z, grad_input=work.grad_hid_z)
            torch.ops.aten.sigmoid_backward.grad_input(grad_n_in * work.hid_n[i], r, grad_input=work.grad_hid_r)
            torch.mul(grad_n_in, r, out=work.grad_hid_n)
            work.grad_in_rz[i].copy_(work.grad_hid_rz)
            if i > 0:  # the previous state's three uses: its output, h - n, and the next gates' product
                torch.mm(grad_blocks[0], w_hh, out=through_hidden[0])
                torch.mm(grad_blocks[1], w_hh_reverse, out=through_hidden[1])
                grad_h = (grad_out[i - 1] + grad_h_minus_n).add_(work.through_hidden)
            for direction in (0, 1):
                torch.mm(grad_blocks_t[direction], state_blocks[2 * i + direction], out=step_w[direction])
                torch.sum(grad_blocks[direction], 0, out=step_b[direction])
            if i == length - 1:
                work.grad_w_hh.copy_(work.step_w)
                work.grad_b_hh.copy_(work.step_b)
            else:
                work.grad_w_hh.add_(work.step_w)
                work.grad_b_hh.add_(work.step_b)
        for direction, (w_ih, w_hh, b_ih, b_hh) in enumerate(weights):
            by_position = work.grad_gates_in[:, direction]
            by_position = by_position.contiguous() if direction == 0 else by_position.index_select(0, work.reversed_steps)
            grads[b_ih] = by_position.sum([0, 1], keepdim=True).view(-1)
            grads[w_ih] = by_position.view(length * batch, 3 * hidden).t().mm(steps_first)
            grads[w_hh], grads[b_hh] = work.grad_w_hh[direction].clone(), work.grad_b_hh[direction].clone()
        return loss, [grads[p] for p in self.parameters()]


class PoolingCNN(nn.Module):
    """Two 20-channel convolutions (kernel 3), each followed by ReLU and a pooling variant:
    "none" (stride 1), "stride" (stride 2, no pooling), or "max"/"avg"/"l2" pooling over pairs.

    As the CNN, the forward pass runs channels-last (``_ConvReLU``, pooling over pairs of
    positions, the read-out's weight reordered); ``reference_forward`` is the same function with
    torch's Conv1d and pooling functions."""

    POOLINGS = ("none", "stride", "max", "avg", "l2")

    def __init__(self, length: int = 40, pooling: str = "max", channels: int = 20, in_channels: int = 1):
        super().__init__()
        if pooling not in self.POOLINGS:
            raise ValueError(f"unknown pooling {pooling!r}; known: {', '.join(self.POOLINGS)}")
        self.pooling = pooling
        stride = 2 if pooling == "stride" else 1
        self.conv1 = nn.Conv1d(in_channels, channels, 3, stride=stride, padding=1)
        self.conv2 = nn.Conv1d(channels, channels, 3, stride=stride, padding=1)
        if pooling == "stride":
            out_len = conv_length(conv_length(length, 3), 3)
        else:
            out_len = length if pooling == "none" else length // 2 // 2
        self.linear = nn.Linear(channels * out_len, NUM_CLASSES)

    def pool_pairs(self, h):
        """The pooling of the channels-last h over pairs of positions (an odd last one dropped,
        as torch's pooling functions do). Max keeps the first of two equal values, as max_pool1d."""
        if self.pooling in ("none", "stride"):
            return h
        length = h.shape[1] // 2 * 2
        first, second = h[:, 0:length:2], h[:, 1:length:2]
        if self.pooling == "max":
            return torch.where(first >= second, first, second)
        if self.pooling == "avg":
            return (first + second) / 2
        return (first.square() + second.square()).sqrt()  # l2: sqrt of the sum of squares over each pair

    def pool_pairs_backward(self, grad, h, pooled):
        """The gradient of ``pool_pairs``' input h, given its output (``pooled``) and the
        output's gradient, by the operations autograd runs backward through it: each of the
        two strided slices of h gets its share, placed by ``slice_backward``, and the two are
        added (in either order: each position gets one of them and the other's zero)."""
        if self.pooling in ("none", "stride"):
            return grad
        length = h.shape[1] // 2 * 2
        first, second = h[:, 0:length:2], h[:, 1:length:2]
        if self.pooling == "max":
            keeps_first = first >= second
            grad_first, grad_second = torch.where(keeps_first, grad, 0), torch.where(keeps_first, 0, grad)
        elif self.pooling == "avg":
            grad_first = grad_second = grad / 2
        else:  # l2: sqrt's backward, then square's (torch's pow(x, 2)) for each
            grad_sum = grad / (2 * pooled)
            grad_first, grad_second = grad_sum * (2.0 * first), grad_sum * (2.0 * second)
        return (torch.ops.aten.slice_backward(grad_first, h.shape, 1, 0, length, 2)
                + torch.ops.aten.slice_backward(grad_second, h.shape, 1, 1, length, 2))

    def has_hand_written_gradients(self) -> bool:
        """Whether ``cross_entropy_gradients`` applies: every parameter trained, and no hooks
        that autograd or a forward call would run."""
        return _trained_without_hooks(self)

    def cross_entropy_gradients(self, x, y):
        """The mean cross-entropy of a batch and its gradient for every parameter, the same bits
        as autograd's (see ``_conv_stack_cross_entropy_gradients``)."""
        return _conv_stack_cross_entropy_gradients((self.conv1, self.conv2), self.linear, x, y, self.pool_pairs,
                                                   self.pool_pairs_backward)

    def forward(self, x):
        h = self.pool_pairs(conv_relu(as_channels_last(x), self.conv1))
        h = self.pool_pairs(conv_relu(h, self.conv2))
        return channels_last_linear(h, self.linear)

    def pool(self, h):
        if self.pooling == "max":
            return nn.functional.max_pool1d(h, 2)
        if self.pooling == "avg":
            return nn.functional.avg_pool1d(h, 2)
        if self.pooling == "l2":
            return nn.functional.lp_pool1d(h, 2, 2)  # sqrt of the sum of squares over each pair
        return h

    def reference_forward(self, x):
        """The same function with torch's Conv1d and pooling (for the tests and the benchmark)."""
        h = self.pool(torch.relu(self.conv1(as_channels_first(x))))
        h = self.pool(torch.relu(self.conv2(h)))
        return self.linear(h.flatten(1))


MODELS = {"logistic": Logistic, "mlp": MLP, "cnn": CNN, "gru": GRU, "pooling_cnn": PoolingCNN}


def build_model(name: str, length: int = 40, in_channels: int = 1, **kwargs) -> nn.Module:
    if name not in MODELS:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return MODELS[name](length=length, in_channels=in_channels, **kwargs)


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
