"""The adversarial corpus: a class of hostile and malformed submissions, graded for real.

Each learner in `corpus/` attacks the grader in one way (see `corpus/expected.toml`). The whole
class is graded once per sandbox mode by `python -m grader class`, in a temporary copy, and then:
every learner got exactly the statuses and points expected (an attack earns nothing, a correct
ex01 beside it keeps every point), the course and the other learners' files are unchanged, no
process of the run is left alive, and (with bubblewrap) nothing reached the network or /tmp.
"""

from __future__ import annotations

import fnmatch
import hashlib
import importlib.util
import json
import marshal
import os
import random
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.classroom.sandbox import bwrap_works
from grader.tests.conftest import COURSE_FILES, ROOT

CORPUS = Path(__file__).parent / "corpus"
EXPECTED: dict[str, dict] = tomllib.loads((CORPUS / "expected.toml").read_text())
EXERCISES = ("ex01_tensors", "ex02_autograd")
PLACEHOLDERS = (".py", ".inert", ".ini", ".pth")
INERT = ".inert"  # conftest.py is stored as conftest.py.inert: pytest would load it while collecting us
WATCHED = ("solutions", "tests", "exercises")
CHECK_TIMEOUT, LEARNER_TIMEOUT, RUN_TIMEOUT = 2, 30, 900  # a correct learner takes a few seconds
MAX_RESULT_BYTES = 1 << 20


# --- building the class -----------------------------------------------------------------------


def generated(kind: str, path: Path) -> bytes:
    """Files made at test time (too big, not text, or ignored by git)."""
    if kind == "pyc":  # compiled code that leaves RAN-pyc in the learner's folder if Python ever loads it
        code = compile(f"open({str(path.parents[1] / 'RAN-pyc')!r}, 'w').close()", path.stem, "exec")
        return importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(code)
    if kind == "random-bytes":
        return random.Random(6).randbytes(4096)
    if kind == "latin-1":
        return '"""Written in Latin-1, with no encoding declared."""\nNAME = "café"\n'.encode("latin-1")
    if kind == "deep-json":
        return b"[" * 100_000 + b"]" * 100_000
    raise ValueError(f"unknown generated file {kind!r}")


def build_class(folder: Path, run: str, port: int) -> Path:
    """The corpus in `folder`, with its test-time files, markers filled in and conftests restored."""
    submissions = folder / "submissions"
    for learner, spec in EXPECTED.items():
        home = submissions / learner
        if (CORPUS / learner).is_dir():
            shutil.copytree(CORPUS / learner, home, ignore=shutil.ignore_patterns("__pycache__"), symlinks=True)
        home.mkdir(parents=True, exist_ok=True)
        for name, source in spec.get("copy", {}).items():
            origin = home / source if source.startswith("./") else ROOT / source
            (home / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(origin, home / name)
        for name, kind in spec.get("make", {}).items():
            path = home / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if kind == "empty-folder":
                assert not any(path.iterdir()), f"{learner} should be empty"
            elif kind.startswith("link:"):
                path.symlink_to(kind.removeprefix("link:"))
            elif kind.startswith("hardlink:"):  # a copy outside every learner's folder, linked in
                target = folder / "outside" / f"{learner}-{Path(kind).name}"
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(ROOT / kind.removeprefix("hardlink:"), target)
                os.link(target, path)
            elif kind == "50MB":
                with open(path, "wb") as big:
                    big.truncate(50_000_000)  # sparse: 50 MB long, no disk used
            else:
                path.write_bytes(generated(kind, path))
    for path in list(submissions.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix in PLACEHOLDERS:
            text = path.read_text(encoding="utf-8", errors="surrogateescape")
            text = text.replace("__CORPUS_RUN__", run).replace("__CORPUS_PORT__", str(port))
            path.write_text(text, encoding="utf-8", errors="surrogateescape")
        if path.suffix == INERT:
            path.rename(path.with_suffix(""))
    return submissions


def course_copy(folder: Path) -> Path:
    """A private course to grade from (the fallback lets learner code reach the files it runs from)."""
    course = folder / "course"
    course.mkdir()
    for name in COURSE_FILES:
        shutil.copy(ROOT / name, course / name)
    for part in ("grader", *WATCHED, "data"):
        shutil.copytree(ROOT / part, course / part, ignore=shutil.ignore_patterns("__pycache__", "corpus", "tests"))
    return course


# --- watching the run ---------------------------------------------------------------------------


class Listener:
    """A TCP server on 127.0.0.1 that records whoever connects (the `sockets` learner tries)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.heard: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.heard.append(connection.recv(1024) or b"(connected)")
                except OSError:
                    self.heard.append(b"(connected)")

    def close(self) -> list[bytes]:
        self.stopped.set()
        self.thread.join()
        self.server.close()
        return self.heard


def snapshot(*folders: Path) -> dict[str, str]:
    """sha256 of every file below the folders (bytecode caches aside)."""
    hashes = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and "__pycache__" not in path.parts:
                hashes[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def survivors(run: str) -> list[str]:
    """Processes that carry the run's marker (in their command line or name): none may outlive the run."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "cmdline").read_bytes().replace(b"\0", b" ") + b" " + (entry / "comm").read_bytes()
        except OSError:
            continue
        if run.encode()[:15] in text:
            found.append(f"{entry.name}: {text.decode(errors='replace').strip()}")
    return found


def escaped_markers(run: str, deep: list[Path], shallow: list[Path]) -> list[str]:
    """Files named after the run: anywhere below `deep` folders, at the top of `shallow` ones."""
    found = [p for folder in deep if folder.exists() for p in folder.rglob(f"*{run}*")]
    return [str(p) for p in found + [p for folder in shallow for p in folder.glob(f"*{run}*")]]


@dataclass
class CorpusRun:
    mode: str
    run: str
    course: Path
    submissions: Path
    results: Path
    process: subprocess.CompletedProcess[str]
    heard: list[bytes]
    changed: list[str]
    left_running: list[str]
    escaped: list[str]
    problems: list[str] = field(default_factory=list)


def grade_corpus(folder: Path, mode: str) -> CorpusRun:
    run = f"tdc{mode[0]}{secrets.token_hex(5)}"  # short enough for /proc/<pid>/comm
    listener = Listener()
    submissions = build_class(folder, run, listener.port)
    # bubblewrap mounts the grader where the installed package points, so that mode grades from the
    # repository itself (read-only inside the sandbox); the fallback grades from a copy of the course.
    course = ROOT if mode == "bwrap" else course_copy(folder)
    results = folder / "results"
    watched = [course / part for part in WATCHED] + ([] if course == ROOT else [course / "grader"])
    before = snapshot(*watched, submissions)
    command = [
        sys.executable, "-m", "grader", "class", str(submissions), "--out", str(results),
        "--sandbox", mode, "--jobs", "2", "--secret", "corpus", "--timeout", str(CHECK_TIMEOUT),
        "--learner-timeout", str(LEARNER_TIMEOUT), "--exercises", *EXERCISES,
    ]  # fmt: skip
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("PYTHONPATH", None)
    process = subprocess.run(
        command, cwd=course, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env, check=False
    )
    deadline = time.monotonic() + 5
    while (left := survivors(run)) and time.monotonic() < deadline:
        time.sleep(0.2)
    after = snapshot(*watched, submissions)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    shared = [Path("/tmp"), Path.home()] if mode == "bwrap" else []  # the fallback cannot keep a learner out
    escaped = escaped_markers(run, [submissions, results], [course, *shared])
    return CorpusRun(mode, run, course, submissions, results, process, listener.close(), changed, left, escaped)


# --- judging one learner --------------------------------------------------------------------------


def learner_problems(learner: str, spec: dict, results: Path) -> list[str]:
    path = results / "learners" / f"{learner}.json"
    if not path.is_file():
        return ["no results file"]
    if path.stat().st_size > MAX_RESULT_BYTES:
        return [f"results file is {path.stat().st_size} bytes"]
    try:
        data = json.loads(path.read_text())
    except ValueError as error:
        return [f"results file is not JSON ({error})"]
    # A skipped run (a GPU check where there is no GPU) is neither earned nor lost: it depends on the machine.
    checks = {f"{c['exercise']}::{c['name']}": c for c in data["checks"] if c["status"] != "skipped"}
    problems = []
    for exercise in EXERCISES:
        own = [c for key, c in checks.items() if key.startswith(exercise + "::")]
        points = sum(c["points"] for c in own)
        if not own:
            problems.append(f"{exercise}: no checks in the results")
        elif exercise in spec.get("solved", []):
            unsolved = [f"{c['name']} {c['status']}: {c['message'][:200]}" for c in own if c["status"] != "passed"]
            problems += [f"{exercise} should pass every check: {line}" for line in unsolved]
        elif points:
            earned = [f"{c['name']} ({c['points']:g})" for c in own if c["points"]]
            problems.append(f"{exercise} earned {points:g} points it did not solve: {', '.join(earned)}")
        allowed = spec.get("statuses", {}).get(exercise)
        if allowed:
            problems += [
                f"{exercise}::{c['name']} is {c['status']} (expected {'/'.join(allowed)}): {c['message'][:200]}"
                for c in own
                if c["status"] not in allowed
            ]
        text = spec.get("message", {}).get(exercise)
        if text:
            lacking = [c for c in own if text not in c["message"]]
            problems += [f"{exercise}::{c['name']} message lacks {text!r}: {c['message'][:200]}" for c in lacking]
    for pattern, allowed in spec.get("checks", {}).items():
        matched = {key: c for key, c in checks.items() if fnmatch.fnmatchcase(key, pattern)}
        if not matched:
            problems.append(f"no check matches {pattern}")
        wrong = {key: c for key, c in matched.items() if c["status"] not in allowed}
        problems += [f"{key} is {c['status']} (expected {'/'.join(allowed)})" for key, c in wrong.items()]
    printed = "\n".join(c["output"] for c in data["checks"])
    problems += [f"output lacks {text!r}" for text in spec.get("output_has", []) if text not in printed]
    problems += [f"output shows {text!r}: {printed[:300]}" for text in spec.get("output_lacks", []) if text in printed]
    notes = " | ".join(data.get("notes", []))
    problems += [f"notes lack {text!r}: {notes}" for text in spec.get("notes", []) if text not in notes]
    return problems


def class_file_problems(results: Path) -> list[str]:
    path = results / "class.json"
    if not path.is_file():
        return ["no class.json"]
    try:
        listed = {entry["learner"]: entry for entry in json.loads(path.read_text())["learners"]}
        scores = {p.stem: json.loads(p.read_text())["score"] for p in results.glob("learners/*.json")}
    except (ValueError, KeyError, TypeError) as error:
        return [f"class.json or a results file is malformed ({error!r})"]
    problems = [f"class.json lacks {learner}" for learner in EXPECTED if learner not in listed]
    problems += [
        f"class.json gives {learner} {entry['score']}, its results file {scores[learner]}"
        for learner, entry in listed.items()
        if learner in scores and scores[learner] != entry["score"]
    ]
    return problems


# --- the tests ----------------------------------------------------------------------------------------


def sandbox_modes() -> list:
    reason = "bubblewrap is not installed or cannot create namespaces here (CI installs it)"
    return [pytest.param("bwrap", marks=pytest.mark.skipif(not bwrap_works(), reason=reason)), "none"]


def test_the_corpus_is_large_and_every_folder_is_expected():
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert len(EXPECTED) >= 20 + 6  # twenty attacks, six malformed inputs at least
    assert folders <= set(EXPECTED), f"corpus folders without expectations: {folders - set(EXPECTED)}"
    for learner, spec in EXPECTED.items():
        assert spec.get("attack"), learner
        assert set(spec.get("solved", [])) <= set(EXERCISES), learner


def test_the_class_is_built_with_its_test_time_files(tmp_path):
    submissions = build_class(tmp_path, "tdcx0123456789", 4242)
    assert {p.name for p in submissions.iterdir()} == set(EXPECTED)
    assert (submissions / "conftest_drop" / "conftest.py").is_file()
    assert not list(submissions.rglob("*" + INERT))
    copied = submissions / "bystander" / "ex02_autograd.py"
    assert copied.read_bytes() == (ROOT / "solutions" / "ex02_autograd.py").read_bytes()
    assert os.readlink(submissions / "symlink_passwd" / "ex02_autograd.py") == "/etc/passwd"
    assert (submissions / "file_50mb" / "ex02_autograd.py").stat().st_size == 50_000_000
    assert not any((submissions / "empty_folder").iterdir())
    sockets = (submissions / "sockets" / "ex02_autograd.py").read_text()
    assert 'int("4242")' in sockets and "tdcx0123456789" in sockets and "__CORPUS" not in sockets


@pytest.mark.slow
@pytest.mark.parametrize("mode", sandbox_modes())
def test_every_attack_earns_nothing_and_harms_nothing(mode, tmp_path):
    outcome = grade_corpus(tmp_path, mode)
    problems = []
    if outcome.process.returncode != 0:
        code, printed = outcome.process.returncode, outcome.process.stderr[-3000:]
        problems.append(f"the class command exited with {code}:\n{printed}")
    for learner, spec in EXPECTED.items():
        problems += [f"{learner}: {problem}" for problem in learner_problems(learner, spec, outcome.results)]
    problems += class_file_problems(outcome.results)
    problems += [f"changed outside the results: {path}" for path in outcome.changed]
    problems += [f"left running after the class command: {line}" for line in outcome.left_running]
    problems += [f"a learner wrote outside its sandbox: {path}" for path in outcome.escaped]
    problems += [f"a file beside a submission ran: {p}" for p in outcome.submissions.rglob("RAN-*")]
    if mode == "bwrap":  # without a network namespace, the fallback cannot stop a connection
        problems += [f"the sandbox reached 127.0.0.1: {message!r}" for message in outcome.heard]
    assert not problems, f"{len(problems)} problems with --sandbox {mode}:\n" + "\n".join(problems)
