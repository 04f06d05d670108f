"""Attack: allocate until something gives: touched pages in a loop, and one impossible tensor."""

import torch


def double_square_grad(x):
    hog = []
    while True:
        hog.append(b"x" * (64 << 20))  # 64 MiB, every page written


def accumulate_then_clear(x):
    hog = torch.ones(1 << 40)  # 4 TiB
    return hog, hog


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
