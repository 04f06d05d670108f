"""minimise_product returns the optimised leaf itself: right values, but it still requires grad."""

VERDICTS = {"one_sgd_step": ("failed", "'returned x.requires_grad (detached: False)': wrong value")}
DIAGNOSIS = {"*": "detached"}

import torch  # noqa: E402


def minimise_product(steps=100, lr=0.01):
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        f = (x[0] + 2) * (x[1] + 2)
        f.backward()
        optimizer.step()
    return x
