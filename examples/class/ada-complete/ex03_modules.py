"""Exercise 3 — building layers and models with `nn.Module`.

A module is a Python object that owns tensors and knows how to compute with
them. Subclass `nn.Module`, call `super().__init__()`, assign the pieces in
`__init__`, and write `forward`. PyTorch then finds every piece for you:

- an `nn.Parameter` assigned as an attribute is a *parameter*: it shows up in
  `parameters()`/`named_parameters()`, the optimizer trains it, gradients reach it;
- a tensor given to `register_buffer` is a *buffer*: saved in `state_dict` and
  moved by `.to()`/`.double()`, but never trained;
- a module assigned as an attribute is a *submodule*: its parameters and
  buffers are included under a dotted name (`mlp.layer1.linear.weight`).

Those names are the keys of `state_dict()`, the file format of every saved
model, so the attribute names below are part of each class's contract: the
checks load weights by name. Required names and shapes:

    MyLinear(in_units, units)        weight (in_units, units), bias (units,)
    SimpleLayer(in_f, out_f)         linear = nn.Linear(in_f, out_f)
    MLP(input, hidden, output)       layer1 = SimpleLayer(input, hidden),
                                     layer2 = SimpleLayer(hidden, output)
    Standardize(mean, std)           buffers mean, std (no parameters)
    ComplexModel(input, hidden,      norm = Standardize, mlp = MLP(input, hidden, hidden),
                 output, dropout)    dropout = nn.Dropout(dropout), head = nn.Linear(hidden, output)

Two facts behind most module bugs are taught here: `.data` gives the numbers of
a parameter *without* its autograd history (the output looks right, training
silently does nothing), and `train()`/`eval()` only change layers that look at
`self.training` (Dropout, BatchNorm).
"""

import torch
import torch.nn.functional as F
from torch import nn

# --- a layer without parameters ----------------------------------------------------


class CenteredLayer(nn.Module):
    """Subtract the mean of *all* elements of the input: Y = X − X.mean().

    What: no parameters, no `__init__` needed beyond nn.Module's; `forward`
    returns `X - X.mean()` (one scalar mean over every element, not per column).
    Why: the smallest custom layer: any differentiable tensor code in `forward`
    becomes a layer you can put in `nn.Sequential`, and autograd differentiates it.
    Example: CenteredLayer()(torch.tensor([1., 2., 3., 4., 5.])) → [-2., -1., 0., 1., 2.].
    """

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION subtract the mean of all elements of X
        return X - X.mean()
        # END SOLUTION


# --- a layer with parameters -------------------------------------------------------


class MyLinear(nn.Module):
    """A fully connected layer with ReLU: Y = ReLU(X · W + b), written by hand.

    What: `__init__` creates `self.weight` of shape (in_units, units) and
    `self.bias` of shape (units,), each an `nn.Parameter` (initialise them with
    `torch.randn`); `forward` returns ReLU(X @ weight + bias).
    Why: wrapping a tensor in `nn.Parameter` is what registers it: it appears
    in `named_parameters()` and `state_dict()` as `weight` and `bias`, and it
    requires gradients. In `forward`, use `self.weight` itself, never
    `self.weight.data`: `.data` is the same numbers cut off from autograd, so the
    output is right but `weight.grad` stays None and training changes nothing.
    Note the layout: torch's nn.Linear stores its weight as (units, in_units)
    and computes X @ W.T; with the same numbers, MyLinear equals
    F.relu(F.linear(X, weight.T, bias)).
    Example: MyLinear(5, 3)(torch.randn(2, 5)) has shape (2, 3), all entries ≥ 0.
    """

    def __init__(self, in_units: int, units: int) -> None:
        super().__init__()
        # BEGIN SOLUTION two nn.Parameter attributes: weight (in_units, units) and bias (units,)
        self.weight = nn.Parameter(torch.randn(in_units, units))
        self.bias = nn.Parameter(torch.randn(units))
        # END SOLUTION

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION ReLU of X @ weight + bias, with the parameters themselves (not .data)
        linear = torch.matmul(X, self.weight) + self.bias
        return F.relu(linear)
        # END SOLUTION


# --- composing modules -------------------------------------------------------------


class SimpleLayer(nn.Module):
    """nn.Linear followed by ReLU: Y = ReLU(linear(X)).

    What: `__init__` assigns `self.linear = nn.Linear(in_features, out_features)`;
    `forward` returns `F.relu(self.linear(X))`.
    Why: a submodule assigned as an attribute is registered under its attribute
    name, so this layer's parameters are `linear.weight` (out_features, in_features)
    and `linear.bias` (out_features,).
    Example: SimpleLayer(4, 3)(torch.randn(2, 4)) has shape (2, 3).
    """

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        # BEGIN SOLUTION one nn.Linear, stored as self.linear
        self.linear = nn.Linear(in_features, out_features)
        # END SOLUTION

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return F.relu(self.linear(X))
        # END SOLUTION


class MLP(nn.Module):
    """Two SimpleLayers in a row: input → hidden → output, each followed by ReLU.

    What: `self.layer1 = SimpleLayer(input_size, hidden_size)`,
    `self.layer2 = SimpleLayer(hidden_size, output_size)`; `forward` applies them in order.
    Why: modules nest, and names nest with them: this model's parameters are
    `layer1.linear.weight`, `layer1.linear.bias`, `layer2.linear.weight`,
    `layer2.linear.bias`. (Its output passes through ReLU too; a real classifier
    ends with a plain Linear, as ComplexModel below does.)
    Example: MLP(4, 6, 3)(torch.randn(2, 4)) has shape (2, 3).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        super().__init__()
        # BEGIN SOLUTION two SimpleLayers, named layer1 and layer2
        self.layer1 = SimpleLayer(input_size, hidden_size)
        self.layer2 = SimpleLayer(hidden_size, output_size)
        # END SOLUTION

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return self.layer2(self.layer1(X))
        # END SOLUTION


# --- buffers: state that is saved but not trained ------------------------------------


class Standardize(nn.Module):
    """Standardise features with fixed statistics: Y = (X − mean) / std.

    What: `__init__` registers copies of `mean` and `std` (1-D, one value per
    feature) as buffers named `mean` and `std`
    (`self.register_buffer("mean", mean.clone())`); `forward` returns
    (X − self.mean) / self.std.
    Why: statistics computed from the training data must be saved with the
    model and follow it to another device or dtype, but the optimizer must not
    change them. Buffers are exactly that: in `state_dict()` and moved by
    `.to()`/`.double()`, absent from `parameters()`. A plain tensor attribute is
    neither saved nor moved; an `nn.Parameter` would be trained.
    Example: Standardize(torch.tensor([1.]), torch.tensor([2.]))(torch.tensor([[5.]]))
    → [[2.]]; its state_dict keys are ['mean', 'std'] and it has no parameters.
    """

    def __init__(self, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        # BEGIN SOLUTION register copies of mean and std as buffers named mean and std
        self.register_buffer("mean", mean.clone())
        self.register_buffer("std", std.clone())
        # END SOLUTION

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return (X - self.mean) / self.std
        # END SOLUTION


class ComplexModel(nn.Module):
    """A nested model: Standardize → MLP → Dropout → Linear head.

    What: `__init__` assigns, in this order,
        self.norm = Standardize(torch.zeros(input_size), torch.ones(input_size))
        self.mlp = MLP(input_size, hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, output_size)
    and `forward` returns head(dropout(mlp(norm(X)))).
    Why: this is how real models are built: modules inside modules, a buffer for
    preprocessing statistics, and a layer (Dropout) that behaves differently in
    training and in evaluation. `model.train()` / `model.eval()` set
    `training` on every submodule; nn.Dropout reads it, so after `eval()` the
    model is deterministic. Its state_dict keys are norm.mean, norm.std,
    mlp.layer1.linear.{weight,bias}, mlp.layer2.linear.{weight,bias},
    head.{weight,bias}: weights saved from one implementation load into another.
    Example: ComplexModel(5, 8, 3).eval()(torch.randn(2, 5)) has shape (2, 3).
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, dropout: float = 0.5) -> None:
        super().__init__()
        # BEGIN SOLUTION norm, mlp, dropout and head, with the names and sizes of the docstring
        self.norm = Standardize(torch.zeros(input_size), torch.ones(input_size))
        self.mlp = MLP(input_size, hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, output_size)
        # END SOLUTION

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION
        return self.head(self.dropout(self.mlp(self.norm(X))))
        # END SOLUTION


# --- working with any module -------------------------------------------------------


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """The number of scalar parameters in `model` (an int).

    What: add up `p.numel()` over `model.parameters()`; with `trainable_only`,
    only those with `p.requires_grad`.
    Why: the size of a model is the first sanity check on an architecture.
    `parameters()` yields each parameter once, even when a layer is used twice
    (tied weights), and yields no buffers; summing over `state_dict()` gets
    both wrong.
    Example: count_parameters(nn.Linear(4, 3)) → 15 (12 weights + 3 biases).
    """
    # BEGIN SOLUTION sum p.numel() over model.parameters(), skipping frozen ones if asked
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)
    # END SOLUTION


def freeze(module: nn.Module) -> nn.Module:
    """Freeze every parameter of `module` (requires_grad off); return `module`.

    What: set `requires_grad = False` on each tensor of `module.parameters()`
    (or call `module.requires_grad_(False)`), then return the same module.
    Why: fine-tuning keeps a pretrained part fixed: a frozen parameter gets no
    gradient (its `.grad` stays None) while the rest of the model trains.
    Careful: `module.requires_grad = False` only sets a new Python attribute
    on the module object; no parameter changes.
    Example: freeze(model.layer1) → all layer1 parameters have requires_grad False.
    """
    # BEGIN SOLUTION turn requires_grad off on every parameter, then return the module
    for parameter in module.parameters():
        parameter.requires_grad = False
    return module
    # END SOLUTION


def centered_sequential(in_features: int, hidden: int, out_features: int) -> nn.Sequential:
    """nn.Sequential(MyLinear(in_features, hidden), nn.Linear(hidden, out_features), CenteredLayer()).

    What: build and return that container, in that order.
    Why: custom layers are ordinary modules, so they mix freely with torch's
    own inside `nn.Sequential`, which names its children by position: the
    state_dict keys are 0.weight (in_features, hidden), 0.bias, 1.weight
    (out_features, hidden), 1.bias. The output has mean 0.
    Example: centered_sequential(4, 6, 3)(torch.randn(5, 4)).mean() ≈ 0.
    """
    # BEGIN SOLUTION the three layers in one nn.Sequential
    return nn.Sequential(MyLinear(in_features, hidden), nn.Linear(hidden, out_features), CenteredLayer())
    # END SOLUTION
