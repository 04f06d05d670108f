"""End to end: `python -m grader grade` in a fresh process, as `make grade` runs it."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from grader.run import devices
from grader.tests.conftest import COURSE
from grader.tests.conftest import ROOT, read_results, run_grader

EXIT_OK, EXIT_NOT_PASSED, EXIT_USAGE = 0, 1, 2


def statuses(data: dict) -> set[str]:
    """Every status seen; gpu variants may be `skipped` here, and only where CUDA is absent."""
    seen = {c["status"] for c in data["checks"]}
    skipped = [c["name"] for c in data["checks"] if c["status"] == "skipped"]
    assert all(name.endswith("[cuda]") for name in skipped) and not (skipped and devices.available("cuda"))
    return seen - {"skipped"} if skipped else seen


def test_untouched_stubs_are_all_not_started_with_total_zero(tmp_path):
    results = tmp_path / "results.json"
    done = run_grader("grade", "--json", str(results))
    assert done.returncode == EXIT_NOT_PASSED, done.stderr
    data = json.loads(results.read_text())
    assert data["score"] == 0 and data["max_score"] > 0
    assert statuses(data) == {"not_started"}
    assert [f["exercise"] for f in data["files"]] == COURSE.catalog.names
    assert "Total" in done.stdout
    for name in COURSE.catalog.names:
        assert name in done.stdout


def test_solutions_copied_over_exercises_earn_full_marks(course_copy):
    for solution in (course_copy / "solutions").glob("ex*.py"):
        shutil.copy(solution, course_copy / "exercises" / solution.name)
    done = run_grader("grade", "--jobs", "2", cwd=course_copy)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    data = json.loads((course_copy / "results.json").read_text())
    assert data["score"] == data["max_score"] > 0
    assert statuses(data) == {"passed"}
    assert all(f["sha256"] and len(f["sha256"]) == 64 for f in data["files"])
    assert data["environment"]["torch"].startswith("2.13.0")


def test_one_exercise_alone_by_prefix(tmp_path):
    results = tmp_path / "results.json"
    done = run_grader("grade", "ex02", "--details", "--json", str(results))
    assert done.returncode == EXIT_NOT_PASSED
    assert {c["exercise"] for c in json.loads(results.read_text())["checks"]} == {"ex02_autograd"}
    assert "still raises NotImplementedError" in done.stdout


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_checks_of_one_file_share_a_child(tmp_path, jobs):
    """`grade` runs a file's checks in one child, as the learner loop and class grading do (with
    --jobs, pytest-xdist hands a worker whole files): a child per check would import the learner's
    file, and what it imports, once per check. Each check still imports the file afresh."""
    folder = tmp_path / "learner"
    folder.mkdir()
    pids = tmp_path / "pids"
    for name in ("ex01_tensors", "ex03_modules"):
        source = (ROOT / "solutions" / f"{name}.py").read_text()
        (folder / f"{name}.py").write_text(f"import os\nwith open({str(pids)!r}, 'a') as f: f.write(f'{{os.getpid()}}\\n')\n" + source)
    results = tmp_path / "results.json"
    done = run_grader("grade", "ex01", "ex03", "--target", str(folder), "--jobs", jobs, "--json", str(results))
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    graded = [r for r in read_results(results).values() if r["status"] != "skipped"]
    imports = pids.read_text().split()
    assert len(imports) == len(graded) + 2  # each check's own import, and one import first per file
    assert len(set(imports)) == 2  # one child per file


def test_unknown_exercise_is_a_usage_error():
    done = run_grader("grade", "ex99")
    assert done.returncode == EXIT_USAGE
    assert "no single exercise matches 'ex99'" in done.stderr


def test_the_generator_check_passes_on_the_repository():
    assert run_grader("generate", "--check").returncode == EXIT_OK


# --- learner code that misbehaves ------------------------------------------------

MISBEHAVING = """
import os, sys, torch


def double_square_grad(x):
    sys.exit(0)


def accumulate_then_clear(x):
    os._exit(0)


def detached_product_grad(x):
    while True:
        pass


class AlwaysEqual:
    def __eq__(self, other):
        return True


def sum_product_grads(a, b, c):
    print("PASSED 100/100")
    return AlwaysEqual(), AlwaysEqual(), AlwaysEqual()


class Sneaky(torch.Tensor):
    pass


def mean_of_squares_grad(x):
    return torch.full_like(x, 12.0).as_subclass(Sneaky)
"""


def misbehaving_folder(tmp_path: Path, ex02_source: str) -> Path:
    folder = tmp_path / "learner"
    folder.mkdir()
    shutil.copy(ROOT / "solutions" / "ex01_tensors.py", folder)
    (folder / "ex02_autograd.py").write_text(ex02_source)
    return folder


def grade_folder(folder: Path, tmp_path: Path) -> tuple[int, dict[str, dict]]:
    results = tmp_path / "results.json"
    done = run_grader(
        "grade", "ex01", "ex02", "--target", str(folder), "--timeout", "1", "--json", str(results)
    )
    return done.returncode, read_results(results)


def test_misbehaving_functions_earn_nothing_and_a_correct_exercise_beside_them_earns_all(tmp_path):
    source = (ROOT / "solutions" / "ex02_autograd.py").read_text() + textwrap.dedent(MISBEHAVING)
    code, results = grade_folder(misbehaving_folder(tmp_path, source), tmp_path)
    assert code == EXIT_NOT_PASSED
    expected = {
        "double_square_grad_at_arange": ("error", "sys.exit(0)"),
        "gradients_accumulate_then_clear": ("crashed", "os._exit"),
        "detach_makes_a_constant": ("timeout", "did not finish within 1 s"),
        "chain_rule_on_a_small_graph": ("failed", "AlwaysEqual"),
        "mean_of_squares_at_2_3": ("failed", "tensor subclass"),
    }
    for name, (status, text) in expected.items():
        result = results[f"ex02_autograd::{name}"]
        assert (result["status"], result["points"]) == (status, 0), result
        assert text in result["message"]
    assert "PASSED 100/100" in results["ex02_autograd::chain_rule_on_a_small_graph"]["output"]
    assert results["ex02_autograd::one_sgd_step"]["status"] == "passed"  # untouched functions still count
    ex01 = [r for key, r in results.items() if key.startswith("ex01")]
    graded = [r for r in ex01 if r["status"] != "skipped"]  # a GPU run is skipped where there is none
    assert graded and all(r["status"] == "passed" and r["points"] == r["max_points"] for r in graded)
    assert all(r["device"] not in ("cpu", "meta") for r in ex01 if r not in graded)


@pytest.mark.parametrize(
    "source, text",
    [
        ("import torch\nraise RuntimeError('broken at import')\n", "RuntimeError: broken at import"),
        ("def double_square_grad(x:\n    return x\n", "SyntaxError"),
        ("import sys\nsys.exit(0)\n", "sys.exit(0) while being imported"),
    ],
    ids=["raises-at-import", "syntax-error", "exits-at-import"],
)
def test_a_file_that_cannot_be_imported_fails_its_exercise_only(tmp_path, source, text):
    code, results = grade_folder(misbehaving_folder(tmp_path, source), tmp_path)
    assert code == EXIT_NOT_PASSED
    ran = {key: r for key, r in results.items() if r["status"] != "skipped"}  # GPU runs, where there is none
    ex02 = [r for key, r in ran.items() if key.startswith("ex02")]
    assert ex02 and all(r["status"] == "error" and r["points"] == 0 and text in r["message"] for r in ex02)
    assert all(r["status"] == "passed" for key, r in ran.items() if key.startswith("ex01"))
    assert all(r["device"] not in ("cpu", "meta") for r in results.values() if r["status"] == "skipped")


# --- gpu-marked checks -------------------------------------------------------------

DEVICE_SUITE = """
import torch
from grader import check


@check(devices=("cpu", "cuda"))
def doubled_on_device(ex, device):
    out = ex.double(torch.arange(3.0, device=device))
    return {"out": out.cpu(), "stays on the device": out.device.type == device.type}
"""


@pytest.fixture
def device_course(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "conftest.py", tmp_path)
    (tmp_path / "catalog.toml").write_text('format_version = 1\n[[exercise]]\nname = "ex01_dev"\ntitle = "Devices"\n')
    for folder in ("solutions", "exercises", "tests"):
        (tmp_path / folder).mkdir()
    for folder in ("solutions", "exercises"):
        (tmp_path / folder / "ex01_dev.py").write_text("def double(x):\n    return 2 * x\n")
    (tmp_path / "tests" / "test_ex01_dev.py").write_text(DEVICE_SUITE)
    return tmp_path


def test_gpu_checks_run_where_cuda_exists_and_are_skipped_with_the_reason_elsewhere(device_course):
    done = run_grader("grade", cwd=device_course)
    results = read_results(device_course / "results.json")
    assert results["ex01_dev::doubled_on_device[cpu]"]["status"] == "passed"
    cuda = results["ex01_dev::doubled_on_device[cuda]"]
    if devices.available("cuda"):
        assert cuda["status"] == "passed"
    else:
        assert done.returncode == EXIT_OK
        assert cuda["status"] == "skipped"
        assert "no cuda device is available" in cuda["message"]
        assert "skipped: needs cuda" in done.stdout


def test_gpu_require_turns_missing_cuda_into_a_failure(device_course):
    if devices.available("cuda"):
        pytest.skip("this machine has CUDA: --gpu=require has nothing to refuse")
    done = run_grader("grade", "--gpu", "require", cwd=device_course)
    assert done.returncode == EXIT_NOT_PASSED
    assert read_results(device_course / "results.json")["ex01_dev::doubled_on_device[cuda]"]["status"] == "error"
