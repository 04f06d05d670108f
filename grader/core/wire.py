"""The protocol between the trusted side and learner code: requests, outcomes, and their bytes.

A request asks "run check C (by key) on the module file M, on device D, with
seed S, within T seconds": plain data, so that a sandboxed worker, a forked
child or a spawned interpreter can each look the probe up in its own registry.

What comes back from the process that ran learner code is one **frame**:

    8-byte little-endian length | 8-byte header length | JSON header | safetensors blob

The header says what happened (`kind`) and describes each observation; the blob
holds the tensors. Never pickle: the trusted parent only ever decodes JSON and
safetensors. The same framing carries a worker's replies (a `RawRun` per
request), and goldens store each check's header and tensors in this format.
"""

from __future__ import annotations

import hashlib
import json
import os
import select
import signal
import struct
import time
from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any, BinaryIO, Mapping

import torch
from safetensors.torch import load as load_tensors
from safetensors.torch import save as save_tensors

from grader.core.observations import MAX_STRING, Observations, Opaque, Raised, TensorValue, Value

LENGTH = struct.Struct("<Q")
FRAME_LIMIT = 8 << 20  # bytes of one result, unless its check allows more (`@check(max_bytes=...)`)
HEADER_LIMIT = 1 << 20  # bytes of a result's JSON header: descriptions and messages, no tensor data
KEYS_LIMIT = 1024  # observations in one result (the curriculum's largest has 50)
KEY_LIMIT = 200  # characters of one key; a longer one is cut (and kept unique)
TEXT_LIMIT = MAX_STRING  # characters of any message or string value
OUTPUT_SLACK = 1024  # bytes a raw run's output may exceed the executor's output limit by (its truncation note)
TENSOR_DTYPES = frozenset(
    {torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64, torch.float16, torch.bfloat16, torch.float32, torch.float64}
)
INT_RANGE = range(-(1 << 63), 1 << 63)  # a larger int (10**400) is not a number this grader compares


# --- requests and outcomes -----------------------------------------------------------------


@dataclass(frozen=True)
class ProbeRequest:
    """Run one check's probe on one learner module."""

    check: str  # the check's key: `ex02_autograd::double_square_grad_at_arange`
    path: str  # the learner's module file, as the process that runs it sees it
    device: str = "cpu"
    seed: int = 0
    timeout: float = 10.0  # seconds of CPU time
    max_bytes: int = FRAME_LIMIT  # of its result

    @property
    def exercise(self) -> str:
        """The module name the learner's file is imported as."""
        return self.check.partition("::")[0]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProbeRequest:
        return cls(
            str(data["check"]), str(data["path"]), str(data["device"]), int(data["seed"]), float(data["timeout"]), int(data["max_bytes"])
        )


class TooLarge(ValueError):
    """A result over one of the bounds above: malformed like any other, but said so."""


class OutcomeKind(StrEnum):
    """What became of one probe run on learner code."""

    IMPORTED = "imported"  # the learner's file imported (once per child, before its checks)
    OBSERVATIONS = "observations"  # the probe returned
    RAISED = "raised"  # the probe (learner code) raised
    FORBIDDEN = "forbidden"  # a forbidden torch function was called
    TAMPERED = "tampered"  # learner code replaced what probes rely on
    IMPORT_ERROR = "import_error"
    EXIT = "exit"  # sys.exit
    CRASHED = "crashed"  # the process died without a result
    TIMEOUT = "timeout"
    MISSING = "missing"  # no such file


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
    kind: OutcomeKind
    observations: Observations | None = None
    error: ErrorInfo | None = None
    detail: str = ""
    output: str = ""
    duration: float = 0.0
    pending: tuple[str, ...] = ()  # RAISED by a stub, with observations: the stubs stood in for (`grader.run.pending`)


class Stop(StrEnum):
    """Why a run was stopped before it answered (false when it was not)."""

    NONE = ""
    CPU = "cpu"  # it used its time limit of CPU
    WALL = "wall"  # it outlived the generous wall-clock backstop (sleeping, blocked, waiting)


class Phase(StrEnum):
    IMPORT = "import"  # importing the learner's file, once for the checks of a child
    CHECK = "check"


@dataclass(frozen=True)
class RawRun:
    """What came back from one child, before any decoding."""

    frame: bytes
    status: int  # wait status; 0 when the child was not waited for
    timed_out: Stop
    output: str
    duration: float
    phase: Phase = Phase.CHECK  # IMPORT: the file's import failed, and this check with it
    file: str = ""  # the learner's file name, for messages about its import


# --- framing ---------------------------------------------------------------------------------


def write_frame(fd: int, payload: bytes) -> None:
    """Length-prefixed, so that a reader knows where a frame ends (EOF cannot say: learner
    processes may hold the pipe open)."""
    view = memoryview(LENGTH.pack(len(payload)) + payload)
    while view:
        view = view[os.write(fd, view) :]


def send(stream: BinaryIO, payload: bytes) -> None:
    """`write_frame` on a stream (a worker's pipes)."""
    stream.flush()
    write_frame(stream.fileno(), payload)


class FrameReader:
    """Length-prefixed frames from a pipe, read unbuffered so that `poll` tells the truth."""

    def __init__(self, fd: int, limit: int = FRAME_LIMIT) -> None:
        self.fd = fd
        self.limit = limit  # bytes of one frame; a larger one is refused unread (`oversized`)
        self.oversized = 0  # the size a refused frame announced
        self.buffer = bytearray()
        self.poller = select.poll()
        self.poller.register(fd, select.POLLIN | select.POLLHUP)

    def next(self, deadline: float | None = None) -> tuple[bytes, bool, bool]:
        """(the frame, True, False); or what came of it before the pipe closed (False, False),
        before `deadline` (`time.monotonic`) passed (False, True), or over the size limit."""
        while True:
            if len(self.buffer) >= LENGTH.size:
                (size,) = LENGTH.unpack_from(self.buffer)
                if size > self.limit:
                    self.oversized = size
                    return b"", False, False
                if len(self.buffer) >= LENGTH.size + size:
                    frame = bytes(self.buffer[LENGTH.size : LENGTH.size + size])
                    del self.buffer[: LENGTH.size + size]
                    return frame, True, False
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return bytes(self.buffer), False, True
                if not self.poller.poll(max(1, int(left * 1000))):
                    continue
            chunk = os.read(self.fd, 1 << 20)
            if not chunk:
                return bytes(self.buffer), False, False
            self.buffer += chunk

    def message(self, deadline: float | None = None) -> bytes | None:
        """One whole frame, or None (closed, cut short or late)."""
        frame, whole, _ = self.next(deadline)
        return frame if whole else None


# --- observation frames ----------------------------------------------------------------------


def _describe(value: Value) -> Any:
    if isinstance(value, TensorValue):
        return {"t": "tensor", "device": value.device}
    if isinstance(value, Raised):
        return {"t": "raised", "type": value.type, "message": value.message}
    if isinstance(value, Opaque):
        return {"t": "opaque", "type": value.type, "note": value.note}
    return {"t": "plain", "v": value}


def encode(header: Mapping[str, Any], observations: Observations | None = None) -> bytes:
    """One frame body: `header` (plain JSON) plus observations, if any."""
    header = dict(header)
    tensors: dict[str, torch.Tensor] = {}
    if observations is not None:
        header["observations"] = {key: _describe(value) for key, value in observations.items()}
        tensors = {key: value.data for key, value in observations.items() if isinstance(value, TensorValue)}
    return join(header, tensors)


def too_large(size: int, limit: int) -> bytes:
    """The frame body for a result of `size` bytes, over its `limit`: written by the child before
    it builds one (the learner is not charged for copying what will be refused), or by the parent
    for a frame that declares more (never read, not even its header)."""
    detail = (
        f"your code's result for this check is {size / 2**20:.1f} MiB, over the {limit / 2**20:.0f} MiB it may be: "
        "return what the check asks for, not more (smaller tensors, fewer values)"
    )
    return encode({"kind": str(OutcomeKind.CRASHED), "detail": detail})


def join(header: Mapping[str, Any], tensors: Mapping[str, torch.Tensor]) -> bytes:
    head = json.dumps(header).encode()
    return LENGTH.pack(len(head)) + head + (save_tensors(dict(tensors)) if tensors else b"")


def split(body: bytes, header_limit: int = HEADER_LIMIT) -> tuple[dict[str, Any], bytes]:
    """A frame body's JSON header and safetensors blob. Raises ValueError on a malformed body.

    The header's size is checked before it is parsed: a learner's process writes these bytes.
    """
    if len(body) < LENGTH.size:
        raise ValueError("truncated frame")
    (size,) = LENGTH.unpack_from(body)
    if size > len(body) - LENGTH.size:
        raise ValueError("truncated header")
    if size > header_limit:
        raise TooLarge(f"a header of {size} bytes, over the limit of {header_limit}")
    try:
        header = json.loads(body[LENGTH.size : LENGTH.size + size])
    except RecursionError:  # nested too deep for the parser: malformed, like any other bad JSON
        raise ValueError("a header nested too deep") from None
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header, body[LENGTH.size + size :]


def decode(body: bytes) -> tuple[dict[str, Any], Observations | None]:
    """Inverse of `encode`, within the bounds above. Raises ValueError on a malformed body.

    Every field is checked for its type before use, every string is cut to TEXT_LIMIT,
    every key to KEY_LIMIT; a value of a kind the grader does not compare becomes an
    `Opaque` (a "wrong type" in the comparison), never an exception.
    """
    header, blob = split(body)
    described = header.pop("observations", None)
    if "error" in header:
        header["error"] = _error(header["error"])
    if "detail" in header:
        header["detail"] = text(header["detail"])
    if "pending" in header:
        if type(header["pending"]) is not list or len(header["pending"]) > KEYS_LIMIT:
            raise ValueError("pending: not a list of names")
        header["pending"] = tuple(text(name)[:KEY_LIMIT] for name in header["pending"])
    if described is None:
        return header, None
    if not isinstance(described, dict):
        raise ValueError("observations: not an object")
    if len(described) > KEYS_LIMIT:
        raise TooLarge(f"{len(described)} observations, over the limit of {KEYS_LIMIT}")
    try:
        tensors = load_tensors(blob) if blob else {}
    except Exception as error:  # noqa: BLE001 - safetensors' own errors are not ValueError
        raise ValueError(f"unreadable tensor data ({type(error).__name__})") from None
    wanted = {key for key, item in described.items() if isinstance(item, dict) and item.get("t") == "tensor"}
    if set(tensors) != wanted:
        raise ValueError("tensor data does not match the observations described")
    observations: Observations = {}
    for key, item in described.items():
        observations[_key(key, observations)] = _value(item, tensors.get(key))
    return header, observations


def text(value: Any) -> str:
    """A string from the other side, cut to TEXT_LIMIT (anything else: ValueError)."""
    if type(value) is not str:
        raise ValueError(f"a {type(value).__name__} where text was expected")
    return value if len(value) <= TEXT_LIMIT else value[:TEXT_LIMIT] + "…"


def _key(key: str, taken: Mapping[str, Any]) -> str:
    """A key cut to KEY_LIMIT characters, still unique (a hash of the whole key stands for the rest)."""
    if len(key) <= KEY_LIMIT and key not in taken:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{key[: KEY_LIMIT - 14]}…{digest}"


def _value(item: Any, tensor: torch.Tensor | None) -> Value:
    if not isinstance(item, dict):
        raise ValueError("an observation that is not described")
    kind = item.get("t")
    if kind == "tensor" and tensor is not None:
        if tensor.dtype not in TENSOR_DTYPES:
            return Opaque("torch.Tensor", f"{tensor.dtype}: not a dtype the grader compares")
        return TensorValue(tensor, text(item.get("device", "")))
    if kind == "raised":
        return Raised(text(item.get("type", "")), text(item.get("message", "")))
    if kind == "opaque":
        return Opaque(f"{text(item.get('type', ''))}", text(item.get("note", "")))
    if kind == "plain":
        value = item.get("v")
        if type(value) is int and value not in INT_RANGE:
            return Opaque("int", "too large to compare")
        if type(value) is str:
            return text(value)
        if type(value) in (bool, int, float, type(None)):
            return value
    raise ValueError("an observation that is not plain data")


def _error(error: Any) -> dict[str, str]:
    """The learner's exception, as described by its child: its fields, as text."""
    if not isinstance(error, dict):
        raise ValueError("an error that is not described")
    fields = ("type", "message", "location", "function", "traceback")
    return {name: text(error.get(name, "")) for name in fields}


# --- a raw run, as a worker passes it on ----------------------------------------------------------


def pack_run(raw: RawRun) -> bytes:
    return join({k: str(v) if isinstance(v, StrEnum) else v for k, v in asdict(raw).items() if k != "frame"}, {}) + raw.frame


def unpack_run(payload: bytes, output_limit: int) -> RawRun:
    """A raw run as a worker sent it; its fields are checked here (the worker ran learner code)."""
    header, frame = split(payload)
    output = text(header["output"])
    if len(output) > output_limit + OUTPUT_SLACK or type(header["status"]) is not int:
        raise ValueError("a raw run out of bounds")
    return RawRun(
        frame,
        header["status"],
        Stop(header["timed_out"]),
        output,
        float(header["duration"]),
        Phase(header["phase"]),
        text(header["file"]),
    )


# --- from a raw run to an outcome -------------------------------------------------------------------


def outcome(raw: RawRun, timeout: float) -> ProbeOutcome:
    """Decode a child's frame (plain data only: JSON + safetensors) into an outcome."""
    if raw.timed_out:
        return ProbeOutcome(OutcomeKind.TIMEOUT, detail=_stopped(raw, timeout), output=raw.output, duration=raw.duration)
    try:
        header, observations = decode(raw.frame)
        kind = OutcomeKind(header["kind"])
    except TooLarge as error:
        detail = f"your code's result for this check is too large to read ({error}): return what the check asks for, not more"
        return ProbeOutcome(OutcomeKind.CRASHED, detail=detail, output=raw.output, duration=raw.duration)
    except (ValueError, KeyError, TypeError, OverflowError):
        death = _death(raw.status, bool(raw.frame))
        if raw.phase is Phase.IMPORT:
            death = f"importing {raw.file} failed: {death}"
        return ProbeOutcome(OutcomeKind.CRASHED, detail=death, output=raw.output, duration=raw.duration)
    error = ErrorInfo(**header["error"]) if "error" in header else None
    return ProbeOutcome(kind, observations, error, header.get("detail", ""), raw.output, raw.duration, header.get("pending", ()))


def _stopped(raw: RawRun, timeout: float) -> str:
    """Why a run was stopped, in the learner's terms."""
    if raw.phase is Phase.IMPORT:
        what = f"importing {raw.file} did not finish within {timeout:g} s"
        return f"{what}: is a training run, or a loop, left at the top level of the file (not in a function)?"
    if raw.timed_out is Stop.WALL:
        return f"was stopped after {raw.duration:.0f} s while using little CPU: is it sleeping, or waiting for input?"
    return f"did not finish within {timeout:g} s of CPU time: an infinite loop, or something far slower than needed?"


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
