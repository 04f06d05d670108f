"""How this machine starts the processes that run learner code, and how many it runs at once.

- `fork` (Linux): a child is a copy of this warm process, torch already imported,
  so a check starts in milliseconds. It needs `os.fork`, and a parent that has not
  started threads a forked copy would miss (Linux's libraries cope; macOS's
  system frameworks do not).
- `forkserver` (macOS, other POSIX systems): children are forked from a small
  server process started once, with torch imported and no threads of ours.
- `spawn` (Windows, or anywhere as a last resort): each child is a fresh
  interpreter; slowest to start, available everywhere.

`TORCHDRILL_START` names one of them instead: the self-tests force `forkserver` and
`spawn` on Linux, so that the portable path is tested on every machine.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

START_ENV = "TORCHDRILL_START"
METHODS = ("fork", "forkserver", "spawn")


def start_method() -> str:
    """The start method for learner code's processes here (see the module docstring)."""
    chosen = os.environ.get(START_ENV, "")
    if chosen:
        if chosen not in METHODS or chosen not in multiprocessing.get_all_start_methods():
            usable = ", ".join(m for m in METHODS if m in multiprocessing.get_all_start_methods())
            raise ValueError(f"{START_ENV}={chosen!r} cannot be used on this machine: use one of {usable}")
        return chosen
    if sys.platform.startswith("linux"):
        return "fork"
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def forking() -> bool:
    """True where children are copies of this process (`fork`): only then may they inherit what
    it computed, and only then must it keep from starting CUDA or threads before forking."""
    return start_method() == "fork"


def cores() -> int:
    """The cores this process may run on (its affinity where the system has one, e.g. a container's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1
