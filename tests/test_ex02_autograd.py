"""Graded checks for ex02_autograd, one section per function.

Each probe builds fresh leaf tensors, calls the implementation, and returns what
it saw; the harness compares that with the reference solution.
"""

import torch

from grader import check, on_device


def leaf(values, dtype=torch.float32):
    return torch.tensor(values, dtype=dtype, requires_grad=True)


# --- double_square_grad --------------------------------------------------------


@check(points=2)
def double_square_grad_at_arange(ex):
    """At x = arange(4) the gradient of 2·x·x is 4x = [0, 4, 8, 12]."""
    x = torch.arange(4.0, requires_grad=True)
    grad = ex.double_square_grad(x)
    return {"grad": grad, "x.grad": x.grad}


@check(points=1, hidden=True)
def double_square_grad_random(ex):
    x = torch.randn(int(torch.randint(3, 9, ())), requires_grad=True)
    return {"grad": ex.double_square_grad(x)}


# --- accumulate_then_clear -----------------------------------------------------


def _snapshot(value):
    """A tensor's values now (a later in-place change must not reach the observation); anything else as it is."""
    return value.detach().clone() if type(value) is torch.Tensor else value


@check(points=2)
def gradients_accumulate_then_clear(ex):
    """[1, 5, 9, 13] after the second backward, [1, 1, 1, 1] after clearing; copies that later backwards leave alone."""
    x = torch.arange(4.0, requires_grad=True)
    accumulated, cleared = ex.accumulate_then_clear(x)
    observed = {"accumulated": _snapshot(accumulated), "cleared": _snapshot(cleared)}
    # The caller goes on training: the next backward adds into x.grad in place. Copies do not follow it.
    (3 * x).sum().backward()
    observed["accumulated after another backward on x (a copy: unchanged)"] = accumulated
    observed["cleared after another backward on x (a copy: unchanged)"] = cleared
    observed["x.grad after another backward"] = x.grad
    return observed


# --- detached_product_grad -----------------------------------------------------


@check(points=2)
def detach_makes_a_constant(ex):
    """z = u·x with u = (x·x).detach(): the gradient is u = [0, 1, 4, 9], not 3x²."""
    grad, u = ex.detached_product_grad(torch.arange(4.0, requires_grad=True))
    return {"grad": grad, "u": u, "u.requires_grad (detached: False)": u.requires_grad}


# --- sum_product_grads ---------------------------------------------------------


@check(points=1)
def chain_rule_on_a_small_graph(ex):
    """dz/da = dz/db = c and dz/dc = a + b."""
    grads = ex.sum_product_grads(leaf([1.0, -2.0]), leaf([2.0, 0.5]), leaf([3.0, 4.0]))
    return {"a.grad": grads[0], "b.grad": grads[1], "c.grad": grads[2]}


@check(points=1, hidden=True)
def chain_rule_random(ex):
    a, b, c = (torch.randn(3, 2, requires_grad=True) for _ in range(3))
    grads = ex.sum_product_grads(a, b, c)
    return {"a.grad": grads[0], "b.grad": grads[1], "c.grad": grads[2]}


# --- mean_of_squares_grad ------------------------------------------------------


@check(points=2)
def mean_of_squares_at_2_3(ex):
    """d/dx mean(3(x + 2)²) = 6(x + 2)/n = [12, 15] at x = [2, 3]."""
    return {"grad": ex.mean_of_squares_grad(leaf([2.0, 3.0]))}


@check(points=1, hidden=True)
def mean_of_squares_random(ex):
    return {"grad": ex.mean_of_squares_grad(torch.randn(int(torch.randint(3, 8, ())), requires_grad=True))}


# --- no_grad, set_grad_enabled, decorator ---------------------------------------


@check(points=2)
def three_ways_to_stop_recording(ex):
    """Each returns 2x (on values other than 1, so 2/x or x + 1 show) with requires_grad False and no grad_fn.

    Each input as it was given and as the call left it: a doubling in place gets its hint.
    """
    observed, given, left = {}, {}, {}
    for name, fn in (
        ("double_no_grad", ex.double_no_grad),
        ("double_grad_disabled", ex.double_grad_disabled),
        ("double_decorated", ex.double_decorated),
    ):
        x = leaf([1.5, -2.0, 0.25, 3.0])
        given[name] = x.detach().clone()
        out = fn(x)
        observed[name] = out
        observed[f"{name}.requires_grad (computed with recording off: False)"] = out.requires_grad
        observed[f"{name}.grad_fn is None (not recorded)"] = out.grad_fn is None
        left[name] = x
    return {**observed, "given": given, "input": left}


# --- clip_and_report -----------------------------------------------------------


def _params_with_grads(grads):
    params = []
    for grad in grads:
        p = torch.nn.Parameter(torch.zeros(len(grad)))
        p.grad = torch.tensor(grad)
        params.append(p)
    return params


# Norms come back as Python floats computed in float32: float32 tolerances apply.
@check(points=2, rtol=1.3e-6, atol=1e-5)
def clipping_rescales_to_max_norm(ex):
    """Gradients [3, 0] and [0, 4] have total norm 5; clipped to 1 they keep their direction."""
    params = _params_with_grads([[3.0, 0.0], [0.0, 4.0]])
    total, after = ex.clip_and_report(params, 1.0)
    return {
        "total_norm": total,
        "norm_after": after,
        "norm_after <= max_norm": after <= 1.0 + 1e-5,
        "grad[0]": params[0].grad,
        "grad[1]": params[1].grad,
    }


@check(points=1, rtol=1.3e-6, atol=1e-5)
def clipping_leaves_small_gradients_alone(ex):
    params = _params_with_grads([[0.3, 0.0], [0.0, 0.4]])
    total, after = ex.clip_and_report(params, 1.0)
    return {"total_norm": total, "norm_after": after, "grad[0]": params[0].grad, "grad[1]": params[1].grad}


# --- minimise_product ----------------------------------------------------------


# "start" and "previous" hold x before the first and the last step: a missing step or zero_grad
# then gets its hint (see grader.core.diagnose).
@check(points=1)
def one_sgd_step(ex):
    """One step from [1, 2] with lr 0.01: [0.96, 1.97], returned detached (no grad, no history)."""
    x = ex.minimise_product(steps=1, lr=0.01)
    return {
        "x": x,
        "start": {"x": torch.tensor([1.0, 2.0])},
        "returned x.requires_grad (detached: False)": getattr(x, "requires_grad", None),
    }


@check(points=2, rtol=1e-5, atol=1e-5)
def hundred_sgd_steps(ex):
    """The trajectory after 100 steps matches: catches a missing zero_grad or a skipped step."""
    return {
        "x": ex.minimise_product(steps=100, lr=0.01),
        "x after 2 steps": ex.minimise_product(steps=2, lr=0.01),
        "previous": {"x after 2 steps": ex.minimise_product(steps=1, lr=0.01)},
    }


# --- LegendreP3 ----------------------------------------------------------------


@check(points=2)
def legendre_forward_and_backward(ex):
    """P3(1) = 1 with gradient 6; values and gradients on [-1, 1]."""
    x = torch.linspace(-1.0, 1.0, 5, requires_grad=True)
    y = ex.LegendreP3.apply(x)
    y.sum().backward()
    return {"P3(x)": y, "x.grad": x.grad}


@check(points=1, hidden=True)
def legendre_random_float64(ex):
    """Forward and hand-written backward on random float64 inputs and upstream gradients.

    The values go back to be compared here: a verdict computed in the learner's
    process (`gradcheck(...)` returning True) is only as honest as that process.
    """
    x = torch.randn(6, dtype=torch.float64, requires_grad=True)
    upstream = torch.randn(6, dtype=torch.float64)
    y = ex.LegendreP3.apply(x)
    y.backward(upstream)
    return {"x.grad": x.grad, "P3(x)": y}



# --- on a device -----------------------------------------------------------------
#
# A probe with a `device` runs on the CPU, on the meta device (shapes and dtypes, no data: on every machine)
# and on CUDA where there is one; the reference runs on the CPU. So it returns facts that read the same
# everywhere: whether each gradient is on the device, its dtype and shape.

def _leaf_on(device, values):
    return torch.tensor(values).to(device).requires_grad_()


def _legendre_on(ex, device):
    x = _leaf_on(device, [-1.0, 0.5, 2.0])
    y = ex.LegendreP3.apply(x)
    y.sum().backward()
    return {"P3(x)": y, "x.grad": x.grad}


@check(points=1, devices=("cpu", "meta", "cuda"))
def gradients_stay_on_the_device(ex, device):
    """Leaves on a device get their gradients there: no gradient cleared, or constant made, as a CPU tensor."""
    calls = {
        "double_square_grad": lambda on: ex.double_square_grad(_leaf_on(on, [0.0, 1.0, 2.0])),
        "accumulate_then_clear": lambda on: ex.accumulate_then_clear(_leaf_on(on, [0.0, 1.0, 2.0])),
        "detached_product_grad": lambda on: ex.detached_product_grad(_leaf_on(on, [0.0, 1.0, 2.0])),
        "sum_product_grads": lambda on: ex.sum_product_grads(*(_leaf_on(on, [1.0, 2.0]) for _ in range(3))),
        "mean_of_squares_grad": lambda on: ex.mean_of_squares_grad(_leaf_on(on, [2.0, 3.0])),
        "double_no_grad": lambda on: ex.double_no_grad(_leaf_on(on, [1.5, -2.0])),
        "double_grad_disabled": lambda on: ex.double_grad_disabled(_leaf_on(on, [1.5, -2.0])),
        "double_decorated": lambda on: ex.double_decorated(_leaf_on(on, [1.5, -2.0])),
        "LegendreP3": lambda on: _legendre_on(ex, on),
    }
    return {name: on_device(device, call) for name, call in calls.items()}
