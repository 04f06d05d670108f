"""The trusted side trusts nothing: one focused class per family of attack, in both sandbox modes.

(The adversarial corpus, test_corpus.py, grades every attack together; these need a class of
their own: an order of learners, a learner's folder name, a signal to the grader.)

- an attacker between two honest learners: both graded exactly as alone;
- a learner cannot read an earlier learner's data, in memory or in /tmp and /dev/shm;
- learner code is never uid 0 and sees no /etc/shadow; scratch space is capped;
- folder names are escaped on the terminal and stored under a safe file name;
- `forbid` cannot be bypassed through the C bindings;
- SIGTERM to `grader class` leaves no process and no temporary folder, and a rerun finishes the job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.classroom.records import ResultsFolder
from grader.classroom.sandbox import bwrap_works
from grader.tests.conftest import COURSE, run_grader, size_here

pytestmark = pytest.mark.slow

MODES = [pytest.param("bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason="bubblewrap is not installed here (CI installs it)")), "none"]
SOLUTION = COURSE.solution("ex01_tensors").read_text()
# Plants a token made at run time (so that no source holds it) everywhere it can: printed output,
# /tmp and /dev/shm. "PLANTED:" followed by 32 hex digits exists nowhere else.
PLANTER = SOLUTION + '''

def tensor_from_list(values):
    import pathlib, uuid
    token = uuid.uuid4().hex
    print("PLANTED:" + token)
    for folder in ("/tmp", "/dev/shm"):
        try:
            pathlib.Path(folder, "PLANTED-" + token).write_text("x")
        except OSError:
            pass
    return torch.tensor(values, dtype=torch.float32)
'''

# Looks for a planted token in its own memory, in /tmp and /dev/shm; reports what it finds and who it is.
SCANNER = SOLUTION + '''

def _look():
    import ctypes, os, pathlib, re
    found = []
    pattern = re.compile(rb"PLANTED" + rb":[0-9a-f]{32}")
    with open("/proc/self/maps") as maps:  # its own memory, read directly (no /proc/self/mem needed)
        regions = [line.split() for line in maps]
    for fields in regions:
        start, end = (int(x, 16) for x in fields[0].split("-"))
        special = len(fields) > 5 and fields[5].startswith("[v")  # [vvar], [vdso], [vsyscall]
        if "r" not in fields[1] or special or end - start > 1 << 30:
            continue
        if pattern.search(ctypes.string_at(start, end - start)):
            found.append("memory")
            break
    for folder in ("/tmp", "/dev/shm"):
        try:
            found += [str(p) for p in pathlib.Path(folder).iterdir() if p.name.startswith("PLANTED-")]
        except OSError:
            pass
    return found


def tensor_from_list(values):
    import os
    print("FOUND", _look(), "UID", os.getuid(), "SHADOW", os.path.exists("/etc/shadow"))
    return torch.tensor(values, dtype=torch.float32)
'''


def grade(submissions: Path, out: Path, mode: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_grader(
        "class", str(submissions), "--out", str(out), "--sandbox", mode, "--jobs", "1", "--secret", "trust",
        "--exercises", "ex01_tensors", *extra, timeout=900,
    )  # fmt: skip


def learner_results(out: Path) -> dict[str, dict]:
    results = ResultsFolder(out)
    return {data["learner"]: data for data in (json.loads(p.read_text()) for p in results.learner_files())}


def checks(data: dict) -> dict[str, tuple[str, float]]:
    return {c["name"]: (c["status"], c["points"]) for c in data["checks"]}


@pytest.mark.parametrize("mode", MODES)
def test_no_learner_reads_an_earlier_learners_data_or_runs_as_root(mode, tmp_path):
    submissions = tmp_path / "submissions"
    for name, source in (("a-planter", PLANTER), ("b-scanner", SCANNER)):  # graded in this order, by one worker
        (submissions / name).mkdir(parents=True)
        (submissions / name / "ex01_tensors.py").write_text(source)
    done = grade(submissions, tmp_path / "out", mode)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = learner_results(tmp_path / "out")
    planted = next(c for c in seen["a-planter"]["checks"] if c["name"] == "tensor_from_nested_list")
    assert "PLANTED:" in planted["output"]  # it ran, and left its token behind where it could
    report = next(c for c in seen["b-scanner"]["checks"] if c["name"] == "tensor_from_nested_list")["output"]
    assert "FOUND []" in report, report
    assert "UID 0 " not in report and "SHADOW False" in report, report
    assert seen["b-scanner"]["score"] == seen["a-planter"]["score"] > 0


@pytest.mark.parametrize("mode", MODES)
def test_an_attacker_between_two_honest_learners_changes_nothing_for_them(mode, tmp_path):
    attack = (COURSE.root / "grader" / "tests" / "corpus" / "attack_neighbours" / "ex02_autograd.py").read_text()
    submissions = tmp_path / "submissions"
    for name, files in (
        ("alice", {"ex01_tensors.py": SOLUTION}),
        ("bob", {"ex01_tensors.py": SOLUTION, "ex02_autograd.py": attack}),
        ("carol", {"ex01_tensors.py": SOLUTION}),
    ):
        (submissions / name).mkdir(parents=True)
        for file, text in files.items():
            (submissions / name / file).write_text(text)
    done = grade(submissions, tmp_path / "out", mode, "--exercises", "ex01_tensors", "ex02_autograd")
    assert done.returncode == 0, done.stderr[-3000:]
    seen = learner_results(tmp_path / "out")
    alone = tmp_path / "alone"
    (alone / "alice").mkdir(parents=True)
    (alone / "alice" / "ex01_tensors.py").write_text(SOLUTION)
    assert grade(alone, tmp_path / "alone-out", mode, "--exercises", "ex01_tensors", "ex02_autograd").returncode == 0
    reference = learner_results(tmp_path / "alone-out")["alice"]
    assert checks(seen["alice"]) == checks(seen["carol"]) == checks(reference)


def test_folder_names_are_escaped_and_stored_safely(tmp_path):
    names = ["=HYPERLINK(\"x\")", "[green]honest[black on black] spoof", "clear\x1b[2J\x1b]0;title\x07", "x" * 241]
    submissions = tmp_path / "submissions"
    for name in names:
        (submissions / name).mkdir(parents=True)
        (submissions / name / "ex01_tensors.py").write_text(SOLUTION)
    done = grade(submissions, tmp_path / "out", "auto")
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout + done.stderr
    assert "\x1b[2J" not in printed and "\x1b]0;" not in printed and "\\x1b[2J" in printed
    assert "[green]honest[black on black] spoof" in printed  # markup shown literally
    seen = learner_results(tmp_path / "out")
    assert sorted(seen) == sorted(names) and all(data["score"] == size_here("ex01_tensors").points for data in seen.values())
    assert all(len(p.name) < 100 for p in ResultsFolder(tmp_path / "out").learner_files())
    report = run_grader("report", str(tmp_path / "out"), "--out", str(tmp_path / "report"))
    assert report.returncode == 0, report.stderr
    cells = (tmp_path / "report" / "gradebook.csv").read_text()
    assert "'=HYPERLINK" in cells and "\n=HYPERLINK" not in cells


@pytest.mark.parametrize("mode", MODES)
def test_forbid_cannot_be_bypassed_through_the_c_bindings(mode, tmp_path):
    """The C binding under the forbidden function (one op decomposed above autograd, one not) is caught."""
    solution = COURSE.solution("ex05_losses").read_text()
    bypass = solution + (
        "\n\ndef mse_loss(input, target, reduction='mean'):\n"
        "    return torch._C._nn.mse_loss(input, target, {'none': 0, 'mean': 1, 'sum': 2}[reduction])\n"
        "\n\ndef cross_entropy(logits, target, *args, **kwargs):\n"
        "    return torch._C._nn.cross_entropy_loss(logits, target, None, 1, -100, 0.0)\n"
    )
    (tmp_path / "submissions" / "eve").mkdir(parents=True)
    (tmp_path / "submissions" / "eve" / "ex05_losses.py").write_text(bypass)
    done = grade(tmp_path / "submissions", tmp_path / "out", mode, "--exercises", "ex05_losses")
    assert done.returncode == 0, done.stderr[-3000:]
    checks = learner_results(tmp_path / "out")["eve"]["checks"]
    mse = [c for c in checks if c["name"] == "mse_loss_reductions"]
    assert mse and all(c["status"] == "failed" and "aten::mse_loss" in c["message"] for c in mse), mse
    entropy = [c for c in checks if c["name"].startswith("cross_entropy_")]
    assert len(entropy) >= 5 and all(c["status"] == "failed" and "aten::cross_entropy_loss" in c["message"] for c in entropy), entropy


@pytest.mark.parametrize("mode", MODES)
def test_sigterm_stops_everything_and_a_rerun_finishes_the_job(mode, tmp_path):
    submissions = tmp_path / "submissions"
    for index in range(4):
        (submissions / f"learner{index}").mkdir(parents=True)
        (submissions / f"learner{index}" / "ex01_tensors.py").write_text(SOLUTION)
    command = [sys.executable, "-m", "grader", "class", str(submissions), "--out", str(tmp_path / "out"),
               "--sandbox", mode, "--jobs", "2", "--secret", "trust", "--exercises", "ex01_tensors"]  # fmt: skip
    env = {**os.environ, "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    started = subprocess.Popen(command, cwd=COURSE.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while not list((tmp_path / "tmp").glob("torchdrill-class-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(3)  # well into grading: workers started
    started.send_signal(signal.SIGTERM)
    started.wait(timeout=120)
    time.sleep(1)
    assert _running_from(tmp_path) == []
    assert list((tmp_path / "tmp").iterdir()) == []  # its temporary folders are gone
    finished = run_grader(*command[3:], timeout=900)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert sorted(learner_results(tmp_path / "out")) == [f"learner{i}" for i in range(4)]


def _running_from(folder: Path) -> list[str]:
    """Processes whose command line names `folder` (the class command, its workers and their children)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if str(folder) in line:
                found.append(f"{entry.name}: {line[:200]}")
    return found
