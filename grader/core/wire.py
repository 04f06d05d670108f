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

from grader.core.observations import Observations, Opaque, Raised, TensorValue, Value

LENGTH = struct.Struct("<Q")
MAX_FRAME = 1 << 30


# --- requests and outcomes -----------------------------------------------------------------


@dataclass(frozen=True)
class ProbeRequest:
    """Run one check's probe on one learner module."""

    check: str  # the check's key: `ex02_autograd::double_square_grad_at_arange`
    path: str  # the learner's module file, as the process that runs it sees it
    device: str = "cpu"
    seed: int = 0
    timeout: float = 10.0

    @property
    def exercise(self) -> str:
        """The module name the learner's file is imported as."""
        return self.check.partition("::")[0]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ProbeRequest:
        return cls(str(data["check"]), str(data["path"]), str(data["device"]), int(data["seed"]), float(data["timeout"]))


class OutcomeKind(StrEnum):
    """What became of one probe run on learner code."""

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


@dataclass(frozen=True)
class RawRun:
    """What came back from one child, before any decoding."""

    frame: bytes
    status: int  # wait status; 0 when the child was not waited for
    timed_out: bool
    output: str
    duration: float


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

    def __init__(self, fd: int, limit: int = MAX_FRAME) -> None:
        self.fd = fd
        self.limit = limit
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


def join(header: Mapping[str, Any], tensors: Mapping[str, torch.Tensor]) -> bytes:
    head = json.dumps(header).encode()
    return LENGTH.pack(len(head)) + head + (save_tensors(dict(tensors)) if tensors else b"")


def split(body: bytes) -> tuple[dict[str, Any], bytes]:
    """A frame body's JSON header and safetensors blob. Raises ValueError on a malformed body."""
    if len(body) < LENGTH.size:
        raise ValueError("truncated frame")
    (size,) = LENGTH.unpack_from(body)
    if size > len(body) - LENGTH.size:
        raise ValueError("truncated header")
    header = json.loads(body[LENGTH.size : LENGTH.size + size])
    if not isinstance(header, dict):
        raise ValueError("header is not an object")
    return header, body[LENGTH.size + size :]


def decode(body: bytes) -> tuple[dict[str, Any], Observations | None]:
    """Inverse of `encode`. Raises ValueError on a malformed body."""
    header, blob = split(body)
    described = header.pop("observations", None)
    if described is None:
        return header, None
    tensors = load_tensors(blob) if blob else {}
    observations: Observations = {}
    for key, item in described.items():
        kind = item["t"]
        if kind == "tensor":
            observations[key] = TensorValue(tensors[key], str(item["device"]))
        elif kind == "raised":
            observations[key] = Raised(str(item["type"]), str(item["message"]))
        elif kind == "opaque":
            observations[key] = Opaque(str(item["type"]), str(item["note"]))
        elif type(item["v"]) in (bool, int, float, str, type(None)):
            observations[key] = item["v"]
        else:
            raise ValueError(f"observation {key!r} is not plain data")
    return header, observations


# --- a raw run, as a worker passes it on ----------------------------------------------------------


def pack_run(raw: RawRun) -> bytes:
    return join({k: v for k, v in asdict(raw).items() if k != "frame"}, {}) + raw.frame


def unpack_run(payload: bytes) -> RawRun:
    header, frame = split(payload)
    return RawRun(frame, int(header["status"]), bool(header["timed_out"]), str(header["output"]), float(header["duration"]))


# --- from a raw run to an outcome -------------------------------------------------------------------


def outcome(raw: RawRun, timeout: float) -> ProbeOutcome:
    """Decode a child's frame (plain data only: JSON + safetensors) into an outcome."""
    if raw.timed_out:
        detail = f"did not finish within {timeout:g} s"
        return ProbeOutcome(OutcomeKind.TIMEOUT, detail=detail, output=raw.output, duration=raw.duration)
    try:
        header, observations = decode(raw.frame)
        kind = OutcomeKind(header["kind"])
    except (ValueError, KeyError, TypeError):
        return ProbeOutcome(OutcomeKind.CRASHED, detail=_death(raw.status, bool(raw.frame)), output=raw.output, duration=raw.duration)
    error = ErrorInfo(**header["error"]) if "error" in header else None
    return ProbeOutcome(kind, observations, error, header.get("detail", ""), raw.output, raw.duration)


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
