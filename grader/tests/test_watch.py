"""`watch`: its frames and keys with a fake screen and fake keys, the terminal's keys through a
pseudo-terminal, and end to end: save a file, read the verdict from the running process.

The end-to-end watcher runs as a learner runs it (`python -m grader watch` in the course,
its standard input a pseudo-terminal), in a copy of the course with two exercises. Bounds are
generous: these are shared 2-core machines; `make bench` measures the real latency.
"""

from __future__ import annotations

import io
import os
import queue
import shutil
import signal
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.core import state as progress
from grader.core.course import Course
from grader.learner import watch as watching
from grader.learner.screen import TerminalKeys, TerminalScreen
from grader.tests.test_learner_cli import EX01, FIRST_STUB, trim_catalog

BOUND = 20.0
# `python -m grader watch`, with Ctrl-C restored: a test runner may ignore SIGINT, and children inherit that.
WATCH = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = ['grader', 'watch']; runpy.run_module('grader', run_name='__main__')"
)  # seconds from a save (or the start) to the line we wait for


class Watch:
    """A running `python -m grader watch`, with its output read line by line; keys go to `press`."""

    def __init__(self, course: Path) -> None:
        self.terminal, keyboard = os.openpty()  # its standard input: a terminal of its own, never ours
        self.process = subprocess.Popen(
            [sys.executable, "-c", WATCH],
            cwd=course,
            stdin=keyboard,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "COLUMNS": "120"},
        )
        self.keyboard = keyboard
        self.cooked = termios.tcgetattr(keyboard)
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

    def press(self, keys: str) -> None:
        os.write(self.terminal, keys.encode())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        code = self.process.wait(timeout=30)
        os.close(self.terminal)
        os.close(self.keyboard)
        return code


@pytest.fixture
def watch(course_copy: Path):
    trim_catalog(course_copy, 2)
    running = Watch(course_copy)
    yield running
    running.stop()


@pytest.mark.slow
def test_watch_grades_each_save_moves_on_survives_a_syntax_error_and_stops_on_ctrl_c(watch, course_copy):
    start = "".join(watch.wait_for(watching.READY, bound=60))  # torch import and first grading
    assert f"Working on ex01_tensors (0/{EX01.checks} checks pass)" in start and watching.KEYS in start
    assert termios.tcgetattr(watch.keyboard)[3] & termios.ICANON == 0  # keys arrive without Enter
    exercises = course_copy / "exercises"

    shutil.copy(course_copy / "solutions" / "ex01_tensors.py", exercises / "ex01_tensors.py")
    verdict = "".join(watch.wait_for(watching.READY))
    assert "ex01_tensors saved" in verdict and "ex01_tensors is done" in verdict
    assert "Next: ex02_autograd" in verdict

    (exercises / "ex02_autograd.py").write_text("def double_square_grad(x:\n")
    verdict = "".join(watch.wait_for(watching.READY))
    assert "ex02_autograd saved" in verdict and verdict.count("SyntaxError") == 1  # once, not once per check
    assert watch.process.poll() is None  # still watching

    watch.press("l")
    listed = "".join(watch.wait_for(watching.READY))
    assert "torchdrill exercises" in listed and "1/2 exercises done" in listed

    (exercises / ".backup").mkdir()
    (exercises / ".backup" / "ex02_autograd.1.py").write_text("x = 1\n")  # not an exercise: ignored
    (exercises / "ex02_autograd.py").write_text((course_copy / "solutions" / "ex02_autograd.py").read_text())
    verdict = "".join(watch.wait_for(watching.READY))
    assert "ex02_autograd is done" in verdict and "Every exercise is done" in verdict
    assert ".backup" not in verdict

    watch.process.send_signal(signal.SIGINT)
    assert "Stopped watching." in "".join(watch.wait_for("Stopped watching."))
    assert watch.process.wait(timeout=BOUND) == 0
    assert termios.tcgetattr(watch.keyboard) == watch.cooked  # the terminal as it was


# --- frames and keys, without a terminal ----------------------------------------------


class FakeScreen:
    """Frames as strings: `frame()` starts a new one."""

    def __init__(self) -> None:
        self.frames = [""]

    def frame(self) -> None:
        self.frames.append("")

    def write(self, text: str) -> None:
        self.frames[-1] += text

    @property
    def last(self) -> str:
        return self.frames[-1]


class FakeKeys:
    """Each call to `pressed` answers the next string of `presses` (then nothing)."""

    available = True

    def __init__(self, *presses: str) -> None:
        self.presses = list(presses)

    def pressed(self) -> str:
        return self.presses.pop(0) if self.presses else ""


def idle_then(*batches: set) -> Iterator[set]:
    """watchfiles' events: idle (the watch is in place), then `batches`."""
    yield set()
    yield from batches


@pytest.fixture
def watcher(course_copy: Path) -> tuple[watching.Watcher, FakeScreen]:
    trim_catalog(course_copy, 2)
    screen = FakeScreen()
    return watching.Watcher(Course(course_copy), screen, color=False, keys=True), screen


def save(path: Path, text: str) -> set[tuple[int, str]]:
    path.write_text(text)
    return {(2, str(path))}  # as watchfiles reports a modified file


def test_each_verdict_is_a_frame_whose_first_failure_is_at_the_top(watcher, course_copy):
    watcher, screen = watcher
    watcher.start()
    assert f"Working on ex01_tensors (0/{EX01.checks} checks pass)" in screen.last
    path = course_copy / "exercises" / "ex01_tensors.py"
    wrong = path.read_text().replace(FIRST_STUB, "    return torch.tensor(values)\n")  # int64

    watching.react(watcher, idle_then(save(path, wrong)), FakeKeys())
    frame = screen.last
    assert frame.startswith("── ") and "ex01_tensors saved" in frame.splitlines()[0]
    lines = frame.splitlines()
    failure = next(i for i, line in enumerate(lines) if "✗ tensor_from_nested_list" in line)
    assert failure == 2 and "int64" in lines[failure + 1]  # under the exercise's title, with its message
    assert "still raises NotImplementedError" not in frame  # the stubs after it: one line each
    assert frame.count("not started") == 15 and "torchdrill score" not in frame
    assert "Stuck? press h for a hint" in frame and frame.rstrip().endswith(watching.KEYS)

    watching.react(watcher, idle_then(save(path, "def tensor_from_list(values:\n")), FakeKeys())
    frame = screen.last
    assert frame.count("SyntaxError") == 1 and f"every check ({EX01.checks})  error" in frame


def test_keys_hint_list_next_rerun_and_quit(watcher, course_copy):
    watcher, screen = watcher
    watcher.start()
    path = course_copy / "exercises" / "ex01_tensors.py"
    wrong = path.read_text().replace(FIRST_STUB, "    return torch.tensor(values)\n")
    watching.react(watcher, idle_then(save(path, wrong)), FakeKeys("", "h"))
    frame = screen.last  # the hint is added under the verdict, whose failure stays in view
    assert "✗ tensor_from_nested_list" in frame and "tensor_from_list · hint 1 of 3" in frame
    assert "2 more levels: press h again" in frame
    assert progress.load(Course(course_copy)).levels_seen("ex01_tensors", "tensor_from_list") == 1

    frames = len(screen.frames)
    events = iter([set(), set(), set()])
    watching.react(watcher, events, FakeKeys("lnrzq", "h"))
    assert list(events) == [set(), set()]  # q: no event read after it (nor the h after it pressed)
    listed, following, again = screen.frames[frames:]  # one frame per key; z is no key: nothing
    assert "torchdrill exercises" in listed and "0/2 exercises done" in listed
    assert "ex02_autograd next exercise" in following and "double_square_grad_at_arange" in following
    assert "ex02_autograd graded again" in again and watching.GRADED in again
    assert watcher.current == "ex02_autograd"


def test_a_done_exercise_moves_the_keys_on_and_the_end_says_so(watcher, course_copy):
    watcher, screen = watcher
    for name in ("ex01_tensors", "ex02_autograd"):
        shutil.copy(course_copy / "solutions" / f"{name}.py", course_copy / "exercises" / f"{name}.py")
    watcher.start()
    assert "Every exercise is done" in screen.last and watcher.current == ""
    watcher.key("h")
    assert watching.ALL_DONE in screen.last
    watcher.key("n")
    assert "Every exercise is done" in screen.last
    assert watcher.key("Q") is False


def test_without_keys_the_frames_say_how_to_stop_and_a_non_terminal_gives_no_keys(course_copy, tmp_path):
    trim_catalog(course_copy, 2)
    screen = FakeScreen()
    watcher = watching.Watcher(Course(course_copy), screen, color=False, keys=False)
    watcher.announce()
    assert watching.STOP in screen.last and watching.KEYS not in screen.last
    with (tmp_path / "input").open("w+") as file, TerminalKeys(file) as keys:
        assert not keys.available and keys.pressed() == ""
    assert not TerminalKeys(io.StringIO()).available  # no descriptor at all


def test_terminal_keys_arrive_without_enter_and_the_terminal_is_restored():
    terminal, keyboard = os.openpty()
    try:
        with os.fdopen(keyboard, "r", closefd=False) as stream:
            before = termios.tcgetattr(keyboard)
            with TerminalKeys(stream) as keys:
                assert keys.available and keys.pressed() == ""
                os.write(terminal, b"hq")
                assert keys.pressed() == "hq"  # no newline was typed
            assert termios.tcgetattr(keyboard) == before
            screen = TerminalScreen(stream)  # a terminal: cleared per frame
            assert screen.clears or os.environ.get("TERM") == "dumb"
    finally:
        os.close(terminal)
        os.close(keyboard)
    piped = io.StringIO()
    TerminalScreen(piped).frame()
    assert piped.getvalue() == "\n"  # a pipe or a log: frames one after the other
