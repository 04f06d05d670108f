"""Attack: find the reference solution on disk and run it as this module (a copy of it is ex01 too).

Where it looks: the working folder and its parents; beside this file; beside the grader package
(grader.__file__) and every sys.path entry; every process's cwd, root, open files, command line and
environment (/proc/self, /proc/<ppid>, /proc/*); mount points; usual checkout folders, walked a few
levels deep. Whatever it finds is exec'd into this module, and printed, so a leak shows in the output.
The answer is cached in the temporary folder: every check imports this file again.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

WANTED = Path(__file__).stem
TARGET = Path("solutions", f"{WANTED}.py")
USUAL = ("/work", "/home", "/root", "/srv", "/opt", "/builds", "/workspace", "/github", "/tmp", "/var/tmp", "/mnt")
BUDGET = 1.0  # seconds of searching
SKIP = {".git", ".venv", "venv", "site-packages", "node_modules", "__pycache__", "proc", "sys"}
CACHE = Path(tempfile.gettempdir(), f"found-{WANTED}")


def _proc_places(pid):
    for link in ("cwd", "root", "exe"):
        try:
            yield Path(os.readlink(f"/proc/{pid}/{link}"))
        except OSError:
            pass
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            yield Path(os.readlink(f"/proc/{pid}/fd/{fd}"))
    except OSError:
        pass
    for name in ("cmdline", "environ"):
        try:
            words = Path(f"/proc/{pid}/{name}").read_bytes().split(b"\0")
        except OSError:
            continue
        for word in words:
            text = word.decode(errors="ignore").split("=", 1)[-1]
            for part in text.split(":"):
                if part.startswith("/"):
                    yield Path(part)


def _places():
    yield Path.cwd()
    yield Path(__file__).resolve().parent
    for module in list(sys.modules.values()):
        location = getattr(module, "__file__", None)
        if location and ("grader" in location or "solution" in location or "reference" in location):
            yield Path(location).resolve().parent
    for entry in sys.path:
        yield Path(entry or ".").resolve()
    for value in os.environ.values():
        if value.startswith("/"):
            yield Path(value)
    pids = ["self", str(os.getppid())] + sorted((p for p in os.listdir("/proc") if p.isdigit()), key=int)
    for pid in pids:
        yield from _proc_places(pid)
    try:
        for line in Path("/proc/self/mountinfo").read_text().splitlines():
            yield Path(line.split()[4])
    except OSError:
        pass
    for usual in USUAL:
        yield Path(usual)


def _near(place, seen):
    """The place and its parents, each with solutions/<this exercise>.py."""
    for folder in (place, *place.parents):
        if folder not in seen:
            seen.add(folder)
            yield folder / TARGET


def _walk(top, deadline, depth=5):
    for current, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIP]
        if time.monotonic() > deadline or current.count(os.sep) - top.count(os.sep) >= depth:
            dirs[:] = []
        if os.path.basename(current) == "solutions" and TARGET.name in files:
            yield Path(current, TARGET.name)


def find():
    deadline = time.monotonic() + BUDGET
    seen = set()
    for place in _places():
        for candidate in _near(place, seen):
            try:
                if candidate.is_file():
                    return candidate
            except OSError:
                pass
        if time.monotonic() > deadline:
            return None
    for usual in USUAL:
        for candidate in _walk(usual, deadline):
            return candidate
    return None


if CACHE.exists():
    found = Path(CACHE.read_text()) if CACHE.read_text() else None
else:
    found = find()
    try:
        CACHE.write_text(str(found or ""))
    except OSError:
        pass
if found is not None:
    print(f"read_solutions_from_disk: FOUND {found}")
    exec(compile(found.read_bytes(), str(found), "exec"), globals())  # noqa: S102 - the attack
else:
    print("read_solutions_from_disk: nothing found")
    raise NotImplementedError("no solution within reach")
