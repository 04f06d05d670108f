"""What an instructor sees while a class is graded: a progress bar with ETA and
live counts, then a table of every learner.

On a terminal the bar redraws in place; piped (CI logs), one line per learner.
"""

from __future__ import annotations

import io
import sys
from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from grader.classroom.grading import ClassRun
from grader.classroom.records import LearnerOutcome, LearnerSummary
from grader.learner.terminal import shown

ID_WIDTH = 40
OUTCOME_STYLE = {LearnerOutcome.PASSED: "green", LearnerOutcome.FAILED: "yellow", LearnerOutcome.ERROR: "red"}


class ProgressView:
    def __init__(self) -> None:
        self.console = Console(stderr=True, highlight=False)
        self.counts: Counter[str] = Counter()
        self.progress: Progress | None = None
        self.task = None

    def __enter__(self) -> Self:
        if self.console.is_terminal:
            self.progress = Progress(
                TextColumn("grading"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[green]{task.fields[passed]} passed[/] · [yellow]{task.fields[failed]} failed[/] · [red]{task.fields[error]} with errors[/]"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=self.console,
            )
            self.progress.__enter__()
            self.task = self.progress.add_task("class", total=None, passed=0, failed=0, error=0)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if self.progress is not None:
            self.progress.__exit__(kind, error, trace)

    def update(self, summary: LearnerSummary, done: int, total: int) -> None:
        self.counts[summary.outcome] += 1
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=done, total=total, **{str(k): self.counts[k] for k in OUTCOME_STYLE})
            return
        state = "unchanged, not regraded" if summary.skipped else f"{summary.duration:.1f} s"
        print(
            f"[{done}/{total}] {learner_id(summary.learner)}: {summary.score:g}/{summary.max_score:g} {summary.outcome} ({state})",
            file=sys.stderr,
            flush=True,
        )


def learner_id(learner: str) -> str:
    """A learner id (a folder name the learner's side chose) as the terminal may show it."""
    return shown(learner, ID_WIDTH, one_line=True)


def final_table(run: ClassRun, out: Path) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=100, highlight=False, force_terminal=sys.stdout.isatty())
    table = Table(title="class results", title_justify="left")
    for column in ("learner", "score", "%", "outcome", "time"):
        table.add_column(column, justify="left" if column in ("learner", "outcome") else "right")
    for s in run.summaries:
        share = 100 * s.score / s.max_score if s.max_score else 0.0
        time = "unchanged" if s.skipped else f"{s.duration:.1f} s"
        outcome = Text(str(s.outcome), style=OUTCOME_STYLE[s.outcome])
        table.add_row(Text(learner_id(s.learner)), f"{s.score:g}/{s.max_score:g}", f"{share:.0f}", outcome, time)
    console.print(table)
    graded = [s for s in run.summaries if not s.skipped]
    rate = len(graded) / run.duration if run.duration and graded else 0.0
    console.print(
        f"{len(run.summaries)} learners ({len(graded)} graded, {len(run.summaries) - len(graded)} unchanged) "
        f"in {run.duration:.1f} s ({rate:.2f} learners/s); results in {out}/"
    )
    return buffer.getvalue()
