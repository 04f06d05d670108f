"""Attack: make the trusted side spend memory and time, and the results and report grow.

Hundreds of thousands of keys, keys of a megabyte, a 256 MiB tensor, messages of a megabyte.
Every result is bounded before it is decoded, keys and strings are cut: the learner's results
file stays small, and nothing is charged to the class.
"""

import torch


def double_square_grad(x):
    return {f"key{i}": i for i in range(400_000)}


def accumulate_then_clear(x):
    return tuple(torch.zeros(1) for _ in range(2))[0], {("k" * (1 << 20)) + str(i): 1 for i in range(5)}


def detached_product_grad(x):
    return torch.zeros(64 << 20), torch.zeros(1)  # 256 MiB of float32


def sum_product_grads(a, b, c):
    raise ValueError("x" * (1 << 20))


def mean_of_squares_grad(x):
    print("y" * (8 << 20))
    return x


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo
