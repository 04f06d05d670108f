"""The pytest plugin: every `@check` in a graded suite becomes one pytest item.

So selection (`-k`), markers, pytest-xdist and JUnit XML work as usual. Each
item is planned (`grader.core.plan.evaluate`: skipped without the device it
needs) and graded through the session's executor; its `CheckResult` travels in
the report's `user_properties` (so it survives xdist), and the controller
collects them into one `Submission`: printed as a score table, written as JSON
with --results-json. With `--target exercises`, an exercise whose notebook holds
the learner's latest work is graded from it (`grader.learner.notebooks.work`).

Loaded by the repository's top-level conftest.py.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from grader.core import determinism
from grader.core.checks import Check
from grader.core.course import Course
from grader.core.plan import GpuPolicy, NotRun, Planned, evaluate
from grader.core.references import ReferenceChoice, reference_source
from grader.core.results import CheckResult, Status, Submission
from grader.core.scoring import unscored
from grader.core.session import Session, resolve_target
from grader.core.suites import Registry, bind
from grader.learner import terminal, views
from grader.learner.notebooks import work
from grader.run.executor import ForkExecutor

STATE = pytest.StashKey["GradingState"]()
CHECK_PROPERTY = "torchdrill.check"
RESULT_PROPERTY = "torchdrill.result"
BY_FILE = "torchdrill_by_file"  # in an xdist worker's input: it runs whole files


@dataclasses.dataclass
class GradingState:
    session: Session
    registry: Registry
    course: Course
    started: float
    notes: list[str] = dataclasses.field(default_factory=list)  # notebooks that should count but could not be graded
    batched: bool = True  # whether this process runs every item of a file (no xdist, or xdist by file)
    graded: dict[tuple[str, str], CheckResult] = dataclasses.field(default_factory=dict)  # graded ahead of their item

    def not_run(self, item: CheckItem) -> NotRun | None:
        return evaluate(item.check, item.device, self.session.executor.unusable, GpuPolicy(item.config.getoption("gpu")))

    def result(self, item: CheckItem) -> CheckResult:
        """The item's result. The first item of an exercise grades it with the items after it on the
        same exercise, as one batch (one child for the file, as every other door grades): a child
        per item would import the learner's file, and what it imports, once per check."""
        found = self.graded.pop((item.check.key, item.device), None)
        if found is not None:
            return found
        batch = [item]
        if self.batched:
            items = item.session.items
            for other in items[items.index(item) + 1 :]:
                if not isinstance(other, CheckItem) or other.check.exercise != item.check.exercise:
                    break
                if self.not_run(other) is None:
                    batch.append(other)
        results = self.session.grade([Planned(each.check, each.device) for each in batch])
        self.graded.update(((each.check.key, each.device), result) for each, result in zip(batch[1:], results[1:], strict=True))
        return results[0]


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
        choices=[str(p) for p in GpuPolicy],
        default=str(GpuPolicy.AUTO),
        help="auto: skip gpu checks without CUDA (default); require: fail them instead",
    )
    group.addoption(
        "--details", action="store_true", help="after the score table, list every check with its message"
    )
    group.addoption(
        "--score-only",
        action="store_true",
        help="no per-check progress (., F, s): the score table and its summary say it (python -m grader grade)",
    )
    group.addoption("--hidden-salt", default="", help="salt for the seeds of hidden checks (course secret)")
    group.addoption(
        "--references",
        choices=[str(c) for c in ReferenceChoice],
        default=str(ReferenceChoice.AUTO),
        help="reference outcomes from solutions/ or goldens/; auto (default): solutions/ where it exists",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "gpu: needs a CUDA device; skipped with the reason shown where none is available"
    )
    config.addinivalue_line("markers", "hidden: a hidden check; its messages never show expected values")
    determinism.configure_process()
    course = Course(Path(config.rootpath))
    try:
        target = resolve_target(config.getoption("target"), course)
    except FileNotFoundError as error:
        raise pytest.UsageError(str(error)) from None
    problems: list[str] = []
    if config.getoption("target") == "exercises" and course.catalog_file.is_file():
        staged, problems = work.stage(course, course.catalog.names)
        target = dataclasses.replace(target, staged=staged)
    registry = Registry()
    session = Session(
        target,
        reference_source(course, config.getoption("references")),
        ForkExecutor(registry),
        salt=config.getoption("hidden_salt"),
        timeout=config.getoption("check_timeout"),
    )
    worker = getattr(config, "workerinput", None)
    batched = worker is None or bool(worker.get(BY_FILE))
    state = GradingState(session, registry, course, time.monotonic(), problems, batched)
    config.stash[STATE] = state
    if not hasattr(config, "workerinput"):
        config.pluginmanager.register(ResultCollector(state), "torchdrill-results")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: tell a worker whether it runs every item of a file (`--dist loadfile`, as
    `grade --jobs` asks), so that it may grade a file's checks as one batch; a worker's own
    `--dist` option always reads "no"."""
    node.workerinput[BY_FILE] = node.config.getoption("dist", "no") == "loadfile"


@pytest.hookimpl(wrapper=True)
def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> Any:
    """With --score-only, a check prints no progress letter: 186 × F would say less than the table."""
    status = yield
    if config.getoption("score_only") and status and CHECK_PROPERTY in dict(getattr(report, "user_properties", ())):
        category, _, word = status
        return category, "", word
    return status


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> Any:
    if not isinstance(obj, Check):
        return None
    declared = bind(obj, collector.path)
    collector.config.stash[STATE].registry.add([declared])
    return [
        CheckItem.from_parent(collector, name=declared.run_name(device), check=declared, device=device)
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
        not_run = self.config.stash[STATE].not_run(self)
        if not_run is None:
            return
        result = unscored(self.check, self.device, not_run.status, not_run.message)
        self.user_properties.append((RESULT_PROPERTY, result.to_dict()))
        if not_run.status is Status.SKIPPED:
            pytest.skip(not_run.message)
        pytest.fail(not_run.message, pytrace=False)

    def runtest(self) -> None:
        result = self.config.stash[STATE].result(self)
        self.user_properties.append((RESULT_PROPERTY, result.to_dict()))
        if not result.passed:
            raise CheckFailed(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, CheckFailed):
            result = excinfo.value.result
            return f"{result.status}: {result.message}"
        return str(super().repr_failure(excinfo, style))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"{self.check.exercise}::{self.name}"


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
        if RESULT_PROPERTY in properties:
            self.results[key] = CheckResult.from_dict(properties[RESULT_PROPERTY])
        elif report.failed and key not in self.results:  # failed outside the probe: a harness error
            self.results[key] = CheckResult(
                meta["exercise"], meta["name"], Status.ERROR, 0.0, meta["points"], str(report.longrepr), hidden=meta["hidden"]
            )

    def submission(self) -> Submission | None:
        """The results of this session, or None when no check ran."""
        if not self.results:
            return None
        order = self.state.course.catalog.names if self.state.course.catalog_file.is_file() else []
        checks = sorted(self.results.values(), key=lambda r: order.index(r.exercise) if r.exercise in order else len(order))
        return self.state.session.submission(checks, self.state.started, notes=self.state.notes)

    def pytest_terminal_summary(self, terminalreporter: Any, config: pytest.Config) -> None:
        result = self.submission()
        if result is None:
            return
        color, details = config.get_terminal_writer().hasmarkup, config.getoption("details")
        terminalreporter.ensure_newline()
        terminalreporter.write(terminal.render(result, details, color))
        for note in work.notes(self.state.course, result):
            terminalreporter.write_line(note)
        if self.state.session.target.label == "exercises":  # the learner's own: what to do next
            catalog = self.state.course.catalog if self.state.course.catalog_file.is_file() else None
            terminalreporter.write(views.render_summary(result, catalog, details, color))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        path = session.config.getoption("results_json")
        result = self.submission()
        if path and result is not None:
            result.write_json(Path(path))
