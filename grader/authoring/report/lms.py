"""Gradebooks an LMS imports: Canvas, Moodle and Blackboard, one CSV each, from the roster.

Each LMS matches a row to a learner by an identifier of its own (an LMS id, a login,
an email), which the submission folders do not carry: the roster (`roster`) gives
them. Every file has one grade column per exercise, named by the exercise
(`ex02_autograd`), in catalog order, holding the points earned ("" where the exercise
was not graded for that learner); totals and maxima are not grade columns (the LMS
adds the exercises up itself, and would import a `max` column as one more assignment).

- Canvas (Grades > Import): `Student, ID, SIS User ID, SIS Login ID, Section`, then the
  exercises, and a `Points Possible` row under the header, as Canvas's own export
  writes it. Canvas matches on ID, else SIS User ID, else SIS Login ID; a column that
  names no assignment of the course becomes a new assignment with those points.
- Moodle (Grade administration > Import > CSV file): `First name, Last name, ID number,
  Email address, Username`, then the exercises. In the import form, map "Email address"
  (or ID number, or Username) to the user field of that name, and each exercise column
  to its grade item.
- Blackboard (Grade Center > Work Offline > Upload): `Last Name, First Name, Username,
  Student ID`, then the exercises, every cell in quotes. Blackboard matches on Username;
  a column without a column id (`Name |1234`) becomes a new Grade Center column.

A learner who is not in the roster, or whose row lacks the identifier an LMS matches
on, is left out of that file and named in the notes; so is a roster row nobody graded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from grader.authoring.report import gradebook
from grader.authoring.report.roster import Person
from grader.authoring.report.stats import LearnerRow
from grader.core import spreadsheet
from grader.learner.terminal import points

FOLDER = "lms"
POINTS_POSSIBLE = "    Points Possible"  # Canvas's export writes it so, indented


class Lms(StrEnum):
    CANVAS = "canvas"
    MOODLE = "moodle"
    BLACKBOARD = "blackboard"


@dataclass(frozen=True)
class Layout:
    """The identity columns of one LMS's import, and what it needs to match a learner."""

    identity: tuple[str, ...]  # header cells before the grade columns
    cells: Callable[[Person], list[str]]  # a person's identity cells, in that order
    matches_on: tuple[str, ...]  # roster columns the LMS can match on: a learner needs one of them
    points_row: bool = False  # a second row with each exercise's maximum
    quote_all: bool = False


LAYOUTS = {
    Lms.CANVAS: Layout(
        ("Student", "ID", "SIS User ID", "SIS Login ID", "Section"),
        lambda p: [p.name, p.lms_id, p.student_id, p.username, p.section],
        ("lms_id", "student_id", "username"),
        points_row=True,
    ),
    Lms.MOODLE: Layout(
        ("First name", "Last name", "ID number", "Email address", "Username"),
        lambda p: [p.first_name, p.last_name, p.student_id, p.email, p.username],
        ("email", "student_id", "username"),
    ),
    Lms.BLACKBOARD: Layout(
        ("Last Name", "First Name", "Username", "Student ID"),
        lambda p: [p.last_name, p.first_name, p.username, p.student_id],
        ("username",),
        quote_all=True,
    ),
}


@dataclass(frozen=True)
class Exported:
    files: dict[Lms, Path]
    notes: list[str]  # who is missing where, and why


def write(
    out: Path, rows: list[LearnerRow], exercises: list[str], maxima: dict[str, float], roster: dict[str, Person]
) -> Exported:
    """`out/lms/<lms>.csv` for every LMS, and the notes on learners left out."""
    graded = {row.learner for row in rows}
    notes = []
    unlisted = sorted(graded - set(roster))
    if unlisted:
        notes.append(f"not in the roster, so in no LMS file ({len(unlisted)}): {_names(unlisted)}")
    ungraded = sorted(set(roster) - graded)
    if ungraded:
        notes.append(f"in the roster but not graded, so in no LMS file ({len(ungraded)}): {_names(ungraded)}")
    files = {}
    for lms, layout in LAYOUTS.items():
        table = [[*layout.identity, *exercises]]
        if layout.points_row:
            table.append([POINTS_POSSIBLE, *[""] * (len(layout.identity) - 1), *(points(maxima[e]) for e in exercises)])
        unmatched = []
        for row in rows:
            person = roster.get(row.learner)
            if person is None:
                continue
            if not any(getattr(person, column) for column in layout.matches_on):
                unmatched.append(row.learner)
                continue
            table.append([*layout.cells(person), *gradebook.grades(row, exercises)])
        if unmatched:
            needed = " or ".join(layout.matches_on)
            notes.append(f"{lms}: no {needed} in the roster, so not in {lms}.csv ({len(unmatched)}): {_names(unmatched)}")
        files[lms] = out / FOLDER / f"{lms}.csv"
        spreadsheet.write(files[lms], table, quote_all=layout.quote_all)
    return Exported(files, notes)


def _names(learners: list[str]) -> str:
    """Learner ids as Python writes strings: quoted, with any control character escaped (the terminal's safe)."""
    return ", ".join(map(repr, learners))
