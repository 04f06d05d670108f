"""The trusted side's handle on a sandboxed worker (`grader.classroom.worker`), and the protocol to it.

A `Worker` is an executor (`grader.core.session.Executor`): a `Session` grades
through it exactly as through the local `ForkExecutor`. Per learner:

    begin   the worker forks a fresh learner process from its clean zygote ("begun")
    probes  requests in, raw runs out, each decoded here within bounds (`wire.outcome`)
    end     the learner process kills what is left and exits; the zygote empties
            /tmp and /dev/shm and says "ended"

The zygote never reads a learner's data, so no probe child can find another
learner's output, answers or seeds in the memory it was forked from. Anything
unexpected (a reply out of turn, a worker that stops answering) restarts the
whole worker.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from grader.classroom.sandbox import SUBMISSION, Layout, SandboxMode, worker_command
from grader.core import wire
from grader.core.wire import OutcomeKind, ProbeOutcome, ProbeRequest
from grader.run import devices, fork
from grader.run.executor import wall_backstop

REPLY_MARGIN = 15.0  # seconds a worker may take beyond a request's own limits before it is given up
START_TIMEOUT = 120.0
TURN_TIMEOUT = 30.0  # a begin or an end: no learner code runs in between


class WorkerDied(Exception):
    pass


class Worker:
    """One long-lived sandboxed worker process and the protocol to it."""

    def __init__(self, layout: Layout, mode: SandboxMode, warm: Sequence[str] = ()) -> None:
        self.layout = layout
        self.mode = mode
        self.warm = tuple(warm)  # modules the worker imports before its first learner
        self.process: subprocess.Popen[bytes] | None = None
        self.replies: wire.FrameReader | None = None
        self.serving = False  # a learner process is up
        self.starts = 0

    # -- lifecycle

    def command(self) -> tuple[list[str], dict[str, str], str]:
        """How this worker is started (`grader.classroom.sandbox`)."""
        return worker_command(self.layout, self.mode, self.warm)

    def start(self) -> None:
        command, env, cwd = self.command()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,  # replies are read unbuffered (`wire.FrameReader`)
            env=env,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=fork.die_with_parent,  # a grading process that dies takes its worker with it
        )
        assert self.process.stdout is not None
        self.replies = wire.FrameReader(self.process.stdout.fileno())
        self.serving = False
        self.starts += 1
        if self.replies.message(time.monotonic() + START_TIMEOUT) != b"ready":
            self.stop()
            raise WorkerDied("the sandboxed worker did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.process = None
        self.serving = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def begin(self) -> None:
        """A fresh learner process, forked from the clean zygote."""
        if self.serving:
            return
        self._turn({"op": "begin"}, b"begun")
        self.serving = True

    def end(self) -> None:
        """Between learners: nothing of the last one survives (processes, files, memory)."""
        if not self.serving:
            return
        self.serving = False
        try:
            self._turn({"op": "end"}, b"ended")
        except WorkerDied:
            self.restart()

    def _turn(self, request: dict, answer: bytes) -> None:
        self._send(request)
        assert self.replies is not None
        if self.replies.message(time.monotonic() + TURN_TIMEOUT) != answer:
            raise WorkerDied(f"no {answer.decode()}")

    # -- requests (the executor's side)

    def unusable(self, device: str) -> str:
        return devices.unusable(device)

    def run_many(self, requests: Sequence[ProbeRequest], deadline: float | None = None) -> list[ProbeOutcome | None]:
        """Each request's outcome, in order (those on one file share a child in the worker).

        None for the requests that `deadline` (the learner's time, `time.monotonic`) left no time for.
        """
        outcomes: list[ProbeOutcome | None] = []
        for path, group in itertools.groupby(requests, key=lambda request: request.path):
            group = list(group)
            done = 0
            while done < len(group):
                rest = group[done:]
                if deadline is not None and time.monotonic() >= deadline:  # no request the worker cannot finish
                    got: list[ProbeOutcome | None] = [None] * len(rest)
                elif not Path(path).is_file():
                    got = [ProbeOutcome(OutcomeKind.MISSING, detail=f"{Path(path).name} was not in the submission")] * len(rest)
                else:
                    got = self._request_probes(rest, deadline)
                outcomes += got
                done += len(got)
        return outcomes

    def _request_probes(self, requests: Sequence[ProbeRequest], deadline: float | None) -> list[ProbeOutcome | None]:
        """One request to the worker; it ends early, with a crashed outcome, where the worker stops answering."""
        inside = [replace(r, path=str(self.inside(Path(r.path)))) for r in requests]
        outcomes: list[ProbeOutcome | None] = []
        try:
            self.begin()
            self._send({"op": "probes", "requests": [r.to_dict() for r in inside]})
            assert self.replies is not None
            self.replies.limit = max(r.max_bytes for r in requests) + wire.HEADER_LIMIT + 4 * fork.OUTPUT_LIMIT
            for request in requests:
                # Its import and itself, each up to the backstop; twice where it runs again alone.
                wait = 4 * wall_backstop(request.timeout) + REPLY_MARGIN
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                payload = self.replies.message(time.monotonic() + wait) if wait > 0 else None
                if payload is None and deadline is not None and time.monotonic() >= deadline:
                    self.restart()
                    return outcomes + [None] * (len(requests) - len(outcomes))
                if payload is None:
                    raise WorkerDied("no reply")
                outcomes.append(wire.outcome(wire.unpack_run(payload, fork.OUTPUT_LIMIT), request.timeout))
        except (WorkerDied, ValueError, KeyError, TypeError, OverflowError):
            self.restart()
            detail = "the grader's worker stopped while running your code (did your code kill it?)"
            outcomes.append(ProbeOutcome(OutcomeKind.CRASHED, detail=detail))
        return outcomes

    def inside(self, path: Path) -> Path:
        """A path in the inbox, as the worker sees it."""
        if self.mode is SandboxMode.BWRAP:
            return SUBMISSION / path.relative_to(self.layout.inbox)
        return path

    def _send(self, request: dict) -> None:
        if self.process is None:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            wire.send(self.process.stdin, json.dumps(request).encode())
        except OSError as error:
            raise WorkerDied(str(error)) from error
