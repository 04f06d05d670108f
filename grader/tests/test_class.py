"""Class grading end to end: reproducible, resumable, seeded per learner, both sandbox modes.

The adversarial corpus lives in test_corpus.py; this file checks the machinery
on a small class of honest, unfinished, buggy and crashing submissions.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grader.classroom import grading as classroom
from grader.core import determinism
from grader.tests.conftest import ROOT, run_grader

pytestmark = pytest.mark.slow

EXERCISES = ("ex01_tensors", "ex02_autograd")
SPY = '''

_original_double_square_grad = double_square_grad


def double_square_grad(x):
    print("INPUT", round(float(x.detach().sum()), 6), x.numel())
    return _original_double_square_grad(x)
'''


def make_class(folder: Path) -> Path:
    """Six learners: complete, untouched stubs, buggy, crashing, and two identical spies."""
    solution = {ex: (ROOT / "solutions" / f"{ex}.py").read_text() for ex in EXERCISES}
    stub = {ex: (ROOT / "exercises" / f"{ex}.py").read_text() for ex in EXERCISES}
    learners = {
        "ada": solution,
        "ben": stub,
        "cy": {**solution, "ex02_autograd": solution["ex02_autograd"].replace("    return x.grad\n", "    return 2 * x.grad\n", 1)},
        "dee": {**solution, "ex02_autograd": "import os\nos._exit(3)\n"},
        "spy1": {**solution, "ex02_autograd": solution["ex02_autograd"] + SPY},
        "spy2": {**solution, "ex02_autograd": solution["ex02_autograd"] + SPY},
    }
    for learner, files in learners.items():
        (folder / learner).mkdir(parents=True)
        for exercise, text in files.items():
            (folder / learner / f"{exercise}.py").write_text(text)
    return folder


def grade(submissions: Path, out: Path, *extra: str, exercises: tuple[str, ...] = EXERCISES) -> subprocess.CompletedProcess[str]:
    done = run_grader(
        "class", str(submissions), "--out", str(out), "--exercises", *exercises, "--secret", "s3cret", *extra
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def stable(out: Path) -> dict[str, dict]:
    """Each learner's results without what legitimately varies between runs (timings)."""
    found = {}
    for path in sorted((out / "learners").glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("duration")
        data.pop("environment")  # names the sandbox mode
        data.pop("fingerprint")  # of the course and options, not of the results
        for check in data["checks"]:
            check.pop("duration")
        found[path.stem] = data
    return found


@pytest.fixture(scope="module")
def class_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_class(tmp_path_factory.mktemp("class") / "submissions")


@pytest.fixture(scope="module")
def graded(class_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("results")
    grade(class_folder, out, "--jobs", "2")
    return out


def by_status(results: dict, exercise: str) -> set[str]:
    """The statuses of the exercise's runs that were made (a GPU run is skipped where there is no GPU)."""
    return {c["status"] for c in results["checks"] if c["exercise"] == exercise and c["status"] != "skipped"}


def test_each_learner_gets_what_they_earned(graded: Path) -> None:
    results = stable(graded)
    assert set(results) == {"ada", "ben", "cy", "dee", "spy1", "spy2"}
    assert results["ada"]["score"] == results["ada"]["max_score"] > 0
    assert by_status(results["ben"], "ex01_tensors") == {"not_started"} and results["ben"]["score"] == 0
    assert by_status(results["cy"], "ex01_tensors") == {"passed"}
    assert "failed" in by_status(results["cy"], "ex02_autograd")
    assert by_status(results["dee"], "ex02_autograd") == {"crashed"}
    assert by_status(results["dee"], "ex01_tensors") == {"passed"}
    summary = json.loads((graded / "class.json").read_text())
    assert [entry["learner"] for entry in summary["learners"]] == sorted(results)
    outcomes = {entry["learner"]: entry["outcome"] for entry in summary["learners"]}
    assert outcomes["ada"] == "passed" and outcomes["ben"] == "failed" and outcomes["dee"] == "error"
    assert summary["secret_id"] == classroom.secret_id("s3cret") and "s3cret" not in json.dumps(summary)


def test_hidden_inputs_differ_per_learner_and_repeat_on_regrade(graded: Path, class_folder: Path, tmp_path: Path) -> None:
    def printed(out: Path, learner: str) -> str:
        data = json.loads((out / "learners" / f"{learner}.json").read_text())
        return next(c["output"] for c in data["checks"] if c["name"] == "double_square_grad_random")

    first, second = printed(graded, "spy1"), printed(graded, "spy2")
    assert "INPUT" in first and "INPUT" in second
    assert first != second  # same file, other learner id: other hidden inputs
    visible = [
        c["output"]
        for name in ("spy1", "spy2")
        for c in json.loads((graded / "learners" / f"{name}.json").read_text())["checks"]
        if c["name"] == "double_square_grad_at_arange"
    ]
    assert visible[0] == visible[1] and "INPUT" in visible[0]  # visible inputs are the same for all
    again = tmp_path / "again"
    grade(class_folder, again, "--jobs", "1")
    assert printed(again, "spy1") == first
    assert stable(again) == stable(graded)  # 1 job and 2 jobs: identical results


def test_seeds_depend_on_secret_learner_and_check() -> None:
    seeds = {
        determinism.derive_seed(classroom.hidden_salt(secret, learner), check)
        for secret in ("a", "b")
        for learner in ("ada", "ben")
        for check in ("ex02::x", "ex02::y")
    }
    assert len(seeds) == 8


def test_rerun_skips_unchanged_learners_and_regrades_changed_ones(class_folder: Path, tmp_path: Path) -> None:
    submissions = tmp_path / "submissions"
    for learner in ("ada", "ben", "dee"):
        shutil.copytree(class_folder / learner, submissions / learner)
    out, ex01 = tmp_path / "out", ("ex01_tensors",)
    grade(submissions, out, exercises=ex01)
    before = stable(out)
    again = grade(submissions, out, exercises=ex01)
    assert "3 learners (0 graded, 3 unchanged)" in again.stdout
    (submissions / "ben" / "ex01_tensors.py").write_text((ROOT / "solutions" / "ex01_tensors.py").read_text())
    third = grade(submissions, out, exercises=ex01)
    assert "3 learners (1 graded, 2 unchanged)" in third.stdout
    after = stable(out)
    assert by_status(after["ben"], "ex01_tensors") == {"passed"}
    assert {k: v for k, v in after.items() if k != "ben"} == {k: v for k, v in before.items() if k != "ben"}
    forced = grade(submissions, out, "--force", exercises=ex01)
    assert "3 learners (3 graded, 0 unchanged)" in forced.stdout


def test_killed_run_resumes_to_the_same_results(class_folder: Path, graded: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "class", str(class_folder), "--out", str(out), "--jobs", "2"]
    command += ["--exercises", *EXERCISES, "--secret", "s3cret"]
    process = subprocess.Popen(command, cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "learners").glob("*.json"))) < 2:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the grader and everything it started, mid-run
    process.wait()
    finished = len(list((out / "learners").glob("*.json")))
    assert 2 <= finished < 6, "the kill should land mid-run"
    assert not (out / "class.json").exists()
    resumed = grade(class_folder, out)
    assert f"({6 - finished} graded, {finished} unchanged)" in resumed.stdout
    assert stable(out) == stable(graded)
    assert not list((out / "learners").glob(".*partial"))


def test_fallback_without_bubblewrap_warns_and_grades_the_same(class_folder: Path, graded: Path, tmp_path: Path) -> None:
    done = grade(class_folder, tmp_path / "out", "--sandbox", "none")
    assert "WITHOUT a sandbox" in done.stderr
    assert stable(tmp_path / "out") == stable(graded)


def test_unknown_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = run_grader("class", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert done.returncode == 2 and "no such folder" in done.stderr


WARMING = """
import json, os, sys
from pathlib import Path
from grader.classroom import grading, sandbox, worker
from grader.core.course import Course
from grader.core.references import References

course = Course(Path.cwd())
checks = grading.load_checks(course, ("ex16_logging",))
warm = grading.warm_references(References(course.solutions), checks, course)
_, env, _ = sandbox.worker_command(sandbox.Layout(course.root, Path("/nonexistent"), Path(sys.argv[1])), sandbox.SandboxMode.NONE, warm)
assert "wave" not in sys.modules
os.environ[sandbox.WARM] = "wave no_such_module_here"
worker._warm_lazy_imports()
print(json.dumps({"warm": warm, "passed": env.get(sandbox.WARM, "").split(), "wave": "wave" in sys.modules}))
"""


def test_workers_import_what_the_references_imported_first(tmp_path):
    """A module torch loads on first use (tensorboard for ex16) is imported once per worker, not
    in every learner's child; the course's own modules (solutions, suites) never are."""
    done = subprocess.run([sys.executable, "-c", WARMING, str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.splitlines()[-1])
    assert "torch.utils.tensorboard" in seen["warm"] and seen["passed"] == seen["warm"]
    assert not [name for name in seen["warm"] if name.startswith(("ex16", "test_ex16", "solutions", "tests"))]
    assert seen["wave"]  # and a name that cannot be imported is passed over
