"""The local executor: one forked child per probe run on learner code.

The parent (pytest, torch already imported) forks; the child loads the learner's
module, runs the probe and writes one frame of observations back through a pipe,
then exits. Whatever the learner's code does (raise, `sys.exit`, `os._exit`,
loop, segfault, fork), the parent gets a `ProbeOutcome`: the child's process
group is killed when the frame arrives or the timeout passes, and the next probe
gets a fresh child. The parent never imports learner code.

`execute_batch` runs the checks of one exercise in one child instead, for the
class grader's throughput; a failure there is run again alone, so outcomes are
those of one child per check.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import select
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from grader import determinism, leftovers
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


def _run_job(job: ProbeJob) -> tuple[str, bytes]:
    """The frame of one probe run, and its kind."""
    kind, frame = _guarded_run(job)
    replaced = TAMPER_GUARD.replaced()
    if replaced:
        named = ", ".join(replaced[:3]) + (f" and {len(replaced) - 3} more" if len(replaced) > 3 else "")
        detail = (
            f"your code replaced {named}: the grader compares results itself, "
            "and changing torch's (or Python's) own functions is not allowed"
        )
        return _frame("tampered", detail=detail)
    return kind, frame


def _frame(kind: str, observations: Observations | None = None, **header: Any) -> tuple[str, bytes]:
    return kind, encode({"kind": kind, **header}, observations)


def _guarded_run(job: ProbeJob) -> tuple[str, bytes]:
    if not job.forbid:
        return _load_and_probe(job)
    # Installed before the import, so `from torch... import f` binds the guarded function.
    with ForbiddenCalls(job.forbid, job.path) as guard:
        ran = _load_and_probe(job)
    if guard.violations:  # even if the learner's code caught the error
        return _frame("forbidden", detail=guard.violations[0])
    return ran


def _load_and_probe(job: ProbeJob) -> tuple[str, bytes]:
    try:
        module = load_module(job.name, job.path)
    except SystemExit as stop:
        return _exit_frame(stop, job.path, "while being imported")
    except BaseException as error:  # noqa: BLE001 - any import failure is reported
        return _frame("import_error", error=error_info(error, job.path).__dict__)
    determinism.prepare(job.seed)
    try:
        result = job.probe(module, **job.kwargs)
    except SystemExit as stop:
        return _exit_frame(stop, job.path, "")
    except BaseException as error:  # noqa: BLE001
        return _frame("raised", error=error_info(error, job.path).__dict__)
    return _frame("observations", normalise(result))


def _exit_frame(stop: SystemExit, path: Path, when: str) -> tuple[str, bytes]:
    info = error_info(stop, path)
    detail = f"your code called sys.exit({stop.code!r}){' ' + when if when else ''}"
    return _frame("exit", detail=detail, error=info.__dict__)


def _enter_child(limits: Limits | None, write_fd: int, output_fd: int) -> None:
    """In a fresh child: its own process group, output to `output_fd`, nothing of the parent's, rlimits."""
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
    if limits is not None:
        limits.apply()
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115


def _send(write_fd: int, frame: bytes, output_position: bool = False) -> None:
    """Length-prefixed: processes the learner started may hold the pipe open, so EOF can't mark the end.

    With `output_position`, the frame starts with where the output file stands once flushed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if output_position:
        frame = struct.pack("<Q", os.lseek(1, 0, os.SEEK_CUR)) + frame
    view = memoryview(struct.pack("<Q", len(frame)) + frame)
    while view:
        view = view[os.write(write_fd, view) :]


def _child(job: ProbeJob, write_fd: int, output_fd: int) -> None:
    """Runs in the forked child; never returns."""
    try:
        _enter_child(job.limits, write_fd, output_fd)
        _send(write_fd, _run_job(job)[1])
    except BaseException:  # noqa: BLE001 - the parent sees a missing frame as a crash
        traceback.print_exc()
    finally:
        os._exit(0)


# After these a batch goes on; after anything else (sys.exit, tampering, a forbidden
# call) its child stops, and the rest of the batch starts again in a fresh one.
BATCH_GOES_ON = frozenset({"observations", "raised", "import_error"})


def _batch_child(jobs: list[ProbeJob], write_fd: int, output_fd: int) -> None:
    """Runs `jobs` one after the other in this forked child; never returns.

    Each frame is preceded by where the output file stood after it, so that the
    parent can give each check its own output. Between jobs, what a check could
    leave behind for the next is reset: processes it started (this child adopts
    those that leave its process group), the learner's modules (every job imports
    its file afresh), sys.path, and torch's global settings (`determinism.prepare`).
    """
    try:
        _enter_child(jobs[0].limits, write_fd, output_fd)
        leftovers.adopt_orphans()
        path, folder = list(sys.path), str(jobs[0].path.parent) + os.sep
        for job in jobs:
            kind, frame = _run_job(job)
            _send(write_fd, frame, output_position=True)
            if kind not in BATCH_GOES_ON:
                break
            leftovers.kill_descendants()
            for name, module in list(sys.modules.items()):
                if str(getattr(module, "__file__", "") or "").startswith(folder):
                    del sys.modules[name]
            sys.path[:] = path
            determinism.prepare(0)
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


def run_batch(jobs: Sequence[ProbeJob]) -> list[ProbeOutcome]:
    """`run` for each of `jobs` (all on one file), sharing a child where they go well (`execute_batch`)."""
    if jobs and not jobs[0].path.is_file():
        return [run(job) for job in jobs]  # each "missing", with no child
    return [outcome(raw, job.timeout) for job, raw in zip(jobs, execute_batch(jobs), strict=True)]


def execute(job: ProbeJob) -> RawRun:
    """Fork, run the probe in the child, and bring back its undecoded frame.

    Split from `outcome` so that a sandboxed worker can pass the raw frame on to
    the trusted parent, which does all the decoding itself.
    """
    started = time.monotonic()
    with _Child.fork(lambda write_fd, output_fd: _child(job, write_fd, output_fd)) as child:
        frame, whole, timed_out = child.frames.next(started + job.timeout)
        # A child that sent its whole frame is not waited for: its exit (unmapping a
        # torch-sized address space) overlaps with the next check. Its status is unused.
        status = child.stop(wait=not whole)
        return RawRun(frame, status, timed_out, child.printed(0, None), time.monotonic() - started)


def execute_batch(jobs: Sequence[ProbeJob]) -> Iterator[RawRun]:
    """`execute` for each job in turn (all on one file), with one child for as many as go well.

    Forking a torch-sized process and reaping it costs more than most probes, so the
    checks of an exercise share a child, each importing the learner's file afresh
    (see `_batch_child`). A job whose child dies or hangs after others ran in it
    runs again, first, in a fresh child: every crash is then what a lone child
    would give. One exception, so that an endless loop does not cost its time
    twice: a timeout in a child with no thread but its main one is final, since
    nothing of the earlier checks was left running there to slow it down (their
    processes are killed). After a kind that leaves the process in doubt
    (`sys.exit`, tampering, a forbidden call) the next job starts in a fresh child.
    """
    start = 0
    while start < len(jobs):
        start = yield from _batch(jobs, start)


def _batch(jobs: Sequence[ProbeJob], start: int) -> Generator[RawRun, None, int]:
    """Run jobs[start:] in one child; returns where the next child must start."""
    began = time.monotonic()
    with _Child.fork(lambda write_fd, output_fd: _batch_child(list(jobs[start:]), write_fd, output_fd)) as child:
        shown = 0
        for index in range(start, len(jobs)):
            data, whole, timed_out = child.frames.next(began + jobs[index].timeout)
            if whole and len(data) >= 8:
                (printed_to,) = struct.unpack_from("<Q", data)
                now = time.monotonic()
                yield RawRun(data[8:], 0, False, child.printed(shown, printed_to), now - began)
                shown, began = max(shown, printed_to), now
            elif index > start and not (timed_out and child.threads() == 1):
                return index
            else:
                status = child.stop(wait=True)
                yield RawRun(data, status, timed_out, child.printed(shown, None), time.monotonic() - began)
                return index + 1
        return len(jobs)


class _Child:
    """A forked child running learner code: its frames, its output file, its end."""

    def __init__(self, pid: int, read_fd: int, output: Any) -> None:
        self.pid = pid
        self.frames = _Frames(read_fd)
        self.output = output
        self.stopped = False

    @classmethod
    @contextlib.contextmanager
    def fork(cls, body: Callable[[int, int], None]) -> Iterator[_Child]:
        """Fork a child that runs `body(write_fd, output_fd)`; whatever happens, it is killed at the end."""
        _reap_finished()
        read_fd, write_fd = os.pipe()
        output = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            os.close(read_fd)
            body(write_fd, output.fileno())
        os.close(write_fd)
        try:
            os.setpgid(pid, pid)
        except OSError:  # the child did it first, or is gone already
            pass
        child = cls(pid, read_fd, output)
        try:
            yield child
        except BaseException:  # Ctrl-C while waiting: the learner's code must not outlive us
            child.stop(wait=True)
            raise
        finally:
            child.stop(wait=False)
            os.close(read_fd)
            output.close()

    def stop(self, wait: bool) -> int:
        """Kill its process group; its wait status if `wait`, else 0 (reaped later)."""
        if self.stopped:
            return 0
        self.stopped = True
        _kill_group(self.pid)
        return _reap(self.pid) if wait else _defer_reap(self.pid)

    def threads(self) -> int:
        """How many threads it runs now (0 if that cannot be read)."""
        try:
            with open(f"/proc/{self.pid}/status") as status:
                return next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
        except (OSError, StopIteration, ValueError):
            return 0

    def printed(self, start: int, end: int | None) -> str:
        """What the child printed between two positions of its output file (truncated)."""
        size = os.fstat(self.output.fileno()).st_size
        end = size if end is None else max(0, min(end, size))
        start = min(max(0, start), end)
        data = os.pread(self.output.fileno(), min(end - start, OUTPUT_LIMIT + 1), start)
        text = data[:OUTPUT_LIMIT].decode("utf-8", errors="replace")
        return text + "\n… (output truncated)" if len(data) > OUTPUT_LIMIT else text


class _Frames:
    """Length-prefixed frames from a child's pipe (a batch child sends several)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = bytearray()
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN | select.POLLHUP)

    def next(self, deadline: float) -> tuple[bytes, bool, bool]:
        """(the frame, True, False); or what came of it before the pipe closed or time ran out, False, timed out."""
        while True:
            if len(self.buffer) >= 8:
                (size,) = struct.unpack_from("<Q", self.buffer)
                if size > MAX_FRAME:
                    return b"", False, False
                if len(self.buffer) >= 8 + size:
                    frame = bytes(self.buffer[8 : 8 + size])
                    del self.buffer[: 8 + size]
                    return frame, True, False
            left = deadline - time.monotonic()
            if left <= 0:
                return bytes(self.buffer), False, True
            if not self.poller.poll(max(1, int(left * 1000))):
                continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return bytes(self.buffer), False, False
            self.buffer += chunk


def outcome(raw: RawRun, timeout: float) -> ProbeOutcome:
    """Decode a child's frame (plain data only: JSON + safetensors) into an outcome."""
    if raw.timed_out:
        detail = f"did not finish within {timeout:g} s"
        return ProbeOutcome("timeout", detail=detail, output=raw.output, duration=raw.duration)
    return _outcome(raw.frame, raw.status, raw.output, raw.duration)


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
