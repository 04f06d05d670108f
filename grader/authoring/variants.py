"""Variants: known-wrong and alternative implementations that prove a suite's checks.

A variant is a small file, `tests/variants/<exercise>/<name>.py`, whose code is
appended to the reference solution, so it redefines only what it changes:

    \"\"\"MyLinear.forward through `.data`: output right, no gradient reaches the weights.\"\"\"

    VERDICTS = {"my_linear_gradients": ("failed", "'weight.grad'")}
    DIAGNOSIS = {"*": (".data", ".detach()")}

    class MyLinear(nn.Module):
        ...

`VERDICTS` maps a check name (for device checks, with or without `[cpu]`: the
runs on the devices every machine has, the CPU and `meta`, are graded here) to
the status it must get and a text its message must contain; every check not
listed must pass. A correct alternative
implementation therefore has `VERDICTS = {}`. `python -m grader variants` runs
them all, and the self-test does too, so a check that cannot catch its classic
mistake (or rejects a valid alternative) is found at authoring time.

`DIAGNOSIS` (optional, for known mistakes) says what a learner must read to know
*which* mistake it is: per failing check (or `"*"` for every failing check not
listed), one phrase or a tuple of alternatives. A check's result **names the
mistake** when its message (for an error, the exception's line) or its diagnosis
contains one of them, case aside; a diagnosis that contains none names another
mistake: it is **wrong**, and the variant does not behave as declared. Both
literals are read without running the file. `diagnosis_share` sums this up over
variants: the share of failing checks of known mistakes whose message or
diagnosis names the mistake.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from grader.core.course import Course
from grader.core.plan import plan
from grader.core.references import References
from grader.core.results import CheckResult, Status
from grader.core.session import Session, Target
from grader.core.suites import Registry, load_suite
from grader.run.devices import ALWAYS
from grader.run.executor import ForkExecutor

EVERY_CHECK = "*"  # a DIAGNOSIS key: every failing check the dict does not name
# A diagnosis opens with the key it is about, as Python writes it ('std', "it's"): a phrase must be in the rest.
KEY_FIRST = re.compile(r"""^(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s""")


class Naming(StrEnum):
    """What a failing check of a known mistake tells the learner about the mistake."""

    NAMED = "named"  # its message or diagnosis mentions what DIAGNOSIS declares
    UNNAMED = "unnamed"  # neither does, and there is no diagnosis to contradict it
    WRONG = "wrong"  # a diagnosis that mentions none of it: another mistake is named
    UNDECLARED = "undeclared"  # the variant's DIAGNOSIS says nothing about this check


@dataclass(frozen=True)
class Variant:
    exercise: str
    name: str
    path: Path
    verdicts: dict[str, tuple[str, str]]
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # DIAGNOSIS: check or "*" -> phrases

    @property
    def label(self) -> str:
        return f"{self.exercise}/{self.name}"

    def phrases(self, result: CheckResult) -> tuple[str, ...]:
        """What a right message or diagnosis of `result` mentions (one of them); () if undeclared."""
        for key in (result.name, result.check, EVERY_CHECK):
            if key in self.names:
                return self.names[key]
        return ()


@dataclass
class VariantReport:
    variant: Variant
    results: list[CheckResult]
    problems: list[str] = field(default_factory=list)
    namings: dict[str, Naming] = field(default_factory=dict)  # failing checks of a known mistake, by run name

    @property
    def ok(self) -> bool:
        return not self.problems


def _literal(path: Path, name: str) -> Any:
    """The value of the top-level assignment `name = <literal>` in `path`, or None."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == name for t in node.targets):
            return ast.literal_eval(node.value)
    return None


def read_verdicts(path: Path) -> dict[str, tuple[str, str]]:
    """The VERDICTS literal of a variant file, read without running the file."""
    verdicts = _literal(path, "VERDICTS")
    if verdicts is None:
        raise ValueError(f"{path}: no VERDICTS = {{...}} assignment")
    return {name: (status, text) for name, (status, text) in verdicts.items()}


def read_diagnosis(path: Path) -> dict[str, tuple[str, ...]]:
    """The DIAGNOSIS literal of a variant file (check or "*" -> phrases); {} when there is none."""
    declared = _literal(path, "DIAGNOSIS")
    if declared is None:
        return {}
    if not isinstance(declared, dict):
        raise ValueError(f"{path}: DIAGNOSIS must be a dict of check name (or '*') -> phrase or tuple of phrases")
    names = {}
    for check, phrases in declared.items():
        phrases = (phrases,) if isinstance(phrases, str) else phrases
        if not isinstance(check, str) or not isinstance(phrases, tuple) or not phrases or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            raise ValueError(f"{path}: DIAGNOSIS[{check!r}] must be a phrase or a tuple of phrases")
        names[check] = phrases
    return names


def discover(course: Course, exercises: list[str] | None = None) -> list[Variant]:
    found = []
    for path in sorted(course.variants.glob("*/*.py")):
        exercise = path.parent.name
        if exercises is None or exercise in exercises:
            found.append(Variant(exercise, path.stem, path, read_verdicts(path), read_diagnosis(path)))
    return found


def build(course: Course, variant: Variant, folder: Path) -> Path:
    """Write the variant's module (solution + variant code) into `folder`."""
    solution = course.solution(variant.exercise).read_text()
    module = folder / f"{variant.exercise}.py"
    module.write_text(f"{solution}\n\n# --- variant {variant.name} ---\n{variant.path.read_text()}")
    return module


def naming(variant: Variant, result: CheckResult) -> Naming | None:
    """Whether a failing check of a known mistake names it; None for a passed check or a correct alternative."""
    if not variant.verdicts or result.passed:
        return None
    phrases = [phrase.casefold() for phrase in variant.phrases(result)]
    if not phrases:
        return Naming.UNDECLARED
    # An error's message goes on with where it was raised and a traceback (the learner's own lines): its first line says it.
    said = result.message.partition("\n")[0] if result.status is Status.ERROR else result.message
    diagnosis = KEY_FIRST.sub("", result.diagnosis).casefold()  # the hint's own words, not the key it is about
    if diagnosis and not any(phrase in diagnosis for phrase in phrases):
        return Naming.WRONG
    if any(phrase in text for phrase in phrases for text in (said.casefold(), diagnosis)):
        return Naming.NAMED
    return Naming.UNNAMED


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
    report = assess(variant, session.grade(plan(checks, executor.unusable, devices=ALWAYS)))
    hidden = [c for c in checks if c.hidden]
    for salt in (f"salt-{number}" for number in range(1, salts)):
        salted = Session(Target(variant.label, folder), references, executor, salt=salt)
        again = assess(variant, salted.grade(plan(hidden, executor.unusable, devices=ALWAYS)), every_check=False)
        report.problems += [f"with salt {salt!r}: {problem}" for problem in again.problems]
    return report




def assess(variant: Variant, results: list[CheckResult], every_check: bool = True) -> VariantReport:
    """The variant's results against its VERDICTS (statuses, message texts) and DIAGNOSIS (what names the
    mistake); `every_check`: the results are of every check, so a name declared for none is a problem."""
    report = VariantReport(variant, results)
    names = {r.name for r in results} | {r.check for r in results}
    for name in variant.verdicts if every_check else ():
        if name not in names:
            report.problems.append(f"VERDICTS names {name!r}, which is not a check of {variant.exercise}")
    for name in variant.names if every_check else ():
        if name != EVERY_CHECK and name not in variant.verdicts:
            report.problems.append(f"DIAGNOSIS names {name!r}, which VERDICTS does not expect to fail")
    for result in results:
        status, text = variant.verdicts.get(result.name, variant.verdicts.get(result.check, ("passed", "")))
        if result.status != status:
            report.problems.append(f"{result.name}: expected {status}, got {result.status}: {result.message}")
        elif text not in result.message:
            report.problems.append(f"{result.name}: message lacks {text!r}: {result.message}")
        found = naming(variant, result)
        if found is not None:
            report.namings[result.name] = found
        if found is Naming.WRONG:
            report.problems.append(
                f"{result.name}: the diagnosis names another mistake: {result.diagnosis!r} "
                f"(DIAGNOSIS: {' | '.join(variant.phrases(result))})"
            )
    return report


@dataclass(frozen=True)
class Share:
    """How many failing checks of known mistakes name their mistake, per exercise and in all."""

    counts: dict[str, Counter[Naming]]  # exercise -> naming -> failing checks

    @property
    def total(self) -> Counter[Naming]:
        return sum(self.counts.values(), Counter())


def diagnosis_share(reports: list[VariantReport]) -> Share:
    counts: dict[str, Counter[Naming]] = {}
    for report in reports:
        counts.setdefault(report.variant.exercise, Counter()).update(report.namings.values())
    return Share(counts)
