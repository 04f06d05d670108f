"""Variants: known-wrong and alternative implementations that prove a suite's checks.

A variant is a small file, `tests/variants/<exercise>/<name>.py`, whose code is
appended to the reference solution, so it redefines only what it changes:

    \"\"\"MyLinear.forward through `.data`: output right, no gradient reaches the weights.\"\"\"

    VERDICTS = {"my_linear_gradients": ("failed", "'weight.grad'")}

    class MyLinear(nn.Module):
        ...

`VERDICTS` maps a check name (for device checks, with or without `[cpu]`: only
the CPU run is graded here) to the status it must get and a text its message
must contain; every check not listed must pass. A correct alternative
implementation therefore has `VERDICTS = {}`. `python -m grader variants` runs
them all, and the self-test does too, so a check that cannot catch its classic
mistake (or rejects a valid alternative) is found at authoring time.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from grader import suites
from grader.grading import Grader, References, Target
from grader.results import CheckResult

VARIANTS_DIR = Path("tests") / "variants"


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


def discover(root: Path, exercises: list[str] | None = None) -> list[Variant]:
    found = []
    for path in sorted((root / VARIANTS_DIR).glob("*/*.py")):
        exercise = path.parent.name
        if exercises is None or exercise in exercises:
            found.append(Variant(exercise, path.stem, path, read_verdicts(path)))
    return found


def build(root: Path, variant: Variant, folder: Path) -> Path:
    """Write the variant's module (solution + variant code) into `folder`."""
    solution = (root / "solutions" / f"{variant.exercise}.py").read_text()
    module = folder / f"{variant.exercise}.py"
    module.write_text(f"{solution}\n\n# --- variant {variant.name} ---\n{variant.path.read_text()}")
    return module


def run(root: Path, variant: Variant, folder: Path, references: References | None = None) -> VariantReport:
    """Grade the variant and compare every status with what it declares."""
    build(root, variant, folder)
    grader = Grader(Target(variant.label, folder), references or References(root / "solutions"))
    checks = suites.load_suite(suites.suite_path(root, variant.exercise))
    results = [grader.grade(check, device) for check in checks for device in check.devices if device == "cpu"]
    report = VariantReport(variant, results)
    names = {r.name for r in results} | {r.name.removesuffix("[cpu]") for r in results}
    for name in variant.verdicts:
        if name not in names:
            report.problems.append(f"VERDICTS names {name!r}, which is not a check of {variant.exercise}")
    for result in results:
        bare = result.name.removesuffix("[cpu]")
        status, text = variant.verdicts.get(result.name, variant.verdicts.get(bare, ("passed", "")))
        if result.status != status:
            report.problems.append(f"{result.name}: expected {status}, got {result.status}: {result.message}")
        elif text not in result.message:
            report.problems.append(f"{result.name}: message lacks {text!r}: {result.message}")
    return report
