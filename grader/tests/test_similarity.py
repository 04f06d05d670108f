"""Similarity across a class: a copied-and-renamed pair stands out, independent solutions do not, nothing is scored.

The class (`similarity_class/`) is one exercise of four small functions: its stub,
five learners who solved it each their own way, and `zoe`, who took `ana`'s file and
renamed its variables, rewrote its comments and moved its blank lines.
"""

from __future__ import annotations

import re
from hashlib import sha256
from pathlib import Path

from grader.authoring.report import similarity
from grader.commands import main
from grader.core.results import CheckResult, GradedFile, Submission

CLASS = Path(__file__).with_name("similarity_class")
STUB = (CLASS / "stub.py").read_text()
CODE = {path.stem: path.read_text() for path in sorted(CLASS.glob("*.py")) if path.stem != "stub"}
EXERCISE = "ex01_tensors"  # the name the files are handed in under, end to end
HOSTILE = "# </pre><script>alert('zoe')</script>\n"


def test_the_copied_and_renamed_pair_stands_out_and_independent_ones_do_not():
    found = similarity.compare_exercise("ex", STUB, CODE)
    assert (found.learners, found.compared) == (6, 15)
    assert [pair.learners for pair in found.pairs] == [("ana", "zoe")]
    copied = found.pairs[0]
    assert min(copied.shares) > 0.9 and copied.score > similarity.OUTLIER
    assert found.median < 0.5  # independent solutions share little once names and the stub are left out


def test_renaming_and_rewording_do_not_hide_a_copy():
    """The copy differs from its source in every name and comment, yet matches as a whole."""
    assert CODE["ana"] != CODE["zoe"] and "centred" in CODE["ana"] and "centred" not in CODE["zoe"]
    copied = similarity.compare_exercise("ex", STUB, CODE).pairs[0]
    matched = "".join(s.text for s in copied.sides[1] if s.matched)
    for line in ("shifted = x - x.mean(dim=dim, keepdim=True)", "averages.append(total / window)", "out = torch.zeros("):
        assert line in matched


def test_the_stub_is_boilerplate():
    """Learners who handed in the stub as it was share all of it, and yet nothing: they are not compared."""
    handed = {"a": STUB, "b": STUB, "c": STUB} | {name: CODE[name] for name in ("ben", "cyd", "dan")}
    found = similarity.compare_exercise("ex", STUB, handed)
    assert (found.learners, found.compared, found.pairs) == (3, 3, [])
    assert found.highest < 0.5


def test_a_class_too_small_for_a_median_lists_no_pair():
    found = similarity.compare_exercise("ex", STUB, {"ana": CODE["ana"], "zoe": CODE["zoe"]})
    assert (found.compared, found.pairs) == (1, [])


def test_a_long_file_is_cut_on_the_page():
    long = {name: text + "\n" + "# padding\n" * 3_000 for name, text in CODE.items()}
    copied = similarity.compare_exercise("ex", STUB, long).pairs[0]
    assert copied.cut == (True, True)
    assert sum(len(s.text) for s in copied.sides[0]) == similarity.SHOWN_CHARS


# --- in the class report ----------------------------------------------------------------------


def write_class(root: Path) -> tuple[Path, Path]:
    """The learners' folders and their results (no grading: the report reads results)."""
    submissions, results = root / "submissions", root / "results"
    for name, text in CODE.items():
        folder = submissions / name
        folder.mkdir(parents=True)
        (folder / f"{EXERCISE}.py").write_text(HOSTILE + text if name == "zoe" else text)
        digest = sha256(text.encode()).hexdigest()
        checks = [CheckResult(EXERCISE, "standardize", "passed", 2.0, 2.0)]
        Submission("submission", checks, [GradedFile(EXERCISE, f"{EXERCISE}.py", digest)], learner=name).write_json(
            results / "learners" / f"{name}.json"
        )
    return submissions, results


def test_the_class_page_shows_the_pair_side_by_side_escaped_and_changes_no_score(tmp_path, capsys):
    submissions, results = write_class(tmp_path)
    assert main(["report", str(results), "--out", str(tmp_path / "plain")]) == 0
    assert "similar code:  not compared (give --submissions" in capsys.readouterr().out
    assert main(["report", str(results), "--out", str(tmp_path / "compared"), "--submissions", str(submissions)]) == 0
    assert "similar code:  pairs that stand out: 1, in 1 of 1 exercises" in capsys.readouterr().out
    page = (tmp_path / "compared" / "index.html").read_text()
    section = page[page.index('id="similarity"') : page.index('id="grading"')]
    pairs = re.findall(r'<details class="similar-pair">.*?</details>', section, re.S)
    assert len(pairs) == 1 and "ana</a> and <a" in pairs[0] and ">zoe</a>" in pairs[0]
    assert pairs[0].count('<pre>') == 2 and "<mark>" in pairs[0]
    assert "<script>alert" not in page and "&lt;/pre&gt;&lt;script&gt;alert(&#39;zoe&#39;)" in pairs[0]
    for learner in ("ben", "cyd", "dan", "eli"):
        assert f">{learner}</a>" not in section
    plain = (tmp_path / "plain" / "index.html").read_text()
    assert "Not compared: give <code>--submissions</code>" in plain
    for name in ("gradebook.csv", *(f"learners/{learner}.json" for learner in CODE)):
        assert (tmp_path / "plain" / name).read_bytes() == (tmp_path / "compared" / name).read_bytes(), name


def test_a_missing_submissions_folder_is_a_usage_error(tmp_path, capsys):
    _, results = write_class(tmp_path)
    assert main(["report", str(results), "--out", str(tmp_path / "out"), "--submissions", str(tmp_path / "nowhere")]) == 2
    assert "--submissions" in capsys.readouterr().err
