"""Graded checks for ex04_parameters, one section per function.

Probes build their own inputs and, where the learner's code may draw random
numbers in another order, load fixed weights before looking at any value.
Where PyTorch has the same thing (nn.init, optimizer parameter groups), the
probe also compares with PyTorch directly, under the same random state.
"""

import torch
import torch.nn.functional as F
from torch import nn

from grader import check, on_device


def _names(pairs) -> str:
    """Sorted names, joined: one string, so a wrong set shows as one wrong value."""
    return ", ".join(sorted(name for name, _ in pairs))


# --- shared_mlp --------------------------------------------------------------------


def _fixed_shared_weights(in_features, hidden, out_features, generator):
    """Weights for layers 0, 2 (= 4) and 6 of a shared_mlp, from a private generator."""

    def draw(*shape):
        return torch.randn(*shape, generator=generator) * 0.5

    def positive(size):  # biases > 0 keep most ReLUs active, so most gradients are not 0
        return draw(size).abs() + 0.1

    return {
        0: (draw(hidden, in_features), positive(hidden)),
        2: (draw(hidden, hidden), positive(hidden)),
        6: (draw(out_features, hidden), draw(out_features)),
    }


def _load(net, weights):
    """Copy fixed weights into the net; index 4 gets the same values as index 2."""
    with torch.no_grad():
        for index, (weight, bias) in {**weights, 4: weights[2]}.items():
            net[index].weight.copy_(weight)
            net[index].bias.copy_(bias)


def _shared_gradients(ex, in_features, hidden, out_features, batch, generator):
    weights = _fixed_shared_weights(in_features, hidden, out_features, generator)
    x = torch.randn(batch, in_features, generator=generator)
    net = ex.shared_mlp(in_features, hidden, out_features)
    _load(net, weights)
    out = net(x)
    out.sum().backward()

    # The same network written out by hand, with each use of the shared layer as its own leaf.
    leaves = {key: tuple(t.clone().requires_grad_() for t in pair) for key, pair in weights.items()}
    first_use = tuple(t.clone().requires_grad_() for t in weights[2])
    second_use = tuple(t.clone().requires_grad_() for t in weights[2])
    h = F.relu(F.linear(x, *leaves[0]))
    h = F.relu(F.linear(h, *first_use))
    h = F.relu(F.linear(h, *second_use))
    F.linear(h, *leaves[6]).sum().backward()
    weight_sum = first_use[0].grad + second_use[0].grad
    bias_sum = first_use[1].grad + second_use[1].grad
    shared = net[2]
    return {
        "output": out,
        "shared.weight.grad": shared.weight.grad,
        "shared.bias.grad": shared.bias.grad,
        "net[0].weight.grad": net[0].weight.grad,
        "shared.weight.grad is the sum of both uses of the same layer": torch.allclose(
            shared.weight.grad, weight_sum, atol=1e-5
        ),
        "shared.bias.grad is the sum of both uses of the same layer": torch.allclose(shared.bias.grad, bias_sum, atol=1e-5),
    }


@check(points=2)
def shared_layer_is_one_object(ex):
    """net[2] is net[4]: its parameters are listed and counted once, and an edit shows through both."""
    net = ex.shared_mlp(4, 8)
    state = net.state_dict()
    observed = {
        "layers": ", ".join(type(layer).__name__ for layer in net),
        "net[2] is net[4]": net[2] is net[4],
        "len(list(net.parameters()))": len(list(net.parameters())),
        "number of parameter values": sum(p.numel() for p in net.parameters()),
        "named_parameters": _names(net.named_parameters()),
        "state_dict keys": ", ".join(sorted(state)),
        "state_dict '2.weight' and '4.weight' share memory": state["2.weight"].data_ptr()
        == state["4.weight"].data_ptr(),
    }
    with torch.no_grad():
        net[2].weight[0, 0] = 100.0
    observed["net[4].weight[0, 0] after setting net[2].weight[0, 0] = 100"] = net[4].weight[0, 0].item()
    return observed


@check(points=2)
def shared_gradients_add_up(ex):
    """With fixed weights, the shared layer's .grad is the sum of the gradients of its two uses."""
    return _shared_gradients(ex, 4, 8, 1, 5, torch.Generator().manual_seed(4))


@check(points=1, hidden=True)
def shared_gradients_random(ex):
    in_features, hidden, out_features = (int(v) for v in torch.randint(2, 9, (3,)))
    batch = int(torch.randint(4, 13, ()))
    generator = torch.Generator().manual_seed(int(torch.randint(0, 2**31 - 1, ())))
    observed = _shared_gradients(ex, in_features, hidden, out_features, batch, generator)
    net = ex.shared_mlp(in_features, hidden, out_features)
    observed["number of parameter values"] = sum(p.numel() for p in net.parameters())
    return observed


# --- init_weights ------------------------------------------------------------------


def _net_with_layer_norm(in_features, hidden, out_features):
    return nn.Sequential(
        nn.Linear(in_features, hidden), nn.LayerNorm(hidden), nn.ReLU(), nn.Linear(hidden, out_features)
    )


def _layer_norm_net_parameters(net):
    return {
        "0.weight": net[0].weight,
        "0.bias": net[0].bias,
        "1.weight (LayerNorm)": net[1].weight,
        "1.bias (LayerNorm)": net[1].bias,
        "3.weight": net[3].weight,
        "3.bias": net[3].bias,
    }


@check(points=2)
def init_weights_only_touches_linear(ex):
    """net.apply(init_weights): Linear weights N(0, 0.01) as nn.init.normal_ draws them, zero biases, LayerNorm untouched."""
    net = _net_with_layer_norm(5, 16, 3)
    before = torch.get_rng_state()
    net.apply(ex.init_weights)
    torch.set_rng_state(before)
    expected = [torch.nn.init.normal_(torch.empty_like(net[i].weight), 0.0, 0.01) for i in (0, 3)]
    return {
        **_layer_norm_net_parameters(net),
        "weights equal nn.init.normal_(w, 0, 0.01) under the same seed": all(
            torch.allclose(net[i].weight, e, rtol=0, atol=1e-8) for i, e in zip((0, 3), expected)
        ),
        "0.weight.requires_grad": net[0].weight.requires_grad,
    }


@check(points=1, hidden=True)
def init_weights_statistics(ex):
    """On a large random-sized Linear: mean ≈ 0, std ≈ 0.01, bias exactly 0; other modules unchanged."""
    fan_in, fan_out = (int(v) for v in torch.randint(200, 400, (2,)))
    net = nn.Sequential(nn.Linear(fan_in, fan_out), nn.BatchNorm1d(fan_out), nn.Tanh())
    net.apply(ex.init_weights)
    weight = net[0].weight.detach()
    return {
        "weight": weight,
        "|weight mean| < 0.0005": abs(weight.mean().item()) < 5e-4,
        "weight std within 3% of 0.01": abs(weight.std().item() - 0.01) < 3e-4,
        "bias is all zeros": bool((net[0].bias == 0).all()),
        "BatchNorm weight": net[1].weight,
        "BatchNorm bias": net[1].bias,
    }


# --- xavier_uniform_ ----------------------------------------------------------------


def _xavier(ex, fan_out, fan_in, gain):
    weight = nn.Parameter(torch.zeros(fan_out, fan_in))
    before = torch.get_rng_state()
    returned = ex.xavier_uniform_(weight, gain)
    torch.set_rng_state(before)
    expected = torch.nn.init.xavier_uniform_(torch.empty(fan_out, fan_in), gain=gain)
    bound = gain * (6.0 / (fan_in + fan_out)) ** 0.5
    return {
        "weight": weight,
        "returns the same tensor it filled": returned is weight,
        "equals nn.init.xavier_uniform_ under the same seed": torch.allclose(weight, expected, rtol=1e-5, atol=1e-6),
        "all |w| <= gain * sqrt(6 / (fan_in + fan_out))": bool((weight.abs() <= bound * (1 + 1e-6)).all()),
        "still a leaf": weight.grad_fn is None,
        "requires_grad": weight.requires_grad,
    }


@check(points=2)
def xavier_matches_torch(ex):
    """A (6, 10) Parameter filled in place: the same values as nn.init.xavier_uniform_, within the bound."""
    return _xavier(ex, 6, 10, 1.0)


@check(points=1, hidden=True)
def xavier_random_shapes_and_gains(ex):
    fan_out, fan_in = (int(v) for v in torch.randint(2, 65, (2,)))
    gain = (1.0, nn.init.calculate_gain("relu"), nn.init.calculate_gain("tanh"))[int(torch.randint(3, ()))]
    return _xavier(ex, fan_out, fan_in, gain)


# --- init_constant -----------------------------------------------------------------


@check(points=1)
def init_constant_through_apply(ex):
    """net.apply(lambda m: init_constant(m, 0.5)): Linear weights 0.5, biases 0, LayerNorm untouched."""
    net = _net_with_layer_norm(3, 4, 2)
    net.apply(lambda module: ex.init_constant(module, 0.5))
    other = nn.Linear(3, 2)
    ex.init_constant(other, -2.0)
    return {
        **_layer_norm_net_parameters(net),
        "init_constant(Linear(3, 2), -2.0) weight": other.weight,
        "init_constant(Linear(3, 2), -2.0) bias": other.bias,
    }


# --- decay_first_weight ------------------------------------------------------------


def _group_options(net, optimizer):
    """For each named parameter: how many groups hold it, and that group's lr and weight_decay."""
    observed = {"optimizer": type(optimizer).__name__}
    for name, parameter in net.named_parameters():
        holders = [g for g in optimizer.param_groups if any(p is parameter for p in g["params"])]
        observed[f"groups holding {name}"] = len(holders)
        if holders:
            observed[f"lr of {name}"] = float(holders[0]["lr"])
            observed[f"weight_decay of {name}"] = float(holders[0]["weight_decay"])
    observed["parameters in all groups"] = sum(len(g["params"]) for g in optimizer.param_groups)
    return observed


def _one_step(ex, sizes, lr, weight_decay, batch):
    layers = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers += [nn.Linear(fan_in, fan_out)] + ([nn.Tanh()] if i < len(sizes) - 2 else [])
    net = nn.Sequential(*layers)
    x, target = torch.randn(batch, sizes[0]), torch.randn(batch, sizes[-1])
    before = {name: p.detach().clone() for name, p in net.named_parameters()}
    optimizer = ex.decay_first_weight(net, lr, weight_decay)
    optimizer.zero_grad()
    F.mse_loss(net(x), target).backward()
    grads = {name: p.grad.clone() for name, p in net.named_parameters()}
    optimizer.step()
    observed = _group_options(net, optimizer)
    for name, p in net.named_parameters():
        decay = weight_decay if name == "0.weight" else 0.0
        by_hand = before[name] - lr * (grads[name] + decay * before[name])
        observed[f"{name} after one step"] = p
        observed[f"{name} after one step equals p - lr * (grad + wd * p)"] = torch.allclose(
            p, by_hand, rtol=1e-5, atol=1e-6
        )
    return observed


@check(points=2)
def param_groups_options(ex):
    """Every parameter in exactly one group, lr everywhere, weight decay only on 0.weight."""
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    return _group_options(net, ex.decay_first_weight(net, lr=0.1, weight_decay=0.5))


@check(points=2, rtol=1e-5, atol=1e-6)
def one_step_update(ex):
    """One SGD step: 0.weight moves by -lr (grad + wd·w), everything else by -lr·grad."""
    return _one_step(ex, (3, 4, 2), lr=0.1, weight_decay=0.5, batch=6)


@check(points=1, hidden=True, rtol=1e-5, atol=1e-6)
def param_groups_random(ex):
    depth = int(torch.randint(2, 5, ()))
    sizes = tuple(int(v) for v in torch.randint(2, 7, (depth + 1,)))
    lr, weight_decay = 0.01 + 0.2 * float(torch.rand(())), 0.1 + float(torch.rand(()))
    return _one_step(ex, sizes, lr, weight_decay, batch=int(torch.randint(2, 9, ())))


# --- RunningCenter -------------------------------------------------------------------


@check(points=2)
def buffer_vs_parameter(ex):
    """scale is the only parameter; running_mean and num_batches are buffers, and all three are in state_dict."""
    module = ex.RunningCenter(3)
    state = module.state_dict()
    return {
        "named_parameters": _names(module.named_parameters()),
        "named_buffers": _names(module.named_buffers()),
        "state_dict keys": ", ".join(sorted(state)),
        "scale": module.scale,
        "scale.requires_grad": module.scale.requires_grad,
        "running_mean": module.running_mean,
        "running_mean.requires_grad": module.running_mean.requires_grad,
        "num_batches": module.num_batches,
    }


@check(points=2)
def running_mean_training_and_eval(ex):
    """Two training batches update the buffers outside the graph; eval uses running_mean and changes nothing."""
    module = ex.RunningCenter(3, momentum=0.25)
    # Inputs that require grad, as the output of an earlier layer would.
    batches = [(torch.randn(5, 3) + 2.0).requires_grad_() for _ in range(3)]
    observed = {}
    for step, x in enumerate(batches[:2]):
        out = module(x)
        out.pow(2).sum().backward()
        observed[f"train output {step}"] = out
        observed[f"x.grad of train batch {step}"] = x.grad
        observed[f"running_mean after train batch {step}"] = module.running_mean.detach().clone()
    observed["num_batches after 2 train batches"] = module.num_batches.clone()
    observed["scale.grad"] = module.scale.grad
    observed["running_mean.requires_grad after training"] = module.running_mean.requires_grad
    module.eval()
    observed["eval output"] = module(batches[2])
    observed["running_mean after eval"] = module.running_mean.detach()
    observed["num_batches after eval"] = module.num_batches
    return observed


@check(points=2)
def buffers_saved_and_converted(ex):
    """state_dict carries the buffers into a fresh module; .double() converts float buffers; an optimizer only sees scale."""
    module = ex.RunningCenter(4, momentum=0.5)
    x = torch.randn(6, 4) * 3.0
    module(x)
    fresh = ex.RunningCenter(4, momentum=0.5)
    fresh.load_state_dict(module.state_dict())
    optimizer = torch.optim.SGD(module.parameters(), lr=0.1)
    module.double()
    return {
        "loaded running_mean": fresh.running_mean,
        "loaded num_batches": fresh.num_batches,
        "tensors the optimizer updates": sum(len(g["params"]) for g in optimizer.param_groups),
        "scale.dtype after .double()": module.scale.dtype,
        "running_mean.dtype after .double()": module.running_mean.dtype,
        "num_batches.dtype after .double()": module.num_batches.dtype,
        "buffers after .double()": ", ".join(f"{n}:{b.dtype}" for n, b in sorted(module.named_buffers())),
        "training input after forward (unchanged: no x -= mean)": x,
    }



# --- on a device -----------------------------------------------------------------------
#
# A probe with a `device` runs on the CPU, on the meta device (shapes and dtypes, no data: on every machine)
# and on CUDA where there is one; the reference runs on the CPU. So it returns facts that read the same
# everywhere: whether each tensor is on the device, its dtype and shape.

def _initialised_on(device, init, sizes):
    net = _net_with_layer_norm(*sizes).to(device)
    net.apply(init)
    return dict(net.named_parameters())


def _xavier_on(ex, device):
    weight = nn.Parameter(torch.zeros(6, 10).to(device))
    returned = ex.xavier_uniform_(weight)
    return {"returned": returned, "the weight filled": weight}


def _buffers(module):
    """Read as attributes: a buffer moves with .to(device), a plain tensor attribute stays behind on the CPU."""
    return {name: getattr(module, name, None) for name in ("running_mean", "num_batches")}


def _running_center_trained(ex, device, x):
    module = ex.RunningCenter(3, momentum=0.25).to(device)
    return module, module(x.to(device))


@check(points=1, devices=("cpu", "meta", "cuda"))
def state_stays_on_the_device(ex, device):
    """Initialisers fill tensors where they are (no CPU tensor swapped in); RunningCenter's buffers move with .to(),
    and its updates and outputs stay on the device."""
    x, eval_x = torch.randn(5, 3), torch.randn(4, 3)
    calls = {
        "init_weights through apply (drawn on the device of the model)": lambda on: _initialised_on(
            on, ex.init_weights, (5, 8, 3)
        ),
        "init_constant through apply (on the device of the model)": lambda on: _initialised_on(
            on, lambda m: ex.init_constant(m, 0.5), (3, 4, 2)
        ),
        "xavier_uniform_": lambda on: _xavier_on(ex, on),
        "RunningCenter: buffers after .to(device)": lambda on: _buffers(ex.RunningCenter(3).to(on)),
        "RunningCenter: train output": lambda on: _running_center_trained(ex, on, x)[1],
        "RunningCenter: buffers after a train batch": lambda on: _buffers(_running_center_trained(ex, on, x)[0]),
        "RunningCenter: eval output": lambda on: _running_center_trained(ex, on, x)[0].eval()(eval_x.to(on)),
    }
    return {name: on_device(device, call) for name, call in calls.items()}
