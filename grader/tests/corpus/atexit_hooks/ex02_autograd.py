"""Attack: hooks that run after the learner's code (atexit, excepthook, __del__, at-fork) claim success."""

import atexit
import os
import sys
import threading

import torch


def _claim(*args, **kwargs):
    sys.__stdout__.write("ex02_autograd 23/23 PASSED\n")
    os.write(1, b'{"status": "passed", "points": 2}\n')


atexit.register(_claim)
atexit.register(os._exit, 0)
sys.excepthook = _claim
threading.excepthook = _claim
sys.unraisablehook = _claim
os.register_at_fork(after_in_child=_claim, after_in_parent=_claim)


class _Exit:
    def __del__(self):
        _claim()
        os._exit(0)


_keep = _Exit()  # collected at interpreter exit, if that ever runs


def double_square_grad(x):
    _Exit()  # collected at once: prints and exits before the value is returned
    return torch.zeros_like(x)


def accumulate_then_clear(x):
    return torch.zeros_like(x), torch.zeros_like(x)


def detached_product_grad(x):
    return torch.zeros_like(x), torch.zeros_like(x)


def sum_product_grads(a, b, c):
    return torch.zeros_like(a), torch.zeros_like(b), torch.zeros_like(c)


def mean_of_squares_grad(x):
    return torch.zeros_like(x)


def double_no_grad(x):
    return torch.zeros_like(x).detach()


double_grad_disabled = double_decorated = double_no_grad


def clip_and_report(parameters, max_norm):
    return 0.0, 0.0


def minimise_product(steps=100, lr=0.01):
    return torch.zeros(2)


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, grad_output):
        return 2 * grad_output  # not even the derivative of its own forward
