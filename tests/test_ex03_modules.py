"""Graded checks for ex03_modules, one section per class or function.

Learner modules initialise their parameters in their own way (randn, rand,
zeros, in any order), so every probe that compares numbers draws its inputs and
*fixed weights first*, then builds the module and loads the weights by name
with `load_state_dict`. A module whose names or shapes differ from the
documented ones cannot load them: torch's own error ("Missing key(s) in
state_dict: ...", "size mismatch for weight") is then the check's message.
Where torch has the same computation (nn.Linear, F.linear, F.relu), probes also
report whether the learner's output agrees with it directly.
"""

import torch
import torch.nn.functional as F
from torch import nn

from grader import check, on_device

# Outputs from a handful of matmuls: a valid alternative (F.linear, addmm, X·W
# summed in another order) differs from the reference by a few float32 ulps.
# Fixed weights are scaled like torch's default init (1/sqrt(fan_in)) and
# backward starts from a fixed upstream gradient (not (out**2).sum()), so
# gradients stay O(1) and their rounding stays well inside these tolerances.
RTOL, ATOL = 1e-5, 1e-5


def _load(model, state):
    """Load fixed weights by name (strict): wrong names or shapes raise torch's own, precise error.

    Reporting that error as an observation instead would bury it under one
    "missing from the result" line per output the probe could not compute.
    """
    model.load_state_dict(state)


def _shapes(named):
    """{name: "(rows, cols)"} for named tensors: a missing or extra name is reported by name."""
    return {name: str(tuple(tensor.shape)) for name, tensor in named}


def _names(named):
    return ", ".join(sorted(name for name, _ in named))


def _agrees(actual, expected):
    return bool(torch.allclose(actual, expected, rtol=RTOL, atol=ATOL))


def _linear_state(prefix, in_features, out_features):
    """Fixed weights for an nn.Linear named `prefix` (weight is (out, in))."""
    return {
        f"{prefix}weight": torch.randn(out_features, in_features) / in_features**0.5,
        f"{prefix}bias": torch.randn(out_features),
    }


def _mlp_state(prefix, input_size, hidden_size, output_size):
    return {
        **_linear_state(f"{prefix}layer1.linear.", input_size, hidden_size),
        **_linear_state(f"{prefix}layer2.linear.", hidden_size, output_size),
    }


def _mlp_by_hand(state, X, prefix=""):
    """What torch computes for the MLP with these weights."""
    for layer in ("layer1", "layer2"):
        X = F.relu(F.linear(X, state[f"{prefix}{layer}.linear.weight"], state[f"{prefix}{layer}.linear.bias"]))
    return X


def _complex_state(input_size, hidden_size, output_size):
    return {
        "norm.mean": torch.randn(input_size),
        "norm.std": torch.rand(input_size) + 0.5,
        **_mlp_state("mlp.", input_size, hidden_size, hidden_size),
        **_linear_state("head.", hidden_size, output_size),
    }


def _complex_by_hand(state, X):
    X = (X - state["norm.mean"]) / state["norm.std"]
    return F.linear(_mlp_by_hand(state, X, "mlp."), state["head.weight"], state["head.bias"])


# --- CenteredLayer ---------------------------------------------------------------


@check(points=1)
def centered_layer_subtracts_the_mean(ex):
    """X − X.mean() over all elements (not per column or row); no parameters."""
    layer = ex.CenteredLayer()
    matrix = torch.arange(12.0).reshape(3, 4) ** 1.5
    vector = torch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
    given = {"[1, 2, 3, 4, 5]": vector.clone(), "3x4 matrix": matrix.clone()}  # before any in-place change
    out = layer(matrix)
    return {
        "[1, 2, 3, 4, 5]": layer(vector),
        "3x4 matrix": out,
        "3x4 matrix: output.mean()": out.mean(),
        "3x4 matrix: input after the call (unchanged: no X -= ...)": matrix,
        "number of parameters": len(list(layer.parameters())),
        # Context for the diagnosis (grader.core.diagnose): an output equal to its input was never centred.
        "given": given,
    }


# --- MyLinear --------------------------------------------------------------------


def _my_linear_run(ex, in_units, units, batch):
    """Forward and backward through MyLinear with fixed weights; gradients of weight and bias."""
    state = {"weight": torch.randn(in_units, units), "bias": torch.randn(units)}
    # Whatever the draw: one unit always active and one never (both sides of the ReLU), the others random.
    state["bias"][0], state["bias"][-1] = 100.0, -100.0
    X = torch.randn(batch, in_units, requires_grad=True)
    upstream = torch.randn(batch, units)
    layer = ex.MyLinear(in_units, units)
    _load(layer, state)
    out = layer(X)
    out.backward(upstream)
    return {
        "output": out,
        "output agrees with F.relu(F.linear(X, weight.T, bias))": _agrees(
            out, F.relu(F.linear(X, state["weight"].T, state["bias"]))
        ),
        "weight.grad": layer.weight.grad,
        "bias.grad": layer.bias.grad,
        "X.grad": X.grad,
    }


@check(points=2)
def my_linear_registers_parameters(ex):
    """weight (5, 3) and bias (3,) are nn.Parameters that require gradients."""
    layer = ex.MyLinear(5, 3)
    named = list(layer.named_parameters())
    return {
        "named_parameters": _shapes(named),
        "all are nn.Parameter": all(type(p) is nn.Parameter for _, p in named),
        "all require grad": all(p.requires_grad for _, p in named),
        "state_dict keys": _names(layer.state_dict().items()),
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def my_linear_forward_matches_torch(ex):
    """With fixed weights: ReLU(X·W + b), the same as F.relu(F.linear(X, W.T, b))."""
    state = {"weight": torch.randn(5, 3), "bias": torch.randn(3)}
    X, batches = torch.randn(4, 5), torch.randn(2, 4, 5)
    layer = ex.MyLinear(5, 3)
    _load(layer, state)
    out = layer(X)
    return {
        "output": out,
        "output agrees with F.relu(F.linear(X, weight.T, bias))": _agrees(
            out, F.relu(F.linear(X, state["weight"].T, state["bias"]))
        ),
        "a 3-D batch (2, 4, 5)": layer(batches),
    }


@check(points=3, rtol=RTOL, atol=ATOL)
def my_linear_gradients_reach_parameters(ex):
    """After backward, weight.grad and bias.grad hold gradients (not None): no `.data` in forward."""
    return _my_linear_run(ex, 5, 3, 4)


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def my_linear_random(ex):
    in_units, units, batch = (int(v) for v in torch.randint(2, 9, (3,)))
    return _my_linear_run(ex, in_units, units, batch)


# --- SimpleLayer and MLP -----------------------------------------------------------


@check(points=2)
def simple_layer_and_mlp_names(ex):
    """SimpleLayer holds `linear`; MLP holds `layer1` and `layer2`, both SimpleLayers."""
    simple = ex.SimpleLayer(4, 3)
    mlp = ex.MLP(4, 6, 2)
    return {
        "SimpleLayer(4, 3)": _shapes(simple.named_parameters()),
        "MLP(4, 6, 2)": _shapes(mlp.named_parameters()),
        "MLP children are SimpleLayers": [type(child).__name__ for child in mlp.children()],
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def mlp_forward_matches_torch(ex):
    """With fixed weights, SimpleLayer and MLP compute what nn.Linear + ReLU compute."""
    simple_state = _linear_state("linear.", 4, 3)
    mlp_state = _mlp_state("", 4, 6, 2)
    X = torch.randn(5, 4)
    simple, mlp = ex.SimpleLayer(4, 3), ex.MLP(4, 6, 2)
    _load(simple, simple_state)
    _load(mlp, mlp_state)
    simple_out, mlp_out = simple(X), mlp(X)
    by_hand = F.relu(F.linear(X, simple_state["linear.weight"], simple_state["linear.bias"]))
    return {
        "SimpleLayer output": simple_out,
        "SimpleLayer agrees with F.relu(F.linear(...))": _agrees(simple_out, by_hand),
        "MLP output": mlp_out,
        "MLP agrees with two F.relu(F.linear(...))": _agrees(mlp_out, _mlp_by_hand(mlp_state, X)),
    }


# --- Standardize (buffers) ---------------------------------------------------------


@check(points=2)
def standardize_registers_buffers(ex):
    """mean and std are buffers: in state_dict, moved by .double(), not parameters."""
    mean, std = torch.randn(4), torch.rand(4) + 0.5
    X = torch.randn(6, 4)
    layer = ex.Standardize(mean, std)
    observed = {
        "output": layer(X),
        "buffers": _names(layer.named_buffers()),
        "parameters": _names(layer.named_parameters()),
        "state_dict keys": _names(layer.state_dict().items()),
    }
    layer.double()
    observed["mean.dtype after .double()"] = layer.mean.dtype
    observed["std.dtype after .double()"] = layer.std.dtype
    return observed


@check(points=1)
def standardize_keeps_copies(ex):
    """The buffers are copies of mean and std: later changes to the caller's tensors, or to the buffers, stay apart."""
    mean, std = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([2.0, 0.5, 1.0])
    X = torch.tensor([[3.0, -1.0, 0.5], [1.0, 0.0, -2.0]])
    layer = ex.Standardize(mean, std)
    observed = {"output": layer(X)}
    # The caller reuses its tensors (the statistics of the next data set, say): the module must not follow.
    mean.add_(100.0)
    std.mul_(10.0)
    observed["output after the caller changed its mean and std (copies: unchanged)"] = layer(X)
    buffers = {name: buffer.clone() for name, buffer in layer.named_buffers()}
    observed["mean buffer after the caller changed its mean (a copy: unchanged)"] = buffers.get("mean")
    observed["std buffer after the caller changed its std (a copy: unchanged)"] = buffers.get("std")
    # And the other way: changing the module's buffers in place leaves the caller's tensors alone.
    for _, buffer in layer.named_buffers():
        buffer.zero_()
    observed["the caller's mean after the buffers were zeroed (a copy: unchanged)"] = mean
    observed["the caller's std after the buffers were zeroed (a copy: unchanged)"] = std
    return observed


# --- ComplexModel --------------------------------------------------------------------


def _complex_run(ex, input_size, hidden_size, output_size, batch):
    """Fixed weights (dropout 0, eval mode): output, agreement with torch, every gradient."""
    state = _complex_state(input_size, hidden_size, output_size)
    X, upstream = torch.randn(batch, input_size), torch.randn(batch, output_size)
    model = ex.ComplexModel(input_size, hidden_size, output_size, dropout=0.0)
    _load(model, state)
    model.eval()
    out = model(X)
    out.backward(upstream)
    return {
        "output": out,
        "output agrees with torch functions on the same weights": _agrees(out, _complex_by_hand(state, X)),
        "buffers": _names(model.named_buffers()),
        "grad": {name: p.grad for name, p in model.named_parameters()},
    }


@check(points=2)
def complex_model_state_dict(ex):
    """Nested names: norm.mean/std are buffers; mlp.layer1.linear.weight, ..., head.bias are parameters."""
    model = ex.ComplexModel(5, 8, 3)
    state = model.state_dict()
    return {
        "state_dict": _shapes(state.items()),
        "parameters": _names(model.named_parameters()),
        "buffers": _names(model.named_buffers()),
        "a new model's norm.mean (zeros: no shift until statistics are loaded)": state.get("norm.mean"),
        "a new model's norm.std (ones)": state.get("norm.std"),
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def complex_model_loads_weights(ex):
    """Reference weights load by name; the eval output and all gradients match."""
    return _complex_run(ex, 5, 8, 3, 7)


@check(points=1, hidden=True, rtol=RTOL, atol=ATOL)
def complex_model_random(ex):
    input_size, hidden_size, output_size, batch = (int(v) for v in torch.randint(2, 10, (4,)))
    return _complex_run(ex, input_size, hidden_size, output_size, batch)


@check(points=2)
def train_eval_switches_dropout(ex):
    """eval(): every submodule has training False and two passes agree; train(): dropout is back."""
    X = torch.randn(64, 6)
    model = ex.ComplexModel(6, 32, 4, dropout=0.5)
    model.eval()
    observed = {"after eval(): no submodule training": not any(m.training for m in model.modules())}
    first, second = model(X), model(X)
    observed["after eval(): two passes agree"] = torch.equal(first, second)
    model.train()
    observed["after train(): every submodule training"] = all(m.training for m in model.modules())
    third, fourth = model(X), model(X)
    observed["after train(): two passes differ (dropout)"] = not torch.equal(third, fourth)
    observed["after train(): differs from eval"] = not torch.equal(third, first)
    return observed


def _dropout_run(ex, dropout, train, state, X):
    model = ex.ComplexModel(5, 8, 3, dropout=dropout)
    _load(model, state)
    model.train(train)
    return model(X)


@check(points=2, rtol=RTOL, atol=ATOL)
def dropout_sits_before_the_head(ex):
    """Dropout between mlp and head: with p = 1 in training every hidden unit is dropped (the output is head.bias);
    with p = 0, or in eval mode, the output is the model without dropout."""
    state = _complex_state(5, 8, 3)
    X = torch.randn(4, 5)
    return {
        "dropout=1.0, train(): output (dropout on the hidden units before the head: head.bias on each row)": _dropout_run(
            ex, 1.0, True, state, X
        ),
        "dropout=1.0, after eval(): output (no dropout)": _dropout_run(ex, 1.0, False, state, X),
        "dropout=0.0, train(): output (no dropout)": _dropout_run(ex, 0.0, True, state, X),
    }


# --- count_parameters ----------------------------------------------------------------


@check(points=2)
def count_parameters_counts_each_once(ex):
    """ComplexModel(5, 8, 3) has 147 parameters (buffers not counted); a tied Linear counts once."""
    model = ex.ComplexModel(5, 8, 3)
    shared = nn.Linear(4, 4)
    tied = nn.Sequential(shared, nn.ReLU(), shared)
    observed = {
        "ComplexModel(5, 8, 3) (parameters, not buffers)": ex.count_parameters(model),
        "nn.Linear(4, 3)": ex.count_parameters(nn.Linear(4, 3)),
        "the same nn.Linear(4, 4) used twice": ex.count_parameters(tied),
        "nn.BatchNorm1d(6) (2 buffers of 6 and a counter)": ex.count_parameters(nn.BatchNorm1d(6)),
        "nn.ReLU() (no parameters at all)": ex.count_parameters(nn.ReLU()),
    }
    model.mlp.requires_grad_(False)
    observed["mlp frozen: trainable_only=True"] = ex.count_parameters(model, trainable_only=True)
    observed["mlp frozen: trainable_only=False"] = ex.count_parameters(model, trainable_only=False)
    return observed


# --- freeze ------------------------------------------------------------------------


@check(points=2, rtol=RTOL, atol=ATOL)
def freeze_stops_gradients(ex):
    """After freeze(mlp.layer1): its parameters have requires_grad False and no gradient; layer2 still gets one."""
    state = _mlp_state("", 4, 6, 3)
    X, upstream = torch.randn(5, 4), torch.randn(5, 3)
    model = ex.MLP(4, 6, 3)
    _load(model, state)
    returned = ex.freeze(model.layer1)
    model(X).backward(upstream)
    observed = {"freeze returns the module": returned is model.layer1}
    for name, p in model.named_parameters():
        observed[f"{name}.requires_grad"] = p.requires_grad
        observed[f"{name}.grad"] = p.grad
    return observed


# --- nn.Sequential with custom layers --------------------------------------------------


@check(points=2, rtol=RTOL, atol=ATOL)
def sequential_with_custom_layers(ex):
    """MyLinear, nn.Linear, CenteredLayer in one nn.Sequential: keys 0.*, 1.*; mean-0 output; gradients flow."""
    state = {
        "0.weight": torch.randn(4, 6),
        "0.bias": torch.randn(6),
        "1.weight": torch.randn(3, 6),
        "1.bias": torch.randn(3),
    }
    X, upstream = torch.randn(5, 4), torch.randn(5, 3)
    net = ex.centered_sequential(4, 6, 3)
    observed = {
        "is an nn.Sequential": type(net) is nn.Sequential,
        "layers": [type(layer).__name__ for layer in net],
        "state_dict": _shapes(net.state_dict().items()),
    }
    _load(net, state)
    out = net(X)
    out.backward(upstream)
    by_hand = F.linear(F.relu(X @ state["0.weight"] + state["0.bias"]), state["1.weight"], state["1.bias"])
    observed["output"] = out
    observed["output.mean()"] = out.mean()
    observed["output agrees with torch functions"] = _agrees(out, by_hand - by_hand.mean())
    observed["grad"] = {name: p.grad for name, p in net.named_parameters()}
    # Context for the diagnosis (grader.core.diagnose): what CenteredLayer was given, so a centring along a
    # dimension is named.
    observed["given"] = {"output": by_hand.detach()}
    return observed



# --- on a device -----------------------------------------------------------------------
#
# A probe with a `device` runs on the CPU, on the meta device (shapes and dtypes, no data: on every machine)
# and on CUDA where there is one; the reference runs on the CPU. So it returns facts that read the same
# everywhere: whether each tensor is on the device, its dtype and shape.

def _attribute(module, path):
    """The tensor at `path` ("norm.mean"), read as an attribute: a buffer moves with .to(), a plain attribute does not."""
    value = module
    for part in path.split("."):
        value = getattr(value, part, None)
    return value


@check(points=1, devices=("cpu", "meta", "cuda"))
def modules_move_to_the_device(ex, device):
    """After .to(device), mean and std (buffers, not plain attributes) and every parameter are there; forward runs there."""
    mean, std = torch.randn(4), torch.rand(4) + 0.5
    standardize = lambda on: ex.Standardize(mean, std).to(on)  # noqa: E731
    complex_model = lambda on: ex.ComplexModel(5, 8, 3).to(on).eval()  # noqa: E731
    sequential = lambda on: ex.centered_sequential(4, 6, 3).to(on)  # noqa: E731
    calls = {
        "Standardize: buffers after .to(device)": lambda on: {
            name: _attribute(standardize(on), name) for name in ("mean", "std")
        },
        "Standardize output": lambda on: standardize(on)(torch.randn(6, 4).to(on)),
        "ComplexModel: norm's buffers after .to(device)": lambda on: {
            name: _attribute(complex_model(on), name) for name in ("norm.mean", "norm.std")
        },
        "ComplexModel: parameters after .to(device)": lambda on: {
            name: _attribute(complex_model(on), name) for name in ("mlp.layer1.linear.weight", "head.weight", "head.bias")
        },
        "ComplexModel output": lambda on: complex_model(on)(torch.randn(7, 5).to(on)),
        "centered_sequential output": lambda on: sequential(on)(torch.randn(5, 4).to(on)),
    }
    return {name: on_device(device, call) for name, call in calls.items()}
