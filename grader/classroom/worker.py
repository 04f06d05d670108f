"""The sandboxed worker: runs probes on one learner's files at a time.

Started once per grading process (inside bubblewrap where it is installed; see
`grader.classroom.sandbox`), it imports torch and the graded suites once, then
serves requests from the trusted parent, one frame each way (`grader.core.wire`):

  {"op": "probes", "requests": [ProbeRequest, ...]}
      -> one reply per request, in order: the child's raw run, which the parent
         decodes; the requests on one file share a child (`ForkExecutor`)
  {"op": "clean"}
      -> kill every process left behind, empty /tmp; between learners

Probes run in forked children with rlimits (`grader.classroom.limits`), never in
the worker itself, and whatever they leave running is killed after each
request. The worker never decodes or judges a learner's result: a learner who
takes the worker over gains nothing but the ability to send its own bytes,
which is what it could do anyway.
"""

from __future__ import annotations

import ctypes
import gc
import json
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
    """Run once here what torch sets up on first use (optimizers, autograd), so that no forked child pays for it."""
    import torch

    weight = torch.zeros(2, requires_grad=True)
    for optimizer in (torch.optim.SGD([weight], lr=0.1, momentum=0.9), torch.optim.Adam([weight])):
        (weight * weight).sum().backward()
        optimizer.step()
        optimizer.zero_grad()


def serve(suites: Path, scratch: Path | None) -> None:
    from grader.classroom.limits import Limits, processes_of_this_user
    from grader.core import determinism, wire
    from grader.core.course import Course
    from grader.core.suites import Registry
    from grader.run.executor import ForkExecutor

    determinism.configure_process()
    _harden()
    registry = Registry.from_suites(Course(suites.parent).suite_files())
    limits = Limits(processes=processes_of_this_user() + 64)
    executor = ForkExecutor(registry, prepare=limits.apply)
    # Warm the lazy parts of torch and the wire format once, so that no child pays for them.
    wire.outcome(wire.RawRun(b"", 0, False, "", 0.0), 1.0)
    determinism.prepare(0)
    _warm_lazy_imports()
    gc.freeze()  # fewer copy-on-write page faults in each forked child
    requests = wire.FrameReader(sys.stdin.fileno())
    replies = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames goes to the parent's pipe
    wire.send(replies, b"ready")
    while (message := requests.message()) is not None:
        request = json.loads(message)
        if request["op"] == "clean":
            clean(scratch)
            wire.send(replies, b"clean")
            continue
        for raw in executor.execute([wire.ProbeRequest.from_dict(r) for r in request["requests"]]):
            wire.send(replies, wire.pack_run(raw))
        clean(None)  # daemons that left the checks' process groups: nothing outlives the request


def main(argv: list[str]) -> None:
    """`worker SUITES SCRATCH [--isolate SCRATCH UID KEEP...]`."""
    if "--isolate" in argv:
        from grader.classroom.jail import enter_private_root

        at = argv.index("--isolate")
        options, argv = argv[at + 1 :], argv[:at]
        enter_private_root([Path(p) for p in options[2:]], Path(options[0]), int(options[1]))
    suites = Path(argv[0])
    scratch = Path(argv[1]) if len(argv) > 1 else None
    serve(suites, scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
