"""The wire: what a learner's process sends is decoded within bounds, and every malformed frame is a
ValueError (the check's status), never another exception out of the trusted side."""

from __future__ import annotations

import json
import struct

import pytest
import torch
from safetensors.torch import save

from grader.core.compare import compare
from grader.core.observations import Opaque, normalise
from grader.core.wire import (
    HEADER_LIMIT,
    KEY_LIMIT,
    KEYS_LIMIT,
    TEXT_LIMIT,
    OutcomeKind,
    Phase,
    RawRun,
    Stop,
    decode,
    encode,
    join,
    outcome,
    pack_run,
    unpack_run,
)


def frame(header: dict, blob: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return struct.pack("<Q", len(head)) + head + blob


def observed(described: dict, tensors: dict | None = None) -> bytes:
    return frame({"kind": "observations", "observations": described}, save(tensors) if tensors else b"")


HOSTILE = {
    "garbage tensor data": frame({"kind": "observations", "observations": {"x": {"t": "tensor", "device": "cpu"}}}, b"\x07garbage"),
    "header nested 100,000 deep": struct.pack("<Q", 200_000) + b"[" * 100_000 + b"]" * 100_000,
    "header over the limit": struct.pack("<Q", HEADER_LIMIT + 1) + b" " * (HEADER_LIMIT + 1),
    "header that is a list": frame([]),  # type: ignore[arg-type]
    "too many keys": observed({f"k{i}": {"t": "plain", "v": i} for i in range(KEYS_LIMIT + 1)}),
    "a value that is an object": observed({"x": {"t": "plain", "v": {"a": 1}}}),
    "an unknown kind": observed({"x": {"t": "pickle", "v": "..."}}),
    "a description that is a number": observed({"x": 3}),
    "tensors without a description": frame({"kind": "observations", "observations": {}}, save({"x": torch.ones(1)})),
    "an error message that is an int": frame({"kind": "raised", "error": {"type": "ValueError", "message": 42}}),
    "a truncated frame": b"\x01\x02",
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_malformed_frames_are_value_errors(body):
    with pytest.raises(ValueError):
        decode(body)


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_malformed_frame_is_a_crashed_outcome(body):
    found = outcome(RawRun(body, 0, Stop.NONE, "", 0.0), 1.0)
    assert found.kind is OutcomeKind.CRASHED and ("malformed" in found.detail or "too large to read" in found.detail)


def test_strings_and_keys_are_cut_and_keys_stay_unique():
    long_key = "k" * 10_000
    body = observed({long_key: {"t": "plain", "v": "x" * 1_000_000}, long_key + "2": {"t": "plain", "v": 1}})
    _, values = decode(body)
    assert len(values) == 2 and all(len(key) <= KEY_LIMIT for key in values)
    assert all(len(value) <= TEXT_LIMIT + 1 for value in values.values() if isinstance(value, str))


def test_values_the_grader_does_not_compare_are_opaque_and_fail_as_a_wrong_type():
    _, got = decode(observed({"x": {"t": "plain", "v": 10**400}}))
    assert isinstance(got["x"], Opaque)
    mismatches = compare(normalise({"x": 1.0}), got)
    assert [m.kind for m in mismatches] == ["type"]


@pytest.mark.parametrize(
    "made",
    [torch.eye(2).to_sparse(), torch.ones(2, dtype=torch.complex64), torch.empty(2, device="meta")],
    ids=["sparse", "complex", "meta"],
)
def test_tensors_that_cannot_be_compared_are_a_wrong_type(made):
    _, got = decode(encode({}, normalise({"x": made})))
    mismatches = compare(normalise({"x": torch.ones(2)}), got)
    assert [m.kind for m in mismatches] == ["type"]


def test_an_opaque_claiming_a_builtin_kind_is_still_a_wrong_type():
    got = {"x": Opaque("number"), "y": Opaque("torch.Tensor")}
    mismatches = compare(normalise({"x": 1.5, "y": torch.ones(1)}), got)
    assert [m.kind for m in mismatches] == ["type", "type"]


def test_round_trip_of_every_kind():
    values = normalise({"t": torch.arange(3.0), "i": 7, "f": 0.5, "s": "a", "n": None, "b": True})
    _, back = decode(encode({"kind": "observations"}, values))
    assert compare(values, back) == []


def test_a_raw_run_from_a_worker_is_checked():
    raw = RawRun(join({"kind": "observations"}, {}), 0, Stop.CPU, "printed", 1.5, Phase.IMPORT, "ex02.py")
    assert unpack_run(pack_run(raw), 100) == raw
    with pytest.raises(ValueError):
        unpack_run(pack_run(RawRun(b"", 0, Stop.NONE, "x" * 100_000, 0.0)), 100)
