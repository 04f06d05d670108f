"""Exercise 4 — parameters: sharing, initialisation, per-group options, buffers.

A module's state is a set of tensors, and most of what goes wrong with it is
about *which* tensors: which ones `parameters()` hands to the optimizer, which
ones `state_dict()` saves, which ones an initialiser overwrites, which ones get
weight decay. Four facts run through this exercise:

- a module object used twice is one set of parameters: `parameters()` lists it
  once, and backward *adds* the gradients of both uses into its `.grad`;
- initialisation is an in-place overwrite under `torch.no_grad()`, usually
  applied with `net.apply(fn)` to the layers it is meant for, and nothing else;
- an optimizer takes *parameter groups*, each with its own options (weight
  decay on some tensors only, another learning rate for a backbone, ...);
- `register_buffer` is for state that is saved and moved with the module but
  never trained (running statistics): in `state_dict()`, not in `parameters()`.
"""

import math

import torch
from torch import nn

# --- sharing ---------------------------------------------------------------------


def shared_mlp(in_features: int, hidden: int, out_features: int = 1) -> nn.Sequential:
    """An MLP whose middle `nn.Linear(hidden, hidden)` is used twice (tied weights).

    What: return exactly
        nn.Sequential(Linear(in_features, hidden), ReLU(),
                      shared, ReLU(),
                      shared, ReLU(),
                      Linear(hidden, out_features))
    where `shared` is ONE `nn.Linear(hidden, hidden)` object placed at indices 2 and 4.
    Why: sharing (tying) weights is how RNNs reuse a cell at every step, how
    language models tie input and output embeddings, and how siamese networks
    compare two inputs. Because it is one object, `net[2] is net[4]`,
    `net.parameters()` yields its weight once, changing `net[2].weight` changes
    `net[4].weight`, and after backward `net[2].weight.grad` is the SUM of the
    gradients of its two uses. (Two separate `nn.Linear` layers with equal
    starting values are not shared: they have two gradients and drift apart.)
    Example: net = shared_mlp(4, 8); net[2] is net[4] → True;
    sum(p.numel() for p in net.parameters()) → 40 + 72 + 9 = 121.
    """
    # BEGIN SOLUTION create the shared Linear once, then put the same object in the Sequential twice
    shared = nn.Linear(hidden, hidden)
    return nn.Sequential(
        nn.Linear(in_features, hidden),
        nn.ReLU(),
        shared,
        nn.ReLU(),
        shared,
        nn.ReLU(),
        nn.Linear(hidden, out_features),
    )
    # END SOLUTION


# --- initialisation ----------------------------------------------------------------


def init_weights(module: nn.Module) -> None:
    """Initialise an `nn.Linear`: weight ~ N(0, 0.01²), bias = 0. Leave any other module alone.

    What: if `module` is an `nn.Linear`, fill its weight in place with normal
    values of mean 0 and standard deviation 0.01 (`nn.init.normal_`) and its bias
    with zeros (`nn.init.zeros_`); otherwise do nothing.
    Why: this is the function you hand to `net.apply(init_weights)`, which calls
    it on every submodule (children first, then the container itself). The
    `isinstance` test is what keeps it away from a LayerNorm or BatchNorm, whose
    weight must stay 1; and biases usually start at 0, not at random values.
    The `nn.init` functions work in place under `torch.no_grad()`, so they can
    overwrite parameters that require grad.
    Example: net.apply(init_weights) → every Linear weight has std ≈ 0.01 and
    bias 0; a LayerNorm in `net` keeps weight 1 and bias 0.
    """
    # BEGIN SOLUTION only for nn.Linear: normal_(weight, 0, 0.01) and zeros_(bias)
    if isinstance(module, nn.Linear):
        nn.init.normal_(module.weight, mean=0.0, std=0.01)
        nn.init.zeros_(module.bias)
    # END SOLUTION


def xavier_uniform_(weight: torch.Tensor, gain: float = 1.0) -> torch.Tensor:
    """Fill a Linear weight of shape (fan_out, fan_in) with Xavier (Glorot) uniform values, in place.

    What: with fan_out, fan_in = weight.shape, draw every entry from U(−a, a) where
        a = gain · sqrt(6 / (fan_in + fan_out)),
    by calling `weight.uniform_(-a, a)` inside `torch.no_grad()`; return `weight`.
    Write it yourself; `nn.init.xavier_uniform_` is what the checks compare with.
    Why: U(−a, a) has variance a²/3 = gain² · 2 / (fan_in + fan_out), which keeps
    the variance of activations (forward) and of gradients (backward) roughly
    constant from layer to layer, so deep networks neither blow up nor fade out
    at the start of training. `no_grad` is required: an in-place change to a
    leaf that requires grad is an error otherwise.
    Example: w = nn.Parameter(torch.empty(3, 5)); xavier_uniform_(w) → all
    |w| ≤ sqrt(6 / 8) ≈ 0.866, w still a leaf with requires_grad=True. Under the
    same seed, the values equal those of nn.init.xavier_uniform_.
    """
    # BEGIN SOLUTION compute the bound from the two fans, then uniform_ under no_grad; return weight
    fan_out, fan_in = weight.shape
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    with torch.no_grad():
        weight.uniform_(-bound, bound)
    return weight
    # END SOLUTION


def init_constant(module: nn.Module, value: float) -> None:
    """Set every entry of an `nn.Linear`'s weight to `value` and its bias to 0; ignore other modules.

    What: for an `nn.Linear`, `nn.init.constant_(weight, value)` and
    `nn.init.zeros_(bias)`; otherwise do nothing.
    Why: `net.apply` passes one argument, the module; fix the others with a
    lambda or `functools.partial`: `net.apply(lambda m: init_constant(m, 42.0))`.
    Constant weights are useful in tests (outputs you can compute by hand) and
    a warning in practice: every unit of a layer then computes the same thing
    and receives the same gradient, so they never become different.
    Example: net.apply(lambda m: init_constant(m, 0.5)) → Linear weights all 0.5,
    biases 0.
    """
    # BEGIN SOLUTION only for nn.Linear: constant_ on the weight, zeros_ on the bias
    if isinstance(module, nn.Linear):
        nn.init.constant_(module.weight, value)
        nn.init.zeros_(module.bias)
    # END SOLUTION


# --- per-parameter-group options --------------------------------------------------


def decay_first_weight(net: nn.Sequential, lr: float, weight_decay: float) -> torch.optim.SGD:
    """An SGD optimizer in which only `net[0].weight` gets weight decay.

    What: return `torch.optim.SGD` with learning rate `lr` for every parameter of
    `net`, weight decay `weight_decay` for `net[0].weight` and 0 for all the
    others (its bias included). Use two parameter groups, for example
        [{"params": [net[0].weight], "weight_decay": weight_decay},
         {"params": <every other parameter>}]
    Each parameter must be in exactly one group (compare with `is`, not `==`).
    Why: options given in a group dict override the optimizer's defaults for
    that group only. This is how weight decay is kept off biases and norm layers,
    or how a pretrained backbone gets a smaller learning rate than a new head.
    SGD with weight decay λ updates p ← p − lr · (grad + λ · p).
    Example: with lr 0.1 and λ 0.5, a step changes net[0].weight by
    −0.1 · (grad + 0.5 · weight) and every other parameter by −0.1 · grad.
    """
    # BEGIN SOLUTION one group for net[0].weight with weight_decay, one for the rest; lr as the default
    first = net[0].weight
    rest = [p for p in net.parameters() if p is not first]
    return torch.optim.SGD(
        [{"params": [first], "weight_decay": weight_decay}, {"params": rest}],
        lr=lr,
        weight_decay=0.0,
    )
    # END SOLUTION


# --- buffers ------------------------------------------------------------------------


class RunningCenter(nn.Module):
    """Centre features with a running mean of the inputs, then scale them by a learned factor.

    What:
    - `__init__(num_features, momentum=0.1)`: keep `momentum`; a parameter
      `scale` = ones(num_features); two buffers registered with `register_buffer`:
      `running_mean` = zeros(num_features) (float32) and `num_batches` = tensor(0)
      (an int64 counter).
    - `forward(x)`, x of shape (batch, num_features): in training mode use the
      batch mean `x.mean(0)`, and, without recording gradients, update
          running_mean ← (1 − momentum) · running_mean + momentum · batch mean
      and add 1 to `num_batches`; in eval mode use `running_mean` and change
      nothing. Return (x − mean) · scale.
    Why: this is BatchNorm without the variance. `scale` is learned, so it is a
    parameter: listed by `parameters()`, updated by the optimizer. `running_mean`
    is state computed from the data: it must be saved in `state_dict()`, move
    with `.to()` / `.double()`, and yet never be trained, which is exactly what a
    buffer is. Made an `nn.Parameter`, the optimizer would see it; kept as a
    plain tensor attribute, `state_dict()` would forget it and `.to()` would
    leave it behind.
    Example: m = RunningCenter(3); [n for n, _ in m.named_parameters()] → ['scale'];
    list(m.state_dict()) → ['scale', 'running_mean', 'num_batches'].
    """

    def __init__(self, num_features: int, momentum: float = 0.1) -> None:
        super().__init__()
        # BEGIN SOLUTION keep momentum; scale is an nn.Parameter; register the two buffers
        self.momentum = momentum
        self.scale = nn.Parameter(torch.ones(num_features))
        self.register_buffer("running_mean", torch.zeros(num_features))
        self.register_buffer("num_batches", torch.tensor(0))
        # END SOLUTION

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # BEGIN SOLUTION training: batch mean, and update the buffers under no_grad; eval: running_mean
        if self.training:
            mean = x.mean(dim=0)
            with torch.no_grad():
                self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean)
                self.num_batches += 1
        else:
            mean = self.running_mean
        return (x - mean) * self.scale
        # END SOLUTION
