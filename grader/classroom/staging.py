"""Staging a learner's submission: copy only allow-listed exercise files into a clean folder.

Class grading never runs learner code from the folder the instructor received.
`stage` copies exactly `<exercise>.py` (or converts `<exercise>.ipynb`) for the
course's exercises into a fresh folder, and nothing else: a `conftest.py`, a
`torch.py`, a `.pth` file or a `__pycache__` left beside the exercises could
otherwise change how Python or pytest behaves before a single check runs.

Everything is read through a safe open (no link is followed out of the learner's
folder, no FIFO or device is opened, sizes are capped before reading), the
sha256 of each original file is recorded, and whatever could not be staged is
reported per exercise (`problems`: that exercise's checks become errors with
this message) or per learner (`notes`). Files that are not valid Python (binary
garbage, a non-UTF-8 file without an encoding declaration) are staged as they
are: Python itself decides, at import time in the sandbox, and the exercise is
reported as an import error with Python's own message.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.core.course import Course
from grader.core.state import LearnerState

MODULE_LIMIT = 1 << 20  # a solved exercise is ~20 KiB; 1 MiB leaves room for long comments
NOTEBOOK_LIMIT = 5 << 20  # notebooks carry outputs (images) that are dropped on conversion
HINTS_LIMIT = 64 << 10
NO_FILES = "no exercise files found (expected exNN_topic.py or .ipynb)"
LISTED = 8  # names shown in one note before "and N more"
DEEP_SCAN = 2_000  # entries looked at below one level, only to explain an unknown layout


@dataclass(frozen=True)
class StagedFile:
    exercise: str  # "ex02_autograd"
    source: str  # relative to the learner's folder: "ex02_autograd.py", "sub/ex02_autograd.ipynb"
    sha256: str  # of the original file's bytes
    size: int


@dataclass
class Staged:
    learner: str  # the learner folder's name
    folder: Path  # holds only <exercise>.py files
    files: list[StagedFile] = field(default_factory=list)
    problems: dict[str, str] = field(default_factory=dict)  # exercise -> why it could not be staged
    notes: list[str] = field(default_factory=list)  # learner-level remarks: ignored files, layout
    hints: dict[str, dict[str, int]] = field(default_factory=dict)  # exercise -> function -> levels seen

    def content_hash(self) -> str:
        """Everything staging saw that can change a learner's result, so a rerun may skip them.

        Besides the files' hashes and the problems this covers where each file came
        from, the hint record and the notes: all of them end up in the results JSON.
        """
        payload = {
            "files": sorted((f.exercise, f.source, f.sha256) for f in self.files),
            "problems": sorted(self.problems.items()),
            "hints": self.hints,
            "notes": self.notes,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class Refused(Exception):
    """A file that may not be staged; the message says why and is shown to the instructor."""


@dataclass(frozen=True)
class _Candidate:
    exercise: str
    source: str  # relative, with "/" separators
    path: Path

    @property
    def rank(self) -> tuple[bool, int, str]:
        """.py before .ipynb, then the shallower file, then by name: always the same choice."""
        return (self.path.suffix != ".py", self.source.count("/"), self.source)


def stage(submission: Path, dest: Path, exercises: list[str]) -> Staged:
    """Stage the allow-listed files of `submission` into `dest` (replaced if it exists)."""
    staged = Staged(learner=submission.name, folder=dest)
    _fresh_folder(dest)
    if submission.is_symlink() or not submission.is_dir():
        staged.notes.append(f"{submission.name} is not a folder (or is a link): nothing staged")
        return staged
    root = submission.resolve()
    candidates, ignored, deeper = _scan(root, set(exercises))
    staged.notes += _layout_notes(candidates, ignored, deeper)
    for exercise in exercises:
        found = sorted((c for c in candidates if c.exercise == exercise), key=lambda c: c.rank)
        if not found:
            continue
        if len(found) > 1:
            staged.notes.append(_choice_note(found))
        try:
            staged.files.append(_stage_one(found[0], root, dest, staged.notes))
        except Refused as refused:
            staged.problems[exercise] = str(refused)
    staged.hints = _read_hints(root, exercises, staged.notes)
    return staged


# --- finding the files --------------------------------------------------------------


def _scan(root: Path, names: set[str]) -> tuple[list[_Candidate], list[str], list[str]]:
    """Exercise files at the top level and one level down; the rest, ignored; deeper matches."""
    candidates: list[_Candidate] = []
    ignored: list[str] = []
    subfolders: list[tuple[str, Path]] = []
    for name, path in _entries(root):
        if (found := _candidate(name, name, path, names)) is not None:
            candidates.append(found)
        elif _is_real_dir(path):
            subfolders.append((name, path))
        else:
            ignored.append(name)
    deeper: list[str] = []
    for folder, folder_path in subfolders:
        for name, path in _entries(folder_path):
            source = f"{folder}/{name}"
            if (found := _candidate(name, source, path, names)) is not None:
                candidates.append(found)
            elif _is_real_dir(path):
                ignored.append(source + "/")
                deeper += _deep_matches(path, source, names)
            else:
                ignored.append(source)
    return candidates, ignored, deeper


def _entries(folder: Path) -> list[tuple[str, Path]]:
    """Visible entries, sorted; hidden ones (.git, .DS_Store, .torchdrill) are not the learner's work."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [(name, folder / name) for name in names if not name.startswith(".")]


def _candidate(name: str, source: str, path: Path, names: set[str]) -> _Candidate | None:
    stem, dot, suffix = name.rpartition(".")
    if dot and stem in names and suffix in ("py", "ipynb"):
        return _Candidate(stem, source, path)
    return None


def _is_real_dir(path: Path) -> bool:
    return not path.is_symlink() and path.is_dir()


def _deep_matches(folder: Path, source: str, names: set[str]) -> list[str]:
    """Exercise files two or more levels down (bounded walk): only to say why none were graded."""
    found, seen = [], 0
    for current, dirs, files in os.walk(folder):  # never follows links
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        seen += len(dirs) + len(files)
        relative = Path(source, Path(current).relative_to(folder)).as_posix()
        found += [f"{relative}/{f}" for f in sorted(files) if _candidate(f, f, Path(f), names)]
        if seen > DEEP_SCAN:
            break
    return found


def _layout_notes(candidates: list[_Candidate], ignored: list[str], deeper: list[str]) -> list[str]:
    notes = []
    nested = sorted({c.source.split("/")[0] for c in candidates if "/" in c.source})
    if nested:
        notes.append(f"exercise files found one folder down, in {listing([n + '/' for n in nested])}")
    if not candidates:
        notes.append(NO_FILES)
    if deeper:
        notes.append(
            f"exercise files nested more than one folder down are not graded: {listing(deeper)} "
            "(put them at the top of the learner's folder, or one folder down)"
        )
    if ignored:
        notes.append(f"ignored (not an exercise file): {listing(ignored)}")
    return notes


def _choice_note(found: list[_Candidate]) -> str:
    chosen, others = found[0], [c.source for c in found[1:]]
    why = ".py preferred over .ipynb" if {c.path.suffix for c in found} == {".py", ".ipynb"} else "several copies"
    return f"{chosen.exercise}: graded {chosen.source}, ignored {listing(others)} ({why})"


def listing(names: list[str]) -> str:
    """Names for a message: the first few, then how many more (learner folders can hold thousands)."""
    shown = ", ".join(names[:LISTED])
    return shown if len(names) <= LISTED else f"{shown} and {len(names) - LISTED} more"


# --- copying ------------------------------------------------------------------------


def _stage_one(candidate: _Candidate, root: Path, dest: Path, notes: list[str]) -> StagedFile:
    notebook = candidate.path.suffix == ".ipynb"
    limit = NOTEBOOK_LIMIT if notebook else MODULE_LIMIT
    data = _read_inside(candidate.path, root, limit, candidate.source)
    target = dest / f"{candidate.exercise}.py"
    if notebook:
        mismatch = _convert_notebook(data, candidate.exercise, target)
        if mismatch:
            notes.append(mismatch)
    else:
        _write(target, data)
    return StagedFile(candidate.exercise, candidate.source, hashlib.sha256(data).hexdigest(), len(data))


def _read_inside(path: Path, root: Path, limit: int, label: str) -> bytes:
    """The bytes of `path`, a regular file inside `root` (links resolved, never out of it), at most `limit`."""
    real = Path(os.path.realpath(path))
    if real != root and root not in real.parents:
        target = os.readlink(path) if path.is_symlink() else str(real)
        raise Refused(f"{label} is a link to {target}, outside the learner's folder: refused")
    # realpath resolved every link; O_NOFOLLOW keeps a link swapped in since from being followed,
    # O_NONBLOCK keeps a FIFO from blocking the open (it is refused below as not a regular file).
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(real, flags)
    except OSError as error:
        raise Refused(f"{label} cannot be read ({error.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"{label} is not a regular file: refused")
        if info.st_nlink > 1:  # another name for a file elsewhere (the course secret, another learner's file)
            raise Refused(f"{label} is a hard link (a file with {info.st_nlink} names): refused, submit a copy")
        if info.st_size > limit:
            raise Refused(_too_large(label, info.st_size, limit))
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while being read
        raise Refused(_too_large(label, len(data), limit))
    return data


def _too_large(label: str, size: int, limit: int) -> str:
    return f"{label} is {_human(size)}, over the {_human(limit)} limit for a {_kind(label)}: refused"


def _kind(label: str) -> str:
    return {".py": "module", ".ipynb": "notebook"}.get(Path(label).suffix, "file")


def _human(size: int) -> str:
    if size < 1 << 10:
        return f"{size} bytes"
    return f"{size / (1 << 10):.3g} KiB" if size < 1 << 20 else f"{size / (1 << 20):.3g} MiB"


def _fresh_folder(dest: Path) -> None:
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    elif dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    dest.chmod(0o755)  # readable by an unprivileged sandbox user, whatever the umask


def _write(target: Path, data: bytes) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        os.fchmod(out.fileno(), 0o644)


def _convert_notebook(data: bytes, exercise: str, target: Path) -> str | None:
    """Convert from a private copy, so the converter never opens a path inside the learner's folder.

    Returns a note when the notebook's metadata names another exercise (the file name decides).
    """
    from grader.learner.notebooks import stage as notebooks

    with tempfile.TemporaryDirectory(prefix="torchdrill-notebook-") as scratch:
        copy = Path(scratch, f"{exercise}.ipynb")
        copy.write_bytes(data)
        try:
            written = Path(notebooks.stage(copy, Path(scratch, "module")))
        except notebooks.NotebookError as error:
            raise Refused(str(error)) from None
        except Exception as error:  # noqa: BLE001 - a hostile file (JSON nested 100,000 deep) must not stop the class
            raise Refused(f"{copy.name} could not be read as a notebook ({type(error).__name__})") from None
        _write(target, written.read_bytes())
    if written.stem != exercise:
        return f"{exercise}.ipynb says it is the notebook of {written.stem}: graded as {exercise}"
    return None


# --- the hint record ----------------------------------------------------------------


def _read_hints(root: Path, exercises: list[str], notes: list[str]) -> dict[str, dict[str, int]]:
    """The hint record of the learner's state file (`grader.core.state`), if present and valid."""
    relative = Course(Path(".")).state_file.as_posix()
    places = [root / relative] + [path / relative for _, path in _entries(root) if _is_real_dir(path)]
    place = next((p for p in places if p.exists() or p.is_symlink()), None)
    if place is None:
        return {}
    label = place.relative_to(root).as_posix()
    try:
        record = LearnerState.parse(json.loads(_read_inside(place, root, HINTS_LIMIT, label)))
    except Refused as refused:
        notes.append(f"hint record ignored: {refused}")
        return {}
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError and JSON errors included
        reason = str(error) if str(error).startswith("not of the form") else "not valid JSON"
        notes.append(f"hint record {label} ignored: {reason}")
        return {}
    return {exercise: levels for exercise, levels in record.hints.items() if exercise in exercises}
