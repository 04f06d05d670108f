"""Mutation testing: the operators, the grading of mutants, the report, and a sample of the real course."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.authoring import killing, reach
from grader.authoring.killing import Fate
from grader.authoring.mutants import Operator, make_mutants
from grader.commands import main
from grader.core import determinism
from grader.core.course import Course
from grader.core.references import References
from grader.core.stubs import AuthoringError
from grader.tests.conftest import COURSE, ROOT

# --- the operators, on a source of their own -------------------------------------------------

SOURCE = '''\
import torch


def outside(x):
    return x + 1 if x > 0 else x * 2


def inside(x, y, model, optimizer):
    """Every kind of mutation, once."""
    # BEGIN SOLUTION
    total = x + y * 2.5
    if total.sum() < 0 and y is not None:
        total = total.mean(dim=0, keepdim=True)
    model.eval()
    with torch.no_grad():
        copy = total.detach()
    return torch.cat([copy, total.to(x)], dim=-1)  # ± a comment
    # END SOLUTION


def dropped(values):
    # BEGIN SOLUTION
    count += 1

    def inner():
        nonlocal count

    return values
    # END SOLUTION


def more(x, training, optimizer):
    # BEGIN SOLUTION
    @torch.no_grad()
    def step(t):
        return t.item()

    if not training:
        x = x.float()
    optimizer.step(
        closure=None,
    )
    return max(step(x), 0)
    # END SOLUTION
'''

INSIDE = {
    "ex01_small:inside:L11:add->sub#0": "total = x - y * 2.5",
    "ex01_small:inside:L11:add->mult#0": "total = x * y * 2.5",
    "ex01_small:inside:L11:mult->div#0": "total = x + y / 2.5",
    "ex01_small:inside:L11:mult->add#0": "total = x + y + 2.5",
    "ex01_small:inside:L11:2.5->5.0#0": "total = x + y * 5.0",
    "ex01_small:inside:L11:2.5->0.0#0": "total = x + y * 0.0",
    "ex01_small:inside:L12:sum->mean#0": "if total.mean() < 0 and y is not None:",
    "ex01_small:inside:L12:lt->lte#0": "if total.sum() <= 0 and y is not None:",
    "ex01_small:inside:L12:lt->gt#0": "if total.sum() > 0 and y is not None:",
    "ex01_small:inside:L12:0->1#0": "if total.sum() < 1 and y is not None:",
    "ex01_small:inside:L12:and->or#0": "if total.sum() < 0 or y is not None:",
    "ex01_small:inside:L12:isnot->is#0": "if total.sum() < 0 and y is None:",
    "ex01_small:inside:L13:remove-stmt#0": "pass",  # rebinds `total`: removing it skips a step
    "ex01_small:inside:L13:mean->sum#0": "total = total.sum(dim=0, keepdim=True)",
    "ex01_small:inside:L13:dim=0->1#0": "total = total.mean(dim=1, keepdim=True)",
    "ex01_small:inside:L13:dim=0->-1#0": "total = total.mean(dim=-1, keepdim=True)",
    "ex01_small:inside:L13:keepdim=True->False#0": "total = total.mean(dim=0, keepdim=False)",
    "ex01_small:inside:L14:remove-stmt#0": "pass",
    "ex01_small:inside:L14:eval->train#0": "model.train()",
    "ex01_small:inside:L15:remove-no_grad#0": "if True:",
    "ex01_small:inside:L16:remove-detach#0": "copy = total",
    "ex01_small:inside:L17:cat->stack#0": "return torch.stack([copy, total.to(x)], dim=-1) # ± a comment",
    "ex01_small:inside:L17:remove-to#0": "return torch.cat([copy, total], dim=-1) # ± a comment",
    "ex01_small:inside:L17:dim=-1->0#0": "return torch.cat([copy, total.to(x)], dim=0) # ± a comment",
    "ex01_small:inside:L17:dim=-1->1#0": "return torch.cat([copy, total.to(x)], dim=1) # ± a comment",
}


def test_each_operator_makes_its_mutants_inside_regions_only():
    mutants = make_mutants("ex01_small", SOURCE)
    assert {m.id: m.after for m in mutants if m.function == "inside"} == INSIDE
    assert not [m for m in mutants if m.function == "outside"]
    assert {m.operator for m in mutants} == set(Operator)
    more = {m.id.split(":", 2)[2]: (m.after, m.description) for m in mutants if m.function == "more"}
    assert more == {
        "L34:remove-no_grad#0": ("@(lambda f: f)", "removed `@torch.no_grad()`"),
        "L36:remove-item#0": ("return t", "removed `.item()`"),
        "L38:not->#0": ("if training:", "`not` removed"),
        "L39:remove-stmt#0": ("pass", "removed `x = x.float()`"),
        "L39:remove-float#0": ("x = x", "removed `.float()`"),
        "L40:remove-stmt#0": ("pass", "removed `optimizer.step( closure=None, )`"),
        "L43:max->min#0": ("return min(step(x), 0)", "max(...) -> min(...)"),
        "L43:0->1#0": ("return max(step(x), 1)", "constant 0 -> 1"),
    }


def test_a_mutant_that_does_not_compile_is_dropped():
    ids = [m.id for m in make_mutants("ex01_small", SOURCE) if m.function == "dropped"]
    # Without `count += 1`, `nonlocal count` names no binding: a SyntaxError, so no such mutant.
    assert ids == [f"ex01_small:dropped:L23:{change}#0" for change in ("add->sub", "add->mult", "1->2", "1->0")]


def test_the_rest_of_the_file_stays_byte_identical_and_every_line_keeps_its_number():
    original = SOURCE.splitlines(keepends=True)
    for mutant in make_mutants("ex01_small", SOURCE):
        mutated = mutant.source(SOURCE)
        start, end = mutant.edit.start, mutant.edit.end
        assert mutated[:start] == SOURCE[:start] and mutated[start + len(mutant.edit.text) :] == SOURCE[end:]
        lines = mutated.splitlines(keepends=True)
        assert len(lines) == len(original), mutant.id
        changed = [n for n, (a, b) in enumerate(zip(original, lines), 1) if a != b]
        assert changed and changed[0] == mutant.line, mutant.id
        assert all(10 < n < 18 or 22 < n < 29 or 33 < n < 44 for n in changed), mutant.id  # inside the regions


def test_ids_are_unique_and_the_same_in_every_run():
    ids = [m.id for m in make_mutants("ex01_small", SOURCE)]
    assert len(set(ids)) == len(ids)
    script = "import sys; from grader.authoring.mutants import make_mutants; print([m.id for m in make_mutants('ex01_small', sys.stdin.read())])"
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}
    other = subprocess.run([sys.executable, "-c", script], input=SOURCE, capture_output=True, text=True, env=env, check=True)
    assert other.stdout.strip() == repr(ids)


def test_reach_follows_the_module_call_graph_and_the_suite_helpers():
    solution = "def a():\n    return 1\n\ndef b():\n    return a()\n\nclass C:\n    def m(self):\n        return b()\n\ndef lone():\n    pass\n"
    graph = reach.callers(solution)
    assert reach.reached_from("a", graph) == {"a", "b", "C"}
    assert reach.reached_from("lone", graph) == {"lone"}
    suite = textwrap.dedent(
        """
        def _helper(ex, n):
            return ex.b(n)

        def _named(value=0, module=None):
            return module.C()

        def direct(ex):
            return ex.lone()

        def through_helpers(ex):
            return _helper(ex, 1), _named(module=ex)

        def dynamic(ex):
            return getattr(ex, "a")()
        """
    )
    uses = reach.suite_uses(suite)
    assert uses["direct"] == {"lone"} and uses["through_helpers"] == {"b", "C"} and uses["dynamic"] is reach.EVERYTHING
    assert reach.reaching(["direct", "through_helpers", "dynamic"], uses, {"a", "b", "C"}) == ["through_helpers", "dynamic"]
    assert reach.reaching(["direct", "through_helpers"], uses, {"x", reach.MODULE_LEVEL}) == ["direct", "through_helpers"]


# --- a small course of its own: exact numbers and survivors ----------------------------------

SOLUTION = '''\
import time

import torch


def scale(x):
    # BEGIN SOLUTION
    return x * 3
    # END SOLUTION


def scale_twice(x):
    return scale(scale(x))


def total(x):
    # BEGIN SOLUTION
    return x.sum()
    # END SOLUTION


def wait_then_copy(x):
    # BEGIN SOLUTION
    time.sleep(0 * 60)
    return x.clone()
    # END SOLUTION


def unchecked(x):
    # BEGIN SOLUTION
    return x.detach()
    # END SOLUTION
'''

SUITE = """
import torch
from grader import check


@check()
def scale_twice_of_ones(ex):
    return {"scaled": ex.scale_twice(torch.ones(2))}


@check()
def total_of_one_value(ex):
    return {"total": ex.total(torch.tensor([2.0]))}


@check()
def copy_is_a_copy(ex):
    x = torch.arange(3.0)
    copy = ex.wait_then_copy(x)
    return {"copy": copy, "shares memory": copy.data_ptr() == x.data_ptr()}
"""

EQUIVALENTS = """
"ex01_small:wait_then_copy:L24:mult->div#0" = "0 / 60 is 0 too: no pause either way"
"ex01_small:wait_then_copy:L24:60->61#0" = "0 * 61 is 0 too"
"ex01_small:wait_then_copy:L24:60->59#0" = "0 * 59 is 0 too"
"ex01_small:wait_then_copy:L24:remove-stmt#0" = "sleeping 0 s does nothing"
"ex01_small:wait_then_copy:L24:0->1#0" = "recorded by mistake: it sleeps a minute"
"ex01_small:gone:L3:add->sub#0" = "a mutant of code since removed"
"""


@pytest.fixture
def small_course(tmp_path: Path) -> Course:
    (tmp_path / "catalog.toml").write_text('format_version = 1\n[[exercise]]\nname = "ex01_small"\ntitle = "Small"\n')
    for folder in ("solutions", "tests/variants/ex01_small", "data"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "solutions" / "ex01_small.py").write_text(SOLUTION)
    (tmp_path / "tests" / "test_ex01_small.py").write_text(SUITE)
    (tmp_path / "tests" / "variants" / "ex01_small" / killing.EQUIVALENTS_FILE).write_text(EQUIVALENTS)
    return Course(tmp_path)


def test_the_report_counts_kills_equivalents_and_survivors_exactly(small_course, tmp_path):
    determinism.configure_process()
    workdir = tmp_path / "work"
    workdir.mkdir()
    report = killing.grade_exercise(small_course, "ex01_small", References(small_course.solutions), workdir, jobs=2)
    fates = {g.mutant.id.removeprefix("ex01_small:"): (g.fate, g.by) for g in report.graded}
    assert fates == {
        "scale:L8:mult->div#0": (Fate.KILLED, "scale_twice_of_ones (failed)"),  # reached through scale_twice
        "scale:L8:mult->add#0": (Fate.KILLED, "scale_twice_of_ones (failed)"),
        "scale:L8:3->4#0": (Fate.KILLED, "scale_twice_of_ones (failed)"),
        "scale:L8:3->2#0": (Fate.KILLED, "scale_twice_of_ones (failed)"),
        "total:L18:sum->mean#0": (Fate.SURVIVED, ""),  # the mean of one value is its sum
        "wait_then_copy:L24:remove-stmt#0": (Fate.EQUIVALENT, "sleeping 0 s does nothing"),
        "wait_then_copy:L24:0->1#0": (Fate.KILLED, "copy_is_a_copy (timeout)"),  # after seconds, not the check's 10
        "wait_then_copy:L24:mult->div#0": (Fate.EQUIVALENT, "0 / 60 is 0 too: no pause either way"),
        "wait_then_copy:L24:mult->add#0": (Fate.KILLED, "copy_is_a_copy (timeout)"),
        "wait_then_copy:L24:60->61#0": (Fate.EQUIVALENT, "0 * 61 is 0 too"),
        "wait_then_copy:L24:60->59#0": (Fate.EQUIVALENT, "0 * 59 is 0 too"),
        "wait_then_copy:L25:remove-clone#0": (Fate.KILLED, "copy_is_a_copy (failed)"),
        "unchecked:L31:remove-detach#0": (Fate.SURVIVED, "no check reaches it"),
    }
    assert (len(report.graded), report.count(Fate.KILLED), report.count(Fate.EQUIVALENT), len(report.survivors)) == (13, 7, 4, 2)
    assert report.rate == 7 / 9 and not report.passes and report.broken == []
    assert report.problems == [
        f"{killing.EQUIVALENTS_FILE}: no mutant ex01_small:gone:L3:add->sub#0 any more",
        f"{killing.EQUIVALENTS_FILE}: ex01_small:wait_then_copy:L24:0->1#0 is recorded as equivalent, but copy_is_a_copy (timeout) kills it",
    ]


def test_the_command_prints_the_table_and_each_survivor_and_exits_1_below_the_threshold(small_course, monkeypatch, capsys):
    equivalents = small_course.variants_of("ex01_small") / killing.EQUIVALENTS_FILE
    equivalents.write_text('"ex01_small:total:L18:sum->mean#0" = "one value: its mean is its sum"\n')
    solution = small_course.solution("ex01_small")
    solution.write_text(solution.read_text().replace("time.sleep(0 * 60)\n", ""))  # no pauses: a quicker run
    monkeypatch.chdir(small_course.root)
    assert main(["mutants", "ex01", "--jobs", "2"]) == 1
    out = capsys.readouterr().out
    assert "ex01_small: 7 mutants graded in" in out
    assert "ex01_small        7       5           1          1      83.3%  <- below" in out
    assert "  ex01_small:unchecked:L30:remove-detach#0: removed `.detach()` (no check reaches it)" in out
    assert "    L30 - return x.detach()\n    L30 + return x\n" in out
    assert "below 95%: ex01_small" in out
    equivalents.write_text(equivalents.read_text() + '"ex01_small:unchecked:L30:remove-detach#0" = "never called"\n')
    assert main(["mutants", "ex01_small"]) == 0
    assert "ex01_small        7       5           2          0     100.0%" in capsys.readouterr().out


def test_a_check_the_solution_fails_is_reported_and_left_out(small_course, tmp_path):
    solution, suite = small_course.solution("ex01_small"), small_course.suite("ex01_small")
    solution.write_text(solution.read_text().replace("time.sleep(0 * 60)\n", ""))
    suite.write_text(suite.read_text().replace('{"total": ', '{"module file": ex.__file__, "total": '))  # differs: never passes
    workdir = tmp_path / "work"
    workdir.mkdir()
    report = killing.grade_exercise(small_course, "ex01_small", References(small_course.solutions), workdir)
    assert [b.partition(":")[0] for b in report.broken] == ["total_of_one_value does not pass on the solution (failed)"]
    fates = {g.mutant.id: (g.fate, g.by) for g in report.graded}
    assert fates["ex01_small:total:L18:sum->mean#0"] == (Fate.SURVIVED, "only checks that fail on the solution reach it")
    assert report.count(Fate.KILLED) == 5 and not report.passes


def test_an_equivalent_without_a_reason_is_refused(small_course):
    small_course.variants_of("ex01_small").joinpath(killing.EQUIVALENTS_FILE).write_text('"ex01_small:total:L18:sum->mean#0" = ""\n')
    with pytest.raises(AuthoringError, match="give each mutant id a reason"):
        killing.read_equivalents(small_course, "ex01_small")


# --- the real course: a bounded sample, every one killed ------------------------------------

SAMPLE = 2  # mutants per exercise: the same ones every run (by a hash of their ids)
REFERENCES = References(COURSE.solutions)  # computed once per exercise, shared by its mutants


@pytest.mark.parametrize("exercise", COURSE.catalog.names)
def test_a_sample_of_the_course_mutants_is_killed(exercise, tmp_path):
    determinism.configure_process()
    report = killing.grade_exercise(COURSE, exercise, REFERENCES, tmp_path, size=SAMPLE)
    assert len(report.graded) == SAMPLE and report.broken == [] and report.problems == []
    alive = [f"{g.mutant.id}: {g.mutant.description} ({g.mutant.before} -> {g.mutant.after})" for g in report.survivors]
    assert alive == [], "strengthen a check, or record the mutant as equivalent (docs/mutants.md)"
