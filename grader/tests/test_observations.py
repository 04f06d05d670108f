"""Observations: flattening and the wire format (JSON + safetensors, never pickle)."""

import numpy as np
import pytest
import torch

from grader.core.observations import Opaque, Raised, TensorValue, capture, normalise
from grader.core.wire import decode, encode


def round_trip(value):
    header, observations = decode(encode({"kind": "observations"}, normalise(value)))
    assert header == {"kind": "observations"}
    return observations


def test_nested_containers_flatten_to_keys():
    flat = normalise({"out": (torch.ones(1), [2, 3]), "state": {"step": 1}})
    assert list(flat) == ["out.len", "out[0]", "out[1].len", "out[1][0]", "out[1][1]", "state.step"]
    assert normalise(torch.zeros(2))["result"].shape == (2,)
    assert normalise({"state": {}}) == {"state": "{}"}  # an empty dict is observable too


def test_tensors_survive_the_wire_with_dtype_shape_and_device():
    values = {
        "f32": torch.randn(2, 3),
        "bf16": torch.randn(4, dtype=torch.bfloat16),
        "i64": torch.arange(5),
        "bool": torch.tensor([True, False]),
        "scalar": torch.tensor(2.5),
        "empty": torch.zeros(0, 3),
        "param": torch.nn.Parameter(torch.ones(2)),
        "strided": torch.arange(6.0).reshape(2, 3).T,
    }
    back = round_trip(values)
    for key, tensor in values.items():
        assert isinstance(back[key], TensorValue)
        assert back[key].device == "cpu"
        assert back[key].dtype == tensor.dtype
        assert torch.equal(back[key].data, tensor.detach())


def test_plain_values_exceptions_and_opaque_objects():
    back = round_trip({"i": 3, "f": float("nan"), "b": True, "s": "x", "n": None, "dtype": torch.int64})
    assert back["i"] == 3 and back["b"] is True and back["s"] == "x" and back["n"] is None
    assert back["f"] != back["f"]  # NaN survives
    assert back["dtype"] == "torch.int64"
    assert round_trip({"np": np.float64(0.5), "npi": np.int64(3)}) == {"np": 0.5, "npi": 3}
    raised = round_trip({"e": capture(int, "not a number")})["e"]
    assert isinstance(raised, Raised) and raised.type == "ValueError"
    assert round_trip({"o": object()})["o"] == Opaque("object")
    assert isinstance(round_trip({"c": torch.zeros(2, dtype=torch.complex64)})["c"], Opaque)


def test_capture_returns_the_value_when_nothing_is_raised():
    assert capture(lambda x: x + 1, 1) == 2


@pytest.mark.parametrize("frame", [b"", b"\x05\x00\x00\x00\x00\x00\x00\x00{}", b"\x02\x00\x00\x00\x00\x00\x00\x00[]"])
def test_malformed_frames_are_rejected(frame):
    with pytest.raises(ValueError):
        decode(frame)


def test_a_frame_never_carries_pickle():
    frame = encode({"kind": "observations"}, normalise({"t": torch.ones(3)}))
    assert b"\x80\x04" not in frame[:2] and b"torch._utils" not in frame


def test_capture_lets_not_implemented_through():
    def stub():
        raise NotImplementedError("stub")

    with pytest.raises(NotImplementedError):
        capture(stub)
