"""`exercises/` from `solutions/`: one stub per solution module (`grader.core.stubs` makes each)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from grader.core.course import Course


@dataclass(frozen=True)
class StubFile:
    solution: Path
    exercise: Path
    text: str

    @property
    def up_to_date(self) -> bool:
        return self.exercise.is_file() and self.exercise.read_text() == self.text


def plan(course: Course) -> list[StubFile]:
    """What the generator would write: one stub per solution module."""
    return [
        StubFile(solution, course.exercise(solution.stem), course.stub(solution.stem))
        for solution in sorted(course.solutions.glob("ex*.py"))
    ]


def generate(course: Course) -> list[Path]:
    """Write `exercises/` from `solutions/`; returns the files that changed."""
    changed = []
    for stub in plan(course):
        if not stub.up_to_date:
            stub.exercise.parent.mkdir(exist_ok=True)
            stub.exercise.write_text(stub.text)
            changed.append(stub.exercise)
    return changed


def stale(course: Course) -> list[Path]:
    """Exercise files that differ from what the generator makes (or are extra)."""
    planned = plan(course)
    expected = {stub.exercise for stub in planned}
    extra = [p for p in sorted(course.exercises.glob("ex*.py")) if p not in expected]
    return [stub.exercise for stub in planned if not stub.up_to_date] + extra
