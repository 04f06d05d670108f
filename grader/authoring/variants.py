"""Variants: known-wrong and alternative implementations that prove a suite's checks.

A variant is a small file, `tests/variants/<exercise>/<name>.py`, whose code is
appended to the reference solution, so it redefines only what it changes:

    \"\"\"MyLinear.forward through `.data`: output right, no gradient reaches the weights.\"\"\"

    VERDICTS = {"my_linear_gradients": ("failed", "'weight.grad'")}

    class MyLinear(nn.Module):
        ...

`VERDICTS` maps a check name (for device checks, with or without `[cpu]`: the
runs on the devices every machine has, the CPU and `meta`, are graded here) to
the status it must get and a text its message must contain; every check not
listed must pass. A correct alternative
implementation therefore has `VERDICTS = {}`. `python -m grader variants` runs
them all, and the self-test does too, so a check that cannot catch its classic
mistake (or rejects a valid alternative) is found at authoring time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader.core.course import Course
from grader.core.plan import plan
from grader.core.references import References
from grader.core.results import CheckResult
from grader.core.session import Session, Target
from grader.core.suites import Registry, load_suite
from grader.run.devices import ALWAYS
from grader.run.executor import ForkExecutor


@dataclass(frozen=True)
class Variant:
    exercise: str
    name: str
    path: Path
    verdicts: dict[str, tuple[str, str]]

    @property
    def label(self) -> str:
        return f"{self.exercise}/{self.name}"


@dataclass
class VariantReport:
    variant: Variant
    results: list[CheckResult]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def read_verdicts(path: Path) -> dict[str, tuple[str, str]]:
    """The VERDICTS literal of a variant file, read without running the file."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "VERDICTS" for t in node.targets):
            verdicts = ast.literal_eval(node.value)
            return {name: (status, text) for name, (status, text) in verdicts.items()}
    raise ValueError(f"{path}: no VERDICTS = {{...}} assignment")


def discover(course: Course, exercises: list[str] | None = None) -> list[Variant]:
    found = []
    for path in sorted(course.variants.glob("*/*.py")):
        exercise = path.parent.name
        if exercises is None or exercise in exercises:
            found.append(Variant(exercise, path.stem, path, read_verdicts(path)))
    return found


def build(course: Course, variant: Variant, folder: Path) -> Path:
    """Write the variant's module (solution + variant code) into `folder`."""
    solution = course.solution(variant.exercise).read_text()
    module = folder / f"{variant.exercise}.py"
    module.write_text(f"{solution}\n\n# --- variant {variant.name} ---\n{variant.path.read_text()}")
    return module


def run(
    course: Course, variant: Variant, folder: Path, references: References | None = None, salts: int = 1
) -> VariantReport:
    """Grade the variant (its runs on the devices every machine has) and compare every status with
    what it declares; with `salts` > 1, its hidden checks again under that many course secrets, each
    of which must give the same verdicts (hidden checks randomise values, never coverage)."""
    build(course, variant, folder)
    checks = load_suite(course.suite(variant.exercise))
    executor = ForkExecutor(Registry(checks))
    references = references or References(course.solutions)
    session = Session(Target(variant.label, folder), references, executor)
    results = session.grade(plan(checks, executor.unusable, devices=ALWAYS))
    report = VariantReport(variant, results)
    names = {r.name for r in results} | {r.check for r in results}
    for name in variant.verdicts:
        if name not in names:
            report.problems.append(f"VERDICTS names {name!r}, which is not a check of {variant.exercise}")
    report.problems += _against_verdicts(variant, results)
    hidden = [c for c in checks if c.hidden]
    for salt in (f"salt-{number}" for number in range(1, salts)):
        salted = Session(Target(variant.label, folder), references, executor, salt=salt)
        report.problems += [f"with salt {salt!r}: {problem}" for problem in _against_verdicts(variant, salted.grade(plan(hidden, executor.unusable, devices=ALWAYS)))]
    return report


def _against_verdicts(variant: Variant, results: list[CheckResult]) -> list[str]:
    problems = []
    for result in results:
        status, text = variant.verdicts.get(result.name, variant.verdicts.get(result.check, ("passed", "")))
        if result.status != status:
            problems.append(f"{result.name}: expected {status}, got {result.status}: {result.message}")
        elif text not in result.message:
            problems.append(f"{result.name}: message lacks {text!r}: {result.message}")
    return problems
