"""Class grading throughput: the sandboxed class grader against one plain pytest per learner.

A generated class (BENCH_LEARNERS, default 50) of the whole curriculum: complete
solutions, partly solved stubs, buggy submissions (known mistakes from
tests/variants) and crashing ones. Both ways grade the same class in this run,
with the same number of parallel processes (the machine's cores):

- torchdrill: `python -m grader class` (bubblewrap when it works), references
  of visible checks shared by all learners, warm sandboxed workers;
- naive: `python -m pytest tests/ --target=LEARNER` once per learner, no sandbox.

Then a class of MISBEHAVING_CLASS learners, complete but for one file of a few that
misbehaves at import (MISBEHAVIOURS): what such a learner costs, as a ratio to an
honest learner graded in the same run.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from grader.authoring import variants  # noqa: E402
from grader.classroom import sandbox  # noqa: E402
from grader.core.course import Course  # noqa: E402

COURSE = Course(ROOT)

KINDS = ("complete", "partial", "buggy", "crashing", "stubs")
MISBEHAVING_CLASS = 20
MISBEHAVIOURS = {  # prepended to one exercise file: what a hostile or careless top level does
    "loops": "while True:\n    pass\n",
    "forks": "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
    "allocates": "blocks = []\nwhile True:\n    blocks.append(bytearray(1 << 24))\n",
    "ignores_sigterm": (
        "import signal\nfor number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
        "    signal.signal(number, signal.SIG_IGN)\nwhile True:\n    pass\n"
    ),
}
MISBEHAVING_FILE = "ex09_training"
FIRST_COURSE = 13  # exercises of the course when the class figure was first taken (0.57 learners/s)


def make_class(folder: Path, size: int) -> dict[str, str]:
    """`size` learners cycling through KINDS; returns learner -> kind."""
    course = COURSE.catalog.names
    mistakes = [v for v in variants.discover(COURSE) if any(status != "passed" for status, _ in v.verdicts.values())]
    chance = random.Random(0)
    kinds = {}
    for index in range(size):
        kind = KINDS[index % len(KINDS)]
        learner = folder / f"learner{index:03d}"
        learner.mkdir(parents=True)
        solved = course[: chance.randint(3, len(course) - 2)] if kind == "partial" else course
        for exercise in course:
            source = "solutions" if exercise in solved and kind != "stubs" else "exercises"
            (learner / f"{exercise}.py").write_text((ROOT / source / f"{exercise}.py").read_text())
        if kind == "buggy":
            for variant in chance.sample(mistakes, 3):
                variants.build(COURSE, variant, learner)
        if kind == "crashing":
            victim = chance.choice(course)
            (learner / f"{victim}.py").write_text("import os\nos._exit(1)\n")
            (learner / f"{course[0]}.py").write_text("import ctypes\nctypes.string_at(0)\n")
        kinds[learner.name] = kind
    return kinds


def make_misbehaving_class(folder: Path) -> dict[str, str]:
    """MISBEHAVING_CLASS complete learners, one per MISBEHAVIOURS among them misbehaving in one file."""
    course = COURSE.catalog.names
    kinds = {}
    misbehaving = dict(zip(range(3, MISBEHAVING_CLASS, MISBEHAVING_CLASS // len(MISBEHAVIOURS)), MISBEHAVIOURS, strict=False))
    for index in range(MISBEHAVING_CLASS):
        learner = folder / f"learner{index:03d}"
        learner.mkdir(parents=True)
        for exercise in course:
            (learner / f"{exercise}.py").write_text((ROOT / "solutions" / f"{exercise}.py").read_text())
        kind = misbehaving.get(index, "honest")
        if kind != "honest":
            target = learner / f"{MISBEHAVING_FILE}.py"
            target.write_text(MISBEHAVIOURS[kind] + target.read_text())
        kinds[learner.name] = kind
    return kinds


def grade_class(submissions: Path, out: Path, jobs: int, exercises: list[str] | None = None) -> float:
    started = time.perf_counter()
    command = [sys.executable, "-m", "grader", "class", str(submissions), "--out", str(out), "--jobs", str(jobs), "--force"]
    command += ["--exercises", *exercises] if exercises else []
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def grade_naively(submissions: Path, jobs: int) -> float:
    def one(learner: Path) -> None:
        command = [sys.executable, "-m", "pytest", "tests", f"--target={learner}", "-q", "-p", "no:cacheprovider"]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=False)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, sorted(submissions.iterdir())))
    return time.perf_counter() - started


def probe_seconds(out: Path) -> float:
    """Time spent running learners' probes (each check's child, fork to result)."""
    return sum(
        check["duration"]
        for path in (out / "learners").glob("*.json")
        for check in json.loads(path.read_text())["checks"]
    )


def main(report) -> None:  # noqa: ANN001 - bench/run.py's Report
    size = int(os.environ.get("BENCH_LEARNERS", "50"))
    jobs = os.cpu_count() or 1
    mode = sandbox.resolve_mode("auto")
    with tempfile.TemporaryDirectory() as folder:
        submissions = Path(folder) / "class"
        kinds = make_class(submissions, size)
        mix = ", ".join(f"{list(kinds.values()).count(k)} {k}" for k in KINDS)
        out = Path(folder) / "results"
        ours = grade_class(submissions, out, jobs)
        report.figure("class grader: learners per second", size / ours, "learners/s", ">= 2",
                      f"{size} learners ({mix}), full curriculum, {jobs} jobs, sandbox: {mode}, {ours:.1f} s")
        naive = grade_naively(submissions, jobs)
        report.figure("naive (one pytest per learner): learners per second", size / naive, "learners/s",
                      note=f"same class, {jobs} at a time, no sandbox, {naive:.1f} s")
        report.figure("speed-up over naive", naive / ours, "x", ">= 3")
        share = probe_seconds(out) / (ours * jobs)
        report.figure("share of class-grading wall time in learner probes", 100 * share, "%",
                      note="sum of every check's child time (fork to result) over wall time x jobs")
        first = COURSE.catalog.names[:FIRST_COURSE]
        part = grade_class(submissions, Path(folder) / "first", jobs, first)
        report.figure(f"class grader, {first[0]}..{first[-1]} only: learners per second", size / part, "learners/s",
                      ">= 0.57", f"the same class graded on the {FIRST_COURSE} exercises the course had when 0.57 "
                      f"was measured (their suites have grown since), {jobs} jobs, {part:.1f} s")
    misbehaving_class(report, jobs, mode)


def misbehaving_class(report, jobs: int, mode: object) -> None:  # noqa: ANN001 - bench/run.py's Report
    with tempfile.TemporaryDirectory() as folder:
        submissions = Path(folder) / "class"
        kinds = make_misbehaving_class(submissions)
        out = Path(folder) / "results"
        wall = grade_class(submissions, out, jobs)
        took = {entry["learner"]: entry["duration"] for entry in json.loads((out / "class.json").read_text())["learners"]}
        honest = sorted(took[name] for name, kind in kinds.items() if kind == "honest")
        slowest = max((took[name], kind) for name, kind in kinds.items() if kind != "honest")
        typical = honest[len(honest) // 2]
        report.figure("slowest misbehaving learner / honest learner", slowest[0] / typical, "x", "<= 3",
                      f"{len(kinds)} learners, {len(kinds) - len(honest)} misbehaving at the import of {MISBEHAVING_FILE}.py "
                      f"({', '.join(MISBEHAVIOURS)}); slowest {slowest[1]} {slowest[0]:.1f} s, honest median {typical:.1f} s, "
                      f"whole class {wall:.1f} s, {jobs} jobs, sandbox: {mode}")
