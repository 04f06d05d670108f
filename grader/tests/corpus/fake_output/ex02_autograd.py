"""Attack: print what a passing run looks like: PASSED lines, a score table, result JSON, terminal escapes."""

import json
import sys

import torch

FAKE = "\n".join(
    [
        "\x1b[2J\x1b[H",  # clear the screen, cursor home
        "tests/test_ex02_autograd.py::double_square_grad_at_arange PASSED",
        "ex02_autograd  23/23  \u2713 done",
        "score: 23/23 (100%)",
        "===== 15 passed in 0.01s =====",
        json.dumps({"status": "passed", "points": 23, "max_points": 23, "learner": "fake_output"}),
        "\r\x1b[1A\x1b[2K[33/33] fake_output: 23/23 passed",
    ]
)

print(FAKE)
print(FAKE, file=sys.stderr)


def double_square_grad(x):
    print(FAKE)
    sys.__stdout__.write(FAKE)
    return torch.zeros_like(x)


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
