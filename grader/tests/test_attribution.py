"""A check over several functions: each failure names the function it belongs to, and a wrong
function is reported as wrong while another function of the check is still a stub.

The probes below are read by `grader.core.attribution` from this file's source, as a suite's are.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from grader.commands import main
from grader.core.attribution import attribute
from grader.core.checks import check
from grader.core.observations import normalise
from grader.core.results import Status
from grader.core.scoring import judge
from grader.core.wire import ErrorInfo, OutcomeKind, ProbeOutcome, RawRun, Stop, encode, outcome
from grader.tests.test_learner_cli import trim_catalog


def _scaled(ex, x):
    return ex.scale(x)


def two_functions(ex):
    total, scaled = ex.total(torch.tensor([1.0, 2.0])), _scaled(ex, torch.tensor([1.0, 2.0]))
    return {"total": total, "scaled": scaled, "both": ex.total(scaled)}


def changes_in_place(ex):
    x = torch.ones(2)
    made = ex.scale(x)
    ex.shift(x)  # may change `made` too, a view of x: a suspect, not the first
    return {"made": made}


def opaque(ex):
    return {"found": getattr(ex, "total")(torch.ones(1))}


def test_each_key_depends_on_the_functions_that_reach_it_helpers_followed():
    found = attribute(two_functions)
    assert found.used == {"total", "scale"}
    assert found.of("total") == {"total"} and found.named("scaled") == {"scale"}
    assert found.of("scaled") == {"scale", "total"}  # `ex.total(scaled)` may change it in place
    assert found.of("both") == {"total", "scale"} and found.named("scaled[0]") == {"scale"}  # a flattened key
    late = attribute(changes_in_place)
    assert late.of("made") == {"scale", "shift"} and late.named("made") == {"scale"}
    assert attribute(opaque).of("found") is None  # cannot say: blame no one


def outcomes(reference: dict, learner: dict, pending: tuple[str, ...] = ()) -> tuple[ProbeOutcome, ProbeOutcome]:
    stub = ErrorInfo("NotImplementedError", "scale", "ex.py:3 in scale", "scale")
    made = ProbeOutcome(OutcomeKind.OBSERVATIONS, normalise(reference))
    if not pending:
        return made, ProbeOutcome(OutcomeKind.OBSERVATIONS, normalise(learner))
    return made, ProbeOutcome(OutcomeKind.RAISED, normalise(learner), stub, pending=pending)


def two_functions_check():  # made when needed: a Check at module level would be collected as a learner's check
    return check(points=2)(two_functions)
REFERENCE = {"total": torch.tensor(3.0), "scaled": torch.tensor([2.0, 4.0]), "both": torch.tensor(6.0)}


def test_a_failure_names_the_function_it_belongs_to():
    wrong = {**REFERENCE, "total": torch.tensor(4.0), "both": torch.tensor(7.0)}
    got = judge(two_functions_check(), "cpu", *outcomes(REFERENCE, wrong))
    assert got.status is Status.FAILED
    lines = got.message.splitlines()
    assert lines[0].startswith("in `total`: 'total'")
    # A key that depends on every function of the check names none of them: that would say nothing.
    assert any(line.startswith("'both'") for line in lines)


def test_a_wrong_function_fails_while_another_is_still_a_stub():
    pending = {"total": torch.tensor(4.0), "scaled": "<scale is still a stub>", "both": "<scale is still a stub>"}
    got = judge(two_functions_check(), "cpu", *outcomes(REFERENCE, pending, ("scale",)))
    assert got.status is Status.FAILED and got.message.startswith("in `total`: 'total'")
    assert "'both'" not in got.message and "'scaled'" not in got.message  # those wait for `scale`
    assert "`scale` still raises NotImplementedError" in got.message

    right_so_far = {**pending, "total": torch.tensor(3.0)}
    got = judge(two_functions_check(), "cpu", *outcomes(REFERENCE, right_so_far, ("scale",)))
    assert got.status is Status.NOT_STARTED and "`scale` still raises NotImplementedError" in got.message


def test_the_stubs_stood_in_for_cross_the_wire_checked():
    body = encode({"kind": "raised", "error": ErrorInfo("NotImplementedError", "m").__dict__, "pending": ["scale"]}, {"total": 1})
    got = outcome(RawRun(body, 0, Stop.NONE, "", 0.0), 1.0)
    assert got.kind is OutcomeKind.RAISED and got.pending == ("scale",) and got.observations == {"total": 1}
    forged = encode({"kind": "raised", "pending": "scale"})
    assert outcome(RawRun(forged, 0, Stop.NONE, "", 0.0), 1.0).kind is OutcomeKind.CRASHED


def with_body(path: Path, function: str, body: str) -> None:
    """`function`'s body (its stub's raise, or the line a previous call wrote) replaced by `body`."""
    source = path.read_text()
    start = source.index(f"def {function}(")
    line = source.index("\n", source.index('"""', source.index('"""', start) + 3)) + 1  # after the docstring
    end = source.index("\n", line)
    path.write_text(source[:line] + f"    {body}" + source[end:])


@pytest.fixture
def course(course_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(course_copy)
    return trim_catalog(course_copy, 1)


def test_run_reports_the_wrong_function_of_a_check_whose_other_function_is_a_stub(course, capsys):
    exercise = course / "exercises" / "ex01_tensors.py"
    assert main(["run", "ex01::matrix_and_dot"]) == 1
    assert "`matrix_product` still raises NotImplementedError" in capsys.readouterr().out  # both stubs

    with_body(exercise, "matrix_product", "return a @ b + 1")
    assert main(["run", "ex01::matrix_and_dot"]) == 1
    out = capsys.readouterr().out
    assert "✗ matrix_and_dot_products" in out and "in `matrix_product`: 'a @ b'" in out
    assert "(`dot` still raises NotImplementedError: the rest of this check waits for it)" in out

    with_body(exercise, "matrix_product", "return a @ b * dot(a[0], a[0])")  # made with the stub: not judged yet
    assert main(["run", "ex01::matrix_and_dot"]) == 1
    out = capsys.readouterr().out
    assert "· matrix_and_dot_products" in out and "`dot` still raises NotImplementedError" in out and "in `" not in out

    with_body(exercise, "matrix_product", "return a @ b")
    assert main(["run", "ex01::matrix_and_dot"]) == 1
    out = capsys.readouterr().out
    assert "· matrix_and_dot_products" in out and "`dot` still raises NotImplementedError" in out

    with_body(exercise, "dot", "return (u * v).sum() + 1")
    assert main(["run", "ex01::matrix_and_dot"]) == 1
    out = capsys.readouterr().out
    assert "in `dot`: 'dot'" in out and "a @ b" not in out and "still raises" not in out
