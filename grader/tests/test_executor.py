"""The local executor: whatever learner code does, the parent gets an outcome."""

import dataclasses
import os
import textwrap
import time
from pathlib import Path

import pytest
import torch

from grader.core.checks import Check, check
from grader.core.compare import compare
from grader.core.observations import normalise
from grader.core.plan import Planned
from grader.core.references import References
from grader.core.session import Session, Target
from grader.core.suites import Registry
from grader.core.wire import ProbeRequest
from grader.run import fork
from grader.run.executor import ForkExecutor


def learner(tmp_path: Path, source: str, name: str = "exZ") -> Path:
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source))
    return path


def probes(path: Path, probes: list, timeout: float = 5.0, seed: int = 0, forbid: tuple[str, ...] = (), backstop=None):
    """The executor and requests that run each probe on the module at `path`."""
    checks = [Check(probe, f"probe{i}", timeout=timeout, forbid=forbid, exercise=path.stem) for i, probe in enumerate(probes)]
    requests = [ProbeRequest(c.key, str(path), "cpu", seed, timeout) for c in checks]
    return ForkExecutor(Registry(checks), backstop=backstop), requests


def run(path: Path, probe=lambda ex: {"out": ex.f()}, timeout: float = 5.0, **kwargs):
    executor, requests = probes(path, [probe], timeout, **kwargs)
    return executor.run_many(requests)[0]


def test_observations_come_back(tmp_path):
    outcome = run(learner(tmp_path, "import torch\ndef f(): return torch.arange(3.0)"))
    assert outcome.kind == "observations"
    assert torch.equal(outcome.observations["out"].data, torch.arange(3.0))


def test_an_exception_is_located_in_the_learner_file(tmp_path):
    outcome = run(learner(tmp_path, "def f():\n    raise ValueError('bad input')\n"))
    assert outcome.kind == "raised"
    assert (outcome.error.type, outcome.error.message) == ("ValueError", "bad input")
    assert outcome.error.location == "exZ.py:2 in f"


def test_sys_exit_is_reported_not_obeyed(tmp_path):
    outcome = run(learner(tmp_path, "import sys\ndef f():\n    sys.exit(0)\n"))
    assert outcome.kind == "exit"
    assert "sys.exit(0)" in outcome.detail


def test_os_exit_is_a_crash_with_a_hint(tmp_path):
    outcome = run(learner(tmp_path, "import os\ndef f():\n    os._exit(0)\n"))
    assert outcome.kind == "crashed"
    assert "os._exit" in outcome.detail


def test_a_segfault_is_a_crash_named_by_its_signal(tmp_path):
    outcome = run(learner(tmp_path, "import os, signal\ndef f():\n    os.kill(os.getpid(), signal.SIGSEGV)\n"))
    assert outcome.kind == "crashed"
    assert "SIGSEGV" in outcome.detail


def test_an_infinite_loop_times_out_on_its_cpu_time(tmp_path):
    outcome = run(learner(tmp_path, "def f():\n    while True:\n        pass\n"), timeout=0.5)
    assert outcome.kind == "timeout"
    assert "0.5 s of CPU time" in outcome.detail


def test_a_sleeping_check_is_stopped_by_the_wall_clock_backstop_only(tmp_path):
    """Sleeping uses no CPU: the time limit does not see it, the backstop (here 2 s) does."""
    path = learner(tmp_path, "import time\ndef f():\n    time.sleep(0.5)\n    return 1\ndef g():\n    time.sleep(60)\n")
    slept = run(path, timeout=0.2, backstop=lambda budget: 2.0)
    assert slept.kind == "observations"  # 0.5 s of wall time, nearly no CPU, against a 0.2 s limit
    stopped = run(path, probe=lambda ex: {"out": ex.g()}, timeout=0.2, backstop=lambda budget: 2.0)
    assert stopped.kind == "timeout" and "while using little CPU" in stopped.detail


def test_cpu_used_by_processes_the_check_starts_counts_too(tmp_path):
    source = """
    import os
    def f():
        for _ in range(2):
            if os.fork() == 0:
                while True:
                    pass
        os.wait()
    """
    outcome = run(learner(tmp_path, source), timeout=0.5)
    assert outcome.kind == "timeout" and "CPU time" in outcome.detail


def test_processes_started_by_learner_code_are_killed(tmp_path):
    pid_file = tmp_path / "pid"
    source = f"""
    import os, time
    def f():
        pid = os.fork()
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        open({str(pid_file)!r}, "w").write(str(pid))
        return 1
    """
    outcome = run(learner(tmp_path, source))
    assert outcome.kind == "observations"
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a process forked by learner code outlived its check")


def test_printed_output_is_captured_and_truncated(tmp_path):
    outcome = run(learner(tmp_path, "def f():\n    print('hello')\n    print('x' * 100000)\n    return 1\n"))
    assert outcome.output.startswith("hello\n")
    assert outcome.output.endswith("(output truncated)")
    assert len(outcome.output) < fork.OUTPUT_LIMIT + 100


@pytest.mark.parametrize(
    ("top_level", "kind", "says"),
    [
        ("while True:\n    pass\n", "timeout", "importing exZ.py did not finish within 0.5 s: is a training run"),
        ("import os\nos._exit(0)\n", "crashed", "importing exZ.py failed: the process running your code exited"),
        ("import sys\nsys.exit(2)\n", "exit", "while being imported"),
        ("raise ValueError('no')\n", "import_error", ""),
    ],
)
def test_an_import_that_fails_is_judged_once_for_every_check(tmp_path, top_level, kind, says):
    path = learner(tmp_path, f"COUNT = open(__file__ + '.imports', 'a').write('x')\n{top_level}")
    executor, requests = probes(path, [lambda ex: 1] * 5, timeout=0.5)
    outcomes = executor.run_many(requests)
    assert [o.kind for o in outcomes] == [kind] * 5
    assert all(says in o.detail for o in outcomes)
    assert Path(f"{path}.imports").read_text() == "x"  # imported once, for the five checks


def test_syntax_and_import_errors(tmp_path):
    broken = run(learner(tmp_path, "def f(:\n    pass\n"))
    assert broken.kind == "import_error"
    assert broken.error.type == "SyntaxError" and broken.error.location == "exZ.py:1"
    raising = run(learner(tmp_path, "raise RuntimeError('at import')\n", name="exY"))
    assert raising.kind == "import_error" and raising.error.message == "at import"
    exiting = run(learner(tmp_path, "import sys\nsys.exit(3)\n", name="exX"))
    assert exiting.kind == "exit" and "while being imported" in exiting.detail


def test_a_missing_file(tmp_path):
    outcome = run(tmp_path / "exZ.py", lambda ex: 1)
    assert outcome.kind == "missing"


def test_objects_that_pretend_to_be_right_are_opaque(tmp_path):
    source = """
    import torch
    class Always:
        def __eq__(self, other):
            return True
    class Sneaky(torch.Tensor):
        pass
    def f():
        return Always()
    def g():
        return torch.zeros(2).as_subclass(Sneaky)
    """
    path = learner(tmp_path, source)
    expected = normalise({"out": torch.zeros(2)})
    for function in ("f", "g"):
        outcome = run(path, probe=lambda ex, fn=function: {"out": getattr(ex, fn)()})
        found = compare(expected, outcome.observations)
        assert [m.kind for m in found] == ["type"], found


def test_each_run_gets_a_fresh_process(tmp_path):
    path = learner(tmp_path, "import torch\nCOUNT = []\ndef f():\n    COUNT.append(1)\n    return len(COUNT)\n")
    assert run(path).observations["out"] == 1
    assert run(path).observations["out"] == 1


def test_the_seed_is_the_same_on_both_sides(tmp_path):
    path = learner(tmp_path, "import torch\ndef f():\n    return torch.randn(3)\n")
    first, second = run(path, seed=7), run(path, seed=7)
    torch.manual_seed(7)
    assert torch.equal(first.observations["out"].data, second.observations["out"].data)
    assert not torch.equal(first.observations["out"].data, run(path, seed=8).observations["out"].data)


def test_forbidden_calls_are_caught_with_their_line(tmp_path):
    source = """
    import torch.nn.functional as F
    def f(x, t):
        return F.cross_entropy(x, t)
    """
    probe = lambda ex: {"out": ex.f(torch.randn(2, 3), torch.tensor([0, 2]))}  # noqa: E731
    outcome = run(learner(tmp_path, source), probe=probe, forbid=("torch.nn.functional.cross_entropy",))
    assert outcome.kind == "forbidden"
    assert "torch.nn.functional.cross_entropy called at line 4" in outcome.detail


def test_a_probe_with_a_device_gets_the_cpu_reference(tmp_path):
    """Device variants: the reference always runs on the CPU; the learner on the variant's device."""

    @check(devices=("cpu",))
    def on_device(ex, device):
        return {"device": str(device), "out": ex.f().to(device)}

    solutions = tmp_path / "solutions"
    solutions.mkdir()
    learner(solutions, "import torch\ndef f(): return torch.ones(2)\n")
    bound = dataclasses.replace(on_device, exercise="exZ")
    session = Session(Target("solutions", solutions), References(solutions), ForkExecutor(Registry([bound])))
    [result] = session.grade([Planned(bound, "cpu")])
    assert result.status == "passed", result.message


@pytest.mark.parametrize(
    "call",
    [
        "torch._C._nn.mse_loss(x, t)",
        "torch.ops.aten.mse_loss(x, t)",
        "torch.nn.MSELoss()(x, t)",
        "torch._C._nn.cross_entropy_loss(x, t.argmax(1), None, 1, -100, 0.0)",
        "torch.ops.aten.cross_entropy_loss(x, t.argmax(1))",
        "torch.ops.aten.nll_loss_forward(x.log_softmax(1), t.argmax(1), None, 1, -100)[0]",
    ],
)
def test_forbidden_computations_are_caught_below_the_python_functions(tmp_path, call):
    """The C bindings under F.mse_loss, torch.ops.aten, modules, inference mode: every path."""
    source = f"import torch\ndef f(x, t):\n    with torch.inference_mode():\n        return {call}\n"
    probe = lambda ex: {"out": ex.f(torch.randn(4, 3), torch.rand(4, 3))}  # noqa: E731
    forbid = ("torch.nn.functional.mse_loss", "torch.nn.functional.cross_entropy", "torch.nn.functional.nll_loss")
    outcome = run(learner(tmp_path, source), probe=probe, forbid=forbid)
    assert outcome.kind == "forbidden", outcome
    assert "called at line 4 of your file" in outcome.detail
    assert ("the operator aten::" in outcome.detail) == ("MSELoss" not in call)  # a module: caught by its name


def test_forbidden_operators_are_allowed_to_the_probe_and_restored_after(tmp_path):
    source = "import torch\ndef f(x, t):\n    return ((x - t) ** 2).mean()\n"

    def probe(ex):
        x, t = torch.randn(4, 3), torch.rand(4, 3)
        return {"own": ex.f(x, t), "torch": torch._C._nn.mse_loss(x, t), "ce": torch.nn.functional.cross_entropy(x, t)}

    outcome = run(learner(tmp_path, source), probe=probe, forbid=("torch.nn.functional.mse_loss", "torch.nn.functional.cross_entropy"))
    assert outcome.kind == "observations", outcome
    assert not torch.ops.aten.cross_entropy_loss.default.py_kernels  # nothing left behind in this process either


def test_forbidden_plain_python_functions_are_caught_however_imported(tmp_path):
    source = """
    import torch
    from torch.nn.init import xavier_uniform_

    def f(w):
        return xavier_uniform_(w)

    def g(w):
        return torch.nn.init.xavier_uniform_(w)
    """
    path = learner(tmp_path, source)
    for name in ("f", "g"):
        probe = lambda ex, fn=name: {"out": getattr(ex, fn)(torch.empty(3, 4))}  # noqa: E731
        outcome = run(path, probe=probe, forbid=("torch.nn.init.xavier_uniform_",))
        assert outcome.kind == "forbidden", outcome
        assert "xavier_uniform_ called at line" in outcome.detail


def test_calls_from_the_probe_or_torch_itself_are_allowed(tmp_path):
    source = """
    import torch
    def f(x, t):
        return torch.nn.functional.log_softmax(x, 1).gather(1, t[:, None]).neg().mean()
    """

    def probe(ex):
        x, t = torch.randn(2, 3), torch.tensor([0, 2])
        return {"own": ex.f(x, t), "torch": torch.nn.functional.cross_entropy(x, t)}

    outcome = run(learner(tmp_path, source), probe=probe, forbid=("torch.nn.functional.cross_entropy",))
    assert outcome.kind == "observations"
    assert torch.allclose(outcome.observations["own"].data, outcome.observations["torch"].data)


def test_forbidden_methods_of_torch_classes(tmp_path):
    source = """
    import torch
    def f(p):
        optimizer = torch.optim.SGD([p], lr=0.1)
        p.grad = torch.ones_like(p)
        optimizer.step()
        return p.detach()
    """
    probe = lambda ex: {"out": ex.f(torch.nn.Parameter(torch.zeros(2)))}  # noqa: E731
    outcome = run(learner(tmp_path, source), probe=probe, forbid=("torch.optim.SGD.step",))
    assert outcome.kind == "forbidden" and "torch.optim.SGD.step called at line 6" in outcome.detail


def test_replacing_what_probes_rely_on_is_caught(tmp_path):
    source = "import torch\ntorch.allclose = lambda *a, **k: True\ndef f(): return torch.zeros(2)\n"
    probe = lambda ex: {"close": torch.allclose(ex.f(), torch.ones(2))}  # noqa: E731
    outcome = run(learner(tmp_path, source), probe)
    assert outcome.kind == "tampered" and "torch.allclose" in outcome.detail
    honest = run(learner(tmp_path, "import torch\ndef f(): return torch.ones(2)\n", name="exY"), probe)
    assert honest.kind == "observations" and honest.observations["close"] is True
    assert torch.allclose(torch.zeros(1), torch.ones(1)) is False  # the parent is untouched


# --- batches: the checks of one file in a shared child -------------------------------------------

BATCHED = """
    import os, sys, time
    CALLS = []

    def counted():
        CALLS.append(1)
        print("counted", len(CALLS))
        return len(CALLS)

    def fails():
        raise ValueError("not like this")

    def crashes():
        print("about to crash")
        os._exit(3)

    def exits():
        sys.exit(0)

    def loops():
        while True:
            pass

    def breaks_the_next():
        import torch
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        return 1

    def dtype():
        import torch
        return str(torch.zeros(1).dtype) + " " + str(torch.is_grad_enabled())
"""


def batch(path: Path, names: list[str], timeout: float = 3.0, alone: bool = False):
    """Each named function's outcome, the checks sharing a child (or, `alone`, one child each)."""
    executor, requests = probes(path, [lambda ex, n=name: {"out": getattr(ex, n)()} for name in names], timeout)
    executor.batch = not alone
    return executor.run_many(requests)


def test_a_batch_gives_what_one_child_per_check_gives(tmp_path):
    path = learner(tmp_path, BATCHED)
    names = ["counted", "fails", "counted", "crashes", "counted", "exits", "counted", "loops", "counted", "breaks_the_next", "dtype"]
    batched = batch(path, names, timeout=2.0)
    alone = batch(path, names, timeout=2.0, alone=True)

    assert [o.kind for o in batched] == [o.kind for o in alone] == [
        "observations", "raised", "observations", "crashed", "observations", "exit",
        "observations", "timeout", "observations", "observations", "observations",
    ]
    for one, other in zip(batched, alone, strict=True):
        assert (one.detail, one.output, one.error) == (other.detail, other.output, other.error)
        if one.kind == "observations":
            assert not compare(one.observations, other.observations)
    # Every check imports the file afresh, and sees torch's settings reset: no state leaks between checks.
    assert [o.observations["out"] for o in batched if o.kind == "observations"][:5] == [1, 1, 1, 1, 1]
    assert batched[-1].observations["out"] == "torch.float32 True"
    assert batched[0].output == "counted 1\n" and batched[3].output == "about to crash\n"


def test_a_batch_imports_the_file_as_it_is_at_each_check(tmp_path):
    """A file is compiled once per child, and again where it changed between two checks."""
    source = """
        import os, sys
        VERSION = 1
        def rewrite():
            path = __file__
            text = open(path).read().replace("VERSION = 1", "VERSION = 22")
            open(path, "w").write(text)
            return VERSION
        def version():
            return VERSION
        def compiled():
            return len(sys.modules["grader.run.child"]._compiled)
    """
    path = learner(tmp_path, source)
    outcomes = batch(path, ["compiled", "version", "compiled", "rewrite", "version", "compiled"])
    assert [o.observations["out"] for o in outcomes] == [1, 1, 1, 1, 22, 2]


def test_a_batch_outlives_nothing_it_started(tmp_path):
    source = """
        import os, time
        def leave_a_daemon():
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    time.sleep(60)
                os._exit(0)
            return os.getpid()
        def count_my_descendants():
            from grader.run import leftovers
            return len(leftovers.descendants())
    """
    path = learner(tmp_path, source)
    outcomes = batch(path, ["leave_a_daemon", "leave_a_daemon", "count_my_descendants"])
    assert [o.kind for o in outcomes] == ["observations"] * 3
    # The same child ran all three (one fork), and the daemons of the first two were gone by the third.
    assert outcomes[0].observations["out"] == outcomes[1].observations["out"]
    assert outcomes[2].observations["out"] == 0


LOOPS_AND_COUNTS = """
    import os, threading, time
    def idle():
        while True:
            time.sleep(0.01)
    def start_a_thread():
        threading.Thread(target=idle, daemon=True).start()
        return 1
    def quick():
        return 1
    def loops():
        with open(os.path.join(os.path.dirname(__file__), "loops-started"), "a") as mark:
            mark.write("x")
        while True:
            pass
"""


@pytest.mark.parametrize(
    ("first", "runs_of_the_loop"),
    [("quick", 1), ("start_a_thread", 2)],
    ids=["final-in-a-child-with-one-thread", "again-alone-beside-an-earlier-thread"],
)
def test_a_timeout_in_a_batch_is_run_again_only_beside_a_thread(tmp_path, first, runs_of_the_loop):
    """An endless loop costs its timeout once, unless an earlier check's thread may have slowed it."""
    path = learner(tmp_path, LOOPS_AND_COUNTS)
    outcomes = batch(path, [first, "loops", "quick"], timeout=1.0)
    assert [o.kind for o in outcomes] == ["observations", "timeout", "observations"]
    assert (tmp_path / "loops-started").read_text() == "x" * runs_of_the_loop
