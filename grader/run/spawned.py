"""Children started afresh (forkserver, spawn): the executor's children where fork is unavailable or unsafe.

A forked child inherits the registry of checks and the learner's requests; a child
started afresh is given them. Only plain data crosses: each check's fields, and
where its probe is defined (module, file, qualified name); the child imports the
suite and finds the probe itself. It then says it is ready (interpreter, torch and
suites loaded), so that its start-up is never charged to the learner's first check,
and serves the requests as a forked child does (`child.serve`).

What this module keeps from the fork path: its own process group (killed whole),
CPU time read with psutil, frames with a size announced before the body (refused
unread when over the limit), output in a file of its own. What it cannot keep:
a process that leaves the group (`setsid`) and outlives its parent is not adopted
off Linux; Linux uses the fork path (`grader.run.starting`).
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import importlib
import importlib.util
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Any

import psutil

from grader.core.checks import Check
from grader.core.suites import Registry
from grader.core.wire import LENGTH, ProbeRequest
from grader.run import child, fork

READY = b"ready"
READY_BACKSTOP = 300.0  # seconds a fresh interpreter may take to import torch on a loaded machine
PRELOADED = ["torch", "grader.run.child"]  # imported once by the fork server, not by each child

ProbeAt = tuple[str, str, str]  # (module name, its file, the probe's qualified name)
_live: set[Spawned] = set()


class ConnectionFrames:
    """Frames from a child started afresh: a size, then the body, refused unread over `limit`."""

    def __init__(self, connection: Connection, limit: int) -> None:
        self.connection = connection
        self.limit = limit
        self.oversized = 0
        self.size: int | None = None  # announced, body not read yet

    def next(self, deadline: float | None = None) -> tuple[bytes, bool, bool]:
        """As `FrameReader.next`: (frame, whole, late); a frame over the limit sets `oversized`."""
        while True:
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                if not self.connection.poll(timeout):
                    return b"", False, True
                message = self.connection.recv_bytes(max(self.limit, LENGTH.size))
            except (EOFError, OSError):  # closed, or a message over the limit (the size was not)
                return b"", False, False
            if self.size is None:
                if len(message) != LENGTH.size:  # not a size: the child's channel was written over
                    return b"", False, False
                (self.size,) = LENGTH.unpack(message)
                if self.size > self.limit:
                    self.oversized = self.size
                    return b"", False, False
                continue
            self.size = None
            return message, True, False


class Spawned(fork.Running):
    """A child started by a multiprocessing context; killed with everything below it at the end."""

    def __init__(self, process: Any, frames: ConnectionFrames, output: Any) -> None:
        super().__init__(process.pid, frames, output)
        self.process = process

    @classmethod
    @contextlib.contextmanager
    def start(cls, method: str, requests: Sequence[ProbeRequest], registry: Registry, prepare: child.Prepare | None) -> Iterator[Spawned]:
        """Start a child serving `requests` (all on one file); whatever happens, it is killed at the end."""
        multiprocessing.active_children()  # reaps the children that ended since
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(PRELOADED)
        checks = [_portable(registry[key]) for key in dict.fromkeys(request.check for request in requests)]
        reader, writer = context.Pipe(duplex=False)
        handle, path = tempfile.mkstemp(prefix="torchdrill-output-")
        output = os.fdopen(handle, "w+b")
        process = context.Process(target=_main, args=(list(requests), checks, prepare, writer, path), name="torchdrill-check")
        process.start()
        writer.close()
        spawned = cls(process, ConnectionFrames(reader, len(READY)), output)
        _live.add(spawned)
        try:
            if spawned.frames.next(time.monotonic() + READY_BACKSTOP) == (READY, True, False):
                spawned.cpu_base = spawned.cpu_seconds()
            yield spawned
        except BaseException:  # Ctrl-C while waiting: the learner's code must not outlive us
            spawned.stop(wait=True)
            raise
        finally:
            spawned.stop(wait=False)
            reader.close()
            output.close()
            with contextlib.suppress(OSError):
                os.unlink(path)

    def stop(self, wait: bool) -> int:
        """Kill it and everything below it; its wait status if `wait`, else 0 (reaped later)."""
        if self.stopped:
            return 0
        self.stopped = True
        _live.discard(self)
        kill_tree(self.pid)
        if not wait:
            return 0
        self.process.join(fork.KILL_GRACE)
        code = self.process.exitcode
        if code is None:
            return 0
        return -code if code < 0 else code << 8  # a wait status: signal number, or exit code << 8


def kill_tree(pid: int) -> None:
    """Kill the process `pid`, its group where there are groups, and every process below it."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(OSError):
            os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(psutil.Error):
        top = psutil.Process(pid)
        for process in [top, *top.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                process.kill()


@atexit.register
def _kill_the_live() -> None:
    """At exit (registered after multiprocessing's own, so run before it joins its children)."""
    for spawned in list(_live):
        spawned.stop(wait=False)


# --- what crosses ---------------------------------------------------------------------------


def _portable(check: Check) -> tuple[dict[str, Any], ProbeAt]:
    """A check as plain data: its fields but the probe, and where the probe is defined."""
    probe = check.probe
    module = sys.modules.get(probe.__module__)
    qualname = getattr(probe, "__qualname__", "")
    if module is None or not getattr(module, "__file__", None) or "<locals>" in qualname:
        raise ValueError(f"check {check.key}: its probe must be a function defined at the top level of a suite's file")
    fields = {field.name: getattr(check, field.name) for field in dataclasses.fields(check) if field.name != "probe"}
    return fields, (probe.__module__, str(module.__file__), qualname)


def _probe(at: ProbeAt) -> Any:
    """The probe defined at `at`, its module imported by name or, for a suite, from its file."""
    name, path, qualname = at
    module = sys.modules.get(name)
    if module is None:
        try:
            module = importlib.import_module(name)
        except ImportError:
            spec = importlib.util.spec_from_file_location(name, path)
            if spec is None or spec.loader is None:
                raise ImportError(f"cannot load the suite {path}") from None
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
    found: Any = module
    for part in qualname.split("."):
        found = getattr(found, part)
    return found.probe if isinstance(found, Check) else found  # a suite binds the name to the decorated check


def _main(requests: list[ProbeRequest], checks: list[tuple[dict[str, Any], ProbeAt]], prepare: child.Prepare | None, writer: Connection, path: str) -> None:
    """In the child started afresh: rebuild the registry, say it is ready, serve the requests."""
    registry = Registry(Check(probe=_probe(at), **fields) for fields, at in checks)

    def send(data: bytes) -> None:
        writer.send_bytes(LENGTH.pack(len(data)))
        writer.send_bytes(data)

    writer.send_bytes(LENGTH.pack(len(READY)))
    writer.send_bytes(READY)
    output_fd = os.open(path, os.O_WRONLY | os.O_APPEND)
    child.serve(requests, registry, prepare, send, output_fd, None)
    os._exit(0)  # as a forked child ends: no interpreter clean-up that learner code could hang
