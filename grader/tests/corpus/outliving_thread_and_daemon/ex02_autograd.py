"""Attack: leave things running after the check: a thread that never ends, and daemons that left the process group.

The daemons run `python -c "sleep 600" __CORPUS_RUN__` (the marker is filled in by the corpus test), so
the test can look for any that survived the class run.
"""

import os
import signal
import sys
import threading
import time

import torch

RUN = "__CORPUS_RUN__"


def _forever():
    while True:
        time.sleep(0.01)


def _daemon():
    """Double fork and a new session: the grandchild is in no process group the grader knows."""
    try:
        if os.fork() != 0:
            return
    except OSError:
        return
    try:
        os.setsid()
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-S", "-c", "import time; time.sleep(600)", RUN])
    finally:
        os._exit(0)


threading.Thread(target=_forever).start()  # not a daemon thread: the interpreter waits for it
for _ in range(3):
    _daemon()


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


def double_square_grad(x):
    threading.Thread(target=_forever).start()
    _daemon()
    raise NotImplementedError("not done yet")
