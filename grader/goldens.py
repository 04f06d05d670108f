"""Goldens: the reference outcomes of the visible checks, recorded from solutions/.

A student release ships goldens instead of solutions/: grading compares the
learner's observations with the recorded ones, so the release needs no reference
code. Only visible checks are recorded: their inputs are fixed (the seed depends
on the check alone), while hidden checks draw fresh inputs per learner and need
the solutions.

One exercise is two files under goldens/:

- `ex02_autograd.json`: per check, in suite order, the seed and the outcome in
  the wire format of `grader.observations` (`kind`, the exception of a reference
  that raises on purpose, the description of every observation, in probe order);
- `ex02_autograd.safetensors`: the tensors, keyed `check_name/observation key`.

Recording is deterministic (fixed seeds, one thread, stable JSON and safetensors
layouts), so re-recording unchanged solutions gives identical bytes: that is how
`python -m grader goldens --check` and the self-test prove the goldens current.
"""

from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from grader import catalog, determinism, suites
from grader.checks import Check
from grader.executor import ErrorInfo, ProbeOutcome
from grader.grading import Grader, References, ReferenceSource, Target
from grader.observations import decode, encode

GOLDENS_DIR = "goldens"
SOLUTIONS_DIR = "solutions"
FORMAT = 1
REFERENCE_CHOICES = ("auto", "solutions", "goldens")


class GoldenError(LookupError):
    """A check the goldens cannot answer: hidden, unknown, or recorded with another seed."""


@dataclass(frozen=True)
class GoldenFiles:
    """The two files of one exercise, as bytes."""

    exercise: str
    json: bytes
    tensors: bytes

    def paths(self, folder: Path) -> tuple[Path, Path]:
        return folder / f"{self.exercise}.json", folder / f"{self.exercise}.safetensors"


# --- recording ------------------------------------------------------------------------


def has_solutions(root: Path) -> bool:
    """Goldens can be recorded (and checked) only where the reference solutions are."""
    return (root / SOLUTIONS_DIR).is_dir()


def visible_checks(root: Path, exercise: str) -> list[Check]:
    return [c for c in suites.load_suite(suites.suite_path(root, exercise)) if not c.hidden]


def record(root: Path) -> list[GoldenFiles]:
    """The goldens of every exercise in the catalog, from a fresh import of the solutions."""
    references = References(root / SOLUTIONS_DIR)
    seeds = Grader(Target(SOLUTIONS_DIR, root / SOLUTIONS_DIR), references)  # the seeds grading uses
    recorded = []
    for exercise in catalog.load(root).names:
        outcomes = {
            c.name: (seeds.seed(c), references.outcome(c, seeds.seed(c))) for c in visible_checks(root, exercise)
        }
        recorded.append(_serialise(exercise, outcomes))
    return recorded


def _serialise(exercise: str, outcomes: dict[str, tuple[int, ProbeOutcome]]) -> GoldenFiles:
    checks: dict[str, dict] = {}
    tensors: dict[str, torch.Tensor] = {}
    for name, (seed, outcome) in outcomes.items():
        if outcome.kind not in ("observations", "raised"):
            raise RuntimeError(f"reference for {exercise}::{name} did not run: {outcome.kind}")
        message: dict = {"seed": seed, "kind": outcome.kind}
        if outcome.error is not None:
            message["error"] = {"type": outcome.error.type, "message": outcome.error.message}
        header, blob = _split(encode(message, outcome.observations))
        checks[name] = header
        tensors.update({f"{name}/{key}": value for key, value in (load_tensors(blob) if blob else {}).items()})
    return GoldenFiles(exercise, _document(exercise, checks).encode(), save_tensors(tensors))


def _document(exercise: str, checks: dict[str, dict]) -> str:
    """The JSON file, one line per check: a re-recording's diff names the checks that changed."""
    lines = ",\n".join(f"  {json.dumps(name)}: {json.dumps(header)}" for name, header in checks.items())
    return f'{{\n "format": {FORMAT},\n "exercise": {json.dumps(exercise)},\n "checks": {{\n{lines}\n }}\n}}\n'


def _split(frame: bytes) -> tuple[dict, bytes]:
    """A wire frame's JSON header and safetensors blob (see `grader.observations.encode`)."""
    (size,) = struct.unpack("<Q", frame[:8])
    return json.loads(frame[8 : 8 + size]), frame[8 + size :]


def _join(header: dict, tensors: dict[str, torch.Tensor]) -> bytes:
    head = json.dumps(header).encode()
    return struct.pack("<Q", len(head)) + head + (save_tensors(tensors) if tensors else b"")


def write(root: Path, folder: Path | None = None) -> list[Path]:
    """Record into `folder` (default goldens/), which holds nothing else; returns the files changed or removed."""
    folder = folder or root / GOLDENS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    changed, expected = [], set()
    for files in record(root):
        for path, data in zip(files.paths(folder), (files.json, files.tensors)):
            expected.add(path)
            if not path.is_file() or path.read_bytes() != data:
                path.write_bytes(data)
                changed.append(path)
    for path in sorted(set(folder.iterdir()) - expected):  # an exercise that left the catalog
        path.unlink()
        changed.append(path)
    return changed


def stale(root: Path, folder: Path | None = None) -> list[str]:
    """What differs between the goldens in `folder` and a fresh recording; empty when current."""
    folder = folder or root / GOLDENS_DIR
    problems = []
    expected: set[Path] = set()
    for files in record(root):
        json_path, tensors_path = files.paths(folder)
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


# --- grading against goldens --------------------------------------------------------


class GoldenReferences:
    """Reference outcomes read from goldens/, for a course without solutions/ (the student release)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._outcomes: dict[str, dict[str, tuple[int, ProbeOutcome]]] = {}

    def outcome(self, check: Check, seed: int) -> ProbeOutcome:
        recorded = self._load(check.exercise).get(check.name)
        if recorded is None:
            what = "a hidden check" if check.hidden else "not recorded"
            raise GoldenError(f"no golden for {check.key} ({what}): goldens hold the visible checks only")
        recorded_seed, outcome = recorded
        if seed != recorded_seed:
            raise GoldenError(f"{check.key}: goldens were recorded with seed {recorded_seed}, not {seed}")
        # As `References` does before each reference run. It matters for speed: the first `prepare`
        # in a process costs seconds (torch's deterministic-algorithms switch loads lazily), and the
        # learner's child is forked from this process right after, so it must be paid here, once.
        determinism.prepare(seed)
        return outcome

    def _load(self, exercise: str) -> dict[str, tuple[int, ProbeOutcome]]:
        if exercise not in self._outcomes:
            json_path = self.folder / f"{exercise}.json"
            if not json_path.is_file():
                raise GoldenError(f"no goldens for {exercise} in {self.folder}")
            document = json.loads(json_path.read_text())
            if document.get("format") != FORMAT:
                raise GoldenError(f"{json_path}: golden format {document.get('format')!r}, expected {FORMAT}")
            tensors = load_tensors((self.folder / f"{exercise}.safetensors").read_bytes())
            self._outcomes[exercise] = {
                name: _outcome(name, header, tensors) for name, header in document["checks"].items()
            }
        return self._outcomes[exercise]


def _outcome(name: str, header: dict, tensors: dict[str, torch.Tensor]) -> tuple[int, ProbeOutcome]:
    prefix = f"{name}/"
    own = {key.removeprefix(prefix): value for key, value in tensors.items() if key.startswith(prefix)}
    message, observations = decode(_join(header, own))
    error = message.get("error")
    info = ErrorInfo(error["type"], error["message"]) if error else None
    return int(message["seed"]), ProbeOutcome(message["kind"], observations, info)


def reference_source(root: Path, choice: str = "auto") -> ReferenceSource:
    """`solutions`, `goldens`, or `auto`: the solutions where they exist, else the goldens."""
    if choice not in REFERENCE_CHOICES:
        raise ValueError(f"references: {choice!r} is not one of {', '.join(REFERENCE_CHOICES)}")
    if choice == "goldens" or (choice == "auto" and not has_solutions(root) and (root / GOLDENS_DIR).is_dir()):
        return GoldenReferences(root / GOLDENS_DIR)
    return References(root / SOLUTIONS_DIR)
