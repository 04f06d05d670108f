"""`make bench`: the speed figures, measured side by side in one run.

Each section is a module of this folder with `main(report)`; a section measures
its figures and records them with `report.figure(...)`. Everything is printed as
it is measured and written to bench/results.json at the end. Targets are shown
next to each figure; a benchmark never fails the build (these machines are
shared and noisy), it reports.
"""

from __future__ import annotations

import importlib
import json
import operator
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SECTIONS = ("learner", "classroom", "scale")


@dataclass
class Figure:
    section: str
    name: str
    value: float
    unit: str
    target: str = ""  # "<= 0.5", ">= 3", or "" for context figures
    note: str = ""

    @property
    def meets_target(self) -> bool | None:
        if not self.target:
            return None
        op, bound = self.target.split()
        return {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}[op](self.value, float(bound))


@dataclass
class Report:
    figures: list[Figure] = field(default_factory=list)
    section: str = ""

    def figure(self, name: str, value: float, unit: str, target: str = "", note: str = "") -> None:
        figure = Figure(self.section, name, value, unit, target, note)
        self.figures.append(figure)
        verdict = {None: "", True: "  (target met)", False: "  (TARGET MISSED)"}[figure.meets_target]
        goal = f"  target {target} {unit}" if target else ""
        print(f"  {name:<58} {value:>10.3f} {unit}{goal}{verdict}" + (f"\n      {note}" if note else ""), flush=True)


def main(names: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    report = Report()
    started = time.time()
    for name in names or SECTIONS:
        report.section = name
        print(f"== {name}", flush=True)
        importlib.import_module(name).main(report)
    out = HERE / "results.json"
    out.write_text(
        json.dumps(
            {
                "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
                "seconds": round(time.time() - started, 1),
                "figures": [asdict(f) | {"meets_target": f.meets_target} for f in report.figures],
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
