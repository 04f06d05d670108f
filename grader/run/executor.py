"""Executors: where learner code runs, behind one `run_many(requests, deadline)`.

Every door grades through a `Session` (`grader.core.session`), which hands plain
`ProbeRequest`s to an executor (`grader.core.session.Executor`) and gets
`ProbeOutcome`s back:

- `ForkExecutor`: children forked from this warm process (torch already imported).
  The requests on one file share a child, each importing the file afresh; a request
  whose child dies or hangs after others ran in it runs again, first, in a fresh
  child, so outcomes are those of one child per check (`batch=False` gives exactly
  that, for comparison).
- `ParallelExecutor`: shares of the requests, interleaved, graded by forked copies
  of this trusted process, each through a `ForkExecutor`; raw runs come back and
  are decoded here.
- the sandboxed worker (`grader.classroom.sandbox.Worker`), for untrusted classes.

A request that `deadline` leaves no time for gets None.
"""

from __future__ import annotations

import itertools
import struct
import time
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

from grader.core.suites import Registry
from grader.core.wire import LENGTH, OutcomeKind, ProbeOutcome, ProbeRequest, RawRun, outcome, pack_run, unpack_run
from grader.run import child, devices, fork

Outcomes = list[ProbeOutcome | None]


def missing(request: ProbeRequest, where: str) -> ProbeOutcome:
    name = Path(request.path).name
    return ProbeOutcome(OutcomeKind.MISSING, detail=f"{name} was not found in {where}")


class ForkExecutor:
    """Learner code in children forked from this process (see the module docstring)."""

    def __init__(self, registry: Registry, prepare: child.Prepare | None = None, batch: bool = True) -> None:
        self.registry = registry
        self.prepare = prepare
        self.batch = batch

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

    def _runs(self, requests: list[ProbeRequest]) -> Iterator[RawRun]:
        """One child for as many as go well. One exception to "a failure runs again alone", so
        that an endless loop does not cost its time twice: a timeout in a child with no thread but
        its main one is final, since nothing of the earlier checks was left running there to slow
        it down (their processes are killed)."""
        start = 0
        while start < len(requests):
            start = yield from self._batch(requests, start)

    def _batch(self, requests: list[ProbeRequest], start: int) -> Generator[RawRun, None, int]:
        """Run requests[start:] in one child; returns where the next child must start."""
        began = time.monotonic()
        rest = requests[start:]
        with fork.Child.fork(lambda write_fd, output_fd: child.serve(rest, self.registry, self.prepare, write_fd, output_fd)) as running:
            shown = 0
            for index in range(start, len(requests)):
                data, whole, timed_out = running.frames.next(began + requests[index].timeout)
                if whole and len(data) >= child.POSITION.size:
                    (printed_to,) = child.POSITION.unpack_from(data)
                    now = time.monotonic()
                    yield RawRun(data[child.POSITION.size :], 0, False, running.printed(shown, printed_to), now - began)
                    shown, began = max(shown, printed_to), now
                elif index > start and not (timed_out and running.threads() == 1):
                    return index
                else:
                    status = running.stop(wait=True)
                    yield RawRun(data, status, timed_out, running.printed(shown, None), time.monotonic() - began)
                    return index + 1
            return len(requests)


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
            runs.append(unpack_run(body) if body else b"")
            at += LENGTH.size + size
    except (ValueError, KeyError, TypeError, struct.error):
        return None
    return runs
