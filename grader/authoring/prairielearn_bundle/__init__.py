"""The PrairieLearn bundle: what an instructor adds to their PrairieLearn course repository.

    OUT/serverFilesCourse/torchdrill/     the course the grading jobs grade with
        run.sh                            the questions' entrypoint (from this folder)
        Dockerfile, .dockerignore, setup.sh   the grading image: the pinned environment only
        grader/ tests/ solutions/ data/ catalog.toml ...   (`grader.authoring.autograder.course_files`)
        .torchdrill/course-secret         seeds the hidden checks, with each variant's seed
    OUT/questions/torchdrill/EXERCISE/    one externally graded question per exercise
        info.json                         `gradingMethod: External` and its `externalGradingOptions`
        question.html                     an editor holding the stub, the grader's results below
        initial_code.py                   the stub (`Course.stub`), never the solution

Every file comes from the course's sources (the stubs are generated from the solutions
as `generate` makes them), in a fixed order, so the same course, secret, image and time
limit give the same bytes. OUT may be the PrairieLearn course repository itself: only
the two `torchdrill` folders are replaced, and only if an earlier build made them (a
marker file says so). `setup.sh` is the Gradescope bundle's: one recipe installs the
pinned environment for both platforms.
"""

from __future__ import annotations

import html
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from grader.authoring import gradescope_bundle
from grader.authoring.autograder import SECRET, course_files
from grader.core.course import Course

NAME = "torchdrill"  # the folder under serverFilesCourse/ and questions/
HERE = Path(__file__).resolve().parent
SCRIPTS = {"run.sh": HERE / "run.sh", "setup.sh": gradescope_bundle.HERE / "setup.sh"}
IMAGE_FILES = {"Dockerfile": HERE / "Dockerfile", ".dockerignore": HERE / "dockerignore"}
MARKER = ".torchdrill-prairielearn"
GRADE = "/grade/serverFilesCourse"  # where PrairieLearn puts the serverFilesCourse folders a question lists
DEFAULT_TIME_LIMIT = 120  # seconds per grading job; PrairieLearn allows at most 600
MAX_TIME_LIMIT = 600


@dataclass(frozen=True)
class Built:
    course: Path  # OUT/serverFilesCourse/torchdrill
    questions: list[Path]  # OUT/questions/torchdrill/EXERCISE
    files: int


def server_files(course: Course) -> dict[str, Path]:
    """Name under serverFilesCourse/torchdrill -> file, for every file there except the secret."""
    return SCRIPTS | IMAGE_FILES | course_files(course)


def info_json(course: Course, exercise: str, image: str, time_limit: int, secret_id: str) -> dict:
    """The question's info.json. Its UUID is stable for a course (its secret) and exercise, so a rebuild
    keeps PrairieLearn's record of the question."""
    title = course.catalog.find(exercise).title
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"torchdrill:{secret_id}:{exercise}")),
        "title": f"{exercise}: {title}",
        "topic": "torchdrill",
        "tags": ["torchdrill"],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": image,
            "serverFilesCourse": [f"{NAME}/"],
            "entrypoint": f"{GRADE}/{NAME}/run.sh {exercise} {time_limit}",
            "timeout": time_limit,
        },
    }


def question_html(course: Course, exercise: str) -> str:
    found = course.catalog.find(exercise)
    text = (HERE / "question.html").read_text()
    fields = {"title": found.title, "intro": " ".join(found.intro.split()), "module": f"{exercise}.py"}
    return text.format(**{key: html.escape(value) for key, value in fields.items()})


def build(course: Course, out: Path, secret: str, secret_id: str, image: str, time_limit: int = DEFAULT_TIME_LIMIT) -> Built:
    """Write the two torchdrill folders under `out` (replacing an earlier build's)."""
    if not 0 < time_limit <= MAX_TIME_LIMIT:
        raise ValueError(f"time limit {time_limit} s: PrairieLearn allows 1 to {MAX_TIME_LIMIT} seconds per grading job")
    server = _fresh(out / "serverFilesCourse" / NAME)
    files = server_files(course)
    for name in sorted(files):
        _write(server / name, files[name].read_bytes(), executable=name in SCRIPTS)
    _write(server / SECRET, f"{secret}\n".encode(), executable=False)
    (server / SECRET).chmod(0o600)
    root = _fresh(out / "questions" / NAME)
    questions = []
    for exercise in course.catalog.names:
        question = root / exercise
        info = info_json(course, exercise, image, time_limit, secret_id)
        _write(question / "info.json", (json.dumps(info, indent=2) + "\n").encode(), executable=False)
        _write(question / "question.html", question_html(course, exercise).encode(), executable=False)
        _write(question / "initial_code.py", course.stub(exercise).encode(), executable=False)
        questions.append(question)
    return Built(server, questions, len(files) + 1 + 3 * len(questions))


def _fresh(folder: Path) -> Path:
    """An empty folder marked as this build's; a folder there that no build made is never touched."""
    if folder.exists() and not (folder / MARKER).is_file():
        raise FileExistsError(f"{folder} exists and was not made by `grader prairielearn`: move it away, or choose another --out")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by `python -m grader prairielearn`; rebuilt (replaced) by it\n")
    return folder


def _write(path: Path, data: bytes, executable: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o755 if executable else 0o644)
