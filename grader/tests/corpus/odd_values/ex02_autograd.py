"""Attack (and honest mistakes): values the trusted side could not judge, hoping the grader raises.

Sparse, complex and meta tensors where a tensor is expected, an object whose class claims to be a
builtin number, an int of 400 digits where a float is expected, an exception whose message is not
text. Each must be a wrong-type failure of its own check; the class goes on.
"""

import torch


class number:  # noqa: N801 - named to look like the comparison's own kind
    __module__ = "builtins"
    __qualname__ = "number"

    def __float__(self):
        raise RuntimeError("float() on me")


class Weird(Exception):
    def __str__(self):
        return 42  # noqa: PLE0307 - str() of it raises TypeError


def double_square_grad(x):
    return torch.eye(len(x)).to_sparse()


def accumulate_then_clear(x):
    return torch.ones(len(x), dtype=torch.complex64), torch.empty(len(x), device="meta")


def detached_product_grad(x):
    return number(), number()


def sum_product_grads(a, b, c):
    return 10**400, 10**400, 10**400


def mean_of_squares_grad(x):
    raise Weird()


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo
