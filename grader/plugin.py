"""The pytest plugin: every `@check` in a graded suite becomes one pytest item.

So selection (`-k`), markers, pytest-xdist and JUnit XML work as usual. Each
item grades itself through a `Grader`; its `CheckResult` travels in the report's
`user_properties` (so it survives xdist), and the controller collects them into
one `Submission`: printed as a score table, written as JSON with --results-json.

Loaded by the repository's top-level conftest.py.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from grader import catalog, determinism, devices, suites, terminal
from grader.checks import Check
from grader.goldens import REFERENCE_CHOICES, reference_source
from grader.grading import Grader, resolve_target
from grader.results import CheckResult, GradedFile, Submission, environment, sha256_of

STATE = pytest.StashKey["GradingState"]()
CHECK_PROPERTY = "torchdrill.check"
RESULT_PROPERTY = "torchdrill.result"


@dataclasses.dataclass
class GradingState:
    grader: Grader
    root: Path
    started: float


class CheckFailed(Exception):
    """Raised by a check item whose result is not `passed`."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("torchdrill", "torchdrill grading")
    group.addoption(
        "--target",
        default="exercises",
        help="implementation under test: 'exercises' (default), 'solutions', or a folder of learner modules",
    )
    group.addoption("--results-json", default=None, metavar="PATH", help="write the results model as JSON")
    group.addoption(
        "--check-timeout", type=float, default=None, metavar="SECONDS", help="override every check's time limit"
    )
    group.addoption(
        "--gpu",
        choices=("auto", "require"),
        default="auto",
        help="auto: skip gpu checks without CUDA (default); require: fail them instead",
    )
    group.addoption(
        "--details", action="store_true", help="after the score table, list every check with its message"
    )
    group.addoption("--hidden-salt", default="", help="salt for the seeds of hidden checks (course secret)")
    group.addoption(
        "--references",
        choices=REFERENCE_CHOICES,
        default="auto",
        help="reference outcomes from solutions/ or goldens/; auto (default): solutions/ where it exists",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "gpu: needs a CUDA device; skipped with the reason shown where none is available"
    )
    config.addinivalue_line("markers", "hidden: a hidden check; its messages never show expected values")
    determinism.configure_process()
    root = Path(config.rootpath)
    try:
        target = resolve_target(config.getoption("target"), root)
    except FileNotFoundError as error:
        raise pytest.UsageError(str(error)) from None
    grader = Grader(
        target,
        reference_source(root, config.getoption("references")),
        timeout=config.getoption("check_timeout"),
        salt=config.getoption("hidden_salt"),
    )
    state = GradingState(grader, root, time.monotonic())
    config.stash[STATE] = state
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ResultCollector(state), "torchdrill-results")


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    if not isinstance(obj, Check):
        return None
    declared = suites.bind(obj, collector.path)
    return [
        CheckItem.from_parent(collector, name=declared.id(device).split("::", 1)[1], check=declared, device=device)
        for device in declared.devices
    ]


class CheckItem(pytest.Item):
    def __init__(self, *, check: Check, device: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.check = check
        self.device = device
        if device != "cpu":
            self.add_marker(pytest.mark.gpu)
        if check.hidden:
            self.add_marker(pytest.mark.hidden)
        meta = {"exercise": check.exercise, "name": self.name, "points": check.points, "hidden": check.hidden}
        self.user_properties.append((CHECK_PROPERTY, meta))

    def setup(self) -> None:
        if self.device == "cpu" or devices.available(self.device):
            return
        reason = f"needs {self.device}, and no {self.device} device is available on this machine"
        if self.config.getoption("gpu") == "require":
            pytest.fail(f"{reason} (--gpu=require)", pytrace=False)
        pytest.skip(reason)

    def runtest(self) -> None:
        result = self.config.stash[STATE].grader.grade(self.check, self.device)
        self.user_properties.append((RESULT_PROPERTY, result.to_dict()))
        if not result.passed:
            raise CheckFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            result = excinfo.value.result
            return f"{result.status}: {result.message}"
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, self.check.id(self.device)


class ResultCollector:
    """Controller-side: gathers every item's `CheckResult` into one `Submission`.

    Registered only in the process that reports (not in xdist workers), like
    pytest's own junitxml plugin.
    """

    def __init__(self, state: GradingState) -> None:
        self.state = state
        self.results: dict[str, CheckResult] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        properties = dict(report.user_properties)
        meta = properties.get(CHECK_PROPERTY)
        if meta is None:
            return
        key = f"{meta['exercise']}::{meta['name']}"
        if RESULT_PROPERTY in properties and report.when == "call":
            self.results[key] = CheckResult.from_dict(properties[RESULT_PROPERTY])
        elif (report.skipped or report.failed) and key not in self.results:
            # Skipped (no GPU) or failed outside the probe (harness error): no result was made.
            skipped = report.skipped and isinstance(report.longrepr, tuple)
            message = report.longrepr[2].removeprefix("Skipped: ") if skipped else str(report.longrepr)
            self.results[key] = CheckResult(
                meta["exercise"], meta["name"], "skipped" if report.skipped else "error", 0.0,
                meta["points"], message, hidden=meta["hidden"],
            )

    def submission(self) -> Submission | None:
        """The results of this session, or None when no check ran."""
        if not self.results:
            return None
        target = self.state.grader.target
        order = _catalog_order(self.state.root)
        checks = sorted(self.results.values(), key=lambda r: _rank(order, r.exercise))
        names = list(dict.fromkeys(r.exercise for r in checks))
        files = [GradedFile(name, str(target.module_path(name)), sha256_of(target.module_path(name))) for name in names]
        return Submission(target.label, checks, files, environment(), time.monotonic() - self.state.started)

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        result = self.submission()
        if result is not None:
            color = config.get_terminal_writer().hasmarkup
            terminalreporter.write("\n" + terminal.render(result, config.getoption("details"), color))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = session.config.getoption("results_json")
        result = self.submission()
        if path and result is not None:
            result.write_json(Path(path))


def _catalog_order(root: Path) -> list[str]:
    try:
        return catalog.load(root).names
    except FileNotFoundError:
        return []


def _rank(order: list[str], exercise: str) -> int:
    return order.index(exercise) if exercise in order else len(order)
