"""The sandboxed worker's client and the root fallback's private root, from inside.

The adversarial corpus shows that attacks fail; the root test here shows why,
wherever the course is checked out: the worker sees an allow-list (system folders,
the Python environment, its scratch folder), not the machine minus a list of
usual places.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader.classroom.client import Worker
from grader.classroom.sandbox import SANDBOX_UIDS, UNSHARE, Layout, SandboxMode, private_etc
from grader.tests.conftest import ROOT

needs_root = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("unshare") is None,
    reason="the root fallback needs root and util-linux unshare (CI runs as root)",
)

SENDS_AT_ONCE = "import sys, time; from grader.core import wire; [wire.send(sys.stdout.buffer, m) for m in (b'ready', b'one', b'two')]; time.sleep(30)"


class _Chatty(Worker):
    """A worker whose replies all arrive in the pipe at once, as a batch's replies may."""

    def command(self) -> tuple[list[str], dict[str, str], str]:
        return [sys.executable, "-c", SENDS_AT_ONCE], {"PYTHONPATH": str(ROOT)}, str(ROOT)


def test_replies_that_arrive_together_are_each_received(tmp_path: Path) -> None:
    chatty = _Chatty(Layout(ROOT, tmp_path, tmp_path), SandboxMode.NONE)
    chatty.start()  # reads b"ready"
    try:
        # Read ahead into a buffer, the next replies would be invisible to the poll on the pipe.
        assert chatty.replies.message(time.monotonic() + 5.0) == b"one"
        assert chatty.replies.message(time.monotonic() + 5.0) == b"two"
    finally:
        chatty.stop()

LOOK_AROUND = textwrap.dedent(
    """
    import json, os, sys
    from pathlib import Path
    sys.path.insert(0, {grader_parent!r})
    from grader.classroom import jail
    jail.enter_private_root([Path(p) for p in {keep!r}], Path({scratch!r}), {uid})
    scratch = Path({scratch!r})

    def attempt(action):
        try:
            action()
        except OSError as error:
            return type(error).__name__
        return "allowed"

    print(json.dumps({{
        "uid": os.getuid(),
        "top": sorted(os.listdir("/")),
        "course": os.path.exists({course!r}),
        "solutions": os.path.exists({solutions!r}),
        "environment": os.path.isdir({prefix!r}),
        "inbox": (scratch / "inbox" / "ex01_tensors.py").read_text(),
        "write_tmp": attempt(lambda: (scratch / "tmp" / "x").write_text("x")),
        "write_inbox": attempt(lambda: (scratch / "inbox" / "x").write_text("x")),
        "write_root": attempt(lambda: Path("/x").write_text("x")),
        "become_root": attempt(lambda: os.setuid(0)),
        "shadow": os.path.exists("/etc/shadow"),
        "users": Path("/etc/passwd").read_text(),
        "pid": os.getpid(),
    }}))
    """
)


@needs_root
def test_root_fallback_sees_an_allow_list_and_runs_unprivileged(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    (scratch / "inbox").mkdir(parents=True)
    (scratch / "tmp").mkdir()
    (scratch / "inbox" / "ex01_tensors.py").write_text("LEARNER = 1\n")
    for path in (scratch, scratch / "inbox", scratch / "tmp"):
        path.chmod(0o755)
    (scratch / "inbox" / "ex01_tensors.py").chmod(0o644)
    keep = [sys.prefix, str(Path(sys.prefix).resolve()), sys.base_prefix]
    uid = SANDBOX_UIDS[0]
    private_etc(scratch, uid)
    code = LOOK_AROUND.format(
        grader_parent=str(ROOT),
        keep=keep,
        scratch=str(scratch),
        uid=uid,
        course=str(ROOT / "grader"),
        solutions=str(ROOT / "solutions" / "ex01_tensors.py"),
        prefix=sys.prefix,
    )
    done = subprocess.run([*UNSHARE, sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)

    assert seen["uid"] == uid
    assert seen["become_root"] == "PermissionError"
    assert not seen["shadow"] and "learner" in seen["users"] and "root" in seen["users"]  # its own /etc
    assert seen["pid"] == 1  # its own PID namespace: no other process to signal or inspect
    # Wherever the course lives, it is not there: neither the solutions nor the grader's own checkout.
    assert not seen["solutions"] and not seen["course"]
    assert seen["environment"] and seen["inbox"] == "LEARNER = 1\n"
    allowed = {"usr", "bin", "sbin", "lib", "lib32", "lib64", "etc", "dev", "proc", "tmp"}
    allowed |= {Path(p).parts[1] for p in [*keep, str(scratch)]}
    assert set(seen["top"]) <= allowed, set(seen["top"]) - allowed
    assert seen["write_tmp"] == "allowed"
    assert seen["write_inbox"] != "allowed" and seen["write_root"] != "allowed"
