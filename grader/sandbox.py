"""Starting and talking to a sandboxed worker (`grader.worker`).

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

`Worker.run(job)` has the signature of `executor.run`, so a `Grader` uses a
worker exactly as it uses the local executor.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from grader import executor, worker
from grader.executor import ProbeJob, ProbeOutcome, RawRun

SUBMISSION = Path("/submission")
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


def resolve_mode(requested: str) -> str:
    """`bwrap`, `none`, or `auto` (bwrap when it works)."""
    if requested == "auto":
        return "bwrap" if bwrap_works() else "none"
    if requested == "bwrap" and not bwrap_works():
        raise FileNotFoundError("--sandbox bwrap: bubblewrap is not installed or cannot create namespaces here")
    return requested


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

    def __init__(self, layout: Layout, mode: str) -> None:
        self.layout = layout
        self.mode = mode
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    # -- lifecycle

    def start(self) -> None:
        command, env, cwd = self._command()
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,  # see `worker.receive`
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        self.starts += 1
        if self._receive(START_TIMEOUT) != b"ready":
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

    # -- requests

    def run(self, job: ProbeJob) -> ProbeOutcome:
        """Like `executor.run`, but in the worker; the raw result is decoded here."""
        outcome = self.run_many([job])[0]
        assert outcome is not None  # no deadline, so never left out
        return outcome

    def run_many(self, jobs: list[ProbeJob], deadline: float | None = None) -> list[ProbeOutcome | None]:
        """`run` for each of `jobs` (all on one file), in a shared child where they go well.

        None for the jobs that `deadline` (the learner's time, `time.monotonic`) left no time for.
        """
        staged = self.layout.inbox / jobs[0].path.name
        if not staged.is_file():
            return [ProbeOutcome("missing", detail=f"{staged.name} was not in the submission") for _ in jobs]
        outcomes: list[ProbeOutcome | None] = []
        while len(outcomes) < len(jobs):
            rest = jobs[len(outcomes) :]
            if deadline is not None and time.monotonic() >= deadline:  # no request the worker cannot finish
                return outcomes + [None] * len(rest)
            outcomes += self._request_probes(staged, rest, deadline)
        return outcomes

    def _request_probes(self, staged: Path, jobs: list[ProbeJob], deadline: float | None) -> list[ProbeOutcome | None]:
        """One request; it ends early, with a crashed outcome, where the worker stops answering."""
        request = {
            "op": "probes",
            "path": str(self.inside(staged)),
            "probes": [
                {
                    "check": job.check,
                    "seed": job.seed,
                    "timeout": job.timeout,
                    "device": str(job.kwargs["device"]) if "device" in job.kwargs else None,
                }
                for job in jobs
            ],
        }
        outcomes: list[ProbeOutcome | None] = []
        try:
            self._send(request)
            for job in jobs:
                wait = 2 * job.timeout + REPLY_MARGIN  # a job that fails in a shared child runs again alone
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                payload = self._receive(wait) if wait > 0 else None
                if payload is None and deadline is not None and time.monotonic() >= deadline:
                    self.restart()
                    return outcomes + [None] * (len(jobs) - len(outcomes))
                if payload is None:
                    raise WorkerDied("no reply")
                header, frame = worker.unpack_run(payload)
                status, timed_out = int(header["status"]), bool(header["timed_out"])
                raw = RawRun(frame, status, timed_out, str(header["output"]), float(header["duration"]))
                outcomes.append(executor.outcome(raw, job.timeout))
        except (WorkerDied, ValueError, KeyError, TypeError):
            self.restart()
            detail = "the grader's worker stopped while running your code (did your code kill it?)"
            outcomes.append(ProbeOutcome("crashed", detail=detail))
        return outcomes

    def clean(self) -> None:
        """Between learners: nothing of the last one survives."""
        try:
            if self._request({"op": "clean"}, 30.0) != b"clean":
                raise WorkerDied("unexpected reply")
        except WorkerDied:
            self.restart()

    def inside(self, path: Path) -> Path:
        """A path in the inbox, as the worker sees it."""
        if self.mode == "bwrap":
            return SUBMISSION / path.relative_to(self.layout.inbox)
        return path

    def _request(self, request: dict, timeout: float) -> bytes:
        self._send(request)
        reply = self._receive(timeout)
        if reply is None:
            raise WorkerDied("no reply")
        return reply

    def _send(self, request: dict) -> None:
        if self.process is None:
            self.start()
        assert self.process is not None and self.process.stdin is not None
        try:
            worker.send(self.process.stdin, json.dumps(request).encode())
        except OSError as error:
            raise WorkerDied(str(error)) from error

    def _receive(self, timeout: float) -> bytes | None:
        assert self.process is not None and self.process.stdout is not None
        import select

        stream = self.process.stdout
        deadline = time.monotonic() + timeout
        poller = select.poll()
        poller.register(stream.fileno(), select.POLLIN | select.POLLHUP)
        if not poller.poll(max(0, int((deadline - time.monotonic()) * 1000))):
            return None  # a hung worker: the caller restarts it
        return worker.receive(stream)

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
        if self.mode == "bwrap":
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
        package = Path(__file__).resolve().parent  # the grader this process runs, wherever it is installed
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
    return f"import sys; sys.path.insert(0, {str(parent)!r}); from grader import worker; worker.main(sys.argv[1:])"


def private_grader(root: Path, scratch: Path) -> Path:
    """A copy of the grader and the graded suites, away from the course (fallback mode)."""
    from grader import catalog

    code = scratch / "code"
    if not code.exists():
        ignore = shutil.ignore_patterns("__pycache__", "tests", "variants", "*.pyc")
        shutil.copytree(Path(__file__).resolve().parent, code / "grader", ignore=ignore)
        shutil.copytree(root / "tests", code / "tests", ignore=shutil.ignore_patterns("__pycache__", "variants"))
        if (root / "data").is_dir():
            shutil.copytree(root / "data", code / "data")
        shutil.copy2(root / catalog.CATALOG_FILE, code / catalog.CATALOG_FILE)
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

