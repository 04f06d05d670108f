"""CSV files: the one writer, and the one rule against formula injection (grader.core.spreadsheet)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from grader.authoring.report import gradebook, stats
from grader.core import spreadsheet
from grader.tests.test_report import learner, result

PACKAGE = Path(spreadsheet.__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "cell",
    ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1", "\r=1", "=", "-", "-cmd|' /C calc'!A0"],
)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(cell):
    assert spreadsheet.neutral(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["ada-complete", "", "Lovelace, Ada", "9.5", "-1.5", "+3", "-2e-3", "x=1", " =1"])
def test_plain_text_and_numbers_are_left_as_they_are(cell):
    assert spreadsheet.neutral(cell) == cell


def test_numbers_are_written_as_numbers():
    assert [spreadsheet.neutral(3), spreadsheet.neutral(9.5), spreadsheet.neutral(-1.0)] == ["3", "9.5", "-1.0"]


def test_write_quotes_as_rfc_4180_says_and_neutralises_every_cell(tmp_path):
    path = tmp_path / "sub" / "book.csv"
    rows = [["learner", "note"], ["=cmd()", 'says "hi", twice\nor more'], ["ben", 2]]
    spreadsheet.write(path, rows)
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == 3 and raw.endswith(b"\r\n")  # three rows; a newline inside a cell stays as it is
    with path.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [["learner", "note"], ["'=cmd()", 'says "hi", twice\nor more'], ["ben", "2"]]


def test_quote_all_puts_every_cell_in_quotes(tmp_path):
    path = tmp_path / "book.csv"
    spreadsheet.write(path, [["Last Name", "ex01"], ["Lovelace", "21"]], quote_all=True)
    assert path.read_bytes().decode("utf-8") == '"Last Name","ex01"\r\n"Lovelace","21"\r\n'


def test_the_gradebook_neutralises_a_learner_id_that_is_a_formula(tmp_path):
    rows = stats.score_matrix([learner("=HYPERLINK(\"http://evil\")", [result("ex01_tensors", "sums", "passed")])])
    path = tmp_path / "gradebook.csv"
    gradebook.write(path, rows, ["ex01_tensors"])
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[1] == ["'=HYPERLINK(\"http://evil\")", "2", "2", "2"]


def test_every_csv_the_grader_writes_goes_through_the_one_writer():
    """The rule has one home: no other module of the grader makes a csv writer of its own."""
    writers = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.relative_to(PACKAGE).parts
        and any(name in path.read_text() for name in ("csv.writer(", "csv.DictWriter(", "DictWriter("))
    )
    assert writers == ["core/spreadsheet.py"]
