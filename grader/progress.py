"""The learner's own state: which hint levels were shown, in `.torchdrill/state.json`.

Kept in the course folder, next to the learner's exercises, so that it travels
with a submission and an instructor's report can show hint use. The format is
small and stable:

    {"hints": {"ex02_autograd": {"double_square_grad": 2}}}

Written atomically: a crash mid-write never leaves half a file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import write_json_atomically

STATE_FILE = Path(".torchdrill") / "state.json"


@dataclass
class LearnerState:
    hints: dict[str, dict[str, int]] = field(default_factory=dict)  # exercise -> function -> levels seen

    def levels_seen(self, exercise: str, function: str) -> int:
        return self.hints.get(exercise, {}).get(function, 0)

    def saw(self, exercise: str, function: str, level: int) -> None:
        """Record that `level` was shown (levels only go up)."""
        seen = self.hints.setdefault(exercise, {})
        seen[function] = max(level, seen.get(function, 0))


def state_path(root: Path) -> Path:
    return root / STATE_FILE


def load(root: Path) -> LearnerState:
    """The saved state, or a fresh one (a missing or unreadable file is a fresh start)."""
    try:
        hints = json.loads(state_path(root).read_text())["hints"]
        return LearnerState(
            {
                str(exercise): {str(name): int(level) for name, level in functions.items()}
                for exercise, functions in hints.items()
            }
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return LearnerState()


def save(root: Path, state: LearnerState) -> Path:
    path = state_path(root)
    write_json_atomically(path, {"hints": state.hints}, sort_keys=True)
    return path
