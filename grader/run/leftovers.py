"""Processes learner code leaves behind: adopt them, find them, kill them.

A check's child is killed with its process group, but a learner's daemon can leave
that group (`setsid`) and outlive its parent. A process that declares itself a
child subreaper inherits such orphans, so that every one of them stays findable
below it in /proc, and killable.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import time

PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Orphans of every process below this one are re-parented to this one (not to init)."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def descendants() -> list[int]:
    """Every live process below this one (orphans included, once `adopt_orphans` was called).

    Zombies (dead, not yet reaped) are not counted: nothing of them runs.
    """
    parents: dict[int, int] = {}
    dead: set[int] = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    fields = stat.read().rsplit(b")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
                if fields[0] in (b"Z", b"X"):
                    dead.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [], [os.getpid()]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += [pid for pid in children if pid not in dead]
        frontier += children
    return found


def kill_descendants(grace: float = 5.0) -> None:
    """Kill every process below this one and reap them.

    Scans again after every round of kills: a process caught between its fork and its
    kill leaves a child nobody listed, and a learner's thread may still be forking.
    `grace` bounds the whole: killed processes die at once, but a loaded machine may
    take a while to unmap a torch-sized one.
    """
    deadline = time.monotonic() + grace
    while True:
        leftover = descendants()
        for pid in leftover:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        _reap_dead_children()
        if not leftover or time.monotonic() > deadline:
            return
        time.sleep(0.001)


def _reap_dead_children() -> None:
    """Reap every child that has died (killed ones, and orphans re-parented here), without waiting."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass
