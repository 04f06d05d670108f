"""Graded checks for ex13_layers, one section per layer.

Each probe builds its inputs (and, where weights matter, copies them from the
PyTorch layer, so that the order in which a learner draws random numbers does
not matter), calls the learner's layer and returns what it saw; the harness
compares that with the reference solution. Where PyTorch has the same layer the
probe also runs it on the same inputs and observes whether the learner's result
agrees: the reference agrees, so that key checks the learner against PyTorch
itself. The checks that ask for a layer by hand forbid the torch function it
re-implements.
"""

import torch
import torch.nn.functional as F
from torch import nn

from grader import capture, check

# The first name listed for a callable is the one shown in messages when two names are the same object.
CONV = ("torch.conv2d", "torch.convolution", "torch.nn.functional.conv2d")
POOL = ("torch.max_pool2d", "torch.nn.functional.max_pool2d_with_indices", "torch.nn.functional.max_pool2d")
BATCH_NORM = ("torch.batch_norm", "torch.nn.functional.batch_norm")
DROPOUT = ("torch.dropout", "torch.native_dropout", "torch.nn.functional.dropout")
LSTM = ("torch.lstm_cell", "torch.lstm", "torch.nn.LSTMCell.forward")
EMBEDDING = ("torch.embedding", "torch.nn.functional.embedding")


def _agrees(value, expected, rtol=1e-4, atol=1e-5):
    """Whether the learner's value matches PyTorch's own result (same dtype and shape, close values)."""
    if type(value) is not torch.Tensor or value.dtype != expected.dtype or value.shape != expected.shape:
        return False
    return bool(torch.allclose(value.detach(), expected.detach(), rtol=rtol, atol=atol))


def _leaf(t):
    return t.detach().clone().requires_grad_(True)


# --- conv_output_shape ---------------------------------------------------------------


@check(points=2)
def conv_output_shape_formula(ex):
    """⌊(size + 2p − d(k − 1) − 1)/s⌋ + 1, an int, on cases where the floor and dilation matter; as F.conv2d."""
    cases = [  # size, kernel, stride, padding, dilation
        (6, 3, 2, 0, 1),
        (7, 2, 2, 0, 1),
        (5, 3, 1, 0, 1),
        (5, 3, 2, 0, 1),
        (5, 3, 1, 1, 1),
        (28, 5, 1, 2, 1),
        (32, 3, 2, 1, 1),
        (224, 7, 2, 3, 1),
        (7, 3, 1, 0, 2),
        (10, 3, 3, 1, 2),
    ]
    observed = {}
    agrees = True
    for size, k, s, p, d in cases:
        got = ex.conv_output_shape(size, k, stride=s, padding=p, dilation=d)
        observed[f"size={size}, kernel={k}, stride={s}, padding={p}, dilation={d}"] = got
        torch_size = F.conv2d(torch.zeros(1, 1, size, 1), torch.zeros(1, 1, k, 1), stride=s, padding=(p, 0), dilation=d)
        agrees = agrees and type(got) is int and got == torch_size.shape[2]
    observed["returns ints that agree with F.conv2d's output sizes"] = agrees
    return observed


# --- conv2d --------------------------------------------------------------------------

WORKED_INPUT = [[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 3], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]]
WORKED_KERNEL = [[1, 2, 1], [0, 1, 0], [2, 1, 0]]


@check(points=3, forbid=CONV)
def conv2d_worked_example(ex):
    """The 5×5 input and 3×3 kernel: [[10, 12, 12], [18, 16, 16], [13, 9, 6]], stride 2 [[10, 12], [13, 6]], and padding 1."""
    x = torch.tensor(WORKED_INPUT, dtype=torch.float32).reshape(1, 1, 5, 5)
    k = torch.tensor(WORKED_KERNEL, dtype=torch.float32).reshape(1, 1, 3, 3)
    outputs = {
        "stride 1": ex.conv2d(x, k),
        "stride 2": ex.conv2d(x, k, stride=2),
        "stride 1, padding 1": ex.conv2d(x, k, padding=1),
    }
    expected = [F.conv2d(x, k), F.conv2d(x, k, stride=2), F.conv2d(x, k, padding=1)]
    outputs["agrees with F.conv2d"] = all(_agrees(o, e) for o, e in zip(outputs.values(), expected))
    return outputs


# unfold + matmul and a loop over positions sum the same products in other orders.
@check(points=2, rtol=1e-5, atol=1e-5, forbid=CONV)
def conv2d_channels_bias_and_gradients(ex):
    """Batch 2, 3 → 4 channels, a 3×2 kernel, stride 2, padding 1, with and without bias; gradients as F.conv2d."""
    x, weight, bias = torch.randn(2, 3, 7, 6), torch.randn(4, 3, 3, 2), torch.randn(4)
    upstream = torch.randn(2, 4, 4, 4)
    leaves = [_leaf(t) for t in (x, weight, bias)]
    out = ex.conv2d(*leaves, stride=2, padding=1)
    (out * upstream).sum().backward()
    torch_leaves = [_leaf(t) for t in (x, weight, bias)]
    expected = F.conv2d(*torch_leaves, stride=2, padding=1)
    (expected * upstream).sum().backward()
    no_bias = ex.conv2d(x, weight, stride=1, padding=0)
    return {
        "output": out,
        "input.grad": leaves[0].grad,
        "weight.grad": leaves[1].grad,
        "bias.grad": leaves[2].grad,
        "no bias, stride 1: output": no_bias,
        "agrees with F.conv2d": _agrees(out, expected) and _agrees(no_bias, F.conv2d(x, weight)),
        "gradients agree with F.conv2d": all(_agrees(a.grad, b.grad) for a, b in zip(leaves, torch_leaves)),
    }


@check(points=2, hidden=True, rtol=1e-5, atol=1e-5, forbid=CONV)
def conv2d_random(ex):
    """Random sizes, channels, kernel, stride, padding and bias values; with and without a bias."""
    draw = lambda low, high: int(torch.randint(low, high + 1, ()))  # noqa: E731
    n, c_in, c_out = draw(1, 3), draw(1, 4), draw(1, 5)
    k_h, k_w, stride, padding = draw(2, 4), draw(1, 4), draw(1, 3), draw(0, 2)
    x = torch.randn(n, c_in, draw(k_h + 2, 10), draw(k_w + 2, 10))
    weight = torch.randn(c_out, c_in, k_h, k_w)
    bias = torch.randn(c_out)
    out = ex.conv2d(x, weight, bias, stride=stride, padding=padding)
    no_bias = ex.conv2d(x, weight, None, stride=stride, padding=padding)  # every draw: with and without a bias
    return {
        "output": out,
        "without bias: output": no_bias,
        "agrees with F.conv2d": _agrees(out, F.conv2d(x, weight, bias, stride=stride, padding=padding))
        and _agrees(no_bias, F.conv2d(x, weight, None, stride=stride, padding=padding)),
    }


# --- max_pool2d ----------------------------------------------------------------------


@check(points=2, forbid=POOL)
def max_pool2d_windows_and_strides(ex):
    """Kernel 2 defaults to stride 2; overlapping windows, −inf padding, the floor; the gradient goes to each max."""
    grid = torch.arange(16.0).reshape(1, 1, 4, 4)
    distinct = torch.randperm(36).float().reshape(1, 1, 6, 6) - 18.0  # negatives: zero padding would win
    x = torch.randn(2, 3, 7, 5)
    leaf = _leaf(x)
    out = ex.max_pool2d(leaf, 2)
    out.pow(2).sum().backward()
    torch_leaf = _leaf(x)
    F.max_pool2d(torch_leaf, 2).pow(2).sum().backward()
    observed = {
        "kernel 2 (default stride) on arange(16)": ex.max_pool2d(grid, 2),
        "kernel 3, stride 1": ex.max_pool2d(distinct, 3, stride=1),
        "kernel 3, stride 2 (floor)": ex.max_pool2d(distinct, 3, stride=2),
        "kernel 3, stride 1, padding 1": ex.max_pool2d(distinct, 3, stride=1, padding=1),
        "kernel 2 (default stride) on (2, 3, 7, 5)": out,
        "input.grad": leaf.grad,
    }
    observed["agrees with F.max_pool2d"] = (
        _agrees(observed["kernel 3, stride 1, padding 1"], F.max_pool2d(distinct, 3, stride=1, padding=1))
        and _agrees(out, F.max_pool2d(x, 2))
        and _agrees(leaf.grad, torch_leaf.grad)
    )
    return observed


@check(points=1, hidden=True, forbid=POOL)
def max_pool2d_random(ex):
    """Random shapes, kernel and stride; padded, unpadded and with the default stride; values and gradient."""
    draw = lambda low, high: int(torch.randint(low, high + 1, ()))  # noqa: E731
    kernel, stride = draw(2, 3), draw(1, 3)
    padding = 1  # every draw pads (kernel // 2 is 1 for kernels 2 and 3) and also runs unpadded
    x = torch.randn(draw(1, 3), draw(1, 3), draw(kernel + 1, 9), draw(kernel + 1, 9)) - 3.0  # mostly negative: zero padding would win
    leaf = _leaf(x)
    out = ex.max_pool2d(leaf, kernel, stride=stride, padding=padding)
    out.sum().backward()
    unpadded = ex.max_pool2d(x, kernel, stride=stride)
    default_stride = ex.max_pool2d(x, kernel)
    return {
        "output": out,
        "input.grad": leaf.grad,
        "no padding: output": unpadded,
        "default stride: output": default_stride,
        "agrees with F.max_pool2d": _agrees(out, F.max_pool2d(x, kernel, stride=stride, padding=padding))
        and _agrees(unpadded, F.max_pool2d(x, kernel, stride=stride))
        and _agrees(default_stride, F.max_pool2d(x, kernel)),
    }


# --- BatchNorm1d ---------------------------------------------------------------------


def _set_affine(module, weight, bias):
    with torch.no_grad():
        module.weight.copy_(weight)
        module.bias.copy_(bias)


def _names(named):
    return ", ".join(name for name, _ in named)


# Normalisation divides by a batch std computed in another order (or in one pass, E[x²] − E[x]²):
# float32 rounding, far below what a wrong formula changes (n/(n − 1), momentum, eps).
@check(points=3, rtol=1e-4, atol=1e-4, forbid=BATCH_NORM)
def batchnorm_training_updates_running_stats(ex):
    """nn.BatchNorm1d's names; in training, biased variance to normalise, unbiased into running_var, momentum on the new batch."""
    bn = ex.BatchNorm1d(3, momentum=0.25)
    reference = nn.BatchNorm1d(3, momentum=0.25)
    observed = {
        "named_parameters": _names(bn.named_parameters()),
        "named_buffers": _names(bn.named_buffers()),
        "state_dict keys as nn.BatchNorm1d": sorted(bn.state_dict()) == sorted(reference.state_dict()),
        "initial weight (ones)": bn.weight.detach().clone(),
        "initial bias (zeros)": bn.bias.detach().clone(),
        "initial running_mean": bn.running_mean.clone(),
        "initial running_var": bn.running_var.clone(),
        "initial num_batches_tracked": bn.num_batches_tracked.clone(),
        "num_batches_tracked.dtype": bn.num_batches_tracked.dtype,
        # Inheriting nn.BatchNorm1d's forward runs no line of your file, so `forbid` cannot see it.
        "forward written in your class, not inherited from nn.BatchNorm1d": (
            type(bn).forward is not nn.BatchNorm1d.forward
        ),
    }
    weight, bias = torch.tensor([1.5, 0.5, -1.0]), torch.tensor([0.0, 1.0, -2.0])
    _set_affine(bn, weight, bias)
    _set_affine(reference, weight, bias)
    agrees = True
    for step in range(3):
        x = torch.randn(6, 3) * torch.tensor([1.0, 3.0, 0.5]) + torch.tensor([0.0, 2.0, -1.0])
        leaf = _leaf(x)
        out = bn(leaf)
        upstream = torch.randn(6, 3)
        (out * upstream).sum().backward()
        expected = reference(x)
        observed[f"output {step}"] = out
        observed[f"running_mean after batch {step} (momentum weights the new batch)"] = bn.running_mean.clone()
        observed[f"running_var after batch {step} (momentum on the unbiased, n - 1, batch variance)"] = bn.running_var.clone()
        observed[f"x.grad {step}"] = leaf.grad
        agrees = agrees and _agrees(out, expected)
        agrees = agrees and _agrees(bn.running_mean, reference.running_mean)
        agrees = agrees and _agrees(bn.running_var, reference.running_var)
    observed["weight.grad"] = bn.weight.grad
    observed["bias.grad"] = bn.bias.grad
    observed["num_batches_tracked"] = bn.num_batches_tracked.clone()
    observed["running_var.requires_grad"] = bn.running_var.requires_grad
    observed["agrees with nn.BatchNorm1d"] = agrees
    return observed


@check(points=2, rtol=1e-4, atol=1e-4, forbid=BATCH_NORM)
def batchnorm_eval_uses_running_stats(ex):
    """(N, C, L) inputs reduce over N and L; eval normalises with the running statistics and changes no buffer."""
    bn = ex.BatchNorm1d(4, eps=1e-3, momentum=0.4)
    reference = nn.BatchNorm1d(4, eps=1e-3, momentum=0.4)
    weight, bias = torch.tensor([2.0, 1.0, 0.5, -1.0]), torch.tensor([0.1, 0.2, 0.3, 0.4])
    _set_affine(bn, weight, bias)
    _set_affine(reference, weight, bias)
    observed = {}
    for step in range(2):
        x = torch.randn(5, 4, 3) * 2.0 + 1.0
        observed[f"training output {step} (N, C, L)"] = bn(x)
        reference(x)
    bn.eval()
    reference.eval()
    x3, x2 = torch.randn(2, 4, 3), torch.randn(3, 4)
    out3, out2 = bn(x3), bn(x2)
    observed["eval output (N, C, L)"] = out3
    observed["eval output (N, C)"] = out2
    observed["running_mean after eval"] = bn.running_mean
    observed["running_var after eval"] = bn.running_var
    observed["num_batches_tracked after eval"] = bn.num_batches_tracked
    observed["agrees with nn.BatchNorm1d"] = (
        _agrees(out3, reference(x3))
        and _agrees(out2, reference(x2))
        and _agrees(bn.running_var, reference.running_var)
    )
    return observed


@check(points=2, hidden=True, rtol=1e-4, atol=1e-4, forbid=BATCH_NORM)
def batchnorm_random(ex):
    """Random sizes, momentum, eps and affine values; two training batches then eval."""
    channels, n = int(torch.randint(1, 6, ())), int(torch.randint(4, 11, ()))
    length = int(torch.randint(1, 5, ()))
    shapes = [(n, channels, length), (n, channels)]  # every draw: an (N, C, L) batch, then an (N, C) one
    momentum, eps = float(torch.empty(()).uniform_(0.05, 0.9)), float(10 ** torch.empty(()).uniform_(-5, -2))
    bn = ex.BatchNorm1d(channels, eps=eps, momentum=momentum)
    reference = nn.BatchNorm1d(channels, eps=eps, momentum=momentum)
    weight, bias = torch.randn(channels), torch.randn(channels)
    _set_affine(bn, weight, bias)
    _set_affine(reference, weight, bias)
    observed = {}
    for step, shape in enumerate(shapes):
        x = torch.randn(shape) * float(torch.empty(()).uniform_(0.5, 3.0)) + float(torch.randn(()))
        leaf = _leaf(x)
        out = bn(leaf)
        (out * torch.randn(shape)).sum().backward()
        observed[f"output {step}"] = out
        observed[f"x.grad {step}"] = leaf.grad
        reference(x)
    observed["running_mean (momentum weights the new batch)"] = bn.running_mean
    observed["running_var (momentum on the unbiased, n - 1, batch variance)"] = bn.running_var
    bn.eval()
    reference.eval()
    x, x2 = torch.randn(shapes[0]), torch.randn(shapes[1])
    observed["eval output (N, C, L)"] = bn(x)
    observed["eval output (N, C)"] = bn(x2)
    observed["agrees with nn.BatchNorm1d"] = _agrees(bn(x), reference(x)) and _agrees(bn(x2), reference(x2))
    return observed


# --- dropout -------------------------------------------------------------------------


@check(points=2, forbid=DROPOUT)
def dropout_edge_cases(ex):
    """Eval (for any p, 1 included) and p = 0 return x; p = 1 returns zeros, not NaN; p outside [0, 1] raises
    ValueError, in eval too; x is never modified."""
    x = torch.randn(4, 5)
    original = x.clone()
    ones = ex.dropout(x, 1.0)
    return {
        "p=1: output": ones,
        "eval (training=False, p=0.5): output": ex.dropout(x, 0.5, training=False),
        "eval (training=False, p=0.9): output": ex.dropout(x, 0.9, training=False),
        "eval (training=False, p=1): output is x": ex.dropout(x, 1.0, training=False),
        "eval (training=False, p=0): output": ex.dropout(x, 0.0, training=False),
        "p=0: output": ex.dropout(x, 0.0),
        "p=1.5": capture(ex.dropout, x, 1.5),
        "p=-0.1": capture(ex.dropout, x, -0.1),
        "p=1.5 in eval (training=False) raises too": capture(ex.dropout, x, 1.5, training=False),
        "x unchanged": torch.equal(x, original),
    }


@check(points=3, forbid=DROPOUT)
def dropout_statistics(ex):
    """Survivors are exactly x/(1 − p), about p of the values are zeros, the mean is kept, the gradient is the scaled mask."""
    x = torch.rand(400, 500) + 0.5  # never zero, so zeros in the output are exactly the dropped values
    observed = {}
    for p in (0.2, 0.5, 0.8):
        leaf = _leaf(x)
        out = ex.dropout(leaf, p)
        out.sum().backward()
        kept = out != 0
        observed[f"p={p}: survivors are x / (1 - p)"] = bool(
            torch.allclose(out[kept], x[kept] / (1 - p), rtol=1e-6, atol=0.0)
        )
        observed[f"p={p}: dropped fraction within 0.01 of p"] = abs(1 - kept.float().mean().item() - p) < 0.01
        observed[f"p={p}: mean within 3% of x's mean"] = abs(out.mean().item() / x.mean().item() - 1) < 0.03
        observed[f"p={p}: x.grad is the keep mask times 1 / (1 - p)"] = bool(
            torch.allclose(leaf.grad, kept.float() / (1 - p), rtol=1e-6, atol=0.0)
        )
        observed[f"p={p}: shape"] = tuple(out.shape)
    first, second = ex.dropout(x, 0.5) != 0, ex.dropout(x, 0.5) != 0
    observed["two calls drop different elements"] = not torch.equal(first, second)
    observed["float64 input: dtype"] = ex.dropout(torch.ones(10, dtype=torch.float64), 0.5).dtype
    return observed


# --- LSTMCell ------------------------------------------------------------------------


@check(points=3, rtol=1e-5, atol=1e-6, forbid=LSTM)
def lstm_cell_matches_nn_lstmcell(ex):
    """With nn.LSTMCell's weights loaded (gates i, f, g, o): h and c, from a given and a zero state, and the weight gradients."""
    reference = nn.LSTMCell(3, 5)
    cell = ex.LSTMCell(3, 5)
    cell.load_state_dict(reference.state_dict())
    x, h, c = torch.randn(4, 3), torch.randn(4, 5), torch.randn(4, 5)
    upstream_h, upstream_c = torch.randn(4, 5), torch.randn(4, 5)
    h1, c1 = cell(x, (h, c))
    (h1 * upstream_h + c1 * upstream_c).sum().backward()
    expected_h, expected_c = reference(x, (h, c))
    (expected_h * upstream_h + expected_c * upstream_c).sum().backward()
    h0, c0 = cell(x)
    observed = {
        # Inheriting nn.LSTMCell's forward runs no line of your file, so `forbid` cannot see it.
        "forward written in your class, not inherited from nn.LSTMCell": (
            type(cell).forward is not nn.LSTMCell.forward
        ),
        "h (given state)": h1,
        "c (given state)": c1,
        "h (zero state)": h0,
        "c (zero state)": c0,
    }
    agrees = _agrees(h1, expected_h) and _agrees(c1, expected_c)
    for name, parameter in cell.named_parameters():
        observed[f"{name}.grad"] = parameter.grad
        agrees = agrees and _agrees(parameter.grad, reference.get_parameter(name).grad)
    observed["agrees with nn.LSTMCell"] = agrees
    fresh = ex.LSTMCell(4, 16)
    values = torch.cat([p.detach().reshape(-1) for p in fresh.parameters()])
    observed["fresh cell: parameter shapes"] = {n: tuple(p.shape) for n, p in fresh.named_parameters()}
    observed["fresh cell: values within ±1/sqrt(hidden_size)"] = bool(values.abs().max() <= 0.25)
    observed["fresh cell: values spread over that range"] = bool(values.abs().max() > 0.2 and values.std() > 0.1)
    return observed


# --- lstm_unroll ---------------------------------------------------------------------


def _cell_from_lstm(lstm):
    """An nn.LSTMCell holding the weights of a one-layer nn.LSTM (weight_ih_l0 → weight_ih, ...)."""
    cell = nn.LSTMCell(lstm.input_size, lstm.hidden_size)
    cell.load_state_dict({name.removesuffix("_l0"): value for name, value in lstm.state_dict().items()})
    return cell


@check(points=2, rtol=1e-5, atol=1e-6)
def lstm_unroll_matches_nn_lstm(ex):
    """Unrolling nn.LSTMCell over (B, T, I) gives nn.LSTM(batch_first=True)'s output (B, T, H) and h_n, c_n (1, B, H)."""
    lstm = nn.LSTM(3, 5, batch_first=True)
    cell = _cell_from_lstm(lstm)
    x = torch.randn(2, 7, 3)
    state = (torch.randn(1, 2, 5), torch.randn(1, 2, 5))
    output, (h_n, c_n) = ex.lstm_unroll(cell, x)
    given_output, (given_h, given_c) = ex.lstm_unroll(cell, x, state)
    expected, (expected_h, expected_c) = lstm(x)
    expected_given, (expected_given_h, expected_given_c) = lstm(x, state)
    return {
        "output": output,
        "h_n": h_n,
        "c_n": c_n,
        "given state: output": given_output,
        "given state: h_n": given_h,
        "given state: c_n": given_c,
        "agrees with nn.LSTM": _agrees(output, expected)
        and _agrees(h_n, expected_h)
        and _agrees(c_n, expected_c)
        and _agrees(given_output, expected_given)
        and _agrees(given_h, expected_given_h)
        and _agrees(given_c, expected_given_c),
    }


# --- lstm_shapes ---------------------------------------------------------------------


def _shape(shape):
    """A shape (tuple, list or torch.Size) as text, so that a message shows it whole: '(4, 10, 32)'."""
    return str(tuple(int(d) for d in shape))


@check(points=2)
def lstm_shapes_match_nn_lstm(ex):
    """output is batch first, (B, T, D·H); h_n and c_n are (D·layers, B, H) whatever batch_first says."""
    observed = {}
    agrees = True
    for batch, seq_len, hidden, layers, bidirectional in [
        (4, 10, 32, 1, False),
        (4, 10, 32, 2, False),
        (3, 6, 8, 1, True),
        (2, 5, 16, 3, True),
    ]:
        shapes = ex.lstm_shapes(batch, seq_len, hidden, num_layers=layers, bidirectional=bidirectional)
        label = f"batch={batch}, seq_len={seq_len}, hidden={hidden}, layers={layers}, bidirectional={bidirectional}"
        observed[f"{label}: three tuples of ints"] = (
            isinstance(shapes, tuple) and len(shapes) == 3
            and all(isinstance(shape, tuple) and all(type(d) is int for d in shape) for shape in shapes)
        )
        for name, shape in zip(("output", "h_n", "c_n"), shapes):
            observed[f"{label}: {name}"] = _shape(shape)
        lstm = nn.LSTM(2, hidden, num_layers=layers, bidirectional=bidirectional, batch_first=True)
        with torch.no_grad():
            output, (h_n, c_n) = lstm(torch.zeros(batch, seq_len, 2))
        agrees = agrees and [_shape(s) for s in shapes] == [_shape(t.shape) for t in (output, h_n, c_n)]
    observed["agrees with nn.LSTM"] = agrees
    return observed


# --- embedding -----------------------------------------------------------------------


# Rows used several times sum their gradients, in an order that depends on the method.
@check(points=2, rtol=1e-5, atol=1e-6, forbid=EMBEDDING)
def embedding_lookup_and_padding(ex):
    """Rows looked up by index for any index shape; repeated rows add their gradients; padding_idx gets none."""
    weight = torch.randn(10, 4)
    indices = torch.tensor([[1, 2, 0, 2], [5, 9, 2, 2]])
    upstream = torch.randn(2, 4, 4)
    observed = {}
    for label, padding_idx in (("no padding", None), ("padding_idx=2", 2)):
        leaf = _leaf(weight)
        out = ex.embedding(indices, leaf, padding_idx=padding_idx)
        (out * upstream).sum().backward()
        torch_leaf = _leaf(weight)
        expected = F.embedding(indices, torch_leaf, padding_idx=padding_idx)
        (expected * upstream).sum().backward()
        observed[f"{label}: weight.grad"] = leaf.grad
        observed[f"{label}: output"] = out
        observed[f"{label}: agrees with F.embedding"] = _agrees(out, expected) and _agrees(leaf.grad, torch_leaf.grad)
    layer = nn.Embedding(10, 4, padding_idx=0)
    sequence = torch.tensor([3, 0, 7])
    observed["1-D indices with nn.Embedding's weight"] = ex.embedding(sequence, layer.weight, padding_idx=0)
    observed["agrees with nn.Embedding"] = _agrees(observed["1-D indices with nn.Embedding's weight"], layer(sequence))
    observed["0-d index"] = ex.embedding(torch.tensor(7), weight)
    return observed
