"""Comparison: one test per diagnostic, in the order the comparison applies them."""

import math

import pytest
import torch

from grader.core.compare import Tolerances, compare
from grader.core.observations import Opaque, Raised, normalise


def mismatches(expected, actual, tolerances=Tolerances()):
    return compare(normalise(expected), normalise(actual), tolerances)


def only(expected, actual, tolerances=Tolerances()):
    found = mismatches(expected, actual, tolerances)
    assert len(found) == 1, found
    return found[0]


class LyingEq:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class Subclass(torch.Tensor):
    pass


def test_equal_observations_have_no_mismatch():
    values = {"t": torch.arange(6.0).reshape(2, 3), "n": 3, "f": 0.5, "b": True, "s": "x", "none": None}
    assert mismatches(values, dict(values)) == []


def test_missing_and_extra_keys_are_named():
    found = mismatches({"a": 1, "b": 2}, {"a": 1, "c": 3})
    assert [(m.key, m.kind) for m in found] == [("b", "missing"), ("c", "unexpected")]
    assert "'b': missing" in found[0].summary


def test_a_tensor_subclass_is_not_a_tensor():
    found = only({"t": torch.ones(2)}, {"t": torch.ones(2).as_subclass(Subclass)})
    assert found.kind == "type"
    assert "tensor subclass" in found.summary


def test_an_object_with_its_own_eq_never_matches():
    found = only({"t": torch.ones(2)}, {"t": LyingEq()})
    assert found.kind == "type"
    assert "LyingEq" in found.summary
    assert only({"n": 3}, {"n": LyingEq()}).kind == "type"


def test_none_where_a_tensor_is_expected():
    found = only({"grad": torch.ones(2)}, {"grad": None})
    assert (found.kind, found.summary) == ("type", "'grad': expected torch.Tensor, got None")


def test_int_and_float_are_both_numbers_but_a_tensor_is_not():
    assert mismatches({"n": 4}, {"n": 4.0}) == []
    assert only({"n": 4}, {"n": torch.tensor(4)}).kind == "type"


def test_dtype_is_checked_before_values():
    found = only({"t": torch.ones(2)}, {"t": torch.ones(2, dtype=torch.float64)})
    assert found.kind == "dtype"
    assert "torch.float64, expected torch.float32" in found.summary


def test_shapes_are_never_broadcast():
    found = only({"t": torch.ones(3)}, {"t": torch.ones(1, 3)})
    assert found.kind == "shape"
    assert "[1, 3]" in found.summary and "expected shape [3]" in found.detail
    assert only({"t": torch.ones(3)}, {"t": torch.ones(1)}).kind == "shape"


def test_device_is_compared():
    from grader.core.observations import TensorValue

    expected = {"t": TensorValue(torch.ones(2), "cpu")}
    actual = {"t": TensorValue(torch.ones(2), "cuda:0")}
    found = compare(expected, actual)
    assert [m.kind for m in found] == ["device"]


def test_nan_where_finite_expected():
    found = only({"t": torch.tensor([1.0, 2.0, 3.0])}, {"t": torch.tensor([1.0, math.nan, math.inf])})
    assert found.kind == "nonfinite"
    assert "2 of 3 elements are NaN/Inf where finite values were expected" in found.summary
    assert "index [1]" in found.detail


def test_finite_where_nan_expected_and_nan_matching_nan():
    assert only({"t": torch.tensor([math.nan])}, {"t": torch.tensor([0.0])}).kind == "nonfinite"
    assert mismatches({"t": torch.tensor([math.nan, math.inf])}, {"t": torch.tensor([math.nan, math.inf])}) == []
    assert only({"t": torch.tensor([math.inf])}, {"t": torch.tensor([-math.inf])}).kind == "nonfinite"


def test_value_mismatch_reports_count_share_worst_errors_and_tolerance():
    found = only({"grad": torch.tensor([0.0, 4.0, 8.0, 12.0])}, {"grad": torch.tensor([0.0, 4.0, 9.0, 14.0])})
    assert found.kind == "values"
    assert found.summary == "'grad': 2 of 4 elements differ (50.0%)"
    assert "worst at index [3]: expected 12, got 14" in found.detail
    assert "max abs error 2, max rel error 0.167" in found.detail
    assert "rtol=1.3e-06, atol=1e-05 (float32 default)" in found.detail
    assert found.stats["worst_index"] == [3] and found.stats["count"] == 2


def test_worst_index_is_multidimensional():
    expected = torch.zeros(2, 3)
    actual = expected.clone()
    actual[1, 2] = 5.0
    assert only({"t": expected}, {"t": actual}).stats["worst_index"] == [1, 2]


def test_default_tolerances_follow_assert_close():
    assert mismatches({"t": torch.tensor([1.0])}, {"t": torch.tensor([1.0 + 5e-6])}) == []
    assert only({"t": torch.tensor([1.0])}, {"t": torch.tensor([1.0 + 5e-5])}).kind == "values"
    half = torch.tensor([1.0], dtype=torch.float16)
    assert mismatches({"t": half}, {"t": half + 1e-3}) == []
    assert only({"x": 1.0}, {"x": 1.0 + 1e-6}).kind == "values"  # python floats: float64 tolerances


def test_check_tolerance_overrides_the_default_and_is_reported():
    wide = Tolerances(rtol=1e-2, atol=0.0)
    assert mismatches({"t": torch.tensor([100.0])}, {"t": torch.tensor([100.5])}, wide) == []
    found = only({"t": torch.tensor([100.0, 1.0])}, {"t": torch.tensor([102.0, 1.0])}, wide)
    assert "rtol=0.01, atol=0 (set by the check)" in found.detail


def test_integers_and_bools_compare_exactly():
    assert only({"t": torch.tensor([1, 2])}, {"t": torch.tensor([1, 3])}).detail.endswith("exact comparison")
    assert only({"t": torch.tensor([True])}, {"t": torch.tensor([False])}).kind == "values"
    assert only({"n": 3}, {"n": 4}).detail == "expected 3, got 4"


def test_strings_and_bools_compare_by_value():
    assert only({"s": "a"}, {"s": "b"}).detail == "expected 'a', got 'b'"
    assert only({"b": True}, {"b": False}).kind == "values"
    assert only({"b": True}, {"b": 1}).kind == "type"


def test_exception_observation_matches_same_type_only():
    assert mismatches({"e": Raised("ValueError", "x")}, {"e": Raised("ValueError", "other text")}) == []
    found = only({"e": Raised("ValueError")}, {"e": Raised("TypeError", "bad")})
    assert found.kind == "exception"
    assert only({"e": Raised("ValueError")}, {"e": 3}).summary == "'e': expected ValueError to be raised, got int 3"
    assert "raised TypeError" in only({"e": 3}, {"e": Raised("TypeError")}).summary


def test_hidden_messages_never_show_expected_values():
    found = only({"t": torch.tensor([1.0, 2.0])}, {"t": torch.tensor([1.0, 7.0])})
    assert found.message(reveal=False) == "'t': 1 of 2 elements differ (50.0%)"
    assert "expected 2, got 7" in found.message(reveal=True)


def test_a_reference_must_be_plain_data():
    with pytest.raises(TypeError, match="plain data"):
        compare({"x": Opaque("object")}, {"x": 1})


def test_an_exception_in_place_of_a_tuple_is_one_clear_mismatch():
    found = only({"prf": (torch.ones(1), torch.ones(1))}, {"prf": Raised("ValueError", "bad average")})
    assert (found.kind, found.summary) == ("exception", "'prf': raised ValueError: bad average")
    found = only({"prf": Raised("ValueError")}, {"prf": (1, 2)})
    assert found.summary == "'prf': expected ValueError to be raised, got a value"
