"""The child side: what runs in the process that imports learner code.

`serve` imports the learner's file once (so that an import that hangs, crashes
or exits is judged once for the whole exercise), then runs requests one after the
other (the checks of one exercise share a child): each imports the learner's file
afresh, runs the probe found in the registry, and writes one frame back, preceded
by where the child's output file stood after it, so that the parent can give each
check its own output. Between
requests, what a check could leave behind for the next is reset: processes it
started (the child adopts those that leave its group), the learner's modules,
sys.path, and torch's global settings.
"""

from __future__ import annotations

import functools
import importlib.machinery
import importlib.util
import os
import signal
import struct
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from types import CodeType, ModuleType
from typing import Any

from grader.core import determinism
from grader.core.observations import Observations, TensorValue, normalise
from grader.core.suites import Registry
from grader.core.wire import ErrorInfo, OutcomeKind, ProbeRequest, encode, too_large
from grader.run import leftovers, pending
from grader.run.forbidden import TAMPER_GUARD, ForbiddenCalls

POSITION = struct.Struct("<Q")

# After these a batch goes on; after anything else (sys.exit, tampering, a forbidden
# call) its child stops, and the rest of the batch starts again in a fresh one.
BATCH_GOES_ON = frozenset({OutcomeKind.IMPORTED, OutcomeKind.OBSERVATIONS, OutcomeKind.RAISED})

Prepare = Callable[[], None]  # run in the child before any learner code (the sandbox's rlimits)


_compiled: dict[tuple[str, int, int], CodeType] = {}  # (path, mtime, size) -> its code, in this child


def load_module(name: str, path: Path) -> ModuleType:
    """Import the file at `path` as module `name` (in the child only).

    Each check imports the file afresh; it is compiled once per child (a sandbox's read-only
    folder keeps no bytecode), unless it changed in between.
    """
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    sys.path.insert(0, str(path.parent))
    stat = os.stat(path)
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _compiled:
        _compiled[key] = spec.loader.get_code(name)
    exec(_compiled[key], module.__dict__)  # noqa: S102 - what `exec_module` does, with the code kept
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
    return ErrorInfo(type(error).__name__, _said(error)[:2000], location, function, text)


def _said(error: BaseException) -> str:
    """The exception's message, whatever its `__str__` does (returns a non-str, raises)."""
    try:
        said = str(error)
    except Exception:  # noqa: BLE001 - learner code chose what str() does
        return f"<the {type(error).__name__}'s message could not be shown>"
    return said


def _same_file(filename: str, target: str) -> bool:
    return _resolved(filename) == target


@functools.lru_cache(maxsize=256)
def _resolved(filename: str) -> str:
    """A frame's file, resolved once per child (an error's frames are mostly torch's, the same few files)."""
    try:
        return str(Path(filename).resolve())
    except OSError:
        return ""


# --- one request ------------------------------------------------------------------------------


Ran = tuple[OutcomeKind, dict[str, Any], Observations | None]


def run_request(request: ProbeRequest, registry: Registry) -> Ran:
    """The outcome of one probe run on the learner's module, as (kind, header, observations)."""
    check = registry[request.check]
    path = Path(request.path)
    if check.forbid:
        # Installed before the import, so `from torch... import f` binds the guarded function.
        with ForbiddenCalls(check.forbid, path) as guard:
            ran = _load_and_probe(request, check.probe, check.takes_device, path)
        if guard.violations:  # even if the learner's code caught the error
            return OutcomeKind.FORBIDDEN, {"detail": guard.violations[0]}, None
    else:
        ran = _load_and_probe(request, check.probe, check.takes_device, path)
    replaced = TAMPER_GUARD.replaced()
    if replaced:
        return OutcomeKind.TAMPERED, {"detail": _tampered(replaced)}, None
    return ran


def _tampered(replaced: list[str]) -> str:
    named = ", ".join(replaced[:3]) + (f" and {len(replaced) - 3} more" if len(replaced) > 3 else "")
    return (
        f"your code replaced {named}: the grader compares results itself, "
        "and changing torch's (or Python's) own functions is not allowed"
    )


def _load_and_probe(request: ProbeRequest, probe: Callable[..., Any], takes_device: bool, path: Path) -> Ran:
    """One run of the probe; after a stub's NotImplementedError, again with stand-ins for the
    pending stubs (`grader.run.pending`), while another function of the check is left to run."""
    first: dict[str, Any] | None = None  # the stub's error, once one was raised
    stubs: list[str] = []
    while True:
        try:
            module = load_module(request.exercise, path)
        except SystemExit as stop:
            return _exit(stop, path, "while being imported")
        except BaseException as error:  # noqa: BLE001 - any import failure is reported
            return OutcomeKind.IMPORT_ERROR, {"error": error_info(error, path).__dict__}, None
        pending.stand_in_for(module, stubs)
        determinism.prepare(request.seed)
        try:
            import torch

            result = probe(module, device=torch.device(request.device)) if takes_device else probe(module)
        except SystemExit as stop:
            return _exit(stop, path, "") if first is None else (OutcomeKind.RAISED, first, None)
        except BaseException as error:  # noqa: BLE001
            info = error_info(error, path)
            stub = info.type == "NotImplementedError" and pending.replaceable(module, info.function, stubs, probe)
            first = first or {"error": info.__dict__}
            if not stub:
                return OutcomeKind.RAISED, first, None
            stubs.append(info.function)
            continue
        if first is None:
            return OutcomeKind.OBSERVATIONS, {}, normalise(result)
        return OutcomeKind.RAISED, {**first, "pending": stubs}, normalise(result)


def _exit(stop: SystemExit, path: Path, when: str) -> Ran:
    detail = f"your code called sys.exit({stop.code!r}){' ' + when if when else ''}"
    return OutcomeKind.EXIT, {"detail": detail, "error": error_info(stop, path).__dict__}, None


# --- the child's life ---------------------------------------------------------------------------


def _enter(prepare: Prepare | None, keep_fd: int | None, output_fd: int) -> None:
    """In a fresh child: its own process group, output to `output_fd`, nothing of the parent's, limits.

    `keep_fd` is the one inherited descriptor it writes frames to; None for a child started
    afresh (`grader.run.spawned`), which inherited nothing else to close.
    """
    if hasattr(os, "setpgid"):
        os.setpgid(0, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    if keep_fd is not None:  # nothing of the parent's (pytest, xdist channels, a worker's pipes) stays reachable
        os.closerange(3, keep_fd)
        os.closerange(keep_fd + 1, 1 << 16)
    if prepare is not None:
        prepare()
    sys.stdin = open(0, closefd=False)  # noqa: SIM115
    sys.stdout = open(1, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115


def import_once(request: ProbeRequest) -> Ran:
    """Import the learner's file once, before its checks, so that a file whose import hangs,
    crashes, exits or tampers is judged once for all of them (the parent times this import)."""
    path = Path(request.path)
    try:
        load_module(request.exercise, path)
    except SystemExit as stop:
        return _exit(stop, path, "while being imported")
    except BaseException as error:  # noqa: BLE001 - any import failure is reported
        return OutcomeKind.IMPORT_ERROR, {"error": error_info(error, path).__dict__}, None
    replaced = TAMPER_GUARD.replaced()
    if replaced:
        return OutcomeKind.TAMPERED, {"detail": _tampered(replaced)}, None
    return OutcomeKind.IMPORTED, {}, None


def serve(
    requests: Sequence[ProbeRequest],
    registry: Registry,
    prepare: Prepare | None,
    send: Callable[[bytes], None],
    output_fd: int,
    keep_fd: int | None,
) -> None:
    """Import the learner's file once, then run `requests` (all on that file) one after the other.

    Each ran thing sends one frame (`send`): the import first, then every request.
    """
    _enter(prepare, keep_fd, output_fd)
    leftovers.adopt_orphans()
    path, folder = list(sys.path), str(Path(requests[0].path).parent) + os.sep
    modules = dict(sys.modules)  # as before any learner code: what a check imports or replaces is undone
    ran = import_once(requests[0])
    for request in [None, *requests]:
        if request is not None:
            ran = run_request(request, registry)
        kind, header, observations = ran
        size = sum(v.data.nbytes for v in (observations or {}).values() if isinstance(v, TensorValue))
        if request is not None and size > request.max_bytes:  # refused here, before three more copies of it
            kind, body = OutcomeKind.CRASHED, too_large(size, request.max_bytes)
        else:
            body = encode({"kind": str(kind), **header}, observations)
        sys.stdout.flush()
        sys.stderr.flush()
        send(POSITION.pack(os.lseek(1, 0, os.SEEK_CUR)) + body)
        if kind not in BATCH_GOES_ON:
            break
        leftovers.kill_descendants()
        for name, module in [(n, m) for n, m in sys.modules.items() if modules.get(n) is not m]:
            if str(getattr(module, "__file__", "") or "").startswith(folder):
                del sys.modules[name]
        sys.path[:] = path
        determinism.prepare(0)
