"""LMS gradebooks: the roster, and the Canvas, Moodle and Blackboard imports, each in its documented layout."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.authoring.report import lms, roster, stats
from grader.commands import main
from grader.tests.conftest import ROOT
from grader.tests.test_report import EXERCISES, class_submissions, write_class

ROSTER = """\ufefffolder,first_name,last_name,email,username,student_id,lms_id,section
ada,Ada,Lovelace,ada@example.org,alovelace,S001,1001,Section 1
ben,Ben,Okafor,ben@example.org,,S002,1002,Section 1

cai,=cmd|' /C calc'!A0,Wen,cai@example.org,cwen,S003,1003,Section 2
zed,Zed,Nobody,zed@example.org,znobody,S009,1009,Section 2
"""  # a spreadsheet's byte-order mark, a blank line; dee is not in it, zed was never graded; ben has no username


def read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def exported(tmp_path) -> lms.Exported:
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    rows = stats.score_matrix(class_submissions())
    return lms.write(tmp_path, rows, EXERCISES, stats.exercise_maxima(rows, EXERCISES), roster.read(path))


# --- the roster ------------------------------------------------------------------------------


def test_the_roster_maps_folders_to_people(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    people = roster.read(path)
    assert list(people) == ["ada", "ben", "cai", "zed"]
    assert people["ada"] == roster.Person("ada", "Ada", "Lovelace", "ada@example.org", "alovelace", "S001", "1001", "Section 1")
    assert people["ada"].name == "Lovelace, Ada"
    only = tmp_path / "only.csv"
    only.write_text("folder,email\nada,ada@example.org\n")
    assert roster.read(only)["ada"] == roster.Person("ada", email="ada@example.org")
    assert roster.read(only)["ada"].name == "ada"


@pytest.mark.parametrize(
    "text, problem",
    [
        ("folder,e-mail\nada,a@x\n", "unknown column 'e-mail'"),
        ("email\na@x\n", "no 'folder' column"),
        ("folder,email,email\nada,a,b\n", "a column named twice"),
        ("folder,email\nada,a@x\nada,b@x\n", "line 3: a second row for 'ada'"),
        ("folder,email\nada\n", "line 2: expected 2 cells"),
        ("folder,email\n,a@x\n", "line 2: no folder"),
        (f"folder,email\nada,{'x' * 300}\n", "at most 200 characters"),
        ("", "no 'folder' column"),
    ],
)
def test_a_roster_not_as_documented_is_refused_with_where_and_why(tmp_path, text, problem):
    path = tmp_path / "roster.csv"
    path.write_text(text)
    with pytest.raises(roster.RosterError, match=problem.replace("'", ".").replace("(", ".")):
        roster.read(path)


# --- the three layouts ------------------------------------------------------------------------


def test_canvas_gets_its_gradebook_columns_and_a_points_possible_row(exported):
    table = read_csv(exported.files[lms.Lms.CANVAS])
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "ex01_tensors", "ex02_autograd"]
    assert table[1] == ["    Points Possible", "", "", "", "", "5", "3"]
    assert table[2:] == [
        ["Lovelace, Ada", "1001", "S001", "alovelace", "Section 1", "5", "3"],
        ["Okafor, Ben", "1002", "S002", "", "Section 1", "2", "0"],  # Canvas matches ben on ID
        ["Wen, =cmd|' /C calc'!A0", "1003", "S003", "cwen", "Section 2", "0", "0"],  # not first: no formula
    ]


def test_moodle_gets_an_identifier_column_per_user_field_and_one_column_per_grade_item(exported):
    table = read_csv(exported.files[lms.Lms.MOODLE])
    assert table[0] == ["First name", "Last name", "ID number", "Email address", "Username", "ex01_tensors", "ex02_autograd"]
    assert table[1] == ["Ada", "Lovelace", "S001", "ada@example.org", "alovelace", "5", "3"]
    assert [row[3] for row in table[1:]] == ["ada@example.org", "ben@example.org", "cai@example.org"]
    assert table[3][0] == "'=cmd|' /C calc'!A0"  # a name that is a formula stays text


def test_blackboard_gets_username_columns_every_cell_quoted_and_no_learner_without_a_username(exported):
    path = exported.files[lms.Lms.BLACKBOARD]
    assert path.read_bytes().decode("utf-8").splitlines()[0] == (
        '"Last Name","First Name","Username","Student ID","ex01_tensors","ex02_autograd"'
    )
    table = read_csv(path)
    assert table[1:] == [["Lovelace", "Ada", "alovelace", "S001", "5", "3"], ["Wen", "'=cmd|' /C calc'!A0", "cwen", "S003", "0", "0"]]
    assert any("blackboard: no username" in note and "'ben'" in note for note in exported.notes)


def test_no_lms_file_has_a_total_or_max_column(exported):
    for path in exported.files.values():
        header = read_csv(path)[0]
        assert not {"total", "max", "Total", "Max"} & set(header), path.name
        assert header[-2:] == EXERCISES


def test_learners_missing_on_either_side_are_named_in_the_notes(exported):
    assert exported.notes[0] == "not in the roster, so in no LMS file (1): 'dee'"
    assert exported.notes[1] == "in the roster but not graded, so in no LMS file (1): 'zed'"
    for path in exported.files.values():
        assert not any(cell in ("dee", "zed", "Zed") for row in read_csv(path) for cell in row), path.name


# --- through the command ------------------------------------------------------------------------


def test_report_with_a_roster_writes_the_lms_files_and_says_who_is_missing(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    out = tmp_path / "report"
    assert main(["report", str(write_class(tmp_path / "results")), "--out", str(out), "--roster", str(path)]) == 0
    assert sorted(p.name for p in (out / "lms").iterdir()) == ["blackboard.csv", "canvas.csv", "moodle.csv"]
    printed = capsys.readouterr().out
    assert "note: not in the roster, so in no LMS file (1): 'dee'" in printed


def test_report_with_a_broken_roster_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text("learner,email\nada,a@x\n")
    assert main(["report", str(write_class(tmp_path / "results")), "--out", str(tmp_path / "r"), "--roster", str(path)]) == 2
    assert "unknown column 'learner'" in capsys.readouterr().err


def test_the_example_roster_names_every_example_learner():
    people = roster.read(ROOT / "examples" / "roster.csv")
    assert sorted(people) == sorted(p.name for p in (ROOT / "examples" / "class").iterdir() if p.is_dir())
    assert all(any(getattr(p, c) for c in layout.matches_on) for p in people.values() for layout in lms.LAYOUTS.values())
