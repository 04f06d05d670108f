"""Watch mode: re-grade the exercise whose file was saved, in one warm process.

torch, the suites and the reference observations are loaded once; each save is
graded like `run` (in children forked from this process, never in it), so a
verdict follows a save within a few hundred milliseconds. A file saved mid-edit
with a syntax error is just a failing verdict: learner code never runs in this
process. When the exercise being worked on is done, the next one is announced.
File events come from watchfiles (inotify, FSEvents, ... through the Rust
`notify` crate).
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from grader.core.course import Course
from grader.core.results import ExerciseState
from grader.core.session import Target
from grader.learner import terminal
from grader.learner import views as course_view
from grader.learner.runner import Runner
from grader.learner.standing import TARGET, Standing

# Changes are gathered until none arrives for STEP_MS: an editor's save (write,
# or write + rename) is one burst, and the verdict is not held back much longer.
STEP_MS = 20
IDLE_MS = 200
NEXT = "save it to grade it here"
READY = "Watching exercises/ for saves. Ctrl-C to stop."
GRADED = "Graded in"  # the last line of a verdict


class Watcher:
    """The warm grading session behind `watch`; prints to `out` and never raises on learner code."""

    def __init__(self, course: Course, out: TextIO, color: bool) -> None:
        self.course = course
        self.folder = course.exercises
        self.out = out
        self.color = color
        self.standing = Standing(course, Runner(course, Target(TARGET, self.folder)))
        self.announced = False

    def start(self) -> None:
        """Say which exercise to work on (grading what is stale), and get its references ready."""
        name, graded = self.standing.first_unfinished()
        if name:
            score = (graded or self.standing.merged(None)).score_of(name)
            status = f"{score.passed}/{score.total} checks pass" if score else "no checks here"
            self._print(course_view.render_line(f"Working on {name} ({status}): edit exercises/{name}.py", self.color))
            self.standing.runner.prepare(name)
        else:
            self._print(course_view.render_line(course_view.next_step(""), self.color))

    def announce(self) -> None:
        """Say that saves are seen (first once the file watch is in place, then after each verdict) and how to stop."""
        self._print(course_view.render_line(READY, self.color))
        self.announced = True

    def saved(self, paths: Iterable[str]) -> None:
        """Grade each exercise among the saved files and print its verdict."""
        for name in self.exercises_in(paths):
            try:
                self._grade(name)
            except Exception:  # noqa: BLE001 - a grader bug must not end the learner's session
                self._print(f"torchdrill: internal error while grading {name}:\n{traceback.format_exc()}")

    def _grade(self, name: str) -> None:
        started = time.monotonic()
        graded = self.standing.grade(name)
        self._print(f"\n── {time.strftime('%H:%M:%S')}  {name} saved ──\n")
        self._print(terminal.render(graded, details=True, color=self.color))
        score = graded.score_of(name)
        upcoming = self.standing.upcoming(name)
        self._print(course_view.render_outcome(score, upcoming, NEXT, self.color))
        self._print(course_view.render_line(f"{GRADED} {time.monotonic() - started:.2f} s", self.color))
        if upcoming and score is not None and score.state is ExerciseState.DONE:
            self.standing.runner.prepare(upcoming)  # the learner's next save is most likely there
        self.announce()

    def exercises_in(self, paths: Iterable[str]) -> list[str]:
        """Catalog exercises among the changed paths, in catalog order (backups and caches ignored)."""
        changed = {Path(p) for p in paths}
        return [name for name in self.course.catalog.names if self.folder / f"{name}.py" in changed]

    def _print(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()


def watch(course: Course, out: TextIO = sys.stdout, color: bool = False) -> None:
    """Watch until Ctrl-C (which ends it cleanly, after the check that is running)."""
    import watchfiles

    watcher = Watcher(course, out, color)
    try:
        watcher.start()
        # An empty set comes every IDLE_MS without changes; the first one means the watch is set up.
        events = watchfiles.watch(
            watcher.folder, step=STEP_MS, rust_timeout=IDLE_MS, yield_on_timeout=True, recursive=False
        )
        for changes in events:
            if changes:
                watcher.saved(path for _, path in changes)
            elif not watcher.announced:
                watcher.announce()
    except KeyboardInterrupt:
        pass
    out.write("\nStopped watching.\n")
    out.flush()
