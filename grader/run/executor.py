"""Executors: where learner code runs, behind one `run_many(requests, deadline)`.

Every door grades through a `Session` (`grader.core.session`), which hands plain
`ProbeRequest`s to an executor (`grader.core.session.Executor`) and gets
`ProbeOutcome`s back:

- `ForkExecutor`: children forked from this warm process (torch already imported),
  or, where fork is unavailable or unsafe, started by `grader.run.spawned`.
  The requests on one file share a child, each importing the file afresh; a request
  whose child dies or hangs after others ran in it runs again, first, in a fresh
  child, so outcomes are those of one child per check (`batch=False` gives exactly
  that, for comparison).
- `ParallelExecutor`: shares of the requests, interleaved, graded by forked copies
  of this trusted process, each through a `ForkExecutor`; raw runs come back and
  are decoded here.
- the sandboxed worker (`grader.classroom.client.Worker`), for untrusted classes.

A request that `deadline` leaves no time for gets None.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import struct
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from pathlib import Path

from grader.core.suites import Registry
from grader.core.wire import (
    HEADER_LIMIT,
    LENGTH,
    OutcomeKind,
    Phase,
    ProbeOutcome,
    ProbeRequest,
    RawRun,
    Stop,
    outcome,
    pack_run,
    split,
    too_large,
    unpack_run,
    write_frame,
)
from grader.run import child, devices, fork, spawned, starting

Outcomes = list[ProbeOutcome | None]


def missing(request: ProbeRequest, where: str) -> ProbeOutcome:
    name = Path(request.path).name
    return ProbeOutcome(OutcomeKind.MISSING, detail=f"{name} was not found in {where}")


class ForkExecutor:
    """Learner code in children forked from this process (see the module docstring)."""

    def __init__(
        self,
        registry: Registry,
        prepare: child.Prepare | None = None,
        batch: bool = True,
        backstop: Callable[[float], float] | None = None,
        start: str | None = None,
    ) -> None:
        self.registry = registry
        self.prepare = prepare
        self.batch = batch
        self.backstop = backstop or wall_backstop
        self.start = start or starting.start_method()  # how its children start (`grader.run.starting`)

    def unusable(self, device: str) -> str:
        return devices.unusable(device)

    def run_many(self, requests: Sequence[ProbeRequest], deadline: float | None = None) -> Outcomes:
        outcomes: Outcomes = []
        for path, group in itertools.groupby(requests, key=lambda request: request.path):
            group = list(group)
            if deadline is not None and time.monotonic() >= deadline:
                outcomes += [None] * len(group)
            elif not Path(path).is_file():
                outcomes += [missing(request, str(Path(path).parent)) for request in group]
            else:
                outcomes += [outcome(raw, r.timeout) for r, raw in zip(group, self.execute(group), strict=True)]
        return outcomes

    def execute(self, requests: Sequence[ProbeRequest]) -> Iterator[RawRun]:
        """The undecoded run of each request, in order (consecutive requests on one file share a child)."""
        for _, group in itertools.groupby(requests, key=lambda request: request.path):
            group = list(group)
            if not self.batch:
                for request in group:
                    yield from self._runs([request])
            else:
                yield from self._runs(group)

    def _start(self, requests: list[ProbeRequest]) -> contextlib.AbstractContextManager[fork.Running]:
        """A child serving `requests`: forked from this process, or started as this machine allows."""
        if self.start != "fork":
            return spawned.Spawned.start(self.start, requests, self.registry, self.prepare)

        def serve(write_fd: int, output_fd: int) -> None:
            child.serve(requests, self.registry, self.prepare, functools.partial(write_frame, write_fd), output_fd, write_fd)

        return fork.Child.fork(serve)

    def _runs(self, requests: list[ProbeRequest]) -> Iterator[RawRun]:
        """One child for as many as go well. One exception to "a failure runs again alone", so
        that an endless loop does not cost its time twice: a timeout in a child with no thread but
        its main one is final, since nothing of the earlier checks was left running there to slow
        it down (their processes are killed)."""
        start = 0
        while start < len(requests):
            start = yield from self._batch(requests, start)

    def _batch(self, requests: list[ProbeRequest], start: int) -> Generator[RawRun, None, int]:
        """Run requests[start:] in one child; returns where the next child must start.

        The child's first frame is its import of the learner's file: where that fails (an
        exception, an exit, a hang, a crash), every request of the batch gets that outcome.
        """
        rest = requests[start:]
        name = Path(rest[0].path).name
        with self._start(rest) as running:
            clock = _Clock(running, self.backstop)
            running.frames.limit = HEADER_LIMIT + child.POSITION.size
            data, whole, stop = clock.wait(rest[0].timeout)
            imported = whole and child.POSITION.size <= len(data) and _kind(data) is OutcomeKind.IMPORTED
            if not imported:
                status = running.stop(wait=True) if not whole else 0
                frame = data[child.POSITION.size :] if whole else data
                output = running.printed(0, None)
                for _ in rest:
                    yield RawRun(frame, status, stop, output, clock.elapsed(), Phase.IMPORT, name)
                return len(requests)
            shown = clock.mark(data)
            for index in range(start, len(requests)):
                running.frames.limit = requests[index].max_bytes + child.POSITION.size
                data, whole, stop = clock.wait(requests[index].timeout)
                if running.frames.oversized:
                    running.stop(wait=True)
                    yield RawRun(too_large(running.frames.oversized, requests[index].max_bytes), 0, Stop.NONE, running.printed(shown, None), clock.elapsed())
                    return index + 1
                if whole and len(data) >= child.POSITION.size:
                    duration = clock.elapsed()
                    printed_to = clock.mark(data)
                    yield RawRun(data[child.POSITION.size :], 0, Stop.NONE, running.printed(shown, printed_to), duration)
                    shown = max(shown, printed_to)
                elif index > start and not (stop and running.threads() == 1):
                    return index
                else:
                    status = running.stop(wait=True)
                    yield RawRun(data, status, stop, running.printed(shown, None), clock.elapsed())
                    return index + 1
            return len(requests)


def wall_backstop(cpu_budget: float) -> float:
    """Seconds of wall clock a run may take, whatever its CPU: only for what sleeps or blocks.

    A time limit counts CPU time, so that a loaded machine (every core busy) slows a run
    down without failing it; this backstop is generous for the same reason.
    """
    return 3 * cpu_budget + 30


class _Clock:
    """The time of the thing the child runs now: its CPU (the limit) and its wall clock (the backstop)."""

    POLL_FIRST, POLL_MOST = 0.02, 0.25  # seconds between looks at the child's CPU: often at first

    def __init__(self, running: fork.Running, backstop: Callable[[float], float]) -> None:
        self.running = running
        self.backstop = backstop
        self.started = time.monotonic()
        self.cpu_at_start: float | None = running.cpu_base  # None: not read yet for what runs now

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def mark(self, data: bytes) -> int:
        """A frame arrived: the next thing starts now. Returns where the child's output stood.

        Most checks answer within the first poll; their CPU is never read (a read scans the
        child's processes). A slower one's starting CPU is read at the first poll, less the
        wall time since it started: at most a poll's worth of CPU in the learner's favour.
        """
        self.started = time.monotonic()
        self.cpu_at_start = None
        return child.POSITION.unpack_from(data)[0]

    def wait(self, cpu_budget: float) -> tuple[bytes, bool, Stop]:
        """The next frame, or what came of it before the pipe closed, the CPU ran out or the backstop passed."""
        backstop = self.started + self.backstop(cpu_budget)
        poll = self.POLL_FIRST
        while True:
            data, whole, late = self.running.frames.next(min(backstop, time.monotonic() + poll))
            if whole or not late:
                return data, whole, Stop.NONE
            if time.monotonic() >= backstop:
                return data, False, Stop.WALL
            used = self.running.cpu_seconds()
            if self.cpu_at_start is None:
                self.cpu_at_start = used - self.elapsed()
            if used - self.cpu_at_start >= cpu_budget:
                return data, False, Stop.CPU
            poll = min(poll * 1.5, self.POLL_MOST)


def _kind(data: bytes) -> OutcomeKind | None:
    """The kind a frame declares (read from its header alone), or None if it cannot be read."""
    try:
        header, _ = split(data[child.POSITION.size :])
        return OutcomeKind(header["kind"])
    except (ValueError, KeyError, TypeError):
        return None


class ParallelExecutor:
    """`jobs` interleaved shares, each graded by a forked copy of this trusted process.

    A share's process never loads learner code itself (its children do); its raw runs
    come back and are decoded here. A share whose process fails is graded here instead.
    """

    def __init__(self, inner: ForkExecutor, jobs: int) -> None:
        self.inner = inner
        self.jobs = max(1, jobs)

    def unusable(self, device: str) -> str:
        return self.inner.unusable(device)

    def run_many(self, requests: Sequence[ProbeRequest], deadline: float | None = None) -> Outcomes:
        places = list(range(len(requests)))
        shares = [places[k :: self.jobs] for k in range(min(self.jobs, len(requests)))]
        if len(shares) <= 1:
            return self.inner.run_many(requests, deadline)
        others = [fork.call(lambda share=share: self._raw_share([requests[i] for i in share], deadline)) for share in shares[1:]]
        results = dict(zip(shares[0], self.inner.run_many([requests[i] for i in shares[0]], deadline)))
        for share, forked in zip(shares[1:], others):
            mine = [requests[i] for i in share]
            answer = forked.result()
            raws = _unpack_runs(answer) if answer is not None else None
            if raws is None or len(raws) != len(mine):
                results.update(zip(share, self.inner.run_many(mine, deadline)))
            else:
                results.update(zip(share, (None if raw is None else _decoded(r, raw) for r, raw in zip(mine, raws))))
        return [results[i] for i in places]

    def _raw_share(self, requests: list[ProbeRequest], deadline: float | None) -> bytes:
        """In the share's process: every request's raw run (or missing, or out of time), packed."""
        packed = []
        for path, group in itertools.groupby(requests, key=lambda request: request.path):
            group = list(group)
            if (deadline is not None and time.monotonic() >= deadline) or not Path(path).is_file():
                packed += [b""] * len(group)  # decided again in the parent
            else:
                packed += [pack_run(raw) for raw in self.inner.execute(group)]
        return b"".join(LENGTH.pack(len(p)) + p for p in packed)


def _decoded(request: ProbeRequest, raw: RawRun | bytes) -> ProbeOutcome | None:
    if isinstance(raw, RawRun):
        return outcome(raw, request.timeout)
    if not Path(request.path).is_file():
        return missing(request, str(Path(request.path).parent))
    return None  # the deadline had passed


def _unpack_runs(payload: bytes) -> list[RawRun | bytes] | None:
    runs: list[RawRun | bytes] = []
    at = 0
    try:
        while at < len(payload):
            (size,) = LENGTH.unpack_from(payload, at)
            body = payload[at + LENGTH.size : at + LENGTH.size + size]
            runs.append(unpack_run(body, fork.OUTPUT_LIMIT) if body else b"")
            at += LENGTH.size + size
    except (ValueError, KeyError, TypeError, struct.error):
        return None
    return runs
