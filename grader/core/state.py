"""The learner's own state, `.torchdrill/state.json`: which hint levels were shown. Its one owner.

Kept in the course folder, next to the learner's exercises, so that it travels
with a submission and an instructor's report can show hint use. The format is
small and stable:

    {"hints": {"ex02_autograd": {"double_square_grad": 2}}}

The learner's commands read it leniently (an unreadable file is a fresh start)
and write it atomically; class grading reads a submitted copy strictly
(`parse`), since it comes from the learner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from grader.core.course import Course
from grader.core.results import write_json_atomically


@dataclass
class LearnerState:
    hints: dict[str, dict[str, int]] = field(default_factory=dict)  # exercise -> function -> levels seen

    def levels_seen(self, exercise: str, function: str) -> int:
        return self.hints.get(exercise, {}).get(function, 0)

    def saw(self, exercise: str, function: str, level: int) -> None:
        """Record that `level` was shown (levels only go up)."""
        seen = self.hints.setdefault(exercise, {})
        seen[function] = max(level, seen.get(function, 0))

    @classmethod
    def parse(cls, data: Any) -> LearnerState:
        """The state in a decoded state file; ValueError unless it is exactly of the documented form."""
        hints = data.get("hints", {}) if isinstance(data, dict) else None
        valid = isinstance(hints, dict) and all(
            isinstance(exercise, str)
            and isinstance(functions, dict)
            and all(isinstance(name, str) and type(level) is int and level >= 0 for name, level in functions.items())
            for exercise, functions in hints.items()
        )
        if not valid:
            raise ValueError("not of the form {\"hints\": {exercise: {function: levels}}}")
        return cls({exercise: dict(functions) for exercise, functions in hints.items()})


def load(course: Course) -> LearnerState:
    """The saved state, or a fresh one (a missing or unreadable file is a fresh start)."""
    try:
        return LearnerState.parse(json.loads(course.state_file.read_text()))
    except (OSError, ValueError):
        return LearnerState()


def save(course: Course, state: LearnerState) -> None:
    write_json_atomically(course.state_file, {"hints": state.hints}, sort_keys=True)
