"""Staging: only allow-listed exercise files reach the sandbox, read safely, with their hashes."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import types
from pathlib import Path

import pytest

import grader.learner.notebooks
from grader.classroom import staging
from grader.classroom.staging import NO_FILES, stage

EXERCISES = ["ex01_tensors", "ex02_autograd"]


def submission(tmp_path: Path, files: dict[str, str | bytes], name: str = "ada") -> Path:
    folder = tmp_path / "class" / name
    folder.mkdir(parents=True)
    for relative, content in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return folder


def staged_names(staged: staging.Staged) -> list[str]:
    return sorted(p.name for p in staged.folder.iterdir())


@pytest.fixture
def fake_notebooks(monkeypatch):
    """A stand-in converter: "source" becomes the module, "exercise" names it; "bad" raises."""

    class NotebookError(Exception):
        pass

    def convert(notebook: Path, folder: Path) -> Path:
        data = json.loads(notebook.read_text())
        if data.get("bad"):
            raise NotebookError(f"{notebook.name}: cell 3 is not valid Python")
        folder.mkdir(parents=True, exist_ok=True)
        out = folder / f"{data.get('exercise', notebook.stem)}.py"
        out.write_text(data["source"])
        return out

    module = types.SimpleNamespace(stage=convert, NotebookError=NotebookError)
    monkeypatch.setitem(sys.modules, "grader.learner.notebooks.stage", module)
    monkeypatch.setattr(grader.learner.notebooks, "stage", module)
    return module


def test_only_allow_listed_names_are_copied(tmp_path):
    folder = submission(
        tmp_path,
        {
            "ex01_tensors.py": "A = 1\n",
            "conftest.py": "import os\n",
            "torch.py": "raise SystemExit\n",
            "evil.pth": "import os; os.system('true')\n",
            "sitecustomize.py": "",
            "ex01_tensors_backup.py": "",
            "ex99_unknown.py": "",
            "__pycache__/ex01_tensors.cpython-311.pyc": b"\0\0",
            ".hidden.py": "",
        },
    )
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged_names(staged) == ["ex01_tensors.py"]
    assert (staged.folder / "ex01_tensors.py").read_text() == "A = 1\n"
    assert staged.problems == {}
    (ignored,) = [n for n in staged.notes if n.startswith("ignored")]
    for name in ("conftest.py", "torch.py", "evil.pth", "sitecustomize.py", "__pycache__/ex01_tensors.cpython-311.pyc"):
        assert name in ignored
    assert ".hidden.py" not in ignored


def test_files_are_recorded_with_hash_and_size_of_the_original(tmp_path):
    content = b"def f():\n    return 1\n"
    staged = stage(submission(tmp_path, {"ex02_autograd.py": content}), tmp_path / "dest", EXERCISES)
    assert staged.learner == "ada"
    assert staged.files == [
        staging.StagedFile("ex02_autograd", "ex02_autograd.py", hashlib.sha256(content).hexdigest(), len(content))
    ]


def test_dest_is_world_readable_whatever_the_umask(tmp_path):
    folder = submission(tmp_path, {"ex01_tensors.py": "A = 1\n"})
    old = os.umask(0o077)
    try:
        staged = stage(folder, tmp_path / "dest", EXERCISES)
    finally:
        os.umask(old)
    assert stat.S_IMODE(staged.folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((staged.folder / "ex01_tensors.py").stat().st_mode) == 0o644


def test_dest_is_replaced_not_merged(tmp_path):
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / "ex02_autograd.py").write_text("stale = True\n")
    staged = stage(submission(tmp_path, {"ex01_tensors.py": ""}), dest, EXERCISES)
    assert staged_names(staged) == ["ex01_tensors.py"]


def test_a_single_sub_folder_is_a_nested_layout(tmp_path):
    folder = submission(tmp_path, {"export_123/ex01_tensors.py": "A = 1\n", "export_123/ex02_autograd.py": ""})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged_names(staged) == ["ex01_tensors.py", "ex02_autograd.py"]
    assert [f.source for f in staged.files] == ["export_123/ex01_tensors.py", "export_123/ex02_autograd.py"]
    assert any("one folder down" in note and "export_123/" in note for note in staged.notes)


def test_files_spread_one_level_down_are_found(tmp_path):
    folder = submission(tmp_path, {"week1/ex01_tensors.py": "", "week2/ex02_autograd.py": "", "week2/notes.txt": ""})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged_names(staged) == ["ex01_tensors.py", "ex02_autograd.py"]
    assert any("week2/notes.txt" in note for note in staged.notes)


def test_deeper_nesting_is_an_unknown_layout_and_says_where_the_files_are(tmp_path):
    folder = submission(tmp_path, {"a/b/ex01_tensors.py": "A = 1\n"})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.files == [] and staged.problems == {}
    assert NO_FILES in staged.notes
    assert any("more than one folder down" in note and "a/b/ex01_tensors.py" in note for note in staged.notes)


def test_an_empty_folder_stages_nothing_and_says_so(tmp_path):
    staged = stage(submission(tmp_path, {}), tmp_path / "dest", EXERCISES)
    assert (staged.files, staged.problems, staged.hints) == ([], {}, {})
    assert staged.notes == [NO_FILES]
    assert staged_names(staged) == []


def test_py_is_preferred_over_a_notebook_of_the_same_exercise(tmp_path, fake_notebooks):
    notebook = json.dumps({"source": "FROM_NOTEBOOK = 1\n"})
    folder = submission(tmp_path, {"ex01_tensors.py": "FROM_MODULE = 1\n", "ex01_tensors.ipynb": notebook})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert (staged.folder / "ex01_tensors.py").read_text() == "FROM_MODULE = 1\n"
    assert any(".py preferred over .ipynb" in note for note in staged.notes)


def test_of_several_copies_the_top_level_one_is_graded(tmp_path):
    folder = submission(tmp_path, {"ex01_tensors.py": "TOP = 1\n", "old/ex01_tensors.py": "OLD = 1\n"})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert (staged.folder / "ex01_tensors.py").read_text() == "TOP = 1\n"
    assert any("graded ex01_tensors.py, ignored old/ex01_tensors.py" in note for note in staged.notes)


def test_a_notebook_is_converted_and_hashed_as_submitted(tmp_path, fake_notebooks):
    notebook = json.dumps({"source": "B = 2\n"}).encode()
    staged = stage(submission(tmp_path, {"ex02_autograd.ipynb": notebook}), tmp_path / "dest", EXERCISES)
    assert staged_names(staged) == ["ex02_autograd.py"]
    assert (staged.folder / "ex02_autograd.py").read_text() == "B = 2\n"
    assert stat.S_IMODE((staged.folder / "ex02_autograd.py").stat().st_mode) == 0o644
    assert staged.files[0].sha256 == hashlib.sha256(notebook).hexdigest()
    assert staged.files[0].source == "ex02_autograd.ipynb"


def test_an_invalid_notebook_is_a_problem_of_its_exercise_only(tmp_path, fake_notebooks):
    folder = submission(tmp_path, {"ex01_tensors.py": "", "ex02_autograd.ipynb": json.dumps({"bad": True})})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.problems == {"ex02_autograd": "ex02_autograd.ipynb: cell 3 is not valid Python"}
    assert staged_names(staged) == ["ex01_tensors.py"]


def test_a_notebook_naming_another_exercise_is_graded_under_its_file_name(tmp_path, fake_notebooks):
    notebook = json.dumps({"source": "C = 3\n", "exercise": "ex02_autograd"})
    staged = stage(submission(tmp_path, {"ex01_tensors.ipynb": notebook}), tmp_path / "dest", EXERCISES)
    assert staged_names(staged) == ["ex01_tensors.py"]
    assert "ex01_tensors.ipynb says it is the notebook of ex02_autograd: graded as ex01_tensors" in staged.notes


def test_a_notebook_that_breaks_the_converter_is_a_problem_not_a_crash(tmp_path):
    pytest.importorskip("nbformat")
    deep = "[" * 200_000 + "]" * 200_000  # json.loads raises RecursionError
    folder = submission(tmp_path, {"ex01_tensors.py": "", "ex02_autograd.ipynb": deep})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.problems["ex02_autograd"].startswith("ex02_autograd.ipynb")
    assert staged_names(staged) == ["ex01_tensors.py"]


def test_a_link_out_of_the_folder_is_refused_and_never_read(tmp_path):
    folder = submission(tmp_path, {"ex01_tensors.py": ""})
    (folder / "ex02_autograd.py").symlink_to("/etc/passwd")
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert "outside the learner's folder" in staged.problems["ex02_autograd"]
    assert "/etc/passwd" in staged.problems["ex02_autograd"]
    assert staged_names(staged) == ["ex01_tensors.py"]


def test_a_relative_link_climbing_out_is_refused(tmp_path):
    folder = submission(tmp_path, {})
    (tmp_path / "class" / "bob").mkdir()
    (tmp_path / "class" / "bob" / "ex01_tensors.py").write_text("BOBS = 1\n")
    (folder / "ex01_tensors.py").symlink_to("../bob/ex01_tensors.py")
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert "outside the learner's folder" in staged.problems["ex01_tensors"]
    assert staged_names(staged) == []


def test_a_link_inside_the_folder_is_copied_as_bytes_not_as_a_link(tmp_path):
    folder = submission(tmp_path, {"work/autograd_final.py": "FINAL = 1\n"})
    (folder / "ex02_autograd.py").symlink_to("work/autograd_final.py")
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    copied = staged.folder / "ex02_autograd.py"
    assert not copied.is_symlink() and copied.read_text() == "FINAL = 1\n"


def test_a_linked_sub_folder_is_not_searched(tmp_path):
    outside = submission(tmp_path, {"ex01_tensors.py": "NOT_ADAS = 1\n"}, name="elsewhere")
    folder = submission(tmp_path, {})
    (folder / "export").symlink_to(outside, target_is_directory=True)
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.files == [] and staged_names(staged) == []


def test_a_linked_learner_folder_stages_nothing(tmp_path):
    real = submission(tmp_path, {"ex01_tensors.py": ""})
    link = tmp_path / "class" / "mallory"
    link.symlink_to(real, target_is_directory=True)
    staged = stage(link, tmp_path / "dest", EXERCISES)
    assert staged.files == [] and staged_names(staged) == []
    assert "link" in staged.notes[0]


def test_a_module_over_the_size_limit_is_refused_with_the_limit(tmp_path):
    folder = submission(tmp_path, {"ex01_tensors.py": b"#" * (staging.MODULE_LIMIT + 1)})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert "over the 1 MiB limit for a module" in staged.problems["ex01_tensors"]
    assert staged_names(staged) == []


def test_a_50_mb_file_is_refused(tmp_path):
    folder = submission(tmp_path, {})
    with open(folder / "ex02_autograd.py", "wb") as big:
        big.truncate(50 * 1000 * 1000)  # sparse: costs no disk
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert "is 47.7 MiB, over the 1 MiB limit" in staged.problems["ex02_autograd"]
    assert staged_names(staged) == []


def test_a_notebook_has_its_own_larger_limit(tmp_path, fake_notebooks):
    padding = " " * (2 << 20)
    folder = submission(tmp_path, {"ex01_tensors.ipynb": json.dumps({"source": "A = 1\n", "pad": padding})})
    assert stage(folder, tmp_path / "dest", EXERCISES).problems == {}
    with open(folder / "ex01_tensors.ipynb", "ab") as grow:
        grow.truncate(staging.NOTEBOOK_LIMIT + 1)
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert "over the 5 MiB limit for a notebook" in staged.problems["ex01_tensors"]


def test_a_fifo_is_refused_without_blocking(tmp_path):
    folder = submission(tmp_path, {})
    os.mkfifo(folder / "ex01_tensors.py")
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.problems["ex01_tensors"] == "ex01_tensors.py is not a regular file: refused"


def test_a_folder_with_an_exercise_name_is_refused(tmp_path):
    folder = submission(tmp_path, {"ex01_tensors.py/inner.txt": ""})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert "not a regular file" in staged.problems["ex01_tensors"]


def test_binary_and_non_utf8_sources_are_staged_as_they_are(tmp_path):
    garbage, latin1 = bytes(range(256)) * 4, "# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1")
    folder = submission(tmp_path, {"ex01_tensors.py": garbage, "ex02_autograd.py": latin1})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.problems == {}
    assert (staged.folder / "ex01_tensors.py").read_bytes() == garbage
    assert (staged.folder / "ex02_autograd.py").read_bytes() == latin1


def test_hints_are_read_from_the_state_file(tmp_path):
    state = {"hints": {"ex02_autograd": {"double_square_grad": 2}, "ex77_gone": {"f": 1}}, "other": 1}
    folder = submission(tmp_path, {"ex02_autograd.py": "", ".torchdrill/state.json": json.dumps(state)})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.hints == {"ex02_autograd": {"double_square_grad": 2}}
    assert not any("hint" in note for note in staged.notes)


def test_hints_are_found_in_a_nested_export_too(tmp_path):
    state = json.dumps({"hints": {"ex01_tensors": {"ranges": 1}}})
    folder = submission(tmp_path, {"export/ex01_tensors.py": "", "export/.torchdrill/state.json": state})
    assert stage(folder, tmp_path / "dest", EXERCISES).hints == {"ex01_tensors": {"ranges": 1}}


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"hints": {"ex01_tensors": {"f": "many"}}}',
        b'{"hints": {"ex01_tensors": {"f": true}}}',
    ],
)
def test_an_invalid_hint_record_is_ignored_with_a_note(tmp_path, content):
    folder = submission(tmp_path, {"ex01_tensors.py": "", ".torchdrill/state.json": content})
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.hints == {}
    assert any(note.startswith("hint record") and ".torchdrill/state.json" in note for note in staged.notes)


def test_a_hint_record_linking_out_is_not_read(tmp_path):
    outside = tmp_path / "state.json"
    outside.write_text(json.dumps({"hints": {"ex01_tensors": {"f": 3}}}))
    folder = submission(tmp_path, {"ex01_tensors.py": ""})
    (folder / ".torchdrill").mkdir()
    (folder / ".torchdrill" / "state.json").symlink_to(outside)
    staged = stage(folder, tmp_path / "dest", EXERCISES)
    assert staged.hints == {}
    assert any("outside the learner's folder" in note for note in staged.notes)


def test_the_content_hash_follows_the_files_not_the_folder(tmp_path):
    files = {"ex01_tensors.py": "A = 1\n", "ex02_autograd.py": "B = 2\n"}
    first = stage(submission(tmp_path, files, "one"), tmp_path / "d1", EXERCISES)
    second = stage(submission(tmp_path, files, "two"), tmp_path / "d2", EXERCISES)
    assert first.content_hash() == second.content_hash()
    (tmp_path / "class" / "two" / "ex02_autograd.py").write_text("B = 3\n")
    changed = stage(tmp_path / "class" / "two", tmp_path / "d2", EXERCISES)
    assert changed.content_hash() != first.content_hash()


def test_the_content_hash_changes_with_a_problem(tmp_path):
    folder = submission(tmp_path, {"ex01_tensors.py": "A = 1\n"})
    before = stage(folder, tmp_path / "dest", EXERCISES).content_hash()
    (folder / "ex02_autograd.py").symlink_to("/etc/passwd")
    assert stage(folder, tmp_path / "dest", EXERCISES).content_hash() != before
