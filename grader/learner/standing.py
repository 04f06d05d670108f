"""Where the learner stands: the latest verdict of every exercise, graded only when stale.

`results.json` in the course folder holds the latest verdicts (`grade` writes
it; `run`, `list` and `watch` merge what they grade into it). A verdict found
there is reused while it still holds: the same exercise file (sha256), its suite
and reference (solution or golden) not changed since, the same grader version, and every
declared check present (`grade -k` leaves some out). The exercise file is the one that holds
the learner's work: `exercises/exNN.py`, or a notebook (`grader.learner.notebooks.work`). So `list` answers at once,
without importing torch, when nothing changed; otherwise only the stale
exercises are graded, in this process (`grader.learner.runner`).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from grader import __version__
from grader.core import state
from grader.core.course import Course
from grader.core.results import CheckResult, ExerciseState, Submission, exercise_state, sha256_of
from grader.learner.notebooks import work

if TYPE_CHECKING:
    from grader.learner.runner import Runner

TARGET = "exercises"


def declared_checks(suite: Path) -> set[str]:
    """Names of the `@check` probes a suite declares, read without importing it (or torch)."""
    tree = ast.parse(suite.read_text(), str(suite))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(_is_check(d) for d in node.decorator_list)
    }


def _is_check(decorator: ast.expr) -> bool:
    called = decorator.func if isinstance(decorator, ast.Call) else decorator
    return (isinstance(called, ast.Name) and called.id == "check") or (
        isinstance(called, ast.Attribute) and called.attr == "check"
    )


class Standing:
    """The learner's verdicts, from `results.json` where still true, graded where not."""

    def __init__(self, course: Course, runner: Runner | None = None) -> None:
        self.course = course
        self.latest = self._read_latest()
        self._runner = runner

    @property
    def runner(self) -> Runner:
        """Created on first need: it imports torch."""
        if self._runner is None:
            from grader.core.session import Target
            from grader.learner.runner import Runner

            self._runner = Runner(self.course, Target(TARGET, self.course.exercises))
        return self._runner

    def _read_latest(self) -> Submission | None:
        try:
            latest = Submission.read_json(self.course.results_file)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return latest if latest.target == TARGET else None

    def cached(self, exercise: str) -> list[CheckResult] | None:
        """The exercise's checks from `results.json`, if that verdict still holds."""
        latest = self.latest
        if latest is None or latest.environment.get("grader") != __version__:
            return None
        recorded = next((f for f in latest.files if f.exercise == exercise), None)
        source = work.find(self.course, exercise).path
        if recorded is None or recorded.path != str(source) or recorded.sha256 != sha256_of(source):
            return None
        suite = self.course.suite(exercise)
        inputs = [suite, self.course.solution(exercise), self.course.golden_files(exercise)[0]]
        try:
            written = self.course.results_file.stat().st_mtime
            if any(path.stat().st_mtime > written for path in inputs if path.exists()):
                return None
            declared = declared_checks(suite)
        except (OSError, SyntaxError):
            return None
        checks = [c for c in latest.checks if c.exercise == exercise]
        return checks if {c.check for c in checks} == declared else None

    def verdicts(self, exercises: Sequence[str]) -> Submission:
        """Every exercise's latest verdict; stale ones are graded now (and saved)."""
        stale = [name for name in exercises if self.cached(name) is None]
        return self.record(self.fresh(stale)) if stale else self.merged(None)

    def verdict(self, exercise: str) -> Submission:
        """One exercise's latest verdict alone (graded now if stale)."""
        merged = self.verdicts([exercise])
        files = [f for f in merged.files if f.exercise == exercise]
        checks = [c for c in merged.checks if c.exercise == exercise]
        return Submission(TARGET, checks, files, merged.environment, merged.duration, hints=merged.hints)

    def grade(self, exercise: str) -> Submission:
        """Grade one exercise now, save its verdict, and return it alone."""
        graded = self.fresh([exercise])
        self.record(graded)
        return graded

    def fresh(self, exercises: Sequence[str], only: str | None = None) -> Submission:
        """Grade now (with `only`, one check of a single exercise), each exercise from the file that
        holds the learner's work; nothing is saved. Its notes say which notebook could not be graded."""
        staged, problems = work.stage(self.course, list(exercises))
        self.runner.use(staged)
        graded = self.runner.grade(exercises, only=only)
        graded.notes = problems
        return graded

    def first_unfinished(self) -> tuple[str, Submission | None]:
        """The first exercise (catalog order) not done, with its fresh verdict when one was just graded."""
        for name in self.course.catalog.names:
            checks = self.cached(name)
            if checks is None:
                graded = self.grade(name)
                score = graded.score_of(name)
                if score is not None and score.state is not ExerciseState.DONE:
                    return name, graded
            elif _state(checks) is not ExerciseState.DONE:
                return name, None
        return "", None

    def upcoming(self, after: str) -> str:
        """The next exercise not known to be done: after `after` in catalog order, then from the start."""
        names = self.course.catalog.names
        at = names.index(after)
        for name in names[at + 1 :] + names[:at]:
            checks = self.cached(name)
            if checks is None or _state(checks) is not ExerciseState.DONE:
                return name
        return ""

    def record(self, graded: Submission) -> Submission:
        """Merge freshly graded exercises into `results.json`; returns the whole merged view."""
        merged = self.merged(graded)
        merged.write_json(self.course.results_file)
        self.latest = merged
        return merged

    def merged(self, graded: Submission | None) -> Submission:
        """All known verdicts in catalog order, the freshly graded ones taking precedence."""
        sources = [s for s in (graded, self.latest) if s is not None]
        checks: list[CheckResult] = []
        files = []
        for name in self.course.catalog.names:
            source = next((s for s in sources if any(f.exercise == name for f in s.files)), None)
            if source is not None:
                checks += [c for c in source.checks if c.exercise == name]
                files += [f for f in source.files if f.exercise == name]
        newest = sources[0] if sources else Submission(TARGET)
        return Submission(
            TARGET, checks, files, newest.environment, newest.duration, hints=state.load(self.course).hints,
            notes=graded.notes if graded is not None else [],
        )


def _state(checks: list[CheckResult]) -> ExerciseState:
    scored = [c for c in checks if c.status != "skipped"]
    return exercise_state(scored) if scored else ExerciseState.DONE
