"""Which accelerator devices this machine has, asked without touching CUDA here.

The grading parent must never initialise CUDA: a child forked from a parent that
has cannot use it. So the question is asked in a short-lived forked child.
"""

from __future__ import annotations

import functools
import os


@functools.cache
def available(device: str) -> bool:
    """True when `device` ("cuda", "mps", "cuda:1", ...) can be used by a child."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        answer = b"0"
        try:
            import torch

            kind, _, index = device.partition(":")
            if kind == "cuda":
                answer = b"1" if torch.cuda.is_available() and torch.cuda.device_count() > int(index or 0) else b"0"
            elif kind == "mps":
                answer = b"1" if torch.backends.mps.is_available() else b"0"
            elif kind == "cpu":
                answer = b"1"
        finally:
            os.write(write_fd, answer)
            os._exit(0)
    os.close(write_fd)
    try:
        answer = os.read(read_fd, 1)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    return answer == b"1"
