"""Gradescope: results.json after the autograder specification, and the autograder bundle run for real."""

from __future__ import annotations

import json
import os
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
    ]
    assert all(set(t) == {"name", "score", "max_score", "status", "output", "visibility"} for t in tests.values())
    assert tests["ex01_tensors::sum_visible"] | {"output": ""} == {
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
    assert "ex12_devices::moves[cuda]" in results["output"] and "notes.txt" in results["output"]
    assert "ex01_tensors: 2/3.5 points, 1 of 2 checks passed" in results["output"]


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


def test_setup_installs_the_pinned_environment():
    setup = (Path(gradescope_bundle.__file__).parent / "setup.sh").read_text()
    assert "-c requirements.lock" in setup and '"torch==2.13.0"' in setup and "-m venv .venv" in setup
    for script in ("setup.sh", "run_autograder"):
        done = subprocess.run(
            ["bash", "-n", str(Path(gradescope_bundle.__file__).parent / script)], check=False, capture_output=True
        )
        assert done.returncode == 0, done.stderr


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
    """Check name -> hidden, for every check Gradescope grades (no CUDA there: no cuda variants)."""
    return {
        f"{c.exercise}::{c.run_name('cpu')}": c.hidden
        for name in COURSE.catalog.names
        for c in load_suite(COURSE.suite(name))
    }


@pytest.mark.slow
def test_run_autograder_gives_a_solution_full_marks(bundle, tmp_path):
    # Files one folder down, as a learner who uploads their exercises/ folder does.
    files = {f"exercises/{p.name}": p for p in (ROOT / "solutions").glob("ex*.py")}
    results = run_autograder(autograder_layout(bundle, tmp_path, files, learner_id=1234))
    tests = {t["name"]: t for t in results["tests"]}
    expected = expected_tests()
    assert set(tests) == set(expected)
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] > 0 for t in tests.values())
    assert results["score"] == sum(t["max_score"] for t in tests.values())
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
    assert {t["status"] for t in results["tests"]} == {"failed"}
    hidden = [t for t in results["tests"] if t["visibility"] == "after_published"]
    assert hidden and all(t["output"].startswith("not started") and "expected" not in t["output"] for t in hidden)
