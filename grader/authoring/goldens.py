"""Goldens: the reference outcomes of the visible checks, recorded from solutions/.

A student release ships goldens instead of solutions/: grading compares the
learner's observations with the recorded ones, so the release needs no reference
code. Only visible checks are recorded: their inputs are fixed (the seed depends
on the check alone), while hidden checks draw fresh inputs per learner and need
the solutions.

One exercise is two files under goldens/:

- `ex02_autograd.json`: per check, in suite order, the seed and the outcome in
  the wire format of `grader.core.wire` (`kind`, the exception of a reference
  that raises on purpose, the description of every observation, in probe order);
- `ex02_autograd.safetensors`: the tensors, keyed `check_name/observation key`.

Recording is deterministic (fixed seeds, one thread, stable JSON and safetensors
layouts), so re-recording unchanged solutions gives identical bytes: that is how
`python -m grader goldens --check` and the self-test prove the goldens current.
`grader.core.references.GoldenReferences` reads them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from grader.core.checks import Check
from grader.core.course import Course
from grader.core.references import GOLDEN_FORMAT, References
from grader.core.session import seed_of
from grader.core.suites import load_suite
from grader.core.wire import OutcomeKind, ProbeOutcome, encode, split


@dataclass(frozen=True)
class GoldenFiles:
    """The two files of one exercise, as bytes."""

    exercise: str
    json: bytes
    tensors: bytes


# --- recording ------------------------------------------------------------------------


def visible_checks(course: Course, exercise: str) -> list[Check]:
    return [c for c in load_suite(course.suite(exercise)) if not c.hidden]


def record(course: Course) -> list[GoldenFiles]:
    """The goldens of every exercise in the catalog, from a fresh import of the solutions."""
    references = References(course.solutions)
    recorded = []
    for exercise in course.catalog.names:
        checks = visible_checks(course, exercise)
        outcomes = {c.name: (seed_of(c), references.outcome(c, seed_of(c))) for c in checks}
        recorded.append(_serialise(exercise, outcomes))
    return recorded


def _serialise(exercise: str, outcomes: dict[str, tuple[int, ProbeOutcome]]) -> GoldenFiles:
    checks: dict[str, dict] = {}
    tensors: dict[str, torch.Tensor] = {}
    for name, (seed, outcome) in outcomes.items():
        if outcome.kind not in (OutcomeKind.OBSERVATIONS, OutcomeKind.RAISED):
            raise RuntimeError(f"reference for {exercise}::{name} did not run: {outcome.kind}")
        message: dict = {"seed": seed, "kind": str(outcome.kind)}
        if outcome.error is not None:
            message["error"] = {"type": outcome.error.type, "message": outcome.error.message}
        header, blob = split(encode(message, outcome.observations))
        checks[name] = header
        tensors.update({f"{name}/{key}": value for key, value in (load_tensors(blob) if blob else {}).items()})
    return GoldenFiles(exercise, _document(exercise, checks).encode(), save_tensors(tensors))


def _document(exercise: str, checks: dict[str, dict]) -> str:
    """The JSON file, one line per check: a re-recording's diff names the checks that changed."""
    lines = ",\n".join(f"  {json.dumps(name)}: {json.dumps(header)}" for name, header in checks.items())
    return f'{{\n "format": {GOLDEN_FORMAT},\n "exercise": {json.dumps(exercise)},\n "checks": {{\n{lines}\n }}\n}}\n'


def write(course: Course, folder: Path | None = None) -> list[Path]:
    """Record into `folder` (default goldens/), which holds nothing else; returns the files changed or removed."""
    folder = folder or course.goldens
    folder.mkdir(parents=True, exist_ok=True)
    changed, expected = [], set()
    for files in record(course):
        for path, data in zip(course.golden_files(files.exercise, folder), (files.json, files.tensors)):
            expected.add(path)
            if not path.is_file() or path.read_bytes() != data:
                path.write_bytes(data)
                changed.append(path)
    for path in sorted(set(folder.iterdir()) - expected):  # an exercise that left the catalog
        path.unlink()
        changed.append(path)
    return changed


def stale(course: Course, folder: Path | None = None) -> list[str]:
    """What differs between the goldens in `folder` and a fresh recording; empty when current."""
    folder = folder or course.goldens
    problems = []
    expected: set[Path] = set()
    for files in record(course):
        json_path, tensors_path = course.golden_files(files.exercise, folder)
        expected |= {json_path, tensors_path}
        if not (json_path.is_file() and tensors_path.is_file()):
            problems.append(f"{files.exercise}: not recorded")
        elif (json_path.read_bytes(), tensors_path.read_bytes()) != (files.json, files.tensors):
            on_disk = GoldenFiles(files.exercise, json_path.read_bytes(), tensors_path.read_bytes())
            problems.append(f"{files.exercise}: differs in {', '.join(_differing_checks(on_disk, files)) or 'layout'}")
    extra = sorted(p for p in folder.glob("*") if p not in expected) if folder.is_dir() else []
    problems += [f"{p.name}: not a golden of any exercise" for p in extra]
    return problems


def _differing_checks(old: GoldenFiles, new: GoldenFiles) -> list[str]:
    try:
        before, after = _checks(old), _checks(new)
    except (ValueError, KeyError):
        return ["every check (unreadable file)"]
    names = list(dict.fromkeys([*after, *before]))
    return [name for name in names if before.get(name) != after.get(name)]


def _checks(files: GoldenFiles) -> dict[str, tuple[str, dict[str, bytes]]]:
    """Per check: its header as text and its tensors as bytes, to compare two recordings."""
    checks = json.loads(files.json)["checks"]
    tensors = load_tensors(files.tensors)
    return {
        name: (
            json.dumps(header),
            {k: save_tensors({"t": v}) for k, v in tensors.items() if k.startswith(f"{name}/")},
        )
        for name, header in checks.items()
    }
