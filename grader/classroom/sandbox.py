"""Starting and talking to a sandboxed worker (`grader.classroom.worker`).

With bubblewrap: the worker sees a read-only system and Python environment, the
grader package, the graded suites and the course data (never `solutions/` or
the suites' variants), one learner's staged files at /submission (read-only),
a private /tmp, its own PID, network, IPC and UTS namespaces, and nothing else.
It dies with its parent.

Without bubblewrap (`--sandbox none`, or `auto` where bwrap is missing or does
not work): the worker runs from a private copy of the grader and suites, in an
empty working folder, with a cleared environment; every probe child still gets
rlimits, its own process group, and a sweep of leftovers after each request.
As root, it also gets util-linux `unshare` namespaces and builds a root of its
own from an allow-list, as an unprivileged user (`worker.enter_private_root`).
Otherwise that stops accidents and casual attacks, not a determined one; the
class grader says so loudly.

A `Worker` is an executor (`grader.core.session.Executor`): a `Session` grades
through it exactly as through the local `ForkExecutor`.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from grader.core import wire
from grader.core.wire import OutcomeKind, ProbeOutcome, ProbeRequest
from grader.run import devices

SUBMISSION = Path("/submission")
PACKAGE = Path(__file__).resolve().parents[1]  # the grader this process runs, wherever it is installed
REPLY_MARGIN = 15.0  # seconds a worker may take beyond the check's own limit before it is killed
START_TIMEOUT = 120.0
# The root fallback's workers run as users no account has, one per grading process (by pid), within
# the 16-bit range that containers map. Two workers sharing one would only share RLIMIT_NPROC.
SANDBOX_UIDS = range(50000, 65000)
UNSHARE = ("unshare", "--mount", "--pid", "--fork", "--net", "--ipc", "--uts", "--mount-proc", "--kill-child")


@functools.cache
def bwrap_works() -> bool:
    """bubblewrap is installed and may create namespaces here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--proc", "/proc", "true"]
    try:
        return subprocess.run(probe, check=False, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class SandboxMode(StrEnum):
    BWRAP = "bwrap"  # bubblewrap: namespaces, a read-only system, only what grading needs visible
    NONE = "none"  # rlimits and process groups (and, as root, a jail of its own: `grader.classroom.jail`)


SANDBOX_CHOICES = ("auto", *SandboxMode)


def resolve_mode(requested: str) -> SandboxMode:
    """`bwrap`, `none`, or `auto` (bwrap when it works)."""
    if requested == "auto":
        return SandboxMode.BWRAP if bwrap_works() else SandboxMode.NONE
    mode = SandboxMode(requested)
    if mode is SandboxMode.BWRAP and not bwrap_works():
        raise FileNotFoundError("--sandbox bwrap: bubblewrap is not installed or cannot create namespaces here")
    return mode


@dataclass(frozen=True)
class Layout:
    """Where things are, outside the sandbox."""

    root: Path  # the course: grader/, tests/, data/
    inbox: Path  # this worker's learner files (emptied and refilled per learner)
    scratch: Path  # private folder for the fallback's /tmp and working directory


class WorkerDied(Exception):
    pass


class Worker:
    """One long-lived worker process and the protocol to it."""

    def __init__(self, layout: Layout, mode: SandboxMode) -> None:
        self.layout = layout
        self.mode = mode
        self.process: subprocess.Popen[bytes] | None = None
        self.replies: wire.FrameReader | None = None
        self.starts = 0

    # -- lifecycle

    def start(self) -> None:
        command, env, cwd = self._command()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,  # replies are read unbuffered (`wire.FrameReader`)
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        assert self.process.stdout is not None
        self.replies = wire.FrameReader(self.process.stdout.fileno())
        self.starts += 1
        if self.replies.message(time.monotonic() + START_TIMEOUT) != b"ready":
            self.stop()
            raise WorkerDied("the sandboxed worker did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    # -- requests (the executor's side)

    def unusable(self, device: str) -> str:
        return devices.unusable(device)

    def run_many(self, requests: Sequence[ProbeRequest], deadline: float | None = None) -> list[ProbeOutcome | None]:
        """Each request's outcome, in order (those on one file share a child in the worker).

        None for the requests that `deadline` (the learner's time, `time.monotonic`) left no time for.
        """
        outcomes: list[ProbeOutcome | None] = []
        for path, group in itertools.groupby(requests, key=lambda request: request.path):
            group = list(group)
            done = 0
            while done < len(group):
                rest = group[done:]
                if deadline is not None and time.monotonic() >= deadline:  # no request the worker cannot finish
                    got: list[ProbeOutcome | None] = [None] * len(rest)
                elif not Path(path).is_file():
                    got = [ProbeOutcome(OutcomeKind.MISSING, detail=f"{Path(path).name} was not in the submission")] * len(rest)
                else:
                    got = self._request_probes(rest, deadline)
                outcomes += got
                done += len(got)
        return outcomes

    def _request_probes(self, requests: Sequence[ProbeRequest], deadline: float | None) -> list[ProbeOutcome | None]:
        """One request to the worker; it ends early, with a crashed outcome, where the worker stops answering."""
        inside = [replace(r, path=str(self.inside(Path(r.path)))) for r in requests]
        outcomes: list[ProbeOutcome | None] = []
        try:
            self._send({"op": "probes", "requests": [r.to_dict() for r in inside]})
            for request in requests:
                wait = 2 * request.timeout + REPLY_MARGIN  # a request that fails in a shared child runs again alone
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                payload = self.replies.message(time.monotonic() + wait) if wait > 0 else None
                if payload is None and deadline is not None and time.monotonic() >= deadline:
                    self.restart()
                    return outcomes + [None] * (len(requests) - len(outcomes))
                if payload is None:
                    raise WorkerDied("no reply")
                outcomes.append(wire.outcome(wire.unpack_run(payload), request.timeout))
        except (WorkerDied, ValueError, KeyError, TypeError):
            self.restart()
            detail = "the grader's worker stopped while running your code (did your code kill it?)"
            outcomes.append(ProbeOutcome(OutcomeKind.CRASHED, detail=detail))
        return outcomes

    def clean(self) -> None:
        """Between learners: nothing of the last one survives."""
        try:
            self._send({"op": "clean"})
            if self.replies.message(time.monotonic() + 30.0) != b"clean":
                raise WorkerDied("unexpected reply")
        except WorkerDied:
            self.restart()

    def inside(self, path: Path) -> Path:
        """A path in the inbox, as the worker sees it."""
        if self.mode is SandboxMode.BWRAP:
            return SUBMISSION / path.relative_to(self.layout.inbox)
        return path

    def _send(self, request: dict) -> None:
        if self.process is None:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            wire.send(self.process.stdin, json.dumps(request).encode())
        except OSError as error:
            raise WorkerDied(str(error)) from error

    # -- command lines

    def _command(self) -> tuple[list[str], dict[str, str], str]:
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": "/tmp",
            "USER": "learner",  # getpass.getuser() without a passwd entry
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "OMP_NUM_THREADS": "1",
        }
        if self.mode is SandboxMode.BWRAP:
            return self._bwrap_command(), env, "/"
        code = private_grader(self.layout.root, self.layout.scratch)
        command = [sys.executable, "-I", "-c", _worker_code(code), str(code / "tests"), "/tmp"]
        if os.geteuid() == 0 and shutil.which("unshare"):
            # Root without bubblewrap: namespaces from util-linux; the worker builds its own root
            # from the system folders, this scratch folder and the Python environment, under the
            # names sys.path uses (a .venv may be a symlink), then becomes a user of its own.
            keep = [Path(sys.prefix), Path(sys.prefix).resolve(), Path(sys.base_prefix)]
            env["TMPDIR"] = command[-1] = str(self.layout.scratch / "tmp")
            uid = SANDBOX_UIDS[os.getpid() % len(SANDBOX_UIDS)]
            command = [*UNSHARE, *command, "--isolate", str(self.layout.scratch), str(uid), *map(str, keep)]
            return command, env, "/"
        env["TMPDIR"] = command[-1] = str(self.layout.scratch / "tmp")
        return command, env, env["TMPDIR"]

    def _bwrap_command(self) -> list[str]:
        root = self.layout.root
        command = [
            "bwrap",
            "--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
        ]
        for system in ("/usr", "/bin", "/lib", "/lib64", "/etc"):
            if Path(system).exists():
                command += ["--ro-bind", system, system]
        for prefix in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}:
            command += ["--ro-bind", str(prefix), str(prefix)]
        package = PACKAGE
        command += ["--ro-bind", str(package), str(package)]
        for part in ("tests", "data"):
            if (root / part).exists():
                command += ["--ro-bind", str(root / part), str(root / part)]
        if (root / "tests" / "variants").exists():  # each variant is a solution with one mistake
            command += ["--tmpfs", str(root / "tests" / "variants")]
        for device in sorted(Path("/dev").glob("nvidia*")):
            command += ["--dev-bind", str(device), str(device)]
        command += ["--ro-bind", str(self.layout.inbox), str(SUBMISSION), "--chdir", str(SUBMISSION)]
        command += [sys.executable, "-I", "-c", _worker_code(package.parent), str(root / "tests"), "/tmp"]
        return command


def _worker_code(parent: Path) -> str:
    """Start the worker from the grader in `parent`, whatever an installed finder points at."""
    return f"import sys; sys.path.insert(0, {str(parent)!r}); from grader.classroom import worker; worker.main(sys.argv[1:])"


def private_grader(root: Path, scratch: Path) -> Path:
    """A copy of the grader and the graded suites, away from the course (fallback mode)."""
    from grader.core.course import Course

    course, code = Course(root), scratch / "code"
    if not code.exists():
        ignore = shutil.ignore_patterns("__pycache__", "tests", "variants", "*.pyc")
        shutil.copytree(PACKAGE, code / "grader", ignore=ignore)
        shutil.copytree(course.suites, code / "tests", ignore=shutil.ignore_patterns("__pycache__", "variants"))
        if course.data.is_dir():
            shutil.copytree(course.data, code / "data")
        shutil.copy2(course.catalog_file, code / course.catalog_file.name)
        (scratch / "tmp").mkdir(parents=True, exist_ok=True)
        _readable_by_everyone(scratch)  # once: a restarted worker finds it as it was
    return code


def _readable_by_everyone(folder: Path) -> None:
    """The root fallback's worker runs unprivileged: it must read its copy and the inbox, whatever the umask.

    The folder itself lies in the class's private working folder (mode 0700), so no other
    user of the machine gets in through this.
    """
    for path in (folder, *folder.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)

