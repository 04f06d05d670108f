"""Attack: every function leaves in its own way instead of returning a value."""

import os
import signal
import sys

import torch


def double_square_grad(x):
    sys.exit(0)


def accumulate_then_clear(x):
    os._exit(0)


def detached_product_grad(x):
    raise KeyboardInterrupt


def sum_product_grads(a, b, c):
    os.kill(os.getpid(), signal.SIGKILL)


def mean_of_squares_grad(x):
    os.abort()


def double_no_grad(x):
    raise SystemExit("PASSED")


double_grad_disabled = double_decorated = double_no_grad


def clip_and_report(parameters, max_norm):
    signal.raise_signal(signal.SIGTERM)


def minimise_product(steps=100, lr=0.01):
    os.kill(os.getppid(), signal.SIGKILL)  # the process that forked this one


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)
        raise GeneratorExit

    @staticmethod
    def backward(ctx, grad_output):
        raise GeneratorExit
