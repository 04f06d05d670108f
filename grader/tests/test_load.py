"""Verdicts do not depend on the machine's load: time limits count CPU, not the wall clock."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from grader.tests.conftest import read_results, run_grader


def _burn() -> None:
    while True:
        pass


@pytest.mark.slow
def test_the_solutions_get_full_marks_while_every_core_is_busy(tmp_path):
    """Twice as many CPU-burning processes as cores, for the whole grading run."""
    burners = [multiprocessing.get_context("fork").Process(target=_burn, daemon=True) for _ in range(2 * os.cpu_count())]
    for burner in burners:
        burner.start()
    try:
        results = tmp_path / "results.json"
        done = run_grader("grade", "--target", "solutions", "--json", str(results), timeout=3600)
    finally:
        for burner in burners:
            burner.kill()
            burner.join()
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    statuses = {c["status"] for c in read_results(results).values()}
    assert statuses <= {"passed", "skipped"}, statuses
