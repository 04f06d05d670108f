"""Graded checks for ex06_optimizers, one section per function or class.

Most probes train the same small least-squares problem twice: once with the
implementation under test, once with `torch.optim` itself, and return the
implementation's trajectory together with whether it agrees with PyTorch's
(within float32 tolerances). The harness also compares the trajectory with the
reference solution's.
"""

import copy
import warnings

import torch

from grader import check
from grader import capture

# Trajectories come from float32 maths done in a different order than torch.optim's.
RTOL, ATOL = 1e-5, 1e-6
STEPS = 20


# --- a small problem shared by the probes ----------------------------------------------


def _fixed_problem():
    """Least squares with a (3, 2) weight and a (2,) bias, from fixed values."""
    n, d = 8, 3
    return {
        "X": torch.sin(0.7 * torch.arange(n * d, dtype=torch.float32)).reshape(n, d),
        "y": torch.cos(torch.arange(n * 2, dtype=torch.float32)).reshape(n, 2),
        "init": [0.1 * torch.arange(d * 2, dtype=torch.float32).reshape(d, 2) - 0.2, torch.tensor([0.5, -0.5])],
    }


def _random_problem():
    n, d = int(torch.randint(5, 13, ())), int(torch.randint(2, 6, ()))
    return {"X": torch.randn(n, d), "y": torch.randn(n, 2), "init": [torch.randn(d, 2), torch.randn(2)]}


def _loss(problem, params):
    w, b = params[:2]
    return ((problem["X"] @ w + b - problem["y"]) ** 2).mean()


def _grads(problem, params):
    leaves = [p.detach().clone().requires_grad_(True) for p in params]
    return list(torch.autograd.grad(_loss(problem, leaves), leaves))


def _flat(params):
    return torch.cat([p.detach().reshape(-1) for p in params])


def _pure_trajectory(step_fn, problem, steps=STEPS, **hyper):
    """Positions visited by a pure update rule, threading its state."""
    params, state = [p.clone() for p in problem["init"]], {}
    history = [_flat(params)]
    for _ in range(steps):
        params, state = step_fn(params, _grads(problem, params), state, **hyper)
        history.append(_flat(params))
    return torch.stack(history)


def _optimize(optimizer, problem, params, steps, set_to_none=True):
    """Run `steps` optimizer steps; the positions after each one."""
    history = []
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=set_to_none)
        _loss(problem, params).backward()
        optimizer.step()
        history.append(_flat(params))
    return history


def _optimizer_trajectory(make, problem, steps=STEPS, groups=None, set_to_none=True):
    """Positions visited by a torch.optim.Optimizer (PyTorch's or the learner's)."""
    params = [p.clone().requires_grad_(True) for p in problem["init"]]
    optimizer = make(groups(params) if groups else params)
    return torch.stack([_flat(params), *_optimize(optimizer, problem, params, steps, set_to_none)])


def _against_torch(trajectory, reference, name, what="trajectory"):
    return {
        what: trajectory,
        f"agrees with {name}": bool(torch.allclose(trajectory, reference, rtol=RTOL, atol=ATOL)),
    }


def _sgd_versus_torch(ex, problem, first_buffer=True, **hyper):
    """The first buffer (the most telling fact, so first), then the trajectory against torch's.

    `first_buffer=False` where a hidden check's random dampening would make a buffer started at zero
    a random multiple of the right one: a factor the hint cannot tell from any other scale."""
    mine = _pure_trajectory(ex.sgd_step, problem, **hyper)
    theirs = _optimizer_trajectory(lambda ps: torch.optim.SGD(ps, **hyper), problem)
    init = problem["init"]
    first = {FIRST_BUFFER: _first_buffer(ex.sgd_step, init, _grads(problem, init), **hyper)} if first_buffer else {}
    return {**first, **_against_torch(mine, theirs, "torch.optim.SGD")}


def _adam_versus_torch(ex, problem, **hyper):
    mine = _pure_trajectory(ex.adam_step, problem, **hyper)
    theirs = _optimizer_trajectory(lambda ps: torch.optim.Adam(ps, **hyper), problem)
    return _against_torch(mine, theirs, "torch.optim.Adam")


# Keys named after the property they test, so that a failing check says which rule broke.
FIRST_BUFFER = "the first momentum buffer is the first gradient + weight_decay * p, not dampened"
BIAS_CORRECTED = "bias-corrected: step 1 moves each weight by lr = 0.1 against its gradient"
EPS_OUTSIDE = "eps added outside the root (sqrt(v_hat) + eps): step 1 with betas=(0, 0), eps=0.1"


def _first_buffer(step_fn, params, grads, **hyper):
    """The momentum buffer one step makes from `params` and `grads` (both cloned), copied at once."""
    _, state = step_fn([p.clone() for p in params], [g.clone() for g in grads], {}, **hyper)
    return _copied(state.get("momentum_buffer")) if type(state) is dict else state


def _adam_first_step_facts(ex):
    """Two first steps that each isolate one rule: with tiny eps, gradients far larger than eps move
    by exactly lr only with bias correction; with betas=(0, 0) bias correction changes nothing, and
    a large eps shows where it is added."""
    params, grads = torch.tensor([1.0, -2.0, 0.5]), torch.tensor([0.5, -1.0, 2.0])

    def move(**hyper):
        new_params, _ = ex.adam_step([params.clone()], [grads.clone()], {}, lr=0.1, **hyper)
        return new_params[0] - params

    return {BIAS_CORRECTED: move(), EPS_OUTSIDE: move(betas=(0.0, 0.0), eps=0.1)}


def _unchanged(tensors, copies):
    return all(torch.equal(t, c) for t, c in zip(tensors, copies))


def _snapshot(state):
    return {key: [t.clone() for t in value] if isinstance(value, list) else value for key, value in state.items()}


def _same_state(state, snapshot):
    if set(state) != set(snapshot):
        return False
    return all(
        _unchanged(state[key], value) if isinstance(value, list) else state[key] == value
        for key, value in snapshot.items()
    )


def _two_pure_steps(step_fn, grads, **hyper):
    """Two steps from fixed params, observing params, state and purity after each.

    `start` (the params before step 1) lets the diagnosis spot a step that moved nothing.
    """
    params = [torch.tensor([1.0, -2.0, 0.5]), torch.tensor([[0.3, -0.1], [2.0, 0.0]])]
    start = [t.clone() for t in params]
    observed = {"params and grads unchanged": [], "previous state unchanged": []}  # purity first, per step
    state = {}
    for number, scale in ((1, 1.0), (2, -0.5)):
        step_grads = [scale * g for g in grads]
        inputs, old_state = [t.clone() for t in params + step_grads], _snapshot(state)
        new_params, new_state = step_fn(params, step_grads, state, **hyper)
        observed["params and grads unchanged"].append(_unchanged(params + step_grads, inputs))
        observed["previous state unchanged"].append(_same_state(state, old_state))
        observed[f"step {number}"] = {"state keys": sorted(new_state), "state": new_state or None, "params": new_params}
        params, state = new_params, new_state
    observed["start"] = {"step 1": {"params": start}}
    return observed


FIXED_GRADS = [torch.tensor([0.5, -1.0, 2.0]), torch.tensor([[1e-3, -0.4], [0.0, 3.0]])]


def _fresh_params():
    return [torch.tensor([1.0, -2.0, 0.5]), torch.tensor([[0.3, -0.1], [2.0, 0.0]])]


def _tensors_in(tree):
    """Every tensor of a nested list/tuple/dict, in order."""
    if isinstance(tree, torch.Tensor):
        return [tree]
    if isinstance(tree, dict):
        tree = list(tree.values())
    if isinstance(tree, (list, tuple)):
        return [t for item in tree for t in _tensors_in(item)]
    return []


def _copied(tree):
    """The same nested structure, its tensors cloned now (so that later in-place changes do not show)."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().clone()
    if type(tree) is dict:
        return {key: _copied(value) for key, value in tree.items()}
    if type(tree) in (list, tuple):
        return [_copied(item) for item in tree]
    return tree


def _results_are_copies(step_fn, **hyper):
    """One step from fresh tensors, twice: then the caller reuses its own tensors in place (as the
    next backward or an in-place zero_grad does), or changes the returned ones. A pure step's
    results share no memory with its inputs, so neither change shows on the other side."""
    params, grads = _fresh_params(), [g.clone() for g in FIXED_GRADS]
    new_params, new_state = step_fn(params, grads, {}, **hyper)
    returned = {"params": _copied(new_params), "state": _copied(new_state)}
    for t in params + grads:
        t.add_(100.0)
    results_after = {"params": _copied(new_params), "state": _copied(new_state)}

    params, grads = _fresh_params(), [g.clone() for g in FIXED_GRADS]
    new_params, new_state = step_fn(params, grads, {}, **hyper)
    with torch.no_grad():
        for t in _tensors_in([new_params, new_state]):
            t.fill_(-7.0)
    return {
        "returned by the step": returned,
        "a copy: changing the input params and grads leaves the returned params and state alone": results_after,
        "a copy: changing the returned params and state leaves the input params and grads alone": {
            "params": params,
            "grads": grads,
        },
    }


# --- sgd_step ----------------------------------------------------------------------


@check(points=1)
def sgd_plain_steps(ex):
    """Without momentum: p − lr·g twice, state {} and inputs left untouched."""
    return _two_pure_steps(ex.sgd_step, FIXED_GRADS, lr=0.1)


@check(points=2)
def sgd_momentum_buffer(ex):
    """The buffer starts as the first (decayed) gradient, then b = μ·b + (1 − dampening)·d."""
    hyper = {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weight_decay": 0.1}
    first = {FIRST_BUFFER: _first_buffer(ex.sgd_step, _fresh_params(), FIXED_GRADS, **hyper)}
    return {**first, **_two_pure_steps(ex.sgd_step, FIXED_GRADS, **hyper)}


@check(points=2)
def sgd_results_are_copies(ex):
    """momentum=0.9 without weight decay: the first buffer is a copy of the gradient, not the caller's grad itself."""
    return _results_are_copies(ex.sgd_step, lr=0.1, momentum=0.9)


@check(points=1)
def sgd_momentum_one_weight_decay_one(ex):
    """momentum=1 and weight_decay=1 are ordinary values: the buffer sums the decayed gradients."""
    hyper = {"lr": 0.1, "momentum": 1.0, "weight_decay": 1.0}
    first = {FIRST_BUFFER: _first_buffer(ex.sgd_step, _fresh_params(), FIXED_GRADS, **hyper)}
    return {**first, **_two_pure_steps(ex.sgd_step, FIXED_GRADS, **hyper)}


@check(points=3, rtol=RTOL, atol=ATOL)
def sgd_trajectory_matches_torch(ex):
    """20 steps with momentum, dampening and weight decay follow torch.optim.SGD."""
    return _sgd_versus_torch(ex, _fixed_problem(), lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.05)


@check(points=2, rtol=RTOL, atol=ATOL)
def sgd_nesterov_matches_torch(ex):
    """Nesterov momentum follows torch.optim.SGD(nesterov=True); with dampening it raises ValueError."""
    observed = _sgd_versus_torch(ex, _fixed_problem(), lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True)
    params = [torch.ones(2)]
    observed["nesterov with dampening"] = capture(
        ex.sgd_step, params, params, {}, lr=0.1, momentum=0.9, dampening=0.5, nesterov=True
    )
    observed["nesterov with momentum=0"] = capture(ex.sgd_step, params, params, {}, lr=0.1, momentum=0.0, nesterov=True)
    return observed


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def sgd_random_matches_torch(ex):
    """Random problem and hyperparameters: with dampening, and with Nesterov."""
    problem = _random_problem()
    low, span = torch.tensor([0.01, 0.5, 0.1, 0.01]), torch.tensor([0.04, 0.45, 0.4, 0.09])
    lr, momentum, dampening, weight_decay = (float(v) for v in low + span * torch.rand(4))
    return {
        "dampened": _sgd_versus_torch(
            ex, problem, first_buffer=False, lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay
        ),
        "nesterov": _sgd_versus_torch(
            ex, problem, lr=lr, momentum=momentum, weight_decay=weight_decay, nesterov=True
        ),
    }


# --- adam_step ---------------------------------------------------------------------


@check(points=2)
def adam_first_steps(ex):
    """Step 1 moves each parameter by ≈ lr against its gradient's sign; step, m and v as in torch."""
    return {**_adam_first_step_facts(ex), **_two_pure_steps(ex.adam_step, FIXED_GRADS, lr=0.1)}


@check(points=1)
def adam_eps_outside_the_root_weight_decay_one(ex):
    """eps=1e-3 (as large as a gradient of FIXED_GRADS) is added to √v̂, outside the root; weight_decay=1 applies."""
    return {**_adam_first_step_facts(ex), **_two_pure_steps(ex.adam_step, FIXED_GRADS, lr=0.1, eps=1e-3, weight_decay=1.0)}


@check(points=1)
def adam_results_are_copies(ex):
    """The returned params, m and v are new tensors: nothing is shared with the caller's params and grads.
    Adam's first-step facts come first, so that a wrong update is named before the values that follow from it."""
    return {**_adam_first_step_facts(ex), **_results_are_copies(ex.adam_step, lr=0.1)}


@check(points=3, rtol=RTOL, atol=ATOL)
def adam_trajectory_matches_torch(ex):
    """20 steps with weight decay and non-default betas follow torch.optim.Adam."""
    return {**_adam_first_step_facts(ex), **_adam_versus_torch(ex, _fixed_problem(), lr=0.05, betas=(0.8, 0.99), weight_decay=0.01)}


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def adam_random_matches_torch(ex):
    """Random problem, lr, betas and weight decay: 20 steps follow torch.optim.Adam, with the default
    eps and with an eps of 1e-3 to 1e-2 (large enough that where it is added always shows)."""
    problem = _random_problem()
    lr, beta1, beta2, weight_decay, eps = (float(v) for v in torch.rand(5))
    hyper = {
        "lr": 0.01 + 0.09 * lr,
        "betas": (0.8 + 0.15 * beta1, 0.99 + 0.0099 * beta2),
        "weight_decay": 0.1 * weight_decay,
    }
    return {
        **_adam_first_step_facts(ex),
        "eps=1e-8": _adam_versus_torch(ex, problem, eps=1e-8, **hyper),
        "large eps": _adam_versus_torch(ex, problem, eps=1e-3 * 10**eps, **hyper),
    }


# --- sgd_step and adam_step on a device -------------------------------------------------


def _where(value, device):
    """A returned tensor as facts the CPU reference can share: dtype, shape, and whether it is on `device`."""
    if not isinstance(value, torch.Tensor):
        return value if type(value) in (int, float, bool, str) or value is None else f"a {type(value).__name__}"
    place = "on the device" if value.device.type == device.type else f"NOT on the device (on {value.device.type})"
    return f"{str(value.dtype).removeprefix('torch.')} {list(value.shape)} {place}"


def _state_where(state, device):
    if type(state) is not dict:
        return _where(state, device)
    return {key: [_where(t, device) for t in value] if type(value) is list else _where(value, device) for key, value in state.items()}


@check(points=1, devices=("cpu", "meta", "cuda"))
def pure_steps_stay_on_the_params_device(ex, device):
    """float64 params on the device: two steps of sgd_step (momentum) and adam_step return params and
    state of that dtype, on that device (state made with zeros_like, not torch.zeros(shape))."""
    params = [t.to(device, torch.float64) for t in _fresh_params()]
    grads = [g.to(device, torch.float64) for g in FIXED_GRADS]
    observed = {}
    for name, step_fn, hyper in (("sgd_step", ex.sgd_step, {"lr": 0.1, "momentum": 0.9}), ("adam_step", ex.adam_step, {"lr": 0.1})):
        current, state = params, {}
        for number in (1, 2):
            current, state = step_fn(current, grads, state, **hyper)
            observed[f"{name} step {number}"] = {
                "params": [_where(t, device) for t in current],
                "state": _state_where(state, device),
            }
    return observed


# --- MySGD -------------------------------------------------------------------------


def _two_groups(params):
    """w in its own group with its own lr and momentum; b with the defaults and weight decay."""
    w, b, *rest = params
    return [{"params": [w], "lr": 0.05, "momentum": 0.9}, {"params": [b, *rest], "weight_decay": 0.1}]


@check(points=3, rtol=RTOL, atol=ATOL)
def my_sgd_param_groups_match_torch(ex):
    """Two param groups with their own hyperparameters follow torch.optim.SGD; no grad, no move."""
    problem = _fixed_problem()
    problem["init"].append(torch.tensor([7.0, 8.0]))  # never used by the loss: its grad stays None
    make_mine = lambda groups: ex.MySGD(groups, lr=0.1, momentum=0.5)  # noqa: E731
    make_torch = lambda groups: torch.optim.SGD(groups, lr=0.1, momentum=0.5)  # noqa: E731
    mine = _optimizer_trajectory(make_mine, problem, groups=_two_groups)
    theirs = _optimizer_trajectory(make_torch, problem, groups=_two_groups)
    observed = _against_torch(mine, theirs, "torch.optim.SGD", "trajectory with per-group lr, momentum and weight_decay")

    params = [p.clone().requires_grad_(True) for p in problem["init"]]
    optimizer = make_mine(_two_groups(params))
    observed["param_groups"] = [
        {key: group[key] for key in ("lr", "momentum", "weight_decay")} for group in optimizer.param_groups
    ]

    def closure():
        optimizer.zero_grad()
        loss = _loss(problem, params[:2])
        loss.backward()
        return loss

    observed["step(closure) returns the loss"] = optimizer.step(closure)
    observed["params after step(closure)"] = [p.detach() for p in params]
    observed["lr=-0.1"] = capture(ex.MySGD, [torch.nn.Parameter(torch.ones(2))], lr=-0.1)
    observed["start"] = {"params after step(closure)": problem["init"]}
    return observed


@check(points=3, rtol=RTOL, atol=ATOL)
def my_sgd_state_dict_resumes_exactly(ex):
    """Save after 10 steps, load into a fresh MySGD on copied params: the next 10 steps are identical."""
    problem = _fixed_problem()

    def groups(params):
        return [{"params": [params[0]]}, {"params": [params[1]], "lr": 0.02}]

    def run(params, optimizer, steps):
        return torch.stack(_optimize(optimizer, problem, params, steps))

    params = [p.clone().requires_grad_(True) for p in problem["init"]]
    optimizer = ex.MySGD(groups(params), lr=0.05, momentum=0.9, weight_decay=0.01)
    run(params, optimizer, 10)
    saved = copy.deepcopy(optimizer.state_dict())
    copies = [p.detach().clone().requires_grad_(True) for p in params]
    continuous = run(params, optimizer, 10)

    resumed_optimizer = ex.MySGD(groups(copies), lr=1.0)  # hyperparameters come from the checkpoint
    resumed_optimizer.load_state_dict(saved)
    resumed = run(copies, resumed_optimizer, 10)
    return {
        "momentum buffers in optimizer.state_dict()": [saved["state"].get(i, {}).get("momentum_buffer") for i in (0, 1)],
        "continuous, param groups with their own lr": continuous,
        "resumed": resumed,
        "resumed run identical": torch.equal(continuous, resumed),
        "state_dict lr per group": [group["lr"] for group in saved["param_groups"]],
    }


@check(points=2, rtol=RTOL, atol=ATOL)
def my_sgd_buffer_is_a_copy(ex):
    """Without weight decay d is p.grad itself: the first buffer must be a copy, or zeroing p.grad in
    place (zero_grad(set_to_none=False)) zeroes the momentum too."""
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0, 0.5]))
    optimizer = ex.MySGD([w], lr=0.1, momentum=0.9)
    w.grad = torch.tensor([0.5, -1.0, 2.0])
    optimizer.step()
    buffer = optimizer.state[w].get("momentum_buffer")
    after_step = {"params": w.detach().clone(), "momentum_buffer": _copied(buffer)}
    w.grad.zero_()  # what zero_grad(set_to_none=False) does before the next backward
    make = lambda params: ex.MySGD(params, lr=0.05, momentum=0.9)  # noqa: E731
    return {
        "in optimizer.state after one step": after_step,
        "a copy: momentum_buffer after the caller zeroes p.grad in place": _copied(buffer),
        "trajectory with zero_grad(set_to_none=False)": _optimizer_trajectory(make, _fixed_problem(), 10, set_to_none=False),
    }


@check(points=1, rtol=RTOL, atol=ATOL)
def my_sgd_momentum_one_weight_decay_one(ex):
    """momentum=1 in one group, weight_decay=1 in the other: both are applied (5 steps)."""

    def groups(params):
        w, b = params
        return [{"params": [w], "momentum": 1.0}, {"params": [b], "weight_decay": 1.0}]

    make = lambda g: ex.MySGD(g, lr=0.02, momentum=0.5)  # noqa: E731
    trajectory = _optimizer_trajectory(make, _fixed_problem(), 5, groups=groups)
    return {"trajectory, momentum=1 in one param group and weight_decay=1 in the other": trajectory}


@check(points=1)
def my_sgd_validates_hyperparameters(ex):
    """A negative lr, momentum or weight_decay raises ValueError; zero is valid for each of them."""
    def build(**hyper):
        optimizer = ex.MySGD([torch.nn.Parameter(torch.ones(2))], **{"lr": 0.1, **hyper})
        return {key: optimizer.param_groups[0][key] for key in ("lr", "momentum", "weight_decay")}

    return {
        **{f"{key}={value}": capture(build, **{key: value}) for key, value in (("lr", -0.1), ("momentum", -0.5), ("weight_decay", -0.01))},
        **{f"{key}=0": capture(build, **{key: 0.0}) for key in ("lr", "momentum", "weight_decay")},
    }


@check(points=2, hidden=True, rtol=RTOL, atol=ATOL)
def my_sgd_random_matches_torch(ex):
    """Random problem and hyperparameters, one group with its own lr, one without momentum."""
    problem = _random_problem()
    lr, momentum, weight_decay = (float(v) for v in torch.rand(3))
    defaults = {"lr": 0.01 + 0.04 * lr, "momentum": 0.95 * momentum, "weight_decay": 0.1 * weight_decay}

    def groups(params):
        return [{"params": [params[0]], "lr": defaults["lr"] / 2}, {"params": [params[1]], "momentum": 0.0}]

    mine = _optimizer_trajectory(lambda g: ex.MySGD(g, **defaults), problem, groups=groups)
    theirs = _optimizer_trajectory(lambda g: torch.optim.SGD(g, **defaults), problem, groups=groups)
    return _against_torch(mine, theirs, "torch.optim.SGD", "trajectory with per-group lr and momentum")


# --- zero_grad ---------------------------------------------------------------------


def _zero_grad_observations(clear, set_to_none, create_graph=False):
    """Three params, two with gradients and one without: what clearing leaves behind.

    With create_graph=True the gradients are part of a graph (as for a gradient penalty):
    zeroing them in place must first cut them from it (`detach_()`), as torch does.
    """
    weight = torch.nn.Parameter(torch.arange(6.0).reshape(2, 3) / 10)
    bias = torch.nn.Parameter(torch.tensor([0.5, -1.0]))
    spare = torch.nn.Parameter(torch.ones(2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # create_graph=True warns about a reference cycle
        (torch.ones(4, 3) @ weight.T + bias).pow(2).sum().backward(create_graph=create_graph)
    params = [weight, bias, spare]
    before = [p.grad for p in params]
    clear(iter(params), set_to_none)  # a one-pass iterator, like model.parameters()
    return {
        "grad is None": [p.grad is None for p in params],
        "same tensor as before": [p.grad is not None and p.grad is g for p, g in zip(params, before)],
        "grad requires grad (still in a graph)": [p.grad is not None and p.grad.requires_grad for p in params],
        "grad": [None if p.grad is None else p.grad.detach().clone() for p in params],
    }


def _same_observations(mine, theirs):
    def same(a, b):
        if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
            return isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor) and torch.equal(a, b)
        return a == b

    return all(len(mine[k]) == len(theirs[k]) and all(map(same, mine[k], theirs[k])) for k in theirs)


def _torch_zero_grad(params, set_to_none):
    torch.optim.SGD(params, lr=0.1).zero_grad(set_to_none=set_to_none)


@check(points=2)
def zero_grad_like_torch(ex):
    """set_to_none=True (the default) leaves None; False zeroes the same tensors in place."""
    observed = {}
    for set_to_none in (False, True):
        mine = _zero_grad_observations(ex.zero_grad, set_to_none)
        theirs = _zero_grad_observations(_torch_zero_grad, set_to_none)
        agrees = _same_observations(mine, theirs)
        observed[f"set_to_none={set_to_none}"] = {**mine, "agrees with torch.optim.Optimizer.zero_grad": agrees}
    default = _zero_grad_observations(lambda params, _: ex.zero_grad(params), None)
    observed["default"] = {"grad is None": default["grad is None"]}
    in_graph = _zero_grad_observations(ex.zero_grad, False, create_graph=True)
    observed["set_to_none=False after backward(create_graph=True)"] = {
        key: in_graph[key] for key in ("grad requires grad (still in a graph)", "same tensor as before", "grad")
    }
    return observed


# --- build_optimizer ---------------------------------------------------------------


@check(points=2, rtol=RTOL, atol=ATOL)
def build_optimizer_by_name(ex):
    """SGD, Adam and RMSprop by name (any case), options passed on; an unknown name raises ValueError."""
    problem = _fixed_problem()
    observed = {}
    for name, options in (("sgd", {"momentum": 0.9}), ("Adam", {}), ("RMSPROP", {"alpha": 0.9})):
        built = {}

        def make(params, name=name, options=options):
            built["optimizer"] = ex.build_optimizer(name, params, 0.01, **options)
            return built["optimizer"]

        trajectory = _optimizer_trajectory(make, problem, steps=5)
        optimizer = built["optimizer"]
        observed[name] = {
            "type": f"{type(optimizer).__module__}.{type(optimizer).__qualname__}",
            "lr": optimizer.param_groups[0]["lr"],
            "options": [optimizer.param_groups[0][key] for key in options],
            "trajectory": trajectory,
        }
    observed["unknown name"] = capture(ex.build_optimizer, "adagrad-ish", [torch.nn.Parameter(torch.ones(1))], 0.1)
    return observed
