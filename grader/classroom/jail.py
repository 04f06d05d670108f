"""The root fallback's jail: a root of its own, built from an allow-list, as an unprivileged user.

Used where bubblewrap is not available and the grader runs as root (CI,
containers): inside util-linux `unshare` (new mount, PID, network, IPC and UTS
namespaces), the worker builds a new root holding only what grading needs,
chroots into it and drops to a user of its own (`grader.classroom.sandbox`
starts it so).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
from pathlib import Path

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1
SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64")  # what Python and torch load from
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
    _loopback_up()
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
    bind(scratch / "etc", Path("/etc"))  # `sandbox.private_etc`: nothing of the host's users or secrets
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
    drop_privileges(uid)


def _loopback_up() -> None:
    """Bring up the loopback interface of the new network namespace, as bubblewrap does: it starts down.

    The sandbox then reaches itself (gloo's process groups connect over it) and nothing else.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH22x", b"lo", 0)
        flags = struct.unpack_from("16sH", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH22x", b"lo", flags | IFF_UP))


def _mount_tmpfs(libc: ctypes.CDLL, target: Path, options: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    _mount(libc, "tmpfs", str(target), "tmpfs", MS_NOSUID | MS_NODEV, options)


def drop_privileges(uid: int) -> None:
    """From root to `uid`, with no capabilities left and none to regain (setuid files included).

    Without privileges the chroot cannot be left and no mount undone. RLIMIT_NPROC,
    which root ignores, then applies to every probe; it counts every process of the
    user on the machine, hence a user per worker: one learner's fork bomb must not
    stop another learner's threads in the next worker.
    """
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
