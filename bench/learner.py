"""The learner loop: cold `run` against a bare torch import, watch latency, a whole `make grade`.

Everything runs in a temporary copy of the course (the commands write
results.json there), as fresh processes, the way a learner starts them.
Repetitions are interleaved, so a slow moment of a shared machine hits every
series alike; medians are reported. BENCH_REPEAT sets the repetitions (default 5).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from run import Report  # bench/run.py, which loads this section

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = "ex02_autograd"
CONTEXT_EXERCISE = "ex01_tensors"  # no torch.optim in its checks
COURSE_FILES = ("catalog.toml", "conftest.py", "pyproject.toml")
COURSE_FOLDERS = ("tests", "solutions", "exercises", "data", "goldens")
PAUSE = 1.0  # seconds between saves: a learner types in between, and the last verdict's processes finish exiting
ENV = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}

# What a cold `run` spends its time on, measured phase by phase in one fresh process.
PHASES = """
import json, sys, time
from pathlib import Path
marks = [("start", time.perf_counter())]
import torch
marks.append(("import torch", time.perf_counter()))
from grader.core.course import Course
from grader.learner import terminal
from grader.learner.standing import Standing
marks.append(("import the grader", time.perf_counter()))
standing = Standing(Course(Path.cwd()))
runner = standing.runner
runs = runner.select(sys.argv[1])
marks.append(("load the suite", time.perf_counter()))
runner.session.prepare(runs)
marks.append(("reference observations (parent)", time.perf_counter()))
submission = standing.grade(sys.argv[1])
marks.append((f"{len(runs)} checks in forked children (and results.json)", time.perf_counter()))
terminal.render(submission, details=True)
marks.append(("render", time.perf_counter()))
print(json.dumps({name: round(t - marks[i][1], 3) for i, (name, t) in enumerate(marks[1:])}))
"""


def repeat() -> int:
    return int(os.environ.get("BENCH_REPEAT", "5"))


def course_copy(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in COURSE_FILES:
        shutil.copy(ROOT / name, folder / name)
    for name in COURSE_FOLDERS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def solve(course: Path, exercise: str) -> Path:
    path = course / "exercises" / f"{exercise}.py"
    shutil.copy(course / "solutions" / f"{exercise}.py", path)
    return path


def seconds(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock seconds, and CPU seconds of the process and the children it waited for."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def phases(course: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", PHASES, EXERCISE], cwd=course, env=ENV, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def student_release(folder: Path) -> Path:
    """What learners get: no solutions, goldens for the references (`make release`)."""
    subprocess.run([sys.executable, "-m", "grader", "release", "--out", str(folder)], cwd=ROOT, env=ENV, capture_output=True, check=True)
    return folder


def cold_run(report: Report, folder: Path) -> None:
    stub, solved = course_copy(folder / "stub"), course_copy(folder / "solved")
    solve(solved, EXERCISE)
    solve(solved, CONTEXT_EXERCISE)
    release_stub, release_solved = student_release(folder / "release-stub"), student_release(folder / "release-solved")
    shutil.copy(ROOT / "solutions" / f"{EXERCISE}.py", release_solved / "exercises" / f"{EXERCISE}.py")
    run = [sys.executable, "-m", "grader", "run"]
    commands = {
        "bare": ([sys.executable, "-c", "import torch"], ROOT),
        "stub": ([*run, EXERCISE], stub),
        "solved": ([*run, EXERCISE], solved),
        "dynamo": ([sys.executable, "-c", "import torch, torch._dynamo"], ROOT),
        "context": ([*run, CONTEXT_EXERCISE], solved),
        "release stub": ([*run, EXERCISE], release_stub),
        "release solved": ([*run, EXERCISE], release_solved),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(repeat()):  # interleaved: a busy moment hits every series alike
        for name, (command, cwd) in commands.items():
            times[name].append(seconds(command, cwd))
    wall = {name: statistics.median(t[0] for t in series) for name, series in times.items()}
    cpu = {name: statistics.median(t[1] for t in series) for name, series in times.items()}
    report.figure('bare python -c "import torch"', wall["bare"], "s")
    breakdown = phases(solved)
    note = (
        "phases of a cold run (solved): "
        + ", ".join(f"{name} {value:.2f} s" for name, value in breakdown.items())
        + f"; the reference run imports torch._dynamo (+{wall['dynamo'] - wall['bare']:.2f} s over a bare import): "
        f"torch.optim (used by {EXERCISE}'s checks) loads it on first use"
    )
    for kind in ("stub", "solved"):
        name = f"cold `run {EXERCISE}` overhead over bare import torch ({kind})"
        cpu_note = f"CPU time over the bare import: {cpu[kind] - cpu['bare']:.2f} s"
        if kind == "solved":
            cpu_note += "; " + note
        report.figure(name, wall[kind] - wall["bare"], "s", "<= 0.5", cpu_note)
    for kind in ("stub", "solved"):  # references from goldens: torch._dynamo only where the learner's code steps
        name = f"cold `run {EXERCISE}` overhead in the student release ({kind})"
        note = f"CPU time over the bare import: {cpu['release ' + kind] - cpu['bare']:.2f} s"
        report.figure(name, wall["release " + kind] - wall["bare"], "s", "<= 0.5", note)
    report.figure("  context: import torch + torch._dynamo, over bare import torch", wall["dynamo"] - wall["bare"], "s")
    name = f"  context: cold `run {CONTEXT_EXERCISE}` overhead (solved; no torch.optim)"
    report.figure(name, wall["context"] - wall["bare"], "s", note=f"CPU time: {cpu['context'] - cpu['bare']:.2f} s")


class WatchProcess:
    """`python -m grader watch` in a course copy, its output read line by line with arrival times."""

    def __init__(self, course: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader", "watch"], cwd=course, env=ENV, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put((time.perf_counter(), line))

    def until(self, text: str, bound: float = 120.0) -> tuple[float, str]:
        deadline = time.perf_counter() + bound
        while time.perf_counter() < deadline:
            try:
                arrived, line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            if text in line:
                return arrived, line
        raise TimeoutError(f"watch printed no {text!r} within {bound} s")

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def watch_latency(report: Report, folder: Path) -> None:
    from grader.learner import watch as watching

    course = course_copy(folder / "watch")
    solve(course, "ex01_tensors")  # so that watch works on ex02, as a learner there would
    target = course / "exercises" / f"{EXERCISE}.py"
    solution = (course / "solutions" / f"{EXERCISE}.py").read_text()
    stub = target.read_text()
    watcher = WatchProcess(course)
    try:
        watcher.until(watching.READY)
        latencies: dict[str, list[float]] = {"solved": [], "stub": []}
        inside: dict[str, list[float]] = {"solved": [], "stub": []}
        for number in range(repeat() + 1):
            for kind, text in (("solved", solution), ("stub", stub)):
                time.sleep(PAUSE)
                target.write_text(f"{text}\n# save {number}\n")
                saved = time.perf_counter()
                arrived, line = watcher.until(watching.GRADED)
                watcher.until(watching.READY)
                if number:  # the first round only warms the caches
                    latencies[kind].append(arrived - saved)
                    inside[kind].append(float(line.split()[-2]))
    finally:
        watcher.close()
    for kind, values in latencies.items():
        grading = statistics.median(inside[kind])
        note = f"median of {len(values)} saves; grading itself {grading:.3f} s, the rest is the file event and output"
        name = f"watch: save of {EXERCISE} ({kind}) to verdict printed"
        report.figure(name, statistics.median(values), "s", "<= 0.3", note)


def whole_grade(report: Report, folder: Path) -> None:
    course = course_copy(folder / "grade")
    elapsed, cpu = seconds([sys.executable, "-m", "grader", "grade"], course)
    name = "whole `make grade` (python -m grader grade, stubs, 1 process)"
    exercises = len(list((course / "exercises").glob("ex*.py")))
    report.figure(name, elapsed, "s", "< 15", f"CPU time {cpu:.1f} s, {exercises} exercises")


def main(report: Report) -> None:
    loads = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="torchdrill-bench-") as scratch:
        folder = Path(scratch)
        cold_run(report, folder)
        watch_latency(report, folder)
        whole_grade(report, folder)
    loads.append(os.getloadavg()[0])
    cpus = len(os.sched_getaffinity(0))
    shown = ", ".join(f"{load:.1f}" for load in loads)
    note = f"1-minute load average at the start and end ({shown}) on {cpus} CPUs: a higher load inflates every figure"
    report.figure("  context: machine load average during the learner section", max(loads), "", note=note)
