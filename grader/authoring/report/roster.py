"""The roster: which LMS account each learner's submission folder belongs to.

A CSV file the instructor writes (or exports from the LMS and renames the header of),
UTF-8 (a spreadsheet's byte-order mark is fine), one header row, one row per learner:

    folder,first_name,last_name,email,username,student_id,lms_id,section
    ada-complete,Ada,Lovelace,ada@example.org,alovelace,S001,4242,Section 1

`folder` is required (the learner id: the name of the submission folder); every other
column is optional and may be left out or empty. Which ones each LMS needs is `lms.LAYOUTS`.
"""

from __future__ import annotations

import csv
import dataclasses
from dataclasses import dataclass
from pathlib import Path

MAX_ROWS = 100_000
MAX_CELL = 200  # characters: a name or an id, never a paragraph


@dataclass(frozen=True)
class Person:
    """One roster row. Field names are the roster's column names."""

    folder: str  # the learner id: the submission folder's name
    first_name: str = ""
    last_name: str = ""
    email: str = ""  # Moodle can match on it
    username: str = ""  # the LMS login: Blackboard's Username, Canvas's SIS Login ID, Moodle's username
    student_id: str = ""  # the institution's number: Canvas's SIS User ID, Moodle's ID number, Blackboard's Student ID
    lms_id: str = ""  # Canvas's own user ID (the "ID" column of its gradebook export)
    section: str = ""  # Canvas's Section

    @property
    def name(self) -> str:
        """"Last, First" as Canvas writes it; the folder when the roster gives no name."""
        return ", ".join(part for part in (self.last_name, self.first_name) if part) or self.folder


COLUMNS = tuple(f.name for f in dataclasses.fields(Person))


class RosterError(ValueError):
    """The roster cannot be read as documented (the message says where and why)."""


def read(path: Path) -> dict[str, Person]:
    """Folder -> person, for every row of the roster; blank lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise RosterError(f"{path}: cannot read the roster ({error})") from None
    rows = list(csv.reader(text.splitlines()))
    if len(rows) > MAX_ROWS:
        raise RosterError(f"{path}: more than {MAX_ROWS} rows")
    header = [cell.strip() for cell in rows[0]] if rows else []
    _check_header(path, header)
    people: dict[str, Person] = {}
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header) or any(len(cell) > MAX_CELL for cell in cells):
            raise RosterError(f"{path}, line {line}: expected {len(header)} cells of at most {MAX_CELL} characters")
        person = Person(**{name: cell.strip() for name, cell in zip(header, cells)})
        if not person.folder:
            raise RosterError(f"{path}, line {line}: no folder")
        if person.folder in people:
            raise RosterError(f"{path}, line {line}: a second row for {person.folder!r}")
        people[person.folder] = person
    return people


def _check_header(path: Path, header: list[str]) -> None:
    unknown = [name for name in header if name not in COLUMNS]
    if unknown:
        problem = f"unknown column {unknown[0]!r}"
    elif "folder" not in header:
        problem = "no 'folder' column"
    elif len(set(header)) < len(header):
        problem = "a column named twice"
    else:
        return
    raise RosterError(f"{path}: {problem} in the header (columns: {', '.join(COLUMNS)}; only 'folder' is required)")
