"""Scale by numbers: a class graded in shards, by separate processes side by side, then merged.

A generated class (BENCH_SCALE_LEARNERS, default 200; classroom.make_class) of the whole
curriculum is split in SHARDS shards, each graded by its own `python -m grader class --shard K/N`
process with the machine's cores shared among them (`--jobs cores // SHARDS`, at least 1), all at
once, as a batch engine's N machines would; then `python -m grader merge` joins the folders.

Reported: the throughput (learners per second, merge included), the merge's cost (seconds, and its
share of the total), and the CPU-seconds one learner costs, measured two ways: the user + system
time of every process the shards ran (sampled: `getrusage` of the children misses the sandboxed
workers, which are killed, never reaped, at the end), and what class.json gives (wall time x jobs,
added up over the shards: the cores a run holds, which over-counts where other work shares them).
docs/scale.md turns the first into machines and hours for 1,000 and 100,000 learners.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from classroom import ROOT, make_class

SHARDS = 4
SAMPLE_EVERY = 0.2  # seconds between two looks at the shards' process trees


@dataclass
class Seen:
    """A process at its last sample: its own CPU seconds, those of the children it reaped, its parent."""

    own: float
    reaped: float
    parent: tuple[int, float] | None


@dataclass
class CpuSampler:
    """The CPU time of process trees, every process in them included, the killed ones too.

    Each process counts its own user + system time at its last sample, plus what its reaped
    children used beyond what was seen of them (children too short-lived to be sampled: a
    check's fork). A sample comes up to SAMPLE_EVERY before a process ends: the few tenths of
    a second after it are missed, unless its parent reaps it (then they are in its `reaped`).
    """

    roots: list[int]
    seen: dict[tuple[int, float], Seen] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)

    def sample(self) -> None:
        for root in self.roots:
            try:
                tree = [psutil.Process(root)]
                tree += tree[0].children(recursive=True)
            except psutil.NoSuchProcess:
                continue
            for process in tree:
                try:
                    with process.oneshot():
                        times, parent = process.cpu_times(), process.parent()
                        key = (process.pid, process.create_time())
                        above = (parent.pid, parent.create_time()) if parent else None
                except psutil.Error:
                    continue
                self.seen[key] = Seen(times.user + times.system, times.children_user + times.children_system, above)

    def run(self) -> None:
        while not self.stop.wait(SAMPLE_EVERY):
            self.sample()

    def total(self) -> float:
        children_seen: dict[tuple[int, float], float] = {}
        for seen in self.seen.values():
            if seen.parent in self.seen:
                children_seen[seen.parent] = children_seen.get(seen.parent, 0.0) + seen.own + seen.reaped
        return sum(s.own + max(0.0, s.reaped - children_seen.get(key, 0.0)) for key, s in self.seen.items())


def grader(*args: str) -> list[str]:
    return [sys.executable, "-m", "grader", *args]


def main(report) -> None:  # noqa: ANN001 - bench/run.py's Report
    size = int(os.environ.get("BENCH_SCALE_LEARNERS", "200"))
    cores = os.cpu_count() or 1
    jobs = max(1, cores // SHARDS)
    with tempfile.TemporaryDirectory() as folder:
        submissions = Path(folder) / "class"
        make_class(submissions, size)
        shards = [Path(folder) / f"shard{index}" for index in range(1, SHARDS + 1)]
        logs = [out.with_suffix(".log") for out in shards]  # files, not pipes: a shard never waits on a full pipe
        handles = [log.open("w") for log in logs]
        started = time.perf_counter()
        running = [
            subprocess.Popen(
                grader("class", str(submissions), "--out", str(out), "--jobs", str(jobs), "--shard", f"{index}/{SHARDS}", "--secret", "bench"),
                cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT,
            )
            for index, (out, handle) in enumerate(zip(shards, handles), 1)
        ]  # fmt: skip
        for handle in handles:
            handle.close()  # each shard holds its own copy
        sampler = CpuSampler([process.pid for process in running])
        watching = threading.Thread(target=sampler.run, daemon=True)
        watching.start()
        for process, log in zip(running, logs):
            if process.wait() != 0:
                raise RuntimeError(f"a shard failed ({process.returncode}): {log.read_text()[-2000:]}")
        graded = time.perf_counter() - started
        sampler.stop.set()
        watching.join()
        cpu = sampler.total()
        merged = Path(folder) / "merged"
        started = time.perf_counter()
        command = grader("merge", *map(str, shards), "--out", str(merged), "--submissions", str(submissions))
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        merge = time.perf_counter() - started
        records = [json.loads((out / "class.json").read_text()) for out in shards]
        total = graded + merge
        sizes = "/".join(str(len(record["learners"])) for record in records)
        setting = f"{size} learners in {SHARDS} shards of {sizes}, {jobs} jobs each, on {cores} cores"
        report.figure("sharded class, merge included: learners per second", size / total, "learners/s",
                      note=f"{setting}: shards {graded:.1f} s side by side, then the merge")  # fmt: skip
        report.figure("merge: seconds", merge, "s", note=f"{size} learners, its start (Python, torch) included")
        report.figure("merge: share of the total", 100 * merge / total, "%")
        report.figure("CPU-seconds per learner, measured", cpu / size, "s",
                      note=f"user + system time of the shards' processes and of everything they ran (sampled every {SAMPLE_EVERY} s), over the learners")  # fmt: skip
        booked = sum(record["duration"] * record["jobs"] for record in records)
        report.figure("CPU-seconds per learner from class.json (duration x jobs)", booked / size, "s",
                      note="over-counts where the shards' jobs outnumber the cores" if SHARDS * jobs > cores else "")  # fmt: skip
