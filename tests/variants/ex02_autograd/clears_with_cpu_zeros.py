"""Clears x.grad by assigning torch.zeros(x.shape): right on the CPU, a CPU gradient for a leaf on a GPU."""

VERDICTS = {"gradients_stay_on_the_device[meta]": ("failed", "'accumulate_then_clear': raised RuntimeError")}
DIAGNOSIS = {"*": ("same device", "on the device")}

import torch  # noqa: E402


def accumulate_then_clear(x):
    (2 * torch.dot(x, x)).backward()
    x.sum().backward()
    accumulated = x.grad.clone()
    x.grad = torch.zeros(x.shape)
    x.sum().backward()
    return accumulated, x.grad.clone()
