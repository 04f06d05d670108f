"""Joining class results folders into one: shards of the learners, lanes of the devices (`grader merge`).

Each folder is one `class` run: every learner, or one shard of them (`--shard K/N`);
every run, or one lane (`--devices cuda`, whose other runs it records as skipped).
The merge

1. refuses, writing nothing, when the folders were not graded alike (course, grader,
   secret, exercises, time limit), when one learner was graded from different
   submissions in two folders, or when two lanes grade one device;
2. joins the learners of each lane (its shards), and puts each lane's runs in their
   places in each learner's results: the runs of the lane's devices come from it, the
   others from the run of every device (or stay as they are);
3. writes the folder one `class` run on a machine with every device would have written:
   the same learner files (copied byte for byte where one folder holds the learner), a
   class.json of every learner, and the fingerprints that let a later `class` over it
   skip the learners it holds; class.json's `parts` says which runs it joins;
4. says what is missing (a learner of SUBMISSIONS in no folder, or absent from a lane; a
   shard not given): the folder is written all the same, and `class` over it grades
   just the missing learners.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from grader.classroom.records import (
    ClassRecord,
    LearnerSummary,
    ResultsFolder,
    fingerprint_lane,
    lane_fingerprint,
)
from grader.classroom.staging import listing
from grader.core.plan import ANOTHER_LANE
from grader.core.results import Status, Submission

Lane = tuple[str, ...]  # its devices, sorted; (): every device
AGREED = {  # what every folder must share -> what to do when they differ
    "course": "grade every folder from the same commit of the course (grader, suites, solutions)",
    "secret_id": "grade every folder with the same course secret (--secret or $TORCHDRILL_SECRET)",
    "exercises": "grade every folder with the same --exercises",
    "timeout": "grade every folder with the same --timeout",
}


class MergeRefused(Exception):
    """The folders cannot be joined; the message says why and what to do. Nothing was written."""


@dataclass(frozen=True)
class Part:
    """One folder to merge: one `class` run (or an earlier merge)."""

    folder: Path
    record: ClassRecord

    @property
    def lane(self) -> Lane:
        return tuple(sorted(self.record.devices))

    @functools.cached_property
    def lines(self) -> dict[str, dict[str, Any]]:
        """Learner id -> their line of class.json."""
        return {str(line["learner"]): line for line in self.record.learners}

    def fingerprint(self, learner: str) -> str:
        return str(self.lines[learner]["content_hash"])

    def provenance(self) -> list[dict[str, Any]]:
        """The runs this folder holds, for the merged class.json (an earlier merge holds several)."""
        if self.record.parts:
            return self.record.parts
        r = self.record
        return [
            {
                "folder": str(self.folder), "shard": r.shard, "devices": r.devices, "learners": len(r.learners),
                "started": r.started, "duration": r.duration, "jobs": r.jobs, "sandbox": r.sandbox,
                "regraded": r.regraded, "grading_started": r.grading_started, "grading_duration": r.grading_duration,
            }
        ]  # fmt: skip


@dataclass
class Merged:
    """What the merge wrote, and what it found missing (empty: complete)."""

    learners: int
    lanes: dict[Lane, list[Part]]
    missing: list[str] = field(default_factory=list)  # one line per gap, with what to do

    @property
    def complete(self) -> bool:
        return not self.missing


def lane_name(lane: Lane) -> str:
    return f"the {'+'.join(lane)} lane" if lane else "every device"


def read_part(folder: Path) -> Part:
    """A folder's class.json, refused with what to do when the merge cannot trust it."""
    try:
        record = ResultsFolder(folder).read_class()
    except (OSError, ValueError, AttributeError, TypeError) as error:
        raise MergeRefused(f"{folder}/class.json cannot be read ({type(error).__name__}): grade that folder again") from None
    if record is None:
        raise MergeRefused(
            f"{folder} has no class.json: it is not a class results folder, or its run did not finish "
            "(run its command again: it finishes what is left)"
        )
    if not record.course:
        raise MergeRefused(f"{folder}/class.json does not say which course graded it (an older grader): grade that folder again")
    return Part(folder, record)


def plan_lanes(parts: list[Part]) -> dict[Lane, list[Part]]:
    """The folders by lane, once they are known to agree; refused otherwise."""
    for name, remedy in AGREED.items():
        values = {json.dumps(getattr(p.record, name)): p for p in parts}
        if len(values) > 1:
            shown = "; ".join(f"{p.folder}: {json.loads(v)}" for v, p in values.items())
            raise MergeRefused(f"the folders were graded with different {name.replace('_', ' ')} ({_short(shown)}): {remedy}")
    lanes: dict[Lane, list[Part]] = {}
    for part in parts:
        lanes.setdefault(part.lane, []).append(part)
    claimed: dict[str, Lane] = {}
    for lane in filter(None, lanes):
        for device in lane:
            if device in claimed:
                raise MergeRefused(
                    f"{lane_name(claimed[device])} and {lane_name(lane)} both grade {device}: merge one lane per device"
                )
            claimed[device] = lane
    return dict(sorted(lanes.items()))  # every device first


def lane_learners(parts: list[Part]) -> tuple[dict[str, Part], list[str]]:
    """Each learner of a lane's folders -> the folder that holds them; and the conflicts found."""
    owner: dict[str, Part] = {}
    conflicts = []
    for part in parts:
        for learner in part.lines:
            first = owner.setdefault(learner, part)
            if first.fingerprint(learner) != part.fingerprint(learner):
                conflicts.append(f"{learner} ({first.folder} and {part.folder})")
    return owner, conflicts


def shard_gaps(parts: list[Part]) -> str:
    """The shards of a lane not given (""; also when a folder of every learner is among them)."""
    if any(not p.record.shard for p in parts):
        return ""
    given = {tuple(map(int, p.record.shard.split("/"))) for p in parts}
    counts = sorted({count for _, count in given})
    if len(counts) > 1:
        return f"{lane_name(parts[0].lane)}: shards of {' and '.join(map(str, counts))}: which learners are missing is known only with --submissions"
    absent = [f"{index}/{counts[0]}" for index in range(1, counts[0] + 1) if (index, counts[0]) not in given]
    return f"{lane_name(parts[0].lane)}: shard {', '.join(absent)} not given (its folder, or its job failed)" if absent else ""


def merge(folders: list[Path], out: Path, submissions: list[str] | None = None) -> Merged:
    """Join `folders` into `out` (replaced once the merge is written); `submissions`: the learner ids expected."""
    parts = [read_part(folder) for folder in folders]
    lanes = plan_lanes(parts)
    owners, conflicts = {}, []
    for lane, members in lanes.items():
        owners[lane], found = lane_learners(members)
        conflicts += found
    everyone = sorted({learner for owned in owners.values() for learner in owned})
    for learner in everyone:
        graded = {fingerprint_lane(owned[learner].fingerprint(learner))[0] for owned in owners.values() if learner in owned}
        if len(graded) > 1:
            conflicts.append(f"{learner} (graded from different submissions in different lanes)")
    if conflicts:
        raise MergeRefused(
            f"{len(conflicts)} learners were graded from different submissions in different folders: {listing(conflicts)}; "
            "the submissions changed between the runs: grade those folders again from the same submissions"
        )
    expected = everyone if submissions is None else submissions
    merged = Merged(0, lanes, _missing(lanes, owners, everyone, submissions))
    scratch = out.parent / f".{out.name}.merging-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        lines = [_merge_learner(learner, owners, ResultsFolder(scratch)) for learner in expected if learner in everyone]
        ResultsFolder(scratch).write_class(_record(parts, lines))
        _replace(out, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    merged.learners = len(lines)
    return merged


def _missing(lanes: dict[Lane, list[Part]], owners: dict[Lane, dict[str, Part]], everyone: list[str], submissions: list[str] | None) -> list[str]:
    gaps = [gap for members in lanes.values() if (gap := shard_gaps(members))]
    if submissions is not None:
        absent = sorted(set(submissions) - set(everyone))
        if absent:
            gaps.append(f"{len(absent)} learners of SUBMISSIONS are in no folder: {listing(absent)}")
        extra = sorted(set(everyone) - set(submissions))
        if extra:
            gaps.append(f"{len(extra)} learners are not in SUBMISSIONS (left out): {listing(extra)}")
    known = everyone if submissions is None else sorted(set(everyone) & set(submissions))
    for lane, owned in owners.items():
        absent = [learner for learner in known if learner not in owned]
        if absent and len(lanes) > 1:
            gaps.append(f"{len(absent)} learners have no results from {lane_name(lane)}: {listing(absent)}")
    return gaps


def _merge_learner(learner: str, owners: dict[Lane, dict[str, Part]], out: ResultsFolder) -> dict[str, Any]:
    """Write one learner's merged results into `out`; returns their line of class.json."""
    sources = [(lane, owned[learner]) for lane, owned in owners.items() if learner in owned]
    base_lane, base_part = sources[0]  # every device's, when there is one (lanes are sorted so)
    if len(sources) == 1 and not base_lane:  # copied as it is
        _read(base_part, learner)
        target = out.learner_file(learner)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ResultsFolder(base_part.folder).learner_file(learner), target)
        return base_part.lines[learner]
    merged = Submission.from_dict(_read(base_part, learner))
    keys = [check.key for check in merged.checks]
    lanes: dict[str, Any] = {}
    for lane, part in sources[1:]:  # each lane's runs over the base's
        own = Submission.from_dict(_read(part, learner))
        if [check.key for check in own.checks] != keys:
            raise MergeRefused(f"{learner}: {part.folder} lists other checks than {base_part.folder}: grade both from the same course")
        merged.checks = [theirs if theirs.device in lane else mine for mine, theirs in zip(merged.checks, own.checks, strict=True)]
        merged.duration += own.duration
        lanes["+".join(lane)] = own.environment
    if lanes:
        merged.environment = merged.environment | {"lanes": lanes}
    settings = fingerprint_lane(base_part.fingerprint(learner))[0]
    covered = {device for lane, _ in sources for device in lane}
    # A whole run's results: every run is a lane's, or was skipped here for want of its device.
    whole = not base_lane or all(
        check.device in covered or (check.status is Status.SKIPPED and not check.message.startswith(ANOTHER_LANE))
        for check in merged.checks
    )
    fingerprint = lane_fingerprint(settings, () if whole else covered)
    out.write_learner(merged, fingerprint)
    return LearnerSummary.of(merged, fingerprint).line()


def _read(part: Part, learner: str) -> dict[str, Any]:
    """A learner's results in a folder, refused when they are not those its class.json names."""
    path = ResultsFolder(part.folder).learner_file(learner)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise MergeRefused(f"{path} cannot be read ({type(error).__name__}): grade that folder again") from None
    if not isinstance(data, dict) or data.get("fingerprint") != part.fingerprint(learner):
        raise MergeRefused(
            f"{path} is not the result its class.json names (a later run of that folder did not finish): "
            "run its command again to finish it"
        )
    return data


def _record(parts: list[Part], lines: list[dict[str, Any]]) -> ClassRecord:
    """The merged class.json: the runs' common settings, their span, and each run in `parts`."""
    runs = [run for part in parts for run in part.provenance()]
    first = parts[0].record
    started, duration = _span((run["started"], run["duration"]) for run in runs)
    grading_started, grading_duration = _span((run["grading_started"], run["grading_duration"]) for run in runs)
    regraded = [int(run["regraded"]) for run in runs]
    lanes = {part.lane for part in parts}
    return replace(
        first,
        started=started,
        duration=duration,
        jobs=sum(int(run["jobs"]) for run in runs),
        sandbox="none" if any(run["sandbox"] == "none" for run in runs) else first.sandbox,  # the weakest isolation
        learners=lines,
        regraded=min(sum(regraded), len(lines)) if min(regraded, default=0) >= 0 else -1,
        grading_started=grading_started,
        grading_duration=grading_duration,
        shard="",
        devices=[] if () in lanes else sorted({device for lane in lanes for device in lane}),
        parts=runs,
    )


def _span(runs: Iterable[tuple[str, float]]) -> tuple[str, float]:
    """From the first start to the last end of runs given as (ISO start, seconds); ("", 0) if none is known."""
    known = [(datetime.fromisoformat(start), float(seconds)) for start, seconds in runs if start]
    if not known:
        return "", 0.0
    begin = min(start for start, _ in known)
    end = max(start + timedelta(seconds=seconds) for start, seconds in known)
    return begin.isoformat(timespec="seconds"), round((end - begin).total_seconds(), 2)


def _replace(out: Path, scratch: Path) -> None:
    """Put the merged folder at `out`; an earlier results folder there (an input, too) is replaced."""
    if out.exists() and any(out.iterdir()) and not (out / "class.json").exists() and not (out / "learners").is_dir():
        raise MergeRefused(f"{out} holds other files than class results: give a new folder to --out")
    old = out.parent / f".{out.name}.replaced-{os.getpid()}"
    if out.exists():
        out.rename(old)
    scratch.rename(out)
    shutil.rmtree(old, ignore_errors=True)


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
