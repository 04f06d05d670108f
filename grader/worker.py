"""The sandboxed worker: runs probes on one learner's files at a time.

Started once per grading process (inside bubblewrap where it is installed; see
`grader.sandbox`), it imports torch and the graded suites once, then serves
requests from the trusted parent over stdin/stdout:

  {"op": "probes", "path": ..., "probes": [{"check": KEY, "seed": ..., "timeout": ..., "device": ...}, ...]}
      -> one reply per probe, in order: the child's raw result (`executor.RawRun`),
         which the parent decodes; the probes of one file share a child
         (`executor.execute_batch`)
  {"op": "clean"}
      -> kill every process left behind, empty /tmp; between learners

Probes run in forked children with rlimits (`executor.Limits`), never in the
worker itself, and whatever they leave running is killed after each request.
The worker never decodes or judges a learner's result: a learner who takes the
worker over gains nothing but the ability to send its own bytes, which is what
it could do anyway.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import shutil
import struct
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from grader import leftovers

if TYPE_CHECKING:
    from grader.checks import Check
    from grader.executor import Limits, ProbeJob

PR_SET_DUMPABLE = 4
HEADER = struct.Struct("<Q")


# --- framing (both sides) -----------------------------------------------------------


def send(stream: BinaryIO, payload: bytes) -> None:
    view = memoryview(HEADER.pack(len(payload)) + payload)
    while view:  # an unbuffered stream may take part of it
        view = view[stream.write(view) or 0 :]
    stream.flush()


def receive(stream: BinaryIO) -> bytes | None:
    """One message, or None at end of stream.

    The parent reads unbuffered, so that `select` on the pipe tells the truth:
    a buffered reader could hold the next reply already, with nothing left in the pipe.
    """
    header = _read_exactly(stream, HEADER.size)
    if header is None:
        return None
    (size,) = HEADER.unpack(header)
    return _read_exactly(stream, size)


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = bytearray()
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def pack_run(header: dict, frame: bytes) -> bytes:
    encoded = json.dumps(header).encode()
    return HEADER.pack(len(encoded)) + encoded + frame


def unpack_run(payload: bytes) -> tuple[dict, bytes]:
    (size,) = HEADER.unpack_from(payload)
    return json.loads(payload[HEADER.size : HEADER.size + size]), payload[HEADER.size + size :]


# --- worker side ----------------------------------------------------------------------


def _harden() -> None:
    """Children cannot ptrace us or open /proc/<worker>/fd; orphans are re-parented to us."""
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    leftovers.adopt_orphans()


MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc")  # what Python and torch load from
DEVICES = ("null", "zero", "full", "random", "urandom")


def _mount(libc: ctypes.CDLL, source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    def encode(text: str | None) -> bytes | None:
        return text.encode() if text is not None else None

    if libc.mount(encode(source), encode(target), encode(kind), flags, encode(data)) != 0:
        raise OSError(ctypes.get_errno(), f"mount {target}: {os.strerror(ctypes.get_errno())}")


def enter_private_root(keep: list[Path], scratch: Path, uid: int) -> None:
    """Fallback run as root inside `unshare` (new mount, PID, network namespaces).

    Builds a new root from an allow-list, as bubblewrap does: the system folders and
    `keep` (the Python environment) read-only, `scratch` read-only (the private grader
    copy and the learner's inbox live there) with a fresh writable SCRATCH/tmp, a
    minimal /dev, and /proc for this PID namespace; then chroots into it and becomes
    `uid`, an unprivileged user of its own. Nothing else of the machine (the course, other checkouts
    wherever they live) exists in there. An allow-list, because a deny-list misses
    whatever folder a course happens to be cloned into.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    new = scratch / "root"
    new.mkdir(exist_ok=True)
    _mount(libc, "tmpfs", str(new), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")

    def bind(source: Path, target: Path, read_only: bool = True, recursive: bool = True) -> None:
        inside = new / target.relative_to("/")
        if source.is_dir() and not inside.is_dir():
            inside.mkdir(parents=True)
        elif not source.is_dir() and not inside.exists():
            inside.parent.mkdir(parents=True, exist_ok=True)
            inside.touch()
        _mount(libc, str(source), str(inside), None, MS_BIND | (MS_REC if recursive else 0))
        if read_only:
            _mount(libc, None, str(inside), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)

    for system in map(Path, SYSTEM):
        if system.is_symlink():  # merged /usr: /bin -> usr/bin
            (new / system.name).symlink_to(os.readlink(system))
        elif system.is_dir():
            bind(system, system)
    _mount_tmpfs(libc, new / "tmp", "size=64m,mode=1777")  # first: scratch or the environment may live under /tmp
    for path in sorted(set(keep), key=lambda p: len(p.parts)):  # parents before what they hold
        if path.is_dir():
            bind(path.resolve(), path)
    bind(scratch, scratch, recursive=False)  # not the new root, mounted inside it
    _mount_tmpfs(libc, new / scratch.relative_to("/") / "tmp", "size=512m,mode=1777")
    (new / "dev").mkdir()
    for device in [*(Path("/dev", name) for name in DEVICES), *sorted(Path("/dev").glob("nvidia*"))]:
        bind(device, device, read_only=False)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        (new / "dev" / name).symlink_to(target)
    _mount_tmpfs(libc, new / "dev" / "shm", "size=256m,mode=1777")
    (new / "proc").mkdir()
    _mount(libc, "proc", str(new / "proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(libc, None, str(new), None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chroot(new)
    os.chdir("/")
    _drop_privileges(libc, uid)


def _mount_tmpfs(libc: ctypes.CDLL, target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    _mount(libc, "tmpfs", str(target), "tmpfs", MS_NOSUID | MS_NODEV, options)


def _drop_privileges(libc: ctypes.CDLL, uid: int) -> None:
    """From root to `uid`, with no capabilities left and none to regain (setuid files included).

    Without privileges the chroot cannot be left and no mount undone. RLIMIT_NPROC,
    which root ignores, then applies to every probe; it counts every process of the
    user on the machine, hence a user per worker: one learner's fork bomb must not
    stop another learner's threads in the next worker.
    """
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)


def clean(scratch: Path | None) -> None:
    """Kill whatever the last check left running, reap it, and empty the scratch folder (if given)."""
    leftovers.kill_descendants()
    if scratch is not None and scratch.is_dir():
        for entry in scratch.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _warm_lazy_imports(torch) -> None:  # noqa: ANN001 - the torch module
    """Import once here what torch loads on first use, so that no forked child pays for it.

    torch.optim loads torch._dynamo at the first step (about 1.5 s); without this,
    every check that steps an optimizer would import it again in its own child.
    """
    import torch._dynamo  # noqa: F401

    weight = torch.zeros(2, requires_grad=True)
    for optimizer in (torch.optim.SGD([weight], lr=0.1, momentum=0.9), torch.optim.Adam([weight])):
        (weight * weight).sum().backward()
        optimizer.step()
        optimizer.zero_grad()


def serve(suites: Path, scratch: Path | None) -> None:
    import torch

    from grader import determinism, executor
    from grader.suites import SUITE_PREFIX, load_suite

    determinism.configure_process()
    _harden()
    checks = {c.key: c for suite in sorted(suites.glob(f"{SUITE_PREFIX}*.py")) for c in load_suite(suite)}
    limits = executor.Limits(processes=executor.processes_of_this_user() + 64)
    # Warm the lazy parts of torch and the wire format once, so that no child pays for them.
    executor.outcome(executor.RawRun(b"", 0, False, "", 0.0), 1.0)
    determinism.prepare(0)
    _warm_lazy_imports(torch)
    gc.freeze()  # fewer copy-on-write page faults in each forked child
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames goes to the parent's pipe
    send(replies, b"ready")
    while (message := receive(requests)) is not None:
        request = json.loads(message)
        if request["op"] == "clean":
            clean(scratch)
            send(replies, b"clean")
            continue
        jobs = [_job(checks[probe["check"]], request["path"], probe, limits) for probe in request["probes"]]
        for raw in executor.execute_batch(jobs):
            header = {k: v for k, v in asdict(raw).items() if k != "frame"}
            send(replies, pack_run(header, raw.frame))
        clean(None)  # daemons that left the checks' process groups: nothing outlives the request


def _job(check: Check, path: str, probe: dict, limits: Limits) -> ProbeJob:
    """The executor's job for one probe of a request (imports deferred: this module starts light)."""
    import torch

    from grader import executor

    device = probe.get("device")
    return executor.ProbeJob(
        name=check.exercise,
        path=Path(path),
        probe=check.probe,
        kwargs={"device": torch.device(device)} if device else {},
        seed=probe["seed"],
        timeout=probe["timeout"],
        forbid=check.forbid,
        check=check.key,
        limits=limits,
    )


def main(argv: list[str]) -> None:
    """`worker SUITES SCRATCH [--isolate SCRATCH UID KEEP...]`."""
    if "--isolate" in argv:
        at = argv.index("--isolate")
        options, argv = argv[at + 1 :], argv[:at]
        enter_private_root([Path(p) for p in options[2:]], Path(options[0]), int(options[1]))
    suites = Path(argv[0])
    scratch = Path(argv[1]) if len(argv) > 1 else None
    serve(suites, scratch)


if __name__ == "__main__":
    main(sys.argv[1:])
