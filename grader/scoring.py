"""From two probe outcomes (reference, learner) to one scored `CheckResult`.

This is the only place that decides a status, in the trusted parent:

- passed:      observations equal within tolerance (or the same exception type)
- failed:      observations differ, or a forbidden torch function was called
- not_started: the learner's code still raises NotImplementedError
- error:       learner code raised, exited with sys.exit, or would not import
- timeout:     the child was stopped at the check's time limit
- crashed:     the child died without sending a result
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.checks import Check
from grader.compare import Tolerances, compare
from grader.diagnose import diagnose, error_hint
from grader.executor import ErrorInfo, ProbeOutcome
from grader.results import CheckResult

MAX_MISMATCHES_SHOWN = 5


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str = ""
    diagnosis: str = ""  # grader.diagnose: a known mistake's one-line hint


def result_name(check: Check, device: str) -> str:
    """The name a result carries: `clip`, or `clip[cuda]` for multi-device checks (as in pytest)."""
    return check.id(device).split("::", 1)[1]


def unscored(check: Check, device: str, status: str, message: str) -> CheckResult:
    """A result for a check that was not run (skipped, refused file, time used up): no points."""
    return CheckResult(check.exercise, result_name(check, device), status, 0.0, check.points, message, hidden=check.hidden)


def judge(check: Check, device: str, reference: ProbeOutcome, learner: ProbeOutcome) -> CheckResult:
    verdict = _verdict(check, reference, learner)
    return CheckResult(
        exercise=check.exercise,
        name=result_name(check, device),
        status=verdict.status,
        points=check.points if verdict.status == "passed" else 0.0,
        max_points=check.points,
        message=verdict.message,
        output=learner.output,
        duration=round(learner.duration, 4),
        hidden=check.hidden,
        diagnosis=verdict.diagnosis,
    )


def _verdict(check: Check, reference: ProbeOutcome, learner: ProbeOutcome) -> Verdict:
    if reference.kind not in ("observations", "raised"):
        raise RuntimeError(f"reference for {check.id()} did not run: {reference.kind}")
    kind = learner.kind
    if kind == "missing":
        return Verdict("error", f"{learner.detail}: create it (or restore the stub) to be graded")
    if kind == "timeout":
        return Verdict(
            "timeout",
            f"{learner.detail}: an infinite loop, or something far slower than needed? "
            "The process running your code was stopped.",
        )
    if kind == "crashed":
        return Verdict("crashed", learner.detail)
    if kind == "tampered":
        return Verdict("error", learner.detail)
    if kind == "forbidden":
        return Verdict("failed", f"{learner.detail}: this check asks you to write it yourself, without that function")
    if kind == "exit":
        return Verdict("error", f"{learner.detail}: return a value instead of exiting{_at(learner.error)}")
    if kind == "import_error":
        return Verdict("error", f"could not import your file: {_exception(learner.error)}")
    if kind == "raised":
        return _raised(reference, learner.error)
    if kind != "observations" or learner.observations is None:
        return Verdict("crashed", f"unexpected result from the child process ({kind!r})")
    if reference.kind == "raised":
        assert reference.error is not None
        return Verdict("failed", f"expected {reference.error.type} to be raised, but the call returned normally")
    assert reference.observations is not None
    tolerances = Tolerances(check.rtol, check.atol)
    mismatches = compare(reference.observations, learner.observations, tolerances)
    if not mismatches:
        return Verdict("passed")
    shown = [m.message(reveal=not check.hidden) for m in mismatches[:MAX_MISMATCHES_SHOWN]]
    if len(mismatches) > MAX_MISMATCHES_SHOWN:
        shown.append(f"… and {len(mismatches) - MAX_MISMATCHES_SHOWN} more differences")
    hint = diagnose(mismatches, reference.observations, learner.observations, tolerances, hidden=check.hidden)
    return Verdict("failed", "\n".join(shown), hint)


def _raised(reference: ProbeOutcome, error: ErrorInfo | None) -> Verdict:
    assert error is not None
    if reference.kind == "raised" and reference.error is not None and reference.error.type == error.type:
        return Verdict("passed")
    if error.type == "NotImplementedError":
        where = f"`{error.function}`" if error.function else "your code"
        line = f" ({error.location.split(' in ')[0]})" if error.location else ""
        return Verdict("not_started", f"{where} still raises NotImplementedError{line}: fill in the stub")
    if reference.kind == "raised" and reference.error is not None:
        message = f"expected {reference.error.type} to be raised, got {_exception(error)}"
        return Verdict("failed", message, error_hint(error.message))
    return Verdict("error", _exception(error), error_hint(error.message))


def _at(error: ErrorInfo | None) -> str:
    return f" ({error.location})" if error is not None and error.location else ""


def _exception(error: ErrorInfo | None) -> str:
    if error is None:
        return "unknown error"
    head = f"{error.type}: {error.message}" if error.message else error.type
    where = f"\n  at {error.location}" if error.location else ""
    trace = f"\n{error.traceback.rstrip()}" if error.traceback else ""
    return head + where + trace
