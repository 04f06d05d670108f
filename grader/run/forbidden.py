"""Forbidden calls: a check may ask learners to write something PyTorch already has.

`@check(forbid=("torch.nn.functional.cross_entropy",))` makes calling that
function *from the learner's file* fail the check, with the call's line. It is
enforced at run time in the learner's child, at two levels:

- the Python level, for the names: a `TorchFunctionMode` sees every torch function
  and tensor method that dispatches through `__torch_function__`, however it was
  imported or aliased (`F.cross_entropy`, `from torch.nn.functional import
  cross_entropy`, `nn.CrossEntropyLoss()(...)`); plain Python functions that do not
  dispatch (`torch.nn.init.xavier_uniform_`, `torch.optim.SGD.step`) are replaced in
  their module or class by a guarded wrapper for the duration, installed before the
  learner's module is imported;
- the dispatcher level, for the computation: every path to it ends in PyTorch's
  operator of the same name (`aten::cross_entropy_loss`, `aten::mse_loss`), whether
  through the C bindings underneath (`torch._C._nn.mse_loss`), `torch.ops.aten`, or
  inference mode. Operators that decompose above autograd are seen through Python
  kernels of the Python dispatcher, the others by a `TorchDispatchMode`.

Calls made by torch itself or by the probe are not counted: only those whose
nearest caller outside torch is the learner's file.
"""

from __future__ import annotations

import functools
import inspect
import pydoc
import sys
from pathlib import Path
from typing import Any

import torch
from torch._C import DispatchKey
from torch._dispatch.python import enable_python_dispatcher
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

TORCH_DIR = str(Path(torch.__file__).parent)
GRADER_DIR = str(Path(__file__).resolve().parents[1])  # its own frames (a mode, a kernel, lazy_dynamo) are not callers
COMPOSITE = DispatchKey.CompositeImplicitAutograd


class ForbiddenCallError(RuntimeError):
    """Raised inside the learner's code at the forbidden call."""


def resolve(names: tuple[str, ...]) -> dict[Any, str]:
    """Map each forbidden callable to its dotted name."""
    resolved = {}
    for name in names:
        target = pydoc.locate(name)
        if target is None:
            raise ValueError(f"forbid: cannot find {name!r}")
        resolved[target] = name
    return resolved


def operators(name: str) -> list[torch._ops.OpOverload]:
    """The PyTorch operators that a forbidden function's computation ends in, found by name:
    `aten::<name>`, `aten::_<name>`, and the variants its implementation goes through
    (`cross_entropy` computes `aten::cross_entropy_loss`, `nll_loss` `aten::nll_loss_forward`)."""
    short = name.rpartition(".")[2].lstrip("_")
    found = []
    for candidate in (short, f"_{short}", f"{short}_loss", f"{short}_nd", f"{short}_forward"):
        packet = getattr(torch.ops.aten, candidate, None) if hasattr(torch.ops.aten, candidate) else None
        if packet is not None:
            found += [getattr(packet, overload) for overload in packet.overloads()]
    return found


class ForbiddenCalls(TorchFunctionMode):
    """Records, and stops, calls to forbidden torch functions and their operators from one file."""

    def __init__(self, names: tuple[str, ...], learner_file: Path) -> None:
        super().__init__()
        self.forbidden = resolve(names)
        self.operators = {op: name for name in names for op in operators(name)}
        self.learner_files = {str(learner_file), str(learner_file.resolve())}
        self.violations: list[str] = []
        self._patched: list[tuple[Any, str, Any]] = []
        self._kernels: list[torch._ops.OpOverload] = []
        self._below: list[Any] = []  # the dispatcher-level modes, entered with this one

    def __enter__(self) -> "ForbiddenCalls":
        for func, name in self.forbidden.items():
            owner_name, _, attribute = name.rpartition(".")
            owner = pydoc.locate(owner_name)  # a module, or a class for methods (torch.optim.SGD.step)
            if inspect.isfunction(func) and owner is not None and vars(owner).get(attribute) is func:
                self._patched.append((owner, attribute, func))
                setattr(owner, attribute, self._guarded(func, name))
        dispatched = {}
        for op, name in self.operators.items():
            if torch._C._dispatch_has_kernel_for_dispatch_key(op.name(), COMPOSITE):
                if COMPOSITE not in op.py_kernels:
                    op.py_impl(COMPOSITE)(self._composite(op, name))
                    self._kernels.append(op)
            else:
                dispatched[op] = name
        self._below = [enable_python_dispatcher()] if self._kernels else []
        self._below += [_Operators(self, dispatched)] if dispatched else []
        for mode in self._below:
            mode.__enter__()
        super().__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        super().__exit__(*exc)
        for mode in reversed(self._below):
            mode.__exit__(*exc)
        for op in self._kernels:
            del op.py_kernels[COMPOSITE]
            op._dispatch_cache.clear()
        for owner, attribute, func in reversed(self._patched):
            setattr(owner, attribute, func)

    def _composite(self, op: torch._ops.OpOverload, name: str) -> Any:
        """A Python kernel in front of the operator's own decomposition."""

        def kernel(*args: Any, **kwargs: Any) -> Any:
            self._check(_operator_name(op, name))
            return op._op_dk(COMPOSITE, *args, **kwargs)

        return kernel

    def _guarded(self, func: Any, name: str) -> Any:
        @functools.wraps(func)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            self._check(name)
            return func(*args, **kwargs)

        return guarded

    def _check(self, name: str) -> None:
        line = self._learner_line()
        if line is not None:
            message = f"{name} called at line {line} of your file"
            self.violations.append(message)
            raise ForbiddenCallError(f"{message}: this check asks you to write it yourself")

    def __torch_function__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        name = self.forbidden.get(func)
        if name is not None:
            self._check(name)
        return func(*args, **(kwargs or {}))

    def _learner_line(self) -> int | None:
        frame = sys._getframe(1)
        while frame is not None:
            filename = frame.f_code.co_filename
            if not filename.startswith((TORCH_DIR, GRADER_DIR)):
                return frame.f_lineno if filename in self.learner_files else None
            frame = frame.f_back
        return None


class _Operators(TorchDispatchMode):
    """The forbidden operators that do not decompose above autograd, however they were reached."""

    def __init__(self, calls: ForbiddenCalls, operators: dict[Any, str]) -> None:
        super().__init__()
        self.calls = calls
        self.operators = operators

    def __torch_dispatch__(self, func: Any, types: Any, args: tuple = (), kwargs: dict | None = None) -> Any:
        name = self.operators.get(func)
        if name is not None:
            self.calls._check(_operator_name(func, name))
        return func(*args, **(kwargs or {}))


def _operator_name(op: Any, name: str) -> str:
    """How a call caught at the dispatcher is named: the forbidden function, and the operator it reached."""
    return f"{name} (the operator {op._schema.name}, reached by another path)"


# --- tampering -------------------------------------------------------------------------

# What probes use to build observations: replacing any of them could turn a wrong
# answer into a "True" computed in the learner's process.
PROTECTED = (
    "torch.allclose", "torch.equal", "torch.isclose", "torch.is_tensor", "torch.testing.assert_close",
    "torch.autograd.gradcheck", "torch.Tensor.__eq__", "torch.Tensor.__ne__", "torch.Tensor.__bool__",
    "torch.Tensor.equal", "torch.Tensor.allclose", "torch.Tensor.item", "torch.Tensor.tolist",
    "numpy.allclose", "numpy.array_equal", "math.isclose",
    "builtins.isinstance", "builtins.bool", "builtins.all", "builtins.any", "builtins.abs",
)


def _owner_and_name(dotted: str) -> tuple[Any, str]:
    owner_path, _, name = dotted.rpartition(".")
    return pydoc.locate(owner_path), name


class TamperGuard:
    """Notices learner code that replaces what probes rely on (`torch.allclose = lambda *a: True`).

    The originals are captured when this module is imported, in the grading
    parent, so every forked child compares against the pristine objects.
    """

    def __init__(self, names: tuple[str, ...] = PROTECTED) -> None:
        self._originals = [(dotted, *_owner_and_name(dotted)) for dotted in names]
        self._originals = [(d, owner, name, getattr(owner, name)) for d, owner, name in self._originals]

    def replaced(self) -> list[str]:
        return [dotted for dotted, owner, name, original in self._originals if getattr(owner, name, None) is not original]


TAMPER_GUARD = TamperGuard()
