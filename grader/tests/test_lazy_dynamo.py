"""torch._dynamo is loaded only when something compiles; eager code gets the same numbers without it."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from grader.tests.conftest import ROOT

STEPS = """
import sys, torch
from grader.core import determinism, lazy_dynamo
determinism.configure_process()

def train(optimizer_class, **options):
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.randn(3))
    optimizer = optimizer_class([weight], **options)
    for _ in range(3):
        optimizer.zero_grad()
        (weight ** 2).sum().backward()
        optimizer.step()
    return weight.detach().clone()
"""


def run(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(STEPS) + textwrap.dedent(code)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_optimizers_step_without_loading_dynamo_and_give_the_real_numbers():
    out = run(
        """
        eager = [train(torch.optim.SGD, lr=0.1, momentum=0.9), train(torch.optim.Adam, lr=0.1)]
        files = [getattr(module, "__file__", None) for module in list(sys.modules.values())]  # as the child's cleanup does
        print("loaded after steps:", lazy_dynamo.loaded() is not None)
        torch._dynamo.trace_rules.clear_lru_cache()  # as torch.distributed does at init
        print("loaded after clearing the rules:", lazy_dynamo.loaded() is not None)
        import torch._dynamo.config  # a submodule: the real package, from now on
        print("loaded by a submodule import:", lazy_dynamo.loaded() is not None)
        real = [train(torch.optim.SGD, lr=0.1, momentum=0.9), train(torch.optim.Adam, lr=0.1)]
        print("same numbers:", all(torch.equal(a, b) for a, b in zip(eager, real)))
        """
    )
    assert "loaded after steps: False" in out
    assert "loaded after clearing the rules: False" in out
    assert "loaded by a submodule import: True" in out
    assert "same numbers: True" in out


def test_torch_compile_loads_the_real_module_and_works():
    out = run(
        """
        train(torch.optim.SGD, lr=0.1)  # eager first: the stand-in's answers were cached
        compiled = torch.compile(lambda x: torch.sin(x) * 2, backend="eager")
        x = torch.arange(4.0)
        print("compiled:", torch.equal(compiled(x), torch.sin(x) * 2), lazy_dynamo.loaded() is not None)
        print("steps still right:", torch.equal(train(torch.optim.SGD, lr=0.1), train(torch.optim.SGD, lr=0.1)))
        """
    )
    assert "compiled: True True" in out and "steps still right: True" in out
