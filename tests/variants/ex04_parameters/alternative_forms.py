"""Correct, written differently: layers built in another order, other init calls, groups by name, buffers reassigned."""

VERDICTS = {}

import math  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402


def shared_mlp(in_features, hidden, out_features=1):
    # Built back to front (other random draws: the checks load fixed weights), sharing the ReLU too.
    head = nn.Linear(hidden, out_features)
    shared = nn.Linear(hidden, hidden)
    stem = nn.Linear(in_features, hidden)
    relu = nn.ReLU()
    return nn.Sequential(stem, *[relu, shared] * 2, relu, head)


def init_weights(module):
    if type(module) is nn.Linear:
        module.weight.data = torch.randn_like(module.weight) * 0.01
        module.bias.data.zero_()


def xavier_uniform_(weight, gain=1.0):
    fan_in, fan_out = weight.size(1), weight.size(0)
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    values = (torch.rand(weight.shape) * 2 - 1) * (math.sqrt(3.0) * std)
    with torch.no_grad():
        weight.copy_(values)
    return weight


def init_constant(module, value):
    if isinstance(module, nn.Linear):
        with torch.no_grad():
            module.weight.fill_(value)
            module.bias.fill_(0.0)


def decay_first_weight(net, lr, weight_decay):
    # Decay as the default, switched off for a first group holding everything but '0.weight'.
    named = dict(net.named_parameters())
    return torch.optim.SGD(
        [
            {"params": [p for name, p in named.items() if name != "0.weight"], "weight_decay": 0.0, "lr": lr},
            {"params": [named["0.weight"]], "lr": lr},
        ],
        lr=1.0,
        weight_decay=weight_decay,
    )


class RunningCenter(nn.Module):
    def __init__(self, num_features, momentum=0.1):
        super().__init__()
        self.register_buffer("num_batches", torch.zeros((), dtype=torch.long))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_parameter("scale", nn.Parameter(torch.ones(num_features)))
        self.momentum = momentum

    def forward(self, x):
        mean = x.mean(0) if self.training else self.running_mean
        if self.training:
            # Assigning a tensor to a registered buffer's name keeps it a buffer.
            self.running_mean = torch.lerp(self.running_mean, mean.detach(), self.momentum)
            self.num_batches = self.num_batches + 1
        return x * self.scale - mean * self.scale
