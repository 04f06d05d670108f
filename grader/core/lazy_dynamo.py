"""torch._dynamo, loaded only when something compiles.

torch.optim (every `step()` and `zero_grad()`) imports torch._dynamo, about as
long to import as torch itself, only to say "do not compile me":
`torch._dynamo.graph_break()` and `torch._dynamo.disable(fn)`, which do nothing
at all for eager code. A grading process that paid that import would make a cold
`run` seconds slower, and a child forked from a process that had not paid it
would pay it inside its check's time limit, once per check.

So every grading process installs a stand-in (`install`, called by
`determinism.configure_process`, inherited by forked children). It answers
eager code's three questions at once: `graph_break()` (nothing), `disable(fn)`
(run `fn`) and `trace_rules.clear_lru_cache()` (nothing to clear: no rule was
ever computed). Anything else asked of it (torch.compile, DistributedDataParallel,
a learner's own use, the import of a submodule) loads the real module, which from
then on serves every caller, the stand-in's answers included: the numbers never
differ, only the time to get them.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from typing import Any, Callable

NAME = "torch._dynamo"


class _NoRules:
    """`trace_rules` before any rule exists: torch.distributed clears their cache at init."""

    @staticmethod
    def clear_lru_cache() -> None:
        real = loaded()
        if real is not None:
            real.trace_rules.clear_lru_cache()


class _Standin(types.ModuleType):
    def __init__(self) -> None:
        super().__init__(NAME, "stand-in for torch._dynamo until something compiles (grader.core.lazy_dynamo)")

    def graph_break(self, *args: Any, **kwargs: Any) -> None:
        real = loaded()
        if real is not None:
            real.graph_break(*args, **kwargs)

    def disable(self, fn: Callable | None = None, recursive: bool = True, **kwargs: Any) -> Callable:
        if fn is None:
            return functools.partial(self.disable, recursive=recursive, **kwargs)
        disabled: list[Callable] = []

        @functools.wraps(fn)
        def run_eagerly(*args: Any, **keywords: Any) -> Any:
            real = loaded()
            if real is None:
                return fn(*args, **keywords)
            if not disabled:
                disabled.append(real.disable(fn, recursive, **kwargs))
            return disabled[0](*args, **keywords)

        return run_eagerly

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name != "__path__":  # a look at what a module is (`__file__`): not a use
            raise AttributeError(name)
        if name == "trace_rules" and loaded() is None:
            return _NoRules
        return getattr(load(), name)


def install() -> None:
    """Put the stand-in in place, unless torch._dynamo is imported already (then nothing to save)."""
    if NAME not in sys.modules:
        sys.modules[NAME] = _Standin()


def loaded() -> types.ModuleType | None:
    """The real torch._dynamo, if it has been imported."""
    module = sys.modules.get(NAME)
    return None if module is None or isinstance(module, _Standin) else module


def load() -> types.ModuleType:
    """The real torch._dynamo, imported now if need be."""
    module = sys.modules.get(NAME)
    if isinstance(module, _Standin):
        del sys.modules[NAME]
        try:
            module = importlib.import_module(NAME)
        except BaseException:
            sys.modules[NAME] = module
            raise
    return module if module is not None else importlib.import_module(NAME)
