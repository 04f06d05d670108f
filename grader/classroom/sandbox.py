"""How a class's worker is isolated: the sandbox modes and the command line that starts it.

With bubblewrap: the worker sees a read-only system and Python environment, a
minimal /etc (the dynamic linker's cache, the time zone, and a passwd, group and
hosts of its own), the grader package, the graded suites and the course data
(never `solutions/` or the suites' variants), one learner's staged files at
/submission (read-only), size-capped private /tmp and /dev/shm, its own PID,
network (loopback only), IPC and UTS namespaces, and nothing else. It dies with
its parent. Learner code never runs as uid 0: started as root, bubblewrap keeps
only the capability to change user, and the worker becomes a user of its own
before it imports anything of the course (`grader.classroom.jail.drop_privileges`).

Without bubblewrap (`--sandbox none`, or `auto` where bwrap is missing or does
not work): the worker runs from a private copy of the grader and suites, with a
cleared environment; every probe child still gets rlimits, its own process group,
and a sweep of leftovers after each request. As root it also gets util-linux
`unshare` namespaces and builds a root of its own from an allow-list, as an
unprivileged user (`grader.classroom.jail`); as root without `unshare` it refuses
to start. Otherwise that stops accidents and casual attacks, not a determined
one; the class grader says so loudly.

`grader.classroom.client.Worker` starts the worker with `worker_command` and
talks to it.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

SUBMISSION = Path("/submission")
PACKAGE = Path(__file__).resolve().parents[1]  # the grader this process runs, wherever it is installed
# The workers of a root grader run as users no account has, one per grading process (by pid), within
# the 16-bit range that containers map. Two workers sharing one would only share RLIMIT_NPROC.
SANDBOX_UIDS = range(50000, 65000)
UNSHARE = ("unshare", "--mount", "--pid", "--fork", "--net", "--ipc", "--uts", "--mount-proc", "--kill-child")
TMP_SIZE, SHM_SIZE = 512 << 20, 256 << 20  # bytes: one learner cannot fill the machine's memory with files
# What Python and torch read in /etc, copied from the host; the rest of /etc (shadow, ssh, the
# host's users) does not exist in the sandbox.
ETC_COPIED = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives")
WARM = "TORCHDRILL_WARM"  # in the worker's environment: modules it imports before its first learner
ENVIRONMENT = {
    "PATH": "/usr/bin:/bin",
    "HOME": "/tmp",
    "USER": "learner",  # getpass.getuser() without asking the passwd file
    "LANG": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "OMP_NUM_THREADS": "1",
}


@functools.cache
def bwrap_works() -> bool:
    """bubblewrap is installed and may create namespaces here."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "--proc", "/proc", "true"]
    try:
        return subprocess.run(probe, check=False, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class SandboxMode(StrEnum):
    BWRAP = "bwrap"  # bubblewrap: namespaces, a read-only system, only what grading needs visible
    NONE = "none"  # rlimits and process groups (and, as root, a jail of its own: `grader.classroom.jail`)


SANDBOX_CHOICES = ("auto", *SandboxMode)


def resolve_mode(requested: str) -> SandboxMode:
    """`bwrap`, `none`, or `auto` (bwrap when it works)."""
    if requested == "auto":
        mode = SandboxMode.BWRAP if bwrap_works() else SandboxMode.NONE
    else:
        mode = SandboxMode(requested)
    if mode is SandboxMode.BWRAP and not bwrap_works():
        raise FileNotFoundError("--sandbox bwrap: bubblewrap is not installed or cannot create namespaces here")
    if mode is SandboxMode.NONE and os.geteuid() == 0 and not shutil.which("unshare"):
        raise FileNotFoundError(
            "grading as root without bubblewrap needs util-linux `unshare` (learner code never runs as root): "
            "install bubblewrap or util-linux, or grade as an unprivileged user"
        )
    return mode


@dataclass(frozen=True)
class Layout:
    """Where things are, outside the sandbox."""

    root: Path  # the course: grader/, tests/, data/
    inbox: Path  # this worker's learner files (emptied and refilled per learner)
    scratch: Path  # private folder: the fallback's copy of the grader, /tmp and /etc of the worker


def sandbox_uid() -> int:
    """The user learner code runs as: this user, or, for a root grader, one of its own per process."""
    return SANDBOX_UIDS[os.getpid() % len(SANDBOX_UIDS)] if os.geteuid() == 0 else os.getuid()


def worker_command(layout: Layout, mode: SandboxMode, warm: Sequence[str] = ()) -> tuple[list[str], dict[str, str], str]:
    """The worker's command line, environment and working directory; `warm`: the modules it imports
    before its first learner (`WARM`)."""
    env = dict(ENVIRONMENT) | ({WARM: " ".join(warm)} if warm else {})
    uid = sandbox_uid()
    etc = private_etc(layout.scratch, uid)
    if mode is SandboxMode.BWRAP:
        return _bwrap_command(layout, etc, uid), env, "/"
    code = private_grader(layout.root, layout.scratch)
    env["TMPDIR"] = str(layout.scratch / "tmp")
    command = [sys.executable, "-I", "-c", _worker_code(code), str(code / "tests"), env["TMPDIR"]]
    if os.geteuid() == 0:
        # Root without bubblewrap: namespaces from util-linux; the worker builds its own root
        # from the system folders, this scratch folder and the Python environment, under the
        # names sys.path uses (a .venv may be a symlink), then becomes a user of its own.
        keep = [Path(sys.prefix), Path(sys.prefix).resolve(), Path(sys.base_prefix)]
        isolate = ["--isolate", str(layout.scratch), str(uid), *map(str, keep)]
        return [*UNSHARE, *command, "/tmp", "/dev/shm", *isolate], env, "/"  # its /tmp and /dev/shm are its own there
    return command, env, env["TMPDIR"]


def _bwrap_command(layout: Layout, etc: Path, uid: int) -> list[str]:
    root = layout.root
    as_root = os.geteuid() == 0
    # As root, no user namespace: the worker keeps CAP_SETUID/SETGID only to become `uid` at once.
    namespaces = ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"] if as_root else ["--unshare-all"]
    keep_caps = ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"] if as_root else []
    command = [
        "bwrap", *namespaces, "--die-with-parent", "--new-session", "--cap-drop", "ALL", *keep_caps,
        "--proc", "/proc", "--dev", "/dev",
        "--size", str(TMP_SIZE), "--perms", "01777", "--tmpfs", "/tmp",
        "--size", str(SHM_SIZE), "--perms", "01777", "--tmpfs", "/dev/shm",
        "--ro-bind", str(etc), "/etc",
    ]  # fmt: skip
    for system in ("/usr", "/bin", "/lib", "/lib64"):
        if Path(system).exists():
            command += ["--ro-bind", system, system]
    for prefix in {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(), Path(sys.prefix)}:
        command += ["--ro-bind", str(prefix), str(prefix)]
    command += ["--ro-bind", str(PACKAGE), str(PACKAGE)]
    for part in ("tests", "data"):
        if (root / part).exists():
            command += ["--ro-bind", str(root / part), str(root / part)]
    if (root / "tests" / "variants").exists():  # each variant is a solution with one mistake
        command += ["--tmpfs", str(root / "tests" / "variants")]
    for device in sorted(Path("/dev").glob("nvidia*")):
        command += ["--dev-bind", str(device), str(device)]
    command += ["--ro-bind", str(layout.inbox), str(SUBMISSION), "--chdir", str(SUBMISSION)]
    command += [sys.executable, "-I", "-c", _worker_code(PACKAGE.parent), str(root / "tests"), "/tmp", "/dev/shm"]
    return _traversable(command) + (["--drop", str(uid)] if as_root else [])


def _traversable(command: list[str]) -> list[str]:
    """The folders bubblewrap makes on the way to a bind (`/work` of `/work/course/grader`), made
    first and readable by everyone: bubblewrap would make them 0700, closed to an unprivileged worker."""
    at = command.index(sys.executable)
    binds = [i for i, word in enumerate(command[:at]) if word in ("--ro-bind", "--dev-bind")]
    targets = {Path(command[i + 2]) for i in binds}
    made_already = {Path("/"), Path("/dev"), Path("/tmp"), Path("/proc")}
    parents = {parent for target in targets for parent in target.parents} - targets - made_already
    made = [word for parent in sorted(parents, key=lambda p: len(p.parts)) for word in ("--perms", "0755", "--dir", str(parent))]
    return command[: binds[0]] + made + command[binds[0] :]


def _worker_code(parent: Path) -> str:
    """Start the worker from the grader in `parent`, whatever an installed finder points at."""
    return f"import sys; sys.path.insert(0, {str(parent)!r}); from grader.classroom import worker; worker.main(sys.argv[1:])"


def private_etc(scratch: Path, uid: int) -> Path:
    """The worker's /etc: what Python and torch read, copied, and a passwd, group and hosts of its own."""
    etc = scratch / "etc"
    if not etc.exists():
        etc.mkdir(parents=True)
        for name in ETC_COPIED:
            source = Path("/etc", name)
            if source.is_dir():
                shutil.copytree(source, etc / name, symlinks=True)
            elif source.is_file():
                shutil.copy2(source, etc / name)
        users = f"root:x:0:0:root:/root:/usr/sbin/nologin\nlearner:x:{uid}:{uid}:learner:/tmp:/usr/sbin/nologin\n"
        (etc / "passwd").write_text(users)
        (etc / "group").write_text(f"root:x:0:\nlearner:x:{uid}:\n")
        (etc / "hosts").write_text("127.0.0.1 localhost\n::1 localhost\n")
        (etc / "hostname").write_text("sandbox\n")
        (etc / "nsswitch.conf").write_text("passwd: files\ngroup: files\nhosts: files\n")
        _readable_by_everyone(etc)
    return etc


def private_grader(root: Path, scratch: Path) -> Path:
    """A copy of the grader and the graded suites, away from the course (fallback mode)."""
    from grader.core.course import Course

    course, code = Course(root), scratch / "code"
    if not code.exists():
        ignore = shutil.ignore_patterns("__pycache__", "tests", "variants", "*.pyc")
        shutil.copytree(PACKAGE, code / "grader", ignore=ignore)
        shutil.copytree(course.suites, code / "tests", ignore=shutil.ignore_patterns("__pycache__", "variants"))
        if course.data.is_dir():
            shutil.copytree(course.data, code / "data")
        shutil.copy2(course.catalog_file, code / course.catalog_file.name)
        (scratch / "tmp").mkdir(parents=True, exist_ok=True)
        _readable_by_everyone(scratch)  # once: a restarted worker finds it as it was
    return code


def _readable_by_everyone(folder: Path) -> None:
    """The worker runs unprivileged: it must read its copy and the inbox, whatever the umask.

    The folder itself lies in the class's private working folder (mode 0700), so no other
    user of the machine gets in through this.
    """
    for path in (folder, *folder.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
