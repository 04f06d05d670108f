"""`watch` end to end: save a file, read the verdict from the running process.

The watcher runs as a learner runs it (`python -m grader watch` in the course),
in a copy of the course with two exercises. Bounds are generous: these are
shared 2-core machines; `make bench` measures the real latency.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.learner import watch as watching
from grader.tests.test_learner_cli import trim_catalog

BOUND = 20.0
# `python -m grader watch`, with Ctrl-C restored: a test runner may ignore SIGINT, and children inherit that.
WATCH = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = ['grader', 'watch']; runpy.run_module('grader', run_name='__main__')"
)  # seconds from a save (or the start) to the line we wait for


class Watch:
    """A running `python -m grader watch`, with its output read line by line."""

    def __init__(self, course: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WATCH],
            cwd=course,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "120"},
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, bound: float = BOUND) -> list[str]:
        """Lines read until one contains `text`; fails after `bound` seconds."""
        deadline = time.monotonic() + bound
        read: list[str] = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            read.append(line)
            self.seen.append(line)
            if text in line:
                return read
        pytest.fail(f"no {text!r} within {bound} s; output so far:\n{''.join(self.seen)}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(timeout=30)


@pytest.fixture
def watch(course_copy: Path):
    trim_catalog(course_copy, 2)
    running = Watch(course_copy)
    yield running
    running.stop()


@pytest.mark.slow
def test_watch_grades_each_save_moves_on_survives_a_syntax_error_and_stops_on_ctrl_c(watch, course_copy):
    start = "".join(watch.wait_for(watching.READY, bound=60))  # torch import and first grading
    assert "Working on ex01_tensors (0/14 checks pass)" in start and "Ctrl-C to stop" in start
    exercises = course_copy / "exercises"

    shutil.copy(course_copy / "solutions" / "ex01_tensors.py", exercises / "ex01_tensors.py")
    verdict = "".join(watch.wait_for(watching.READY))
    assert "ex01_tensors saved" in verdict and "ex01_tensors is done" in verdict
    assert "Next: ex02_autograd" in verdict

    (exercises / "ex02_autograd.py").write_text("def double_square_grad(x:\n")
    verdict = "".join(watch.wait_for(watching.READY))
    assert "ex02_autograd saved" in verdict and "SyntaxError" in verdict
    assert watch.process.poll() is None  # still watching

    (exercises / ".backup").mkdir()
    (exercises / ".backup" / "ex02_autograd.1.py").write_text("x = 1\n")  # not an exercise: ignored
    (exercises / "ex02_autograd.py").write_text((course_copy / "solutions" / "ex02_autograd.py").read_text())
    verdict = "".join(watch.wait_for(watching.READY))
    assert "ex02_autograd is done" in verdict and "Every exercise is done" in verdict
    assert ".backup" not in verdict

    watch.process.send_signal(signal.SIGINT)
    assert "Stopped watching." in "".join(watch.wait_for("Stopped watching."))
    assert watch.process.wait(timeout=BOUND) == 0
