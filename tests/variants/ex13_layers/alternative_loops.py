"""Correct, written differently: convolution and pooling as loops over output positions, batch norm with
torch.var_mean and a correction, dropout with torch.bernoulli, an LSTM cell with one matmul per gate,
the unroll from explicit zeros, and the embedding as one_hot @ weight."""

VERDICTS = {}

import math  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def conv_output_shape(size, kernel_size, stride=1, padding=0, dilation=1):
    span = dilation * (kernel_size - 1) + 1
    return math.floor((size + 2 * padding - span) / stride) + 1


def conv2d(input, weight, bias=None, stride=1, padding=0):
    padded = F.pad(input, (padding, padding, padding, padding))
    _, _, k_h, k_w = weight.shape
    h_out = conv_output_shape(input.shape[2], k_h, stride, padding)
    w_out = conv_output_shape(input.shape[3], k_w, stride, padding)
    rows = []
    for y in range(h_out):
        row = []
        for x in range(w_out):
            patch = padded[:, :, y * stride : y * stride + k_h, x * stride : x * stride + k_w]
            row.append(torch.einsum("nchw,ochw->no", patch, weight))
        rows.append(torch.stack(row, dim=-1))
    out = torch.stack(rows, dim=-2)
    return out if bias is None else out + bias[:, None, None]


def max_pool2d(input, kernel_size, stride=None, padding=0):
    stride = kernel_size if stride is None else stride
    padded = F.pad(input, (padding,) * 4, value=float("-inf"))
    h_out = conv_output_shape(input.shape[2], kernel_size, stride, padding)
    w_out = conv_output_shape(input.shape[3], kernel_size, stride, padding)
    rows = []
    for y in range(h_out):
        row = [
            padded[:, :, y * stride : y * stride + kernel_size, x * stride : x * stride + kernel_size].amax(dim=(-2, -1))
            for x in range(w_out)
        ]
        rows.append(torch.stack(row, dim=-1))
    return torch.stack(rows, dim=-2)


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("running_var", torch.ones(num_features))
        self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.long))

    def forward(self, x):
        # Move the channels last and flatten everything else: (n, C).
        flat = x.movedim(1, -1).reshape(-1, self.num_features)
        if self.training:
            var, mean = torch.var_mean(flat, dim=0, correction=0)
            unbiased = torch.var(flat.detach(), dim=0, correction=1)
            with torch.no_grad():
                self.running_mean.copy_(torch.lerp(self.running_mean, mean, self.momentum))
                self.running_var.copy_(torch.lerp(self.running_var, unbiased, self.momentum))
                self.num_batches_tracked.add_(1)
        else:
            mean, var = self.running_mean, self.running_var
        out = (flat - mean) * torch.rsqrt(var + self.eps) * self.weight + self.bias
        return out.reshape(x.movedim(1, -1).shape).movedim(-1, 1)


def dropout(x, p=0.5, training=True):
    if p < 0 or p > 1:
        raise ValueError("p must be in [0, 1]")
    if not training:
        return x
    mask = torch.bernoulli(torch.full_like(x, 1.0 - p))
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    return x * mask * scale


class LSTMCell(nn.Module):
    def __init__(self, input_size, hidden_size):
        super().__init__()
        self.hidden_size = hidden_size
        k = hidden_size**-0.5
        self.weight_ih = nn.Parameter(torch.rand(4 * hidden_size, input_size) * 2 * k - k)
        self.weight_hh = nn.Parameter(torch.rand(4 * hidden_size, hidden_size) * 2 * k - k)
        self.bias_ih = nn.Parameter(torch.rand(4 * hidden_size) * 2 * k - k)
        self.bias_hh = nn.Parameter(torch.rand(4 * hidden_size) * 2 * k - k)

    def _gate(self, index, x, h):
        rows = slice(index * self.hidden_size, (index + 1) * self.hidden_size)
        return F.linear(x, self.weight_ih[rows], self.bias_ih[rows]) + F.linear(h, self.weight_hh[rows], self.bias_hh[rows])

    def forward(self, input, hx=None):
        if hx is None:
            h = c = torch.zeros(input.shape[0], self.hidden_size, dtype=input.dtype)
        else:
            h, c = hx
        i = torch.sigmoid(self._gate(0, input, h))
        f = torch.sigmoid(self._gate(1, input, h))
        g = torch.tanh(self._gate(2, input, h))
        o = torch.sigmoid(self._gate(3, input, h))
        c = f * c + i * g
        return o * torch.tanh(c), c


def lstm_unroll(cell, x, hx=None):
    batch, steps, _ = x.shape
    if hx is None:
        hidden = cell.hidden_size
        h, c = torch.zeros(batch, hidden), torch.zeros(batch, hidden)
    else:
        h, c = hx[0].squeeze(0), hx[1].squeeze(0)
    outputs = []
    for step in x.unbind(dim=1):
        h, c = cell(step, (h, c))
        outputs.append(h.unsqueeze(1))
    return torch.cat(outputs, dim=1), (h[None], c[None])


def lstm_shapes(batch, seq_len, hidden_size, num_layers=1, bidirectional=False):
    layers = num_layers * (1 + int(bidirectional))
    return (
        torch.Size([batch, seq_len, hidden_size * (1 + int(bidirectional))]),
        torch.Size([layers, batch, hidden_size]),
        torch.Size([layers, batch, hidden_size]),
    )


def embedding(indices, weight, padding_idx=None):
    if padding_idx is not None:
        trained = torch.ones(weight.shape[0], 1, dtype=weight.dtype)
        trained[padding_idx] = 0
        weight = weight * trained + weight.detach() * (1 - trained)
    return F.one_hot(indices, weight.shape[0]).to(weight.dtype) @ weight
