"""Reports: aggregation, the CSV gradebook, the per-learner JSON schema, and the HTML pages.

The class results folder is built from `Submission` objects (no grading), so every
figure the tests expect is known exactly.
"""

from __future__ import annotations

import csv
import json
import re
from hashlib import sha256
from pathlib import Path

import jsonschema
import pytest

from grader.commands import main
from grader.authoring.report import gradebook, html, loading, stats
from grader.core.results import CheckResult, GradedFile, Submission
from grader.classroom.records import ClassRecord, ResultsFolder
from grader.tests.conftest import COURSE, ROOT, run_grader

SECRET = "SECRET-hidden-message-7f3a"  # in every hidden check's message: must reach no page
SCHEMA = ROOT / "grader" / "authoring" / "report" / "learner.schema.json"
EXERCISES = ["ex01_tensors", "ex02_autograd"]


def result(exercise: str, name: str, status: str, max_points: float = 2, **fields) -> CheckResult:
    points = max_points if status == "passed" else 0.0
    return CheckResult(exercise, name, status, points, max_points, **fields)


def learner(name: str, checks: list[CheckResult], missing: tuple[str, ...] = (), **fields) -> Submission:
    files = [GradedFile(e, f"{e}.py", None if e in missing else sha256(f"{name}/{e}".encode()).hexdigest())
             for e in EXERCISES]
    environment = {"grader": "0.1.0", "torch": "2.13.0+cpu", "device": "cpu"}
    return Submission("submission", checks, files, environment, duration=1.5, learner=name, **fields)


def hidden_failure(exercise: str, name: str, diagnosis: str = "") -> CheckResult:
    return result(exercise, name, "failed", 1, hidden=True, message=f"{SECRET}: 'x' differs", diagnosis=diagnosis)


def class_submissions() -> list[Submission]:
    """Four learners over two exercises (ex01: 3 checks, 5 points; ex02: 2 checks, 3 points)."""
    missing_ex02 = "ex02_autograd.py was not in the submission: create it"
    return [
        learner("ada", [
            result("ex01_tensors", "sums", "passed"),
            result("ex01_tensors", "means", "passed"),
            result("ex01_tensors", "stats_random", "passed", 1, hidden=True),
            result("ex02_autograd", "grads", "passed"),
            result("ex02_autograd", "grads_random", "passed", 1, hidden=True),
        ]),
        learner("ben", [
            result("ex01_tensors", "sums", "passed"),
            result("ex01_tensors", "means", "failed", message="'mean': 2 of 3 elements differ\nworst at [0]",
                   diagnosis="sum instead of mean?"),
            hidden_failure("ex01_tensors", "stats_random", diagnosis="sum instead of mean?"),
            result("ex02_autograd", "grads", "error", message=missing_ex02),
            result("ex02_autograd", "grads_random", "error", 1, hidden=True, message=missing_ex02),
        ], missing=("ex02_autograd",), hints={"ex01_tensors": {"means": 2}}),
        learner("cai", [
            result("ex01_tensors", "sums", "timeout", message="did not finish within 10 s"),
            result("ex01_tensors", "means", "failed", message="'mean': 3 of 3 elements differ"),
            hidden_failure("ex01_tensors", "stats_random"),
            result("ex02_autograd", "grads", "crashed", message="killed by SIGSEGV"),
            result("ex02_autograd", "grads_random", "crashed", 1, hidden=True, message=f"{SECRET} killed"),
        ], notes=["refused conftest.py: not an exercise file"]),
        learner("dee", [
            result("ex01_tensors", "sums", "not_started", message="`sums` still raises NotImplementedError"),
            result("ex01_tensors", "means", "failed", message="'mean': 2 of 3 elements differ\nworst at [1]",
                   diagnosis="sum instead of mean?"),
            result("ex01_tensors", "stats_random", "passed", 1, hidden=True),
            result("ex02_autograd", "grads", "passed", output="debug print from dee"),
            result("ex02_autograd", "grads_random", "passed", 1, hidden=True),
        ]),
    ]


def write_class(folder: Path) -> Path:
    """A class results folder as `grader class` writes it, for `class_submissions()`."""
    submissions = class_submissions()
    for submission in submissions:
        submission.write_json(folder / "learners" / f"{submission.learner}.json")
    summary = {  # a rerun that found everyone unchanged, after the run that graded them
        "schema_version": 1, "grader": "0.1.0", "started": "2026-01-05T10:00:00+00:00", "duration": 0.81,
        "jobs": 2, "sandbox": "bubblewrap", "regraded": 0,
        "grading_started": "2026-01-05T09:00:00+00:00", "grading_duration": 66.0,
        "learners": [{"learner": s.learner, "score": s.points, "max_score": s.max_points} for s in submissions],
    }
    (folder / "class.json").write_text(json.dumps(summary))
    return folder


def by_name(checks: list[stats.CheckStats]) -> dict[str, stats.CheckStats]:
    return {f"{c.exercise}::{c.name}": c for c in checks}


# --- aggregation -------------------------------------------------------------------------


def test_histogram_puts_each_score_in_its_band_and_full_marks_in_the_last():
    assert stats.histogram([0.0, 0.05, 0.1, 0.55, 0.999, 1.0]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert stats.histogram([0.5, 1.0], bins=2) == [0, 2]
    assert stats.histogram([]) == [0] * 10


def test_pass_rates_count_attempts_only_and_list_the_hardest_first():
    checks = stats.check_stats(class_submissions(), EXERCISES)
    table = by_name(checks)
    means = table["ex01_tensors::means"]
    assert (means.passed, means.attempted, means.pass_rate) == (1, 4, 0.25)
    sums = table["ex01_tensors::sums"]  # dee's stub is not an attempt; cai's timeout is
    assert (sums.passed, sums.attempted, sums.statuses["not_started"], sums.statuses["timeout"]) == (2, 3, 1, 1)
    grads = table["ex02_autograd::grads"]  # ben did not hand in ex02
    assert (grads.passed, grads.attempted, grads.statuses["error"]) == (2, 3, 1)
    rates = [c.pass_rate for c in checks]
    assert rates == sorted(rates)
    assert [f"{c.exercise}::{c.name}" for c in checks[:2]] == ["ex01_tensors::means", "ex01_tensors::stats_random"]


def test_a_check_nobody_attempted_comes_last_with_no_rate():
    stub = [learner(n, [result("ex01_tensors", "sums", "not_started"), result("ex01_tensors", "means", "failed")])
            for n in ("a", "b")]
    checks = stats.check_stats(stub, EXERCISES)
    assert [(c.name, c.pass_rate) for c in checks] == [("means", 0.0), ("sums", None)]


def test_mistakes_count_learners_group_identical_lines_and_name_who():
    found = [(m.exercise, m.label, m.learners, m.checks, m.hidden) for m in stats.mistakes(class_submissions(), EXERCISES)]
    assert found == [
        # ben's diagnosis on a visible and a hidden check, dee's on the visible one: two learners, not three checks
        ("ex01_tensors", "sum instead of mean?", ["ben", "dee"], ["means", "stats_random"], True),
        ("ex01_tensors", "'mean': 3 of 3 elements differ", ["cai"], ["means"], False),
        # the instructor sees a hidden check's message (marked hidden); learners never do
        ("ex01_tensors", f"{SECRET}: 'x' differs", ["cai"], ["stats_random"], True),
    ]
    # timeouts, crashes, untouched stubs and missing files are not mistakes: nothing from ex02


def test_one_learners_error_in_every_check_of_an_exercise_is_one_mistake_of_one_learner():
    crash = "could not import your file: ModuleNotFoundError: No module named 'numpyy'"
    broken = learner("eve", [result("ex02_autograd", f"check_{i}", "error", message=crash) for i in range(10)])
    fine = learner("fay", [result("ex02_autograd", f"check_{i}", "passed") for i in range(10)])
    (mistake,) = stats.mistakes([broken, fine], EXERCISES)
    assert (mistake.label, mistake.learners, len(mistake.checks)) == (crash, ["eve"], 10)


def test_timeouts_and_crashes_are_listed_with_their_messages_for_the_instructor():
    found = stats.incidents(class_submissions())
    assert [(i.learner, i.check, i.status, i.hidden) for i in found] == [
        ("cai", "sums", "timeout", False),
        ("cai", "grads", "crashed", False),
        ("cai", "grads_random", "crashed", True),
    ]
    assert found[1].message == "killed by SIGSEGV"
    assert found[2].message == f"{SECRET} killed"


def test_grading_time_is_that_of_the_run_that_graded_the_learners(tmp_path):
    loaded = loading.load(write_class(tmp_path), EXERCISES)
    time = stats.grading_time(loaded.run, loaded.submissions)
    assert time == stats.GradingTime(wall=66.0, learners=6.0, last_run=0.81, regraded=0)
    older = stats.grading_time(ClassRecord(duration=0.81), loaded.submissions)  # a class.json without the new fields
    assert (older.wall, older.learners, older.regraded) == (None, 6.0, None)


def test_a_rerun_that_grades_nobody_keeps_the_time_of_the_run_that_did(tmp_path):
    folder = ResultsFolder(tmp_path)
    folder.write_class(ClassRecord(started="09:00", duration=66.0, regraded=7))
    folder.write_class(ClassRecord(started="10:00", duration=0.81, regraded=0))
    kept = folder.read_class()
    assert (kept.started, kept.duration, kept.grading_started, kept.grading_duration) == ("10:00", 0.81, "09:00", 66.0)
    folder.write_class(ClassRecord(started="11:00", duration=9.5, regraded=1))  # one new submission
    regraded = folder.read_class()
    assert (regraded.grading_started, regraded.grading_duration) == ("11:00", 9.5)


def test_score_matrix_and_exercise_means():
    rows = stats.score_matrix(class_submissions())
    assert [(r.learner, r.points, r.max_points) for r in rows] == [
        ("ada", 8, 8), ("ben", 2, 8), ("cai", 0, 8), ("dee", 4, 8)
    ]
    assert rows[3].scores["ex01_tensors"].points == 1 and rows[3].fraction == 0.5
    assert stats.summarize(rows) == stats.ScoreSummary(mean=0.4375, median=0.375, full_marks=1)
    assert stats.exercise_maxima(rows, EXERCISES) == {"ex01_tensors": 5, "ex02_autograd": 3}
    means = stats.exercise_means(rows, EXERCISES)
    assert means["ex01_tensors"] == pytest.approx((1 + 0.4 + 0 + 0.2) / 4)
    assert means["ex02_autograd"] == pytest.approx((1 + 0 + 0 + 1) / 4)


# --- loading ------------------------------------------------------------------------------


def test_loading_orders_exercises_by_catalog_and_names_learners_by_file(tmp_path):
    anonymous = learner("", [result("ex99_extra", "x", "passed"), result("ex01_tensors", "sums", "passed")])
    anonymous.write_json(tmp_path / "learners" / "zoe.json")
    loaded = loading.load(tmp_path, ["ex00_intro", "ex01_tensors"])
    assert loaded.exercises == ["ex01_tensors", "ex99_extra"]
    assert [s.learner for s in loaded.submissions] == ["zoe"]
    assert loaded.run == ClassRecord()  # no class.json: a folder assembled by hand


def test_loading_reads_the_class_summary(tmp_path):
    loaded = loading.load(write_class(tmp_path), EXERCISES)
    assert [s.learner for s in loaded.submissions] == ["ada", "ben", "cai", "dee"]
    assert (loaded.run.duration, loaded.run.jobs, loaded.run.sandbox) == (0.81, 2, "bwrap")  # as the first version wrote it
    assert (loaded.run.regraded, loaded.run.grading_duration) == (0, 66.0)


def test_a_folder_without_learner_results_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="no learner results"):
        loading.load(tmp_path)


def test_a_learner_id_that_is_not_a_file_name_gets_pages_of_a_safe_name(tmp_path):
    learner("../escape", [result("ex01_tensors", "sums", "passed")]).write_json(tmp_path / "learners" / "x.json")
    out = tmp_path / "report"
    assert main(["report", str(tmp_path), "--out", str(out)]) == 0
    page = out / html.learner_file("../escape")
    assert page.parent == out / "learners" and page.is_file() and ".." not in page.name
    assert not (tmp_path / "escape.html").exists()


def test_a_missing_results_folder_says_to_grade_the_class_first(tmp_path, capsys):
    assert main(["report", str(tmp_path / "never-graded"), "--out", str(tmp_path / "report")]) == 2
    error = capsys.readouterr().err
    assert "no such results folder" in error and "grader class" in error and "make class" in error
    assert not (tmp_path / "report").exists()


def test_a_broken_results_file_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "learners").mkdir()
    (tmp_path / "learners" / "ada.json").write_text("{ truncated")
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "report")]) == 2
    assert "torchdrill:" in capsys.readouterr().err
    assert not (tmp_path / "report").exists()


# --- gradebook ----------------------------------------------------------------------------


def test_gradebook_has_one_row_per_learner_in_catalog_column_order(tmp_path):
    rows = stats.score_matrix(class_submissions())
    path = tmp_path / "gradebook.csv"
    gradebook.write(path, rows, EXERCISES)
    with path.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["learner", "ex01_tensors", "ex02_autograd", "total", "max"]
    assert [r[0] for r in table[1:]] == ["ada", "ben", "cai", "dee"]
    assert {r[0]: r[1:] for r in table[1:]} == {
        "ada": ["5", "3", "8", "8"],
        "ben": ["2", "0", "2", "8"],
        "cai": ["0", "0", "0", "8"],
        "dee": ["1", "3", "4", "8"],
    }


def test_an_exercise_not_graded_for_a_learner_is_an_empty_cell():
    row = stats.score_matrix([learner("eve", [result("ex01_tensors", "sums", "passed", 1.5)])])[0]
    assert gradebook.row(row, EXERCISES) == ["eve", "1.5", "", "1.5", "1.5"]


# --- per-learner JSON schema --------------------------------------------------------------


def test_learner_results_follow_the_documented_schema():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    for submission in class_submissions():
        jsonschema.validate(json.loads(json.dumps(submission.to_dict())), schema)
    broken = class_submissions()[0].to_dict()
    broken["checks"][0]["status"] = "almost"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_the_schema_names_and_describes_every_field_of_the_results_model():
    """A field added to the results model must be added, with its description, to the schema."""
    schema = json.loads(SCHEMA.read_text())
    data = class_submissions()[1].to_dict()
    parts = [schema, schema["properties"]["checks"]["items"], schema["properties"]["files"]["items"]]
    for part, sample in zip(parts, [data, data["checks"][0], data["files"][0]]):
        assert set(part["required"]) == set(part["properties"]) == set(sample)
        assert all(field.get("description") for field in part["properties"].values())


# --- HTML ---------------------------------------------------------------------------------


@pytest.fixture
def report(tmp_path) -> Path:
    """`python -m grader report` on the four learners, in this process."""
    out = tmp_path / "report"
    assert main(["report", str(write_class(tmp_path / "results")), "--out", str(out)]) == 0
    return out


def test_report_writes_every_output(report, tmp_path):
    assert (report / "index.html").is_file()
    for name in ("ada", "ben", "cai", "dee"):
        assert (report / "learners" / f"{name}.html").is_file()
        assert (report / "handouts" / f"{name}.html").is_file()
        copied = json.loads((report / "learners" / f"{name}.json").read_text())
        assert copied == json.loads((tmp_path / "results" / "learners" / f"{name}.json").read_text())
        gradescope = json.loads((report / "gradescope" / name / "results.json").read_text())
        assert gradescope["score"] == copied["score"]
    header = (report / "gradebook.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header == "learner,ex01_tensors,ex02_autograd,total,max"
    assert not (report / "lms").exists()  # no roster: no LMS file


def test_only_the_instructors_pages_show_hidden_check_messages(report):
    """The class page and learners/ are the instructor's; handouts/ and Gradescope's files go to learners."""
    for page in [report / "index.html", report / "learners" / "cai.html"]:
        assert SECRET in page.read_text(encoding="utf-8"), page.name
    learners_files = [*sorted((report / "handouts").glob("*.html")), *sorted((report / "gradescope").rglob("*.json"))]
    assert len(learners_files) == 8
    for path in learners_files:
        assert SECRET not in path.read_text(encoding="utf-8"), path
    cai = (report / "handouts" / "cai.html").read_text(encoding="utf-8")
    assert "class report" not in cai and "ben" not in cai  # no way to the class page, no other learner


def test_class_page_shows_learners_checks_plots_and_incidents(report):
    page = (report / "index.html").read_text(encoding="utf-8")
    for name in ("ada", "ben", "cai", "dee"):
        assert f'href="learners/{name}.html"' in page
    assert page.count("<svg") == 2  # histogram and exercise means, inline
    assert "ex01_tensors::means" in page
    mistakes = page[page.index('id="mistakes"') : page.index('id="incidents"')]
    body = mistakes.index("<tbody>")
    first = mistakes[body : mistakes.index("</tr>", body)]
    assert "sum instead of mean?" in first and '<td class="num">2</td>' in first
    assert re.search(r'href="learners/ben.html">ben</a>, <a href="learners/dee.html">dee</a>', first)
    incidents = page[page.index('id="incident-list"') :]
    assert "ex01_tensors::sums" in incidents and "did not finish within 10 s" in incidents
    rates = re.findall(r"<code>(ex0\d_\w+::\w+)</code>", page[page.index('id="pass-rates"') :])
    assert rates[0] == "ex01_tensors::means"


def test_pages_are_self_contained(report):
    for page in [report / "index.html", *(report / "learners").glob("*.html")]:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"<(script|img|iframe)[^>]*\ssrc=", text), page.name
        assert "<link" not in text and "@import" not in text, page.name
        assert not re.search(r"url\((?!#)", text), page.name  # only the SVG's own clip paths


def test_the_class_page_shows_the_time_of_the_run_that_graded_the_learners(report):
    page = (report / "index.html").read_text(encoding="utf-8")
    card = page[page.index('id="grading-time"') :]
    assert card[: card.index("</div>")].count("66.0 s") == 1 and "810 ms" not in card[: card.index("</div>")]
    facts = page[page.index('id="grading-facts"') :]
    assert "66.0 s" in facts and "810 ms" in facts and "graded 0 of 4 learners" in facts


def test_learner_page_shows_messages_diagnoses_hints_files_and_environment(report):
    ben = (report / "handouts" / "ben.html").read_text(encoding="utf-8")
    assert "sum instead of mean?" in ben and "&#39;mean&#39;: 2 of 3 elements differ" in ben
    assert "A hidden check: its message is not shown." in ben
    assert ben.count("was not in the submission") == 1
    assert "not handed in" in ben
    assert re.search(r"<td><code>means</code></td><td class=\"num\">2</td>", ben)  # hint levels
    assert "2.13.0+cpu" in ben and ">device<" in ben
    submission = class_submissions()[1]
    assert submission.files[0].sha256 in ben
    dee = (report / "handouts" / "dee.html").read_text(encoding="utf-8")
    assert "debug print from dee" in dee and "No hint used." in dee
    cai = (report / "handouts" / "cai.html").read_text(encoding="utf-8")
    assert "refused conftest.py" in cai
    instructors = (report / "learners" / "ben.html").read_text(encoding="utf-8")
    assert "A hidden check: its message is not shown." not in instructors
    assert "hidden from the learner" in instructors and f"{SECRET}: &#39;x&#39; differs" in instructors


def test_a_message_every_visible_check_shares_is_shown_once():
    crash = "could not import your file: ModuleNotFoundError"
    same = [result("ex02_autograd", n, "error", message=crash) for n in ("a", "b")]
    hidden = result("ex02_autograd", "c", "error", hidden=True, message=SECRET)
    assert html.shared_message([*same, hidden], hidden_shown=False) == crash
    assert html.shared_message([*same, hidden], hidden_shown=True) == ""  # the hidden check says something else
    assert html.shared_message([*same, result("ex02_autograd", "d", "failed", message="'x' differs")], False) == ""
    assert html.shared_message([same[0], hidden], hidden_shown=False) == ""  # one visible check: shown in its row
    page = html.learner_page(learner("lee", [*same, hidden]), {}, html.Audience.LEARNER)
    assert page.count(crash) == 1 and SECRET not in page


def test_learner_markup_is_escaped():
    evil = learner("mal", [result("ex01_tensors", "sums", "failed", message="<script>alert(1)</script>")])
    for audience in html.Audience:
        page = html.learner_page(evil, {}, audience)
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_learner_ids_are_escaped_wherever_the_class_page_names_them(tmp_path):
    evil = "<img src=x onerror=alert(1)>"
    failing = learner(evil, [result("ex01_tensors", "sums", "failed", message="'sum' differs")])
    failing.write_json(tmp_path / "learners" / "evil.json")
    page = html.class_page(loading.load(tmp_path, EXERCISES))
    assert evil not in page
    mistakes = page[page.index('id="mistakes"') : page.index('id="incidents"')]
    assert "&lt;img src=x onerror=alert(1)&gt;</a>" in mistakes  # named, as text


def test_the_same_results_give_the_same_pages(tmp_path):
    results = loading.load(write_class(tmp_path), EXERCISES)
    assert html.class_page(results) == html.class_page(results)


# --- the example class --------------------------------------------------------------------


def test_the_complete_example_learner_holds_the_current_solutions():
    """examples/class/ada-complete must earn full marks: refresh it when a solution changes."""
    complete = ROOT / "examples" / "class" / "ada-complete"
    for name in COURSE.catalog.names:
        assert (complete / f"{name}.py").read_bytes() == (ROOT / "solutions" / f"{name}.py").read_bytes(), name


@pytest.mark.slow
def test_the_example_class_shows_every_status_in_the_report(tmp_path):
    """`make class` twice (the rerun grades nobody) and `make report` on examples/class, limited to
    ex01 and ex02 (every status lives there)."""
    results, out = tmp_path / "results", tmp_path / "report"
    grade = ("class", str(ROOT / "examples" / "class"), "--out", str(results), "--jobs", "2", "--timeout", "5",
             "--exercises", "ex01_tensors", "ex02_autograd")
    done = run_grader(*grade)
    assert done.returncode == 0, done.stdout + done.stderr
    graded = ClassRecord.from_dict(json.loads((results / "class.json").read_text()))
    everyone = len([p for p in (ROOT / "examples" / "class").iterdir() if p.is_dir()])
    assert graded.regraded == everyone
    assert (graded.grading_started, graded.grading_duration) == (graded.started, graded.duration)
    assert run_grader(*grade).returncode == 0  # everyone unchanged: nobody is graded again
    rerun = ClassRecord.from_dict(json.loads((results / "class.json").read_text()))
    assert rerun.regraded == 0 and rerun.started >= graded.started
    assert (rerun.grading_started, rerun.grading_duration) == (graded.started, graded.duration)
    done = run_grader("report", str(results), "--out", str(out))
    assert done.returncode == 0, done.stdout + done.stderr
    learners = {p.stem: Submission.read_json(p) for p in (out / "learners").glob("*.json")}
    assert sorted(learners) == [p.name for p in sorted((ROOT / "examples" / "class").iterdir()) if p.is_dir()]
    seen = {c.status for s in learners.values() for c in s.checks}
    assert seen >= {"passed", "failed", "error", "timeout", "crashed", "not_started"}
    assert learners["ada-complete"].points == learners["ada-complete"].max_points > 0
    # Every CPU run that calls the endless column_stats.
    assert {c.name for c in learners["eve-timeout"].checks if c.status == "timeout"} == {
        "column_statistics", "column_statistics_random", "results_stay_on_the_device[cpu]"
    }
    assert learners["fin-hints"].hints["ex02_autograd"]["accumulate_then_clear"] == 2
    assert learners["gus-notebook"].exercises()[0].state == "done"  # a notebook, graded like a module
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "eve-timeout" in page[page.index('id="incident-list"') :]
    with (out / "gradebook.csv").open(newline="", encoding="utf-8") as handle:
        assert len(list(csv.reader(handle))) == len(learners) + 1
