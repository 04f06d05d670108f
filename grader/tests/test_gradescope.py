"""Gradescope: results.json after the autograder specification, and the autograder bundle run for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from grader.authoring import gradescope, gradescope_bundle
from grader.core.suites import load_suite
from grader.run.devices import ALWAYS
from grader.core.results import CheckResult, Submission
from grader.tests.conftest import COURSE, ROOT, run_grader

SCHEMA = json.loads((Path(gradescope_bundle.__file__).parent / "results.schema.json").read_text())
SECRET = "a-test-secret"


def validate(results: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(results)


def submission() -> Submission:
    return Submission(
        "learner",
        [
            CheckResult("ex01_tensors", "sum_visible", "passed", 2.0, 2.0),
            CheckResult(
                "ex01_tensors",
                "mean_visible",
                "failed",
                0.0,
                1.5,
                "'mean': 1 of 4 elements differ\nworst at index [3]: expected 12, got 24",
                output="debug print",
                diagnosis="sum instead of mean?",
            ),
            CheckResult(
                "ex02_autograd", "grad_hidden", "failed", 0.0, 1.0, "'grad': expected 0.3141 here", hidden=True
            ),
            CheckResult("ex02_autograd", "not_yet", "not_started", 0.0, 1.0, "`f` still raises NotImplementedError"),
            CheckResult(
                "ex12_devices", "moves[cuda]", "skipped", 0.0, 1.0, "needs cuda, and the grading machine has none"
            ),
        ],
        duration=3.21,
        learner="1234",
        notes=["ignored (not an exercise file): notes.txt"],
    )


# --- results.json ---------------------------------------------------------------------------


def test_results_follow_the_specification_and_keep_hidden_checks_quiet():
    results = gradescope.results_json(submission())
    validate(results)
    assert (results["score"], results["execution_time"], results["visibility"]) == (2, 3.21, "visible")
    tests = {t["name"]: t for t in results["tests"]}
    assert list(tests) == [
        "ex01_tensors::sum_visible",
        "ex01_tensors::mean_visible",
        "ex02_autograd::grad_hidden",
        "ex02_autograd::not_yet",
        "ex12_devices::moves[cuda] (skipped)",
    ]
    graded = [t for name, t in tests.items() if not name.endswith("(skipped)")]
    assert all(set(t) == {"number", "name", "score", "max_score", "status", "output", "visibility"} for t in graded)
    assert tests["ex01_tensors::sum_visible"] | {"output": ""} == {
        "number": "1.1",
        "name": "ex01_tensors::sum_visible",
        "score": 2,
        "max_score": 2,
        "status": "passed",
        "output": "",
        "visibility": "visible",
    }
    failed = tests["ex01_tensors::mean_visible"]
    assert (failed["status"], failed["score"], failed["max_score"]) == ("failed", 0, 1.5)
    assert "expected 12, got 24" in failed["output"] and "sum instead of mean?" in failed["output"]
    assert "debug print" in failed["output"]
    hidden = tests["ex02_autograd::grad_hidden"]
    assert (hidden["visibility"], hidden["status"]) == ("after_published", "failed")
    assert "expected" not in hidden["output"] and "0.3141" not in hidden["output"]
    assert tests["ex02_autograd::not_yet"]["output"].startswith("not started")
    assert "notes.txt" in results["output"]


def test_each_check_has_a_stable_number_after_its_exercise_and_place():
    numbers = [t["number"] for t in gradescope.results_json(submission())["tests"]]
    assert numbers == ["1.1", "1.2", "2.1", "2.2", "12.1"]
    other = submission()
    other.checks[1].status, other.checks[1].points = "passed", 1.5  # another learner, other results
    assert [t["number"] for t in gradescope.results_json(other)["tests"]] == numbers


def test_a_gpu_check_gradescope_cannot_run_is_a_test_worth_nothing_that_says_why():
    results = gradescope.results_json(submission())
    skipped = results["tests"][-1]
    assert skipped == {
        "number": "12.1",
        "name": "ex12_devices::moves[cuda] (skipped)",
        "score": 0,
        "max_score": 0,
        "output": "skipped, not counted: needs cuda, and the grading machine has none",
        "visibility": "visible",
        "tags": ["skipped"],
    }
    assert "skipped, not counted: 1 (the tests marked skipped say why)" in results["output"]


def test_hidden_points_are_revealed_only_when_grades_are_published():
    """Gradescope hides a learner's total while any test is after_published: every hidden point is
    in such a test, and the summary shown at once counts visible checks only."""
    results = gradescope.results_json(submission())
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
    assert sum(t["max_score"] for t in hidden) == 1 and results["visibility"] == "visible"
    assert results["output"].splitlines()[:3] == [
        "ex01_tensors: 2/3.5 points from visible checks, 1 of 2 passed",
        "ex02_autograd: 0/1 points from visible checks, 0 of 1 passed; 1 hidden (worth 1) shown when grades are published",
        "visible checks: 2/4.5 points",
    ]
    passed_hidden = submission()
    passed_hidden.checks[2].status, passed_hidden.checks[2].points = "passed", 1.0
    shown = gradescope.results_json(passed_hidden)
    assert shown["score"] == 3 and shown["output"] == results["output"]  # the summary does not move


def test_the_schema_rejects_what_gradescope_would_reject():
    for broken in (
        {"tests": [{"name": "no score anywhere"}]},
        {"score": 1, "visibility": "sometimes"},
        {"score": 1, "tests": [{"score": 1, "status": "skipped"}]},
        {"score": "1"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


def test_write_results_writes_the_json_file(tmp_path):
    path = tmp_path / "results" / "results.json"
    gradescope.write_results(submission(), path)
    assert json.loads(path.read_text()) == gradescope.results_json(submission())
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]


@pytest.mark.parametrize(
    "metadata, learner",
    [
        ({"id": 77, "users": [{"id": 1234, "email": "a@example.org"}]}, "1234"),
        ({"id": 77, "users": [{"id": 99}, {"id": 5}]}, "5+99"),
        ({"id": 77, "users": [{"id": "../../etc"}]}, "77"),
        (None, "submission"),
    ],
    ids=["one", "group", "odd-id", "no-metadata"],
)
def test_the_learner_id_comes_from_the_submission_metadata(tmp_path, metadata, learner):
    path = tmp_path / "submission_metadata.json"
    if metadata is not None:
        path.write_text(json.dumps(metadata))
    assert gradescope.learner_id(path) == learner


# --- the bundle -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    done = run_grader("gradescope", "--out", str(out), "--secret", SECRET)
    assert done.returncode == 0, done.stderr
    return out


def test_the_bundle_has_the_scripts_at_its_root_and_the_whole_course(bundle, tmp_path):
    with zipfile.ZipFile(bundle) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
        secret = archive.read(".torchdrill/course-secret").decode().strip()
    for script in ("setup.sh", "run_autograder"):
        assert modes[script] & stat.S_IXUSR, script
    exercises = COURSE.catalog.names
    assert {f"tests/test_{n}.py" for n in exercises} | {f"solutions/{n}.py" for n in exercises} <= set(names)
    assert {"catalog.toml", "conftest.py", "pyproject.toml", "requirements.lock", "grader/commands/__init__.py"} <= set(names)
    assert not [n for n in names if n.startswith(("grader/tests/", "tests/variants/")) or "__pycache__" in n]
    assert secret == SECRET
    again = tmp_path / "again.zip"
    gradescope_bundle.build(COURSE, again, SECRET)
    assert again.read_bytes() == bundle.read_bytes(), "the zip is reproducible"


def test_the_scripts_are_valid_bash():
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(
            ["bash", "-n", str(Path(gradescope_bundle.__file__).parent / script)], check=False, capture_output=True
        )
        assert done.returncode == 0, done.stderr


STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$LOG"
"""
FAKE_PYTHON = """#!/bin/sh
echo "python $*" >> "$LOG"
if [ "$1 $2" = "-m venv" ]; then mkdir -p "$3/bin" && cp "$0" "$3/bin/python"; fi
"""


def test_setup_installs_the_locked_environment_with_torchs_cpu_build(tmp_path):
    """setup.sh run with stand-ins for apt-get and Python that record what they are asked: nothing is downloaded."""
    bundle = tmp_path / "source"
    bundle.mkdir()
    shutil.copy(Path(gradescope_bundle.__file__).parent / "setup.sh", bundle / "setup.sh")
    shutil.copy(ROOT / "requirements.lock", bundle / "requirements.lock")
    stubs = tmp_path / "bin"
    stubs.mkdir()
    for name, text in (("apt-get", STUB), ("python3.11", FAKE_PYTHON)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    log = tmp_path / "log"
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "LOG": str(log), "HOME": str(tmp_path)}
    done = subprocess.run(["bash", str(bundle / "setup.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    assert "apt-get install -y -qq --no-install-recommends bubblewrap" in calls
    assert "python -m venv .venv" in calls
    (install,) = [call for call in calls if "pip install" in call and "-e ." in call]
    torch = next(line for line in (ROOT / "requirements.lock").read_text().split() if line.startswith("torch=="))
    makefile = (ROOT / "Makefile").read_text()
    index = re.search(r"^TORCH_CPU_INDEX := (\S+)$", makefile, re.MULTILINE)[1]  # one index for learners and Gradescope
    assert install.split() == [
        "python", "-m", "pip", "install", "--disable-pip-version-check", "--extra-index-url", index,
        "-c", "requirements.lock", f"{torch}+cpu", "-e", ".",
    ]
    assert index == "https://download.pytorch.org/whl/cpu"


def autograder_layout(bundle: Path, root: Path, files: dict[str, Path], learner_id: int) -> Path:
    """A folder laid out like Gradescope's /autograder, with the bundle unpacked in source/."""
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(root / "source")
    for script in ("setup.sh", "run_autograder"):
        (root / "source" / script).chmod(0o755)  # zipfile does not restore permissions; Gradescope's unzip does
    for name, source in files.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, root / "submission" / name)
    metadata = {"id": 1, "users": [{"email": "learner@example.org", "id": learner_id, "name": "A Learner"}]}
    (root / "submission_metadata.json").write_text(json.dumps(metadata))
    return root


def run_autograder(root: Path) -> dict:
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "TORCHDRILL_PYTHON": sys.executable,
        "TORCHDRILL_SANDBOX": "none",
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run(
        [str(root / "source" / "run_autograder")], check=False, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    return results


def expected_tests() -> dict[str, bool]:
    """Test name -> hidden, for every run Gradescope lists: each check on the devices every machine
    has (the CPU, meta), and its GPU run as a skipped test (Gradescope has no GPU)."""
    return {
        f"{c.exercise}::{c.run_name(device)}" + ("" if device in ALWAYS else " (skipped)"): c.hidden
        for name in COURSE.catalog.names
        for c in load_suite(COURSE.suite(name))
        for device in c.devices
    }


@pytest.mark.slow
def test_run_autograder_gives_a_solution_full_marks(bundle, tmp_path):
    # Files one folder down, as a learner who uploads their exercises/ folder does.
    files = {f"exercises/{p.name}": p for p in (ROOT / "solutions").glob("ex*.py")}
    results = run_autograder(autograder_layout(bundle, tmp_path, files, learner_id=1234))
    tests = {t["name"]: t for t in results["tests"]}
    expected = expected_tests()
    assert set(tests) == set(expected)
    graded = {name: t for name, t in tests.items() if "skipped" not in t.get("tags", [])}
    assert graded and all(t["status"] == "passed" and t["score"] == t["max_score"] > 0 for t in graded.values())
    assert {name for name in tests if name not in graded} == {name for name in expected if name.endswith("(skipped)")}
    assert all(t["max_score"] == 0 for name, t in tests.items() if name not in graded)
    assert results["score"] == sum(t["max_score"] for t in tests.values())
    assert len({t["number"] for t in tests.values()}) == len(tests)
    assert {name for name, t in tests.items() if t["visibility"] == "after_published"} == {
        name for name, hidden in expected.items() if hidden
    }
    assert "one folder down" in results["output"]


@pytest.mark.slow
def test_run_autograder_gives_the_stubs_nothing(bundle, tmp_path):
    files = {p.name: p for p in (ROOT / "exercises").glob("ex*.py")}
    results = run_autograder(autograder_layout(bundle, tmp_path, files, learner_id=5678))
    assert results["score"] == 0
    assert {t["name"] for t in results["tests"]} == set(expected_tests())
    assert {t.get("status", "skipped") for t in results["tests"]} == {"failed", "skipped"}
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
    graded = [t for t in hidden if "status" in t]
    assert graded and all(t["output"].startswith("not started") and "expected" not in t["output"] for t in graded)
    assert all(t["output"].startswith("skipped, not counted: needs cuda") for t in hidden if "status" not in t)
