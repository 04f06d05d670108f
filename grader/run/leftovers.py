"""Processes learner code leaves behind: adopt them, find them, kill them.

A check's child is killed with its process group, but a learner's daemon can leave
that group (`setsid`) and outlive its parent. A process that declares itself a
child subreaper inherits such orphans, so that every one of them stays findable
below it, and killable.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import time

import psutil

PR_SET_CHILD_SUBREAPER = 36


def adopt_orphans() -> None:
    """Orphans of every process below this one are re-parented to this one, not to init (Linux;
    elsewhere a process that leaves its group and outlives its parent is out of reach)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def descendants() -> list[int]:
    """Every live process below this one (orphans included, once `adopt_orphans` was called).

    Zombies (dead, not yet reaped) are not counted: nothing of them runs.
    """
    return _scan()[0]


def _scan() -> tuple[list[int], bool]:
    """The live processes below this one, and whether the scan found any process at all.

    A process that died while the scan ran may have forked one the scan did not list (it reads
    the process table once, then each process): a dead one found means "scan again".
    """
    if not _has_children():  # every descendant has a child of ours above it (or is one)
        return [], False
    live, found = [], False
    for process in psutil.Process().children(recursive=True):
        found = True
        with contextlib.suppress(psutil.Error):
            if process.status() not in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
                live.append(process.pid)
    return live, found


def _has_children() -> bool:
    """Whether any child of this process exists, dead or alive, asked without reaping it.

    Listing descendants means reading every process on the machine (psutil has no other way),
    several milliseconds a check on a busy host; a check that started nothing has no child, and
    one `waitid` says so. Where `waitid` is missing, the answer is "maybe": the list is made.
    """
    if not hasattr(os, "waitid"):
        return True
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def kill_descendants(grace: float = 5.0) -> None:
    """Kill every process below this one and reap them.

    Scans again, after the dead are reaped, until a scan finds nothing at all, dead or
    alive: a process caught between its fork and its kill, or one that forked and died
    while the scan ran, leaves a child nobody listed, and a learner's thread may still be
    forking. `grace` bounds the whole: killed processes die at once, but a loaded machine
    may take a while to unmap a torch-sized one.
    """
    deadline = time.monotonic() + grace
    while True:
        live, found = _scan()
        for pid in live:
            with contextlib.suppress(psutil.Error):
                psutil.Process(pid).kill()
        _reap_dead_children()
        if not found or time.monotonic() > deadline:
            return
        time.sleep(0.001)


def _reap_dead_children() -> None:
    """Reap every child that has died (killed ones, and orphans re-parented here), without waiting."""
    if not hasattr(os, "WNOHANG"):  # Windows: no zombies to reap
        return
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0] != 0:
            pass
