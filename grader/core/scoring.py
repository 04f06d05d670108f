"""From two probe outcomes (reference, learner) to one scored `CheckResult`.

This is the only place that decides the status of a run, in the trusted parent
(`grader.core.plan` decides, for runs it does not make, why not):

- passed:      observations equal within tolerance (or the same exception type)
- failed:      observations differ, or a forbidden torch function was called
- not_started: the learner's code still raises NotImplementedError (and what the check's other
               functions give, with the stubs stood in for, agrees with the reference so far)
- error:       learner code raised, exited with sys.exit, or would not import
- timeout:     the child was stopped at the check's time limit
- crashed:     the child died without sending a result
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.core.attribution import Attribution, attribute
from grader.core.checks import Check
from grader.core.compare import Mismatch, Tolerances, compare
from grader.core.diagnose import diagnose, error_hint
from grader.core.results import CheckResult, Status
from grader.core.observations import Observations
from grader.core.wire import ErrorInfo, OutcomeKind, ProbeOutcome

MAX_MISMATCHES_SHOWN = 5


@dataclass(frozen=True)
class Verdict:
    status: Status
    message: str = ""
    diagnosis: str = ""  # grader.core.diagnose: a known mistake's one-line hint


def result(check: Check, device: str, verdict: Verdict, output: str = "", duration: float = 0.0) -> CheckResult:
    """The result of one run of `check` on `device`: the check's points if it passed."""
    return CheckResult(
        exercise=check.exercise,
        name=check.run_name(device),
        status=verdict.status,
        points=check.points if verdict.status is Status.PASSED else 0.0,
        max_points=check.points,
        message=verdict.message,
        output=output,
        duration=round(duration, 4),
        hidden=check.hidden,
        diagnosis=verdict.diagnosis,
        check=check.name,
        device=device,
    )


def unscored(check: Check, device: str, status: Status, message: str) -> CheckResult:
    """A result for a run that was not made (skipped, refused file, time used up): no points."""
    return result(check, device, Verdict(status, message))


def needs_reference(learner: ProbeOutcome) -> bool:
    """Whether the verdict depends on the reference: the learner's code returned, or raised something
    other than a stub's NotImplementedError. Otherwise no reference is computed at all."""
    if learner.kind is OutcomeKind.RAISED:  # a stub's, with what the other functions gave: compared
        return learner.error is None or learner.error.type != "NotImplementedError" or learner.observations is not None
    return learner.kind is OutcomeKind.OBSERVATIONS


def judge(check: Check, device: str, reference: ProbeOutcome | None, learner: ProbeOutcome) -> CheckResult:
    """The learner's outcome, judged against the reference's (None where `needs_reference` says no)."""
    return result(check, device, _verdict(check, device, reference, learner), learner.output, learner.duration)


def _verdict(check: Check, device: str, reference: ProbeOutcome | None, learner: ProbeOutcome) -> Verdict:
    if needs_reference(learner) and (reference is None or reference.kind not in (OutcomeKind.OBSERVATIONS, OutcomeKind.RAISED)):
        raise RuntimeError(f"reference for {check.key} did not run: {reference.kind if reference else 'not computed'}")
    kind = learner.kind
    if kind is OutcomeKind.MISSING:
        return Verdict(Status.ERROR, f"{learner.detail}: create it (or restore the stub) to be graded")
    if kind is OutcomeKind.TIMEOUT:
        return Verdict(Status.TIMEOUT, f"{learner.detail} The process running your code was stopped.")
    if kind is OutcomeKind.CRASHED:
        return Verdict(Status.CRASHED, learner.detail)
    if kind is OutcomeKind.TAMPERED:
        return Verdict(Status.ERROR, learner.detail)
    if kind is OutcomeKind.FORBIDDEN:
        return Verdict(Status.FAILED, f"{learner.detail}: this check asks you to write it yourself, without that function")
    if kind is OutcomeKind.EXIT:
        return Verdict(Status.ERROR, f"{learner.detail}: return a value instead of exiting{_at(learner.error)}")
    if kind is OutcomeKind.IMPORT_ERROR:
        return Verdict(Status.ERROR, f"could not import your file: {_exception(learner.error)}")
    if kind is OutcomeKind.RAISED and learner.observations is not None and reference is not None:
        return _pending(check, device, reference, learner)
    if kind is OutcomeKind.RAISED:
        return _raised(reference, learner.error)
    if kind is not OutcomeKind.OBSERVATIONS or learner.observations is None or reference is None:
        return Verdict(Status.CRASHED, f"unexpected result from the child process ({kind!r})")
    if reference.kind is OutcomeKind.RAISED:
        assert reference.error is not None
        return Verdict(Status.FAILED, f"expected {reference.error.type} to be raised, but the call returned normally")
    assert reference.observations is not None
    return _differences(check, device, reference.observations, learner.observations) or Verdict(Status.PASSED)


def _differences(check: Check, device: str, expected: Observations, actual: Observations, note: str = "") -> Verdict | None:
    """FAILED with what differs, each difference under the function it belongs to; None: none."""
    tolerances = Tolerances(*check.tolerance_on(device))
    mismatches = compare(expected, actual, tolerances)
    if not mismatches:
        return None
    attribution = attribute(check.probe)
    shown = [_blamed(m, attribution, check.hidden) for m in mismatches[:MAX_MISMATCHES_SHOWN]]
    if len(mismatches) > MAX_MISMATCHES_SHOWN:
        shown.append(f"… and {len(mismatches) - MAX_MISMATCHES_SHOWN} more differences")
    hint = diagnose(mismatches, expected, actual, tolerances, hidden=check.hidden)
    return Verdict(Status.FAILED, "\n".join([*shown, *([note] if note else [])]), hint)


MAX_BLAMED = 3  # functions a failure message may name as its suspects


def _blamed(mismatch: Mismatch, attribution: Attribution, hidden: bool) -> str:
    """The mismatch's message, led by the function(s) it comes from where the check covers several."""
    names = attribution.named(mismatch.key)
    message = mismatch.message(reveal=not hidden)
    # Naming every function the check uses, or a long list, tells the learner nothing: the key says more.
    if attribution.used is None or len(attribution.used) < 2 or not names or names >= attribution.used or len(names) > MAX_BLAMED:
        return message
    return f"in {' or '.join(f'`{name}`' for name in sorted(names))}: {message}"


def _pending(check: Check, device: str, reference: ProbeOutcome, learner: ProbeOutcome) -> Verdict:
    """A stub raised, and the probe ran again with it stood in for: the observations that depend on
    the other functions only are compared. A difference there is a wrong function, not a stub."""
    assert learner.observations is not None
    not_started = _raised(None, learner.error)
    if reference.kind is not OutcomeKind.OBSERVATIONS or reference.observations is None:
        return not_started
    attribution, stubs = attribute(check.probe), set(learner.pending)

    def done(key: str) -> bool:
        deps = attribution.of(key)
        return deps is not None and not deps & stubs

    expected = {key: value for key, value in reference.observations.items() if done(key)}
    actual = {key: value for key, value in learner.observations.items() if key in expected}
    one = len(learner.pending) == 1
    still = ", ".join(f"`{name}`" for name in learner.pending)
    note = f"({still} still raise{'s' if one else ''} NotImplementedError: the rest of this check waits for {'it' if one else 'them'})"
    return (_differences(check, device, expected, actual, note) if expected else None) or not_started


def _raised(reference: ProbeOutcome | None, error: ErrorInfo | None) -> Verdict:
    assert error is not None
    if reference is None or error.type == "NotImplementedError":
        where = f"`{error.function}`" if error.function else "your code"
        line = f" ({error.location.split(' in ')[0]})" if error.location else ""
        return Verdict(Status.NOT_STARTED, f"{where} still raises NotImplementedError{line}: fill in the stub")
    if reference.kind is OutcomeKind.RAISED and reference.error is not None and reference.error.type == error.type:
        return Verdict(Status.PASSED)
    if reference.kind is OutcomeKind.RAISED and reference.error is not None:
        message = f"expected {reference.error.type} to be raised, got {_exception(error)}"
        return Verdict(Status.FAILED, message, error_hint(error.message))
    return Verdict(Status.ERROR, _exception(error), error_hint(error.message))


def _at(error: ErrorInfo | None) -> str:
    return f" ({error.location})" if error is not None and error.location else ""


def _exception(error: ErrorInfo | None) -> str:
    if error is None:
        return "unknown error"
    head = f"{error.type}: {error.message}" if error.message else error.type
    where = f"\n  at {error.location}" if error.location else ""
    trace = f"\n{error.traceback.rstrip()}" if error.traceback else ""
    return head + where + trace
