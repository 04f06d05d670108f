"""Which accelerator devices learner code can use from here, asked without touching CUDA here.

The grading parent must never initialise CUDA: a child forked from a parent that
has cannot use it. So the question is asked in a short-lived forked process, and
`unusable` gives the one message for each reason a device cannot be used.
"""

from __future__ import annotations

import functools
import sys

from grader.run import fork, starting


ALWAYS = ("cpu", "meta")  # the meta device has shapes and dtypes, no data: on every machine, for "was it moved?"


@functools.cache
def available(device: str) -> bool:
    """True when `device` ("cuda", "mps", "cuda:1", ...) exists on this machine."""
    if device in ALWAYS:
        return True

    def ask() -> bytes:
        import torch

        kind, _, index = device.partition(":")
        if kind == "cuda":
            return b"1" if torch.cuda.is_available() and torch.cuda.device_count() > int(index or 0) else b"0"
        if kind == "mps":
            return b"1" if torch.backends.mps.is_available() else b"0"
        return b"0"

    return fork.call(ask).result() == b"1"


def unusable(device: str) -> str:
    """Why children forked from this process cannot run on `device` ("" when they can)."""
    if device in ALWAYS:
        return ""
    torch = sys.modules.get("torch")
    if device.startswith("cuda") and starting.forking() and torch is not None and torch.cuda.is_initialized():
        return "needs cuda, which this process already uses (a forked child cannot): grade it from a terminal"
    return "" if available(device) else f"needs {device}, and no {device} device is available on this machine"
