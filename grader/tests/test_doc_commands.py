"""Every command shown in README.md and docs/*.md works as shown.

Commands are read from the pages' code (inline `…` and fenced blocks). Each `make` target exists,
each `python -m grader` line parses, each exercise or check it names (`EX=ex02::clipping`,
`run ex02::one_sgd_step`, `FN=`) is in the course, each file of the repository it names exists;
and the learner's commands (run, hint, list, reset) are run, as shown, in a copy of the course.
Placeholders (`RESULTS`, `path/to/…`, `[--jobs N]`) are not commands: they are left out; a
command named in a sentence (`python -m grader class`) need only exist.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from grader.commands import EXIT_NOT_PASSED, EXIT_OK, _commands, _parser, main
from grader.core.course import Course
from grader.tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PREFIXES = {"make": "make", "python -m grader": "grader", ".venv/bin/python -m grader": "grader", "pytest": "pytest"}
LEARNER_COMMANDS = {"run", "hint", "list", "reset"}  # quick on a learner's stubs: run; the others are parsed


@dataclass(frozen=True)
class Shown:
    page: str
    kind: str  # make, grader, pytest
    words: tuple[str, ...]  # after the prefix

    def __str__(self) -> str:
        return f"{self.page}: {self.kind} {' '.join(self.words)}"


def snippets(text: str) -> list[str]:
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    fenced = [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]  # continued lines joined
    unfenced = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    return [*fenced, *re.findall(r"`([^`\n]+)`", unfenced)]


def placeholder(word: str) -> bool:
    return word.isupper() or "…" in word or "$" in word or word.startswith(("path/to", "~")) or word in {"FILE.zip", "f"}


def shown_commands() -> list[Shown]:
    found: dict[str, Shown] = {}
    for page in PAGES:
        for snippet in snippets(page.read_text()):
            code, _, comment = snippet.partition(" #")
            lines = [code, *re.findall(r"\(([^()]*)\)", comment)]  # a command shown in a comment: in brackets
            for line in (re.sub(r"\[[^\]]*\]", "", line).strip().lstrip("$ ").strip() for line in lines):
                for prefix, kind in PREFIXES.items():
                    if line == prefix or line.startswith(prefix + " "):
                        words = tuple(shlex.split(line[len(prefix) :]))
                        if words and not any(placeholder(w.split("=", 1)[-1]) for w in words if w != "--help"):
                            shown = Shown(page.relative_to(ROOT).as_posix(), kind, words)
                            found.setdefault(str(shown), shown)
    return list(found.values())


SHOWN = shown_commands()


def test_the_pages_show_commands_of_every_kind():
    kinds = {shown.kind for shown in SHOWN}
    assert kinds == {"make", "grader", "pytest"} and len(SHOWN) > 30, [str(s) for s in SHOWN]


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][-a-z_]*)\s*:(?!=)", (ROOT / "Makefile").read_text(), re.MULTILINE))


def exists(course: Course, selector: str, function: str = "") -> bool:
    """Whether `EX`, `EX::CHECK` (a check, or checks starting with CHECK) and a function of EX are in the course."""
    spec, _, check = selector.partition("::")
    if spec.endswith(".ipynb"):
        return (ROOT / spec).exists() or spec.startswith("notebooks/")  # notebooks are made by `make notebooks`
    name = course.catalog.find(spec).name
    suite = course.suite(name).read_text()
    solution = course.solution(name).read_text()
    return (not check or re.search(rf"^def {re.escape(check)}\w*\(", suite, re.MULTILINE) is not None) and (
        not function or re.search(rf"^(def|class) {re.escape(function)}\b", solution, re.MULTILINE) is not None
    )


@pytest.mark.parametrize("shown", SHOWN, ids=str)
def test_each_command_shown_names_what_exists(shown: Shown):
    course = Course(ROOT)
    words = list(shown.words)
    if shown.kind == "make":
        assert words[0] in make_targets(), f"{shown}: no such make target"
        values = dict(w.split("=", 1) for w in words[1:])
        if values.get("EX"):
            assert exists(course, values["EX"], values.get("FN", "")), f"{shown}: not in the course"
        for path in (v for v in values.values() if v.startswith("examples/")):
            assert (ROOT / path).exists(), f"{shown}: {path} is not in the repository"
    elif shown.kind == "grader" and len(words) == 1 and not words[0].startswith("-"):  # a command named in a sentence: it exists
        assert words[0] in _commands(), f"{shown}: no such command"
    elif shown.kind == "grader":
        try:
            args = _parser(_commands()).parse_args(words)
        except SystemExit as stop:
            assert stop.code == 0 and "--help" in words, f"{shown}: does not parse"
            return
        if args.command in {"run", "hint", "reset"} and getattr(args, "exercise", None):
            assert exists(course, args.exercise, getattr(args, "function", None) or ""), f"{shown}: not in the course"
    else:
        files = [w for w in words if w.endswith(".py")]
        assert all((ROOT / f).exists() for f in files), f"{shown}: a file is missing"
        if "-k" in words:
            selected = words[words.index("-k") + 1]
            assert exists(course, Path(files[0]).stem.removeprefix("test_") + "::" + selected), f"{shown}: selects nothing"


@pytest.mark.slow
def test_the_learners_commands_shown_run(course_copy, monkeypatch, capsys):
    """Each learner's command shown, run as shown in a copy of the course: `python -m grader` in this
    process, `make` through the Makefile (this environment's Python, no install step)."""
    monkeypatch.chdir(course_copy)
    shutil.copy(ROOT / "Makefile", course_copy / "Makefile")
    ran = [s for s in SHOWN if s.kind in ("grader", "make") and s.words[0] in LEARNER_COMMANDS and "--help" not in s.words]
    ran = [s for s in ran if not any(w.endswith(".ipynb") for w in s.words)]  # notebooks: test_notebooks.py
    ran = [s for s in ran if s.words != ("reset",)]  # a bare `make reset` names the target (it needs EX=)
    ran = list({(s.kind, s.words): s for s in ran}.values())  # each command once, whichever page shows it
    assert {(s.kind, s.words[0]) for s in ran} >= {("grader", "run"), ("make", "run"), ("make", "hint"), ("make", "reset")}
    venv = Path(sys.executable).parent.parent  # the Makefile's $(VENV)/bin/python: this Python
    for shown in ran:
        if shown.kind == "grader":
            code, out = main(list(shown.words)), capsys.readouterr().out
        else:
            command = ["make", "-s", *shown.words, f"VENV={venv}", "STAMP="]
            done = subprocess.run(command, cwd=course_copy, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, check=False)
            code, out = done.returncode, done.stdout + done.stderr
        assert code in (EXIT_OK, EXIT_NOT_PASSED), f"{shown} exited {code}:\n{out}"
        if shown.words[0] == "run" and len(shown.words) > 1:
            assert re.search(r"[✓✗·!] \w+", out), f"{shown} graded nothing:\n{out}"
