"""The portable path (macOS, Windows): children started afresh, no fork of the grader, no /proc.

Forced here on Linux (`TORCHDRILL_START`), so that every machine tests it: whatever
learner code does, the parent gets the outcome the fork path gives.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
import torch

from grader.core.checks import Check
from grader.core.course import Course
from grader.core.session import Target
from grader.core.suites import Registry
from grader.core.wire import ProbeRequest
from grader.learner.runner import Runner
from grader.run import fork, starting
from grader.run.executor import ForkExecutor

ROOT = Path(__file__).resolve().parents[2]
PORTABLE = ("forkserver", "spawn")


@pytest.fixture(params=PORTABLE)
def method(request, monkeypatch):
    monkeypatch.setenv(starting.START_ENV, request.param)
    return request.param


# Probes are plain functions at the top of a file: a child started afresh finds them there.
def calls_f(ex):
    return {"out": ex.f()}


def calls_g(ex):
    return {"out": ex.g()}


def big(ex):
    return {"out": torch.zeros(2**20)}


def learner(tmp_path: Path, source: str) -> Path:
    path = tmp_path / "exZ.py"
    path.write_text(textwrap.dedent(source))
    return path


def run(path: Path, probes=(calls_f,), timeout: float = 5.0, max_bytes: int | None = None):
    checks = [Check(probe, f"probe{i}", timeout=timeout, exercise=path.stem) for i, probe in enumerate(probes)]
    extra = {} if max_bytes is None else {"max_bytes": max_bytes}
    requests = [ProbeRequest(c.key, str(path), "cpu", 0, timeout, **extra) for c in checks]
    executor = ForkExecutor(Registry(checks))
    assert executor.start == os.environ[starting.START_ENV]
    return executor.run_many(requests)


def test_results_errors_and_exits_come_back_as_from_a_forked_child(tmp_path, method):
    source = """
        import sys
        def f():
            print("hello")
            return 41 + 1
        def g():
            raise ValueError("bad input")
    """
    outcomes = run(learner(tmp_path, source), (calls_f, calls_g, calls_f))
    assert [o.kind for o in outcomes] == ["observations", "raised", "observations"]
    assert outcomes[0].observations["out"] == 42 and outcomes[0].output == "hello\n"
    assert (outcomes[1].error.message, outcomes[1].error.location) == ("bad input", "exZ.py:7 in g")
    exits = run(learner(tmp_path, "import sys\ndef f():\n    sys.exit(3)\n"))
    assert exits[0].kind == "exit" and "sys.exit(3)" in exits[0].detail


@pytest.mark.parametrize(
    ("body", "says"),
    [("os._exit(0)", "os._exit"), ("os.kill(os.getpid(), signal.SIGSEGV)", "SIGSEGV")],
    ids=["os-exit", "segfault"],
)
def test_a_crash_is_named(tmp_path, method, body, says):
    outcome = run(learner(tmp_path, f"import os, signal\ndef f():\n    {body}\n"))[0]
    assert outcome.kind == "crashed" and says in outcome.detail


def test_an_endless_loop_is_stopped_on_its_cpu_time_not_the_start_up(tmp_path, method):
    """A fresh interpreter spends seconds of CPU importing torch: none of it is the learner's."""
    outcome = run(learner(tmp_path, "def f():\n    while True:\n        pass\n"), timeout=0.5)[0]
    assert outcome.kind == "timeout" and "0.5 s of CPU time" in outcome.detail
    quick = run(learner(tmp_path, "def f():\n    return 1\n"), timeout=0.3)[0]
    assert quick.kind == "observations"


def test_a_result_over_its_size_is_refused_unread(tmp_path, method):
    outcome = run(learner(tmp_path, "def f():\n    return 1\n"), (big,), max_bytes=2**16)[0]
    assert outcome.kind == "crashed" and "over the" in outcome.detail


def test_processes_learner_code_starts_end_with_its_check(tmp_path, method):
    pid_file = tmp_path / "pid"
    source = f"""
        import subprocess, sys
        def f():
            child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
            open({str(pid_file)!r}, "w").write(str(child.pid))
            return 1
    """
    assert run(learner(tmp_path, source))[0].kind == "observations"
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(grandchild):
        time.sleep(0.05)
    assert not _alive(grandchild), "a process started by learner code outlived its check"


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_course_exercise_gets_the_verdicts_of_the_fork_path(method, monkeypatch):
    """Solutions pass and stubs are not started, two jobs at once (threads, not forked shares)."""
    course = Course(ROOT)
    verdicts = {}
    for label in ("solutions", "exercises"):
        runner = Runner(course, Target(label, ROOT / label), jobs=2)
        graded = runner.session.grade(runner.select("ex01_tensors"))
        verdicts[label] = {str(result.status) for result in graded if result.status != "skipped"}  # GPU runs
    assert verdicts == {"solutions": {"passed"}, "exercises": {"not_started"}}


def test_a_trusted_call_runs_in_a_thread_and_hears_an_interrupt(method):
    seen = []

    def body() -> bytes:
        stop = fork.interrupted()
        seen.append(stop())
        return b"answer"

    called = fork.call(body)
    assert isinstance(called, fork.Threaded)
    assert called.result() == b"answer" and seen == [False]


def test_the_start_method_is_decided_once_with_a_clear_error(monkeypatch):
    monkeypatch.delenv(starting.START_ENV, raising=False)
    assert starting.start_method() == "fork"  # Linux: the fast path
    monkeypatch.setenv(starting.START_ENV, "teleport")
    with pytest.raises(ValueError, match="TORCHDRILL_START='teleport' cannot be used on this machine: use one of fork"):
        starting.start_method()
    assert starting.cores() >= 1


KILLS_ITS_DESCENDANTS = """
import subprocess, sys
import psutil
from grader.run import leftovers
scan = psutil.Process.children
psutil.Process.children = None  # a process without children is not scanned for descendants
assert leftovers.descendants() == []
psutil.Process.children = scan
sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
assert sleeper.pid in leftovers.descendants()
leftovers.kill_descendants()
assert sleeper.poll() is not None and sleeper.pid not in leftovers.descendants()
print("killed")
"""


def test_what_runs_learner_code_reads_no_proc():
    """/proc is Linux's: processes are found and killed through psutil, which knows every system.
    Killed from a process of its own: `kill_descendants` kills everything below its caller, and
    below a test worker that includes multiprocessing's forkserver, which later tests use. A process
    with no child is not scanned (reading every process on the machine, each check)."""
    for module in (ROOT / "grader" / "run").glob("*.py"):
        assert "/proc" not in module.read_text(), module.name
    done = subprocess.run([sys.executable, "-c", KILLS_ITS_DESCENDANTS], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.split() == ["killed"], done.stderr


SCANS_AGAIN_AFTER_A_DEATH = """
import os, subprocess, sys, time
import psutil
from grader.run import leftovers
dead = subprocess.Popen([sys.executable, "-c", "pass"])
while psutil.Process(dead.pid).status() != psutil.STATUS_ZOMBIE:
    time.sleep(0.01)
alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
scan, scans = psutil.Process.children, []
def children(self, recursive=False):  # the first scan misses what a dying process forked
    scans.append(1)
    return [psutil.Process(dead.pid)] if len(scans) == 1 else scan(self, recursive)
psutil.Process.children = children
leftovers.kill_descendants()
assert alive.poll() is not None, "a process the first scan missed outlived kill_descendants"
print("killed", len(scans))
"""


def test_a_process_that_dies_during_a_scan_leaves_nothing_unseen():
    """A process may fork and die while the process table is read: its child is missing from the
    list, and the dead parent is the only sign. `kill_descendants` scans again until a scan finds
    nothing, dead or alive (this race left a learner's daemon running one run in five under load)."""
    done = subprocess.run([sys.executable, "-c", SCANS_AGAIN_AFTER_A_DEATH], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.split()[0] == "killed", done.stderr


def test_the_dev_container_sets_the_course_up_with_a_make_target_that_exists():
    container = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
    target = container["postCreateCommand"].removeprefix("make ")
    assert re.search(rf"^{target}:", (ROOT / "Makefile").read_text(), re.MULTILINE)
    assert "3.11" in container["image"]  # the course's Python
    assert "docs/platforms.md" in (ROOT / "README.md").read_text()


def big_list(ex):
    return {"out": list(range(50_000))}


def test_a_result_whose_frame_is_over_its_size_is_refused_by_the_parent(tmp_path, method):
    """The child refuses a tensor over the limit before encoding it; what it cannot size before
    encoding (many values) is refused by the parent, from the frame's declared length."""
    outcome = run(learner(tmp_path, "def f():\n    return 1\n"), (big_list,), max_bytes=2**16)[0]
    assert outcome.kind == "crashed" and "over the" in outcome.detail
