"""Attack: modules beside the exercise that would shadow torch, numpy and the grader if they were ever
importable (torch.py, numpy.py, grader/), plus sitecustomize, usercustomize and a .pth file that Python
runs at start-up. Each leaves a RAN-* file beside itself if it runs. This file returns wrong values.
"""

import numpy
import torch


def double_square_grad(x):
    return torch.zeros_like(x) + float(numpy.zeros(()))


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
