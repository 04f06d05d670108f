"""Resource limits for the processes that run a class's learner code (set in each probe child).

Set before the learner's module is imported, by the executor's `prepare` hook
(`grader.run.child`), in the sandboxed worker's children only: a learner on
their own machine gets no limits but the checks' time limits.
"""

from __future__ import annotations

import os
import resource
import signal
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int = 60
    extra_memory: int = 4 << 30  # address space allowed beyond the worker's own
    processes: int = 256  # in all, for this user (see `processes_of_this_user`)
    file_size: int = 16 << 20
    open_files: int = 256

    def apply(self) -> None:
        with open("/proc/self/status") as status:
            size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_CPU, (self.cpu_seconds, self.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_AS, (size_kb * 1024 + self.extra_memory,) * 2)
        resource.setrlimit(resource.RLIMIT_NPROC, (self.processes, self.processes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (self.file_size, self.file_size))
        resource.setrlimit(resource.RLIMIT_NOFILE, (self.open_files, self.open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # A write past the size limit fails with EFBIG instead of killing silently.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def processes_of_this_user() -> int:
    """RLIMIT_NPROC counts every process of the user, so a limit is this plus an allowance."""
    uid = str(os.getuid())
    count = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/status") as status:
                count += any(line.startswith("Uid:") and line.split()[1] == uid for line in status)
        except OSError:
            continue
    return count
