"""Attack: busy inside C code that never checks for signals: catastrophic regex backtracking, a huge torch op."""

import re

import torch


def double_square_grad(x):
    re.match(r"(a+)+$", "a" * 64 + "!")  # exponential backtracking inside the re engine, GIL held
    return x


def accumulate_then_clear(x):
    big = torch.rand(1500, 1500)
    torch.linalg.matrix_power(big, 2**62)  # ~62 large matmuls in one call
    return x, x


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


detached_product_grad = sum_product_grads = mean_of_squares_grad = _todo
double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("not done yet")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("not done yet")
