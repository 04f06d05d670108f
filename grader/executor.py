"""The local executor: one forked child per probe run on learner code.

The parent (pytest, torch already imported) forks; the child loads the learner's
module, runs the probe and writes one frame of observations back through a pipe,
then exits. Whatever the learner's code does (raise, `sys.exit`, `os._exit`,
loop, segfault, fork), the parent gets a `ProbeOutcome`: the child's process
group is killed when the frame arrives or the timeout passes, and the next probe
gets a fresh child. The parent never imports learner code.
"""

from __future__ import annotations

import importlib.util
import os
import select
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from grader import determinism
from grader.forbidden import TAMPER_GUARD, ForbiddenCalls
from grader.observations import MAX_FRAME, Observations, decode, encode, normalise

OUTPUT_LIMIT = 4_000
KILL_GRACE = 2.0


@dataclass(frozen=True)
class ProbeJob:
    """Run `probe(module, **kwargs)` on the learner's module `name` at `path`."""

    name: str
    path: Path
    probe: Callable[..., Any]
    kwargs: dict[str, Any] = field(default_factory=dict)
    seed: int = 0
    timeout: float = 10.0
    forbid: tuple[str, ...] = ()
    check: str = ""  # the check's key, so a worker in a sandbox can find the probe by name
    limits: Limits | None = None  # rlimits for the child (class grading); None: none


@dataclass(frozen=True)
class Limits:
    """Resource limits set in the child before the learner's module is imported."""

    cpu_seconds: int = 60
    extra_memory: int = 4 << 30  # address space allowed beyond the worker's own
    processes: int = 256  # in all, for this user (see `processes_of_this_user`)
    file_size: int = 16 << 20
    open_files: int = 256

    def apply(self) -> None:
        import resource

        with open("/proc/self/status") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (size_kb * 1024 + self.extra_memory,) * 2)
        resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_size, self.file_size))
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # A write past the size limit fails with EFBIG instead of killing silently.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def processes_of_this_user() -> int:
    """RLIMIT_NPROC counts every process of the user, so a limit is this plus an allowance."""
    uid = str(os.getuid())
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                count += any(line.startswith("Uid:") and line.split()[1] == uid for line in status)
        except OSError:
            continue
    return count


@dataclass(frozen=True)
class RawRun:
    """What came back from one child, before any decoding."""

    frame: bytes
    status: int  # wait status; 0 when the child was not waited for
    timed_out: bool
    output: str
    duration: float


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised by learner code, located in the learner's file."""

    type: str
    message: str
    location: str = ""  # "ex02_autograd.py:14 in double_square_grad"
    function: str = ""  # innermost learner function, for "not implemented" messages
    traceback: str = ""  # learner frames only


@dataclass(frozen=True)
class ProbeOutcome:
    # observations | raised | forbidden | tampered | import_error | exit | crashed | timeout | missing
    kind: str
    observations: Observations | None = None
    error: ErrorInfo | None = None
    detail: str = ""
    output: str = ""
    duration: float = 0.0


# --- child side ------------------------------------------------------------------


def load_module(name: str, path: Path) -> ModuleType:
    """Import the file at `path` as module `name` (in the child only)."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    return module


def error_info(error: BaseException, path: Path) -> ErrorInfo:
    """Describe `error` by the frames that are in the learner's file."""
    target = str(path.resolve())
    walked = [(f, n) for f, n in traceback.walk_tb(error.__traceback__) if _same_file(f.f_code.co_filename, target)]
    frames = traceback.StackSummary.extract(iter(walked))
    location = function = ""
    if walked:
        last, line = walked[-1]
        function = last.f_code.co_qualname  # MyLinear.__init__, not just __init__
        location = f"{path.name}:{line} in {function}"
    elif isinstance(error, SyntaxError) and error.lineno:
        location = f"{path.name}:{error.lineno}"
    text = "".join(traceback.format_list(frames[-5:]))
    if isinstance(error, SyntaxError) and error.text:
        text += f"    {error.text.strip()}\n"
    return ErrorInfo(type(error).__name__, str(error)[:2000], location, function, text)


def _same_file(filename: str, target: str) -> bool:
    try:
        return str(Path(filename).resolve()) == target
    except OSError:
        return False


def _run_job(job: ProbeJob) -> bytes:
    frame = _guarded_run(job)
    replaced = TAMPER_GUARD.replaced()
    if replaced:
        named = ", ".join(replaced[:3]) + (f" and {len(replaced) - 3} more" if len(replaced) > 3 else "")
        detail = (
            f"your code replaced {named}: the grader compares results itself, "
            "and changing torch's (or Python's) own functions is not allowed"
        )
        return encode({"kind": "tampered", "detail": detail})
    return frame


def _guarded_run(job: ProbeJob) -> bytes:
    if not job.forbid:
        return _load_and_probe(job)
    # Installed before the import, so `from torch... import f` binds the guarded function.
    with ForbiddenCalls(job.forbid, job.path) as guard:
        frame = _load_and_probe(job)
    if guard.violations:  # even if the learner's code caught the error
        return encode({"kind": "forbidden", "detail": guard.violations[0]})
    return frame


def _load_and_probe(job: ProbeJob) -> bytes:
    try:
        module = load_module(job.name, job.path)
    except SystemExit as stop:
        return _exit_frame(stop, job.path, "while being imported")
    except BaseException as error:  # noqa: BLE001 - any import failure is reported
        return encode({"kind": "import_error", "error": error_info(error, job.path).__dict__})
    determinism.prepare(job.seed)
    try:
        result = job.probe(module, **job.kwargs)
    except SystemExit as stop:
        return _exit_frame(stop, job.path, "")
    except BaseException as error:  # noqa: BLE001
        return encode({"kind": "raised", "error": error_info(error, job.path).__dict__})
    return encode({"kind": "observations"}, normalise(result))


def _exit_frame(stop: SystemExit, path: Path, when: str) -> bytes:
    info = error_info(stop, path)
    detail = f"your code called sys.exit({stop.code!r}){' ' + when if when else ''}"
    return encode({"kind": "exit", "detail": detail, "error": info.__dict__})


def _child(job: ProbeJob, write_fd: int, output_fd: int) -> None:
    """Runs in the forked child; never returns."""
    try:
        os.setpgid(0, 0)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        # Nothing of the parent's (pytest, xdist channels) stays reachable.
        os.closerange(3, write_fd)
        os.closerange(write_fd + 1, 1 << 16)
        if job.limits is not None:
            job.limits.apply()
        sys.stdin = open(0, closefd=False)  # noqa: SIM115
        sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
        frame = _run_job(job)
        sys.stdout.flush()
        sys.stderr.flush()
        # Length-prefixed: processes the learner started may hold the pipe open, so EOF can't mark the end.
        view = memoryview(struct.pack("<Q", len(frame)) + frame)
        while view:
            view = view[os.write(write_fd, view) :]
    except BaseException:  # noqa: BLE001 - the parent sees a missing frame as a crash
        traceback.print_exc()
    finally:
        os._exit(0)


# --- parent side -----------------------------------------------------------------


def run(job: ProbeJob) -> ProbeOutcome:
    """Run one probe on learner code in a fresh child and collect its outcome."""
    if not job.path.is_file():
        return ProbeOutcome("missing", detail=f"{job.path.name} was not found in {job.path.parent}")
    return outcome(execute(job), job.timeout)


def execute(job: ProbeJob) -> RawRun:
    """Fork, run the probe in the child, and bring back its undecoded frame.

    Split from `outcome` so that a sandboxed worker can pass the raw frame on to
    the trusted parent, which does all the decoding itself.
    """
    _reap_finished()
    read_fd, write_fd = os.pipe()
    output = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _read_output
    sys.stdout.flush()
    sys.stderr.flush()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(job, write_fd, output.fileno())
    os.close(write_fd)
    try:
        os.setpgid(pid, pid)
    except OSError:  # the child did it first, or is gone already
        pass
    try:
        frame, timed_out = _read_frame(read_fd, started + job.timeout)
    except BaseException:  # Ctrl-C while waiting: the learner's code must not outlive us
        _kill_group(pid)
        _reap(pid)
        raise
    finally:
        os.close(read_fd)
    _kill_group(pid)
    complete = bool(frame) and not timed_out
    # A child that sent its whole frame is not waited for: its exit (unmapping a
    # torch-sized address space) overlaps with the next check. Its status is unused.
    status = _defer_reap(pid) if complete else _reap(pid)
    return RawRun(frame, status, timed_out, _read_output(output), time.monotonic() - started)


def outcome(raw: RawRun, timeout: float) -> ProbeOutcome:
    """Decode a child's frame (plain data only: JSON + safetensors) into an outcome."""
    if raw.timed_out:
        detail = f"did not finish within {timeout:g} s"
        return ProbeOutcome("timeout", detail=detail, output=raw.output, duration=raw.duration)
    return _outcome(raw.frame, raw.status, raw.output, raw.duration)


def _read_frame(fd: int, deadline: float) -> tuple[bytes, bool]:
    """The child's frame (empty or partial if it died first), and whether time ran out."""
    data = bytearray()
    expected: int | None = None
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return bytes(data), True
        if not poller.poll(max(1, int(left * 1000))):
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return bytes(data), False
        data += chunk
        if expected is None and len(data) >= 8:
            (expected,) = struct.unpack("<Q", data[:8])
            if expected > MAX_FRAME:
                return b"", False
        if expected is not None and len(data) >= 8 + expected:
            return bytes(data[8 : 8 + expected]), False


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_unreaped: set[int] = set()


def _defer_reap(pid: int) -> int:
    _unreaped.add(pid)
    return 0


def _reap_finished() -> None:
    for pid in list(_unreaped):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            _unreaped.discard(pid)


def _reap(pid: int) -> int:
    deadline = time.monotonic() + KILL_GRACE
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitpid(pid, 0)[1]
        time.sleep(0.001)


def _read_output(output: Any) -> str:
    with output:
        output.seek(0)
        data = output.read(OUTPUT_LIMIT + 1)
    text = data[:OUTPUT_LIMIT].decode("utf-8", errors="replace")
    return text + "\n… (output truncated)" if len(data) > OUTPUT_LIMIT else text


def _outcome(frame: bytes, status: int, printed: str, duration: float) -> ProbeOutcome:
    try:
        header, observations = decode(frame)
        kind = header["kind"]
    except (ValueError, KeyError, TypeError):
        return ProbeOutcome("crashed", detail=_death(status, bool(frame)), output=printed, duration=duration)
    error = ErrorInfo(**header["error"]) if "error" in header else None
    return ProbeOutcome(kind, observations, error, header.get("detail", ""), printed, duration)


def _death(status: int, partial: bool) -> str:
    code = os.waitstatus_to_exitcode(status)
    if partial:
        return "the process running your code sent back a malformed result"
    if code < 0:
        name = signal.Signals(-code).name
        return f"the process running your code was killed by {name} before returning a result"
    return (
        f"the process running your code exited with status {code} before returning a result "
        "(does your code call os._exit() or exit the interpreter?)"
    )
