"""Correct, written differently: convolution and pooling through as_strided views and einsum, batch norm from
E[x²] − E[x]² with the n/(n − 1) factor, the LSTM gates from one matmul of [x, h], index_select embeddings."""

VERDICTS = {}

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def _windows(x, k_h, k_w, stride):
    """(N, C, H_out, W_out, kH, kW) view of every window of a padded (N, C, H, W) tensor."""
    x = x.contiguous()
    n, c, h, w = x.shape
    h_out, w_out = (h - k_h) // stride + 1, (w - k_w) // stride + 1
    sn, sc, sh, sw = x.stride()
    return x.as_strided((n, c, h_out, w_out, k_h, k_w), (sn, sc, sh * stride, sw * stride, sh, sw))


def conv2d(input, weight, bias=None, stride=1, padding=0):
    windows = _windows(F.pad(input, [padding] * 4), weight.shape[2], weight.shape[3], stride)
    out = torch.einsum("nchwij,ocij->nohw", windows, weight)
    if bias is not None:
        out = out + bias.view(1, -1, 1, 1)
    return out


def max_pool2d(input, kernel_size, stride=None, padding=0):
    padded = F.pad(input, [padding] * 4, value=-torch.inf)
    windows = _windows(padded, kernel_size, kernel_size, stride or kernel_size)
    return windows.amax(dim=(-2, -1))


class BatchNorm1d(BatchNorm1d):  # noqa: F821 - the reference class, defined above in the module
    def forward(self, x):
        dims = tuple(d for d in range(x.dim()) if d != 1)
        view = [-1 if d == 1 else 1 for d in range(x.dim())]
        if not self.training:
            mean, var = self.running_mean, self.running_var
        else:
            n = x.numel() / x.size(1)
            mean = x.mean(dims)
            var = (x * x).mean(dims) - mean * mean
            self.num_batches_tracked += 1
            m = self.momentum
            self.running_mean = (1 - m) * self.running_mean + m * mean.detach()
            self.running_var = (1 - m) * self.running_var + m * var.detach() * (n / (n - 1))
        return self.bias.view(view) + self.weight.view(view) * (x - mean.view(view)) / (var.view(view) + self.eps).sqrt()


def dropout(x, p=0.5, training=True):
    if not (0 <= p <= 1):
        raise ValueError(p)
    if training and p > 0:
        keep = torch.rand(x.shape, dtype=x.dtype) < 1 - p
        return torch.where(keep, x / max(1 - p, 1e-12), torch.zeros_like(x))
    return x


class LSTMCell(LSTMCell):  # noqa: F821 - the reference class, defined above in the module
    def forward(self, input, hx=None):
        h, c = hx if hx is not None else (torch.zeros(len(input), self.hidden_size),) * 2
        weight = torch.cat([self.weight_ih, self.weight_hh], dim=1)
        gates = torch.cat([input, h], dim=1) @ weight.T + (self.bias_ih + self.bias_hh)
        H = self.hidden_size
        i, f, o = (torch.sigmoid(gates[:, a * H : (a + 1) * H]) for a in (0, 1, 3))
        g = torch.tanh(gates[:, 2 * H : 3 * H])
        c_next = torch.addcmul(f * c, i, g)
        return o * c_next.tanh(), c_next


def embedding(indices, weight, padding_idx=None):
    flat = indices.reshape(-1)
    rows = weight.index_select(0, flat)
    if padding_idx is not None:
        rows = torch.where((flat == padding_idx)[:, None], rows.detach(), rows)
    return rows.reshape(*indices.shape, weight.shape[1])
