"""The stub generator: solutions/ is the single source of exercises/."""

from grader.authoring import generate
from grader.core.course import Course
from grader.tests.test_stubs import SOLUTION


def test_generate_writes_and_stale_reports(tmp_path):
    (tmp_path / "solutions").mkdir()
    (tmp_path / "solutions" / "ex09_z.py").write_text(SOLUTION)
    assert generate.stale(Course(tmp_path)) == [tmp_path / "exercises" / "ex09_z.py"]
    assert generate.generate(Course(tmp_path)) == [tmp_path / "exercises" / "ex09_z.py"]
    assert generate.stale(Course(tmp_path)) == [] and generate.generate(Course(tmp_path)) == []
    (tmp_path / "exercises" / "ex09_z.py").write_text("edited")
    (tmp_path / "exercises" / "ex10_extra.py").write_text("")
    assert [p.name for p in generate.stale(Course(tmp_path))] == ["ex09_z.py", "ex10_extra.py"]
