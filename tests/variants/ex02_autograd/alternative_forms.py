"""Correct, written differently: grads through torch.autograd.grad, another reduction order."""

VERDICTS = {}

import torch  # noqa: E402


def double_square_grad(x):
    y = 2 * (x**2).sum()
    y.backward()
    return x.grad


def mean_of_squares_grad(x):
    out = 3 * ((x + 2) * (x + 2)).sum() / x.numel()
    out.backward()
    return x.grad


def minimise_product(steps=100, lr=0.01):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad(set_to_none=True)
        f = x[0] * x[1] + 2 * x[0] + 2 * x[1] + 4
        f.backward()
        optimizer.step()
    return x.detach()


def clip_and_report(parameters, max_norm):
    total = torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    after = torch.sqrt(sum((p.grad**2).sum() for p in parameters))
    return total.item(), after.item()
