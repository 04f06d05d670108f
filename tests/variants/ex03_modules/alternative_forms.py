"""Correct, written differently: other initialisations and registration order,
F.linear and addmm, a reciprocal, functional dropout with training=self.training,
requires_grad_ and add_module."""

VERDICTS = {}

from collections import OrderedDict  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


class CenteredLayer(nn.Module):
    def forward(self, X):
        return X - X.sum() / X.numel()


class MyLinear(nn.Module):
    def __init__(self, in_units, units):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(units))
        self.weight = nn.Parameter(torch.rand(in_units, units) - 0.5)

    def forward(self, X):
        return F.linear(X, self.weight.t(), self.bias).clamp(min=0)


class SimpleLayer(nn.Module):
    def __init__(self, in_features, out_features):
        super().__init__()
        self.add_module("linear", nn.Linear(in_features, out_features))

    def forward(self, X):
        w, b = self.linear.weight, self.linear.bias
        return torch.relu(torch.addmm(b, X, w.T) if X.dim() == 2 else self.linear(X))


class MLP(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super().__init__()
        self.layer2 = SimpleLayer(hidden_size, output_size)
        self.layer1 = SimpleLayer(input_size, hidden_size)

    def forward(self, X):
        for layer in (self.layer1, self.layer2):
            X = layer(X)
        return X


class Standardize(nn.Module):
    def __init__(self, mean, std):
        super().__init__()
        self.register_buffer("std", torch.as_tensor(std).detach().clone())
        self.register_buffer("mean", torch.as_tensor(mean).detach().clone())

    def forward(self, X):
        return (X - self.mean) * self.std.reciprocal()


class ComplexModel(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, dropout=0.5):
        super().__init__()
        self.head = nn.Linear(hidden_size, output_size)
        self.mlp = MLP(input_size, hidden_size, hidden_size)
        self.norm = Standardize(torch.zeros(input_size), torch.ones(input_size))
        self.p = dropout

    def forward(self, X):
        hidden = F.dropout(self.mlp(self.norm(X)), self.p, training=self.training)
        return self.head(hidden)


def count_parameters(model, trainable_only=False):
    unique = {id(p): p for _, p in model.named_parameters()}
    return int(sum(p.numel() for p in unique.values() if not trainable_only or p.requires_grad))


def freeze(module):
    return module.requires_grad_(False)


def centered_sequential(in_features, hidden, out_features):
    return nn.Sequential(
        OrderedDict([("0", MyLinear(in_features, hidden)), ("1", nn.Linear(hidden, out_features)), ("2", CenteredLayer())])
    )
