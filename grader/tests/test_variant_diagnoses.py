"""What a failing check of a known mistake tells the learner: the DIAGNOSIS declaration of variants, and its share."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.authoring import variants
from grader.authoring.variants import Naming, Variant, assess, diagnosis_share, naming, read_diagnosis
from grader.core.results import CheckResult
from grader.tests.conftest import COURSE, run_grader


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "mistake.py"
    path.write_text(f'"""A mistake."""\n\nVERDICTS = {{"grad_check": ("failed", "\'grad\'")}}\n{body}\n')
    return path


def test_diagnosis_is_read_without_running_the_file(tmp_path):
    path = write(tmp_path, 'DIAGNOSIS = {"*": "sum instead of a mean", "other": ("a", "b")}\nraise SystemExit("never run")')
    assert read_diagnosis(path) == {"*": ("sum instead of a mean",), "other": ("a", "b")}
    assert read_diagnosis(write(tmp_path, "")) == {}


@pytest.mark.parametrize(
    "literal", ['"text"', '{"*": ()}', '{"*": ("",)}', '{"*": 3}'], ids=["not-a-dict", "empty", "blank", "number"]
)
def test_a_malformed_diagnosis_is_refused(tmp_path, literal):
    with pytest.raises(ValueError, match="DIAGNOSIS"):
        read_diagnosis(write(tmp_path, f"DIAGNOSIS = {literal}"))


MISTAKE = Variant(
    "ex02_autograd",
    "sum_for_mean",
    Path("sum_for_mean.py"),
    {"grad_check": ("failed", "'grad'"), "crash_check": ("error", "RuntimeError")},
    {"*": ("sum instead of a mean", "1/n"), "crash_check": ("retain_graph",)},
)


DIFFER = "'grad': 2 of 2 elements differ"


def result(name: str, status: str = "failed", message: str = DIFFER, diagnosis: str = "") -> CheckResult:
    return CheckResult("ex02_autograd", name, status, 0.0, 1.0, message, diagnosis=diagnosis)


@pytest.mark.parametrize(
    "found, expected",
    [
        (result("grad_check", diagnosis="'grad' looks like a sum instead of a mean, or a missing 1/n"), Naming.NAMED),
        (result("grad_check", message="'mean of grad (1/n)': wrong value"), Naming.NAMED),
        (result("grad_check"), Naming.UNNAMED),
        (result("grad_check", diagnosis="'grad' has the sign flipped"), Naming.WRONG),
        # The key a hint is about is not its claim: a wrong hint on a well-named key is still wrong.
        (result("grad_check", diagnosis="'sum instead of a mean' has the sign flipped"), Naming.WRONG),
        # An error says it in its first line; the traceback below quotes the learner's own code.
        (result("crash_check", "error", "RuntimeError: backward twice\n  at f.py:3\n    y.backward(retain_graph=True)"),
         Naming.UNNAMED),
        (result("crash_check", "error", "RuntimeError: pass retain_graph=True\n  at f.py:3"), Naming.NAMED),
        (result("grad_check", "passed", ""), None),
    ],
    ids=["diagnosis", "message", "unnamed", "wrong", "key-is-not-a-claim", "traceback", "error-line", "passed"],
)
def test_a_failing_check_names_the_mistake_or_not(found, expected):
    assert naming(MISTAKE, found) == expected


def test_undeclared_checks_and_correct_alternatives():
    undeclared = Variant("ex02_autograd", "old", Path("old.py"), {"grad_check": ("failed", "")})
    assert naming(undeclared, result("grad_check")) is Naming.UNDECLARED
    alternative = Variant("ex02_autograd", "other_form", Path("other_form.py"), {})
    assert naming(alternative, result("grad_check")) is None


def test_a_wrong_diagnosis_is_a_problem_and_every_failing_check_is_counted():
    wrong = result("grad_check", diagnosis="'grad' has the sign flipped")
    report = assess(MISTAKE, [wrong, result("crash_check", "error", "RuntimeError: pass retain_graph=True")])
    assert report.namings == {"grad_check": Naming.WRONG, "crash_check": Naming.NAMED}
    assert [p for p in report.problems if "names another mistake" in p] == [
        "grad_check: the diagnosis names another mistake: \"'grad' has the sign flipped\" "
        "(DIAGNOSIS: sum instead of a mean | 1/n)"
    ]
    share = diagnosis_share([report, assess(MISTAKE, [result("grad_check"), result("crash_check", "error", "x")])])
    assert share.counts["ex02_autograd"] == {Naming.WRONG: 1, Naming.NAMED: 1, Naming.UNNAMED: 2}
    assert sum(share.total.values()) == 4


def test_diagnosis_may_only_name_checks_that_fail():
    stray = Variant("ex02_autograd", "stray", Path("stray.py"), {"grad_check": ("failed", "")}, {"other_check": ("x",)})
    assert assess(stray, [result("grad_check")]).problems == [
        "DIAGNOSIS names 'other_check', which VERDICTS does not expect to fail"
    ]


@pytest.mark.parametrize("variant", [v for v in variants.discover(COURSE) if v.verdicts], ids=lambda v: v.label)
def test_every_known_mistake_says_what_names_it(variant):
    assert variant.names, "a known-mistake variant declares DIAGNOSIS: what its messages or diagnoses must mention"
    assert set(variant.names) <= {"*", *variant.verdicts}


def test_the_command_prints_the_share_after_the_verdicts():
    done = run_grader("variants", "ex01")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    verdicts = next(i for i, line in enumerate(lines) if "variants behave as declared" in line)
    assert lines[verdicts + 1].startswith("diagnoses: ")
    assert "failing checks of known mistakes name the mistake" in lines[verdicts + 1]
    assert lines[verdicts + 1].endswith(", 0 wrong")
    assert any(line.split()[:1] == ["ex01_tensors"] for line in lines[verdicts + 2 :])
