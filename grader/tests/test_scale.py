"""Beyond one machine: shards of a class, lanes of devices, and the merge that joins them.

The merge's rules are tested on folders written from `Submission`s (no grading), so
each refusal and each gap is known exactly; then, end to end, shards graded by
separate processes and lanes graded apart (the `meta` device standing in for a GPU,
which every machine has) merge into what one run gives.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from grader.classroom import grading, merging
from grader.classroom.records import ClassRecord, LearnerSummary, ResultsFolder, fingerprint_lane, lane_fingerprint
from grader.classroom.shards import Shard, shard_of
from grader.commands import main
from grader.core.checks import Check
from grader.core.plan import plan
from grader.core.results import CheckResult, Status, Submission
from grader.tests.conftest import ROOT, run_grader
from grader.tests.test_class import EXERCISES, make_class, stable

# --- shards ----------------------------------------------------------------------------------


def test_a_shard_is_k_of_n_counted_from_one():
    assert Shard.parse("2/4") == Shard(2, 4) and str(Shard.parse(" 4 / 4 ")) == "4/4"
    for wrong in ("0/4", "5/4", "1/0", "4", "two/4", "-1/4"):
        with pytest.raises(ValueError, match="K/N with K from 1 to N.*counts from 0 needs \\+ 1"):
            Shard.parse(wrong)


def test_a_wrong_shard_is_a_usage_error_that_says_how_to_write_one(tmp_path):
    done = run_grader("class", str(tmp_path), "--out", str(tmp_path / "out"), "--shard", "0/4")
    assert done.returncode == 2
    assert "--shard: '0/4' is not K/N with K from 1 to N" in done.stderr


def test_a_shard_or_a_lane_without_a_course_secret_is_refused_before_grading(course_copy, tmp_path, monkeypatch):
    monkeypatch.delenv("TORCHDRILL_SECRET", raising=False)
    (tmp_path / "class" / "ada").mkdir(parents=True)
    for extra in (("--shard", "1/2"), ("--devices", "cpu")):
        done = run_grader("class", str(tmp_path / "class"), "--out", str(tmp_path / "out"), *extra, cwd=course_copy)
        assert done.returncode == 2 and "need the same course secret, and none is set" in done.stderr
        assert "--secret or\n$TORCHDRILL_SECRET" in done.stderr and not (tmp_path / "out").exists()
    monkeypatch.setenv("TORCHDRILL_SECRET", "s")  # or a secret file, as one machine has: then it grades
    done = run_grader("class", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--shard", "1/2", "--exercises", "ex01", cwd=course_copy)
    assert done.returncode == 0, done.stderr


def test_shards_split_the_class_evenly_and_nobody_moves_when_the_class_or_the_shards_grow():
    learners = [f"learner{index:04d}" for index in range(2000)]
    four = {learner: shard_of(learner, 4) for learner in learners}
    sizes = Counter(four.values())
    assert set(sizes) == {1, 2, 3, 4} and all(400 <= size <= 600 for size in sizes.values())
    assert all(sum(Shard(k, 4).holds(learner) for k in range(1, 5)) == 1 for learner in learners[:200])
    late = {f"late{index}": shard_of(f"late{index}", 4) for index in range(100)}
    assert {learner: shard_of(learner, 4) for learner in learners} == four  # late learners move nobody
    assert set(late.values()) == {1, 2, 3, 4}
    five = {learner: shard_of(learner, 5) for learner in learners}
    moved = [learner for learner in learners if five[learner] != four[learner]]
    assert {five[learner] for learner in moved} == {5}  # a fifth shard takes learners from the others only
    assert 300 <= len(moved) <= 500  # about a fifth of the class


# --- lanes -------------------------------------------------------------------------------------


def lane_checks() -> list[Check]:
    """A check on cpu and cuda, and one on cpu (made here: a module-level check would be collected as graded)."""
    return [Check(lambda ex, device: {}, "on_devices", devices=("cpu", "cuda")), Check(lambda ex: {}, "on_cpu")]


def test_a_lane_plans_every_run_and_skips_those_of_other_devices():
    checks = lane_checks()
    lane = plan(checks, lambda device: "", lane=("cuda",))
    assert [(run.check.name, run.device) for run in lane] == [("on_devices", "cpu"), ("on_devices", "cuda"), ("on_cpu", "cpu")]
    assert [run.not_run.status if run.not_run else None for run in lane] == [Status.SKIPPED, None, Status.SKIPPED]
    assert "another lane: this one grades cuda only" in lane[0].not_run.message
    assert all(run.not_run is None for run in plan(checks, lambda device: ""))


def test_a_lane_is_refused_where_its_device_is_missing_or_no_check_runs_on_it(monkeypatch):
    from grader.run import devices

    monkeypatch.setattr(devices, "unusable", lambda device: "" if device == "cpu" else f"needs {device}, and no {device} device")
    checks = lane_checks()
    assert grading.lane_refusal(checks, ("cpu",)) == ""
    refusal = grading.lane_refusal(checks, ("cuda",))
    assert "this lane cannot be graded here (needs cuda" in refusal and "run it on a machine that has cuda" in refusal
    assert "no check of these exercises runs on mps (they run on cpu, cuda)" in grading.lane_refusal(checks, ("mps",))


# --- merging, on folders written by hand ---------------------------------------------------------

SETTINGS = {"course": "c0ffee", "secret_id": "5ec2e7", "exercises": ["ex01_tensors"]}


def results(learner: str, lane: tuple[str, ...] = (), cuda: str = "skipped") -> Submission:
    """A learner's results as a run of `lane` writes them: one check on cpu and cuda, one on cpu."""

    def run(name: str, device: str, status: str) -> CheckResult:
        graded = status if not lane or device in lane else "skipped"
        points = 2.0 if graded == "passed" else 0.0
        return CheckResult("ex01_tensors", f"{name}[{device}]" if name == "moved" else name, graded, points, 2.0, device=device, check=name)

    checks = [run("moved", "cpu", "passed"), run("moved", "cuda", cuda), run("sums", "cpu", "failed")]
    return Submission("submission", checks, environment={"torch": "2.13.0+cu128" if lane else "2.13.0+cpu"}, duration=2.0, learner=learner)


def write_folder(
    folder: Path, learners: dict[str, str], lane: tuple[str, ...] = (), shard: str = "", cuda: str = "passed", **settings
) -> Path:
    """A class results folder: learner -> what they handed in (a word standing for their files)."""
    out = ResultsFolder(folder)
    lines = []
    for learner, handed_in in learners.items():
        submission = results(learner, lane, cuda)
        fingerprint = lane_fingerprint(f"{handed_in}-{learner}", lane)
        out.write_learner(submission, fingerprint)
        lines.append(LearnerSummary.of(submission, fingerprint).line())
    record = {**SETTINGS, **settings}
    out.write_class(ClassRecord(started="2030-01-01T10:00:00+00:00", duration=60.0, jobs=2, sandbox="bwrap", regraded=len(lines),
                                learners=lines, shard=shard, devices=list(lane), **record))  # fmt: skip
    return folder


def merged_lines(out: Path) -> dict[str, dict]:
    return {line["learner"]: line for line in json.loads((out / "class.json").read_text())["learners"]}


def test_shards_merge_into_one_folder_with_their_files_as_they_were(tmp_path):
    first = write_folder(tmp_path / "a", {"ada": "x", "cy": "x"}, shard="1/2")
    second = write_folder(tmp_path / "b", {"ben": "x"}, shard="2/2")
    done = merging.merge([first, second], tmp_path / "out")
    assert done.complete and done.learners == 3
    for learner, folder in (("ada", first), ("ben", second), ("cy", first)):
        assert (tmp_path / "out" / "learners" / f"{learner}.json").read_bytes() == (folder / "learners" / f"{learner}.json").read_bytes()
    record = ResultsFolder(tmp_path / "out").read_class()
    assert [line["learner"] for line in record.learners] == ["ada", "ben", "cy"]
    assert record.learners[0] == ResultsFolder(first).read_class().learners[0]
    assert record.jobs == 4 and record.shard == "" and record.course == "c0ffee" and len(record.parts) == 2
    assert [part["shard"] for part in record.parts] == ["1/2", "2/2"]
    assert record.grading_duration == 60.0 and record.regraded == 3


def test_missing_shards_and_learners_are_reported_and_the_rest_is_merged(tmp_path):
    first = write_folder(tmp_path / "a", {"ada": "x", "cy": "x"}, shard="1/3")
    done = merging.merge([first], tmp_path / "out", submissions=["ada", "ben", "cy", "dee"])
    assert not done.complete and done.learners == 2
    assert any("shard 2/3, 3/3 not given" in gap for gap in done.missing)
    assert any("2 learners of SUBMISSIONS are in no folder: ben, dee" in gap for gap in done.missing)
    left = merging.merge([first], tmp_path / "out2", submissions=["ada"])
    assert any("1 learners are not in SUBMISSIONS (left out): cy" in gap for gap in left.missing)
    assert list(merged_lines(tmp_path / "out2")) == ["ada"]


def test_a_learner_graded_from_two_different_submissions_is_refused(tmp_path):
    first = write_folder(tmp_path / "a", {"ada": "x", "ben": "x"}, shard="1/2")
    second = write_folder(tmp_path / "b", {"ben": "changed"}, shard="2/2")
    with pytest.raises(merging.MergeRefused, match=r"1 learners were graded from different submissions.*ben \(.*a and .*b\)"):
        merging.merge([first, second], tmp_path / "out")
    assert not (tmp_path / "out").exists()
    same = write_folder(tmp_path / "c", {"ben": "x"}, shard="2/2")  # graded twice alike: one result
    assert merging.merge([first, same], tmp_path / "out").learners == 2


@pytest.mark.parametrize(
    ("setting", "value", "says"),
    [
        ("secret_id", "0the75", "same course secret"),
        ("course", "decade", "same commit of the course"),
        ("exercises", ["ex02_autograd"], "same --exercises"),
        ("timeout", 5.0, "same --timeout"),
    ],
)
def test_folders_graded_differently_are_refused(tmp_path, setting, value, says):
    first = write_folder(tmp_path / "a", {"ada": "x"}, shard="1/2")
    second = write_folder(tmp_path / "b", {"ben": "x"}, shard="2/2", **{setting: value})
    with pytest.raises(merging.MergeRefused, match=f"different {setting.replace('_', ' ')}.*{re.escape(says)}"):
        merging.merge([first, second], tmp_path / "out")


def test_unfinished_or_changed_folders_are_refused_with_what_to_do(tmp_path):
    unfinished = tmp_path / "unfinished"
    (unfinished / "learners").mkdir(parents=True)
    with pytest.raises(merging.MergeRefused, match="no class.json.*run its command again"):
        merging.merge([unfinished], tmp_path / "out")
    changed = write_folder(tmp_path / "changed", {"ada": "x"})
    ResultsFolder(changed).write_learner(results("ada"), "another-fingerprint")  # a later run, killed before class.json
    with pytest.raises(merging.MergeRefused, match="not the result its class.json names"):
        merging.merge([changed], tmp_path / "out")
    older = write_folder(tmp_path / "older", {"ada": "x"}, course="")
    with pytest.raises(merging.MergeRefused, match="does not say which course"):
        merging.merge([older], tmp_path / "out")


def test_a_gpu_lane_fills_the_runs_the_cpu_machine_skipped(tmp_path):
    cpu = write_folder(tmp_path / "cpu", {"ada": "x", "ben": "x"}, cuda="skipped")  # a machine without cuda
    gpu = write_folder(tmp_path / "gpu", {"ada": "x"}, lane=("cuda",))
    done = merging.merge([gpu, cpu], tmp_path / "out")
    assert any("1 learners have no results from the cuda lane: ben" in gap for gap in done.missing)
    ada = Submission.read_json(tmp_path / "out" / "learners" / "ada.json")
    assert [(c.name, c.device, c.status) for c in ada.checks] == [
        ("moved[cpu]", "cpu", "passed"), ("moved[cuda]", "cuda", "passed"), ("sums", "cpu", "failed")
    ]  # fmt: skip
    assert ada.duration == 4.0 and ada.environment["lanes"]["cuda"]["torch"] == "2.13.0+cu128"
    assert json.loads((tmp_path / "out" / "learners" / "ada.json").read_text())["fingerprint"] == "x-ada"  # a whole run's
    assert merged_lines(tmp_path / "out")["ada"]["max_score"] == 6 and merged_lines(tmp_path / "out")["ben"]["max_score"] == 4
    record = ResultsFolder(tmp_path / "out").read_class()
    assert record.devices == [] and {tuple(p["devices"]) for p in record.parts} == {(), ("cuda",)}


def test_two_lanes_of_one_device_or_one_learner_changed_between_lanes_are_refused(tmp_path):
    cpu = write_folder(tmp_path / "cpu", {"ada": "x"}, lane=("cpu",))
    both = write_folder(tmp_path / "both", {"ada": "x"}, lane=("cpu", "cuda"))
    gpu = write_folder(tmp_path / "gpu", {"ada": "x"}, lane=("cuda",))
    with pytest.raises(merging.MergeRefused, match="cpu lane and the cpu\\+cuda lane both grade cpu"):
        merging.merge([cpu, both], tmp_path / "out")
    done = merging.merge([cpu, gpu], tmp_path / "out")
    assert done.complete
    assert fingerprint_lane(json.loads((tmp_path / "out" / "learners" / "ada.json").read_text())["fingerprint"]) == ("x-ada", ())
    changed = write_folder(tmp_path / "changed", {"ada": "y"}, lane=("cuda",))
    with pytest.raises(merging.MergeRefused, match="ada \\(graded from different submissions in different lanes\\)"):
        merging.merge([cpu, changed], tmp_path / "out2")


def test_the_merged_folder_replaces_results_and_nothing_else(tmp_path, capsys):
    first = write_folder(tmp_path / "a", {"ada": "x"}, shard="1/2")
    second = write_folder(tmp_path / "b", {"ben": "x"}, shard="2/2")
    assert main(["merge", str(first), str(second), "--out", str(first)]) == 0  # into one of its inputs
    assert set(merged_lines(first)) == {"ada", "ben"}
    assert "merged 2 learners from 2 folders" in capsys.readouterr().out
    other = tmp_path / "notes"
    other.mkdir()
    (other / "todo.txt").write_text("keep me")
    assert main(["merge", str(second), "--out", str(other)]) == 2
    assert "holds other files than class results" in capsys.readouterr().err and (other / "todo.txt").exists()
    assert main(["merge", str(second), "--out", str(tmp_path / "c"), "--submissions", str(tmp_path / "nowhere")]) == 2
    submissions = tmp_path / "class"
    for learner in ("ada", "ben", "cy"):
        (submissions / learner).mkdir(parents=True)
    assert main(["merge", str(first), "--out", str(tmp_path / "c"), "--submissions", str(submissions)]) == 1
    assert "1 learners of SUBMISSIONS are in no folder: cy" in capsys.readouterr().err


# --- end to end: separate processes -----------------------------------------------------------------


def class_command(submissions: Path, out: Path, *extra: str) -> list[str]:
    command = [sys.executable, "-m", "grader", "class", str(submissions), "--out", str(out), "--secret", "s3cret"]
    return [*command, "--exercises", *EXERCISES, *extra]


@pytest.mark.slow
def test_shards_graded_by_separate_processes_merge_into_what_one_run_gives(tmp_path):
    submissions = make_class(tmp_path / "submissions")
    single = tmp_path / "single"
    shards = [tmp_path / f"shard{k}" for k in (1, 2, 3)]
    running = [
        subprocess.Popen(class_command(submissions, out, *extra), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for out, extra in [(single, ("--jobs", "2"))] + [(s, ("--jobs", "1", "--shard", f"{k}/3")) for k, s in enumerate(shards, 1)]
    ]  # fmt: skip
    for process in running:
        output = process.communicate(timeout=600)[0]
        assert process.returncode == 0, output
    assert sum(len(ResultsFolder(s).read_class().learners) for s in shards) == 6
    done = run_grader("merge", *map(str, shards), "--out", str(tmp_path / "merged"), "--submissions", str(submissions))
    assert done.returncode == 0, done.stdout + done.stderr
    assert stable(tmp_path / "merged") == stable(single)

    def lines(out: Path) -> list[dict]:
        return [{k: v for k, v in line.items() if k != "duration"} for line in ResultsFolder(out).read_class().learners]

    assert lines(tmp_path / "merged") == lines(single)
    again = run_grader(*class_command(submissions, tmp_path / "merged")[3:])
    assert again.returncode == 0 and "6 learners (0 graded, 6 unchanged)" in again.stdout


LANE_CHECK = '''

@check(points=2, devices=("cpu", "meta"))
def row_on_each_device(ex, device):
    """The `meta` device stands in for a GPU in the self-test: every machine has it."""
    picked = ex.row(torch.arange(12.0, device=device).reshape(3, 4), 1)
    return {"shape": tuple(picked.shape), "dtype": picked.dtype, "on the device it was given": picked.device == device}
'''


@pytest.mark.slow
def test_a_device_lane_merged_with_the_other_runs_gives_what_one_run_gives(course_copy, tmp_path):
    suite = course_copy / "tests" / "test_ex01_tensors.py"
    suite.write_text(suite.read_text() + LANE_CHECK)
    submissions = tmp_path / "submissions"
    for learner, source in (("ada", "solutions"), ("ben", "exercises")):
        (submissions / learner).mkdir(parents=True)
        shutil.copy(course_copy / source / "ex01_tensors.py", submissions / learner)

    def grade(out: str, *extra: str) -> Path:
        command = ["class", str(submissions), "--out", str(tmp_path / out), "--secret", "s", "--exercises", "ex01", *extra]
        done = run_grader(*command, cwd=course_copy)
        assert done.returncode == 0, done.stdout + done.stderr
        return tmp_path / out

    whole, cpu, lane = grade("whole"), grade("cpu", "--devices", "cpu"), grade("lane", "--devices", "meta")
    ada = Submission.read_json(lane / "learners" / "ada.json")
    graded = {(c.device, c.status) for c in ada.checks if c.check == "row_on_each_device"}
    assert graded == {("cpu", Status.SKIPPED), ("meta", Status.PASSED)} and ada.environment["lane"] == "meta"
    assert all(c.status is Status.SKIPPED for c in ada.checks if c.device == "cpu")
    done = run_grader("merge", str(cpu), str(lane), "--out", str(tmp_path / "merged"), cwd=course_copy)
    assert done.returncode == 0, done.stdout + done.stderr
    assert stable(tmp_path / "merged") == stable(whole)
    again = run_grader("class", str(submissions), "--out", str(tmp_path / "merged"), "--secret", "s", "--exercises", "ex01", cwd=course_copy)
    assert "2 learners (0 graded, 2 unchanged)" in again.stdout  # the merge is a whole run's
    report = run_grader("report", str(tmp_path / "merged"), "--out", str(tmp_path / "report"), cwd=course_copy)
    assert report.returncode == 0, report.stderr
    page = (tmp_path / "report" / "learners" / "ada.html").read_text()
    assert re.search(r'<code>row_on_each_device\[meta\]</code>.*?<td class="device">meta</td>', page, re.DOTALL)
    refused = run_grader("class", str(submissions), "--out", str(tmp_path / "x"), "--devices", "tpu", cwd=course_copy)
    assert refused.returncode == 2 and "no check of these exercises runs on tpu" in refused.stderr


# --- make bench's CPU count --------------------------------------------------------------------------


def test_the_bench_counts_each_process_once_the_killed_ones_and_the_unseen_ones_included(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from scale import CpuSampler, Seen  # bench/scale.py (make bench, never make test, runs it whole)

    shard, worker, zygote, learner = (1, 0.0), (2, 0.0), (3, 0.0), (4, 0.0)
    sampler = CpuSampler([1])
    sampler.seen = {
        shard: Seen(own=2.0, reaped=1.5, parent=None),  # reaped the worker (1.0 seen) and a 0.5 s child never seen
        worker: Seen(own=1.0, reaped=0.0, parent=shard),
        zygote: Seen(own=3.0, reaped=7.0, parent=worker),  # killed with its worker: nobody reaped it
        learner: Seen(own=4.0, reaped=2.5, parent=zygote),  # its checks' forks, each too short to be seen
    }
    assert sampler.total() == pytest.approx(2.0 + 0.5 + 1.0 + 3.0 + (7.0 - 6.5) + 4.0 + 2.5)
