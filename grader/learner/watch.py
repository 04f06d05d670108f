"""Watch mode: re-grade the exercise whose file was saved, in one warm process, and answer keys.

torch, the suites and the reference observations are loaded once; each save is
graded like `run` (in children forked from this process, never in it), so a
verdict follows a save within a few hundred milliseconds. A file saved mid-edit
with a syntax error is just a failing verdict: learner code never runs in this
process. When the exercise being worked on is done, the next one is announced.
File events come from watchfiles (inotify, FSEvents, ... through the Rust
`notify` crate).

Each verdict is one frame (`grader.learner.screen`: the screen is cleared on a
terminal): the checks, one line each, with the message of the first one that
does not pass, so that it is on screen however many follow; an error every check
shares (a file that does not import) is said once. Keys, read between file
events without blocking them: h the next hint for the first function still to
do, l the course list, n the next exercise not done, r grade again, q quit.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TextIO

from rich.text import Text

from grader.core.course import Course
from grader.core.results import ExerciseState
from grader.core.session import Target
from grader.learner import hints, terminal
from grader.learner import views as course_view
from grader.learner.runner import Runner
from grader.learner.screen import Keys, Screen, TerminalKeys, TerminalScreen
from grader.learner.standing import TARGET, Standing

# Changes are gathered until none arrives for STEP_MS: an editor's save (write,
# or write + rename) is one burst, and the verdict is not held back much longer.
# Without changes, watchfiles yields every IDLE_MS: the keys are read then.
STEP_MS = 20
IDLE_MS = 200
NEXT = "save it to grade it here"
READY = "Watching exercises/ for saves."  # the last line of every frame
KEYS = "Keys: h hint · l list · n next exercise · r rerun · q quit"
STOP = "Ctrl-C to stop."
GRADED = "Graded in"  # the line under a verdict graded now
HINT_KEY = "press h for a hint"
HINT_AGAIN = "press h again"
ALL_DONE = "Every exercise is done: nothing left to hint at. Congratulations!"


class Watcher:
    """The warm grading session behind `watch`; draws on `screen` and never raises on learner code."""

    def __init__(self, course: Course, screen: Screen, color: bool, keys: bool) -> None:
        self.course = course
        self.folder = course.exercises
        self.screen = screen
        self.color = color
        self.keys = keys  # whether keys are read: the frames say which keys, or how to stop
        self.standing = Standing(course, Runner(course, Target(TARGET, self.folder)))
        self.current = ""  # the exercise on screen, that keys act on ("" once every one is done)
        self.announced = False

    def start(self) -> None:
        """Say which exercise to work on (grading what is stale), and get its references ready."""
        self.screen.frame()
        name, graded = self.standing.first_unfinished()
        self.current = name
        if name:
            score = (graded or self.standing.merged(None)).score_of(name)
            status = f"{score.passed}/{score.total} checks pass" if score else "no checks here"
            self._line(f"Working on {name} ({status}): edit exercises/{name}.py")
            self.standing.runner.prepare(name)
        else:
            self._line(course_view.next_step(""))

    def announce(self) -> None:
        """Say that saves are seen (first once the file watch is in place, then under each frame) and how to act."""
        self._line(f"{READY} {KEYS if self.keys else STOP}")
        self.announced = True

    def saved(self, paths: Iterable[str]) -> None:
        """Grade each exercise among the saved files and draw its verdict."""
        for name in self.exercises_in(paths):
            self._contained(f"grading {name}", lambda name=name: self.show(name, "saved"))

    def key(self, pressed: str) -> bool:
        """Act on one key; False means quit. Unknown keys are ignored."""
        actions: dict[str, Callable[[], None]] = {
            "h": self.hint,
            "l": self.show_list,
            "n": self.next_exercise,
            "r": self.rerun,
        }
        key = pressed.lower()
        if key == "q":
            return False
        if key in actions:
            self._contained(f"answering the key {key!r}", actions[key])
        return True

    def show(self, name: str, why: str, now: bool = True) -> None:
        """A frame with the exercise's verdict, graded `now` or the latest one that still holds."""
        started = time.monotonic()
        graded = self.standing.grade(name) if now else self.standing.verdict(name)
        self.screen.frame()
        self.screen.write(f"── {time.strftime('%H:%M:%S')}  {name} {why} ──\n")
        self.screen.write(terminal.render_checks(graded, self.color, focused=True))
        score = graded.score_of(name)
        upcoming = self.standing.upcoming(name)
        stuck = HINT_KEY if self.keys else course_view.HINT
        self.screen.write(course_view.render_outcome(score, upcoming, NEXT, self.color, hint=stuck))
        if now:
            self._line(f"{GRADED} {time.monotonic() - started:.2f} s")
        done = score is not None and score.state is ExerciseState.DONE
        self.current = upcoming if done else name
        if done and upcoming:
            self.standing.runner.prepare(upcoming)  # the learner's next save is most likely there
        self.announce()

    def rerun(self) -> None:
        if self.current:
            self.show(self.current, "graded again")
        else:
            self.next_exercise()

    def next_exercise(self) -> None:
        upcoming = self.standing.upcoming(self.current) if self.current else ""
        if upcoming:
            self.show(upcoming, "next exercise", now=False)
            return
        self.screen.frame()
        self._line(course_view.next_step(""))
        self.announce()

    def show_list(self) -> None:
        submission = self.standing.verdicts(self.course.catalog.names)
        self.screen.frame()
        self.screen.write(course_view.render_list(self.course.catalog, submission, self.color))
        self.announce()

    def hint(self) -> None:
        """The next hint under what is on screen (not a new frame: the failure it is about stays in view)."""
        if not self.current:
            self._line(ALL_DONE)
        else:
            exercise = self.course.catalog.find(self.current)
            shown = hints.show_next(self.course, exercise, None, lambda: self.standing.verdict(exercise.name).checks)
            if shown is None:
                self._line(f"{exercise.name} is done: every check passes. Press n for the next exercise.")
            else:
                self.screen.write(course_view.render_hint(shown, self.color, again=HINT_AGAIN))
        self.announce()

    def exercises_in(self, paths: Iterable[str]) -> list[str]:
        """Catalog exercises among the changed paths, in catalog order (backups and caches ignored)."""
        changed = {Path(p) for p in paths}
        return [name for name in self.course.catalog.names if self.folder / f"{name}.py" in changed]

    def _contained(self, what: str, action: Callable[[], None]) -> None:
        try:
            action()
        except Exception:  # noqa: BLE001 - a grader bug must not end the learner's session
            self.screen.write(f"torchdrill: internal error while {what}:\n{traceback.format_exc()}")
            self.announce()

    def _line(self, line: Text | str) -> None:
        self.screen.write(course_view.render_line(line, self.color))


def react(watcher: Watcher, events: Iterable[set[tuple[object, str]]], keys: Keys) -> None:
    """Grade each batch of saved files (an empty batch: nothing changed for IDLE_MS), and act on
    the keys pressed between batches, until a key says quit or the events end."""
    for changes in events:
        if changes:
            watcher.saved(path for _, path in changes)
        elif not watcher.announced:  # the first idle batch: the file watch is in place
            watcher.announce()
        for key in keys.pressed():
            if not watcher.key(key):
                return


def watch(course: Course, out: TextIO = sys.stdout, color: bool = False) -> None:
    """Watch until q or Ctrl-C (which ends it cleanly, after the check that is running)."""
    import watchfiles

    keys = TerminalKeys()
    watcher = Watcher(course, TerminalScreen(out), color, keys.available)
    try:
        with keys:
            watcher.start()
            events = watchfiles.watch(
                watcher.folder, step=STEP_MS, rust_timeout=IDLE_MS, yield_on_timeout=True, recursive=False
            )
            try:
                react(watcher, events, keys)
            finally:
                events.close()
    except KeyboardInterrupt:
        pass
    out.write("\nStopped watching.\n")
    out.flush()
