"""The sandboxed worker: a clean zygote, and one learner process at a time forked from it.

Started once per grading process (inside bubblewrap where it is installed; see
`grader.classroom.sandbox`), it imports torch and the graded suites once, then
waits as a *zygote* that never reads a learner's data. For each learner the
trusted parent (`grader.classroom.client.Worker`) says "begin"; the zygote forks
a learner process, which answers "begun" and then serves that learner's requests
on the same pipes, one frame each way (`grader.core.wire`):

  {"op": "probes", "requests": [ProbeRequest, ...]}
      -> one raw run per request, in order, which the parent decodes; the requests
         on one file share a child (`ForkExecutor`, with rlimits)
  {"op": "end"}
      -> the learner process kills what is left and exits; the zygote empties
         /tmp and /dev/shm and answers "ended"

So no probe child is forked from memory that held another learner's output,
answers or seeds, and nothing of a learner (processes, files) reaches the next.
If the learner process dies otherwise (learner code killed it), the zygote exits
too and the parent starts a new worker. Probes run in forked children with
rlimits (`grader.classroom.limits`), never in the worker itself. The worker never
decodes or judges a learner's result: a learner who takes the worker over gains
nothing but the ability to send its own bytes, which is what it could do anyway.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import shutil
import sys
from pathlib import Path

from grader.run import leftovers

PR_SET_DUMPABLE = 4


def _harden() -> None:
    """Children cannot ptrace us or open /proc/<worker>/fd; orphans are re-parented to us."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    leftovers.adopt_orphans()


def clean(scratch: Path | None) -> None:
    """Kill whatever the last check left running, reap it, and empty the scratch folder (if given)."""
    leftovers.kill_descendants()
    if scratch is not None and scratch.is_dir():
        for entry in scratch.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _warm_lazy_imports() -> None:
    """Run once here what torch sets up on first use, so that no forked child pays for it: the
    modules the references imported on first use (`sandbox.WARM`, from `grading.warm_references`:
    tensorboard, torch.distributed, PIL's plugins, ...), then autograd and optimizers, with an
    explicit gradient (torch imports sympy for it, ~0.3 s, which the parent may have had before
    its references ran: so it is done here whatever the list says)."""
    import importlib

    import torch

    from grader.classroom.sandbox import WARM

    for name in os.environ.get(WARM, "").split():
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001, S112 - one that cannot be imported here is imported by whoever needs it
            continue
    weight = torch.zeros(2, requires_grad=True)
    for optimizer in (torch.optim.SGD([weight], lr=0.1, momentum=0.9), torch.optim.Adam([weight])):
        (weight * weight).backward(torch.ones(2))
        optimizer.step()
        optimizer.zero_grad()
    torch.ones(2, device="meta").sum()  # the meta device's kernels


def serve(suites: Path, scratch: list[Path]) -> None:
    """The zygote: warm up once, then fork a learner process per "begin".

    `scratch`: the folders learners may write in (/tmp, and /dev/shm where it is the sandbox's
    own), emptied after each learner.
    """
    from grader.classroom.limits import Limits, processes_of_this_user
    from grader.core import determinism, wire
    from grader.core.suites import Registry
    from grader.run import fork
    from grader.run import pending
    from grader.run.executor import ForkExecutor

    determinism.configure_process()
    _harden()
    registry = Registry.from_suites(sorted(suites.glob("test_*.py")))
    limits = Limits(processes=processes_of_this_user() + 64)
    executor = ForkExecutor(registry, prepare=limits.apply, start="fork")  # the sandbox is Linux's
    # Warm the lazy parts of torch and the wire format once, so that no child pays for them.
    wire.outcome(wire.RawRun(b"", 0, wire.Stop.NONE, "", 0.0), 1.0)
    determinism.prepare(0)
    _warm_lazy_imports()
    pending.warm(registry)  # what each probe uses, read once for every stub of every learner
    gc.freeze()  # fewer copy-on-write page faults in each forked child
    requests = wire.FrameReader(sys.stdin.fileno())
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames goes to the parent's pipe
    wire.send(replies, b"ready")
    while (message := requests.message()) is not None:
        if json.loads(message).get("op") != "begin":
            return  # out of turn: the parent restarts this worker
        learner = fork.run_in_child(lambda: _serve_learner(executor, requests, replies))
        _, status = os.waitpid(learner, 0)
        for folder in scratch:
            clean(folder)
        if status != 0:
            return  # killed from below: this worker is not to be trusted any more
        wire.send(replies, b"ended")


def _serve_learner(executor, requests, replies) -> None:  # noqa: ANN001 - the zygote's executor and pipes
    """One learner's requests, until "end"."""
    from grader.core import wire

    wire.send(replies, b"begun")
    while (message := requests.message()) is not None:
        request = json.loads(message)
        if request.get("op") != "probes":
            break
        for raw in executor.execute([wire.ProbeRequest.from_dict(r) for r in request["requests"]]):
            wire.send(replies, wire.pack_run(raw))
        clean(None)  # daemons that left the checks' process groups: nothing outlives the request
    clean(None)


def main(argv: list[str]) -> None:
    """`worker SUITES SCRATCH... [--isolate SCRATCH UID KEEP... | --drop UID]`.

    `--isolate` (root, no bubblewrap): build a root of its own and become UID there;
    `--drop` (root inside bubblewrap): become UID, before anything of the course is imported.
    """
    if "--isolate" in argv:
        from grader.classroom.jail import enter_private_root

        at = argv.index("--isolate")
        options, argv = argv[at + 1 :], argv[:at]
        enter_private_root([Path(p) for p in options[2:]], Path(options[0]), int(options[1]))
    elif "--drop" in argv:
        from grader.classroom.jail import drop_privileges

        at = argv.index("--drop")
        uid, argv = int(argv[at + 1]), argv[:at]
        drop_privileges(uid)
    serve(Path(argv[0]), [Path(folder) for folder in argv[1:]])


if __name__ == "__main__":
    main(sys.argv[1:])
