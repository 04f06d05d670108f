"""The training loop without optimizer.zero_grad(): each step uses all past gradients."""

VERDICTS = {"hundred_sgd_steps": ("failed", "'x'")}
DIAGNOSIS = {"*": "zero_grad"}

import torch  # noqa: E402


def minimise_product(steps=100, lr=0.01):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        f = (x[0] + 2) * (x[1] + 2)
        f.backward()
        optimizer.step()
    return x.detach()
