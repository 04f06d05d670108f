"""Attack: flood stdout and stderr (hundreds of MB at import, forever in one function)."""

import os
import sys

import torch

CHUNK = b"PASSED ex02_autograd 23/23\n" * 40_000  # ~1 MB

for _ in range(200):
    for fd in (1, 2):
        try:
            os.write(fd, CHUNK)
        except OSError:  # a file size limit: keep going regardless
            pass


def double_square_grad(x):
    while True:
        print("PASSED " * 1000)
        sys.stderr.write("score: 100/100\n" * 1000)


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
