"""PrairieLearn: results.json after the external grader contract, and the course folders run for real in a /grade layout."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from grader.authoring import prairielearn, prairielearn_bundle
from grader.core.results import CheckResult, GradedFile, Submission
from grader.core.suites import load_suite
from grader.run import devices
from grader.tests.conftest import COURSE, ROOT, run_grader

SCHEMA = json.loads((Path(prairielearn_bundle.__file__).parent / "results.schema.json").read_text())
SECRET = "a-test-secret"
IMAGE = "example/torchdrill-grader"


def validate(results: dict) -> None:
    jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(results)


def submission(files: bool = True) -> Submission:
    return Submission(
        "learner",
        [
            CheckResult("ex12_devices", "sum_visible", "passed", 2.0, 2.0),
            CheckResult(
                "ex12_devices",
                "mean_visible",
                "failed",
                0.0,
                1.5,
                "'mean': 1 of 4 elements differ\nworst at index [3]: expected 12, got 24",
                output="debug print",
                diagnosis="sum instead of mean?",
            ),
            CheckResult("ex12_devices", "grad_hidden", "failed", 0.0, 1.0, "'grad': expected 0.3141 here", hidden=True),
            CheckResult("ex12_devices", "not_yet", "not_started", 0.0, 0.5, "`f` still raises NotImplementedError"),
            CheckResult("ex12_devices", "moves[cuda]", "skipped", 0.0, 1.0, "needs cuda, and the grading machine has none"),
        ],
        files=[GradedFile("ex12_devices", "ex12_devices.py", "ab" * 32)] if files else [],
        learner="variant-7",
        notes=["ignored (not an exercise file): notes.txt"],
    )


# --- results.json ---------------------------------------------------------------------------


def test_results_follow_the_contract_and_keep_hidden_checks_quiet():
    results = prairielearn.results_json(submission(), {"ex12_devices::sum_visible": "sums along the rows"})
    validate(results)
    assert (results["gradable"], results["score"]) == (True, 0.4)  # 2 of the 5 points that count
    assert results["message"] == "2/5 points: 1 of 4 checks passed"
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["ex12_devices::sum_visible"] == {
        "name": "ex12_devices::sum_visible",
        "description": "sums along the rows",
        "points": 2,
        "max_points": 2,
        "message": "",
        "output": "",
    }
    failed = tests["ex12_devices::mean_visible"]
    assert "expected 12, got 24" in failed["message"] and "likely cause: sum instead of mean?" in failed["message"]
    assert failed["output"] == "debug print"
    hidden = tests["ex12_devices::grad_hidden"]
    assert hidden["description"] == "hidden check" and hidden["output"] == ""
    assert "0.3141" not in json.dumps(results) and hidden["message"].startswith("failed (hidden check")
    assert tests["ex12_devices::not_yet"]["message"].startswith("not started")
    assert "note: ignored (not an exercise file): notes.txt" in results["output"]


def test_a_gpu_check_prairielearn_cannot_run_is_a_test_worth_nothing_that_says_why():
    results = prairielearn.results_json(submission())
    skipped = results["tests"][-1]
    assert skipped["name"] == "ex12_devices::moves[cuda] (skipped)"
    assert (skipped["points"], skipped["max_points"]) == (0, 0)
    assert skipped["message"] == "skipped, not counted: needs cuda, and the grading machine has none"
    assert "skipped, not counted: 1" in results["output"]


def test_a_submission_without_the_exercise_file_is_not_gradable_and_says_which_file():
    """PrairieLearn then keeps the learner's attempt: nothing was graded."""
    missing = submission(files=False)
    message = "ex12_devices.py was not in the submission: create it (or restore the stub) to be graded"
    for check in missing.checks[:-1]:
        check.status, check.points, check.message = "error", 0.0, message
    results = prairielearn.results_json(missing)
    validate(results)
    assert results["gradable"] is False and "score" not in results and "tests" not in results
    assert results["format_errors"][0] == message
    assert message in results["message"]


def test_the_schema_rejects_what_prairielearn_would_not_read():
    for broken in (
        {"gradable": True, "message": "no score"},
        {"score": 1.5},
        {"score": "1"},
        {"score": 1, "tests": [{"name": "no max_points", "points": 1}]},
        {"gradable": False, "message": "and no reason"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            validate(broken)


def test_results_are_cut_to_fit_prairielearns_one_mebibyte():
    """Learner output is bounded per check, but a suite of many checks could still pass PrairieLearn's limit."""
    many = Submission(
        "learner",
        [CheckResult("ex01_tensors", f"check_{i}", "failed", 0.0, 1.0, "m" * 5_000, output="é" * 4_000) for i in range(400)],
        files=[GradedFile("ex01_tensors", "ex01_tensors.py", "ab" * 32)],
    )
    results = prairielearn.results_json(many)
    validate(results)
    written = len(json.dumps(results, indent=2).encode()) + 1
    assert written <= prairielearn.RESULTS_LIMIT, written
    assert all(t["output"].endswith("1 MiB)") for t in results["tests"])


def test_failure_results_are_not_gradable_and_say_so(tmp_path):
    prairielearn.write_failure(tmp_path, RuntimeError("boom"))
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    validate(results)
    assert results["gradable"] is False and "RuntimeError" in results["message"] and "boom" not in results["message"]


@pytest.mark.parametrize(
    "data, learner",
    [({"variant_seed": 1234, "params": {}}, "variant-1234"), ({"variant_seed": "../x"}, "submission"), ([], "submission"), (None, "submission")],
    ids=["seed", "odd-seed", "not-an-object", "no-data"],
)
def test_the_learner_id_is_the_question_variants_seed(tmp_path, data, learner):
    path = tmp_path / "data.json"
    if data is not None:
        path.write_text(json.dumps(data))
    assert prairielearn.learner_id(path) == learner


# --- the course folders ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("prairielearn")
    done = run_grader("prairielearn", "--out", str(out), "--secret", SECRET, "--image", IMAGE, "--time-limit", "200")
    assert done.returncode == 0, done.stderr
    return out


def test_every_exercise_is_an_externally_graded_question_of_the_course_folder(built):
    server = built / "serverFilesCourse" / "torchdrill"
    for exercise in COURSE.catalog.names:
        question = built / "questions" / "torchdrill" / exercise
        info = json.loads((question / "info.json").read_text())
        options = info["externalGradingOptions"]
        assert (info["gradingMethod"], options["enabled"], options["image"], options["timeout"]) == ("External", True, IMAGE, 200)
        assert options["serverFilesCourse"] == ["torchdrill/"]
        script, *arguments = options["entrypoint"].split(" ")  # PrairieLearn splits it on spaces
        assert script == "/grade/serverFilesCourse/torchdrill/run.sh" and arguments == [exercise, "200"]
        assert (question / "initial_code.py").read_text() == COURSE.stub(exercise)
        assert f'file-name="{exercise}.py"' in (question / "question.html").read_text()
        assert sorted(p.name for p in question.iterdir()) == ["info.json", "initial_code.py", "question.html"]
    uuids = {json.loads(p.read_text())["uuid"] for p in built.glob("questions/torchdrill/*/info.json")}
    assert len(uuids) == len(COURSE.catalog.names)
    names = {p.relative_to(server).as_posix() for p in server.rglob("*") if p.is_file()}
    exercises = COURSE.catalog.names
    assert {f"tests/test_{n}.py" for n in exercises} | {f"solutions/{n}.py" for n in exercises} <= names
    assert {"run.sh", "setup.sh", "Dockerfile", ".dockerignore", "catalog.toml", "grader/commands/prairielearn.py"} <= names
    assert not [n for n in names if n.startswith(("grader/tests/", "tests/variants/")) or "__pycache__" in n]
    assert (server / ".torchdrill" / "course-secret").read_text().strip() == SECRET
    for script in ("run.sh", "setup.sh"):
        assert (server / script).stat().st_mode & stat.S_IXUSR, script


def test_the_image_is_built_from_the_environment_alone(built):
    """An image on a registry may be public: the build context allow-lists what setup.sh installs from."""
    server = built / "serverFilesCourse" / "torchdrill"
    patterns = [line for line in (server / ".dockerignore").read_text().splitlines() if line and not line.startswith("#")]
    assert patterns[0] == "*"
    admitted = {line[1:] for line in patterns if line.startswith("!")}
    assert admitted == {"setup.sh", "pyproject.toml", "requirements.lock", "README.md", "grader"}
    dockerfile = (server / "Dockerfile").read_text()
    assert "COPY . /opt/torchdrill" in dockerfile and "setup.sh" in dockerfile
    assert "/opt/torchdrill/.venv/bin/python" in (server / "run.sh").read_text()  # where setup.sh puts it


def test_the_build_is_reproducible_and_replaces_only_its_own_folders(built, tmp_path):
    again = tmp_path / "course"
    (again / "questions" / "mine").mkdir(parents=True)
    for _ in range(2):  # the second build replaces the first
        done = run_grader("prairielearn", "--out", str(again), "--secret", SECRET, "--image", IMAGE, "--time-limit", "200")
        assert done.returncode == 0, done.stderr

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    assert tree(again / "serverFilesCourse") == tree(built / "serverFilesCourse")
    assert tree(again / "questions" / "torchdrill") == tree(built / "questions" / "torchdrill")
    assert (again / "questions" / "mine").is_dir()
    foreign = tmp_path / "foreign"
    (foreign / "questions" / "torchdrill").mkdir(parents=True)
    done = run_grader("prairielearn", "--out", str(foreign), "--secret", SECRET, "--image", IMAGE)
    assert done.returncode == 2 and "was not made by `grader prairielearn`" in done.stderr


@pytest.mark.parametrize(
    "arguments, said",
    [(["--time-limit", "900"], "1 to 600 seconds"), ([], "give --image")],
    ids=["time-limit", "no-image"],
)
def test_a_build_prairielearn_would_refuse_is_a_usage_error(tmp_path, arguments, said):
    image = ["--image", IMAGE] if arguments else []
    done = run_grader("prairielearn", "--out", str(tmp_path / "out"), "--secret", SECRET, *image, *arguments)
    assert done.returncode == 2 and said in done.stderr
    assert not (tmp_path / "out" / "questions").exists()


def test_run_sh_is_valid_bash_and_always_leaves_results(tmp_path, built):
    """When Python cannot even start, PrairieLearn would show "could not read grading results": run.sh says more."""
    script = built / "serverFilesCourse" / "torchdrill" / "run.sh"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0
    env = {**os.environ, "TORCHDRILL_GRADE_ROOT": str(tmp_path), "TORCHDRILL_PYTHON": "/bin/false"}
    done = subprocess.run([str(script), "ex01_tensors", "60"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    validate(results)
    assert results["gradable"] is False and "could not start" in results["message"]


# --- grading jobs, for real -----------------------------------------------------------------


def grade_layout(built: Path, root: Path, files: dict[str, str], seed: int = 1234) -> Path:
    """A folder laid out as PrairieLearn mounts /grade: the serverFilesCourse folder the question lists,
    the learner's files, the question's data."""
    shutil.copytree(built / "serverFilesCourse" / "torchdrill", root / "serverFilesCourse" / "torchdrill")
    (root / "student").mkdir()
    for name, text in files.items():
        (root / "student" / name).write_text(text)
    (root / "data").mkdir()
    (root / "data" / "data.json").write_text(json.dumps({"params": {}, "variant_seed": seed, "submitted_answers": {}}))
    return root


def run_job(built: Path, root: Path, exercise: str) -> dict:
    """The question's entrypoint, as PrairieLearn runs it, with /grade moved to `root`."""
    info = json.loads((built / "questions" / "torchdrill" / exercise / "info.json").read_text())
    script, *arguments = info["externalGradingOptions"]["entrypoint"].replace("/grade", str(root), 1).split(" ")
    env = {**os.environ, "TORCHDRILL_GRADE_ROOT": str(root), "TORCHDRILL_PYTHON": sys.executable, "TORCHDRILL_SANDBOX": "none"}
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run([script, *arguments], check=False, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr  # PrairieLearn reads results.json only after exit 0
    results = json.loads((root / "results" / "results.json").read_text())
    validate(results)
    return results


def expected_tests(exercise: str) -> dict[str, bool]:
    """Test name -> hidden, for every run listed: each check on every machine's devices, its GPU runs as skipped tests."""
    return {
        f"{exercise}::{c.run_name(device)}" + ("" if device in devices.ALWAYS else " (skipped)"): c.hidden
        for c in load_suite(COURSE.suite(exercise))
        for device in c.devices
    }


@pytest.mark.slow
def test_a_solution_gets_full_marks(built, tmp_path):
    exercise = "ex12_devices"  # it has GPU checks: PrairieLearn has no GPU
    root = grade_layout(built, tmp_path, {f"{exercise}.py": (ROOT / "solutions" / f"{exercise}.py").read_text()})
    results = run_job(built, root, exercise)
    assert (results["gradable"], results["score"]) == (True, 1)
    tests = {t["name"]: t for t in results["tests"]}
    assert set(tests) == set(expected_tests(exercise))
    graded = {name: t for name, t in tests.items() if not name.endswith("(skipped)")}
    assert graded and all(t["points"] == t["max_points"] > 0 for t in graded.values())
    assert all(t["max_points"] == 0 and t["message"].startswith("skipped") for name, t in tests.items() if name not in graded)
    assert all(t["description"] for name, t in graded.items() if not expected_tests(exercise)[name])


@pytest.mark.slow
def test_the_stub_is_gradable_and_gets_nothing(built, tmp_path):
    exercise = "ex01_tensors"
    root = grade_layout(built, tmp_path, {f"{exercise}.py": COURSE.stub(exercise)})
    results = run_job(built, root, exercise)
    assert (results["gradable"], results["score"]) == (True, 0)
    assert set(t["name"] for t in results["tests"]) == set(expected_tests(exercise))
    graded = [t for t in results["tests"] if not t["name"].endswith("(skipped)")]  # its GPU runs say why they were not
    assert graded and all(t["message"].startswith("not started") for t in graded)
    assert any("hidden check" in t["message"] for t in results["tests"])


ATTACKER = '''
import json, os, sys
fake = {{"gradable": True, "score": 1.0, "message": "all passed", "tests": []}}
print(json.dumps(fake))  # fake results on stdout
for path in ({results!r}, "/grade/results/results.json"):  # and in the results file, where it can reach it
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            json.dump(fake, out)
    except OSError:
        pass
sys.stdout.flush()
os._exit(0)  # and leave at import, with success
'''


@pytest.mark.slow
def test_an_attacker_is_graded_without_harm_to_the_grader(built, tmp_path):
    """A module that prints fake results, writes a fake results.json and exits at import: graded, 0 points."""
    exercise = "ex01_tensors"
    attacker = ATTACKER.format(results=str(tmp_path / "results" / "results.json"))
    root = grade_layout(built, tmp_path, {f"{exercise}.py": attacker, "notes.txt": "not an exercise"})
    results = run_job(built, root, exercise)
    assert (results["gradable"], results["score"]) == (True, 0)
    assert set(t["name"] for t in results["tests"]) == set(expected_tests(exercise))
    assert all(t["points"] == 0 for t in results["tests"])
    visible = [t for t in results["tests"] if t["description"] != "hidden check" and not t["name"].endswith("(skipped)")]
    assert visible and all("exited with status 0" in t["message"] for t in visible)  # what happened, said
    assert "notes.txt" in results["output"]
