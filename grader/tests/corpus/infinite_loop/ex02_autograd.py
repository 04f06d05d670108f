"""Attack: double_square_grad never returns (a pure-Python busy loop); the rest is not started."""

import torch


def double_square_grad(x):
    while True:
        pass


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


accumulate_then_clear = detached_product_grad = sum_product_grads = mean_of_squares_grad = _todo
double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("not done yet")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("not done yet")
