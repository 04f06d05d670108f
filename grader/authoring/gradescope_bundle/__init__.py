"""The Gradescope autograder bundle: one zip that Gradescope unpacks into /autograder/source.

At its root, as Gradescope requires, `setup.sh` (installs the pinned course
environment once per image) and `run_autograder` (grades one submission through
`grader.authoring.gradescope.autograde`), both from this folder; beside them the course the
autograder grades with (`grader.authoring.autograder.course_files`: the grader
package without its self-tests, the complete graded suites, hidden checks included,
the solutions, which hidden checks need as references, the catalog, the data, the
packaging files), and the course secret that seeds the hidden checks
(`.torchdrill/course-secret`, as in class grading).

The zip is reproducible: entries in a fixed order with a fixed timestamp, so the
same course and secret always give the same bytes.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from grader.authoring.autograder import SECRET, course_files
from grader.core.course import Course

SCRIPTS = ("setup.sh", "run_autograder")
TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can store: no build time leaks into the bytes
HERE = Path(__file__).resolve().parent


def entries(course: Course) -> dict[str, Path]:
    """Archive name -> file, for every file of the bundle except the secret."""
    return {name: HERE / name for name in SCRIPTS} | course_files(course)


def build(course: Course, out: Path, secret: str) -> list[str]:
    """Write the zip to `out`; returns the archive names, in order."""
    files = entries(course)
    names = sorted(files)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            _add(archive, name, files[name].read_bytes(), executable=name in SCRIPTS)
        _add(archive, SECRET, f"{secret}\n".encode(), executable=False)
    return [*names, SECRET]


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool) -> None:
    info = zipfile.ZipInfo(name, TIMESTAMP)
    info.external_attr = (0o100755 if executable else 0o100644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
