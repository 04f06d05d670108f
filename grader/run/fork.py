"""Forking: the one place the grader forks a process, and the one list of children to reap.

Two kinds of forked process, one mechanism:

- `Child`: runs learner code. Its own process group, its output in a file of its
  own, frames back through a pipe; killed (with its whole group) when the parent
  is done with it, whatever happens.
- `call`: runs a trusted function (a device query, a share of the checks, a
  notebook's grading) and sends its bytes back as one frame (in a thread where
  children are not forked: `grader.run.starting`).

`Running` is what the executor sees of a child, forked here or started by
`grader.run.spawned` where fork is unavailable or unsafe.

A child whose answer has arrived is not waited for: its exit (unmapping a
torch-sized address space) overlaps with the next piece of work, and it is
reaped later (`reap_finished`).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import psutil

from grader.core.wire import FrameReader, write_frame
from grader.run import starting

KILL_GRACE = 2.0
PR_SET_PDEATHSIG = 1
OUTPUT_LIMIT = 4_000

_unreaped: set[int] = set()


def die_with_parent(number: int | None = None) -> None:
    """In a new process: get signal `number` (SIGKILL by default) when the process that started it
    dies (Linux), so that nothing a grading command started outlives it, however it ends."""
    number = signal.SIGKILL if number is None else number
    parent = os.getppid()
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, number, 0, 0, 0)
    if os.getppid() != parent:  # it died before the request took effect
        os.kill(os.getpid(), number)


def _fork(body: Callable[[int], None], on_parent_death: int) -> tuple[int, int]:
    """Fork a process that runs `body(write_fd)` and then exits; returns (pid, read_fd)."""
    reap_finished()
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            if os.getppid() == parent:
                die_with_parent(on_parent_death)
            body(write_fd)
        except BaseException:  # noqa: BLE001 - the parent sees a missing frame
            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(write_fd)
    return pid, read_fd


def _output_file() -> Any:
    """Where the child's stdout and stderr go: in memory where the system allows it.

    Not a file in /tmp: learner code that fills /tmp (its own, in the sandbox) must not
    take away the place its output and the grader's verdict are written.
    """
    if hasattr(os, "memfd_create"):
        with contextlib.suppress(OSError):
            return open(os.memfd_create("torchdrill-output", os.MFD_CLOEXEC), "w+b")  # noqa: SIM115 - closed by Child.fork
    return tempfile.TemporaryFile()  # noqa: SIM115 - closed by Child.fork


class Running:
    """A process running learner code, however it was started: its frames, its output, its CPU."""

    def __init__(self, pid: int, frames: Any, output: Any, cpu_base: float = 0.0) -> None:
        self.pid = pid
        self.frames = frames  # `next(deadline)`, `limit` and `oversized`, as `FrameReader`'s
        self.output = output
        self.cpu_base = cpu_base  # CPU it had used before its first request (its start-up)
        self.stopped = False

    def threads(self) -> int:
        """How many threads it runs now (0 if that cannot be read)."""
        try:
            return psutil.Process(self.pid).num_threads()
        except psutil.Error:
            return 0

    def cpu_seconds(self) -> float:
        """CPU time used so far by the process and everything below it (the reaped included)."""
        try:
            process = psutil.Process(self.pid)
            times = process.cpu_times()
            total = times.user + times.system + times.children_user + times.children_system
            for below in process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    times = below.cpu_times()
                    total += times.user + times.system
            return total
        except psutil.Error:  # gone: whatever it used is spent
            return 0.0

    def printed(self, start: int, end: int | None) -> str:
        """What the process printed between two positions of its output file (truncated)."""
        fd = self.output.fileno()
        size = os.fstat(fd).st_size
        end = size if end is None else max(0, min(end, size))
        start = min(max(0, start), end)
        data = _read_at(fd, min(end - start, OUTPUT_LIMIT + 1), start)
        text = data[:OUTPUT_LIMIT].decode("utf-8", errors="replace")
        return text + "\n… (output truncated)" if len(data) > OUTPUT_LIMIT else text


def _read_at(fd: int, size: int, offset: int) -> bytes:
    """`size` bytes at `offset`. Where there is no `pread` (Windows), the process that writes has
    an offset of its own (it opened the file itself), so moving this one's is harmless."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


class Child(Running):
    """A forked child running learner code, killed with its process group when the parent is done."""

    @classmethod
    @contextlib.contextmanager
    def fork(cls, body: Callable[[int, int], None]) -> Iterator[Child]:
        """Fork a child that runs `body(write_fd, output_fd)`; whatever happens, it is killed at the end."""
        output = _output_file()
        pid, read_fd = _fork(lambda write_fd: body(write_fd, output.fileno()), signal.SIGKILL)
        try:
            os.setpgid(pid, pid)
        except OSError:  # the child did it first, or is gone already
            pass
        child = cls(pid, FrameReader(read_fd), output)
        try:
            yield child
        except BaseException:  # Ctrl-C while waiting: the learner's code must not outlive us
            child.stop(wait=True)
            raise
        finally:
            child.stop(wait=False)
            os.close(read_fd)
            output.close()

    def stop(self, wait: bool) -> int:
        """Kill its process group; its wait status if `wait`, else 0 (reaped later)."""
        if self.stopped:
            return 0
        self.stopped = True
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        if wait:
            return reap(self.pid)
        _unreaped.add(self.pid)
        return 0


@dataclass
class Forked:
    """A trusted function running in a forked process; `result` brings back its bytes."""

    pid: int
    reader: FrameReader

    def result(self, forward_interrupt: bool = False) -> bytes | None:
        """Its answer (None if it died without one). With `forward_interrupt`, a first Ctrl-C
        is passed on to it (it decides when to stop); a second one kills it and is raised here."""
        interrupted = False
        try:
            while True:
                try:
                    return self.reader.message()
                except KeyboardInterrupt:
                    if interrupted or not forward_interrupt:
                        with contextlib.suppress(ProcessLookupError):
                            os.kill(self.pid, signal.SIGKILL)
                        raise
                    interrupted = True
                    os.kill(self.pid, signal.SIGINT)
        finally:
            os.close(self.reader.fd)
            _unreaped.add(self.pid)


def call(function: Callable[[], bytes]) -> Forked | Threaded:
    """Run `function` apart from this process's work; its bytes come back through `result`.

    Where children are forked (`starting.forking`), in a forked process, which waits for
    its own children once its answer is sent, so that none outlives it, without delaying
    the answer. Elsewhere, in a thread: what it starts is started afresh anyway.
    """
    if not starting.forking():
        return Threaded.start(function)

    def body(write_fd: int) -> None:
        write_frame(write_fd, function())
        os.close(write_fd)
        with contextlib.suppress(ChildProcessError):
            while True:
                os.waitpid(-1, 0)

    pid, read_fd = _fork(body, signal.SIGTERM)  # SIGTERM: it unwinds, and kills the learner children it runs
    return Forked(pid, FrameReader(read_fd))


_local = threading.local()


class Threaded:
    """`call`'s function in a thread of this process: the same `result` as `Forked`'s."""

    def __init__(self, function: Callable[[], bytes]) -> None:
        self.answer: bytes | None = None
        self.interrupt = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(function,), daemon=True)

    @classmethod
    def start(cls, function: Callable[[], bytes]) -> Threaded:
        threaded = cls(function)
        threaded.thread.start()
        return threaded

    def _run(self, function: Callable[[], bytes]) -> None:
        _local.interrupt = self.interrupt
        try:
            self.answer = function()
        except BaseException:  # noqa: BLE001 - the caller sees a missing answer, as from a dead process
            traceback.print_exc()

    def result(self, forward_interrupt: bool = False) -> bytes | None:
        """Its answer (None if it failed). With `forward_interrupt`, a first Ctrl-C is passed on to
        it (`interrupted`); a second one is raised here (the thread's children die with this process)."""
        while True:
            try:
                self.thread.join()
                return self.answer
            except KeyboardInterrupt:
                if self.interrupt.is_set() or not forward_interrupt:
                    raise
                self.interrupt.set()


def interrupted() -> Callable[[], bool]:
    """For a function run by `call`: a test of whether its caller has forwarded a Ctrl-C since."""
    event = getattr(_local, "interrupt", None)
    if event is None:  # a forked process: the caller forwards SIGINT to it
        event = threading.Event()
        signal.signal(signal.SIGINT, lambda *_: event.set())
    return event.is_set


def run_in_child(body: Callable[[], None]) -> int:
    """Fork a process that runs `body()` and exits, sharing this one's pipes (the sandboxed
    worker's learner process): its pid, for the caller to wait for."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            die_with_parent()
            body()
        except BaseException:  # noqa: BLE001 - its parent sees its exit status
            traceback.print_exc()
            os._exit(1)
        finally:
            os._exit(0)
    return pid


def reap_finished() -> None:
    """Collect the children that have exited since (never blocks)."""
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.discard(pid)


def reap(pid: int) -> int:
    """Wait for `pid` (killed already, or about to exit); its wait status."""
    deadline = time.monotonic() + KILL_GRACE
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.001)
